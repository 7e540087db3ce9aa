/**
 * Proof encoding: the R1CS proofs inside the reference's valid ZkVM transactions round-trip byte
 * for byte; every malformed shape is rejected with its decode code; property tests on random proofs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompressedPoint } from "../crypto/ristretto.js";
import { encodeScalar, L } from "../crypto/scalar.js";
import { concatBytes, fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import txVectors from "./fixtures/zkvm_tx_valid.json" with { type: "json" };
import {
  decodeR1csProof,
  encodeR1csProof,
  isOnePhase,
  MAX_IPP_ROUNDS,
  type R1csProof,
  r1csProofSize,
} from "./proof.js";

/** Splits a serialized tx: LE64 version, mintime, maxtime, LE32 len + program, 64-byte sig, LE32 len + proof. */
function txProof(txHex: string): Uint8Array {
  const r = new Reader(fromHex(txHex));
  r.readU64("version");
  r.readU64("mintime");
  r.readU64("maxtime");
  r.readSizedBytes(1 << 20, "program");
  r.readBytes(64, "signature");
  const proof = r.readSizedBytes(1 << 20, "proof");
  r.end("tx");
  return proof;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return "NO ERROR";
}

/** A syntactically valid proof encoding with `rounds` IPP rounds (points are arbitrary bytes). */
function fakeProof(version: 0 | 1, rounds: number, fill = 0x11): Uint8Array {
  const elements = (version === 0 ? 11 : 14) + 2 * rounds + 2;
  const out = new Uint8Array(1 + 32 * elements).fill(fill);
  out[0] = version;
  // keep the five scalars canonical (top byte < 0x10)
  const scalarIdx = [
    version === 0 ? 8 : 11,
    version === 0 ? 9 : 12,
    version === 0 ? 10 : 13,
    elements - 2,
    elements - 1,
  ];
  for (const i of scalarIdx) out[1 + 32 * i + 31] = 0x01;
  return out;
}

