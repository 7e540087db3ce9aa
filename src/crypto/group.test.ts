import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { BAD_ENCODINGS, MULTIPLES } from "./fixtures/rfc9496.js";
import {
  BASEPOINT,
  CompressedPoint,
  decodePoint,
  IDENTITY,
  mulBase,
  mulPublic,
  mulSecret,
  readPoint,
} from "./ristretto.js";
import {
  add,
  batchInvert,
  decodeScalar,
  encodeScalar,
  fromBytesModOrderWide,
  invert,
  L,
  mul,
  neg,
  readScalar,
  sub,
} from "./scalar.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CodedError ? e.code : `uncoded:${(e as Error).name}`;
  }
  return undefined;
}

/** 32-byte little-endian encoding of any integer < 2^256 (no range check, for building bad inputs). */
function encodeScalarUnchecked(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

const scalarArb = fc.bigInt({ min: 0n, max: L - 1n });

describe("scalars mod ℓ", () => {
  it("encode/decode round-trip and field laws hold", () => {
    fc.assert(
      fc.property(scalarArb, scalarArb, (a, b) => {
        expect(decodeScalar(encodeScalar(a))).toBe(a);
        expect(sub(add(a, b), b)).toBe(a);
        expect(add(a, neg(a))).toBe(0n);
        if (a !== 0n) expect(mul(a, invert(a))).toBe(1n);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("batch inversion equals single inversions", () => {
    const xs = [1n, 2n, L - 1n, 123456789n, (L - 1n) / 3n];
    expect(batchInvert(xs)).toEqual(xs.map(invert));
  });

  it("reduces 64-byte wide inputs", () => {
    const ones = new Uint8Array(64).fill(0xff);
    expect(fromBytesModOrderWide(ones)).toBe(((1n << 512n) - 1n) % L);
  });

  it("negative table: non-canonical and mis-sized scalars", () => {
    const table: [string, string][] = [
      ["ℓ", toHex(encodeScalarUnchecked(L))],
      ["ℓ + 1", toHex(encodeScalarUnchecked(L + 1n))],
      ["2^255 - 1", `${"ff".repeat(31)}7f`],
      ["2^256 - 1", "ff".repeat(32)],
      ["2^253", `${"00".repeat(31)}20`],
    ];
    for (const [name, hex] of table) {
      expect(
        codeOf(() => decodeScalar(fromHex(hex))),
        name,
      ).toBe(DecodeCode.NONCANONICAL_SCALAR);
      expect(
        codeOf(() => readScalar(new Reader(fromHex(hex)))),
        name,
      ).toBe(DecodeCode.NONCANONICAL_SCALAR);
    }
    expect(codeOf(() => decodeScalar(new Uint8Array(31)))).toBe(DecodeCode.INVALID_FORMAT);
    expect(codeOf(() => readScalar(new Reader(new Uint8Array(31))))).toBe(DecodeCode.UNEXPECTED_END);
    expect(decodeScalar(encodeScalar(L - 1n))).toBe(L - 1n);
  });
});

describe("Ristretto255 points", () => {
  it("reproduces RFC 9496 multiples of the base point", () => {
    let p = IDENTITY;
    for (let i = 0; i < MULTIPLES.length; i++) {
      expect(toHex(p.toBytes()), `${i}·B`).toBe(MULTIPLES[i]);
      expect(decodePoint(fromHex(MULTIPLES[i]!)).equals(p)).toBe(true);
      expect(mulBase(BigInt(i)).equals(p)).toBe(true);
      p = p.add(BASEPOINT);
    }
  });

  it("rejects every RFC 9496 invalid encoding with DECODE_INVALID_POINT", () => {
    for (const hex of BAD_ENCODINGS) {
      expect(
        codeOf(() => decodePoint(fromHex(hex))),
        hex,
      ).toBe(DecodeCode.INVALID_POINT);
      expect(
        codeOf(() => readPoint(new Reader(fromHex(hex)))),
        hex,
      ).toBe(DecodeCode.INVALID_POINT);
      expect(
        codeOf(() => new CompressedPoint(fromHex(hex)).decompress()),
        hex,
      ).toBe(DecodeCode.INVALID_POINT);
    }
    expect(codeOf(() => decodePoint(new Uint8Array(33)))).toBe(DecodeCode.INVALID_POINT);
    expect(codeOf(() => readPoint(new Reader(new Uint8Array(5))))).toBe(DecodeCode.UNEXPECTED_END);
  });

  it("scalar multiplication is a homomorphism: aP + bP = (a+b)P, and secret/public paths agree", () => {
    fc.assert(
      fc.property(scalarArb, scalarArb, (a, b) => {
        const P = mulBase(7n);
        const lhs = mulPublic(P, a).add(mulPublic(P, b));
        expect(lhs.equals(mulSecret(P, add(a, b)))).toBe(true);
        const q = CompressedPoint.fromPoint(lhs);
        expect(new CompressedPoint(q.bytes.slice()).decompress().equals(lhs)).toBe(true);
      }),
      { seed: 42, numRuns: 20 },
    );
    expect(mulSecret(BASEPOINT, 0n).is0()).toBe(true);
    expect(() => mulSecret(BASEPOINT, L)).toThrow(RangeError);
    expect(() => mulPublic(BASEPOINT, -1n)).toThrow(RangeError);
  });
});
