import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAF_LENGTH, recode, windowCount, wnaf } from "./_digits.js";
import {
  feAdd,
  feCanonical,
  feCarry,
  feEqual,
  feFromBigint,
  feFromBytes,
  feInvert,
  feIsNegative,
  feMul,
  feMulSum,
  fePow22523,
  feSqr,
  feSub,
  feToBigint,
  feToBytes,
  LIMBS,
  P,
} from "./_field.js";

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const EDGE: bigint[] = [
  0n,
  1n,
  2n,
  18n,
  19n,
  P - 1n,
  P - 2n,
  P - 19n,
  (1n << 254n) - 1n,
  (1n << 255n) - 20n,
  (1n << 17n) - 1n,
  1n << 17n,
  (1n << 238n) - 1n,
  ((1n << 255n) - 1n) / 3n,
];

const fe = (x: bigint): Float64Array => {
  const o = new Float64Array(LIMBS);
  feFromBigint(o, 0, x);
  return o;
};
const modP = (x: bigint): bigint => ((x % P) + P) % P;

/** A carried element whose limbs are pushed to the allowed extremes (±2^16, ±2^18 on limb 1). */
function extremeLimbs(signs: number[]): Float64Array {
  const o = new Float64Array(LIMBS);
  for (let i = 0; i < LIMBS; i++) o[i] = signs[i % signs.length]! * (i === 1 ? 2 ** 18 - 1 : 2 ** 16);
  return o;
}
function limbsValue(a: Float64Array, off = 0): bigint {
  let v = 0n;
  for (let i = LIMBS - 1; i >= 0; i--) v = (v << 17n) + BigInt(a[off + i]!);
  return modP(v);
}

describe("GF(2^255 − 19) limb arithmetic", () => {
  const arbFe = fc.oneof(fc.bigInt({ min: 0n, max: P - 1n }), fc.constantFrom(...EDGE));

  it("round-trips bigints (reduced mod p) through limbs", () => {
    for (const x of [...EDGE, P, P + 5n, (1n << 255n) - 1n]) expect(feToBigint(fe(x), 0)).toBe(x % P);
    fc.assert(
      fc.property(arbFe, (x) => feToBigint(fe(x), 0) === x),
      { seed: 42, numRuns: 200 },
    );
  });

  it("multiplies, squares and fuses additions exactly like bigint arithmetic", () => {
    fc.assert(
      fc.property(arbFe, arbFe, arbFe, arbFe, (a, b, u, v) => {
        const o = new Float64Array(LIMBS);
        feMul(o, 0, fe(a), 0, fe(b), 0);
        expect(feToBigint(o, 0)).toBe(modP(a * b));
        feSqr(o, 0, fe(a), 0);
        expect(feToBigint(o, 0)).toBe(modP(a * a));
        feMulSum(o, 0, fe(a), 0, fe(u), 0, -1, fe(b), 0, fe(v), 0, 1);
        expect(feToBigint(o, 0)).toBe(modP((a - u) * (b + v)));
        feMulSum(o, 0, fe(a), 0, fe(u), 0, 0, fe(b), 0, fe(v), 0, -1);
        expect(feToBigint(o, 0)).toBe(modP(a * (b - v)));
        feAdd(o, 0, fe(a), 0, fe(b), 0);
        feSub(o, 0, o, 0, fe(u), 0);
        expect(feToBigint(o, 0)).toBe(modP(a + b - u));
        feCarry(o, 0);
        expect(feToBigint(o, 0)).toBe(modP(a + b - u));
        for (let i = 0; i < LIMBS; i++) expect(Math.abs(o[i]!)).toBeLessThan(2 ** 18);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("stays exact at the documented limb bounds (4 carried units per operand)", () => {
    const four = new Float64Array(2 * LIMBS);
    const patterns = [[1], [-1], [1, -1], [-1, -1, 1]];
    for (const pa of patterns)
      for (const pb of patterns) {
        const a = extremeLimbs(pa);
        const b = extremeLimbs(pb);
        const o = new Float64Array(LIMBS);
        const va = limbsValue(a);
        const vb = limbsValue(b);
        // (2a + 2a)·(2b + 2b): every limb of each operand is 4 times the carried bound.
        feAdd(four, 0, a, 0, a, 0);
        feAdd(four, LIMBS, b, 0, b, 0);
        feMulSum(o, 0, four, 0, four, 0, 1, four, LIMBS, four, LIMBS, 1);
        expect(feToBigint(o, 0)).toBe(modP(16n * va * vb));
        feMulSum(o, 0, four, 0, four, 0, -1, four, LIMBS, four, LIMBS, -1);
        expect(feToBigint(o, 0)).toBe(0n);
        feMulSum(o, 0, four, 0, four, 0, 1, four, LIMBS, four, LIMBS, 0);
        expect(feToBigint(o, 0)).toBe(modP(8n * va * vb));
        feSqr(o, 0, a, 0);
        expect(feToBigint(o, 0)).toBe(modP(va * va));
        for (let i = 0; i < LIMBS; i++) expect(Math.abs(o[i]!)).toBeLessThan(2 ** 18);
      }
  });

  it("inverts (and maps 0 to 0)", () => {
    const o = new Float64Array(LIMBS);
    for (const x of [1n, 2n, P - 1n, 123456789n]) {
      feInvert(o, 0, fe(x), 0);
      expect(modP(feToBigint(o, 0) * x)).toBe(1n);
    }
    feInvert(o, 0, fe(0n), 0);
    expect(feToBigint(o, 0)).toBe(0n);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: P - 1n }), (x) => {
        feInvert(o, 0, fe(x), 0);
        return modP(feToBigint(o, 0) * x) === 1n;
      }),
      { seed: 42, numRuns: 20 },
    );
  });
});

describe("canonical form, bytes and powers", () => {
  const le = (x: bigint): Uint8Array =>
    Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
  const rawLimbs = (x: bigint): Float64Array => {
    // Unreduced limbs of any 0 ≤ x < 2^255 (no reduction mod p).
    const o = new Float64Array(LIMBS);
    for (let i = 0; i < LIMBS; i++) o[i] = Number((x >> BigInt(17 * i)) & 0x1ffffn);
    return o;
  };

  it("reduces non-canonical and negative limb vectors to the unique form below p", () => {
    const cases: Float64Array[] = [
      rawLimbs(P),
      rawLimbs(P + 1n),
      rawLimbs((1n << 255n) - 1n),
      rawLimbs(P - 1n),
      rawLimbs(0n),
      Float64Array.from({ length: LIMBS }, () => -(2 ** 16)),
      Float64Array.from({ length: LIMBS }, (_, i) => (i % 2 ? 2 ** 18 - 1 : -(2 ** 18) + 1)),
      Float64Array.from({ length: LIMBS }, (_, i) => (i === 0 ? -1 : 0)),
    ];
    for (const c of cases) {
      const want = limbsValue(c);
      const o = Float64Array.from(c);
      feCanonical(o, 0);
      for (let i = 0; i < LIMBS; i++) {
        expect(o[i]).toBeGreaterThanOrEqual(0);
        expect(o[i]).toBeLessThan(2 ** 17);
      }
      let v = 0n;
      for (let i = LIMBS - 1; i >= 0; i--) v = (v << 17n) + BigInt(o[i]!);
      expect(v).toBe(want);
      expect(feIsNegative(c, 0)).toBe((want & 1n) === 1n);
      expect(feToBytes(c, 0)).toEqual(le(want));
      expect(feEqual(c, 0, fe(want), 0)).toBe(true);
      expect(feEqual(c, 0, fe(want + 1n), 0)).toBe(false);
    }
  });

  it("reads bytes (ignoring bit 255) and raises to (p − 5)/8", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (x) => {
        const o = new Float64Array(LIMBS);
        feFromBytes(o, 0, le(x));
        const low = x & ((1n << 255n) - 1n);
        expect(feToBigint(o, 0)).toBe(low % P);
        fePow22523(o, 0, o, 0);
        let r = 1n;
        let b = low % P;
        for (let e = (P - 5n) / 8n; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
        expect(feToBigint(o, 0)).toBe(r);
      }),
      { seed: 42, numRuns: 15 },
    );
  });
});

