/**
 * Arithmetic in GF(p), p = 2^255 − 19, for the pure-JS MSM backend (variable time; public data only).
 *
 * An element is 15 limbs of radix 2^17 stored as float64 numbers at an offset of a `Float64Array`
 * (value = Σ limbᵢ·2^(17·i)). Limbs are signed integers; every product below is exact because all
 * intermediate values stay under 2^53:
 *   - a "carried" element (output of feMul/feSqr/feCarry/feFromBigint) has |limb| < 2^18;
 *   - sums and differences of a few carried elements are fed to feMul/feSqr without carrying: a
 *     coefficient of a product of inputs bounded by k₁ and k₂ carried units is at most
 *     (1 + 14·19)·k₁·k₂·2^36 < 2^45·k₁·k₂, so k₁·k₂ ≤ 256 keeps it below 2^53 (this module and
 *     `_edwards.ts` never exceed k₁·k₂ = 16).
 * Since 2^255 ≡ 19 (mod p), coefficient 15 + k of the schoolbook product folds into coefficient k
 * with weight 19. Carrying rounds each coefficient to the nearest multiple of 2^17 by adding and
 * subtracting 1.5·2^69 (whose float64 spacing is exactly 2^17), leaving limbs in [−2^16, 2^16].
 * feMul, feMulSum and feSqr are written out limb by limb (machine-generated, no loops: V8 runs the
 * unrolled form several times faster): coefficient k is Σ_{i+j=k} aᵢ·bⱼ + 19·Σ_{i+j=k+15} aᵢ·bⱼ.
 * Canonical reduction, byte conversion, inversion and the square-root exponent complete the set
 * needed by the MSM and by Ristretto decoding (`_ristretto.ts`).
 *
 * See RFC 7748 §4.1 for the field and curve constants.
 */

/** Number of limbs of a field element. */
export const LIMBS = 15;
const RADIX = 2 ** 17;
const INV_RADIX = 2 ** -17;
/** Adding then subtracting this rounds a float64 integer (< 2^68) to a multiple of 2^17. */
const ROUND = 1.5 * 2 ** 69;
/** The carry out of limb 14 re-enters limb 0 with weight 2^255 ≡ 19, scaled back by 2^-17. */
const FOLD = 19 * INV_RADIX;

/** The field prime p = 2^255 − 19. */
export const P = (1n << 255n) - 19n;

