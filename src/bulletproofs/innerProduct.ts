/**
 * The inner-product argument (dalek-cryptography/bulletproofs `develop`, docs/notes-ipp.md and
 * docs/inner-product-protocol.md): proves P' = ⟨a, Ĝ⟩ + ⟨b, Ĥ⟩ + ⟨a, b⟩·Q for Ĝᵢ = gᵢ·Gᵢ, Ĥᵢ = hᵢ·Hᵢ,
 * with lg n rounds of halving. Transcript: dom-sep "ipp v1", LE64 n under "n", then per round L, R
 * and the challenge "u".
 *
 * Prover method: rather than folding the generator vectors point by point (two scalar
 * multiplications per folded point), each current generator is kept as a combination of the
 * original generators with a coefficient per original index; each round's L and R are then one
 * MSM over the original G and H (the backend can use its fixed-base tables). The scalars of L and
 * R derive from l(x) and r(x), which the unoptimized protocol would send in the clear, so — as in
 * dalek, which uses variable-time MSMs here — they go to the variable-time backend.
 */

import { defaultMsmBackend, type FixedBases, type MsmBackend } from "../crypto/msm/index.js";
import { CompressedPoint, type Point } from "../crypto/ristretto.js";
import { batchInvert, invert, L } from "../crypto/scalar.js";
import type { Transcript } from "../crypto/transcript.js";
import { utf8 } from "../util/bytes.js";
import { R1csCode, R1csError } from "./errors.js";
import { DOM_SEP, IPP_DOMAIN, IPP_N, LABEL_L, LABEL_R, LABEL_U } from "./labels.js";
import { type InnerProductProof, isIdentityEncoding } from "./proof.js";

