/**
 * The R1CS verifier (dalek-cryptography/bulletproofs `develop`, docs/cs-proof.md "Verifier's
 * algorithm"; transcript order and labels as src/r1cs/verifier.rs).
 *
 * Usage: create with the caller's transcript, `commit` the commitments V, run the same gadgets as
 * the prover, optionally append to `transcript` (ZkVM appends its txid here), then ask for the
 * verification statement. The verifier does no MSM of its own: `verificationStatement` returns a
 * deferred `PointStatement` for a `BatchVerifier`; `verify` checks it alone.
 *
 * The statement is the reference's single check: the inner-product equation (scalars c0) plus
 * r times the t(x) equation (scalars c1), where r is a non-zero scalar from the transcript RNG
 * finalized with the injected `Rng` (dalek does the same with thread_rng). Both equations hold for
 * an honest proof; if either fails, the sum is the identity for at most one r, so a false
 * statement passes with probability ≈ 1/ℓ.
 */
import type { PointStatement } from "../crypto/batch.js";
import { checkStatement } from "../crypto/batch.js";
import type { BulletproofGens } from "../crypto/generators.js";
import type { MsmBackend, ScalarKernels, ScalarList } from "../crypto/msm/index.js";
import { CompressedPoint, type Point } from "../crypto/ristretto.js";
import { invert, L, randomScalar } from "../crypto/scalar.js";
import type { Transcript } from "../crypto/transcript.js";
import { utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import type { Rng } from "../util/rng.js";
import { ConstraintSystemBase } from "./csBase.js";
import { R1csCode, R1csError } from "./errors.js";
import { type FlatWeights, flattenConstraints, nextPowerOfTwo, powers } from "./flatten.js";
import { ippVerificationScalars } from "./innerProduct.js";
import * as lbl from "./labels.js";
import { type LcLike, type LinearCombination, Variable, VariableKind } from "./linearCombination.js";
import { isIdentityEncoding, type R1csProof } from "./proof.js";

export interface VerifyOptions {
  /** MSM backend used by `verify` (default: the process default). */
  readonly backend?: MsmBackend;
}

/** The R1CS verifier: a constraint system without assignments. */
export class Verifier extends ConstraintSystemBase {
  readonly isProver = false;
  private n = 0;
  private readonly V: CompressedPoint[] = [];

  /** Starts verification on `transcript` (appends the "r1cs v1" domain separator). */
  constructor(transcript: Transcript) {
    super(transcript);
  }

  protected get multiplierCount(): number {
    return this.n;
  }

  protected pushMultiplier(): number {
    return this.n++;
  }

  protected setRightInput(): void {}

  /** Always undefined: the verifier knows no assignment. */
  override evaluate(_lc: LcLike): undefined {
    return undefined;
  }

  /**
   * Adds a commitment V (appended to the transcript under "V") and returns its variable. The
   * point is decoded when the statement is built (R1CS_INVALID_POINT if it is not valid).
   */
  commit(commitment: CompressedPoint | Point | Uint8Array): Variable {
    this.ensureOpen("commit");
    if (!this.inPhaseOne) throw new TypeError("commit: phase 1 is over");
    let c: CompressedPoint;
    if (commitment instanceof CompressedPoint) c = commitment;
    else if (commitment instanceof Uint8Array) c = new CompressedPoint(commitment.slice());
    else c = CompressedPoint.fromPoint(commitment);
    this.V.push(c);
    this.transcript.appendPoint(lbl.LABEL_V, c);
    return new Variable(VariableKind.Committed, this.V.length - 1);
  }

  /**
   * Consumes the verifier: replays the proof's transcript (running the randomized callbacks) and
   * returns the statement `0 = …` that holds iff the proof is valid (up to ≈ 1/ℓ).
   * Throws R1CS_INVALID_POINT (identity or undecodable point), R1CS_GENERATORS_CAPACITY,
   * R1CS_VERIFICATION_FAILED (wrong number of inner-product rounds).
   */
  verificationStatement(
    proof: R1csProof,
    bpGens: BulletproofGens,
    rng: Rng,
    kernels?: ScalarKernels,
  ): PointStatement {
    const parts = this.statementParts(proof, bpGens, kernels);
    const trng = this.transcript.buildRng().finalize(rng);
    let r = 0n;
    while (r === 0n) r = randomScalar(trng);
    return combineParts(parts, r, bpGens);
  }

  /**
   * Consumes the verifier and returns the two halves of the verification equation without the
   * random weight (see `VerificationParts`). The transcript is left in its final state.
   * @internal exported for tests and diagnostics; use `verificationStatement`.
   */
  verificationParts(proof: R1csProof, bpGens: BulletproofGens): VerificationParts {
    return this.statementParts(proof, bpGens, undefined) as VerificationParts;
  }

  /** `verificationParts`, with the generator scalars computed by `kernels` when given. */
  private statementParts(
    proof: R1csProof,
    bpGens: BulletproofGens,
    kernels: ScalarKernels | undefined,
  ): StatementParts {
    this.ensureOpen("verificationStatement");
    if (!this.inPhaseOne) throw new TypeError("verificationStatement: already verifying");
    try {
      const t = this.transcript;
      t.appendU64(lbl.LABEL_M, this.V.length);
      const n1 = this.n;
      appendNonIdentity(t, lbl.LABEL_A_I1, proof.aI1);
      appendNonIdentity(t, lbl.LABEL_A_O1, proof.aO1);
      appendNonIdentity(t, lbl.LABEL_S1, proof.s1);
      this.runPhaseTwo();
      const constraints = this.constraints;
      const n = this.n;
      const m = this.V.length;
      const inp: FinishInput = {
        transcript: t,
        proof,
        V: this.V,
        n1,
        n,
        bpGens,
        constraints,
        flatten: (z) => flattenConstraints(constraints, z, n, m),
      };
      return kernels === undefined ? finishVerification(inp) : finishWithKernels(inp, kernels);
    } finally {
      this.finish();
    }
  }

  /**
   * Consumes the verifier and checks the proof on its own (one MSM). Throws
   * R1CS_VERIFICATION_FAILED if it does not verify, and the errors of `verificationStatement`.
   */
  verify(proof: R1csProof, bpGens: BulletproofGens, rng: Rng, opts: VerifyOptions = {}): void {
    const parts = this.statementParts(proof, bpGens, opts.backend?.kernels);
    const trng = this.transcript.buildRng().finalize(rng);
    let r = 0n;
    while (r === 0n) r = randomScalar(trng);
    for (let i = 0; i < parts.points.length; i++) {
      try {
        parts.points[i]!.decompress(parts.names[i]);
      } catch (e) {
        if (hasCode(e, DecodeCode.INVALID_POINT))
          throw new R1csError(R1csCode.INVALID_POINT, { what: parts.names[i]! }, { cause: e });
        throw e;
      }
    }
    if (!checkStatement(combineParts(parts, r, bpGens), opts.backend))
      throw new R1csError(R1csCode.VERIFICATION_FAILED, {});
  }
}

function appendNonIdentity(t: Transcript, label: string, p: CompressedPoint, index?: number): void {
  if (isIdentityEncoding(p))
    throw new R1csError(
      R1csCode.INVALID_POINT,
      index === undefined ? { what: label } : { what: label, index },
    );
  t.appendPoint(label, p);
}

/**
 * The verification equation split in two: the scalar of each term is c0 + r·c1, where c0 belongs
 * to the inner-product equation and c1 to the t(x) equation. Terms come in the reference's order:
 * dynamic points A_I1, A_O1, S1, A_I2, A_O2, S2, V…, T_1, T_3..T_6, L…, R…; then B, B2, G…, H…
 * (G and H have c1 = 0).
 * @internal exported for tests against the reference's per-term vectors.
 */
export interface VerificationParts extends StatementParts {
  readonly g: readonly bigint[];
  readonly h: readonly bigint[];
  /** Challenges and intermediate values, for diagnostics and tests. */
  readonly internals: {
    readonly y: bigint;
    readonly z: bigint;
    readonly u: bigint;
    readonly x: bigint;
    readonly w: bigint;
    readonly delta: bigint;
    readonly weights: FlatWeights;
    readonly ipp: { readonly uSq: bigint[]; readonly uInvSq: bigint[]; readonly s: bigint[] };
  };
}

/**
 * `VerificationParts` without the internals, where g and h may be packed words from native kernels.
 * @internal
 */
export interface StatementParts {
  readonly names: readonly string[];
  readonly points: readonly CompressedPoint[];
  readonly c0: readonly bigint[];
  readonly c1: readonly bigint[];
  readonly b: readonly [bigint, bigint];
  readonly b2: readonly [bigint, bigint];
  readonly g: ScalarList;
  readonly h: ScalarList;
  readonly paddedN: number;
}

/** @internal Input of `finishVerification`. */
export interface FinishInput {
  /** Transcript positioned after the phase-2 callbacks (next step: append A_I2). */
  readonly transcript: Transcript;
  readonly proof: R1csProof;
  readonly V: readonly CompressedPoint[];
  /** Phase-1 and total multiplier counts. */
  readonly n1: number;
  readonly n: number;
  readonly bpGens: BulletproofGens;
  /**
   * The constraints themselves, when known: `finishWithKernels` then flattens them natively (fused
   * with the generator scalars) instead of calling `flatten`.
   */
  readonly constraints?: readonly LinearCombination[];
  /** Produces the flattened weights for the challenge z. */
  readonly flatten: (z: bigint) => FlatWeights;
}

/**
 * The verifier's steps after the phase-2 callbacks: capacity check, A_I2..S2, y, z, T's, u, x,
 * t_x.., w, inner-product challenges; then the scalars of the verification equation.
 * @internal exported for tests (it lets vectors supply the flattened weights directly).
 */
export function finishVerification(inp: FinishInput): VerificationParts {
  const { transcript: t, proof, n1, n } = inp;
  const { y, z, u, x, w, padded, weights: flat } = verifierChallenges(inp);
  const weights = flat!;
  const { wL, wR, wO } = weights;
  const ipp = ippVerificationScalars(proof.ipp, padded, t);
  const { a, b } = proof.ipp;

  const yInvPow = powers(invert(y), padded);
  const x1 = x;
  let delta = 0n;
  const g = new Array<bigint>(padded);
  const h = new Array<bigint>(padded);
  for (let i = 0; i < padded; i++) {
    const uOr1 = i < n1 ? 1n : u;
    const yNegWR = i < n ? (yInvPow[i]! * wR[i]!) % L : 0n;
    if (i < n) delta += yNegWR * wL[i]!;
    const wLi = i < n ? wL[i]! : 0n;
    const wOi = i < n ? wO[i]! : 0n;
    const sInv = ipp.s[padded - 1 - i]!;
    g[i] = (uOr1 * ((x1 * yNegWR - a * ipp.s[i]!) % L) + L * L) % L;
    h[i] = (uOr1 * (((yInvPow[i]! * ((x1 * wLi + wOi - b * sInv) % L)) % L) - 1n) + L * L) % L;
  }
  delta %= L;
  const parts = assembleParts(inp, { u, x, w, weights }, ipp, g, h, delta);
  return { ...parts, g, h, internals: { y, z, u, x, w, delta, weights, ipp } };
}

/**
 * `finishVerification` with the per-generator scalars (and δ) computed by native kernels: the
 * same transcript operations and checks, the same statement (differential tests compare them).
 * @internal
 */
export function finishWithKernels(inp: FinishInput, kernels: ScalarKernels): StatementParts {
  const { transcript: t, proof, n1, n } = inp;
  const ch = verifierChallenges(inp, inp.constraints === undefined);
  const { padded } = ch;
  const ipp = ippChallenges(proof.ipp, padded, t, kernels.invert.bind(kernels));
  const yInv = kernels.invert(ch.y);
  if (inp.constraints !== undefined) {
    const r = kernels.r1csScalars({
      n1,
      n,
      m: inp.V.length,
      padded,
      z: ch.z,
      yInv,
      x: ch.x,
      u: ch.u,
      a: proof.ipp.a,
      b: proof.ipp.b,
      sFirst: ipp.allInv,
      uSq: ipp.uSq,
      constraints: inp.constraints,
    });
    return assembleParts(inp, { ...ch, weights: { wV: r.wV, wc: r.wc } }, ipp, r.g, r.h, r.delta);
  }
  const weights = ch.weights!;
  const { g, h, delta } = kernels.bpScalars({
    n1,
    n,
    padded,
    yInv,
    x: ch.x,
    u: ch.u,
    a: proof.ipp.a,
    b: proof.ipp.b,
    sFirst: ipp.allInv,
    uSq: ipp.uSq,
    wL: weights.wL,
    wR: weights.wR,
    wO: weights.wO,
  });
  return assembleParts(inp, { ...ch, weights }, ipp, g, h, delta);
}

/**
 * The inner-product verifier's transcript steps (as `ippVerificationScalars`: domain separator, n,
 * then L, R and the challenge u of each round), returning the squared challenges, their inverses and
 * 1/(u₁…u_k) without expanding the s vector (the kernel does that).
 */
function ippChallenges(
  proof: R1csProof["ipp"],
  n: number,
  transcript: Transcript,
  inv: (x: bigint) => bigint,
): { uSq: bigint[]; uInvSq: bigint[]; allInv: bigint } {
  const k = proof.lVec.length;
  if (proof.rVec.length !== k || k >= 32 || n !== 2 ** k)
    throw new R1csError(R1csCode.VERIFICATION_FAILED, {
      what: "inner-product rounds",
      expected: n,
      actual: k,
    });
  transcript.appendMessage(lbl.DOM_SEP, utf8(lbl.IPP_DOMAIN));
  transcript.appendU64(lbl.IPP_N, n);
  const u: bigint[] = [];
  for (let j = 0; j < k; j++) {
    const Lj = proof.lVec[j]!;
    const Rj = proof.rVec[j]!;
    if (isIdentityEncoding(Lj)) throw new R1csError(R1csCode.INVALID_POINT, { what: "ipp L", index: j });
    transcript.appendPoint(lbl.LABEL_L, Lj);
    if (isIdentityEncoding(Rj)) throw new R1csError(R1csCode.INVALID_POINT, { what: "ipp R", index: j });
    transcript.appendPoint(lbl.LABEL_R, Rj);
    const uj = transcript.challengeScalar(lbl.LABEL_U);
    if (uj === 0n)
      throw new R1csError(R1csCode.VERIFICATION_FAILED, { what: "zero ipp challenge", index: j });
    u.push(uj);
  }
  // Montgomery's trick with one (native) inversion: prefix[j] = u_0…u_(j-1).
  const prefix = new Array<bigint>(k);
  let acc = 1n;
  for (let j = 0; j < k; j++) {
    prefix[j] = acc;
    acc = (acc * u[j]!) % L;
  }
  const allInv = inv(acc);
  const uInv = new Array<bigint>(k);
  let running = allInv;
  for (let j = k - 1; j >= 0; j--) {
    uInv[j] = (running * prefix[j]!) % L;
    running = (running * u[j]!) % L;
  }
  return { uSq: u.map((v) => (v * v) % L), uInvSq: uInv.map((v) => (v * v) % L), allInv };
}

interface Challenges {
  readonly y: bigint;
  readonly z: bigint;
  readonly u: bigint;
  readonly x: bigint;
  readonly w: bigint;
  readonly padded: number;
  /** The flattened weights (undefined when the caller flattens natively). */
  readonly weights: FlatWeights | undefined;
}

/**
 * Capacity check, A_I2..S2, y, z, T's, u, x, t_x.., w, then (if `flatten`) the flattened weights
 * for z.
 */
function verifierChallenges(inp: FinishInput, flatten = true): Challenges {
  const { transcript: t, proof, n } = inp;
  const m = inp.V.length;
  const padded = nextPowerOfTwo(n);
  if (padded > inp.bpGens.capacity)
    throw new R1csError(R1csCode.GENERATORS_CAPACITY, { needed: padded, capacity: inp.bpGens.capacity });

  // Phase-2 points may be the identity (one-phase proofs): appended without a check.
  t.appendPoint(lbl.LABEL_A_I2, proof.aI2);
  t.appendPoint(lbl.LABEL_A_O2, proof.aO2);
  t.appendPoint(lbl.LABEL_S2, proof.s2);
  const y = t.challengeScalar(lbl.LABEL_Y);
  const z = t.challengeScalar(lbl.LABEL_Z);
  appendNonIdentity(t, lbl.LABEL_T1, proof.t1);
  appendNonIdentity(t, lbl.LABEL_T3, proof.t3);
  appendNonIdentity(t, lbl.LABEL_T4, proof.t4);
  appendNonIdentity(t, lbl.LABEL_T5, proof.t5);
  appendNonIdentity(t, lbl.LABEL_T6, proof.t6);
  const u = t.challengeScalar(lbl.LABEL_U);
  const x = t.challengeScalar(lbl.LABEL_X);
  t.appendScalar(lbl.LABEL_T_X, proof.tX);
  t.appendScalar(lbl.LABEL_T_X_BLINDING, proof.tXBlinding);
  t.appendScalar(lbl.LABEL_E_BLINDING, proof.eBlinding);
  const w = t.challengeScalar(lbl.LABEL_W);

  if (!flatten) return { y, z, u, x, w, padded, weights: undefined };
  const weights = inp.flatten(z);
  const { wL, wR, wO, wV } = weights;
  if (wL.length !== n || wR.length !== n || wO.length !== n || wV.length !== m)
    throw new RangeError("finishVerification: weights do not match the constraint system");
  return { y, z, u, x, w, padded, weights };
}

/** The dynamic terms and the B, B2 scalars around the generator scalars g, h. */
function assembleParts(
  inp: FinishInput,
  ch: {
    readonly u: bigint;
    readonly x: bigint;
    readonly w: bigint;
    readonly weights: Pick<FlatWeights, "wV" | "wc">;
  },
  ipp: { readonly uSq: readonly bigint[]; readonly uInvSq: readonly bigint[] },
  g: ScalarList,
  h: ScalarList,
  delta: bigint,
): StatementParts {
  const { proof } = inp;
  const m = inp.V.length;
  const { u, x, w } = ch;
  const { wV, wc } = ch.weights;
  const { a, b } = proof.ipp;
  const xPow = powers(x, 7);
  const [x1, x2, x3] = [xPow[1]!, xPow[2]!, xPow[3]!];

  const names: string[] = ["A_I1", "A_O1", "S1", "A_I2", "A_O2", "S2"];
  const points: CompressedPoint[] = [proof.aI1, proof.aO1, proof.s1, proof.aI2, proof.aO2, proof.s2];
  const ux = (u * x1) % L;
  const c0: bigint[] = [x1, x2, x3, ux, (ux * x1) % L, (ux * x2) % L];
  const c1: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n];
  for (let i = 0; i < m; i++) {
    names.push(`V[${i}]`);
    points.push(inp.V[i]!);
    c0.push(0n);
    c1.push((wV[i]! * x2) % L);
  }
  const tPoints = [proof.t1, proof.t3, proof.t4, proof.t5, proof.t6];
  const tNames = ["T_1", "T_3", "T_4", "T_5", "T_6"];
  const tExps = [1, 3, 4, 5, 6];
  for (let k = 0; k < 5; k++) {
    names.push(tNames[k]!);
    points.push(tPoints[k]!);
    c0.push(0n);
    c1.push(xPow[tExps[k]!]!);
  }
  for (let j = 0; j < proof.ipp.lVec.length; j++) {
    names.push(`ipp L[${j}]`);
    points.push(proof.ipp.lVec[j]!);
    c0.push(ipp.uSq[j]!);
    c1.push(0n);
  }
  for (let j = 0; j < proof.ipp.rVec.length; j++) {
    names.push(`ipp R[${j}]`);
    points.push(proof.ipp.rVec[j]!);
    c0.push(ipp.uInvSq[j]!);
    c1.push(0n);
  }
  const bC0 = (w * ((proof.tX - a * b) % L) + L * L) % L;
  const bC1 = (((x2 * ((wc + delta) % L) - proof.tX) % L) + L) % L;
  const b2C0 = (L - proof.eBlinding) % L;
  const b2C1 = (L - proof.tXBlinding) % L;
  return {
    names,
    points,
    c0,
    c1,
    b: [bC0, bC1],
    b2: [b2C0, b2C1],
    g,
    h,
    paddedN: nextPowerOfTwo(inp.n),
  };
}

/**
 * Combines the two equations with the weight r and decodes the points (R1CS_INVALID_POINT naming
 * the field if one is not a valid encoding).
 * @internal
 */
export function combineParts(parts: StatementParts, r: bigint, bpGens: BulletproofGens): PointStatement {
  // Points stay compressed: the MSM backend decodes them (natively when it can). An undecodable
  // point makes the statement's check fail with CRYPTO_INVALID_POINT; `verify` names the field.
  const points = parts.points;
  const scalars = parts.c0.map((c, i) => (c + r * parts.c1[i]!) % L);
  return {
    b: (parts.b[0] + r * parts.b[1]) % L,
    b2: (parts.b2[0] + r * parts.b2[1]) % L,
    fixed: [
      { bases: bpGens.G, scalars: parts.g },
      { bases: bpGens.H, scalars: parts.h },
    ],
    scalars,
    points,
  };
}

/**
 * Number of terms of the verification MSM for m commitments and `paddedN` multipliers, counted as
 * the reference does: 6 + m + 5 + 2 (B, B2) + 2·paddedN + 2·lg(paddedN).
 */
export function verificationMsmSize(m: number, paddedN: number): number {
  return 6 + m + 5 + 2 + 2 * paddedN + 2 * Math.log2(paddedN);
}
