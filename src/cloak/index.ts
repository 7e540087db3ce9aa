/**
 * Cloak ("spacesuit"): confidential-asset gadgets over the Bulletproofs R1CS constraint system —
 * k-scalar and k-value shuffles, pad, mix, k-mix, k-merge, k-split, the 64-bit range proof and the
 * cloak transaction gadget for M inputs and N outputs. Spec: stellar/slingshot `spacesuit/spec.md`;
 * allocation order and challenge labels match the reference so ZkVM proofs interoperate.
 */
export { CheckingConstraintSystem, type CheckingCsOptions, type Unsatisfied } from "./checkingCs.js";
export { cloak, cloakSize, type GadgetSize } from "./cloak.js";
export { CloakCode, CloakError, type CloakMeta } from "./errors.js";
export { K_VALUE_SHUFFLE_CHALLENGE, MIX_CHALLENGE, SHUFFLE_CHALLENGE } from "./labels.js";
export { combineByFlavor, groupByFlavor, type KMixValues, kMerge, kMix, kSplit, mix } from "./mix.js";
export { RANGE_PROOF_BITS, rangeProof, type WitnessOptions } from "./rangeProof.js";
export { pad, paddedShuffle, scalarShuffle, valueShuffle } from "./shuffle.js";
export { SIGNED_INTEGER_MAX, SignedInteger } from "./signedInteger.js";
export {
  type AllocatedValue,
  allocatedValue,
  allocateValue,
  assignmentsOf,
  type CommittedValue,
  commitValue,
  commitValues,
  flavorHex,
  makeValue,
  type Value,
  type ValueBlindings,
  type ValueProver,
  type ValueVerifier,
  valuesEqual,
  verifierCommitValue,
  verifierCommitValues,
  ZERO_VALUE,
} from "./value.js";
