/**
 * The herder: SCP applied to blocks (DESIGN.md "consensus/herder"). Slot h of SCP decides block
 * height h; its value is `prev block id ‖ timestamp ‖ tx-set hash` (value.ts). The herder implements
 * the SCP driver: it validates values against the current chain state (reusing verification results
 * by witness hash and the mempool's), combines candidates deterministically, keeps a tx-set cache and
 * fetches unknown tx sets through the broadcaster (parking envelopes that name them until they
 * arrive), builds the block after EXTERNALIZE with its finality certificate, and persists its own
 * envelopes before emitting them.
 *
 * Everything outside comes in through `HerderDeps` (clock and timers, signer, broadcaster, chain
 * access, block sink, persistence, randomness): the herder has no clock, timer or I/O of its own and
 * is deterministic given its inputs. Spec of SCP: draft-mazieres-dinrg-scp; roles as stellar-core's
 * Herder / HerderSCPDriver / PendingEnvelopes (written anew).
 */
import {
  applyTxLog,
  type BlockchainState,
  type BlockHeader,
  type BlockTx,
  blockId,
  blockSize,
  blockTxWitnessHash,
  type CheckedBlock,
  checkBlock,
  checkTxHeader,
  MAX_BLOCK_SIZE,
  MAX_BLOCK_TXS,
  type Mempool,
  type TxLogRecord,
  txRoot,
  type VerifiedBlock,
  verifyBlockTxs,
} from "../../src/chain/index.js";
import { bytesEqual, compareBytes, toHex } from "../../src/util/bytes.js";
import { CodedError } from "../../src/util/codedError.js";
import type { Rng } from "../../src/util/rng.js";
import type { Catchup, Forest } from "../../src/utreexo/forest.js";
import { totalFee } from "../../src/zkvm/txlog.js";
import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeState,
  encodeEnvelope,
  encodeStatement,
  type NodeId,
  normalizeQuorumSet,
  type QuorumSet,
  quorumSetHash,
  Scp,
  type ScpDriver,
  type ScpEvent,
  type TimerId,
  ValidationLevel,
  type Value,
} from "../scp/index.js";
import { type FinalityCertificate, makeCertificate } from "./certificate.js";
import { HerderCode, HerderError } from "./errors.js";
import {
  type BlockValue,
  decodeTxSet,
  decodeValue,
  encodeTxSet,
  encodeValue,
  type TxSet,
  txSetHash,
  valueOfHeader,
} from "./value.js";

/** Clock and timers (virtual in tests, real in the node). */
export interface HerderScheduler {
  /** Current time in ms since the Unix epoch (block timestamps use it). */
  nowMs(): bigint;
  /** Calls `callback` after `delayMs`; returns a handle for `clearTimer`. */
  setTimer(delayMs: number, callback: () => void): unknown;
  /** Cancels a timer (no-op if it already fired). */
  clearTimer(handle: unknown): void;
}

/** The local node's envelope signer and the signature check for peers (Starsig in the node). */
export interface EnvelopeSigner {
  /** The local node id (32-byte Ristretto public key). */
  readonly nodeId: NodeId;
  /** Signs canonical statement bytes (64 bytes). */
  sign(statementBytes: Uint8Array): Uint8Array;
  /** Checks `nodeId`'s signature over canonical statement bytes; must not throw. */
  verify(nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array): boolean;
}

/** Outgoing messages. */
export interface HerderBroadcaster {
  /** Broadcasts one of the local node's envelopes. */
  emitEnvelope(envelope: Envelope): void;
  /** Asks peers (preferably `from`, the node that named it) for the tx set with this hash. */
  requestTxSet(hash: Uint8Array, from: NodeId | undefined): void;
  /** Gossips the local node's proposed tx set (optional: peers can also fetch it by hash). */
  broadcastTxSet?(hash: Uint8Array, encoded: Uint8Array): void;
}

/** Read access to the chain: the current state and the mempool built on it. */
export interface HerderChain {
  state(): BlockchainState;
  mempool(): Mempool;
}

