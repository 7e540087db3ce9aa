/**
 * consensus/herder — SCP applied to blocks: the SCP driver that proposes, validates and combines
 * block values (`prev ‖ timestamp ‖ tx-set hash`), fetches tx sets by hash, builds the externalized
 * block with its finality certificate, and persists its own envelopes. See README.md here and
 * DESIGN.md "consensus/herder".
 */
export {
  decodeCertificate,
  encodeCertificate,
  type FinalityCertificate,
  makeCertificate,
  type QuorumSetLookup,
  type SignatureCheck,
  verifyCertificate,
} from "./certificate.js";
export { HerderCode, HerderError, type HerderMeta } from "./errors.js";
export {
  type BlockSink,
  type EnvelopeSigner,
  Herder,
  type HerderBroadcaster,
  type HerderChain,
  type HerderDeps,
  type HerderEnvelopeState,
  type HerderOptions,
  type HerderScheduler,
  type PersistedScpState,
  type ScpPersistence,
} from "./herder.js";
export { ENVELOPE_SIGNATURE_LABEL, starsigSigner, verifyEnvelopeSignature } from "./signer.js";
export {
  type BlockValue,
  decodeTxSet,
  decodeValue,
  encodeTxSet,
  encodeValue,
  headerTxSetHash,
  sameValue,
  TXSET_HASH_LABEL,
  type TxSet,
  txSetHash,
  txSetSize,
  VALUE_LENGTH,
  valueOfHeader,
} from "./value.js";
