/**
 * Soundness with real proofs: a prover that cheats — unbalanced quantities, a flavor turned into
 * another, a negative output, an output of 2^64 — is refused by our prover with a precise code,
 * and when forced through (gadget witness checks and the prover's constraint check both off, as a
 * malicious prover would) its proof is rejected by the verifier. Honest proofs are rejected
 * against wrong commitments and against another transcript. (Tampered proof bytes are covered in
 * src/bulletproofs.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { R1csCode } from "../bulletproofs/errors.js";
import { Prover } from "../bulletproofs/prover.js";
import { Verifier } from "../bulletproofs/verifier.js";
import { pedersenCommit } from "../crypto/generators.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { L } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { type CloakProofResult, proveCloak, testGens, verifyCloak } from "./_testProofs.js";
import { CloakCode } from "./errors.js";
import { rangeProof } from "./rangeProof.js";
import { makeValue, type Value } from "./value.js";

const A = 0xa11cen;
const B = 0xb0bn;
const C = 0xc0ffeen;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** Our prover refuses with `refusal`; forced through, the constraint check fails, then the verifier. */
function expectCheatRejected(name: string, inputs: Value[], outputs: Value[], refusal: string): void {
  const rng = seededRng(`cheat ${name}`);
  expect(codeOf(() => proveCloak(rng, inputs, outputs))).toBe(refusal);
  const unchecked = { witness: { checkWitness: false } };
  expect(codeOf(() => proveCloak(rng, inputs, outputs, unchecked))).toBe(R1csCode.UNSATISFIED_CONSTRAINT);
  const forced = proveCloak(rng, inputs, outputs, { ...unchecked, prove: { checkConstraints: false } });
  expect(codeOf(() => verifyCloak(rng, forced.proof, forced.inputs, forced.outputs))).toBe(
    R1csCode.VERIFICATION_FAILED,
  );
}

describe("cheating cloak provers are rejected", () => {
  it("unbalanced quantities", () => {
    expectCheatRejected(
      "unbalanced",
      [makeValue(5, A), makeValue(3, A)],
      [makeValue(5, A), makeValue(4, A)],
      CloakCode.UNBALANCED,
    );
  });

  it("one flavor turned into another", () => {
    expectCheatRejected(
      "transmute",
      [makeValue(5, A), makeValue(3, B)],
      [makeValue(5, A), makeValue(3, C)],
      CloakCode.UNBALANCED,
    );
  });

  it("a negative output quantity", () => {
    expectCheatRejected(
      "negative",
      [makeValue(5, A)],
      [makeValue(8, A), makeValue(-3, A)],
      CloakCode.QUANTITY_OUT_OF_RANGE,
    );
  });
});

describe("range proof cheats", () => {
  // The committed value is 2^64 (or -1 = ℓ-1) but the bits are those of q mod 2^64.
  for (const [name, committed, claimed] of [
    ["2^64", 1n << 64n, 1n << 64n],
    ["-1", L - 1n, -1n],
  ] as const) {
    it(`an output of ${name}`, () => {
      const rng = seededRng(`range cheat ${name}`);
      const build = (opts: { checkWitness?: boolean }) => {
        const prover = new Prover(Transcript.create("range cheat"));
        const c = prover.commit(committed, 7n);
        rangeProof(prover, c.variable, claimed, 64, opts);
        return { prover, c };
      };
      expect(codeOf(() => build({}))).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
      let err: unknown;
      try {
        build({ checkWitness: false }).prover.prove(testGens(), rng);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, R1csCode.UNSATISFIED_CONSTRAINT)).toBe(true);
      expect((err as { meta: unknown }).meta).toMatchObject({ index: 128, phase: 1 });
      const { prover, c } = build({ checkWitness: false });
      const proof = prover.prove(testGens(), rng, { checkConstraints: false });
      const verifier = new Verifier(Transcript.create("range cheat"));
      rangeProof(verifier, verifier.commit(c.commitment), undefined);
      expect(codeOf(() => verifier.verify(proof, testGens(), rng))).toBe(R1csCode.VERIFICATION_FAILED);
    });
  }
});

describe("an honest proof checked against the wrong statement", () => {
  const rng = seededRng("wrong statement");
  const inputs = [makeValue(7, A), makeValue(5, B)];
  const outputs = [makeValue(5, B), makeValue(7, A)];
  let res: CloakProofResult;
  beforeAll(() => {
    res = proveCloak(rng, inputs, outputs);
  });

  it("verifies as made (the happy twin)", () => {
    verifyCloak(rng, res.proof, res.inputs, res.outputs);
  });

  it("wrong commitments: an output quantity shifted by 2^64, a flavor swapped for another", () => {
    // Q' = Q + 2^64·B commits to q + 2^64 with the same blinding.
    const shifted = CompressedPoint.fromPoint(
      res.outputs[0]!.q.decompress().add(pedersenCommit(1n << 64n, 0n)),
    );
    const outs1 = [{ q: shifted, f: res.outputs[0]!.f }, res.outputs[1]!];
    expect(codeOf(() => verifyCloak(rng, res.proof, res.inputs, outs1))).toBe(R1csCode.VERIFICATION_FAILED);
    const outs2 = [{ q: res.outputs[0]!.q, f: res.inputs[0]!.f }, res.outputs[1]!];
    expect(codeOf(() => verifyCloak(rng, res.proof, res.inputs, outs2))).toBe(R1csCode.VERIFICATION_FAILED);
    const ins3 = [res.inputs[1]!, res.inputs[0]!];
    expect(codeOf(() => verifyCloak(rng, res.proof, ins3, res.outputs))).toBe(R1csCode.VERIFICATION_FAILED);
  });

  it("another transcript: a different label, or an extra message (as a different txid)", () => {
    expect(codeOf(() => verifyCloak(rng, res.proof, res.inputs, res.outputs, { label: "other" }))).toBe(
      R1csCode.VERIFICATION_FAILED,
    );
    expect(
      codeOf(() => verifyCloak(rng, res.proof, res.inputs, res.outputs, { extra: utf8("another txid") })),
    ).toBe(R1csCode.VERIFICATION_FAILED);
  });

  it("another shape with the same number of commitments (3×1 instead of 2×2)", () => {
    const all = [...res.inputs, ...res.outputs];
    expect(codeOf(() => verifyCloak(rng, res.proof, all.slice(0, 3), all.slice(3)))).toBe(
      R1csCode.VERIFICATION_FAILED,
    );
  });
});
