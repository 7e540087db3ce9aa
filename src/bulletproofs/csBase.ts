/**
 * Book-keeping common to the R1CS prover and verifier: constraints, the multiplier allocation
 * rules (multiply, allocate, allocateMultiplier), the queue of randomized-constraint callbacks and
 * the switch from phase 1 to phase 2 (dalek-cryptography/bulletproofs `develop`,
 * docs/notes-r1cs.md; transcript order as src/r1cs/prover.rs and verifier.rs).
 */
import type { Transcript } from "../crypto/transcript.js";
import { utf8 } from "../util/bytes.js";
import type { ConstraintSystem, Metrics, MultiplierVars, RandomizedCallback } from "./constraintSystem.js";
import { R1csCode, R1csError } from "./errors.js";
import { RandomizingView } from "./flatten.js";
import { DOM_SEP, R1CS_DOMAIN, R1CS_ONE_PHASE, R1CS_TWO_PHASE } from "./labels.js";
import { type LcLike, LinearCombination, Variable, VariableKind } from "./linearCombination.js";

const Phase = { One: 1, Two: 2, Finished: 3 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

export abstract class ConstraintSystemBase implements ConstraintSystem {
  abstract readonly isProver: boolean;
  readonly transcript: Transcript;
  /** All constraints, phase 1 first, in `constrain` order. */
  protected readonly constraints: LinearCombination[] = [];
  private deferred: RandomizedCallback[] = [];
  private phase: Phase = Phase.One;
  private phaseOneMultipliers = 0;
  private phaseOneConstraints = 0;
  /** Index of a multiplier whose left input came from `allocate` and whose right input is still open. */
  private pending: number | undefined;
  private maxMultipliers = Number.POSITIVE_INFINITY;

  protected constructor(transcript: Transcript) {
    this.transcript = transcript;
    transcript.appendMessage(DOM_SEP, utf8(R1CS_DOMAIN));
  }

  /** Number of multipliers allocated so far. */
  protected abstract get multiplierCount(): number;
  /** Appends a multiplier with the given inputs (known on the prover only) and returns its index. */
  protected abstract pushMultiplier(left: bigint | undefined, right: bigint | undefined): number;
  /** Sets the right input of multiplier i (prover: also recomputes its output). */
  protected abstract setRightInput(i: number, right: bigint | undefined): void;
  abstract evaluate(lc: LcLike): bigint | undefined;

  protected ensureOpen(what: string): void {
    if (this.phase === Phase.Finished)
      throw new TypeError(`${what}: the constraint system was already consumed`);
  }

  /**
   * Refuses to allocate more than `n` multipliers (R1CS_GENERATORS_CAPACITY at the first one too
   * many), so an oversized constraint system fails as soon as it exceeds the generators instead of
   * growing until verification.
   */
  limitMultipliers(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`limitMultipliers: bad limit ${n}`);
    this.maxMultipliers = n;
  }

  private checkRoom(): void {
    if (this.multiplierCount >= this.maxMultipliers)
      throw new R1csError(R1csCode.GENERATORS_CAPACITY, {
        what: "multipliers",
        needed: this.multiplierCount + 1,
        capacity: this.maxMultipliers,
      });
  }

  multiply(left: LcLike, right: LcLike): MultiplierVars {
    this.ensureOpen("multiply");
    this.checkRoom();
    const l = LinearCombination.from(left);
    const r = LinearCombination.from(right);
    const i = this.pushMultiplier(this.evaluate(l), this.evaluate(r));
    const vl = new Variable(VariableKind.MultiplierLeft, i);
    const vr = new Variable(VariableKind.MultiplierRight, i);
    const vo = new Variable(VariableKind.MultiplierOutput, i);
    this.constraints.push(l.sub(vl));
    this.constraints.push(r.sub(vr));
    return [vl, vr, vo];
  }

  allocate(assignment?: bigint): Variable {
    this.ensureOpen("allocate");
    if (this.isProver && assignment === undefined)
      throw new R1csError(R1csCode.MISSING_ASSIGNMENT, { what: "allocate", index: this.multiplierCount });
    if (this.pending === undefined) {
      this.checkRoom();
      const i = this.pushMultiplier(assignment, this.isProver ? 0n : undefined);
      this.pending = i;
      return new Variable(VariableKind.MultiplierLeft, i);
    }
    const i = this.pending;
    this.pending = undefined;
    this.setRightInput(i, assignment);
    return new Variable(VariableKind.MultiplierRight, i);
  }

  allocateMultiplier(inputs?: readonly [bigint, bigint]): MultiplierVars {
    this.ensureOpen("allocateMultiplier");
    if (this.isProver && inputs === undefined)
      throw new R1csError(R1csCode.MISSING_ASSIGNMENT, {
        what: "allocateMultiplier",
        index: this.multiplierCount,
      });
    this.checkRoom();
    const i = this.pushMultiplier(inputs?.[0], inputs?.[1]);
    return [
      new Variable(VariableKind.MultiplierLeft, i),
      new Variable(VariableKind.MultiplierRight, i),
      new Variable(VariableKind.MultiplierOutput, i),
    ];
  }

  constrain(lc: LcLike): void {
    this.ensureOpen("constrain");
    this.constraints.push(LinearCombination.from(lc));
  }

  specifyRandomizedConstraints(callback: RandomizedCallback): void {
    this.ensureOpen("specifyRandomizedConstraints");
    if (typeof callback !== "function")
      throw new TypeError("specifyRandomizedConstraints: callback must be a function");
    if (this.phase === Phase.One) this.deferred.push(callback);
    else callback(new RandomizingView(this));
  }

  metrics(): Metrics {
    const n = this.multiplierCount;
    const q = this.constraints.length;
    const n1 = this.phase === Phase.One ? n : this.phaseOneMultipliers;
    const q1 = this.phase === Phase.One ? q : this.phaseOneConstraints;
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

  /** True while phase 1 is open (before `prove`/`verify` starts). */
  protected get inPhaseOne(): boolean {
    return this.phase === Phase.One;
  }

  /** Marks the system consumed (the proof is being made or checked). */
  protected finish(): void {
    this.phase = Phase.Finished;
  }

  /**
   * Ends phase 1 (after A_I1, A_O1, S1 are in the transcript): appends the one- or two-phase
   * domain separator and runs the queued callbacks in order.
   */
  protected runPhaseTwo(): void {
    this.phaseOneMultipliers = this.multiplierCount;
    this.phaseOneConstraints = this.constraints.length;
    // A half-filled multiplier from `allocate` was committed in phase 1; phase 2 starts afresh.
    this.pending = undefined;
    this.phase = Phase.Two;
    const callbacks = this.deferred;
    this.deferred = [];
    if (callbacks.length === 0) {
      this.transcript.appendMessage(DOM_SEP, utf8(R1CS_ONE_PHASE));
      return;
    }
    this.transcript.appendMessage(DOM_SEP, utf8(R1CS_TWO_PHASE));
    const view = new RandomizingView(this);
    for (const cb of callbacks) cb(view);
  }
}
