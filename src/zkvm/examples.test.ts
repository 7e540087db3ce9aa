import { beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import { VmCode } from "./errors.js";
import { buildExampleTxs, EXAMPLE_NAMES, type ExampleTx } from "./examples.js";
import { decodeProgram, type Opcode } from "./ops.js";
import { decodeTx } from "./tx.js";
import { verifyTx } from "./verifier.js";

/** Names of the instructions a program and its nested programs use. */
function opsUsed(program: Uint8Array, out = new Set<string>()): Set<string> {
  for (const i of decodeProgram(program)) {
    out.add(i.op);
    if (i.op === "program") opsUsed(i.code, out);
  }
  return out;
}

describe("example transactions", () => {
  let examples: ExampleTx[] = [];
  // Proving ~15 transactions takes several seconds of pure-JS work.
  beforeAll(() => {
    examples = buildExampleTxs(seededRng("zkvm examples"));
  }, 120_000);

  it("has unique names, in the canonical order, each with a description", () => {
    expect(examples.map((e) => e.name)).toEqual(EXAMPLE_NAMES);
    expect(new Set(EXAMPLE_NAMES).size).toBe(EXAMPLE_NAMES.length);
    for (const e of examples) expect(e.description.length).toBeGreaterThan(20);
  });

  it("every example verifies", () => {
    const rng = seededRng("zkvm examples verify");
    for (const e of examples) {
      const v = verifyTx(fromHex(e.tx_hex), { rng });
      expect(v.txlog[0]!.type, e.name).toBe("header");
    }
  });

  it("together they use every instruction of the spec's feature list", () => {
    const used = new Set<string>();
    for (const e of examples) opsUsed(decodeTx(fromHex(e.tx_hex)).program, used);
    const wanted: (keyof typeof Opcode)[] = [
      "input",
      "signtx",
      "cloak",
      "output",
      "issue",
      "retire",
      "borrow",
      "fee",
      "call",
      "signid",
      "signtag",
      "contract",
      "mintime",
      "maxtime",
      "range",
      "log",
    ];
    for (const op of wanted) expect(used.has(op), op).toBe(true);
  });

  it("is deterministic given the seed, and a subset gives the same bytes", () => {
    const again = buildExampleTxs(seededRng("zkvm examples"), ["signid", "fee"]);
    expect(again).toEqual(examples.filter((e) => e.name === "signid" || e.name === "fee"));
  });

  it("a tampered example fails verification (must-fail twin)", () => {
    const bytes = fromHex(examples.find((e) => e.name === "spend_1_1")!.tx_hex);
    // The signature follows the header (24 bytes) and the sized program; flip a bit of its s.
    const programLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(24, true);
    const tampered = bytes.slice();
    tampered[28 + programLen + 40]! ^= 1;
    let err: unknown;
    try {
      verifyTx(tampered, { rng: seededRng("tamper") });
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("rejects unknown example names", () => {
    expect(() => buildExampleTxs(seededRng("x"), ["nope"])).toThrow(RangeError);
  });
});