/** Where externalized blocks go (the node stores the block and certificate and applies it). */
export interface BlockSink {
  onBlock(block: VerifiedBlock, certificate: FinalityCertificate): void;
}

/** The local node's SCP state for one slot, as stored (encoded envelopes and the tx sets they name). */
export interface PersistedScpState {
  readonly slot: bigint;
  readonly envelopes: readonly Uint8Array[];
  readonly txSets: readonly Uint8Array[];
}

/** Durable storage of the local node's latest envelopes (the node backs it with its ChainStore). */
export interface ScpPersistence {
  /** Replaces the stored state (called before every emission). */
  save(state: PersistedScpState): void;
  /** The stored state, if any. */
  load(): PersistedScpState | undefined;
}

export interface HerderDeps {
  readonly scheduler: HerderScheduler;
  readonly signer: EnvelopeSigner;
  readonly broadcaster: HerderBroadcaster;
  readonly chain: HerderChain;
  readonly sink: BlockSink;
  readonly persistence?: ScpPersistence;
  /** Randomness for batch-verification weights. */
  readonly rng: Rng;
  /** Monitoring hook (SCP events). */
  readonly onEvent?: (event: ScpEvent) => void;
}

export interface HerderOptions {
  /** The local quorum set. */
  readonly quorumSet: QuorumSet;
  /** Other nodes' quorum sets the herder knows (the local one is always known). */
  readonly knownQuorumSets?: readonly QuorumSet[];
  /** With an empty mempool, nominate an empty block after this long (default 5000 ms). */
  readonly emptyBlockIntervalMs?: number;
  /** Nominated timestamps may be at most this far ahead of the local clock (default 15000 ms). */
  readonly maxClockDriftMs?: number;
  /** Nomination / ballot timeout: base + (round − 1) · increment, capped (defaults 1000, 1000, 30 min). */
  readonly timeoutBaseMs?: number;
  readonly timeoutIncrementMs?: number;
  readonly timeoutMaxMs?: number;
  /** Largest tx count of a proposed block (default MAX_BLOCK_TXS). */
  readonly maxBlockTxs?: number;
  /** How many slots beyond the next height peers' envelopes are accepted for (default 2). */
  readonly slotsAhead?: number;
  /** Envelopes held while their tx sets are fetched (default 1000). */
  readonly maxPendingEnvelopes?: number;
}

/** Verdict of `Herder.receiveEnvelope`: processed, rejected, or held until its tx sets arrive. */
export type HerderEnvelopeState = EnvelopeState | "pending";

/** Outcome of checking a tx set against the parent state. */
type TxSetCheck =
  | { readonly ok: false; readonly error: unknown }
  | {
      readonly ok: true;
      readonly verified: readonly TxLogRecord[];
      readonly witnessHashes: readonly Uint8Array[];
      readonly forest: Forest;
      readonly catchup: Catchup;
      readonly fee: bigint;
    };

interface CachedTxSet {
  readonly txSet: TxSet;
  readonly encoded: Uint8Array;
  /** Keyed by the parent id the check ran against. */
  check?: { readonly parent: string; readonly result: TxSetCheck };
}

const MAX_RESULTS_CACHE = 20_000;
const MAX_TXSET_CACHE = 256;

/** Values named by a statement (nomination votes and accepted, ballots). */
function statementValues(env: Envelope): Value[] {
  const p = env.statement.pledges;
  switch (p.type) {
    case "nominate":
      return [...p.votes, ...p.accepted];
    case "prepare": {
      const out = [p.ballot.value];
      if (p.prepared) out.push(p.prepared.value);
      if (p.preparedPrime) out.push(p.preparedPrime.value);
      return out;
    }
    case "confirm":
      return [p.ballot.value];
    case "externalize":
      return [p.commit.value];
  }
}

function tryDecodeValue(v: Value): BlockValue | undefined {
  try {
    return decodeValue(v);
  } catch {
    return undefined;
  }
}

