/**
 * Pippenger's bucket method on limb buffers (variable time; public data only). Dynamic points are
 * given in affine Niels form with signed-digit windows; fixed points come with tables of their
 * window multiples P·2^(c_f·k), so each of their digits lands in the weight-1 buckets directly.
 */
import { recode, windowCount } from "./_digits.js";
import { addExt, addNiels, copyExt, dbl, EXT, NIELS, nielsToExt } from "./_edwards.js";

/** Fixed terms with tables: digits in the table window, point-major (`windows` per term). */
export interface FixedPart {
  readonly tables: readonly Float64Array[];
  readonly digits: Int16Array;
  /** Table window width c_f and its window count. */
  readonly c: number;
  readonly windows: number;
}

/** Bucket storage, grown on demand and reused across calls. */
let bucketBuf = new Float64Array(0);
let bucketOcc = new Uint8Array(0);

function clearBuckets(count: number): void {
  if (bucketOcc.length < count) {
    bucketBuf = new Float64Array(count * EXT);
    bucketOcc = new Uint8Array(count);
  }
  bucketOcc.fill(0, 0, count);
}

/** Adds ±q (affine Niels) to bucket |digit| − 1. */
function toBucket(digit: number, q: Float64Array, qo: number): void {
  const neg = digit < 0;
  const b = (neg ? -digit : digit) - 1;
  if (bucketOcc[b] === 1) addNiels(bucketBuf, b * EXT, q, qo, neg);
  else {
    nielsToExt(bucketBuf, b * EXT, q, qo, neg);
    bucketOcc[b] = 1;
  }
}

/**
 * Writes Σ (b + 1)·bucket_b into `out` with running sums (2 additions per bucket below the highest
 * occupied one); returns false if all buckets are empty (then `out` is untouched).
 */
function sumBuckets(count: number, out: Float64Array, run: Float64Array): boolean {
  let runSet = false;
  let outSet = false;
  for (let b = count - 1; b >= 0; b--) {
    if (bucketOcc[b] === 1) {
      if (runSet) addExt(run, 0, bucketBuf, b * EXT);
      else {
        copyExt(run, 0, bucketBuf, b * EXT);
        runSet = true;
      }
    }
    if (runSet) {
      if (outSet) addExt(out, 0, run, 0);
      else {
        copyExt(out, 0, run, 0);
        outSet = true;
      }
    }
  }
  return outSet;
}

function addFixed(fixed: FixedPart): void {
  const w = fixed.windows;
  for (let j = 0; j < fixed.tables.length; j++) {
    const table = fixed.tables[j]!;
    const base = j * w;
    for (let k = 0; k < w; k++) {
      const d = fixed.digits[base + k]!;
      if (d !== 0) toBucket(d, table, k * NIELS);
    }
  }
}

/** Accumulator of an extended point that starts as "empty" (the identity). */
export class Accumulator {
  readonly p = new Float64Array(EXT);
  set = false;

  /** p += q (extended). */
  add(q: Float64Array): void {
    if (this.set) addExt(this.p, 0, q, 0);
    else {
      copyExt(this.p, 0, q, 0);
      this.set = true;
    }
  }
}

/**
 * acc += Σ scalars[i]·points[i] + Σ fixed, with dynamic window width c (1…16). If `fixed` is given
 * and c ≥ fixed.c, the fixed digits share the weight-1 buckets of the dynamic windows; otherwise
 * they get a bucket set of their own.
 */
export function pippenger(
  acc: Accumulator,
  niels: Float64Array,
  scalars: readonly bigint[],
  c: number,
  fixed: FixedPart | undefined,
): void {
  const n = scalars.length;
  const win = new Float64Array(EXT);
  const run = new Float64Array(EXT);
  const shared = fixed !== undefined && c >= fixed.c;
  if (n > 0) {
    const windows = windowCount(c);
    // Digits window-major: digit k of point i at k·n + i.
    const digits = new Int16Array(windows * n);
    for (let i = 0; i < n; i++) recode(scalars[i]!, c, digits, i, n);
    const nb = 1 << (c - 1);
    // Horner over the windows, most significant first: acc = 2^c·acc + Σ_b (b + 1)·bucket_b.
    const mine = new Accumulator();
    for (let k = windows - 1; k >= 0; k--) {
      clearBuckets(nb);
      const base = k * n;
      for (let i = 0; i < n; i++) {
        const d = digits[base + i]!;
        if (d !== 0) toBucket(d, niels, i * NIELS);
      }
      // Table entries already carry their window weight: they belong to weight 1.
      if (k === 0 && shared) addFixed(fixed);
      if (mine.set) dbl(mine.p, 0, c, true);
      if (sumBuckets(nb, win, run)) mine.add(win);
    }
    if (mine.set) acc.add(mine.p);
  }
  if (fixed !== undefined && !(shared && n > 0)) {
    const nb = 1 << (fixed.c - 1);
    clearBuckets(nb);
    addFixed(fixed);
    if (sumBuckets(nb, win, run)) acc.add(win);
  }
}
