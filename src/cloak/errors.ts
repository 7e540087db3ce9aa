/**
 * Error codes of the Cloak gadgets (spacesuit, stellar/slingshot `spacesuit/spec.md`).
 *
 * The gadgets themselves never judge a proof: a verifier-side mismatch shows up when the R1CS proof
 * is checked (R1CS_VERIFICATION_FAILED). These codes are raised while building the constraint
 * system — mostly on the prover side, when the witness cannot satisfy the statement, so the prover
 * refuses early with a precise reason instead of producing a proof that would fail.
 */
import { CodedError } from "../util/codedError.js";

export const CloakCode = {
  /**
   * A gadget received inputs of the wrong shape: lists of different lengths where they must match,
   * or an empty list (`meta.what` names the argument, `meta.expected`/`meta.actual` the lengths).
   */
  BAD_GADGET_INPUT: "CLOAK_BAD_GADGET_INPUT",
  /**
   * A signed integer left the range [-(2^64-1), 2^64-1]: when constructing one, or when the prover
   * adds up the quantities of one flavor.
   */
  INTEGER_OVERFLOW: "CLOAK_INTEGER_OVERFLOW",
  /**
   * Prover: a quantity that must be range-proven is negative or not below 2^bits
   * (`meta.index` is the output's position for the cloak gadget).
   */
  QUANTITY_OUT_OF_RANGE: "CLOAK_QUANTITY_OUT_OF_RANGE",
  /**
   * Prover: inputs and outputs do not balance per flavor, so no assignment satisfies the middle
   * shuffle (`meta.flavor` is the flavor in hex, `meta.inputTotal`/`meta.outputTotal` its totals).
   */
  UNBALANCED: "CLOAK_UNBALANCED",
  /** Prover: an allocated value has no assignment (`meta.what` and `meta.index` say which). */
  MISSING_ASSIGNMENT: "CLOAK_MISSING_ASSIGNMENT",
} as const;
export type CloakCode = (typeof CloakCode)[keyof typeof CloakCode];

export type CloakMeta = {
  what?: string;
  index?: number;
  expected?: number;
  actual?: number;
  /** Number of bits of a range proof. */
  bits?: number;
  /** A quantity or integer (decimal). */
  value?: bigint;
  /** A flavor, as 32-byte little-endian hex. */
  flavor?: string;
  inputTotal?: bigint;
  outputTotal?: bigint;
};

export class CloakError extends CodedError<CloakCode, CloakMeta> {}