export class Herder implements ScpDriver {
  /** The SCP instance this herder drives. */
  readonly scp: Scp;
  private readonly deps: HerderDeps;
  private readonly qsets = new Map<string, QuorumSet>();
  private readonly txSets = new Map<string, CachedTxSet>();
  private readonly results = new Map<string, TxLogRecord>();
  private readonly timers = new Map<string, unknown>();
  private readonly pending: Envelope[] = [];
  private readonly requested = new Set<string>();
  private readonly own = new Map<string, Envelope>();
  private ownSlot = -1n;
  private readonly emptyBlockIntervalMs: number;
  private readonly maxClockDriftMs: bigint;
  private readonly timeoutBaseMs: number;
  private readonly timeoutIncrementMs: number;
  private readonly timeoutMaxMs: number;
  private readonly maxBlockTxs: number;
  private readonly slotsAhead: bigint;
  private readonly maxPending: number;
  /** The height being decided (tip height + 1), 0 before `start`. */
  private tracking = 0n;
  private nominated = false;
  private triggerTimer: unknown;
  private triggerArmed = false;
  private started = false;
  private externalizedPending: { slot: bigint; value: Value } | undefined;
  /**
   * Set when an externalized value could not be built into a block on the current state
   * (HERDER_BLOCK_BUILD_FAILED): the node's state diverged from the quorum's and it must resync.
   */
  buildFailure: HerderError | undefined;

  constructor(opts: HerderOptions, deps: HerderDeps) {
    this.deps = deps;
    this.emptyBlockIntervalMs = opts.emptyBlockIntervalMs ?? 5000;
    this.maxClockDriftMs = BigInt(opts.maxClockDriftMs ?? 15_000);
    this.timeoutBaseMs = opts.timeoutBaseMs ?? 1000;
    this.timeoutIncrementMs = opts.timeoutIncrementMs ?? 1000;
    this.timeoutMaxMs = opts.timeoutMaxMs ?? 30 * 60 * 1000;
    this.maxBlockTxs = Math.min(opts.maxBlockTxs ?? MAX_BLOCK_TXS, MAX_BLOCK_TXS);
    this.slotsAhead = BigInt(opts.slotsAhead ?? 2);
    this.maxPending = opts.maxPendingEnvelopes ?? 1000;
    this.scp = new Scp({ nodeId: deps.signer.nodeId, quorumSet: opts.quorumSet }, this);
    this.addQuorumSet(this.scp.local.qset);
    for (const q of opts.knownQuorumSets ?? []) this.addQuorumSet(q);
  }

  // ------------------------------------------------------------------ public API

  /** The height being decided (tip height + 1). */
  get trackingHeight(): bigint {
    return this.tracking;
  }

  /** Makes a quorum set known (peers declare quorum sets by hash). */
  addQuorumSet(q: QuorumSet): void {
    const n = normalizeQuorumSet(q);
    this.qsets.set(toHex(quorumSetHash(n)), n);
    this.qsets.set(toHex(quorumSetHash(q)), q);
  }

  /**
   * Starts the herder on the chain's current state: restores the persisted SCP state of the next
   * height (if any; HERDER_RESTORE_FAILED if it cannot), re-emits it, and arms the nomination trigger.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.advance();
    this.restore();
  }

  /**
   * Tells the herder the chain tip or the mempool changed (a block applied outside consensus, a tx
   * added): moves to the next height if the tip advanced, and nominates early if txs are waiting.
   */
  tipChanged(): void {
    if (!this.started) return;
    this.advance();
  }