/** o = a·b (carried). `o` may alias `a` or `b`. */
export function feMul(
  o: Float64Array,
  oo: number,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
): void {
  const a0 = a[ao + 0]!;
  const a1 = a[ao + 1]!;
  const a2 = a[ao + 2]!;
  const a3 = a[ao + 3]!;
  const a4 = a[ao + 4]!;
  const a5 = a[ao + 5]!;
  const a6 = a[ao + 6]!;
  const a7 = a[ao + 7]!;
  const a8 = a[ao + 8]!;
  const a9 = a[ao + 9]!;
  const a10 = a[ao + 10]!;
  const a11 = a[ao + 11]!;
  const a12 = a[ao + 12]!;
  const a13 = a[ao + 13]!;
  const a14 = a[ao + 14]!;
  const b0 = b[bo + 0]!;
  const b1 = b[bo + 1]!;
  const b2 = b[bo + 2]!;
  const b3 = b[bo + 3]!;
  const b4 = b[bo + 4]!;
  const b5 = b[bo + 5]!;
  const b6 = b[bo + 6]!;
  const b7 = b[bo + 7]!;
  const b8 = b[bo + 8]!;
  const b9 = b[bo + 9]!;
  const b10 = b[bo + 10]!;
  const b11 = b[bo + 11]!;
  const b12 = b[bo + 12]!;
  const b13 = b[bo + 13]!;
  const b14 = b[bo + 14]!;
  let c0 =
    a0 * b0 +
    19 *
      (a1 * b14 +
        a2 * b13 +
        a3 * b12 +
        a4 * b11 +
        a5 * b10 +
        a6 * b9 +
        a7 * b8 +
        a8 * b7 +
        a9 * b6 +
        a10 * b5 +
        a11 * b4 +
        a12 * b3 +
        a13 * b2 +
        a14 * b1);
  let c1 =
    a0 * b1 +
    a1 * b0 +
    19 *
      (a2 * b14 +
        a3 * b13 +
        a4 * b12 +
        a5 * b11 +
        a6 * b10 +
        a7 * b9 +
        a8 * b8 +
        a9 * b7 +
        a10 * b6 +
        a11 * b5 +
        a12 * b4 +
        a13 * b3 +
        a14 * b2);
  let c2 =
    a0 * b2 +
    a1 * b1 +
    a2 * b0 +
    19 *
      (a3 * b14 +
        a4 * b13 +
        a5 * b12 +
        a6 * b11 +
        a7 * b10 +
        a8 * b9 +
        a9 * b8 +
        a10 * b7 +
        a11 * b6 +
        a12 * b5 +
        a13 * b4 +
        a14 * b3);
  let c3 =
    a0 * b3 +
    a1 * b2 +
    a2 * b1 +
    a3 * b0 +
    19 *
      (a4 * b14 +
        a5 * b13 +
        a6 * b12 +
        a7 * b11 +
        a8 * b10 +
        a9 * b9 +
        a10 * b8 +
        a11 * b7 +
        a12 * b6 +
        a13 * b5 +
        a14 * b4);
  let c4 =
    a0 * b4 +
    a1 * b3 +
    a2 * b2 +
    a3 * b1 +
    a4 * b0 +
    19 *
      (a5 * b14 +
        a6 * b13 +
        a7 * b12 +
        a8 * b11 +
        a9 * b10 +
        a10 * b9 +
        a11 * b8 +
        a12 * b7 +
        a13 * b6 +
        a14 * b5);
  let c5 =
    a0 * b5 +
    a1 * b4 +
    a2 * b3 +
    a3 * b2 +
    a4 * b1 +
    a5 * b0 +
    19 * (a6 * b14 + a7 * b13 + a8 * b12 + a9 * b11 + a10 * b10 + a11 * b9 + a12 * b8 + a13 * b7 + a14 * b6);
  let c6 =
    a0 * b6 +
    a1 * b5 +
    a2 * b4 +
    a3 * b3 +
    a4 * b2 +
    a5 * b1 +
    a6 * b0 +
    19 * (a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7);
  let c7 =
    a0 * b7 +
    a1 * b6 +
    a2 * b5 +
    a3 * b4 +
    a4 * b3 +
    a5 * b2 +
    a6 * b1 +
    a7 * b0 +
    19 * (a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8);
  let c8 =
    a0 * b8 +
    a1 * b7 +
    a2 * b6 +
    a3 * b5 +
    a4 * b4 +
    a5 * b3 +
    a6 * b2 +
    a7 * b1 +
    a8 * b0 +
    19 * (a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9);
  let c9 =
    a0 * b9 +
    a1 * b8 +
    a2 * b7 +
    a3 * b6 +
    a4 * b5 +
    a5 * b4 +
    a6 * b3 +
    a7 * b2 +
    a8 * b1 +
    a9 * b0 +
    19 * (a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10);
  let c10 =
    a0 * b10 +
    a1 * b9 +
    a2 * b8 +
    a3 * b7 +
    a4 * b6 +
    a5 * b5 +
    a6 * b4 +
    a7 * b3 +
    a8 * b2 +
    a9 * b1 +
    a10 * b0 +
    19 * (a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11);
  let c11 =
    a0 * b11 +
    a1 * b10 +
    a2 * b9 +
    a3 * b8 +
    a4 * b7 +
    a5 * b6 +
    a6 * b5 +
    a7 * b4 +
    a8 * b3 +
    a9 * b2 +
    a10 * b1 +
    a11 * b0 +
    19 * (a12 * b14 + a13 * b13 + a14 * b12);
  let c12 =
    a0 * b12 +
    a1 * b11 +
    a2 * b10 +
    a3 * b9 +
    a4 * b8 +
    a5 * b7 +
    a6 * b6 +
    a7 * b5 +
    a8 * b4 +
    a9 * b3 +
    a10 * b2 +
    a11 * b1 +
    a12 * b0 +
    19 * (a13 * b14 + a14 * b13);
  let c13 =
    a0 * b13 +
    a1 * b12 +
    a2 * b11 +
    a3 * b10 +
    a4 * b9 +
    a5 * b8 +
    a6 * b7 +
    a7 * b6 +
    a8 * b5 +
    a9 * b4 +
    a10 * b3 +
    a11 * b2 +
    a12 * b1 +
    a13 * b0 +
    19 * (a14 * b14);
  let c14 =
    a0 * b14 +
    a1 * b13 +
    a2 * b12 +
    a3 * b11 +
    a4 * b10 +
    a5 * b9 +
    a6 * b8 +
    a7 * b7 +
    a8 * b6 +
    a9 * b5 +
    a10 * b4 +
    a11 * b3 +
    a12 * b2 +
    a13 * b1 +
    a14 * b0;
  let t: number;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  t = c1 + ROUND - ROUND;
  c1 -= t;
  c2 += t * INV_RADIX;
  t = c2 + ROUND - ROUND;
  c2 -= t;
  c3 += t * INV_RADIX;
  t = c3 + ROUND - ROUND;
  c3 -= t;
  c4 += t * INV_RADIX;
  t = c4 + ROUND - ROUND;
  c4 -= t;
  c5 += t * INV_RADIX;
  t = c5 + ROUND - ROUND;
  c5 -= t;
  c6 += t * INV_RADIX;
  t = c6 + ROUND - ROUND;
  c6 -= t;
  c7 += t * INV_RADIX;
  t = c7 + ROUND - ROUND;
  c7 -= t;
  c8 += t * INV_RADIX;
  t = c8 + ROUND - ROUND;
  c8 -= t;
  c9 += t * INV_RADIX;
  t = c9 + ROUND - ROUND;
  c9 -= t;
  c10 += t * INV_RADIX;
  t = c10 + ROUND - ROUND;
  c10 -= t;
  c11 += t * INV_RADIX;
  t = c11 + ROUND - ROUND;
  c11 -= t;
  c12 += t * INV_RADIX;
  t = c12 + ROUND - ROUND;
  c12 -= t;
  c13 += t * INV_RADIX;
  t = c13 + ROUND - ROUND;
  c13 -= t;
  c14 += t * INV_RADIX;
  t = c14 + ROUND - ROUND;
  c14 -= t;
  c0 += t * FOLD;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  o[oo + 0] = c0;
  o[oo + 1] = c1;
  o[oo + 2] = c2;
  o[oo + 3] = c3;
  o[oo + 4] = c4;
  o[oo + 5] = c5;
  o[oo + 6] = c6;
  o[oo + 7] = c7;
  o[oo + 8] = c8;
  o[oo + 9] = c9;
  o[oo + 10] = c10;
  o[oo + 11] = c11;
  o[oo + 12] = c12;
  o[oo + 13] = c13;
  o[oo + 14] = c14;
}

