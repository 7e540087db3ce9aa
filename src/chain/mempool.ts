/**
 * The mempool (zkvm/docs/zkvm-blockchain.md "Mempool", stellar/slingshot): verified transactions
 * waiting for a block, applied in arrival order to a work forest on top of the chain state, so that
 * a tx may spend the outputs of pending txs through transient proofs (unconfirmed chains).
 *
 * - Each tx is checked (time bounds and version against the caller's clock and the tip's version),
 *   run, verified and applied atomically: a rejected tx changes nothing.
 * - Duplicates (same txid) are refused.
 * - Fee rate = fee / serialized tx bytes. When the pool is over its byte or count limit, the tx with
 *   the lowest fee rate (ties: the most recent) is evicted together with its descendants; a new tx
 *   that would itself be evicted is refused with MEMPOOL_FULL.
 * - After every block the utreexo proofs of the pending txs are brought forward with the block's
 *   catchup and stored; txs the block included, txs made invalid by it (spent inputs) and their
 *   descendants, and txs whose time bounds no longer hold are removed.
 * - `template` selects txs for the next block by fee rate, parents before children.
 *
 * Pure: the caller passes the current time and the randomness.
 */
import type { BulletproofGens } from "../crypto/generators.js";
import type { MsmBackend } from "../crypto/msm/index.js";
import { Transcript } from "../crypto/transcript.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { assert, CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import type { Catchup, WorkForest } from "../utreexo/forest.js";
import type { Proof } from "../utreexo/proof.js";
import { VmError } from "../zkvm/errors.js";
import type { TxEntry } from "../zkvm/txlog.js";
import { precomputeTx, verifyPrecomputed } from "../zkvm/verifier.js";
import {
  type BlockHeader,
  type BlockTx,
  blockId,
  blockTxSize,
  blockTxWitnessHash,
  headerSize,
  MAX_BLOCK_SIZE,
  MAX_BLOCK_TXS,
  txRoot,
  withProofs,
} from "./block.js";
import { ChainCode, ChainError } from "./errors.js";
import {
  applyTxLog,
  type BlockchainState,
  checkTxHeader,
  stateAfter,
  type TxLogRecord,
  utxoLeaf,
  type VerifiedBlock,
} from "./state.js";

/** Default limit on the serialized bytes of pending txs. */
export const DEFAULT_MEMPOOL_MAX_BYTES = 32 * 1024 * 1024;
/** Default limit on the number of pending txs. */
export const DEFAULT_MEMPOOL_MAX_TXS = 10_000;

/** A pending transaction. */
export interface MempoolEntry {
  /** The tx with its current utreexo proofs (refreshed after every block). */
  readonly btx: BlockTx;
  readonly txid: Uint8Array;
  readonly txlog: readonly TxEntry[];
  readonly fee: bigint;
  /** Serialized tx bytes (the fee rate's denominator and the pool's size unit). */
  readonly size: number;
  /** Witness hash of `btx` (changes when the proofs are refreshed). */
  readonly witnessHash: Uint8Array;
  /** Arrival order. */
  readonly seq: number;
}

export interface MempoolOptions {
  /** Limit on the sum of serialized tx sizes (default 32 MiB). */
  readonly maxBytes?: number;
  /** Limit on the number of txs (default 10 000). */
  readonly maxTxs?: number;
  readonly bpGens?: BulletproofGens;
  readonly backend?: MsmBackend;
}

export interface TemplateOptions {
  /** Most txs in the block (default and cap: MAX_BLOCK_TXS). */
  readonly maxTxs?: number;
  /** Largest encoded block (default and cap: MAX_BLOCK_SIZE). */
  readonly maxBytes?: number;
}

/** True if a's fee rate is lower than b's. */
function lowerRate(a: MempoolEntry, b: MempoolEntry): boolean {
  return a.fee * BigInt(b.size) < b.fee * BigInt(a.size);
}

function sameRate(a: MempoolEntry, b: MempoolEntry): boolean {
  return a.fee * BigInt(b.size) === b.fee * BigInt(a.size);
}

/** A key for exact tx bytes (for reusing verification results). */
function txBytesKey(bytes: Uint8Array): string {
  return toHex(Transcript.create("ZkVM.chain.txbytes").appendMessage("tx", bytes).challengeBytes("key", 32));
}

function inputIds(log: readonly TxEntry[]): string[] {
  const out: string[] = [];
  for (const e of log) if (e.type === "input") out.push(toHex(e.contractId));
  return out;
}

