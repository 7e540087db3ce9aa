/**
 * Error codes of the herder (consensus/herder): decoders of values, tx sets and finality
 * certificates, certificate verification, restore and configuration. Peer input never throws out of
 * `Herder.receiveEnvelope` / `receiveTxSet` (they return a verdict).
 */
import { CodedError } from "../../src/util/codedError.js";

export const HerderCode = {
  /** An SCP value is not the 72-byte `prev ‖ u64 timestamp ‖ tx-set hash` encoding. */
  VALUE_DECODE_FAILED: "HERDER_VALUE_DECODE_FAILED",
  /** Tx-set bytes are malformed or exceed the block limits (cause: the DecodeError / ChainError). */
  TXSET_DECODE_FAILED: "HERDER_TXSET_DECODE_FAILED",
  /** Certificate bytes are malformed (cause: the DecodeError / ScpError). */
  CERT_DECODE_FAILED: "HERDER_CERT_DECODE_FAILED",
  /** The certificate's header is not the block with the expected id. */
  CERT_WRONG_BLOCK: "HERDER_CERT_WRONG_BLOCK",
  /** A certificate envelope is not a CONFIRM / EXTERNALIZE of the block's value for its height. */
  CERT_BAD_STATEMENT: "HERDER_CERT_BAD_STATEMENT",
  /** A certificate envelope's signature does not verify, or a signer appears twice. */
  CERT_BAD_SIGNATURE: "HERDER_CERT_BAD_SIGNATURE",
  /** The signers do not form a quorum accepting the commit of the value. */
  CERT_NO_QUORUM: "HERDER_CERT_NO_QUORUM",
  /** Persisted SCP state cannot be restored (cause: the decode or SCP error). */
  RESTORE_FAILED: "HERDER_RESTORE_FAILED",
  /** The herder cannot build the block of an externalized value (tx set unknown or invalid). */
  BLOCK_BUILD_FAILED: "HERDER_BLOCK_BUILD_FAILED",
} as const;
export type HerderCode = (typeof HerderCode)[keyof typeof HerderCode];

export type HerderMeta = {
  what?: string;
  reason?: string;
  index?: number;
  slot?: bigint;
  expected?: string | number | bigint;
  actual?: string | number | bigint;
};

/** The single error class of consensus/herder. */
export class HerderError extends CodedError<HerderCode, HerderMeta> {}