/**
 * o = (a + sa·u)·(b + sb·v) (carried) with signs sa, sb ∈ {−1, 0, 1}, fusing the additions of the
 * curve formulas into the loads (a zero sign ignores its operand). `o` may alias any input.
 */
export function feMulSum(
  o: Float64Array,
  oo: number,
  a: Float64Array,
  ao: number,
  u: Float64Array,
  uo: number,
  sa: number,
  b: Float64Array,
  bo: number,
  v: Float64Array,
  vo: number,
  sb: number,
): void {
  const a0 = a[ao + 0]! + sa * u[uo + 0]!;
  const a1 = a[ao + 1]! + sa * u[uo + 1]!;
  const a2 = a[ao + 2]! + sa * u[uo + 2]!;
  const a3 = a[ao + 3]! + sa * u[uo + 3]!;
  const a4 = a[ao + 4]! + sa * u[uo + 4]!;
  const a5 = a[ao + 5]! + sa * u[uo + 5]!;
  const a6 = a[ao + 6]! + sa * u[uo + 6]!;
  const a7 = a[ao + 7]! + sa * u[uo + 7]!;
  const a8 = a[ao + 8]! + sa * u[uo + 8]!;
  const a9 = a[ao + 9]! + sa * u[uo + 9]!;
  const a10 = a[ao + 10]! + sa * u[uo + 10]!;
  const a11 = a[ao + 11]! + sa * u[uo + 11]!;
  const a12 = a[ao + 12]! + sa * u[uo + 12]!;
  const a13 = a[ao + 13]! + sa * u[uo + 13]!;
  const a14 = a[ao + 14]! + sa * u[uo + 14]!;
  const b0 = b[bo + 0]! + sb * v[vo + 0]!;
  const b1 = b[bo + 1]! + sb * v[vo + 1]!;
  const b2 = b[bo + 2]! + sb * v[vo + 2]!;
  const b3 = b[bo + 3]! + sb * v[vo + 3]!;
  const b4 = b[bo + 4]! + sb * v[vo + 4]!;
  const b5 = b[bo + 5]! + sb * v[vo + 5]!;
  const b6 = b[bo + 6]! + sb * v[vo + 6]!;
  const b7 = b[bo + 7]! + sb * v[vo + 7]!;
  const b8 = b[bo + 8]! + sb * v[vo + 8]!;
  const b9 = b[bo + 9]! + sb * v[vo + 9]!;
  const b10 = b[bo + 10]! + sb * v[vo + 10]!;
  const b11 = b[bo + 11]! + sb * v[vo + 11]!;
  const b12 = b[bo + 12]! + sb * v[vo + 12]!;
  const b13 = b[bo + 13]! + sb * v[vo + 13]!;
  const b14 = b[bo + 14]! + sb * v[vo + 14]!;
  let c0 =
    a0 * b0 +
    19 *
      (a1 * b14 +
        a2 * b13 +
        a3 * b12 +
        a4 * b11 +
        a5 * b10 +
        a6 * b9 +
        a7 * b8 +
        a8 * b7 +
        a9 * b6 +
        a10 * b5 +
        a11 * b4 +
        a12 * b3 +
        a13 * b2 +
        a14 * b1);
  let c1 =
    a0 * b1 +
    a1 * b0 +
    19 *
      (a2 * b14 +
        a3 * b13 +
        a4 * b12 +
        a5 * b11 +
        a6 * b10 +
        a7 * b9 +
        a8 * b8 +
        a9 * b7 +
        a10 * b6 +
        a11 * b5 +
        a12 * b4 +
        a13 * b3 +
        a14 * b2);
  let c2 =
    a0 * b2 +
    a1 * b1 +
    a2 * b0 +
    19 *
      (a3 * b14 +
        a4 * b13 +
        a5 * b12 +
        a6 * b11 +
        a7 * b10 +
        a8 * b9 +
        a9 * b8 +
        a10 * b7 +
        a11 * b6 +
        a12 * b5 +
        a13 * b4 +
        a14 * b3);
  let c3 =
    a0 * b3 +
    a1 * b2 +
    a2 * b1 +
    a3 * b0 +
    19 *
      (a4 * b14 +
        a5 * b13 +
        a6 * b12 +
        a7 * b11 +
        a8 * b10 +
        a9 * b9 +
        a10 * b8 +
        a11 * b7 +
        a12 * b6 +
        a13 * b5 +
        a14 * b4);
  let c4 =
    a0 * b4 +
    a1 * b3 +
    a2 * b2 +
    a3 * b1 +
    a4 * b0 +
    19 *
      (a5 * b14 +
        a6 * b13 +
        a7 * b12 +
        a8 * b11 +
        a9 * b10 +
        a10 * b9 +
        a11 * b8 +
        a12 * b7 +
        a13 * b6 +
        a14 * b5);
  let c5 =
    a0 * b5 +
    a1 * b4 +
    a2 * b3 +
    a3 * b2 +
    a4 * b1 +
    a5 * b0 +
    19 * (a6 * b14 + a7 * b13 + a8 * b12 + a9 * b11 + a10 * b10 + a11 * b9 + a12 * b8 + a13 * b7 + a14 * b6);
  let c6 =
    a0 * b6 +
    a1 * b5 +
    a2 * b4 +
    a3 * b3 +
    a4 * b2 +
    a5 * b1 +
    a6 * b0 +
    19 * (a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7);
  let c7 =
    a0 * b7 +
    a1 * b6 +
    a2 * b5 +
    a3 * b4 +
    a4 * b3 +
    a5 * b2 +
    a6 * b1 +
    a7 * b0 +
    19 * (a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8);
  let c8 =
    a0 * b8 +
    a1 * b7 +
    a2 * b6 +
    a3 * b5 +
    a4 * b4 +
    a5 * b3 +
    a6 * b2 +
    a7 * b1 +
    a8 * b0 +
    19 * (a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9);
  let c9 =
    a0 * b9 +
    a1 * b8 +
    a2 * b7 +
    a3 * b6 +
    a4 * b5 +
    a5 * b4 +
    a6 * b3 +
    a7 * b2 +
    a8 * b1 +
    a9 * b0 +
    19 * (a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10);
  let c10 =
    a0 * b10 +
    a1 * b9 +
    a2 * b8 +
    a3 * b7 +
    a4 * b6 +
    a5 * b5 +
    a6 * b4 +
    a7 * b3 +
    a8 * b2 +
    a9 * b1 +
    a10 * b0 +
    19 * (a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11);
  let c11 =
    a0 * b11 +
    a1 * b10 +
    a2 * b9 +
    a3 * b8 +
    a4 * b7 +
    a5 * b6 +
    a6 * b5 +
    a7 * b4 +
    a8 * b3 +
    a9 * b2 +
    a10 * b1 +
    a11 * b0 +
    19 * (a12 * b14 + a13 * b13 + a14 * b12);
  let c12 =
    a0 * b12 +
    a1 * b11 +
    a2 * b10 +
    a3 * b9 +
    a4 * b8 +
    a5 * b7 +
    a6 * b6 +
    a7 * b5 +
    a8 * b4 +
    a9 * b3 +
    a10 * b2 +
    a11 * b1 +
    a12 * b0 +
    19 * (a13 * b14 + a14 * b13);
  let c13 =
    a0 * b13 +
    a1 * b12 +
    a2 * b11 +
    a3 * b10 +
    a4 * b9 +
    a5 * b8 +
    a6 * b7 +
    a7 * b6 +
    a8 * b5 +
    a9 * b4 +
    a10 * b3 +
    a11 * b2 +
    a12 * b1 +
    a13 * b0 +
    19 * (a14 * b14);
  let c14 =
    a0 * b14 +
    a1 * b13 +
    a2 * b12 +
    a3 * b11 +
    a4 * b10 +
    a5 * b9 +
    a6 * b8 +
    a7 * b7 +
    a8 * b6 +
    a9 * b5 +
    a10 * b4 +
    a11 * b3 +
    a12 * b2 +
    a13 * b1 +
    a14 * b0;
  let t: number;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  t = c1 + ROUND - ROUND;
  c1 -= t;
  c2 += t * INV_RADIX;
  t = c2 + ROUND - ROUND;
  c2 -= t;
  c3 += t * INV_RADIX;
  t = c3 + ROUND - ROUND;
  c3 -= t;
  c4 += t * INV_RADIX;
  t = c4 + ROUND - ROUND;
  c4 -= t;
  c5 += t * INV_RADIX;
  t = c5 + ROUND - ROUND;
  c5 -= t;
  c6 += t * INV_RADIX;
  t = c6 + ROUND - ROUND;
  c6 -= t;
  c7 += t * INV_RADIX;
  t = c7 + ROUND - ROUND;
  c7 -= t;
  c8 += t * INV_RADIX;
  t = c8 + ROUND - ROUND;
  c8 -= t;
  c9 += t * INV_RADIX;
  t = c9 + ROUND - ROUND;
  c9 -= t;
  c10 += t * INV_RADIX;
  t = c10 + ROUND - ROUND;
  c10 -= t;
  c11 += t * INV_RADIX;
  t = c11 + ROUND - ROUND;
  c11 -= t;
  c12 += t * INV_RADIX;
  t = c12 + ROUND - ROUND;
  c12 -= t;
  c13 += t * INV_RADIX;
  t = c13 + ROUND - ROUND;
  c13 -= t;
  c14 += t * INV_RADIX;
  t = c14 + ROUND - ROUND;
  c14 -= t;
  c0 += t * FOLD;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  o[oo + 0] = c0;
  o[oo + 1] = c1;
  o[oo + 2] = c2;
  o[oo + 3] = c3;
  o[oo + 4] = c4;
  o[oo + 5] = c5;
  o[oo + 6] = c6;
  o[oo + 7] = c7;
  o[oo + 8] = c8;
  o[oo + 9] = c9;
  o[oo + 10] = c10;
  o[oo + 11] = c11;
  o[oo + 12] = c12;
  o[oo + 13] = c13;
  o[oo + 14] = c14;
}

