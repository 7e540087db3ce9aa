/**
 * The R1CS prover (dalek-cryptography/bulletproofs `develop`, docs/cs-proof.md "Prover's
 * algorithm"; transcript order and labels as src/r1cs/prover.rs).
 *
 * Usage: create with the caller's transcript, `commit` the secret values, run the gadgets against
 * the prover (it is a `ConstraintSystem`), optionally append to `transcript` (ZkVM appends its
 * txid here), then `prove`. The prover is consumed by `prove`.
 *
 * Secret handling: A_I, A_O, S and the T commitments are computed with `secretMsm` (fixed-window,
 * scalar-independent operation sequence); commitments to values use it too. The inner-product
 * rounds use the variable-time MSM backend on scalars derived from l(x), r(x) (see
 * innerProduct.ts). Blinding factors come from the transcript RNG: the transcript state, rekeyed
 * with every commitment blinding ("v_blinding"), finalized with the injected `Rng`. Bigints cannot
 * be wiped, so secrets stay in memory until collected.
 */
import { type BulletproofGens, type PedersenGens, pedersenGens } from "../crypto/generators.js";
import type { MsmBackend } from "../crypto/msm/index.js";
import { CompressedPoint, mulPublic, type Point } from "../crypto/ristretto.js";
import { invert, L, randomScalar } from "../crypto/scalar.js";
import type { Transcript } from "../crypto/transcript.js";
import type { Rng } from "../util/rng.js";
import { ConstraintSystemBase } from "./csBase.js";
import { R1csCode, R1csError } from "./errors.js";
import { flattenConstraints, nextPowerOfTwo, powers } from "./flatten.js";
import { innerProduct, proveInnerProduct } from "./innerProduct.js";
import * as lbl from "./labels.js";
import { type LcLike, LinearCombination, toScalar, Variable, VariableKind } from "./linearCombination.js";
import { identityCompressed, type R1csProof } from "./proof.js";
import { cachedPointTable, fixedTable, type PointTable, secretMsm } from "./secretMsm.js";

/** A commitment made by the prover and the variable that stands for its value. */
export interface Committed {
  readonly commitment: CompressedPoint;
  readonly variable: Variable;
}

export interface ProveOptions {
  /**
   * Check every constraint against the assignment and throw R1CS_UNSATISFIED_CONSTRAINT (with
   * the constraint's index and phase) if one fails — phase-1 constraints before anything is
   * committed, phase-2 ones right after the randomized callbacks ran (default true). With false,
   * an unsatisfiable assignment yields a proof that fails verification, as dalek's prover does.
   */
  readonly checkConstraints?: boolean;
  /** MSM backend for the inner-product rounds (public scalars only). */
  readonly backend?: MsmBackend;
}

/** The R1CS prover: a constraint system that knows the assignment. */
export class Prover extends ConstraintSystemBase {
  readonly isProver = true;
  private readonly pc: PedersenGens;
  private readonly aL: bigint[] = [];
  private readonly aR: bigint[] = [];
  private readonly aO: bigint[] = [];
  private readonly v: bigint[] = [];
  private readonly vBlinding: bigint[] = [];

  /**
   * Starts a proof on `transcript` (appends the "r1cs v1" domain separator). Commitments use the
   * default Pedersen generators, which the verifier's statements assume.
   */
  constructor(transcript: Transcript) {
    super(transcript);
    this.pc = pedersenGens();
  }

  protected get multiplierCount(): number {
    return this.aL.length;
  }

  protected pushMultiplier(left: bigint | undefined, right: bigint | undefined): number {
    // Both are defined on the prover (checked by the callers).
    const l = toScalar(left ?? 0n);
    const r = toScalar(right ?? 0n);
    this.aL.push(l);
    this.aR.push(r);
    this.aO.push((l * r) % L);
    return this.aL.length - 1;
  }