/** ⟨a, b⟩ modulo ℓ. */
export function innerProduct(a: readonly bigint[], b: readonly bigint[]): bigint {
  if (a.length !== b.length) throw new RangeError("innerProduct: lengths differ");
  let acc = 0n;
  for (let i = 0; i < a.length; i++) acc += a[i]! * b[i]!;
  return acc % L;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export interface IppProverInput {
  readonly Q: Point;
  /** Per-generator factors gᵢ (length n). */
  readonly gFactors: readonly bigint[];
  /** Per-generator factors hᵢ (length n). */
  readonly hFactors: readonly bigint[];
  /** Generator sets holding at least n points each. */
  readonly G: FixedBases;
  readonly H: FixedBases;
  /** The vectors a and b (length n, a power of two). */
  readonly a: readonly bigint[];
  readonly b: readonly bigint[];
  readonly backend?: MsmBackend;
}

/** Creates an inner-product proof, appending its messages to `transcript`. */
export function proveInnerProduct(transcript: Transcript, input: IppProverInput): InnerProductProof {
  const n = input.a.length;
  if (!isPowerOfTwo(n)) throw new RangeError(`proveInnerProduct: length ${n} is not a power of two`);
  if (input.b.length !== n || input.gFactors.length !== n || input.hFactors.length !== n)
    throw new RangeError("proveInnerProduct: vectors differ in length");
  if (input.G.points.length < n || input.H.points.length < n)
    throw new RangeError("proveInnerProduct: not enough generators");
  const backend = input.backend ?? defaultMsmBackend();

  transcript.appendMessage(DOM_SEP, utf8(IPP_DOMAIN));
  transcript.appendU64(IPP_N, n);

  // gc[i], hc[i]: coefficient of original generator i in the current generator at position i mod cur.
  const gc = input.gFactors.slice();
  const hc = input.hFactors.slice();
  let a = input.a.slice();
  let b = input.b.slice();
  const lVec: CompressedPoint[] = [];
  const rVec: CompressedPoint[] = [];
  const gL = new Array<bigint>(n);
  const hL = new Array<bigint>(n);
  const gR = new Array<bigint>(n);
  const hR = new Array<bigint>(n);

  for (let cur = n; cur > 1; cur >>= 1) {
    const h = cur >> 1;
    let cL = 0n;
    let cR = 0n;
    for (let j = 0; j < h; j++) {
      cL += a[j]! * b[h + j]!;
      cR += a[h + j]! * b[j]!;
    }
    cL %= L;
    cR %= L;
    // L = ⟨a_lo, G_hi⟩ + ⟨b_hi, H_lo⟩ + c_L·Q ; R = ⟨a_hi, G_lo⟩ + ⟨b_lo, H_hi⟩ + c_R·Q
    for (let i = 0; i < n; i++) {
      const p = i % cur;
      if (p < h) {
        gL[i] = 0n;
        hL[i] = (b[h + p]! * hc[i]!) % L;
        gR[i] = (a[h + p]! * gc[i]!) % L;
        hR[i] = 0n;
      } else {
        gL[i] = (a[p - h]! * gc[i]!) % L;
        hL[i] = 0n;
        gR[i] = 0n;
        hR[i] = (b[p - h]! * hc[i]!) % L;
      }
    }
    const Lp = backend.msm({
      fixed: [
        { bases: input.G, scalars: gL },
        { bases: input.H, scalars: hL },
      ],
      scalars: [cL],
      points: [input.Q],
    });
    const Rp = backend.msm({
      fixed: [
        { bases: input.G, scalars: gR },
        { bases: input.H, scalars: hR },
      ],
      scalars: [cR],
      points: [input.Q],
    });
    const Lc = CompressedPoint.fromPoint(Lp);
    const Rc = CompressedPoint.fromPoint(Rp);
    lVec.push(Lc);
    rVec.push(Rc);
    transcript.appendPoint(LABEL_L, Lc);
    transcript.appendPoint(LABEL_R, Rc);
    const u = transcript.challengeScalar(LABEL_U);
    const uInv = invert(u);

    const a2 = new Array<bigint>(h);
    const b2 = new Array<bigint>(h);
    for (let j = 0; j < h; j++) {
      a2[j] = (a[j]! * u + uInv * a[h + j]!) % L;
      b2[j] = (b[j]! * uInv + u * b[h + j]!) % L;
    }
    a = a2;
    b = b2;
    for (let i = 0; i < n; i++) {
      if (i % cur < h) {
        gc[i] = (gc[i]! * uInv) % L;
        hc[i] = (hc[i]! * u) % L;
      } else {
        gc[i] = (gc[i]! * u) % L;
        hc[i] = (hc[i]! * uInv) % L;
      }
    }
  }
  return { lVec, rVec, a: a[0]!, b: b[0]! };
}

/** The scalars a verifier needs: uⱼ², uⱼ⁻² (in round order) and s (length n). */
export interface IppVerificationScalars {
  readonly uSq: bigint[];
  readonly uInvSq: bigint[];
  readonly s: bigint[];
}

/**
 * Replays the argument's transcript for an inner-product proof over n = 2^k generators and
 * returns the verification scalars. Throws R1CS_VERIFICATION_FAILED if the proof does not have
 * lg n rounds, R1CS_INVALID_POINT if some L or R is the identity.
 */
export function ippVerificationScalars(
  proof: InnerProductProof,
  n: number,
  transcript: Transcript,
): IppVerificationScalars {
  const k = proof.lVec.length;
  if (proof.rVec.length !== k || k >= 32 || n !== 2 ** k)
    throw new R1csError(R1csCode.VERIFICATION_FAILED, {
      what: "inner-product rounds",
      expected: n,
      actual: k,
    });

  transcript.appendMessage(DOM_SEP, utf8(IPP_DOMAIN));
  transcript.appendU64(IPP_N, n);

  const u: bigint[] = [];
  for (let j = 0; j < k; j++) {
    const Lj = proof.lVec[j]!;
    const Rj = proof.rVec[j]!;
    if (isIdentityEncoding(Lj)) throw new R1csError(R1csCode.INVALID_POINT, { what: "ipp L", index: j });
    transcript.appendPoint(LABEL_L, Lj);
    if (isIdentityEncoding(Rj)) throw new R1csError(R1csCode.INVALID_POINT, { what: "ipp R", index: j });
    transcript.appendPoint(LABEL_R, Rj);
    const uj = transcript.challengeScalar(LABEL_U);
    // A zero challenge has probability ≈ 2^-252; it would make the argument meaningless.
    if (uj === 0n)
      throw new R1csError(R1csCode.VERIFICATION_FAILED, { what: "zero ipp challenge", index: j });
    u.push(uj);
  }
  const uInv = batchInvert(u);
  let allInv = 1n;
  for (const x of uInv) allInv = (allInv * x) % L;
  const uSq = u.map((x) => (x * x) % L);
  const uInvSq = uInv.map((x) => (x * x) % L);

  // s_i = Π_j u_j^{±1}: s_0 = 1/(u_1…u_k); setting bit b of i multiplies by the square of the
  // challenge of the round that split on that bit (round k-1-b in creation order).
  const s = new Array<bigint>(n);
  s[0] = allInv;
  for (let i = 1; i < n; i++) {
    const lgI = 31 - Math.clz32(i);
    const kk = 1 << lgI;
    s[i] = (s[i - kk]! * uSq[k - 1 - lgI]!) % L;
  }
  return { uSq, uInvSq, s };
}