/** o = a² (carried). `o` may alias `a`. */
export function feSqr(o: Float64Array, oo: number, a: Float64Array, ao: number): void {
  const a0 = a[ao + 0]!;
  const a1 = a[ao + 1]!;
  const a2 = a[ao + 2]!;
  const a3 = a[ao + 3]!;
  const a4 = a[ao + 4]!;
  const a5 = a[ao + 5]!;
  const a6 = a[ao + 6]!;
  const a7 = a[ao + 7]!;
  const a8 = a[ao + 8]!;
  const a9 = a[ao + 9]!;
  const a10 = a[ao + 10]!;
  const a11 = a[ao + 11]!;
  const a12 = a[ao + 12]!;
  const a13 = a[ao + 13]!;
  const a14 = a[ao + 14]!;
  const d0 = 2 * a0;
  const d1 = 2 * a1;
  const d2 = 2 * a2;
  const d3 = 2 * a3;
  const d4 = 2 * a4;
  const d5 = 2 * a5;
  const d6 = 2 * a6;
  const d7 = 2 * a7;
  const d8 = 2 * a8;
  const d9 = 2 * a9;
  const d10 = 2 * a10;
  const d11 = 2 * a11;
  const d12 = 2 * a12;
  const d13 = 2 * a13;
  let c0 = a0 * a0 + 19 * (d1 * a14 + d2 * a13 + d3 * a12 + d4 * a11 + d5 * a10 + d6 * a9 + d7 * a8);
  let c1 = d0 * a1 + 19 * (d2 * a14 + d3 * a13 + d4 * a12 + d5 * a11 + d6 * a10 + d7 * a9 + a8 * a8);
  let c2 = d0 * a2 + a1 * a1 + 19 * (d3 * a14 + d4 * a13 + d5 * a12 + d6 * a11 + d7 * a10 + d8 * a9);
  let c3 = d0 * a3 + d1 * a2 + 19 * (d4 * a14 + d5 * a13 + d6 * a12 + d7 * a11 + d8 * a10 + a9 * a9);
  let c4 = d0 * a4 + d1 * a3 + a2 * a2 + 19 * (d5 * a14 + d6 * a13 + d7 * a12 + d8 * a11 + d9 * a10);
  let c5 = d0 * a5 + d1 * a4 + d2 * a3 + 19 * (d6 * a14 + d7 * a13 + d8 * a12 + d9 * a11 + a10 * a10);
  let c6 = d0 * a6 + d1 * a5 + d2 * a4 + a3 * a3 + 19 * (d7 * a14 + d8 * a13 + d9 * a12 + d10 * a11);
  let c7 = d0 * a7 + d1 * a6 + d2 * a5 + d3 * a4 + 19 * (d8 * a14 + d9 * a13 + d10 * a12 + a11 * a11);
  let c8 = d0 * a8 + d1 * a7 + d2 * a6 + d3 * a5 + a4 * a4 + 19 * (d9 * a14 + d10 * a13 + d11 * a12);
  let c9 = d0 * a9 + d1 * a8 + d2 * a7 + d3 * a6 + d4 * a5 + 19 * (d10 * a14 + d11 * a13 + a12 * a12);
  let c10 = d0 * a10 + d1 * a9 + d2 * a8 + d3 * a7 + d4 * a6 + a5 * a5 + 19 * (d11 * a14 + d12 * a13);
  let c11 = d0 * a11 + d1 * a10 + d2 * a9 + d3 * a8 + d4 * a7 + d5 * a6 + 19 * (d12 * a14 + a13 * a13);
  let c12 = d0 * a12 + d1 * a11 + d2 * a10 + d3 * a9 + d4 * a8 + d5 * a7 + a6 * a6 + 19 * (d13 * a14);
  let c13 = d0 * a13 + d1 * a12 + d2 * a11 + d3 * a10 + d4 * a9 + d5 * a8 + d6 * a7 + 19 * (a14 * a14);
  let c14 = d0 * a14 + d1 * a13 + d2 * a12 + d3 * a11 + d4 * a10 + d5 * a9 + d6 * a8 + a7 * a7;
  let t: number;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  t = c1 + ROUND - ROUND;
  c1 -= t;
  c2 += t * INV_RADIX;
  t = c2 + ROUND - ROUND;
  c2 -= t;
  c3 += t * INV_RADIX;
  t = c3 + ROUND - ROUND;
  c3 -= t;
  c4 += t * INV_RADIX;
  t = c4 + ROUND - ROUND;
  c4 -= t;
  c5 += t * INV_RADIX;
  t = c5 + ROUND - ROUND;
  c5 -= t;
  c6 += t * INV_RADIX;
  t = c6 + ROUND - ROUND;
  c6 -= t;
  c7 += t * INV_RADIX;
  t = c7 + ROUND - ROUND;
  c7 -= t;
  c8 += t * INV_RADIX;
  t = c8 + ROUND - ROUND;
  c8 -= t;
  c9 += t * INV_RADIX;
  t = c9 + ROUND - ROUND;
  c9 -= t;
  c10 += t * INV_RADIX;
  t = c10 + ROUND - ROUND;
  c10 -= t;
  c11 += t * INV_RADIX;
  t = c11 + ROUND - ROUND;
  c11 -= t;
  c12 += t * INV_RADIX;
  t = c12 + ROUND - ROUND;
  c12 -= t;
  c13 += t * INV_RADIX;
  t = c13 + ROUND - ROUND;
  c13 -= t;
  c14 += t * INV_RADIX;
  t = c14 + ROUND - ROUND;
  c14 -= t;
  c0 += t * FOLD;
  t = c0 + ROUND - ROUND;
  c0 -= t;
  c1 += t * INV_RADIX;
  o[oo + 0] = c0;
  o[oo + 1] = c1;
  o[oo + 2] = c2;
  o[oo + 3] = c3;
  o[oo + 4] = c4;
  o[oo + 5] = c5;
  o[oo + 6] = c6;
  o[oo + 7] = c7;
  o[oo + 8] = c8;
  o[oo + 9] = c9;
  o[oo + 10] = c10;
  o[oo + 11] = c11;
  o[oo + 12] = c12;
  o[oo + 13] = c13;
  o[oo + 14] = c14;
}

