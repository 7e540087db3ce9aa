/**
 * Edwards25519 point arithmetic on limb buffers for the pure-JS MSM backend (variable time; public
 * data only). The curve is −x² + y² = 1 + d·x²·y² (RFC 7748 §4.1, RFC 8032 §5.1); formulas are the
 * a = −1 extended-coordinate ones of Hisil–Wong–Carter–Dawson, "Twisted Edwards Curves Revisited"
 * (2008), as listed in the Explicit-Formulas Database (add-2008-hwcd-3, madd-2008-hwcd-3,
 * dbl-2008-hwcd).
 *
 * Layouts inside a `Float64Array` (each coordinate is a field element of `_field.ts`):
 *   - extended point (EXT = 60 numbers): X, Y, Z, T with x = X/Z, y = Y/Z, x·y = T/Z;
 *   - affine Niels point (NIELS = 45 numbers): y + x, y − x, 2d·x·y — the cached form that makes a
 *     mixed addition cost 7 multiplications.
 * Ristretto255 points are handled through their Edwards representatives; the group law is exact,
 * so the result represents the same Ristretto element as the naive computation.
 */
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import type { Point } from "../ristretto.js";
import {
  feAdd,
  feCarry,
  feCopy,
  feFromBigint,
  feInvert,
  feMul,
  feMulSum,
  feNeg,
  feSetSmall,
  feSqr,
  feSub,
  feToBigint,
  LIMBS,
  P,
} from "./_field.js";

/** Numbers per extended point. */
export const EXT = 4 * LIMBS;
/** Numbers per affine Niels point. */
export const NIELS = 3 * LIMBS;

const X = 0;
const Y = LIMBS;
const Z = 2 * LIMBS;
const T = 3 * LIMBS;
const YPX = 0;
const YMX = LIMBS;
const T2D = 2 * LIMBS;

function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = b % P;
  while (e > 0n) {
    if (e & 1n) r = (r * x) % P;
    x = (x * x) % P;
    e >>= 1n;
  }
  return r;
}

/** The curve constant d = −121665/121666. */
const D_BIG = (((P - 121665n) % P) * powMod(121666n, P - 2n)) % P;
const CONST = new Float64Array(2 * LIMBS);
const D2 = 0;
const INV_D = LIMBS;
feFromBigint(CONST, D2, 2n * D_BIG);
feFromBigint(CONST, INV_D, powMod(D_BIG, P - 2n));

// Scratch registers for the formulas (the module is not re-entrant; JS is single-threaded).
const S = new Float64Array(6 * LIMBS);
const RA = 0;
const RB = LIMBS;
const RC = 2 * LIMBS;
const RD = 3 * LIMBS;
const RE = 4 * LIMBS;
const RG = 5 * LIMBS;

/** Sets p to the identity (0 : 1 : 1 : 0). */
export function setIdentity(p: Float64Array, po: number): void {
  feSetSmall(p, po + X, 0);
  feSetSmall(p, po + Y, 1);
  feSetSmall(p, po + Z, 1);
  feSetSmall(p, po + T, 0);
}

/** dst = src (extended). */
export function copyExt(dst: Float64Array, dOff: number, src: Float64Array, sOff: number): void {
  for (let i = 0; i < EXT; i++) dst[dOff + i] = src[sOff + i]!;
}