  /**
   * Hands a peer's envelope to consensus. Envelopes for the next height naming unknown tx sets are
   * held ("pending") and the tx sets requested; they are processed when `receiveTxSet` brings them.
   * Envelopes for later heights (up to `slotsAhead`) are held until the chain gets there (SCP could
   * not validate their values before, and would stop emitting for that slot); beyond: "invalid".
   * Held envelopes are signature-checked first; at most `maxPendingEnvelopes` are kept (oldest dropped).
   */
  receiveEnvelope(env: Envelope): HerderEnvelopeState {
    const st = env.statement;
    if (this.started && typeof st?.slotIndex === "bigint" && st.slotIndex >= this.tracking) {
      const future = st.slotIndex > this.tracking;
      if (future && st.slotIndex > this.tracking + this.slotsAhead) return "invalid";
      const missing = future ? [] : this.missingTxSets(env);
      if (future || missing.length > 0) {
        let ok = false;
        try {
          ok = this.deps.signer.verify(st.nodeId, encodeStatement(st), env.signature);
        } catch {
          ok = false;
        }
        if (!ok) return "invalid";
        if (this.pending.length >= this.maxPending) this.pending.shift();
        this.pending.push(env);
        for (const h of missing) this.request(h, st.nodeId);
        return "pending";
      }
    }
    const verdict = this.scp.receiveEnvelope(env);
    if (
      verdict === "valid" &&
      this.started &&
      st.slotIndex === this.tracking &&
      st.pledges.type === "nominate" &&
      !this.nominated
    )
      this.armTrigger(0);
    return verdict;
  }

  /**
   * Adds a tx set (from gossip or a fetch). Returns its hash, or undefined if it is malformed
   * (HERDER_TXSET_DECODE_FAILED is swallowed: peers' bytes never throw). Held envelopes whose tx
   * sets are now all known are processed.
   */
  receiveTxSet(encoded: Uint8Array): Uint8Array | undefined {
    let ts: TxSet;
    try {
      ts = decodeTxSet(encoded);
    } catch (e) {
      if (e instanceof CodedError) return undefined;
      throw e;
    }
    const hash = txSetHash(ts);
    if (this.started && ts.height < this.tracking) return hash; // for a decided height: not kept
    this.cacheTxSet(ts, encoded.slice(), hash);
    this.requested.delete(toHex(hash));
    const x = this.externalizedPending;
    if (x && x.slot === this.tracking && bytesEqual(decodeValue(x.value).txSetHash, hash)) {
      this.externalizedPending = undefined;
      this.deliverBlock(x.slot, x.value, this.deps.chain.state());
    }
    this.releasePending();
    return hash;
  }

  /** The encoded tx set with this hash, if cached (to answer peers' fetches). */
  getTxSet(hash: Uint8Array): Uint8Array | undefined {
    return this.txSets.get(toHex(hash))?.encoded;
  }

  /** Number of envelopes held for missing tx sets. */
  get pendingCount(): number {
    return this.pending.length;
  }

  // ------------------------------------------------------------------ ScpDriver

  /** @internal */
  sign(statementBytes: Uint8Array): Uint8Array {
    return this.deps.signer.sign(statementBytes);
  }

  /** @internal */
  verify(nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array): boolean {
    try {
      return this.deps.signer.verify(nodeId, statementBytes, signature);
    } catch {
      return false;
    }
  }

  /** @internal Stores the latest NOMINATE and ballot envelope of the slot (and their tx sets). */
  persistEnvelope(envelope: Envelope): void {
    const p = this.deps.persistence;
    if (!p) return;
    const slot = envelope.statement.slotIndex;
    if (slot !== this.ownSlot) {
      this.own.clear();
      this.ownSlot = slot;
    }
    this.own.set(envelope.statement.pledges.type === "nominate" ? "nominate" : "ballot", envelope);
    const envs = [...this.own.values()];
    const sets = new Map<string, Uint8Array>();
    for (const e of envs)
      for (const v of statementValues(e)) {
        const d = tryDecodeValue(v);
        const c = d && this.txSets.get(toHex(d.txSetHash));
        if (c) sets.set(toHex(d.txSetHash), c.encoded);
      }
    p.save({ slot, envelopes: envs.map(encodeEnvelope), txSets: [...sets.values()] });
  }