function outputIds(log: readonly TxEntry[]): string[] {
  const out: string[] = [];
  for (const e of log) if (e.type === "output") out.push(toHex(e.contract.id()));
  return out;
}

/** The parents (within `entries`) of each entry: txid hex → parent txid hexes. */
function parentMap(entries: readonly MempoolEntry[]): Map<string, Set<string>> {
  const owner = new Map<string, string>();
  for (const e of entries) for (const o of outputIds(e.txlog)) owner.set(o, toHex(e.txid));
  const parents = new Map<string, Set<string>>();
  for (const e of entries) {
    const ps = new Set<string>();
    for (const i of inputIds(e.txlog)) {
      const p = owner.get(i);
      if (p !== undefined) ps.add(p);
    }
    parents.set(toHex(e.txid), ps);
  }
  return parents;
}

/** `roots` and everything that descends from them within `entries` (txid hexes). */
function withDescendants(entries: readonly MempoolEntry[], roots: Iterable<string>): Set<string> {
  const parents = parentMap(entries);
  const out = new Set(roots);
  // Entries are in a topological order (parents first), so one pass suffices.
  for (const e of entries) {
    const id = toHex(e.txid);
    if (out.has(id)) continue;
    for (const p of parents.get(id)!)
      if (out.has(p)) {
        out.add(id);
        break;
      }
  }
  return out;
}

export class Mempool {
  private current: BlockchainState;
  private wf: WorkForest;
  private list: MempoolEntry[] = [];
  private readonly byTxid = new Map<string, MempoolEntry>();
  private readonly byBytes = new Map<string, MempoolEntry>();
  private totalBytes = 0;
  private nextSeq = 0;
  private readonly maxBytes: number;
  private readonly maxTxs: number;
  private readonly bpGens: BulletproofGens | undefined;
  private readonly backend: MsmBackend | undefined;

  constructor(state: BlockchainState, opts: MempoolOptions = {}) {
    this.current = state;
    this.wf = state.forest.workForest();
    this.maxBytes = opts.maxBytes ?? DEFAULT_MEMPOOL_MAX_BYTES;
    this.maxTxs = opts.maxTxs ?? DEFAULT_MEMPOOL_MAX_TXS;
    this.bpGens = opts.bpGens;
    this.backend = opts.backend;
  }

  /** The chain state the pool builds on. */
  get state(): BlockchainState {
    return this.current;
  }

  /** Number of pending txs. */
  get count(): number {
    return this.list.length;
  }

  /** Sum of the serialized sizes of pending txs. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Pending txs in arrival order (parents before children). */
  entries(): readonly MempoolEntry[] {
    return this.list.slice();
  }

  /** The pending tx with this id. */
  get(txid: Uint8Array): MempoolEntry | undefined {
    return this.byTxid.get(toHex(txid));
  }

  has(txid: Uint8Array): boolean {
    return this.byTxid.has(toHex(txid));
  }

  /**
   * The verified log of a pending tx with exactly these tx bytes (proofs may differ), for
   * `validateBlock`'s `preverified` option: a block's txs that are in the pool are not verified again.
   */
  verifiedFor(btx: BlockTx): TxLogRecord | undefined {
    const e = this.byBytes.get(txBytesKey(btx.txBytes));
    if (e === undefined || !bytesEqual(e.btx.txBytes, btx.txBytes)) return undefined;
    return { txid: e.txid, txlog: e.txlog };
  }

