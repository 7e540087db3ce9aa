/**
 * The constraint-system interface shared by the R1CS prover and verifier, so a gadget is written
 * once and runs on both sides (dalek-cryptography/bulletproofs `develop`, docs/notes-r1cs.md
 * "Constraint system", "Gadgets", "Randomized constraints").
 *
 * Proofs have two phases. In phase 1 gadgets allocate multipliers and add constraints that use no
 * challenges. A gadget that needs challenges registers a callback with
 * `specifyRandomizedConstraints`; the callbacks run, in registration order, after the phase-1
 * multipliers are committed (A_I1, A_O1, S1 in the transcript), and may draw challenge scalars.
 * Multipliers allocated there are committed separately (A_I2, A_O2, S2).
 */
import type { Transcript } from "../crypto/transcript.js";
import type { LcLike, Variable } from "./linearCombination.js";

/** The three wires of a multiplier: left, right and output (output = left · right). */
export type MultiplierVars = readonly [left: Variable, right: Variable, output: Variable];

/** Size of a constraint system. */
export interface Metrics {
  /** Multipliers allocated so far (both phases). */
  readonly multipliers: number;
  readonly phaseOneMultipliers: number;
  readonly phaseTwoMultipliers: number;
  /** Linear constraints added so far (both phases; each `multiply` adds two). */
  readonly constraints: number;
  readonly phaseOneConstraints: number;
  readonly phaseTwoConstraints: number;
  /** Randomized-constraint callbacks registered but not run yet. */
  readonly pendingRandomizations: number;
}

/** Callback producing randomized constraints (run after the phase-1 commitments). */
export type RandomizedCallback = (cs: RandomizedConstraintSystem) => void;

export interface ConstraintSystem {
  /** True on the prover side (assignments are known), false on the verifier side. */
  readonly isProver: boolean;

  /**
   * The proof transcript. Callers may append their own messages to it (e.g. ZkVM appends its txid
   * after committing all variables, before proving or verifying).
   */
  readonly transcript: Transcript;

  /**
   * Allocates a multiplier whose inputs are constrained to equal `left` and `right`, and returns
   * its wires. The prover computes the assignments by evaluating both combinations.
   */
  multiply(left: LcLike, right: LcLike): MultiplierVars;

  /**
   * Allocates one unconstrained variable: the left wire of a new multiplier, or the right wire of
   * the multiplier started by the previous `allocate` call. The prover must pass the value
   * (R1CS_MISSING_ASSIGNMENT otherwise); the verifier ignores it.
   */
  allocate(assignment?: bigint): Variable;

  /**
   * Allocates a multiplier with unconstrained inputs and returns its wires. The prover must pass
   * both input values (R1CS_MISSING_ASSIGNMENT otherwise); the verifier ignores them.
   */
  allocateMultiplier(inputs?: readonly [bigint, bigint]): MultiplierVars;

  /** Adds the constraint `lc = 0`. */
  constrain(lc: LcLike): void;

  /** Current size of the constraint system. */
  metrics(): Metrics;

  /**
   * Registers a callback that adds randomized constraints. In phase 1 it is queued until the
   * phase-1 commitments are in the transcript; during phase 2 it runs at once.
   */
  specifyRandomizedConstraints(callback: RandomizedCallback): void;

  /** The value of `lc` under the prover's assignment; undefined on the verifier. */
  evaluate(lc: LcLike): bigint | undefined;
}

/** The constraint system seen by randomized-constraint callbacks: it can also draw challenges. */
export interface RandomizedConstraintSystem extends ConstraintSystem {
  /** A challenge scalar bound to every commitment made so far (label as in dalek, e.g. "shuffle challenge"). */
  challengeScalar(label: string | Uint8Array): bigint;
}
