/**
 * The multi-scalar multiplication (MSM) backend interface: the one place where verification spends
 * its time. Backends compute Σ sᵢ·Pᵢ over public data only (variable time); secret scalars never
 * reach them. Fixed generator sets (B/B2, Bulletproofs G/H) are passed as `FixedBases` objects so a
 * backend can build tables for them once and reuse them in every MSM.
 */
import type { CompressedPoint, Point } from "../ristretto.js";
import { L } from "../scalar.js";

/**
 * A set of generators that recur in many MSMs. Create one per set and keep it: backends key their
 * precomputed tables on the object identity.
 */
export interface FixedBases {
  /** A short name for diagnostics, e.g. "pedersen" or "bp-G". */
  readonly name: string;
  readonly points: readonly Point[];
}

/** Creates a frozen `FixedBases` set. */
export function fixedBases(name: string, points: readonly Point[]): FixedBases {
  return Object.freeze({ name, points: Object.freeze(points.slice()) });
}

/** Scalars for a prefix of a fixed set: term i multiplies `bases.points[i]`. */
export interface FixedTerm {
  readonly bases: FixedBases;
  readonly scalars: readonly bigint[];
}

export interface MsmInput {
  /** Terms over registered fixed sets (each scalar list at most as long as its set). */
  readonly fixed?: readonly FixedTerm[];
  /** Scalars of the dynamic points, same length as `points`. */
  readonly scalars: readonly bigint[];
  /** Dynamic points; compressed ones are decoded by the backend (DECODE_INVALID_POINT on failure). */
  readonly points: readonly (Point | CompressedPoint)[];
}

export interface MsmBackend {
  /** "js" for the pure-JS default, "native" for the addon. */
  readonly name: string;
  /** Optionally builds the tables of a fixed set ahead of its first use. */
  prepare(bases: FixedBases): void;
  /**
   * Σ scalars·points over fixed and dynamic terms. Every scalar must be in [0, ℓ) (RangeError
   * otherwise); an empty input gives the identity.
   */
  msm(input: MsmInput): Point;
}

/** RangeError unless `s` is a bigint in [0, ℓ). */
export function checkMsmScalar(s: bigint): void {
  if (typeof s !== "bigint" || s < 0n || s >= L) throw new RangeError("msm: scalar out of range [0, ℓ)");
}

/**
 * Validates an MSM input before any work (the shared contract of every backend): equal lengths, no
 * more fixed scalars than bases, every scalar in [0, ℓ). Returns the fixed terms (possibly empty).
 */
export function validateMsmInput(input: MsmInput): readonly FixedTerm[] {
  if (input.scalars.length !== input.points.length)
    throw new RangeError("msm: scalars and points differ in length");
  const fixed = input.fixed ?? [];
  for (const term of fixed) {
    if (term.scalars.length > term.bases.points.length)
      throw new RangeError(
        `msm: ${term.scalars.length} scalars for ${term.bases.points.length} ${term.bases.name} bases`,
      );
    for (const s of term.scalars) checkMsmScalar(s);
  }
  for (const s of input.scalars) checkMsmScalar(s);
  return fixed;
}
