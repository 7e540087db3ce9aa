/**
 * Range proof gadget of Cloak (stellar/slingshot `spacesuit/spec.md`, "Range proof"): proves that
 * a linear combination v lies in [0, 2^n) (n ≤ 64) through its binary representation.
 *
 * For each bit i (lowest first) one multiplier aᵢ·bᵢ = cᵢ with aᵢ = 1 - bᵢ on the left and the bit
 * bᵢ on the right, then the constraints cᵢ = 0 and aᵢ + bᵢ - 1 = 0; after the n bits, the single
 * constraint v - Σ bᵢ·2^i = 0. That is n multipliers and 2n + 1 constraints, all in phase 1, in
 * the reference's order (ZkVM `range`, `issue`, `borrow` and cloak outputs use this gadget).
 */
import type { ConstraintSystem } from "../bulletproofs/constraintSystem.js";
import { type LcLike, LinearCombination } from "../bulletproofs/linearCombination.js";
import { CloakCode, CloakError } from "./errors.js";
import { SignedInteger } from "./signedInteger.js";

/** The bit width of Cloak quantities. */
export const RANGE_PROOF_BITS = 64;

/** Options of the prover-side gadgets. */
export interface WitnessOptions {
  /**
   * Refuse witnesses that cannot satisfy the gadget (default true). With false the prover builds
   * the assignment anyway — here the bits of q mod 2^bits — so tests can play a cheating prover
   * and watch the constraints (or the verifier) reject it.
   */
  readonly checkWitness?: boolean;
}

/**
 * Constrains `v` to [0, 2^bits). The prover passes the integer value of `v` (a SignedInteger or
 * a bigint integer); the verifier passes undefined.
 *
 * Prover errors: CLOAK_MISSING_ASSIGNMENT, CLOAK_QUANTITY_OUT_OF_RANGE (negative or ≥ 2^bits,
 * unless `opts.checkWitness` is false). `bits` must be an integer in [0, 64] (RangeError otherwise).
 */
export function rangeProof(
  cs: ConstraintSystem,
  v: LcLike,
  assignment: SignedInteger | bigint | undefined,
  bits: number = RANGE_PROOF_BITS,
  opts: WitnessOptions = {},
): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > RANGE_PROOF_BITS)
    throw new RangeError(`rangeProof: bits must be an integer in [0, 64], got ${bits}`);
  let q: bigint | undefined;
  if (cs.isProver) {
    if (assignment === undefined)
      throw new CloakError(CloakCode.MISSING_ASSIGNMENT, { what: "range proof", bits });
    q = assignment instanceof SignedInteger ? assignment.value : assignment;
    if (typeof q !== "bigint")
      throw new TypeError("rangeProof: assignment must be a SignedInteger or a bigint");
    if (q < 0n || q >= 1n << BigInt(bits)) {
      if (opts.checkWitness ?? true)
        throw new CloakError(CloakCode.QUANTITY_OUT_OF_RANGE, { what: "range proof", bits, value: q });
      q = BigInt.asUintN(bits, q);
    }
  }
  let rest = LinearCombination.from(v);
  let power = 1n;
  for (let i = 0; i < bits; i++) {
    const bit = q === undefined ? undefined : (q >> BigInt(i)) & 1n;
    const [a, b, o] = cs.allocateMultiplier(bit === undefined ? undefined : [1n - bit, bit]);
    // a·b = 0: one of them is zero.
    cs.constrain(o);
    // a = 1 - b: both are bits.
    cs.constrain(a.add(b).sub(1n));
    rest = rest.sub(b.mul(power));
    power <<= 1n;
  }
  // v = Σ bᵢ·2^i.
  cs.constrain(rest);
}
