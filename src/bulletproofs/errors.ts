/**
 * Error codes of the Bulletproofs R1CS module (constraint system, prover, verifier).
 *
 * Decoding a proof from bytes throws `DecodeError`s (src/util/errors.ts), never these codes:
 * - DECODE_UNEXPECTED_END: empty input, or fewer elements than the version's minimum;
 * - DECODE_INVALID_TAG: a version byte other than 0 (one phase) or 1 (two phases);
 * - DECODE_INVALID_FORMAT: a length that is not 1 + 32·k, or an odd number of IPP points;
 * - DECODE_LENGTH_TOO_LARGE: more inner-product rounds than the cap (31 by default, as dalek);
 * - DECODE_NONCANONICAL_SCALAR: t_x, t_x_blinding, e_blinding, a or b not reduced modulo ℓ.
 * Points are not decoded by the proof decoder (as in dalek): a bad point shows up at verification
 * as R1CS_INVALID_POINT.
 */
import { CodedError } from "../util/codedError.js";

export const R1csCode = {
  /**
   * The proof does not verify: the verification statement is not the identity, or the number of
   * inner-product rounds does not match the (padded) number of multipliers of the constraint system.
   */
  VERIFICATION_FAILED: "R1CS_VERIFICATION_FAILED",
  /**
   * A proof point is the identity where the protocol forbids it (A_I1, A_O1, S1, T_1, T_3..T_6,
   * every IPP L and R), or a proof point or a commitment V is not a valid Ristretto255 encoding.
   * `meta.what` names the field.
   */
  INVALID_POINT: "R1CS_INVALID_POINT",
  /** The padded number of multipliers exceeds the capacity of the Bulletproofs generators. */
  GENERATORS_CAPACITY: "R1CS_GENERATORS_CAPACITY",
  /** The prover allocated a variable or multiplier without giving its value. */
  MISSING_ASSIGNMENT: "R1CS_MISSING_ASSIGNMENT",
  /**
   * The prover's assignment violates a constraint (`meta.index` is the constraint's position in
   * the order of `constrain` calls). The prover refuses instead of emitting a proof that would fail.
   */
  UNSATISFIED_CONSTRAINT: "R1CS_UNSATISFIED_CONSTRAINT",
  /** A gadget received inconsistent inputs (e.g. lists of different lengths); `meta.what` says which. */
  GADGET: "R1CS_GADGET",
} as const;
export type R1csCode = (typeof R1csCode)[keyof typeof R1csCode];

export type R1csMeta = {
  /** The field, variable or gadget concerned. */
  what?: string;
  index?: number;
  /** 1 or 2: the phase in which a constraint or multiplier was added. */
  phase?: number;
  needed?: number;
  capacity?: number;
  expected?: number;
  actual?: number;
};

export class R1csError extends CodedError<R1csCode, R1csMeta> {}