  /**
   * Adds a transaction. Throws MEMPOOL_TX_INVALID (cause: BLOCK_TX_TIME_BOUNDS / BLOCK_TX_VERSION,
   * the VmError, BLOCK_UTXO_PROOF_COUNT or BLOCK_UTXO_INVALID), MEMPOOL_DUPLICATE or MEMPOOL_FULL;
   * then nothing changed. May evict lower-fee-rate txs (with their descendants) to make room.
   *
   * `opts.proofVerified`: the caller has already verified this exact tx's proof and signatures
   * (e.g. the node's worker-thread pool did, off the main thread); the VM still runs here (txid,
   * txlog, fee) and the utreexo proofs are still checked against the pool's state, but the
   * verification MSM is skipped.
   */
  add(btx: BlockTx, nowMs: bigint, rng: Rng, opts: { readonly proofVerified?: boolean } = {}): MempoolEntry {
    const invalid = (cause: unknown, txid?: Uint8Array): ChainError =>
      new ChainError(ChainCode.MEMPOOL_TX_INVALID, txid === undefined ? {} : { txid: toHex(txid) }, {
        cause,
      });
    try {
      checkTxHeader(btx.tx.header, nowMs, this.current.tip.version);
    } catch (e) {
      if (e instanceof ChainError) throw invalid(e);
      throw e;
    }
    let pre: ReturnType<typeof precomputeTx>;
    try {
      pre = precomputeTx(btx.tx, btx.txBytes.length);
    } catch (e) {
      if (e instanceof VmError) throw invalid(e);
      throw e;
    }
    const txidHex = toHex(pre.txid);
    if (this.byTxid.has(txidHex)) throw new ChainError(ChainCode.MEMPOOL_DUPLICATE, { txid: txidHex });
    const entry: MempoolEntry = {
      btx,
      txid: pre.txid,
      txlog: pre.txlog,
      fee: pre.fee,
      size: btx.txBytes.length,
      witnessHash: blockTxWitnessHash(btx),
      seq: this.nextSeq,
    };
    const victims = this.planEviction(entry);
    if (victims.has(txidHex))
      throw new ChainError(ChainCode.MEMPOOL_FULL, { txid: txidHex, max: this.maxBytes });
    this.wf.batch((f) => {
      try {
        applyTxLog(f, pre.txlog, btx.proofs);
        if (opts.proofVerified === true) return;
        verifyPrecomputed(pre, {
          rng,
          ...(this.bpGens === undefined ? {} : { bpGens: this.bpGens }),
          ...(this.backend === undefined ? {} : { backend: this.backend }),
        });
      } catch (e) {
        if (e instanceof ChainError || e instanceof VmError) throw invalid(e, pre.txid);
        throw e;
      }
    });
    this.nextSeq++;
    this.list.push(entry);
    this.index(entry);
    if (victims.size > 0) {
      this.list = this.list.filter((e) => !victims.has(toHex(e.txid)));
      this.rebuild(undefined, undefined);
    }
    return entry;
  }

  /** Which txs (txid hexes) must go for `candidate` to fit: lowest fee rate first, with descendants. */
  private planEviction(candidate: MempoolEntry): Set<string> {
    let pool = [...this.list, candidate];
    let bytes = this.totalBytes + candidate.size;
    const victims = new Set<string>();
    while ((bytes > this.maxBytes || pool.length > this.maxTxs) && pool.length > 0) {
      let worst = pool[0]!;
      for (const e of pool) if (lowerRate(e, worst) || (sameRate(e, worst) && e.seq > worst.seq)) worst = e;
      const gone = withDescendants(pool, [toHex(worst.txid)]);
      for (const g of gone) victims.add(g);
      pool = pool.filter((e) => {
        if (!gone.has(toHex(e.txid))) return true;
        bytes -= e.size;
        return false;
      });
    }
    return victims;
  }

  private index(e: MempoolEntry): void {
    this.byTxid.set(toHex(e.txid), e);
    this.byBytes.set(txBytesKey(e.btx.txBytes), e);
    this.totalBytes += e.size;
  }

  /**
   * Re-applies the pending txs to a fresh work forest of the current state, refreshing their proofs
   * with `catchup` and checking time bounds at `nowMs` when given; drops those that no longer apply.
   * Returns the dropped entries.
   */
  private rebuild(catchup: Catchup | undefined, nowMs: bigint | undefined): MempoolEntry[] {
    const wf = this.current.forest.workForest();
    const kept: MempoolEntry[] = [];
    const dropped: MempoolEntry[] = [];
    for (const e of this.list) {
      try {
        if (nowMs !== undefined) checkTxHeader(e.btx.tx.header, nowMs, this.current.tip.version);
        let next = e;
        if (catchup !== undefined) {
          const ins = e.txlog.filter((x) => x.type === "input");
          if (ins.length !== e.btx.proofs.length) throw new ChainError(ChainCode.BLOCK_UTXO_PROOF_COUNT, {});
          const proofs: Proof[] = ins.map((x, k) => catchup.update(utxoLeaf(x.contractId), e.btx.proofs[k]!));
          const btx = withProofs(e.btx, proofs);
          next = { ...e, btx, witnessHash: blockTxWitnessHash(btx) };
        }
        applyTxLog(wf, next.txlog, next.btx.proofs);
        kept.push(next);
      } catch (err) {
        if (!(err instanceof CodedError)) throw err;
        dropped.push(e);
      }
    }
    this.wf = wf;
    this.list = kept;
    this.byTxid.clear();
    this.byBytes.clear();
    this.totalBytes = 0;
    for (const e of kept) this.index(e);
    return dropped;
  }