/** o = a + b (not carried). */
export function feAdd(
  o: Float64Array,
  oo: number,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
): void {
  o[oo + 0] = a[ao + 0]! + b[bo + 0]!;
  o[oo + 1] = a[ao + 1]! + b[bo + 1]!;
  o[oo + 2] = a[ao + 2]! + b[bo + 2]!;
  o[oo + 3] = a[ao + 3]! + b[bo + 3]!;
  o[oo + 4] = a[ao + 4]! + b[bo + 4]!;
  o[oo + 5] = a[ao + 5]! + b[bo + 5]!;
  o[oo + 6] = a[ao + 6]! + b[bo + 6]!;
  o[oo + 7] = a[ao + 7]! + b[bo + 7]!;
  o[oo + 8] = a[ao + 8]! + b[bo + 8]!;
  o[oo + 9] = a[ao + 9]! + b[bo + 9]!;
  o[oo + 10] = a[ao + 10]! + b[bo + 10]!;
  o[oo + 11] = a[ao + 11]! + b[bo + 11]!;
  o[oo + 12] = a[ao + 12]! + b[bo + 12]!;
  o[oo + 13] = a[ao + 13]! + b[bo + 13]!;
  o[oo + 14] = a[ao + 14]! + b[bo + 14]!;
}

/** o = a − b (not carried). */
export function feSub(
  o: Float64Array,
  oo: number,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
): void {
  o[oo + 0] = a[ao + 0]! - b[bo + 0]!;
  o[oo + 1] = a[ao + 1]! - b[bo + 1]!;
  o[oo + 2] = a[ao + 2]! - b[bo + 2]!;
  o[oo + 3] = a[ao + 3]! - b[bo + 3]!;
  o[oo + 4] = a[ao + 4]! - b[bo + 4]!;
  o[oo + 5] = a[ao + 5]! - b[bo + 5]!;
  o[oo + 6] = a[ao + 6]! - b[bo + 6]!;
  o[oo + 7] = a[ao + 7]! - b[bo + 7]!;
  o[oo + 8] = a[ao + 8]! - b[bo + 8]!;
  o[oo + 9] = a[ao + 9]! - b[bo + 9]!;
  o[oo + 10] = a[ao + 10]! - b[bo + 10]!;
  o[oo + 11] = a[ao + 11]! - b[bo + 11]!;
  o[oo + 12] = a[ao + 12]! - b[bo + 12]!;
  o[oo + 13] = a[ao + 13]! - b[bo + 13]!;
  o[oo + 14] = a[ao + 14]! - b[bo + 14]!;
}

