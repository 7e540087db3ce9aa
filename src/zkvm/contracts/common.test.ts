import { describe, expect, it } from "vitest";
import { randomScalar } from "../../crypto/scalar.js";
import { publicKey } from "../../crypto/starsig.js";
import { utf8 } from "../../util/bytes.js";
import { seededRng } from "../../util/rng.js";
import { makeUtxo, type ProgramBuilder } from "../builder.js";
import { VmCode } from "../errors.js";
import { Opcode } from "../ops.js";
import { buildAndVerify, failureOf } from "./_testUtil.js";
import {
  assertNotAfter,
  assertNotAfterClear,
  assertNotBefore,
  assertNotBeforeClear,
  type CommittedTime,
  deriveScalar,
  outputsOf,
  ValueFlow,
} from "./common.js";

const rng = seededRng("contract sdk common tests");
const alice = randomScalar(rng);
const USD = 0x5553n;
const T = 1_700_000_000_000n;

/** A tx spending one utxo to alice, whose program first runs `check`. */
function timed(mintime: bigint, maxtime: bigint, check: (b: ProgramBuilder) => void): ValueFlow {
  const flow = new ValueFlow({ rng, mintime, maxtime });
  check(flow.program);
  flow.spend(
    makeUtxo(new Uint8Array(32).fill(9), publicKey(alice), {
      qty: 5n,
      flavor: USD,
      qtyBlinding: randomScalar(rng),
      flvBlinding: randomScalar(rng),
    }),
    alice,
  );
  flow.cloakTo([{ qty: 5n, flavor: USD, predicate: publicKey(alice) }]);
  return flow;
}

describe("time-bound snippets", () => {
  const t: CommittedTime = { time: T, blinding: randomScalar(rng) };

  it("all four checks pass on the boundary (one proof)", () => {
    const flow = timed(T, T, (b) => {
      assertNotBefore(b, t);
      assertNotAfter(b, t);
      assertNotBeforeClear(b, T);
      assertNotAfterClear(b, T);
    });
    buildAndVerify(flow, rng);
  });

  it("zero-knowledge checks: the prover refuses at the range proof one unit off", () => {
    const zk = {
      code: VmCode.R1CS_INCONSISTENCY,
      opcode: Opcode.range,
      cause: "CLOAK_QUANTITY_OUT_OF_RANGE",
    };
    expect(failureOf(() => timed(T - 1n, T, (b) => assertNotBefore(b, t)).build())).toEqual(zk);
    expect(failureOf(() => timed(T, T + 1n, (b) => assertNotAfter(b, t)).build())).toEqual(zk);
  });

  it("cleartext checks: the VM rejects a negative constant at `range` (verifier side too)", () => {
    const clear = { code: VmCode.INVALID_BITRANGE, opcode: Opcode.range };
    expect(failureOf(() => timed(T - 1n, T, (b) => assertNotBeforeClear(b, T)).build())).toEqual(clear);
    expect(failureOf(() => timed(T, T + 1n, (b) => assertNotAfterClear(b, T)).build())).toEqual(clear);
  });
});

describe("ValueFlow", () => {
  it("places strings around a value in an output payload (before bottom-first, after on top)", () => {
    const flow = new ValueFlow({ rng });
    flow.spend(
      makeUtxo(new Uint8Array(32).fill(3), publicKey(alice), {
        qty: 2n,
        flavor: USD,
        qtyBlinding: randomScalar(rng),
        flvBlinding: randomScalar(rng),
      }),
      alice,
    );
    flow.cloakTo([
      { qty: 2n, flavor: USD, predicate: publicKey(alice), before: ["b1", "b2"], after: ["a1"] },
    ]);
    const out = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    const shape = out.payload.map((p) => (p.kind === "string" ? new TextDecoder().decode(p.bytes) : p.kind));
    expect(shape).toEqual(["b1", "b2", "value", "a1"]);
  });

  it("rejects misuse", () => {
    const flow = new ValueFlow({ rng });
    expect(() => flow.cloakTo([{ qty: 1n, flavor: USD, predicate: publicKey(alice) }])).toThrow(RangeError);
    expect(() => flow.cloakTo([])).toThrow(RangeError);
    expect(() => flow.addPending(-1)).toThrow(RangeError);
  });

  it("derived scalars depend on label, seed, name and index", () => {
    const seed = utf8("s".repeat(32));
    const base = deriveScalar("L", seed, "n", 0n);
    expect(deriveScalar("L", seed, "n", 0n)).toBe(base);
    for (const other of [
      deriveScalar("M", seed, "n", 0n),
      deriveScalar("L", utf8("t".repeat(32)), "n", 0n),
      deriveScalar("L", seed, "m", 0n),
      deriveScalar("L", seed, "n", 1n),
    ])
      expect(other).not.toBe(base);
  });
});