/** p += q (negate: p −= q), with q an affine Niels point. 7 multiplications. */
export function addNiels(p: Float64Array, po: number, q: Float64Array, qo: number, negate: boolean): void {
  // A = (Y1 − X1)·(y2 − x2), B = (Y1 + X1)·(y2 + x2), C = T1·2d·x2·y2, D = 2·Z1;
  // E = B − A, F = D − C, G = D + C, H = B + A; X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G.
  // −(x, y) = (−x, y) swaps y + x with y − x and negates 2d·x·y (the sign sc below).
  feMulSum(S, RA, p, po + Y, p, po + X, -1, q, qo + (negate ? YPX : YMX), q, qo, 0);
  feMulSum(S, RB, p, po + Y, p, po + X, 1, q, qo + (negate ? YMX : YPX), q, qo, 0);
  feMul(S, RC, p, po + T, q, qo + T2D);
  feAdd(S, RD, p, po + Z, p, po + Z);
  const sc = negate ? -1 : 1;
  feMulSum(p, po + X, S, RB, S, RA, -1, S, RD, S, RC, -sc);
  feMulSum(p, po + Y, S, RD, S, RC, sc, S, RB, S, RA, 1);
  feMulSum(p, po + T, S, RB, S, RA, -1, S, RB, S, RA, 1);
  feMulSum(p, po + Z, S, RD, S, RC, -sc, S, RD, S, RC, sc);
}

/** p += q, both extended. 9 multiplications. */
export function addExt(p: Float64Array, po: number, q: Float64Array, qo: number): void {
  // As addNiels with C = T1·2d·T2 and D = 2·Z1·Z2.
  feMulSum(S, RA, p, po + Y, p, po + X, -1, q, qo + Y, q, qo + X, -1);
  feMulSum(S, RB, p, po + Y, p, po + X, 1, q, qo + Y, q, qo + X, 1);
  feMul(S, RC, p, po + T, q, qo + T);
  feMul(S, RC, S, RC, CONST, D2);
  feMul(S, RD, p, po + Z, q, qo + Z);
  feAdd(S, RD, S, RD, S, RD);
  feMulSum(p, po + X, S, RB, S, RA, -1, S, RD, S, RC, -1);
  feMulSum(p, po + Y, S, RD, S, RC, 1, S, RB, S, RA, 1);
  feMulSum(p, po + T, S, RB, S, RA, -1, S, RB, S, RA, 1);
  feMulSum(p, po + Z, S, RD, S, RC, -1, S, RD, S, RC, 1);
}

/**
 * p = 2^k·p (k ≥ 1). The doubling formula does not read T, so T is only computed on the last
 * doubling, and only if `withT`.
 */
export function dbl(p: Float64Array, po: number, k: number, withT: boolean): void {
  for (let i = 0; i < k; i++) {
    // A = X², B = Y², C = 2Z², E = (X + Y)² − A − B = 2XY, G = B − A (a = −1), F = G − C,
    // H = −A − B; X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G.
    feSqr(S, RA, p, po + X);
    feSqr(S, RB, p, po + Y);
    feSqr(S, RC, p, po + Z);
    feAdd(S, RC, S, RC, S, RC);
    feMul(S, RE, p, po + X, p, po + Y);
    feAdd(S, RE, S, RE, S, RE);
    feSub(S, RG, S, RB, S, RA);
    feAdd(S, RD, S, RA, S, RB);
    feNeg(S, RD, S, RD); // H, kept in RD
    feMulSum(p, po + X, S, RE, S, RE, 0, S, RG, S, RC, -1);
    feMul(p, po + Y, S, RG, S, RD);
    if (withT && i === k - 1) feMul(p, po + T, S, RE, S, RD);
    feMulSum(p, po + Z, S, RG, S, RC, -1, S, RG, S, RG, 0);
  }
}

/**
 * p = ±q for an affine Niels q: X = (y + x) − (y − x) = 2x, Y = 2y, Z = 2, T = 2d·x·y / d = 2x·y.
 * 1 multiplication (used when a bucket receives its first point).
 */
export function nielsToExt(p: Float64Array, po: number, q: Float64Array, qo: number, negate: boolean): void {
  if (negate) feSub(p, po + X, q, qo + YMX, q, qo + YPX);
  else feSub(p, po + X, q, qo + YPX, q, qo + YMX);
  feAdd(p, po + Y, q, qo + YPX, q, qo + YMX);
  feSetSmall(p, po + Z, 2);
  feMul(p, po + T, q, qo + T2D, CONST, INV_D);
  if (negate) feNeg(p, po + T, p, po + T);
  feCarry(p, po + X);
  feCarry(p, po + Y);
}

