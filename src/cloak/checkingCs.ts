/**
 * A constraint system that checks instead of proving: it records committed values, multipliers and
 * constraints, runs the randomized-constraint callbacks with challenges drawn from its own transcript
 * (deterministic: they depend only on the labels drawn so far), records every challenge label, and
 * evaluates each constraint under the prover's assignment. Gadget tests use it to check
 * satisfiability, multiplier counts per phase and challenge order cheaply, without curve operations.
 *
 * It follows the allocation rules of the R1CS interface (src/bulletproofs/constraintSystem.ts):
 * `allocate` fills the left then the right wire of a multiplier; callbacks registered in phase 1
 * run in order when `runPhaseTwo` is called; afterwards they run at once. It is independent of the
 * real prover and verifier, so it doubles as a cross-check of their bookkeeping.
 *
 * Not part of the protocol; used by tests (and usable by higher layers' tests).
 */
import type {
  ConstraintSystem,
  Metrics,
  MultiplierVars,
  RandomizedCallback,
  RandomizedConstraintSystem,
} from "../bulletproofs/constraintSystem.js";
import { R1csCode, R1csError } from "../bulletproofs/errors.js";
import {
  type LcLike,
  LinearCombination,
  toScalar,
  Variable,
  VariableKind,
} from "../bulletproofs/linearCombination.js";
import { L } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";

/** Where a constraint fails. */
export interface Unsatisfied {
  /** Position of the constraint in `constrain` order (as R1CS_UNSATISFIED_CONSTRAINT's meta.index). */
  readonly index: number;
  readonly phase: 1 | 2;
  /** The constraint, printed. */
  readonly constraint: string;
}

export interface CheckingCsOptions {
  /** Prover mode (assignments required and checked) or verifier mode (structure only). Default true. */
  readonly isProver?: boolean;
  /** Label of the transcript the challenges come from (default "cloak test"). */
  readonly transcriptLabel?: string;
}

/** Records a constraint system and checks it against the prover's assignment. */
export class CheckingConstraintSystem implements ConstraintSystem {
  readonly isProver: boolean;
  readonly transcript: Transcript;
  /** Challenge labels in the order drawn. */
  readonly challengeLabels: string[] = [];
  private readonly v: (bigint | undefined)[] = [];
  private readonly aL: (bigint | undefined)[] = [];
  private readonly aR: (bigint | undefined)[] = [];
  private readonly constraints: LinearCombination[] = [];
  private deferred: RandomizedCallback[] = [];
  private inPhaseTwo = false;
  private n1 = 0;
  private q1 = 0;
  private pending: number | undefined;

  constructor(opts: CheckingCsOptions = {}) {
    this.isProver = opts.isProver ?? true;
    this.transcript = Transcript.create(opts.transcriptLabel ?? "cloak test");
  }

  /** Adds a committed variable (the prover passes its value). */
  commit(value?: bigint): Variable {
    if (this.inPhaseTwo) throw new TypeError("commit: phase 1 is over");
    if (this.isProver && value === undefined)
      throw new R1csError(R1csCode.MISSING_ASSIGNMENT, { what: "commit" });
    this.v.push(value === undefined ? undefined : toScalar(value));
    return new Variable(VariableKind.Committed, this.v.length - 1);
  }

