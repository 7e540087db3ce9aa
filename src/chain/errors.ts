/**
 * Error codes of the chain layer (src/chain): block validation (BLOCK_*) and the mempool
 * (MEMPOOL_*). Lower-layer errors (VmError, UtreexoError, DecodeError) travel as `cause`.
 * Spec: zkvm/docs/zkvm-blockchain.md (stellar/slingshot).
 */
import { CodedError } from "../util/codedError.js";

export const ChainCode = {
  /** Block or block-tx bytes are malformed (cause: the DecodeError or VmError). */
  BLOCK_INVALID_FORMAT: "BLOCK_INVALID_FORMAT",
  /** More transactions than a block may hold (DESIGN.md: 1000). */
  BLOCK_TOO_MANY_TXS: "BLOCK_TOO_MANY_TXS",
  /** The encoded block is larger than allowed (DESIGN.md: 4 MiB). */
  BLOCK_TOO_LARGE: "BLOCK_TOO_LARGE",
  /** The header's version is lower than its parent's. */
  BLOCK_BAD_VERSION: "BLOCK_BAD_VERSION",
  /** A version-1 header carries extension bytes. */
  BLOCK_ILLEGAL_EXTENSION: "BLOCK_ILLEGAL_EXTENSION",
  /** The height is not the parent's height + 1. */
  BLOCK_BAD_HEIGHT: "BLOCK_BAD_HEIGHT",
  /** The `prev` field is not the parent's block id. */
  BLOCK_BAD_PREVIOUS: "BLOCK_BAD_PREVIOUS",
  /** The timestamp is not strictly greater than the parent's. */
  BLOCK_BAD_TIMESTAMP: "BLOCK_BAD_TIMESTAMP",
  /** A transaction's time bounds do not contain the block's timestamp. */
  BLOCK_TX_TIME_BOUNDS: "BLOCK_TX_TIME_BOUNDS",
  /** A transaction's version is not allowed by the block's version. */
  BLOCK_TX_VERSION: "BLOCK_TX_VERSION",
  /** The txroot does not match the witness hashes of the block's transactions. */
  BLOCK_TXROOT_MISMATCH: "BLOCK_TXROOT_MISMATCH",
  /** A transaction fails the VM or its proofs/signatures (cause: the VmError). */
  BLOCK_TX_INVALID: "BLOCK_TX_INVALID",
  /** A transaction has fewer or more utreexo proofs than inputs. */
  BLOCK_UTXO_PROOF_COUNT: "BLOCK_UTXO_PROOF_COUNT",
  /** An input's utreexo proof does not hold, or the utxo is spent (cause: the UtreexoError). */
  BLOCK_UTXO_INVALID: "BLOCK_UTXO_INVALID",
  /** The utxoroot does not match the utreexo forest after the block. */
  BLOCK_UTXOROOT_MISMATCH: "BLOCK_UTXOROOT_MISMATCH",
  /** A caller passed results that do not belong to this block (wrong count or txid). */
  BLOCK_RESULTS_MISMATCH: "BLOCK_RESULTS_MISMATCH",
  /** The transaction (same txid) is already in the mempool. */
  MEMPOOL_DUPLICATE: "MEMPOOL_DUPLICATE",
  /** The mempool is full and the transaction's fee rate is too low to evict others. */
  MEMPOOL_FULL: "MEMPOOL_FULL",
  /** The transaction cannot enter the mempool (cause: BLOCK_TX_* / VmError / BLOCK_UTXO_* error). */
  MEMPOOL_TX_INVALID: "MEMPOOL_TX_INVALID",
} as const;
export type ChainCode = (typeof ChainCode)[keyof typeof ChainCode];

export type ChainMeta = {
  /** Index of the offending transaction in the block. */
  index?: number;
  /** Transaction id (hex). */
  txid?: string;
  /** What was expected and found (hex or decimal strings, counts). */
  expected?: string | number | bigint;
  actual?: string | number | bigint;
  what?: string;
  /** Limit that was exceeded. */
  max?: number;
};

export class ChainError extends CodedError<ChainCode, ChainMeta> {}

/** True if `e` or an error in its `cause` chain is a CodedError with `code`. */
export function causedBy(e: unknown, code: string): boolean {
  let cur: unknown = e;
  while (cur instanceof CodedError) {
    if (cur.code === code) return true;
    cur = cur.cause;
  }
  return false;
}
