/**
 * Cloak values: a quantity and a flavor (stellar/slingshot `spacesuit/spec.md`, "Value",
 * "Quantity", "Flavor"), their variables in a constraint system, and their Pedersen commitments
 * (one commitment per component).
 *
 * - `Value` is the secret pair (q, f): q a signed integer, f a scalar.
 * - `AllocatedValue` is the pair of R1CS variables standing for q and f, with the assignment when
 *   the prover knows it.
 * - `CommittedValue` is the pair of commitments (Q, F) a verifier sees.
 *
 * A value allocated inside a gadget takes one multiplier whose left wire is q and right wire is f
 * (`allocateValue`); values coming from outside are two committed variables (`commitValue` on the
 * prover, `verifierCommitValue` on the verifier).
 */
import type { ConstraintSystem } from "../bulletproofs/constraintSystem.js";
import type { Variable } from "../bulletproofs/linearCombination.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import { encodeScalar, L, mod, randomScalar } from "../crypto/scalar.js";
import { toHex } from "../util/bytes.js";
import type { Rng } from "../util/rng.js";
import { CloakCode, CloakError } from "./errors.js";
import { SignedInteger } from "./signedInteger.js";

/** A secret value: quantity q and flavor f (a scalar in [0, ℓ)). */
export interface Value {
  readonly q: SignedInteger;
  readonly f: bigint;
}

/** The all-zero value (q, f) = (0, 0) used for padding. */
export const ZERO_VALUE: Value = Object.freeze({ q: SignedInteger.ZERO, f: 0n });

/**
 * Builds a value. `q` is an integer (CLOAK_INTEGER_OVERFLOW if |q| ≥ 2^64); `f` is reduced modulo ℓ.
 */
export function makeValue(q: SignedInteger | bigint | number, f: bigint | number): Value {
  const qi = q instanceof SignedInteger ? q : SignedInteger.from(q);
  const fb = typeof f === "bigint" ? f : BigInt(f);
  return { q: qi, f: fb >= 0n && fb < L ? fb : mod(fb) };
}

/** True if both components are equal. */
export function valuesEqual(a: Value, b: Value): boolean {
  return a.q.equals(b.q) && a.f === b.f;
}

/** The flavor as 32-byte little-endian hex (for error metadata). */
export function flavorHex(f: bigint): string {
  return toHex(encodeScalar(f));
}

/** The variables of a value in a constraint system, with the prover's assignment. */
export interface AllocatedValue {
  /** Variable holding the quantity (as a scalar; negative quantities wrap modulo ℓ). */
  readonly q: Variable;
  /** Variable holding the flavor. */
  readonly f: Variable;
  /** The secret value (prover only). */
  readonly assignment?: Value | undefined;
}

/** Pedersen commitments to the quantity and the flavor of a value. */
export interface CommittedValue {
  readonly q: CompressedPoint;
  readonly f: CompressedPoint;
}

/** Wraps two existing variables (e.g. committed ones) as a value. */
export function allocatedValue(q: Variable, f: Variable, assignment?: Value): AllocatedValue {
  return assignment === undefined ? { q, f } : { q, f, assignment };
}

/**
 * Allocates a value inside a gadget: one multiplier with left wire q and right wire f (its output
 * is unused). The prover passes the assignment; the verifier passes nothing.
 */
export function allocateValue(cs: ConstraintSystem, assignment?: Value): AllocatedValue {
  const [q, f] = cs.allocateMultiplier(
    assignment === undefined ? undefined : [assignment.q.toScalar(), assignment.f],
  );
  return allocatedValue(q, f, assignment);
}

/** The part of the R1CS prover used to commit values. */
export interface ValueProver {
  commit(
    value: bigint,
    blinding: bigint,
  ): { readonly commitment: CompressedPoint; readonly variable: Variable };
}

/** The part of the R1CS verifier used to commit values. */
export interface ValueVerifier {
  commit(commitment: CompressedPoint): Variable;
}

/** Blinding factors of a committed value. */
export interface ValueBlindings {
  readonly q: bigint;
  readonly f: bigint;
}

/**
 * Prover: commits to q then f with the given blindings (or fresh ones from `rng`, q's first) and
 * returns the commitments and the allocated value.
 */
export function commitValue(
  prover: ValueProver,
  value: Value,
  blindings: ValueBlindings | Rng,
): { committed: CommittedValue; allocated: AllocatedValue } {
  const bq = "fillBytes" in blindings ? randomScalar(blindings) : blindings.q;
  const bf = "fillBytes" in blindings ? randomScalar(blindings) : blindings.f;
  const cq = prover.commit(value.q.toScalar(), bq);
  const cf = prover.commit(value.f, bf);
  return {
    committed: { q: cq.commitment, f: cf.commitment },
    allocated: allocatedValue(cq.variable, cf.variable, value),
  };
}

/** Prover: commits a list of values in order (see `commitValue`). */
export function commitValues(
  prover: ValueProver,
  values: readonly Value[],
  rng: Rng,
): { committed: CommittedValue[]; allocated: AllocatedValue[] } {
  const committed: CommittedValue[] = [];
  const allocated: AllocatedValue[] = [];
  for (const v of values) {
    const c = commitValue(prover, v, rng);
    committed.push(c.committed);
    allocated.push(c.allocated);
  }
  return { committed, allocated };
}

/** Verifier: adds the commitments Q then F and returns the (unassigned) value. */
export function verifierCommitValue(verifier: ValueVerifier, committed: CommittedValue): AllocatedValue {
  const q = verifier.commit(committed.q);
  const f = verifier.commit(committed.f);
  return allocatedValue(q, f);
}

/** Verifier: commits a list of values in order. */
export function verifierCommitValues(
  verifier: ValueVerifier,
  committed: readonly CommittedValue[],
): AllocatedValue[] {
  return committed.map((c) => verifierCommitValue(verifier, c));
}

/**
 * The assignments of `values`, or CLOAK_MISSING_ASSIGNMENT naming the first value without one.
 * Used by prover-side gadgets.
 */
export function assignmentsOf(values: readonly AllocatedValue[], what: string): Value[] {
  return values.map((v, index) => {
    if (v.assignment === undefined) throw new CloakError(CloakCode.MISSING_ASSIGNMENT, { what, index });
    return v.assignment;
  });
}
