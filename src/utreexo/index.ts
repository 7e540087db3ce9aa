/**
 * Utreexo accumulator of the ZkVM utxo set (zkvm/docs/utreexo.md, stellar/slingshot): normalized
 * forests, per-block work forests with atomic batches, transient/committed proofs and catchups.
 */
export { UtreexoCode, UtreexoError, type UtreexoMeta } from "./errors.js";
export { Catchup, Forest, type ForestRoot, MAX_LEVELS, WorkForest } from "./forest.js";
export { UTREEXO_LABEL, UTXO_LEAF_LABEL, UtreexoHasher, utreexoHasher, utxoItem } from "./hasher.js";
export {
  type CommittedProof,
  committed,
  decodeProof,
  encodeProof,
  type Proof,
  proofEncodedSize,
  proofFromBytes,
  proofToBytes,
  TRANSIENT,
  type TransientProof,
} from "./proof.js";