/** o = −a. */
export function feNeg(o: Float64Array, oo: number, a: Float64Array, ao: number): void {
  o[oo + 0] = -a[ao + 0]!;
  o[oo + 1] = -a[ao + 1]!;
  o[oo + 2] = -a[ao + 2]!;
  o[oo + 3] = -a[ao + 3]!;
  o[oo + 4] = -a[ao + 4]!;
  o[oo + 5] = -a[ao + 5]!;
  o[oo + 6] = -a[ao + 6]!;
  o[oo + 7] = -a[ao + 7]!;
  o[oo + 8] = -a[ao + 8]!;
  o[oo + 9] = -a[ao + 9]!;
  o[oo + 10] = -a[ao + 10]!;
  o[oo + 11] = -a[ao + 11]!;
  o[oo + 12] = -a[ao + 12]!;
  o[oo + 13] = -a[ao + 13]!;
  o[oo + 14] = -a[ao + 14]!;
}

/** o = a. */
export function feCopy(o: Float64Array, oo: number, a: Float64Array, ao: number): void {
  o[oo + 0] = a[ao + 0]!;
  o[oo + 1] = a[ao + 1]!;
  o[oo + 2] = a[ao + 2]!;
  o[oo + 3] = a[ao + 3]!;
  o[oo + 4] = a[ao + 4]!;
  o[oo + 5] = a[ao + 5]!;
  o[oo + 6] = a[ao + 6]!;
  o[oo + 7] = a[ao + 7]!;
  o[oo + 8] = a[ao + 8]!;
  o[oo + 9] = a[ao + 9]!;
  o[oo + 10] = a[ao + 10]!;
  o[oo + 11] = a[ao + 11]!;
  o[oo + 12] = a[ao + 12]!;
  o[oo + 13] = a[ao + 13]!;
  o[oo + 14] = a[ao + 14]!;
}

