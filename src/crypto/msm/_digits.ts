/**
 * Scalar recodings for the MSM algorithms (variable time; public scalars below 2^253, i.e. every
 * scalar below ℓ):
 *   - fixed windows of signed digits for Pippenger's bucket method: s = Σₖ dₖ·2^(c·k) with
 *     dₖ ∈ (−2^(c−1), 2^(c−1)], so a window of width c needs only 2^(c−1) buckets;
 *   - the width-w non-adjacent form (wNAF) for Straus' interleaved method.
 */

/** Number of windows of width c needed for scalars below 2^253 with signed digits. */
export function windowCount(c: number): number {
  // The top window holds 253 mod c < c bits plus a carry, so its digit never exceeds 2^(c−1).
  return Math.floor(253 / c) + 1;
}

const WORDS = new Uint32Array(10);

/**
 * Writes the `windowCount(c)` signed digits of s (0 ≤ s < 2^253) to out[off + k·stride], k = 0….
 * c must be in [1, 16].
 */
export function recode(s: bigint, c: number, out: Int16Array, off: number, stride: number): void {
  toWords(s);
  const windows = windowCount(c);
  const mask = (1 << c) - 1;
  const half = 1 << (c - 1);
  const full = 1 << c;
  let carry = 0;
  for (let k = 0; k < windows; k++) {
    const bit = k * c;
    const wi = bit >>> 5;
    const sh = bit & 31;
    let v = WORDS[wi]! >>> sh;
    if (sh + c > 32) v |= WORDS[wi + 1]! << (32 - sh);
    v = (v & mask) + carry;
    if (v > half) {
      v -= full;
      carry = 1;
    } else carry = 0;
    out[off + k * stride] = v;
  }
}

/** Splits s (< 2^256) into the 32-bit little-endian words WORDS[0…7] (WORDS[8…9] stay 0). */
function toWords(s: bigint): void {
  const w0 = BigInt.asUintN(64, s);
  const w1 = BigInt.asUintN(64, s >> 64n);
  const w2 = BigInt.asUintN(64, s >> 128n);
  const w3 = BigInt.asUintN(64, s >> 192n);
  WORDS[0] = Number(w0 & 0xffffffffn);
  WORDS[1] = Number(w0 >> 32n);
  WORDS[2] = Number(w1 & 0xffffffffn);
  WORDS[3] = Number(w1 >> 32n);
  WORDS[4] = Number(w2 & 0xffffffffn);
  WORDS[5] = Number(w2 >> 32n);
  WORDS[6] = Number(w3 & 0xffffffffn);
  WORDS[7] = Number(w3 >> 32n);
}

/** Length of a width-w NAF of a scalar below 2^253 (a final carry can reach bit 253). */
export const NAF_LENGTH = 254;

/**
 * Writes the width-w non-adjacent form of s (0 ≤ s < 2^253, 2 ≤ w ≤ 8) to out[off … off + 253]:
 * s = Σᵢ nᵢ·2^i with every non-zero nᵢ odd, |nᵢ| < 2^(w−1), and at least w − 1 zeros after each
 * non-zero digit. Returns 1 + the index of the highest non-zero digit (0 for s = 0).
 */
export function wnaf(s: bigint, w: number, out: Int8Array, off: number): number {
  toWords(s);
  out.fill(0, off, off + NAF_LENGTH);
  const full = 1 << w;
  const half = 1 << (w - 1);
  const mask = full - 1;
  let carry = 0;
  let top = 0;
  let i = 0;
  while (i < NAF_LENGTH) {
    const wi = i >>> 5;
    const sh = i & 31;
    const t = ((WORDS[wi]! >>> sh) & 1) + carry;
    if (t !== 1) {
      // Even: digit 0 here; 1 + carry 1 leaves 0 and carries on.
      carry = t >>> 1;
      i++;
      continue;
    }
    let v = WORDS[wi]! >>> sh;
    if (sh + w > 32) v |= WORDS[wi + 1]! << (32 - sh);
    v = (v & mask) + carry;
    let d = v & mask;
    if (d >= half) d -= full;
    carry = (v - d) >>> w;
    out[off + i] = d;
    top = i + 1;
    i += w;
  }
  return top;
}