describe("signed-digit recoding", () => {
  const check = (s: bigint, c: number): void => {
    const w = windowCount(c);
    const out = new Int16Array(w);
    recode(s, c, out, 0, 1);
    let v = 0n;
    for (let k = w - 1; k >= 0; k--) {
      const d = out[k]!;
      expect(d).toBeGreaterThan(-(1 << (c - 1)));
      expect(d).toBeLessThanOrEqual(1 << (c - 1));
      v = (v << BigInt(c)) + BigInt(d);
    }
    expect(v).toBe(s);
  };

  it("reconstructs edge scalars for every window width", () => {
    for (let c = 1; c <= 16; c++)
      for (const s of [0n, 1n, 2n, L - 1n, L - 2n, (1n << 253n) - 1n, (1n << 252n) - 1n, 1n << 252n])
        check(s, c);
  });

  it("reconstructs random scalars", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: L - 1n }), fc.integer({ min: 1, max: 16 }), (s, c) => {
        check(s, c);
      }),
      { seed: 42, numRuns: 120 },
    );
  });

  it("writes with a stride", () => {
    const c = 5;
    const w = windowCount(c);
    const out = new Int16Array(3 * w);
    recode(L - 1n, c, out, 1, 3);
    const alone = new Int16Array(w);
    recode(L - 1n, c, alone, 0, 1);
    for (let k = 0; k < w; k++) {
      expect(out[1 + 3 * k]).toBe(alone[k]);
      expect(out[3 * k]).toBe(0);
    }
  });
});

describe("width-w NAF", () => {
  const check = (s: bigint, w: number): void => {
    const out = new Int8Array(NAF_LENGTH + 2);
    out.fill(99);
    const top = wnaf(s, w, out, 1);
    expect(out[0]).toBe(99);
    expect(out[NAF_LENGTH + 1]).toBe(99);
    let v = 0n;
    let lastNonZero = -w;
    for (let i = NAF_LENGTH - 1; i >= 0; i--) {
      const d = out[1 + i]!;
      if (d !== 0) {
        expect(Math.abs(d) % 2).toBe(1);
        expect(Math.abs(d)).toBeLessThan(1 << (w - 1));
        if (i >= top) throw new Error(`digit above top at ${i}`);
      }
      v = 2n * v + BigInt(d);
    }
    for (let i = 0; i < NAF_LENGTH; i++)
      if (out[1 + i] !== 0) {
        expect(i - lastNonZero).toBeGreaterThanOrEqual(w);
        lastNonZero = i;
      }
    expect(v).toBe(s);
    expect(top === 0 ? s === 0n : out[top]! !== 0).toBe(true);
  };

  it("reconstructs edge and random scalars for widths 2…8", () => {
    for (let w = 2; w <= 8; w++)
      for (const s of [0n, 1n, 2n, 15n, 16n, 17n, L - 1n, (1n << 253n) - 1n, (1n << 252n) + 1n]) check(s, w);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: L - 1n }), fc.integer({ min: 2, max: 8 }), (s, w) => {
        check(s, w);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