  protected setRightInput(i: number, right: bigint | undefined): void {
    const r = toScalar(right ?? 0n);
    this.aR[i] = r;
    this.aO[i] = (this.aL[i]! * r) % L;
  }

  /**
   * Commits to `value` with `blinding` (V = value·B + blinding·B2), appends V to the transcript
   * under "V" and returns V with its variable. Must precede `prove`.
   */
  commit(value: bigint, blinding: bigint): Committed {
    this.ensureOpen("commit");
    if (!this.inPhaseOne) throw new TypeError("commit: phase 1 is over");
    const v = toScalar(value);
    const vb = toScalar(blinding);
    const V = CompressedPoint.fromPoint(this.pedersenCommit(v, vb));
    this.v.push(v);
    this.vBlinding.push(vb);
    this.transcript.appendPoint(lbl.LABEL_V, V);
    return { commitment: V, variable: new Variable(VariableKind.Committed, this.v.length - 1) };
  }

  /** The value of a linear combination under the current assignment (RangeError on an unknown variable). */
  override evaluate(lc: LcLike): bigint {
    let acc = 0n;
    for (const { variable, coeff } of LinearCombination.from(lc).terms)
      acc += coeff * this.assigned(variable);
    return acc % L;
  }

  private assigned(v: Variable): bigint {
    let x: bigint | undefined;
    switch (v.kind) {
      case VariableKind.Committed:
        x = this.v[v.index];
        break;
      case VariableKind.MultiplierLeft:
        x = this.aL[v.index];
        break;
      case VariableKind.MultiplierRight:
        x = this.aR[v.index];
        break;
      case VariableKind.MultiplierOutput:
        x = this.aO[v.index];
        break;
      case VariableKind.One:
        x = 1n;
        break;
    }
    if (x === undefined) throw new RangeError(`evaluate: unknown variable ${v.toString()}`);
    return x;
  }

  private pedersenCommit(value: bigint, blinding: bigint): Point {
    return secretMsm([cachedPointTable(this.pc.B), cachedPointTable(this.pc.B2)], [value, blinding]);
  }

  private checkConstraints(from: number, to: number, phase: number): void {
    for (let q = from; q < to; q++)
      if (this.evaluate(this.constraints[q]!) !== 0n)
        throw new R1csError(R1csCode.UNSATISFIED_CONSTRAINT, { index: q, phase });
  }

  /**
   * Consumes the prover and makes the proof: appends "m", commits phase 1, runs the randomized
   * callbacks, commits phase 2, then the t-polynomial and inner-product steps. Throws
   * R1CS_GENERATORS_CAPACITY if the padded multiplier count exceeds `bpGens.capacity`.
   */
  prove(bpGens: BulletproofGens, rng: Rng, opts: ProveOptions = {}): R1csProof {
    this.ensureOpen("prove");
    if (!this.inPhaseOne) throw new TypeError("prove: already proving");
    try {
      return this.proveInner(bpGens, rng, opts);
    } finally {
      this.finish();
    }
  }

