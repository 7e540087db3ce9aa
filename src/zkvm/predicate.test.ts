import { describe, expect, it } from "vitest";
import { checkStatement } from "../crypto/batch.js";
import { CompressedPoint, mulBase } from "../crypto/ristretto.js";
import { add, decodeScalar, encodeScalar } from "../crypto/scalar.js";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import valid from "./fixtures/zkvm_tx_valid.json" with { type: "json" };
import { CallProof, PredicateTree } from "./predicate.js";

const vec = valid.vectors.find((v) => v.name === "taproot_key_path")!;
const extra = vec.extra as Record<string, unknown>;

describe("Taproot predicates", () => {
  const tree = new PredicateTree(
    new CompressedPoint(fromHex(extra.inner_pubkey as string, 32)),
    (extra.tree_programs_hex as string[]).map((h) => fromHex(h)),
    fromHex(extra.blinding_key as string, 32),
  );

  it("reproduces the reference outer key and adjustment factor", () => {
    expect(toHex(encodeScalar(tree.adjustmentFactor))).toBe(extra.adjustment_factor);
    expect(tree.outerKey.toHex()).toBe(extra.outer_pubkey);
    expect(tree.outerKey.toHex()).toBe(vec.inputs[0]!.predicate_pubkey);
  });

  it("the key path signs with x + h", () => {
    const x = decodeScalar(fromHex(extra.inner_secret as string));
    expect(CompressedPoint.fromPoint(mulBase(add(x, tree.adjustmentFactor))).toHex()).toBe(
      extra.outer_pubkey,
    );
  });

  it("call proofs for every program verify and round-trip; wrong program or predicate fails", () => {
    const programs = [
      Uint8Array.of(2),
      Uint8Array.of(0x13),
      Uint8Array.of(1, 0, 0, 0, 0),
      Uint8Array.of(7, 7),
    ];
    const t = new PredicateTree(undefined, programs, new Uint8Array(32).fill(5));
    for (let i = 0; i < programs.length; i++) {
      const { proof, program } = t.callProof(i);
      const back = CallProof.decode(proof.encode());
      expect(checkStatement(back.statement(t.outerKey, program))).toBe(true);
      expect(checkStatement(back.statement(t.outerKey, Uint8Array.of(9)))).toBe(false);
      expect(checkStatement(back.statement(tree.outerKey, program))).toBe(false);
    }
  });

  it("call proof decoding is strict", () => {
    const { proof } = tree.callProof(0);
    const bytes = proof.encode();
    const codeOf = (b: Uint8Array) => {
      try {
        CallProof.decode(b);
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(codeOf(bytes)).toBeUndefined();
    expect(codeOf(Uint8Array.of(...bytes, 0))).toBe(DecodeCode.TRAILING_BYTES);
    expect(codeOf(bytes.slice(0, 40))).toBe(DecodeCode.UNEXPECTED_END);
    let err: unknown;
    try {
      tree.callProof(5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(hasCode(err, DecodeCode.TRAILING_BYTES)).toBe(false);
  });
});