describe("R1CS proof encoding", () => {
  it("every proof in zkvm_tx_valid.json decodes and re-encodes byte for byte", () => {
    expect(txVectors.vectors.length).toBeGreaterThanOrEqual(10);
    for (const v of txVectors.vectors) {
      const bytes = txProof(v.tx_hex);
      expect(toHex(bytes)).toBe(v.r1cs_proof_hex);
      expect(bytes.length).toBe(v.r1cs_proof_len);
      const proof = decodeR1csProof(bytes);
      expect(isOnePhase(proof)).toBe(bytes[0] === 0);
      expect(r1csProofSize(proof)).toBe(bytes.length);
      expect(toHex(encodeR1csProof(proof))).toBe(v.r1cs_proof_hex);
    }
  });

  it("a corrupted tx proof (one byte changed) still round-trips or is rejected with a decode code", () => {
    const bytes = txProof(txVectors.vectors[0]!.tx_hex);
    for (let i = 0; i < bytes.length; i += 37) {
      const b = bytes.slice();
      b[i]! ^= 0x80;
      try {
        expect(toHex(encodeR1csProof(decodeR1csProof(b)))).toBe(toHex(b));
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
      }
    }
  });

  it("rejects malformed shapes with precise codes (in dalek's order of checks)", () => {
    const one = fakeProof(0, 2);
    expect(codeOf(() => decodeR1csProof(one))).toBe("NO ERROR");
    expect(codeOf(() => decodeR1csProof(new Uint8Array(0)))).toBe(DecodeCode.UNEXPECTED_END);
    // length not 1 + 32k: a trailing partial element or a truncated one
    expect(codeOf(() => decodeR1csProof(concatBytes(one, new Uint8Array(1))))).toBe(
      DecodeCode.INVALID_FORMAT,
    );
    expect(codeOf(() => decodeR1csProof(one.subarray(0, one.length - 1)))).toBe(DecodeCode.INVALID_FORMAT);
    // unknown version
    const v2 = one.slice();
    v2[0] = 2;
    expect(codeOf(() => decodeR1csProof(v2))).toBe(DecodeCode.INVALID_TAG);
    // fewer than the 11 (v0) or 14 (v1) fixed elements
    expect(codeOf(() => decodeR1csProof(one.subarray(0, 1 + 32 * 10)))).toBe(DecodeCode.UNEXPECTED_END);
    const two = fakeProof(1, 0);
    expect(codeOf(() => decodeR1csProof(two))).toBe("NO ERROR");
    expect(codeOf(() => decodeR1csProof(two.subarray(0, 1 + 32 * 13)))).toBe(DecodeCode.UNEXPECTED_END);
    // the IPP needs at least a and b, and an even number of points
    expect(codeOf(() => decodeR1csProof(one.subarray(0, 1 + 32 * 12)))).toBe(DecodeCode.UNEXPECTED_END);
    expect(codeOf(() => decodeR1csProof(concatBytes(one, new Uint8Array(32))))).toBe(
      DecodeCode.INVALID_FORMAT,
    );
    // lg(n) cap: 32 rounds is too many by default, and the cap is configurable
    expect(codeOf(() => decodeR1csProof(fakeProof(0, MAX_IPP_ROUNDS)))).toBe("NO ERROR");
    expect(codeOf(() => decodeR1csProof(fakeProof(0, MAX_IPP_ROUNDS + 1)))).toBe(DecodeCode.LENGTH_TOO_LARGE);
    expect(codeOf(() => decodeR1csProof(one, { maxIppRounds: 1 }))).toBe(DecodeCode.LENGTH_TOO_LARGE);
    expect(codeOf(() => decodeR1csProof(one, { maxIppRounds: 2 }))).toBe("NO ERROR");
    expect(() => decodeR1csProof("00" as unknown as Uint8Array)).toThrow(TypeError);
  });

  it("rejects each non-canonical scalar (t_x, t_x_blinding, e_blinding, a, b), naming it", () => {
    const ell = encodeScalarUnchecked(L);
    const cases: [number, string][] = [
      [8, "t_x"],
      [9, "t_x_blinding"],
      [10, "e_blinding"],
      [11 + 4, "ipp a"],
      [11 + 5, "ipp b"],
    ];
    for (const [index, what] of cases) {
      const b = fakeProof(0, 2);
      b.set(ell, 1 + 32 * index);
      try {
        decodeR1csProof(b);
        expect.unreachable();
      } catch (e) {
        expect(hasCode(e, DecodeCode.NONCANONICAL_SCALAR)).toBe(true);
        expect((e as DecodeError).meta.what).toBe(what);
      }
      b.set(encodeScalar(L - 1n), 1 + 32 * index);
      expect(codeOf(() => decodeR1csProof(b))).toBe("NO ERROR");
    }
  });

  it("a version-1 proof with identity phase-2 points decodes and re-encodes as version 0 (dalek behaviour)", () => {
    const b = fakeProof(1, 1);
    b.fill(0, 1 + 32 * 3, 1 + 32 * 6);
    const p = decodeR1csProof(b);
    expect(isOnePhase(p)).toBe(true);
    const again = encodeR1csProof(p);
    expect(again[0]).toBe(0);
    expect(again.length).toBe(b.length - 96);
    expect(toHex(encodeR1csProof(decodeR1csProof(again)))).toBe(toHex(again));
  });

  it("property: random proofs round-trip; every truncation is a DecodeError", () => {
    const point = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new CompressedPoint(b));
    const scalar = fc.bigInt({ min: 0n, max: L - 1n });
    const proofArb = fc
      .record({
        pts: fc.array(point, { minLength: 11, maxLength: 11 }),
        twoPhase: fc.boolean(),
        sc: fc.array(scalar, { minLength: 5, maxLength: 5 }),
        rounds: fc.integer({ min: 0, max: 6 }),
        ipp: fc.array(point, { minLength: 12, maxLength: 12 }),
      })
      .map(({ pts, twoPhase, sc, rounds, ipp }): R1csProof => {
        const zero = new CompressedPoint(new Uint8Array(32));
        const p = (i: number): CompressedPoint => pts[i]!;
        return {
          aI1: p(0),
          aO1: p(1),
          s1: p(2),
          aI2: twoPhase ? p(3) : zero,
          aO2: twoPhase ? p(4) : zero,
          s2: twoPhase ? p(5) : zero,
          t1: p(6),
          t3: p(7),
          t4: p(8),
          t5: p(9),
          t6: p(10),
          tX: sc[0]!,
          tXBlinding: sc[1]!,
          eBlinding: sc[2]!,
          ipp: { lVec: ipp.slice(0, rounds), rVec: ipp.slice(6, 6 + rounds), a: sc[3]!, b: sc[4]! },
        };
      });
    fc.assert(
      fc.property(proofArb, fc.nat(), (proof, cut) => {
        const bytes = encodeR1csProof(proof);
        expect(bytes.length).toBe(r1csProofSize(proof));
        const back = decodeR1csProof(bytes);
        expect(toHex(encodeR1csProof(back))).toBe(toHex(bytes));
        expect(back.tX).toBe(proof.tX);
        expect(back.ipp.b).toBe(proof.ipp.b);
        const n = cut % bytes.length;
        expect(() => decodeR1csProof(bytes.subarray(0, n))).toThrow(DecodeError);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

function encodeScalarUnchecked(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
