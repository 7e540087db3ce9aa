import { ristretto255 } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes, seededRng } from "../../util/rng.js";
import { BASEPOINT, fromUniformBytes, IDENTITY, type Point } from "../ristretto.js";
import { P } from "./_field.js";
import { decodeRistretto, encodeRistretto, RISTRETTO_CONSTANTS } from "./_ristretto.js";

const rng = seededRng("_ristretto.test");

function nobleDecode(bytes: Uint8Array): Point | undefined {
  try {
    return ristretto255.Point.fromBytes(bytes);
  } catch {
    return undefined;
  }
}
const le = (x: bigint): Uint8Array =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
const coords = (p: Point): bigint[] => {
  const a = p.toAffine();
  return [a.x, a.y];
};

/** Decoding agrees with noble: same verdict, and the same affine Edwards representative. */
function expectSameDecode(bytes: Uint8Array): void {
  const want = nobleDecode(bytes);
  const got = decodeRistretto(bytes);
  if (want === undefined) expect(got).toBeUndefined();
  else {
    expect(got).toBeDefined();
    expect(coords(got!)).toEqual(coords(want));
    expect(got!.equals(want)).toBe(true);
  }
}

describe("Ristretto255 on limbs", () => {
  it("derives the RFC 9496 constants", () => {
    expect(RISTRETTO_CONSTANTS.sqrtM1).toBe(
      19681161376707505956807079304988542015446066515923890162744021073123829784752n,
    );
    expect(RISTRETTO_CONSTANTS.invsqrtAMinusD).toBe(
      54469307008909316920995813868745141605393597292927456921205312896311721017578n,
    );
    expect(RISTRETTO_CONSTANTS.d).toBe(
      37095705934669439343138083508754565189542113879843219016388785533085940283555n,
    );
  });

  it("encodes and decodes small multiples of B and random points like noble", () => {
    let p = IDENTITY;
    const pts: Point[] = [];
    for (let k = 0; k < 16; k++, p = p.add(BASEPOINT)) pts.push(p);
    for (let i = 0; i < 24; i++) pts.push(fromUniformBytes(randomBytes(rng, 64)));
    pts.push(pts[20]!.add(pts[21]!).double());
    for (const q of pts) {
      const bytes = encodeRistretto(q);
      expect(bytes).toEqual(q.toBytes());
      expectSameDecode(bytes);
      expect(decodeRistretto(bytes)!.equals(q)).toBe(true);
    }
  });

  it("rejects non-canonical, negative and non-point encodings exactly as noble does", () => {
    const bad: Uint8Array[] = [
      le(P), // s = p
      le(P + 2n), // s ≥ p, even
      le(P - 1n), // even, canonical, but y = 0
      le((1n << 255n) - 2n),
      le(1n), // negative (odd)
      le(3n),
      le(P - 2n),
      new Uint8Array(32).fill(0xff),
      (() => {
        const b = le(2n);
        b[31] = 0x80; // bit 255 set
        return b;
      })(),
      new Uint8Array(31),
      new Uint8Array(33),
    ];
    for (const b of bad) {
      expect(decodeRistretto(b)).toBeUndefined();
      if (b.length === 32) expect(nobleDecode(b)).toBeUndefined();
    }
    expect(decodeRistretto(new Uint8Array(32))!.is0()).toBe(true);
  });

  it("agrees with noble on random byte strings (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (b, tweak) => {
        if (tweak) {
          // Make the cheap checks pass so the curve checks are exercised.
          b[0] = b[0]! & 0xfe;
          b[31] = b[31]! & 0x7f;
        }
        expectSameDecode(b);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
