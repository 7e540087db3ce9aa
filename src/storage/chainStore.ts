/**
 * The node's persistent state behind one narrow, promise-returning interface: the chain (blocks,
 * headers, finality certificates, tx index), the utreexo forest at the tip, this node's own SCP
 * envelopes, wallet data and the peer book. Two implementations: `SqliteChainStore` (durable, see
 * ./sqliteStore.ts) and `MemoryChainStore` (tests, simulations).
 *
 * The store knows nothing of the encodings: blocks, headers, certificates, forest snapshots and SCP
 * state are opaque bytes produced by src/chain, src/utreexo and consensus/. Keys are typed (32-byte ids,
 * safe-integer heights, u64 slots) and checked: bad input gives a `STORAGE_*` coded error.
 *
 * Chain rules enforced here: heights are contiguous (the first block may have any height, usually 0 for
 * genesis; each later one is tip + 1), block ids and txids are unique, and `commitBlock` is atomic.
 * SCP finality means no reorganisations, so there is no rollback.
 *
 * Spec: /work/shared/DESIGN.md, "src/storage".
 */
import { StorageCode, StorageError } from "./errors.js";

/** Length of block ids and txids. */
export const ID_LENGTH = 32;
/** Largest SCP slot index (u64). */
export const MAX_SLOT = (1n << 64n) - 1n;

/** Where a transaction sits in the chain. */
export interface TxIndexEntry {
  /** 32-byte transaction id. */
  readonly txid: Uint8Array;
  /** Index of the transaction inside its block (non-negative safe integer). */
  readonly position: number;
}

/** Everything written for one block, in one atomic step. */
export interface BlockCommit {
  /** Block height (non-negative safe integer); must be tip + 1 unless the store is empty. */
  readonly height: number;
  /** 32-byte block id. */
  readonly id: Uint8Array;
  /** Encoded header. */
  readonly header: Uint8Array;
  /** Encoded block (header included or not — the store does not care). */
  readonly block: Uint8Array;
  /** Encoded finality certificate, if already known (it may also be added later with `putCertificate`). */
  readonly certificate?: Uint8Array;
  /** Encoded utreexo forest after applying this block; replaces the previous snapshot. */
  readonly utreexoState: Uint8Array;
  /** Transactions of the block. */
  readonly txIndex: readonly TxIndexEntry[];
}

/** The last committed block. */
export interface Tip {
  readonly height: number;
  readonly id: Uint8Array;
}

/** Result of a txid lookup. */
export interface TxLocation {
  readonly height: number;
  /** Id of the block holding the transaction. */
  readonly blockId: Uint8Array;
  readonly position: number;
}

/** The forest snapshot stored with the tip. */
export interface UtreexoSnapshot {
  readonly height: number;
  readonly state: Uint8Array;
}

/** One persisted SCP state (this node's own envelopes for a slot, encoded by consensus/). */
export interface ConsensusRecord {
  readonly slot: bigint;
  readonly state: Uint8Array;
}

/** An entry of the peer book. */
export interface PeerRecord {
  /** Peer identity (e.g. a libp2p PeerId string); non-empty. */
  readonly id: string;
  /** Last known dial address (e.g. a multiaddr). */
  readonly address: string;
  /** Local reputation score (finite number). */
  readonly score: number;
  /** When the peer was last seen, in ms since the Unix epoch (non-negative safe integer). */
  readonly lastSeen: number;
}

/** The node's persistent state. Every method is async; the store must not be used after `close()`. */
export interface ChainStore {
  /** Which implementation this is. */
  readonly kind: "sqlite" | "memory";

  /**
   * Atomically stores block, header, optional certificate, tx index, the new tip and the new forest
   * snapshot. When the promise resolves the block is durable (sqlite); if it rejects nothing was written.
   * Errors: STORAGE_BAD_LENGTH, STORAGE_BAD_ARGUMENT, STORAGE_HEIGHT_MISMATCH, STORAGE_DUPLICATE.
   */
  commitBlock(b: BlockCommit): Promise<void>;
  /** The last committed block, or undefined for an empty store. */
  tip(): Promise<Tip | undefined>;
  /** Height of the first stored block, or undefined for an empty store. */
  baseHeight(): Promise<number | undefined>;

  /** Encoded block at `height`, or undefined. */
  getBlockByHeight(height: number): Promise<Uint8Array | undefined>;
  /** Encoded block with id `id`, or undefined. */
  getBlockById(id: Uint8Array): Promise<Uint8Array | undefined>;
  /** Encoded header at `height`, or undefined. */
  getHeaderByHeight(height: number): Promise<Uint8Array | undefined>;
  /** Encoded header of block `id`, or undefined. */
  getHeaderById(id: Uint8Array): Promise<Uint8Array | undefined>;
  /** Headers of heights `from … from+count-1` that exist, in height order (for sync and light clients). */
  getHeaders(from: number, count: number): Promise<Uint8Array[]>;
  /** Id of the block at `height`, or undefined. */
  getBlockId(height: number): Promise<Uint8Array | undefined>;
  /** Height of block `id`, or undefined. */
  getHeightOf(id: Uint8Array): Promise<number | undefined>;
  /** Where transaction `txid` was included, or undefined. */
  getTxLocation(txid: Uint8Array): Promise<TxLocation | undefined>;

