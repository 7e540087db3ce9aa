/**
 * Cloak with the real R1CS prover and verifier.
 *
 * - The reference's own ZkVM proofs (spend_1_1 = cloak:1:1, payment_2_2 = cloak:2:2, from
 *   zkvm_trace.json) verify against our gadget: this pins the allocation order, constraint order
 *   and challenge labels byte for byte.
 * - prove → verify round trips (through the wire format) for every shape 1..4 × 1..4, 1×8 and 6×6,
 *   each with a must-fail twin, and for range proofs at 0, 1 and 2^64-1. cloak.test.ts runs the
 *   same grid (and more random witnesses) as cheap constraint-satisfaction checks.
 * Soundness negatives with real proofs are in cloakSoundness.test.ts.
 */
import { describe, expect, it } from "vitest";
import { R1csCode } from "../bulletproofs/errors.js";
import { decodeR1csProof, encodeR1csProof, type R1csProof } from "../bulletproofs/proof.js";
import { Prover } from "../bulletproofs/prover.js";
import { Verifier } from "../bulletproofs/verifier.js";
import { Transcript } from "../crypto/transcript.js";
import { fromHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { Reader } from "../util/reader.js";
import { seededRng } from "../util/rng.js";
import { proveCloak, testGens, verifyCloak } from "./_testProofs.js";
import { randomWitness } from "./_testWitness.js";
import { cloak, cloakSize } from "./cloak.js";
import trace from "./fixtures/zkvm_trace.json" with { type: "json" };
import { rangeProof } from "./rangeProof.js";
import { SIGNED_INTEGER_MAX, SignedInteger } from "./signedInteger.js";
import { type AllocatedValue, allocatedValue } from "./value.js";

function failsWith(code: string, f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

/** The R1CS proof inside a tx: LE64 version, mintime, maxtime; LE32 len, program; sig(64); LE32 len, proof. */
function proofOfTx(txHex: string): R1csProof {
  const r = new Reader(fromHex(txHex));
  r.readU64("version");
  r.readU64("mintime");
  r.readU64("maxtime");
  r.readSizedBytes(1 << 20, "program");
  r.readBytes(64, "signature");
  const proof = r.readSizedBytes(1 << 20, "proof");
  return decodeR1csProof(proof);
}

/**
 * Replays the R1CS part of a ZkVM cloak:m:n tx: the VM commits, per output from the top of the stack,
 * quantity then flavor, then the inputs likewise; the gadget sees both lists in stack order. The
 * txid is appended after the gadget, as ZkVM does.
 */
function verifyReference(
  tx: (typeof trace.txs)[number],
  opts: { swapInputs?: boolean; label?: string } = {},
) {
  const ops = tx.r1cs.transcript.ops as { label: string; hex?: string }[];
  const vs = ops.filter((o) => o.label === "V").map((o) => fromHex(o.hex!));
  const t = Transcript.create(opts.label ?? tx.r1cs.transcript.label);
  const verifier = new Verifier(t);
  const vars = vs.map((v) => verifier.commit(v));
  const k = vars.length / 4;
  const outs: AllocatedValue[] = [];
  const ins: AllocatedValue[] = [];
  for (let i = 0; i < k; i++) outs.unshift(allocatedValue(vars[2 * i]!, vars[2 * i + 1]!));
  for (let i = 0; i < k; i++) ins.unshift(allocatedValue(vars[2 * k + 2 * i]!, vars[2 * k + 2 * i + 1]!));
  if (opts.swapInputs) ins.reverse();
  cloak(verifier, ins, outs);
  t.appendMessage("ZkVM.txid", fromHex(tx.txid));
  const proof = proofOfTx(tx.tx_hex);
  expect(encodeR1csProof(proof).length).toBe(tx.decoded.r1cs_proof_len);
  verifier.verify(proof, testGens(), seededRng("reference verify"));
}

describe("reference ZkVM proofs verify against this gadget", () => {
  for (const tx of trace.txs) {
    it(`${tx.name}`, () => {
      verifyReference(tx);
    });
  }
  it("must-fail: the same proofs with the inputs in another order, or another transcript label", () => {
    const payment = trace.txs.find((t) => t.name === "payment_2_2")!;
    failsWith(R1csCode.VERIFICATION_FAILED, () => verifyReference(payment, { swapInputs: true }));
    const spend = trace.txs.find((t) => t.name === "spend_1_1")!;
    failsWith(R1csCode.VERIFICATION_FAILED, () => verifyReference(spend, { label: "ZkVM.r1cs2" }));
  });
});

describe("cloak round trips", () => {
  const rng = seededRng("cloak round trips");
  const shapes: [number, number][] = [];
  for (let m = 1; m <= 4; m++) for (let n = 1; n <= 4; n++) shapes.push([m, n]);
  shapes.push([1, 8], [6, 6]);
  for (const [m, n] of shapes) {
    it(`${m}×${n}`, () => {
      const { inputs, outputs } = randomWitness(rng, m, n, { flavors: Math.min(m, n, 3) });
      const res = proveCloak(rng, inputs, outputs);
      const size = cloakSize(m, n);
      expect(res.multipliers).toBe(size.phaseOneMultipliers + size.phaseTwoMultipliers);
      // Through the wire format and back.
      const proof = decodeR1csProof(encodeR1csProof(res.proof));
      verifyCloak(rng, proof, res.inputs, res.outputs);
      // Must-fail twin: the outputs' commitments in another order (or, for 1×1, inputs and outputs swapped).
      const swapped = n > 1 ? res.outputs.slice().reverse() : res.inputs;
      const ins = n > 1 ? res.inputs : res.outputs;
      failsWith(R1csCode.VERIFICATION_FAILED, () => verifyCloak(rng, proof, ins, swapped));
    });
  }
});

describe("range proof round trips", () => {
  it("0, 1, 2^64-1 and a user-style constraint (range of a - b) in one proof", () => {
    const rng = seededRng("range round trip");
    const values = [0n, 1n, SIGNED_INTEGER_MAX, 100n, 58n];
    const blindings = values.map((_, i) => BigInt(1000 + i));
    const build = (cs: Prover | Verifier, vars: ReturnType<Verifier["commit"]>[]) => {
      for (let i = 0; i < 3; i++)
        rangeProof(cs, vars[i]!, cs.isProver ? SignedInteger.from(values[i]!) : undefined);
      rangeProof(cs, vars[3]!.sub(vars[4]!), cs.isProver ? 42n : undefined, 8);
    };
    const prover = new Prover(Transcript.create("range test"));
    const committed = values.map((v, i) => prover.commit(v, blindings[i]!));
    build(
      prover,
      committed.map((c) => c.variable),
    );
    expect(prover.metrics()).toMatchObject({ multipliers: 3 * 64 + 8, constraints: 3 * 129 + 17 });
    const proof = prover.prove(testGens(), rng);
    const verify = (label: string) => {
      const verifier = new Verifier(Transcript.create(label));
      build(
        verifier,
        committed.map((c) => verifier.commit(c.commitment)),
      );
      verifier.verify(proof, testGens(), rng);
    };
    verify("range test");
    failsWith(R1csCode.VERIFICATION_FAILED, () => verify("range test 2"));
  });
});