  /**
   * Moves the pool onto the state after `block` (a block on top of the pool's state): removes the
   * txs it included; refreshes and stores the proofs of the others with the block's catchup; drops
   * txs it made invalid (their inputs are spent), those whose time bounds exclude `nowMs`, and their
   * descendants. Returns the txs removed without being included. BLOCK_BAD_PREVIOUS if the block
   * does not extend the pool's state (nothing changes).
   */
  applyBlock(block: VerifiedBlock, nowMs: bigint): MempoolEntry[] {
    if (!bytesEqual(block.parentId, this.current.tipId))
      throw new ChainError(ChainCode.BLOCK_BAD_PREVIOUS, {
        expected: toHex(this.current.tipId),
        actual: toHex(block.parentId),
      });
    const included = new Set(block.verifiedTxs.map((t) => toHex(t.txid)));
    this.list = this.list.filter((e) => !included.has(toHex(e.txid)));
    this.current = stateAfter(block);
    return this.rebuild(block.catchup, nowMs);
  }

  /** Drops txs whose time bounds exclude `nowMs` (and their descendants). Returns them. */
  expire(nowMs: bigint): MempoolEntry[] {
    return this.rebuild(undefined, nowMs);
  }

  /**
   * A block template on top of the pool's state at `timestampMs` (> the tip's, else
   * BLOCK_BAD_TIMESTAMP): txs valid at that time, highest fee rate first (ties: arrival order),
   * a tx only after all its pending parents, within the block limits. The result is a
   * `VerifiedBlock` (the pool verified every tx); the pool itself is unchanged.
   */
  template(timestampMs: bigint, opts: TemplateOptions = {}): VerifiedBlock {
    const tip = this.current.tip;
    if (timestampMs <= tip.timestampMs)
      throw new ChainError(ChainCode.BLOCK_BAD_TIMESTAMP, {
        expected: tip.timestampMs + 1n,
        actual: timestampMs,
      });
    const maxTxs = Math.min(opts.maxTxs ?? MAX_BLOCK_TXS, MAX_BLOCK_TXS);
    const maxBytes = Math.min(opts.maxBytes ?? MAX_BLOCK_SIZE, MAX_BLOCK_SIZE);
    const parents = parentMap(this.list);
    const usable = this.list.filter((e) => {
      try {
        checkTxHeader(e.btx.tx.header, timestampMs, tip.version);
        return true;
      } catch {
        return false;
      }
    });
    const hexes = usable.map((e) => toHex(e.txid));
    const parentLists = hexes.map((id) => [...parents.get(id)!]);
    const selected: MempoolEntry[] = [];
    const done = new Set<string>();
    const skipped = new Set<string>();
    let bytes = headerSize(tip) + 4;
    while (selected.length < maxTxs) {
      let best = -1;
      for (let i = 0; i < usable.length; i++) {
        const id = hexes[i]!;
        if (done.has(id) || skipped.has(id)) continue;
        if (!parentLists[i]!.every((p) => done.has(p))) continue;
        const e = usable[i]!;
        const b = usable[best];
        if (b === undefined || lowerRate(b, e) || (sameRate(b, e) && e.seq < b.seq)) best = i;
      }
      if (best < 0) break;
      const e = usable[best]!;
      const size = blockTxSize(e.btx);
      if (bytes + size > maxBytes) {
        skipped.add(hexes[best]!);
        continue;
      }
      bytes += size;
      selected.push(e);
      done.add(hexes[best]!);
    }
    const wf = this.current.forest.workForest();
    for (const e of selected) applyTxLog(wf, e.txlog, e.btx.proofs);
    const { forest, catchup } = wf.normalize();
    const witnessHashes = selected.map((e) => e.witnessHash);
    const header: BlockHeader = {
      version: tip.version,
      height: tip.height + 1n,
      prev: this.current.tipId.slice(),
      timestampMs,
      txroot: txRoot(witnessHashes),
      utxoroot: forest.root(),
      ext: new Uint8Array(0),
    };
    assert(selected.length <= MAX_BLOCK_TXS, "mempool template: tx count");
    return {
      header,
      txs: selected.map((e) => e.btx),
      id: blockId(header),
      parentId: this.current.tipId,
      witnessHashes,
      verifiedTxs: selected.map((e) => ({ txid: e.txid, txlog: e.txlog })),
      forest,
      catchup,
    };
  }
}