  /** @internal */
  emitEnvelope(envelope: Envelope): void {
    this.deps.broadcaster.emitEnvelope(envelope);
  }

  /** @internal */
  getQuorumSet(hash: Uint8Array): QuorumSet | undefined {
    return this.qsets.get(toHex(hash));
  }

  /**
   * Validity of a value for `slot`: Invalid if it does not decode, does not extend the tip, its
   * timestamp is not after the tip's (or, when nominating, is more than the allowed drift ahead of
   * the clock), or its tx set is invalid (limits, header fields, tx time bounds, a tx failing
   * verification, a proof not holding, a wrong utxoroot); MaybeValid for another slot than the next
   * height or an unknown tx set (then fetched); FullyValid otherwise.
   */
  validateValue(slot: bigint, value: Value, nomination: boolean): ValidationLevel {
    const v = tryDecodeValue(value);
    if (!v) return ValidationLevel.Invalid;
    const state = this.deps.chain.state();
    if (slot !== state.tip.height + 1n) return ValidationLevel.MaybeValid;
    if (!bytesEqual(v.prev, state.tipId)) return ValidationLevel.Invalid;
    if (v.timestampMs <= state.tip.timestampMs) return ValidationLevel.Invalid;
    if (nomination && v.timestampMs > this.deps.scheduler.nowMs() + this.maxClockDriftMs)
      return ValidationLevel.Invalid;
    const cached = this.txSets.get(toHex(v.txSetHash));
    if (!cached) {
      this.request(v.txSetHash, undefined);
      return ValidationLevel.MaybeValid;
    }
    return this.checkAt(cached, state, v.timestampMs).ok
      ? ValidationLevel.FullyValid
      : ValidationLevel.Invalid;
  }

  /**
   * Deterministic composite: the tx set with the highest total fee, then the most txs, then the
   * lowest hash; the timestamp is the largest timestamp of a valid candidate that all its txs admit.
   * Candidates with an unknown or invalid tx set are skipped (if none is left: the bytewise smallest).
   */
  combineCandidates(_slot: bigint, candidates: readonly Value[]): Value | undefined {
    const state = this.deps.chain.state();
    type Cand = { v: BlockValue; fee: bigint; count: number; set: CachedTxSet };
    let best: Cand | undefined;
    const decoded: BlockValue[] = [];
    for (const raw of candidates) {
      const v = tryDecodeValue(raw);
      if (!v || !bytesEqual(v.prev, state.tipId) || v.timestampMs <= state.tip.timestampMs) continue;
      const set = this.txSets.get(toHex(v.txSetHash));
      if (!set) continue;
      const r = this.check(set, state);
      if (!r.ok) continue;
      decoded.push(v);
      const c: Cand = { v, fee: r.fee, count: set.txSet.txs.length, set };
      if (
        !best ||
        c.fee > best.fee ||
        (c.fee === best.fee &&
          (c.count > best.count ||
            (c.count === best.count && compareBytes(c.v.txSetHash, best.v.txSetHash) < 0)))
      )
        best = c;
    }
    if (!best) {
      const sorted = candidates.slice().sort(compareBytes);
      return sorted[0];
    }
    let ts = best.v.timestampMs;
    for (const v of decoded)
      if (v.timestampMs > ts && this.timeAdmits(best.set.txSet, v.timestampMs, state)) ts = v.timestampMs;
    return encodeValue({ prev: best.v.prev, timestampMs: ts, txSetHash: best.v.txSetHash });
  }

  /** @internal */
  setupTimer(slot: bigint, timer: TimerId, delayMs: number, callback: () => void): void {
    this.stopTimer(slot, timer);
    const key = `${slot}:${timer}`;
    const h = this.deps.scheduler.setTimer(delayMs, () => {
      this.timers.delete(key);
      callback();
    });
    this.timers.set(key, h);
  }

  /** @internal */
  stopTimer(slot: bigint, timer: TimerId): void {
    const key = `${slot}:${timer}`;
    if (this.timers.has(key)) {
      this.deps.scheduler.clearTimer(this.timers.get(key));
      this.timers.delete(key);
    }
  }