  /** Stores (or replaces) the certificate of a committed block. STORAGE_NOT_FOUND if no block at `height`. */
  putCertificate(height: number, certificate: Uint8Array): Promise<void>;
  /** Certificate of the block at `height`, or undefined. */
  getCertificate(height: number): Promise<Uint8Array | undefined>;

  /** The forest snapshot written with the tip, or undefined for an empty store. */
  getUtreexoState(): Promise<UtreexoSnapshot | undefined>;

  /**
   * Stores (or replaces) this node's own SCP state for `slot`. Durable when the promise resolves, so
   * callers persist envelopes before emitting them.
   */
  putConsensusState(slot: bigint, state: Uint8Array): Promise<void>;
  /** The state of the highest slot stored, or undefined. */
  getLatestConsensusState(): Promise<ConsensusRecord | undefined>;
  /** The state stored for `slot`, or undefined. */
  getConsensusState(slot: bigint): Promise<Uint8Array | undefined>;
  /** Deletes states of slots below `slot`; resolves to the number removed. */
  pruneConsensusState(belowSlot: bigint): Promise<number>;

  /** Stores a wallet value under a non-empty string key. */
  walletPut(key: string, value: Uint8Array): Promise<void>;
  /** The wallet value under `key`, or undefined. */
  walletGet(key: string): Promise<Uint8Array | undefined>;
  /** Deletes a wallet value; resolves to whether it existed. */
  walletDelete(key: string): Promise<boolean>;
  /** Wallet keys starting with `prefix` (all keys if empty), sorted by their UTF-8 bytes. */
  walletKeys(prefix?: string): Promise<string[]>;

  /** Adds or replaces a peer. */
  putPeer(peer: PeerRecord): Promise<void>;
  /** The peer with this id, or undefined. */
  getPeer(id: string): Promise<PeerRecord | undefined>;
  /** All peers, best score first (ties by id). */
  listPeers(): Promise<PeerRecord[]>;
  /** Removes a peer; resolves to whether it existed. */
  deletePeer(id: string): Promise<boolean>;

  /** Flushes and releases the store. Idempotent. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Argument checks shared by both implementations (same errors, same order).

function bad(what: string, expected: string): StorageError {
  return new StorageError(StorageCode.BAD_ARGUMENT, { what, expected });
}

/** Checks a Uint8Array argument (TypeError otherwise) and, if given, its exact length. */
export function checkBytes(what: string, b: unknown, length?: number): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (length !== undefined && b.length !== length)
    throw new StorageError(StorageCode.BAD_LENGTH, { what, length: b.length, expected: length });
  return b;
}

/** Checks a 32-byte id. */
export function checkId(what: string, id: unknown): Uint8Array {
  return checkBytes(what, id, ID_LENGTH);
}

/** Checks a non-negative safe integer (heights, positions, counts, timestamps). */
export function checkIndex(what: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw bad(what, "a non-negative safe integer");
  return n;
}

/** Checks a u64 slot index. */
export function checkSlot(what: string, s: unknown): bigint {
  if (typeof s !== "bigint" || s < 0n || s > MAX_SLOT) throw bad(what, "a bigint in [0, 2^64)");
  return s;
}

/** Checks a non-empty string key. */
export function checkKey(what: string, k: unknown): string {
  if (typeof k !== "string" || k.length === 0) throw bad(what, "a non-empty string");
  return k;
}

/** Checks a peer record and returns a detached copy. */
export function checkPeer(p: PeerRecord): PeerRecord {
  if (typeof p !== "object" || p === null) throw new TypeError("peer must be an object");
  checkKey("peer.id", p.id);
  if (typeof p.address !== "string") throw bad("peer.address", "a string");
  if (typeof p.score !== "number" || !Number.isFinite(p.score)) throw bad("peer.score", "a finite number");
  checkIndex("peer.lastSeen", p.lastSeen);
  return { id: p.id, address: p.address, score: p.score, lastSeen: p.lastSeen };
}

/**
 * Checks the shape of a block commit (not the chain rules, which need the store's state):
 * lengths, integer fields, and no txid repeated inside the block.
 */
export function checkCommit(b: BlockCommit): void {
  if (typeof b !== "object" || b === null) throw new TypeError("block commit must be an object");
  checkIndex("height", b.height);
  checkId("id", b.id);
  checkBytes("header", b.header);
  checkBytes("block", b.block);
  if (b.certificate !== undefined) checkBytes("certificate", b.certificate);
  checkBytes("utreexoState", b.utreexoState);
  if (!Array.isArray(b.txIndex)) throw new TypeError("txIndex must be an array");
  const seen = new Set<string>();
  for (const e of b.txIndex) {
    checkId("txid", e.txid);
    checkIndex("position", e.position);
    const k = hexKey(e.txid);
    if (seen.has(k))
      throw new StorageError(StorageCode.DUPLICATE, { what: "txid in block", height: b.height });
    seen.add(k);
  }
}

/** Checks that `height` may follow `tip` (contiguous heights). */
export function checkNextHeight(tip: Tip | undefined, height: number): void {
  if (tip !== undefined && height !== tip.height + 1)
    throw new StorageError(StorageCode.HEIGHT_MISMATCH, { height, expected: tip.height + 1 });
}

/** Lower-case hex of bytes, for map keys. */
export function hexKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** Order of `walletKeys`: by UTF-8 bytes (SQLite's BINARY collation). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Sort order of `listPeers`: best score first, then id. */
export function comparePeers(a: PeerRecord, b: PeerRecord): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
