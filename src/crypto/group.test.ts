import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Reader } from "../util/reader.js";
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

// RFC 9496 appendix A.1: encodings of 0·B .. 8·B.
const MULTIPLES = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
  "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
  "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
  "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
  "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
  "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
  "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
  "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
];

// RFC 9496 appendix A.2: invalid encodings (non-canonical field, negative s, non-square, negative xy, s = -1).
const BAD_ENCODINGS = [
  "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
  "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
  "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
  "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
  "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
  "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
  "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
  "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
  "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
  "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
  "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
  "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
  "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
  "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
  "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
  "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
  "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
  "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
  "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
  "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
  "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
  "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

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