  /** Timeout of round `round`: base + (round − 1) · increment, capped. */
  computeTimeout(round: number, _isNomination: boolean): number {
    return Math.min(this.timeoutBaseMs + (round - 1) * this.timeoutIncrementMs, this.timeoutMaxMs);
  }

  /**
   * @internal Builds the block of the externalized value and its certificate now (from the slot's
   * externalizing state); hands them to the sink once SCP's current transition is over.
   */
  valueExternalized(slot: bigint, value: Value): void {
    const state = this.deps.chain.state();
    if (slot !== state.tip.height + 1n) return; // a block this node already has (or cannot build)
    const v = decodeValue(value);
    if (!this.txSets.has(toHex(v.txSetHash))) {
      // externalized before its tx set arrived: build the block when it does
      this.externalizedPending = { slot, value };
      this.request(v.txSetHash, undefined);
      return;
    }
    this.deliverBlock(slot, value, state);
  }

  private deliverBlock(slot: bigint, value: Value, state: BlockchainState): void {
    let block: VerifiedBlock;
    try {
      block = this.buildBlock(value, state);
    } catch (e) {
      // a quorum externalized a value this node cannot apply: its state diverged (the node must resync)
      if (!(e instanceof HerderError)) throw e;
      this.buildFailure = e;
      return;
    }
    const cert = makeCertificate(block.header, this.scp.getExternalizingState(slot));
    this.deps.scheduler.setTimer(0, () => {
      if (!bytesEqual(this.deps.chain.state().tipId, block.parentId)) return;
      this.deps.sink.onBlock(block, cert);
      this.advance();
    });
  }

  /** @internal */
  onEvent(event: ScpEvent): void {
    this.deps.onEvent?.(event);
  }

  // ------------------------------------------------------------------ blocks

  /**
   * The block an externalized value stands for (HERDER_BLOCK_BUILD_FAILED if its tx set is unknown
   * or does not apply to `state`).
   */
  buildBlock(value: Value, state: BlockchainState = this.deps.chain.state()): VerifiedBlock {
    const v = decodeValue(value);
    const set = this.txSets.get(toHex(v.txSetHash));
    if (!set) throw new HerderError(HerderCode.BLOCK_BUILD_FAILED, { reason: "unknown tx set" });
    const r = this.checkAt(set, state, v.timestampMs);
    if (!r.ok)
      throw new HerderError(HerderCode.BLOCK_BUILD_FAILED, { reason: "invalid tx set" }, { cause: r.error });
    const ts = set.txSet;
    const header: BlockHeader = {
      version: ts.version,
      height: ts.height,
      prev: ts.prev.slice(),
      timestampMs: v.timestampMs,
      txroot: txRoot(r.witnessHashes),
      utxoroot: ts.utxoroot.slice(),
      ext: new Uint8Array(0),
    };
    const checked = checkBlock(state, { header, txs: ts.txs });
    return { ...checked, verifiedTxs: r.verified.slice(), forest: r.forest, catchup: r.catchup };
  }

  // ------------------------------------------------------------------ internals

  private request(hash: Uint8Array, from: NodeId | undefined): void {
    const k = toHex(hash);
    if (this.requested.has(k)) return;
    this.requested.add(k);
    this.deps.broadcaster.requestTxSet(hash, from);
  }

  private missingTxSets(env: Envelope): Uint8Array[] {
    const out = new Map<string, Uint8Array>();
    for (const raw of statementValues(env)) {
      const v = tryDecodeValue(raw);
      if (v && !this.txSets.has(toHex(v.txSetHash))) out.set(toHex(v.txSetHash), v.txSetHash);
    }
    return [...out.values()];
  }