  private proveInner(bpGens: BulletproofGens, rng: Rng, opts: ProveOptions): R1csProof {
    const check = opts.checkConstraints ?? true;
    const t = this.transcript;
    const { B, B2 } = this.pc;
    const m = this.v.length;
    if (check) this.checkConstraints(0, this.constraints.length, 1);

    t.appendU64(lbl.LABEL_M, m);
    const builder = t.buildRng();
    for (const vb of this.vBlinding) builder.rekeyWithWitnessScalar(lbl.LABEL_V_BLINDING, vb);
    const trng = builder.finalize(rng);
    const rand = (): bigint => randomScalar(trng);

    const n1 = this.aL.length;
    checkCapacity(n1, bpGens);
    const b2Table = cachedPointTable(B2);

    const iBlinding1 = rand();
    const oBlinding1 = rand();
    const sBlinding1 = rand();
    const sL: bigint[] = [];
    const sR: bigint[] = [];
    for (let i = 0; i < n1; i++) sL.push(rand());
    for (let i = 0; i < n1; i++) sR.push(rand());

    const commitRange = (from: number, to: number, bI: bigint, bO: bigint, bS: bigint) => {
      const gT: PointTable[] = [];
      const hT: PointTable[] = [];
      for (let i = from; i < to; i++) {
        gT.push(fixedTable(bpGens.G, i));
        hT.push(fixedTable(bpGens.H, i));
      }
      // A_I = bI·B2 + ⟨a_L, G⟩ + ⟨a_R, H⟩ ; A_O = bO·B2 + ⟨a_O, G⟩ ; S = bS·B2 + ⟨s_L, G⟩ + ⟨s_R, H⟩
      const AI = secretMsm(
        [b2Table, ...gT, ...hT],
        [bI, ...this.aL.slice(from, to), ...this.aR.slice(from, to)],
      );
      const AO = secretMsm([b2Table, ...gT], [bO, ...this.aO.slice(from, to)]);
      const S = secretMsm([b2Table, ...gT, ...hT], [bS, ...sL.slice(from, to), ...sR.slice(from, to)]);
      return [AI, AO, S].map((p) => CompressedPoint.fromPoint(p)) as [
        CompressedPoint,
        CompressedPoint,
        CompressedPoint,
      ];
    };

    const [aI1, aO1, s1] = commitRange(0, n1, iBlinding1, oBlinding1, sBlinding1);
    t.appendPoint(lbl.LABEL_A_I1, aI1);
    t.appendPoint(lbl.LABEL_A_O1, aO1);
    t.appendPoint(lbl.LABEL_S1, s1);

    this.runPhaseTwo();
    const n = this.aL.length;
    if (check) this.checkConstraints(this.metrics().phaseOneConstraints, this.constraints.length, 2);
    const n2 = n - n1;
    const padded = nextPowerOfTwo(n);
    checkCapacity(padded, bpGens);

    let iBlinding2 = 0n;
    let oBlinding2 = 0n;
    let sBlinding2 = 0n;
    let aI2 = identityCompressed();
    let aO2 = identityCompressed();
    let s2 = identityCompressed();
    if (n2 > 0) {
      iBlinding2 = rand();
      oBlinding2 = rand();
      sBlinding2 = rand();
      for (let i = 0; i < n2; i++) sL.push(rand());
      for (let i = 0; i < n2; i++) sR.push(rand());
      [aI2, aO2, s2] = commitRange(n1, n, iBlinding2, oBlinding2, sBlinding2);
    }
    t.appendPoint(lbl.LABEL_A_I2, aI2);
    t.appendPoint(lbl.LABEL_A_O2, aO2);
    t.appendPoint(lbl.LABEL_S2, s2);

    const y = t.challengeScalar(lbl.LABEL_Y);
    const z = t.challengeScalar(lbl.LABEL_Z);
    const { wL, wR, wO, wV } = flattenConstraints(this.constraints, z, n, m);

    // l(x) = l1·x + l2·x² + l3·x³ ; r(x) = r0 + r1·x + r3·x³ (docs/cs-proof.md)
    const yPow = powers(y, padded);
    const yInvPow = powers(invert(y), padded);
    const l1 = new Array<bigint>(n);
    const l2 = this.aO;
    const l3 = sL;
    const r0 = new Array<bigint>(n);
    const r1 = new Array<bigint>(n);
    const r3 = new Array<bigint>(n);
    for (let i = 0; i < n; i++) {
      l1[i] = (this.aL[i]! + yInvPow[i]! * wR[i]!) % L;
      r0[i] = (wO[i]! - yPow[i]! + L) % L;
      r1[i] = (yPow[i]! * this.aR[i]! + wL[i]!) % L;
      r3[i] = (yPow[i]! * sR[i]!) % L;
    }
    const ip = (a: readonly bigint[], b: readonly bigint[]): bigint => {
      let acc = 0n;
      for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
      return acc;
    };
    const tc = [
      0n,
      ip(l1, r0) % L,
      (ip(l1, r1) + ip(l2, r0)) % L,
      (ip(l2, r1) + ip(l3, r0)) % L,
      (ip(l1, r3) + ip(l3, r1)) % L,
      ip(l2, r3) % L,
      ip(l3, r3) % L,
    ];
    const tb = [0n, rand(), 0n, rand(), rand(), rand(), rand()];
    const T = [1, 3, 4, 5, 6].map((k) => CompressedPoint.fromPoint(this.pedersenCommit(tc[k]!, tb[k]!)));
    t.appendPoint(lbl.LABEL_T1, T[0]!);
    t.appendPoint(lbl.LABEL_T3, T[1]!);
    t.appendPoint(lbl.LABEL_T4, T[2]!);
    t.appendPoint(lbl.LABEL_T5, T[3]!);
    t.appendPoint(lbl.LABEL_T6, T[4]!);

    const u = t.challengeScalar(lbl.LABEL_U);
    const x = t.challengeScalar(lbl.LABEL_X);

    tb[2] = innerProduct(wV, this.vBlinding);
    const xPow = powers(x, 7);
    let tX = 0n;
    let tXBlinding = 0n;
    for (let k = 1; k <= 6; k++) {
      tX += tc[k]! * xPow[k]!;
      tXBlinding += tb[k]! * xPow[k]!;
    }
    tX %= L;
    tXBlinding %= L;

    const lVec = new Array<bigint>(padded).fill(0n);
    const rVec = new Array<bigint>(padded);
    const [x1, x2, x3] = [xPow[1]!, xPow[2]!, xPow[3]!];
    for (let i = 0; i < n; i++) {
      lVec[i] = (l1[i]! * x1 + l2[i]! * x2 + l3[i]! * x3) % L;
      rVec[i] = (r0[i]! + r1[i]! * x1 + r3[i]! * x3) % L;
    }
    // Padding multipliers have zero wires and weights: l gets 0, r gets -y^i.
    for (let i = n; i < padded; i++) rVec[i] = (L - yPow[i]!) % L;

    const iBlinding = (iBlinding1 + u * iBlinding2) % L;
    const oBlinding = (oBlinding1 + u * oBlinding2) % L;
    const sBlinding = (sBlinding1 + u * sBlinding2) % L;
    const eBlinding = (x * ((iBlinding + x * ((oBlinding + x * sBlinding) % L)) % L)) % L;

    t.appendScalar(lbl.LABEL_T_X, tX);
    t.appendScalar(lbl.LABEL_T_X_BLINDING, tXBlinding);
    t.appendScalar(lbl.LABEL_E_BLINDING, eBlinding);
    const w = t.challengeScalar(lbl.LABEL_W);
    const Q = mulPublic(B, w);

    const gFactors = new Array<bigint>(padded);
    const hFactors = new Array<bigint>(padded);
    for (let i = 0; i < padded; i++) {
      gFactors[i] = i < n1 ? 1n : u;
      hFactors[i] = (yInvPow[i]! * gFactors[i]!) % L;
    }
    const ipp = proveInnerProduct(t, {
      Q,
      gFactors,
      hFactors,
      G: bpGens.G,
      H: bpGens.H,
      a: lVec,
      b: rVec,
      ...(opts.backend ? { backend: opts.backend } : {}),
    });

    return {
      aI1,
      aO1,
      s1,
      aI2,
      aO2,
      s2,
      t1: T[0]!,
      t3: T[1]!,
      t4: T[2]!,
      t5: T[3]!,
      t6: T[4]!,
      tX,
      tXBlinding,
      eBlinding,
      ipp,
    };
  }
}

function checkCapacity(needed: number, bpGens: BulletproofGens): void {
  if (needed > bpGens.capacity)
    throw new R1csError(R1csCode.GENERATORS_CAPACITY, { needed, capacity: bpGens.capacity });
}
