/**
 * Straus' interleaved method with width-5 NAF digits on limb buffers (variable time; public data
 * only): one chain of ~253 doublings shared by all points, and for each point a table of its odd
 * multiples P, 3P, …, 15P (affine Niels, one batched inversion) from which about 253/6 additions
 * are taken. Cheaper than Pippenger's buckets for small inputs (up to about a hundred points).
 */
import { NAF_LENGTH, wnaf } from "./_digits.js";
import { addExt, addNiels, copyExt, dbl, EXT, extToNielsBatch, NIELS, nielsToExt } from "./_edwards.js";
import type { Accumulator } from "./_pippenger.js";

/** NAF width: digits are odd and below 2^(W−1) in absolute value. */
export const STRAUS_W = 5;
/** Table entries per point: the odd multiples 1, 3, …, 2^(W−1) − 1. */
const ENTRIES = 1 << (STRAUS_W - 2);

/** acc += Σ scalars[i]·points[i] with the points in affine Niels form (`niels`, stride NIELS). */
export function straus(acc: Accumulator, niels: Float64Array, scalars: readonly bigint[]): void {
  const n = scalars.length;
  if (n === 0) return;
  // Odd multiples, computed in extended coordinates and normalised together.
  const ext = new Float64Array(n * ENTRIES * EXT);
  const two = new Float64Array(EXT);
  for (let i = 0; i < n; i++) {
    const base = i * ENTRIES * EXT;
    nielsToExt(ext, base, niels, i * NIELS, false);
    copyExt(two, 0, ext, base);
    dbl(two, 0, 1, true);
    for (let j = 1; j < ENTRIES; j++) {
      const o = base + j * EXT;
      copyExt(ext, o, ext, o - EXT);
      addExt(ext, o, two, 0);
    }
  }
  const table = new Float64Array(n * ENTRIES * NIELS);
  extToNielsBatch(ext, n * ENTRIES, table, 0);

  const naf = new Int8Array(n * NAF_LENGTH);
  let top = 0;
  for (let i = 0; i < n; i++) top = Math.max(top, wnaf(scalars[i]!, STRAUS_W, naf, i * NAF_LENGTH));

  const p = new Float64Array(EXT);
  let set = false;
  for (let pos = top - 1; pos >= 0; pos--) {
    if (set) dbl(p, 0, 1, true);
    for (let i = 0; i < n; i++) {
      const d = naf[i * NAF_LENGTH + pos]!;
      if (d === 0) continue;
      const neg = d < 0;
      const off = (i * ENTRIES + (((neg ? -d : d) - 1) >> 1)) * NIELS;
      if (set) addNiels(p, 0, table, off, neg);
      else {
        nielsToExt(p, 0, table, off, neg);
        set = true;
      }
    }
  }
  if (set) acc.add(p);
}