  private releasePending(): void {
    for (let i = 0; i < this.pending.length; ) {
      const env = this.pending[i]!;
      const slot = env.statement.slotIndex;
      if (slot < this.tracking) {
        this.pending.splice(i, 1);
        continue;
      }
      if (slot > this.tracking) {
        i++;
        continue;
      }
      const missing = this.missingTxSets(env);
      if (missing.length > 0) {
        for (const h of missing) this.request(h, env.statement.nodeId);
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.receiveEnvelope(env);
    }
  }

  private cacheTxSet(txSet: TxSet, encoded: Uint8Array, hash: Uint8Array): CachedTxSet {
    const k = toHex(hash);
    const have = this.txSets.get(k);
    if (have) return have;
    if (this.txSets.size >= MAX_TXSET_CACHE) {
      for (const [key, c] of this.txSets)
        if (c.txSet.height < this.tracking || this.txSets.size >= MAX_TXSET_CACHE) this.txSets.delete(key);
        else break;
    }
    const c: CachedTxSet = { txSet, encoded };
    this.txSets.set(k, c);
    return c;
  }

  /** True if every tx of the set admits `timestampMs`. */
  private timeAdmits(ts: TxSet, timestampMs: bigint, state: BlockchainState): boolean {
    try {
      for (const btx of ts.txs) checkTxHeader(btx.tx.header, timestampMs, state.tip.version);
      return true;
    } catch {
      return false;
    }
  }

  /** `check` plus the time bounds of every tx at `timestampMs`. */
  private checkAt(set: CachedTxSet, state: BlockchainState, timestampMs: bigint): TxSetCheck {
    const r = this.check(set, state);
    if (!r.ok) return r;
    if (!this.timeAdmits(set.txSet, timestampMs, state)) return { ok: false, error: "tx time bounds" };
    return r;
  }

  /** Checks a tx set against `state` (cached per parent): header fields, limits, txs, utxoroot. */
  private check(set: CachedTxSet, state: BlockchainState): TxSetCheck {
    const parent = toHex(state.tipId);
    if (set.check?.parent === parent) return set.check.result;
    const result = this.runCheck(set.txSet, state);
    set.check = { parent, result };
    return result;
  }

  private runCheck(ts: TxSet, state: BlockchainState): TxSetCheck {
    const tip = state.tip;
    if (!bytesEqual(ts.prev, state.tipId)) return { ok: false, error: "prev" };
    if (ts.height !== tip.height + 1n || ts.version !== tip.version) return { ok: false, error: "header" };
    if (ts.txs.length > MAX_BLOCK_TXS) return { ok: false, error: "too many txs" };
    try {
      const witnessHashes = ts.txs.map(blockTxWitnessHash);
      const header: BlockHeader = {
        version: ts.version,
        height: ts.height,
        prev: ts.prev,
        timestampMs: tip.timestampMs + 1n,
        txroot: txRoot(witnessHashes),
        utxoroot: ts.utxoroot,
        ext: new Uint8Array(0),
      };
      if (blockSize({ header, txs: ts.txs }) > MAX_BLOCK_SIZE) return { ok: false, error: "too large" };
      const checked: CheckedBlock = {
        header,
        txs: ts.txs,
        id: blockId(header),
        parentId: state.tipId,
        witnessHashes,
      };
      const mempool = this.deps.chain.mempool();
      const verified = verifyBlockTxs(checked, {
        rng: this.deps.rng,
        preverified: (btx: BlockTx) =>
          this.results.get(toHex(blockTxWitnessHash(btx))) ?? mempool.verifiedFor(btx),
      });
      if (this.results.size + verified.length > MAX_RESULTS_CACHE) this.results.clear();
      verified.forEach((rec, i) => {
        this.results.set(toHex(witnessHashes[i]!), rec);
      });
      const wf = state.forest.workForest();
      for (let i = 0; i < verified.length; i++) applyTxLog(wf, verified[i]!.txlog, ts.txs[i]!.proofs);
      const { forest, catchup } = wf.normalize();
      if (!bytesEqual(forest.root(), ts.utxoroot)) return { ok: false, error: "utxoroot" };
      let fee = 0n;
      for (const rec of verified) fee += totalFee(rec.txlog);
      return { ok: true, verified, witnessHashes, forest, catchup, fee };
    } catch (e) {
      if (e instanceof CodedError) return { ok: false, error: e };
      throw e;
    }
  }

  /** Moves to the next height if the tip advanced; arms the nomination trigger. */
  private advance(): void {
    const state = this.deps.chain.state();
    const next = state.tip.height + 1n;
    if (next !== this.tracking) {
      const prev = this.tracking;
      this.tracking = next;
      this.nominated = false;
      this.scp.setSlotRange(next > 1n ? next - 1n : next, next + this.slotsAhead);
      if (prev > 0n) this.scp.purgeSlots(next - 1n);
      this.requested.clear();
      for (const [k, c] of this.txSets) if (c.txSet.height < next) this.txSets.delete(k);
      this.disarmTrigger();
      this.releasePending();
    }
    if (this.nominated) return;
    if (this.deps.chain.mempool().count > 0) this.armTrigger(0);
    else if (!this.triggerArmed) this.armTrigger(this.emptyBlockIntervalMs);
  }

  private disarmTrigger(): void {
    if (this.triggerArmed) this.deps.scheduler.clearTimer(this.triggerTimer);
    this.triggerArmed = false;
  }

  private armTrigger(delayMs: number): void {
    this.disarmTrigger();
    this.triggerArmed = true;
    const height = this.tracking;
    this.triggerTimer = this.deps.scheduler.setTimer(delayMs, () => {
      this.triggerArmed = false;
      if (this.tracking === height) this.nominateNow();
    });
  }

  /** Proposes the mempool's template for the next height and starts nominating. */
  private nominateNow(): void {
    if (this.nominated) return;
    const state = this.deps.chain.state();
    if (state.tip.height + 1n !== this.tracking) return;
    const now = this.deps.scheduler.nowMs();
    const ts = now > state.tip.timestampMs ? now : state.tip.timestampMs + 1n;
    const block = this.deps.chain.mempool().template(ts, { maxTxs: this.maxBlockTxs });
    const txSet: TxSet = {
      version: block.header.version,
      height: block.header.height,
      prev: block.header.prev,
      utxoroot: block.header.utxoroot,
      txs: block.txs,
    };
    const hash = txSetHash(txSet);
    const encoded = encodeTxSet(txSet);
    const cached = this.cacheTxSet(txSet, encoded, hash);
    block.verifiedTxs.forEach((rec, i) => {
      this.results.set(toHex(block.witnessHashes[i]!), rec);
    });
    this.deps.broadcaster.broadcastTxSet?.(hash, encoded);
    this.nominated = true;
    this.releasePending();
    const value = encodeValue({ prev: state.tipId, timestampMs: ts, txSetHash: hash });
    if (!this.check(cached, state).ok) return; // cannot happen for a template; never nominate junk
    this.scp.nominate(this.tracking, value, encodeValue(valueOfHeader(state.tip)));
  }

  /** Restores the persisted state of the next height (stale state is ignored). */
  private restore(): void {
    const saved = this.deps.persistence?.load();
    if (!saved || saved.slot !== this.tracking) return;
    try {
      for (const t of saved.txSets) {
        const ts = decodeTxSet(t);
        this.cacheTxSet(ts, t.slice(), txSetHash(ts));
      }
      const envs = saved.envelopes.map(decodeEnvelope);
      for (const e of envs) {
        this.own.set(e.statement.pledges.type === "nominate" ? "nominate" : "ballot", e);
        this.scp.setStateFromEnvelope(e);
      }
      this.ownSlot = saved.slot;
      for (const e of this.scp.getLatestMessagesSend(saved.slot)) this.deps.broadcaster.emitEnvelope(e);
    } catch (e) {
      if (e instanceof CodedError)
        throw new HerderError(HerderCode.RESTORE_FAILED, { slot: saved.slot }, { cause: e });
      throw e;
    }
  }
}