/** o = v for a small non-negative integer v < 2^17. */
export function feSetSmall(o: Float64Array, oo: number, v: number): void {
  o[oo] = v;
  for (let i = 1; i < LIMBS; i++) o[oo + i] = 0;
}

/** Carries an element in place (bringing sums back to |limb| < 2^18). */
export function feCarry(o: Float64Array, oo: number): void {
  let t: number;
  for (let i = 0; i < LIMBS - 1; i++) {
    const c = o[oo + i]!;
    t = c + ROUND - ROUND;
    o[oo + i] = c - t;
    o[oo + i + 1]! += t * INV_RADIX;
  }
  const c14 = o[oo + 14]!;
  t = c14 + ROUND - ROUND;
  o[oo + 14] = c14 - t;
  const c0 = o[oo]! + t * FOLD;
  t = c0 + ROUND - ROUND;
  o[oo] = c0 - t;
  o[oo + 1]! += t * INV_RADIX;
}

/** Writes x (any bigint; reduced mod p) as limbs in [0, 2^17). */
export function feFromBigint(o: Float64Array, oo: number, x: bigint): void {
  let v = x >= 0n && x < P ? x : x % P;
  if (v < 0n) v += P;
  // Five 51-bit chunks (exact as float64), three limbs each: few BigInt operations.
  for (let j = 0; j < 5; j++) {
    const c = Number(BigInt.asUintN(51, v));
    if (j < 4) v >>= 51n;
    const h = Math.floor(c * INV_RADIX);
    const h2 = Math.floor(h * INV_RADIX);
    o[oo + 3 * j] = c - h * RADIX;
    o[oo + 3 * j + 1] = h - h2 * RADIX;
    o[oo + 3 * j + 2] = h2;
  }
}

/**
 * Fully reduces an element in place: limbs in [0, 2^17) and value in [0, p) (the unique canonical
 * form, for equality, sign and encoding).
 */
export function feCanonical(o: Float64Array, oo: number): void {
  // Floor carries until nothing leaves the top limb (each wrap adds 19·carry to limb 0).
  for (;;) {
    for (let i = 0; i < LIMBS - 1; i++) {
      const c = o[oo + i]!;
      const h = Math.floor(c * INV_RADIX);
      o[oo + i] = c - h * RADIX;
      o[oo + i + 1]! += h;
    }
    const c = o[oo + 14]!;
    const h = Math.floor(c * INV_RADIX);
    if (h === 0) break;
    o[oo + 14] = c - h * RADIX;
    o[oo]! += 19 * h;
  }
  // Now 0 ≤ value < 2^255; subtract p if value + 19 reaches 2^255.
  let carry = 19;
  for (let i = 0; i < LIMBS - 1 && carry !== 0; i++) carry = o[oo + i]! + carry >= RADIX ? 1 : 0;
  if (carry === 1 && o[oo + 14]! + 1 >= RADIX) {
    carry = 19;
    for (let i = 0; i < LIMBS; i++) {
      const c = o[oo + i]! + carry;
      carry = c >= RADIX ? 1 : 0;
      o[oo + i] = c - carry * RADIX;
    }
  }
}

const TMP = new Float64Array(2 * LIMBS);

