/**
 * Bulletproofs rank-1 constraint system proofs, byte-compatible with
 * dalek-cryptography/bulletproofs `develop` @464acb7 (feature "yoloproofs"): variables and linear
 * combinations, the constraint-system interface shared by gadgets, two-phase proofs with
 * randomized constraints, the prover, the verifier (deferred `PointStatement`s), the inner-product
 * argument and the proof encoding. Spec: docs/notes-r1cs.md, docs/cs-proof.md, docs/notes-ipp.md.
 */
export type {
  ConstraintSystem,
  Metrics,
  MultiplierVars,
  RandomizedCallback,
  RandomizedConstraintSystem,
} from "./constraintSystem.js";
export { R1csCode, R1csError, type R1csMeta } from "./errors.js";
export { innerProduct } from "./innerProduct.js";
export {
  type LcLike,
  LinearCombination,
  type ScalarLike,
  type Term,
  toScalar,
  Variable,
  VariableKind,
} from "./linearCombination.js";
export {
  type DecodeR1csProofOptions,
  decodeR1csProof,
  encodeR1csProof,
  type InnerProductProof,
  isOnePhase,
  MAX_IPP_ROUNDS,
  type R1csProof,
  r1csProofSize,
} from "./proof.js";
export { type Committed, type ProveOptions, Prover } from "./prover.js";
export { Verifier, type VerifyOptions, verificationMsmSize } from "./verifier.js";