  /** Replaces the value of committed variable i (to model a prover lying about a commitment). */
  setCommitted(i: number, value: bigint): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.v.length)
      throw new RangeError(`setCommitted: bad index ${i}`);
    this.v[i] = toScalar(value);
  }

  multiply(left: LcLike, right: LcLike): MultiplierVars {
    const l = LinearCombination.from(left);
    const r = LinearCombination.from(right);
    const i = this.push(this.evaluate(l), this.evaluate(r));
    const vars = wires(i);
    this.constraints.push(l.sub(vars[0]), r.sub(vars[1]));
    return vars;
  }

  allocate(assignment?: bigint): Variable {
    if (this.isProver && assignment === undefined)
      throw new R1csError(R1csCode.MISSING_ASSIGNMENT, { what: "allocate", index: this.aL.length });
    if (this.pending === undefined) {
      this.pending = this.push(assignment, this.isProver ? 0n : undefined);
      return new Variable(VariableKind.MultiplierLeft, this.pending);
    }
    const i = this.pending;
    this.pending = undefined;
    this.aR[i] = assignment === undefined ? undefined : toScalar(assignment);
    return new Variable(VariableKind.MultiplierRight, i);
  }

  allocateMultiplier(inputs?: readonly [bigint, bigint]): MultiplierVars {
    if (this.isProver && inputs === undefined)
      throw new R1csError(R1csCode.MISSING_ASSIGNMENT, { what: "allocateMultiplier", index: this.aL.length });
    return wires(this.push(inputs?.[0], inputs?.[1]));
  }

  constrain(lc: LcLike): void {
    this.constraints.push(LinearCombination.from(lc));
  }

  metrics(): Metrics {
    const n = this.aL.length;
    const q = this.constraints.length;
    const n1 = this.inPhaseTwo ? this.n1 : n;
    const q1 = this.inPhaseTwo ? this.q1 : q;
    return {
      multipliers: n,
      phaseOneMultipliers: n1,
      phaseTwoMultipliers: n - n1,
      constraints: q,
      phaseOneConstraints: q1,
      phaseTwoConstraints: q - q1,
      pendingRandomizations: this.deferred.length,
    };
  }

  specifyRandomizedConstraints(callback: RandomizedCallback): void {
    if (this.inPhaseTwo) callback(this.view());
    else this.deferred.push(callback);
  }

  /** The value of `lc` (undefined in verifier mode). RangeError on an unknown variable. */
  evaluate(lc: LcLike): bigint | undefined {
    if (!this.isProver) return undefined;
    let acc = 0n;
    for (const { variable, coeff } of LinearCombination.from(lc).terms) acc += coeff * this.valueOf(variable);
    return acc % L;
  }

  /** Ends phase 1 and runs the queued callbacks in order (once; later calls do nothing). */
  runPhaseTwo(): void {
    if (this.inPhaseTwo) return;
    this.n1 = this.aL.length;
    this.q1 = this.constraints.length;
    this.pending = undefined;
    this.inPhaseTwo = true;
    const callbacks = this.deferred;
    this.deferred = [];
    const view = this.view();
    for (const cb of callbacks) cb(view);
  }

  /**
   * Runs phase 2 if needed, then returns the first constraint the assignment violates, or undefined
   * if all hold. Prover mode only.
   */
  firstUnsatisfied(): Unsatisfied | undefined {
    if (!this.isProver) throw new TypeError("firstUnsatisfied: verifier mode has no assignment");
    this.runPhaseTwo();
    for (let q = 0; q < this.constraints.length; q++) {
      const c = this.constraints[q]!;
      if (this.evaluate(c) !== 0n) return { index: q, phase: q < this.q1 ? 1 : 2, constraint: c.toString() };
    }
    return undefined;
  }

  /** Runs phase 2 if needed, then returns every violated constraint in order. Prover mode only. */
  allUnsatisfied(): Unsatisfied[] {
    if (!this.isProver) throw new TypeError("allUnsatisfied: verifier mode has no assignment");
    this.runPhaseTwo();
    const out: Unsatisfied[] = [];
    for (let q = 0; q < this.constraints.length; q++) {
      const c = this.constraints[q]!;
      if (this.evaluate(c) !== 0n)
        out.push({ index: q, phase: q < this.q1 ? 1 : 2, constraint: c.toString() });
    }
    return out;
  }

  /** Like `firstUnsatisfied`, but throws R1CS_UNSATISFIED_CONSTRAINT (as the real prover does). */
  assertSatisfied(): void {
    const u = this.firstUnsatisfied();
    if (u !== undefined)
      throw new R1csError(R1csCode.UNSATISFIED_CONSTRAINT, { index: u.index, phase: u.phase });
  }

  private push(left: bigint | undefined, right: bigint | undefined): number {
    this.aL.push(left === undefined ? undefined : toScalar(left));
    this.aR.push(right === undefined ? undefined : toScalar(right));
    return this.aL.length - 1;
  }

  private valueOf(v: Variable): bigint {
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
      case VariableKind.MultiplierOutput: {
        const l = this.aL[v.index];
        const r = this.aR[v.index];
        x = l === undefined || r === undefined ? undefined : (l * r) % L;
        break;
      }
      case VariableKind.One:
        x = 1n;
        break;
    }
    if (x === undefined) throw new RangeError(`evaluate: unknown variable ${v.toString()}`);
    return x;
  }

  private view(): RandomizedConstraintSystem {
    const drawChallenge = (label: string | Uint8Array): bigint => {
      this.challengeLabels.push(typeof label === "string" ? label : new TextDecoder().decode(label));
      return this.transcript.challengeScalar(label);
    };
    // Every method but challengeScalar forwards to this system.
    return {
      isProver: this.isProver,
      transcript: this.transcript,
      challengeScalar: drawChallenge,
      multiply: (l, r) => this.multiply(l, r),
      allocate: (a) => this.allocate(a),
      allocateMultiplier: (inputs) => this.allocateMultiplier(inputs),
      constrain: (lc) => this.constrain(lc),
      metrics: () => this.metrics(),
      specifyRandomizedConstraints: (cb) => this.specifyRandomizedConstraints(cb),
      evaluate: (lc) => this.evaluate(lc),
    };
  }
}

function wires(i: number): MultiplierVars {
  return [
    new Variable(VariableKind.MultiplierLeft, i),
    new Variable(VariableKind.MultiplierRight, i),
    new Variable(VariableKind.MultiplierOutput, i),
  ];
}