/** True if a and b are the same field element. */
export function feEqual(a: Float64Array, ao: number, b: Float64Array, bo: number): boolean {
  feSub(TMP, 0, a, ao, b, bo);
  feCanonical(TMP, 0);
  for (let i = 0; i < LIMBS; i++) if (TMP[i] !== 0) return false;
  return true;
}

/** True if the canonical value of a is odd ("negative" in RFC 9496). */
export function feIsNegative(a: Float64Array, ao: number): boolean {
  feCopy(TMP, 0, a, ao);
  feCanonical(TMP, 0);
  return (TMP[0]! & 1) === 1;
}

/** The value of an element as a bigint in [0, p). */
export function feToBigint(a: Float64Array, ao: number): bigint {
  feCopy(TMP, 0, a, ao);
  feCanonical(TMP, 0);
  // Three limbs make an exact 51-bit float; five of them make the value.
  let v = 0n;
  for (let j = 4; j >= 0; j--)
    v = (v << 51n) | BigInt(TMP[3 * j]! + TMP[3 * j + 1]! * RADIX + TMP[3 * j + 2]! * RADIX * RADIX);
  return v;
}

/** Reads 32 little-endian bytes, ignoring bit 255, as limbs in [0, 2^17). */
export function feFromBytes(o: Float64Array, oo: number, b: Uint8Array): void {
  for (let i = 0; i < LIMBS; i++) {
    const bit = 17 * i;
    const k = bit >>> 3;
    const w = b[k]! | (b[k + 1]! << 8) | (b[k + 2]! << 16);
    o[oo + i] = (w >>> (bit & 7)) & 0x1ffff;
  }
}

/** The canonical 32-byte little-endian encoding of an element. */
export function feToBytes(a: Float64Array, ao: number): Uint8Array {
  feCopy(TMP, 0, a, ao);
  feCanonical(TMP, 0);
  const out = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; i < LIMBS; i++) {
    acc |= TMP[i]! << bits;
    bits += 17;
    while (bits >= 8) {
      out[k++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out[k] = acc & 0xff;
  return out;
}

const S = new Float64Array(7 * LIMBS);
const Z2 = 0;
const Z9 = LIMBS;
const Z11 = 2 * LIMBS;
const ZA = 3 * LIMBS;
const ZB = 4 * LIMBS;
const T = 5 * LIMBS;
const SAVED = 6 * LIMBS;

/** o = a^(2^k) (k ≥ 1). */
function feSqrN(o: Float64Array, oo: number, a: Float64Array, ao: number, k: number): void {
  feSqr(o, oo, a, ao);
  for (let i = 1; i < k; i++) feSqr(o, oo, o, oo);
}

/** Leaves a^(2^250 − 1) at ZB and a^11 at Z11 of the scratch (shared by invert and pow22523). */
function powChain(a: Float64Array, ao: number): void {
  feSqr(S, Z2, a, ao); // a^2
  feSqrN(S, T, S, Z2, 2); // a^8
  feMul(S, Z9, S, T, a, ao); // a^9
  feMul(S, Z11, S, Z9, S, Z2); // a^11
  feSqr(S, T, S, Z11); // a^22
  feMul(S, ZA, S, T, S, Z9); // a^(2^5 − 1)
  feSqrN(S, T, S, ZA, 5);
  feMul(S, ZA, S, T, S, ZA); // a^(2^10 − 1)
  feSqrN(S, T, S, ZA, 10);
  feMul(S, ZB, S, T, S, ZA); // a^(2^20 − 1)
  feSqrN(S, T, S, ZB, 20);
  feMul(S, T, S, T, S, ZB); // a^(2^40 − 1)
  feSqrN(S, T, S, T, 10);
  feMul(S, ZA, S, T, S, ZA); // a^(2^50 − 1)
  feSqrN(S, T, S, ZA, 50);
  feMul(S, ZB, S, T, S, ZA); // a^(2^100 − 1)
  feSqrN(S, T, S, ZB, 100);
  feMul(S, T, S, T, S, ZB); // a^(2^200 − 1)
  feSqrN(S, T, S, T, 50);
  feMul(S, ZB, S, T, S, ZA); // a^(2^250 − 1)
}

/** o = 1/a = a^(p−2) (0 maps to 0), with the usual addition chain (254 squarings). */
export function feInvert(o: Float64Array, oo: number, a: Float64Array, ao: number): void {
  powChain(a, ao);
  feSqrN(S, T, S, ZB, 5); // a^(2^255 − 32)
  feMul(o, oo, S, T, S, Z11); // a^(2^255 − 21)
}

/** o = a^((p − 5)/8) = a^(2^252 − 3), the exponent of the square-root-ratio computation. */
export function fePow22523(o: Float64Array, oo: number, a: Float64Array, ao: number): void {
  feCopy(S, SAVED, a, ao); // keep a: `o` may alias it
  powChain(a, ao);
  feSqrN(S, T, S, ZB, 2); // a^(2^252 − 4)
  feMul(o, oo, S, T, S, SAVED); // a^(2^252 − 3)
}
