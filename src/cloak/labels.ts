/**
 * Transcript labels of the Cloak gadgets' challenge scalars, byte for byte as the reference
 * (stellar/slingshot `spacesuit`): ZkVM proofs are only compatible if every gadget draws its
 * challenges under these labels and in the same order.
 */

/** Drawn once per mix gadget (k-mix draws one per inner mix). */
export const MIX_CHALLENGE = "mix challenge";
/** Drawn by a k-value shuffle (k ≥ 2) to fold (q, f) into q + w·f. */
export const K_VALUE_SHUFFLE_CHALLENGE = "k-value shuffle challenge";
/** Drawn by a k-scalar shuffle (k ≥ 2) as the free variable z of ∏(xᵢ - z) = ∏(yᵢ - z). */
export const SHUFFLE_CHALLENGE = "shuffle challenge";
