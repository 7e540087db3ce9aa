/**
 * Blocks of the ZkVM chain (zkvm/docs/zkvm-blockchain.md, stellar/slingshot): the header and its id,
 * block transactions (a tx with one utreexo proof per input), witness hashes, the txroot, genesis and
 * the block encoding.
 *
 *     header   = LE64 version || LE64 height || prev(32) || LE64 timestamp_ms || txroot(32)
 *                || utxoroot(32) || LE32 ext_len || ext
 *     block tx = tx || LE32 n || n × utreexo proof (0x00 transient | 0x01 path)
 *     block    = header || LE32 count || count × block tx            (this project's framing)
 *
 * The block id is Transcript("ZkVM.blockheader") over the header fields → challenge "id"; the txroot
 * is the merkle root ("ZkVM.txroot") over the witness hashes, each leaf committing "txwit".
 */
import { MerkleHasher, type MerkleItem } from "../crypto/merkle.js";
import { Transcript } from "../crypto/transcript.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { decodeProof, encodeProof, type Proof, proofEncodedSize } from "../utreexo/proof.js";
import { VmError } from "../zkvm/errors.js";
import { decodeTx, MAX_TX_SIZE, type Tx, witnessHash } from "../zkvm/tx.js";
import { ChainCode, ChainError } from "./errors.js";

/** Label of the block id transcript. */
export const BLOCK_HEADER_LABEL = "ZkVM.blockheader";
/** Label of the txroot merkle tree. */
export const TXROOT_LABEL = "ZkVM.txroot";
/** The header version this implementation produces. */
export const CURRENT_BLOCK_VERSION = 1n;
/** Most transactions in one block (DESIGN.md limits). */
export const MAX_BLOCK_TXS = 1000;
/** Largest encoded block (DESIGN.md limits). */
export const MAX_BLOCK_SIZE = 4 * 1024 * 1024;
/** Most utreexo proofs one block tx may carry (each input needs one; bounded by the tx size). */
const MAX_TX_PROOFS = MAX_TX_SIZE;

/** A block header. Numbers are u64 as bigint. */
export interface BlockHeader {
  readonly version: bigint;
  readonly height: bigint;
  /** Id of the previous block (zeros for genesis). */
  readonly prev: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  readonly timestampMs: bigint;
  /** Merkle root of the witness hashes of the block's transactions. */
  readonly txroot: Uint8Array;
  /** Utreexo root of the utxo set after the block. */
  readonly utxoroot: Uint8Array;
  /** Extension bytes (empty in version 1). */
  readonly ext: Uint8Array;
}

/** A transaction as a block carries it: the tx, its bytes, and one utreexo proof per input. */
export interface BlockTx {
  readonly tx: Tx;
  /** The serialized tx (without the proofs). */
  readonly txBytes: Uint8Array;
  readonly proofs: readonly Proof[];
}

/** A block: header and transactions. Nothing about it is checked yet. */
export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly BlockTx[];
}

/** Encoded size of a header. */
export function headerSize(h: BlockHeader): number {
  return 8 + 8 + 32 + 8 + 32 + 32 + 4 + h.ext.length;
}

/** Appends the header encoding. */
export function writeHeader(w: Writer, h: BlockHeader): void {
  w.writeU64(h.version).writeU64(h.height).write32(h.prev).writeU64(h.timestampMs);
  w.write32(h.txroot).write32(h.utxoroot).writeSizedBytes(h.ext);
}

/** The header encoding. */
export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new Writer(headerSize(h));
  writeHeader(w, h);
  return w.toBytes();
}

/** Reads a header (throws DecodeError). */
export function readHeader(r: Reader): BlockHeader {
  const version = r.readU64("block version");
  const height = r.readU64("block height");
  const prev = r.read32("block prev").slice();
  const timestampMs = r.readU64("block timestamp");
  const txroot = r.read32("block txroot").slice();
  const utxoroot = r.read32("block utxoroot").slice();
  const ext = r.readSizedBytes(MAX_BLOCK_SIZE, "block ext").slice();
  return { version, height, prev, timestampMs, txroot, utxoroot, ext };
}

/** Decodes exactly one header; malformed bytes give BLOCK_INVALID_FORMAT (cause: the DecodeError). */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  return wrapDecode("header", () => {
    const r = new Reader(bytes);
    const h = readHeader(r);
    r.end("block header");
    return h;
  });
}

/** The block id: Transcript("ZkVM.blockheader") over the header fields → 32 bytes "id". */
export function blockId(h: BlockHeader): Uint8Array {
  const t = Transcript.create(BLOCK_HEADER_LABEL);
  t.appendU64("version", h.version);
  t.appendU64("height", h.height);
  t.appendMessage("previd", h.prev);
  t.appendU64("timestamp_ms", h.timestampMs);
  t.appendMessage("txroot", h.txroot);
  t.appendMessage("utxoroot", h.utxoroot);
  t.appendMessage("ext", h.ext);
  return t.challengeBytes("id", 32);
}

/** A block tx from serialized tx bytes and proofs (BLOCK_INVALID_FORMAT if the tx does not decode). */
export function makeBlockTx(txBytes: Uint8Array, proofs: readonly Proof[]): BlockTx {
  let tx: Tx;
  try {
    tx = decodeTx(txBytes);
  } catch (e) {
    if (e instanceof VmError)
      throw new ChainError(ChainCode.BLOCK_INVALID_FORMAT, { what: "tx" }, { cause: e });
    throw e;
  }
  return { tx, txBytes: txBytes.slice(), proofs: proofs.slice() };
}