/** Writes the affine Niels form of (x, y), read from `xy` at offsets xo and yo. */
export function affineToNiels(n: Float64Array, no: number, xy: Float64Array, xo: number, yo: number): void {
  feMul(S, RA, xy, xo, xy, yo);
  feMul(n, no + T2D, S, RA, CONST, D2);
  feAdd(n, no + YPX, xy, yo, xy, xo);
  feSub(n, no + YMX, xy, yo, xy, xo);
  feCarry(n, no + YPX);
  feCarry(n, no + YMX);
}

/**
 * Converts `count` extended points (stride EXT, from offset 0 of `src`) to affine Niels points
 * (stride NIELS at `dst`, from `dOff`) with one field inversion (Montgomery's trick).
 */
export function extToNielsBatch(src: Float64Array, count: number, dst: Float64Array, dOff: number): void {
  if (count === 0) return;
  const prefix = new Float64Array(count * LIMBS);
  feCopy(prefix, 0, src, Z);
  for (let i = 1; i < count; i++) feMul(prefix, i * LIMBS, prefix, (i - 1) * LIMBS, src, i * EXT + Z);
  const inv = new Float64Array(4 * LIMBS);
  const ZI = 0;
  const AF = LIMBS; // x at AF, y at AF + LIMBS
  const TMP = 3 * LIMBS;
  feInvert(inv, ZI, prefix, (count - 1) * LIMBS);
  for (let i = count - 1; i >= 0; i--) {
    const so = i * EXT;
    // inv holds 1/(Z_0···Z_i); 1/Z_i = inv·(Z_0···Z_{i−1}).
    if (i > 0) {
      feMul(inv, TMP, inv, ZI, prefix, (i - 1) * LIMBS);
      feMul(inv, ZI, inv, ZI, src, so + Z);
    } else feCopy(inv, TMP, inv, ZI);
    feMul(inv, AF, src, so + X, inv, TMP);
    feMul(inv, AF + LIMBS, src, so + Y, inv, TMP);
    affineToNiels(dst, dOff + i * NIELS, inv, AF, AF + LIMBS);
  }
}

/** The Edwards coordinates of a noble Ristretto point (its internal representative). */
interface EdwardsCoords {
  readonly X: bigint;
  readonly Y: bigint;
  readonly Z: bigint;
  readonly T: bigint;
}

function edwardsOf(p: Point): EdwardsCoords {
  return (p as unknown as { ep: EdwardsCoords }).ep;
}

/** Loads a noble Ristretto point's representative into an extended point buffer. */
export function loadPoint(dst: Float64Array, dOff: number, p: Point): void {
  const e = edwardsOf(p);
  feFromBigint(dst, dOff + X, e.X);
  feFromBigint(dst, dOff + Y, e.Y);
  feFromBigint(dst, dOff + Z, e.Z);
  feFromBigint(dst, dOff + T, e.T);
}

/**
 * Loads a noble point straight into affine Niels form when its Z is 1 (as after decoding) and
 * returns true; returns false (writing nothing) otherwise.
 */
export function loadAffineNiels(dst: Float64Array, dOff: number, p: Point, tmp: Float64Array): boolean {
  const e = edwardsOf(p);
  if (e.Z !== 1n) return false;
  feFromBigint(tmp, 0, e.X);
  feFromBigint(tmp, LIMBS, e.Y);
  affineToNiels(dst, dOff, tmp, 0, LIMBS);
  return true;
}

/** Converts an extended point buffer back to a noble Ristretto point. */
export function toRistretto(p: Float64Array, po: number): Point {
  const ep = new ed25519.Point(
    feToBigint(p, po + X),
    feToBigint(p, po + Y),
    feToBigint(p, po + Z),
    feToBigint(p, po + T),
  );
  return new ristretto255.Point(ep);
}
