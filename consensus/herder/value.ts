/**
 * The SCP value of a block height and the canonical tx set it names (consensus/herder, DESIGN.md
 * "consensus/herder"; block fields as in zkvm/docs/zkvm-blockchain.md).
 *
 * ```
 * Value  = prev block id (32) ‖ u64 timestampMs ‖ tx-set hash (32)                 (72 bytes)
 * TxSet  = u64 version ‖ u64 height ‖ prev (32) ‖ utxoroot (32) ‖ u32 n ‖ BlockTx*   (block order)
 * txSetHash = SHA-256(u32 len ‖ "zkvm.herder.txset.v1" ‖ u64 version ‖ u64 height ‖ prev ‖ txroot
 *                     ‖ utxoroot ‖ u32 extLen ‖ ext)
 * ```
 *
 * The tx-set hash commits to every header field but the timestamp (which the value carries), so the
 * value fixes the whole block header: a finality certificate for the value binds the block id.
 * `utxoroot` is the root after applying the txs to the parent state; validators recompute it.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import {
  type BlockHeader,
  type BlockTx,
  blockTxSize,
  blockTxWitnessHash,
  MAX_BLOCK_SIZE,
  MAX_BLOCK_TXS,
  readBlockTxFrom,
  txRoot,
  writeBlockTx,
} from "../../src/chain/index.js";
import { bytesEqual, utf8 } from "../../src/util/bytes.js";
import { CodedError } from "../../src/util/codedError.js";
import { Reader } from "../../src/util/reader.js";
import { Writer } from "../../src/util/writer.js";
import { HerderCode, HerderError } from "./errors.js";

/** Domain label of the tx-set hash. */
export const TXSET_HASH_LABEL = "zkvm.herder.txset.v1";
/** Length of an encoded value. */
export const VALUE_LENGTH = 72;

/** The decoded SCP value of one height. */
export interface BlockValue {
  /** Id of the block the new one extends. */
  readonly prev: Uint8Array;
  /** Proposed block timestamp (ms). */
  readonly timestampMs: bigint;
  /** Hash of the tx set (see `txSetHash`). */
  readonly txSetHash: Uint8Array;
}

/** A candidate block body: txs (with proofs against the parent state) and the resulting utxo root. */
export interface TxSet {
  readonly version: bigint;
  readonly height: bigint;
  readonly prev: Uint8Array;
  readonly utxoroot: Uint8Array;
  readonly txs: readonly BlockTx[];
}

/** Encodes a value (72 bytes). */
export function encodeValue(v: BlockValue): Uint8Array {
  return new Writer(VALUE_LENGTH).write32(v.prev).writeU64(v.timestampMs).write32(v.txSetHash).toBytes();
}

/** Decodes a value strictly (HERDER_VALUE_DECODE_FAILED). */
export function decodeValue(bytes: Uint8Array): BlockValue {
  if (!(bytes instanceof Uint8Array) || bytes.length !== VALUE_LENGTH)
    throw new HerderError(HerderCode.VALUE_DECODE_FAILED, {
      expected: VALUE_LENGTH,
      actual: bytes instanceof Uint8Array ? bytes.length : -1,
    });
  const r = new Reader(bytes);
  const prev = r.read32("prev");
  const timestampMs = r.readU64("timestamp");
  const txSetHash = r.read32("tx-set hash");
  return { prev, timestampMs, txSetHash };
}

function digest(
  version: bigint,
  height: bigint,
  prev: Uint8Array,
  txroot: Uint8Array,
  utxoroot: Uint8Array,
  ext: Uint8Array,
): Uint8Array {
  const label = utf8(TXSET_HASH_LABEL);
  const w = new Writer(4 + label.length + 16 + 96 + 4 + ext.length);
  w.writeU32(label.length).writeBytes(label);
  w.writeU64(version).writeU64(height).write32(prev).write32(txroot).write32(utxoroot);
  w.writeU32(ext.length).writeBytes(ext);
  return sha256(w.toBytes());
}

/** The hash of a tx set (commits to its txs and proofs through the txroot of their witness hashes). */
export function txSetHash(ts: TxSet): Uint8Array {
  const root = txRoot(ts.txs.map(blockTxWitnessHash));
  return digest(ts.version, ts.height, ts.prev, root, ts.utxoroot, new Uint8Array(0));
}

/** The tx-set hash a block header implies (what its value must carry). */
export function headerTxSetHash(h: BlockHeader): Uint8Array {
  return digest(h.version, h.height, h.prev, h.txroot, h.utxoroot, h.ext);
}

/** The value naming `header` (prev, timestamp, header tx-set hash). */
export function valueOfHeader(h: BlockHeader): BlockValue {
  return { prev: h.prev, timestampMs: h.timestampMs, txSetHash: headerTxSetHash(h) };
}

/** Encoded size of a tx set. */
export function txSetSize(ts: TxSet): number {
  let n = 16 + 64 + 4;
  for (const t of ts.txs) n += blockTxSize(t);
  return n;
}

/** Canonical tx-set encoding. */
export function encodeTxSet(ts: TxSet): Uint8Array {
  const w = new Writer(txSetSize(ts));
  w.writeU64(ts.version).writeU64(ts.height).write32(ts.prev).write32(ts.utxoroot).writeU32(ts.txs.length);
  for (const t of ts.txs) writeBlockTx(w, t);
  return w.toBytes();
}

/**
 * Decodes a tx set strictly: at most MAX_BLOCK_TXS txs and MAX_BLOCK_SIZE bytes; malformed input
 * gives HERDER_TXSET_DECODE_FAILED (cause: the DecodeError / ChainError / VmError).
 */
export function decodeTxSet(bytes: Uint8Array): TxSet {
  const fail = (reason: string, cause?: unknown): HerderError =>
    new HerderError(HerderCode.TXSET_DECODE_FAILED, { reason }, cause === undefined ? undefined : { cause });
  if (bytes.length > MAX_BLOCK_SIZE) throw fail("too large");
  try {
    const r = new Reader(bytes);
    const version = r.readU64("version");
    const height = r.readU64("height");
    const prev = r.read32("prev");
    const utxoroot = r.read32("utxoroot");
    const n = r.readU32("tx count");
    if (n > MAX_BLOCK_TXS) throw fail("too many txs");
    const txs: BlockTx[] = [];
    for (let i = 0; i < n; i++) txs.push(readBlockTxFrom(bytes, r));
    r.end("tx set");
    return { version, height, prev, utxoroot, txs };
  } catch (e) {
    if (e instanceof HerderError) throw e;
    if (e instanceof CodedError) throw fail("malformed", e);
    throw e;
  }
}

/** True if two values are byte-identical. */
export function sameValue(a: BlockValue, b: BlockValue): boolean {
  return (
    a.timestampMs === b.timestampMs && bytesEqual(a.prev, b.prev) && bytesEqual(a.txSetHash, b.txSetHash)
  );
}