/** The same transaction with other proofs (e.g. refreshed by a catchup). */
export function withProofs(btx: BlockTx, proofs: readonly Proof[]): BlockTx {
  return { tx: btx.tx, txBytes: btx.txBytes, proofs: proofs.slice() };
}

/** Encoded size of a block tx. */
export function blockTxSize(btx: BlockTx): number {
  let n = btx.txBytes.length + 4;
  for (const p of btx.proofs) n += proofEncodedSize(p);
  return n;
}

/** Appends the block tx encoding: tx || LE32 n || proofs. */
export function writeBlockTx(w: Writer, btx: BlockTx): void {
  w.writeBytes(btx.txBytes).writeU32(btx.proofs.length);
  for (const p of btx.proofs) encodeProof(w, p);
}

/** The block tx encoding (what the witness hash commits to). */
export function encodeBlockTx(btx: BlockTx): Uint8Array {
  const w = new Writer(blockTxSize(btx));
  writeBlockTx(w, btx);
  return w.toBytes();
}

/** Decodes exactly one block tx (BLOCK_INVALID_FORMAT with the DecodeError or VmError as cause). */
export function decodeBlockTx(bytes: Uint8Array): BlockTx {
  const btx = wrapDecode("block tx", () => {
    const r = new Reader(bytes);
    const b = readBlockTxFrom(bytes, r);
    r.end("block tx");
    return b;
  });
  return btx;
}

/**
 * Reads one block tx from `r`, which reads `bytes`: the tx is delimited by its own length prefixes,
 * then decoded strictly (throws DecodeError or ChainError).
 */
export function readBlockTxFrom(bytes: Uint8Array, r: Reader): BlockTx {
  const start = r.offset;
  r.readBytes(24, "tx header");
  r.readSizedBytes(MAX_TX_SIZE, "tx program");
  r.readBytes(64, "tx signature");
  r.readSizedBytes(MAX_TX_SIZE, "tx proof");
  const txBytes = bytes.slice(start, r.offset);
  const n = r.readCount(MAX_TX_PROOFS, 1, "utreexo proof count");
  const proofs: Proof[] = [];
  for (let i = 0; i < n; i++) proofs.push(decodeProof(r));
  return makeBlockTx(txBytes, proofs);
}

/** The witness hash of a block tx: commits to the tx and its utreexo proofs. */
export function blockTxWitnessHash(btx: BlockTx): Uint8Array {
  return witnessHash(encodeBlockTx(btx));
}

let txrootHasher: MerkleHasher | undefined;

function witnessItem(h: Uint8Array): MerkleItem {
  return { commit: (t) => t.appendMessage("txwit", h) };
}

/** The txroot over witness hashes (block order). */
export function txRoot(witnessHashes: readonly Uint8Array[]): Uint8Array {
  txrootHasher ??= new MerkleHasher(TXROOT_LABEL);
  const h = txrootHasher;
  return h.rootOfLeaves(witnessHashes.map((w) => h.leaf(witnessItem(w))));
}

/** The genesis header: version 1, height 1, zero prev, empty txroot, the initial utxo root. */
export function genesisHeader(timestampMs: bigint, utxoroot: Uint8Array): BlockHeader {
  return {
    version: CURRENT_BLOCK_VERSION,
    height: 1n,
    prev: new Uint8Array(32),
    timestampMs,
    txroot: txRoot([]),
    utxoroot: utxoroot.slice(),
    ext: new Uint8Array(0),
  };
}

/** Encoded size of a block. */
export function blockSize(b: Block): number {
  let n = headerSize(b.header) + 4;
  for (const t of b.txs) n += blockTxSize(t);
  return n;
}

/** The block encoding: header || LE32 count || block txs. */
export function encodeBlock(b: Block): Uint8Array {
  const w = new Writer(blockSize(b));
  writeHeader(w, b.header);
  w.writeU32(b.txs.length);
  for (const t of b.txs) writeBlockTx(w, t);
  return w.toBytes();
}

/**
 * Decodes a block. Over MAX_BLOCK_SIZE bytes: BLOCK_TOO_LARGE; over MAX_BLOCK_TXS transactions:
 * BLOCK_TOO_MANY_TXS; malformed: BLOCK_INVALID_FORMAT (cause: the DecodeError or VmError).
 */
export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_SIZE)
    throw new ChainError(ChainCode.BLOCK_TOO_LARGE, { actual: bytes.length, max: MAX_BLOCK_SIZE });
  return wrapDecode("block", () => {
    const r = new Reader(bytes);
    const header = readHeader(r);
    const at = r.offset;
    const n = r.readU32("block tx count");
    if (n > MAX_BLOCK_TXS)
      throw new ChainError(ChainCode.BLOCK_TOO_MANY_TXS, { actual: n, max: MAX_BLOCK_TXS });
    if (n * 24 > r.remaining)
      throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, { what: "block tx count", offset: at, length: n });
    const txs: BlockTx[] = [];
    for (let i = 0; i < n; i++) txs.push(readBlockTxFrom(bytes, r));
    r.end("block");
    return { header, txs };
  });
}

function wrapDecode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecodeError)
      throw new ChainError(ChainCode.BLOCK_INVALID_FORMAT, { what }, { cause: e });
    throw e;
  }
}
