/**
 * The node's composition root (DESIGN.md, "src/node"; issue 8): wires the MSM backend, the chain
 * store, the chain state and mempool, the herder (SCP on blocks) with real timers and clock, the
 * libp2p network service and the HTTP API into one `ZkvmNode`.
 *
 * Data flow:
 *  - txs arrive through `POST /tx` or the tx gossip topic; each is decoded, verified and added to the
 *    mempool (`Mempool.add`), then (when it came from the API) gossiped;
 *  - the herder proposes mempool templates, exchanges envelopes on the scp topic and tx sets on the
 *    txset topic / txset protocol, and hands each externalized block to the node, which moves the
 *    mempool onto it and commits block, header, certificate, chain state and tx index to the store
 *    in one `commitBlock`;
 *  - peers fetch blocks with their certificates over the block-range protocol;
 *  - every committed block (from consensus or from sync, through one `commitBlock`) is announced on
 *    the block gossip topic (header + certificate); a node that sees a certified block, or a quorum
 *    member's envelope, beyond its tip catches up over the block-range protocol (sync.ts), as it
 *    does at start (before its herder votes) and periodically;
 *  - every node serves its tip as a snapshot (snapshot.ts) for `bootstrapFromSnapshot`.
 *
 * Store writes are asynchronous and run in order on one queue. The herder's persistence hook is
 * synchronous: it writes the SCP state to `<dataDir>/scp-state.bin` durably (fsync) before returning,
 * so an envelope is never emitted before its state is on disk; the store keeps a copy too.
 */
import { randomFillSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import {
  type BlockSink,
  decodeCertificate,
  encodeCertificate,
  type FinalityCertificate,
  Herder,
  type HerderBroadcaster,
  type HerderOptions,
  type HerderScheduler,
  type PersistedScpState,
  starsigSigner,
  verifyEnvelopeSignature,
} from "../../consensus/herder/index.js";
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  encodeStatement,
  nodeKey,
  type QuorumSet,
} from "../../consensus/scp/index.js";
import {
  decodeBlockAnnouncement,
  decodeBlockRangeRequest,
  decodeSnapshotRequest,
  decodeTxSetRequest,
  decodeTxSetResponse,
  encodeBlockAnnouncement,
  encodeBlockRangeRequest,
  encodeBlockRangeResponse,
  encodeSnapshotResponse,
  encodeTxSetRequest,
  encodeTxSetResponse,
  type GossipVerdict,
  loadOrCreateIdentity,
  MAX_ANNOUNCEMENT_CERTIFICATE_BYTES,
  MAX_BLOCK_RANGE_RESPONSE_BYTES,
  MAX_GOSSIP_BYTES,
  MAX_HEADER_BYTES,
  NetworkService,
  type PeerPrivateKey,
  Protocol,
} from "../../network/index.js";
import type {
  BlockInfo,
  MempoolInfo,
  NodeStatus,
  NodeView,
  PeerInfo,
  QuorumInfo,
  SubmitResult,
  TxInfo,
} from "../api/index.js";
import { type ApiServer, createNodeMetrics, type NodeMetrics, startApiServer } from "../api/index.js";
import {
  type Block,
  type BlockchainState,
  type BlockTx,
  blockId,
  ChainCode,
  decodeBlock,
  decodeBlockTx,
  decodeHeader,
  decodeState,
  encodeBlock,
  encodeBlockTx,
  encodeHeader,
  encodeState,
  Mempool,
  type MempoolEntry,
  makeGenesis,
  utxoLeaf,
  type VerifiedBlock,
} from "../chain/index.js";
import { type MsmBackend, setDefaultMsmBackend, setSecretMsmKernel } from "../crypto/msm/index.js";
import { selectMsmBackend } from "../crypto/msm/native.js";
import type { BlockCommit, ChainStore } from "../storage/index.js";
import { SqliteChainStore } from "../storage/index.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { CodedError, errorCode } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import { precomputeTx } from "../zkvm/verifier.js";
import { refusal, TxAdmission } from "./admission.js";
import type { NodeConfig, QuorumSetConfig } from "./config.js";
import { NodeCode, NodeError } from "./errors.js";
import { LOG_LEVELS, type Logger, silentLogger } from "./logger.js";
import { LightRelay } from "./relay.js";
import { decodeScpState, encodeScpState, readScpStateFile, writeScpStateFileSync } from "./scpState.js";
import { makeSnapshot, recordGenesisId, storedGenesisId } from "./snapshot.js";
import { Syncer, type SyncProgress, type SyncResult, trustedCertificateCheck } from "./sync.js";
import { VerifyPool } from "./verifyPool.js";

/** The SCP state file in the data folder, written durably before every emission. */
const SCP_STATE_FILE = "scp-state.bin";

/** The operating system's randomness (nonces, batch-verification weights). */
const systemRng: Rng = {
  fillBytes(dest: Uint8Array): void {
    randomFillSync(dest);
  },
};

/** Network-service knobs for tests (the production defaults suit real deployments). */
export interface NodeNetworkOptions {
  /** Gossipsub heartbeat in ms (default 1000). */
  readonly heartbeatIntervalMs?: number;
  /** Delay before dialling bootstrap peers in ms (default 100). */
  readonly bootstrapDelayMs?: number;
}

/** Catch-up sync knobs (defaults suit real deployments; tests use less). */
export interface NodeSyncOptions {
  /** Periodic check (one peer asked for blocks beyond the tip) every this many ms (default 5000). */
  readonly intervalMs?: number;
  /** At start, wait at most this long for a bootstrap peer to connect before syncing (default 3000). */
  readonly initialWaitMs?: number;
  /** A validator one block behind a peer waits this long for consensus before syncing (default 1000). */
  readonly lagGraceMs?: number;
  /** Blocks asked for per request (default 32). */
  readonly batchSize?: number;
}

/** Sync state for the API and the CLI. */
export interface NodeSyncStatus {
  /** True while a catch-up run is under way. */
  readonly syncing: boolean;
  /** Its target height, when known. */
  readonly target: bigint | undefined;
  /** The last finished run. */
  readonly last: SyncResult | undefined;
}

/** Everything `ZkvmNode.create` needs. */
export interface ZkvmNodeOptions {
  readonly config: NodeConfig;
  /** The chain's genesis: timestamp and the contract ids of the initial utxos, in order. */
  readonly genesis: { readonly timestampMs: bigint; readonly utxoIds: readonly Uint8Array[] };
  /** The node's Starsig secret scalar; the node id is its public key. */
  readonly nodeSecret: bigint;
  /** A store to use instead of `<dataDir>/chain.sqlite` (the node closes it on `stop`). */
  readonly store?: ChainStore;
  readonly logger?: Logger;
  /** Randomness (default: the operating system's). */
  readonly rng?: Rng;
  /** The libp2p identity (default: loaded from or created at `<dataDir>/peer.key`). */
  readonly peerKey?: PeerPrivateKey;
  /** Herder options beyond the quorum set and empty-block interval (which come from the config). */
  readonly herder?: Omit<HerderOptions, "quorumSet" | "emptyBlockIntervalMs">;
  readonly network?: NodeNetworkOptions;
  /**
   * Worker threads verifying submitted txs off the main thread (src/node/verifyPool.ts); 0 (the
   * default) verifies on the main thread. `zkvm-node start` uses one per core.
   */
  readonly verifyWorkers?: number;
  /** Largest number of utxo proofs the light-client relay keeps fresh (default 100,000). */
  readonly relayProofEntries?: number;
  /** Catch-up sync knobs. */
  readonly sync?: NodeSyncOptions;
  /** Called with sync progress (each applied block, and once with `done` per run). */
  readonly onSyncProgress?: (p: SyncProgress) => void;
}

/** Converts a configured quorum set to the SCP type. */
function toQuorumSet(q: QuorumSetConfig): QuorumSet {
  return {
    threshold: q.threshold,
    validators: q.validators.map((v) => v.slice()),
    innerSets: q.innerSets.map(toQuorumSet),
  };
}

/** The multiaddr to listen on for a host and port. */
function listenAddr(host: string, port: number): string {
  const kind = isIP(host);
  const proto = kind === 4 ? "ip4" : kind === 6 ? "ip6" : "dns4";
  return `/${proto}/${host}/tcp/${port}`;
}

/** A running (or runnable) ZkVM node. Create with `ZkvmNode.create`, then `start()`, `stop()`. */
export class ZkvmNode {
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /** The node id (the Starsig public key of the node secret). */
  readonly nodeId: Uint8Array;
  /** The MSM backend in use and why it was chosen. */
  readonly msm: { readonly backend: MsmBackend; readonly reason: string };
  readonly store: ChainStore;
  /** The herder (validators only). */
  readonly herder: Herder | undefined;
  private readonly rng: Rng;
  private readonly peerKey: PeerPrivateKey;
  private readonly opts: ZkvmNodeOptions;
  private readonly genesisId: Uint8Array;
  private mempoolRef: Mempool;
  private savedScp: PersistedScpState | undefined;
  private net: NetworkService | undefined;
  private apiServer: ApiServer | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private queue: Promise<void> = Promise.resolve();
  private phase: "created" | "running" | "stopped" = "created";
  private readonly startedAt = Date.now();
  /** The first store write that failed, if any (the node keeps running on its in-memory state). */
  storeFailure: unknown;
  /** Catch-up sync (undefined without a configured quorum set: certificates could not be checked). */
  private readonly syncer: Syncer | undefined;
  private readonly certCheck: ((cert: FinalityCertificate, id: Uint8Array) => void) | undefined;
  private readonly quorumMembers = new Set<string>();
  private readonly syncListeners = new Set<(p: SyncProgress) => void>();
  /** The light-client protocol server (headers, forest, proof refresh, submit, watch). */
  readonly relay: LightRelay;
  private pool: VerifyPool | undefined;
  private admission: TxAdmission | undefined;
  /** The encoded tip block and certificate, kept with each commit (served as the snapshot). */
  private tipRecord: { id: Uint8Array; block: Uint8Array; certificate: Uint8Array } | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  /** The newest SCP state waiting for its (coalesced) store write. */
  private scpForStore: { slot: bigint; bytes: Uint8Array } | undefined;
  /** Refreshes the peer-count gauge once a second. */
  private peerGaugeTimer: ReturnType<typeof setInterval> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTarget = 0n;
  private herderStarted = false;

  private constructor(
    opts: ZkvmNodeOptions,
    init: {
      store: ChainStore;
      state: BlockchainState;
      genesisId: Uint8Array;
      msm: { backend: MsmBackend; reason: string };
      peerKey: PeerPrivateKey;
      saved: PersistedScpState | undefined;
    },
  ) {
    this.opts = opts;
    this.config = opts.config;
    this.logger = opts.logger ?? silentLogger;
    this.metrics = createNodeMetrics();
    this.rng = opts.rng ?? systemRng;
    this.store = init.store;
    this.msm = init.msm;
    this.peerKey = init.peerKey;
    this.genesisId = init.genesisId;
    this.savedScp = init.saved;
    this.mempoolRef = new Mempool(init.state, { backend: init.msm.backend });
    this.relay = new LightRelay({
      store: this.store,
      state: () => this.mempoolRef.state,
      submitTx: (bytes) => this.submitTxAsync(bytes),
      logger: this.logger.child({ module: "relay" }),
      limits: { maxProofEntries: opts.relayProofEntries ?? 100_000 },
    });
    const signer = starsigSigner(opts.nodeSecret, this.rng);
    this.nodeId = signer.nodeId;
    const q = opts.config.quorumSet;
    if (opts.config.validator && q !== undefined) {
      const quorumSet = toQuorumSet(q);
      this.herder = new Herder(
        {
          timeoutBaseMs: opts.config.scpTimeoutMs,
          timeoutIncrementMs: opts.config.scpTimeoutMs,
          ...opts.herder,
          quorumSet,
          emptyBlockIntervalMs: opts.config.emptyBlockIntervalMs,
        },
        {
          scheduler: this.scheduler(),
          signer,
          broadcaster: this.broadcaster(),
          chain: { state: () => this.mempoolRef.state, mempool: () => this.mempoolRef },
          sink: this.sink(),
          persistence: {
            save: (s) => {
              this.savedScp = s;
              const bytes = encodeScpState(s);
              writeScpStateFileSync(join(opts.config.dataDir, SCP_STATE_FILE), bytes);
              // The file above is the durable copy; the store's copy only needs the latest state, so
              // emissions that come faster than the store commits collapse into one write.
              const queued = this.scpForStore !== undefined;
              this.scpForStore = { slot: s.slot, bytes };
              if (!queued)
                this.enqueue("consensus state", async () => {
                  const latest = this.scpForStore;
                  this.scpForStore = undefined;
                  if (latest === undefined) return;
                  await this.store.putConsensusState(latest.slot, latest.bytes);
                  await this.store.pruneConsensusState(latest.slot);
                });
            },
            load: () => this.savedScp,
          },
          rng: this.rng,
          // consensus progress at debug level (a ballot counter above 1 means a ballot timeout)
          onEvent: (e) => {
            if (LOG_LEVELS.indexOf(this.logger.level) <= LOG_LEVELS.indexOf("debug"))
              this.logger.debug("scp", {
                event: e.type,
                slot: e.slot.toString(),
                ...("ballot" in e ? { counter: e.ballot.counter } : {}),
              });
          },
        },
      );
    } else this.herder = undefined;
    this.metrics.blockHeight.set(init.state.tip.height);
    if (opts.onSyncProgress !== undefined) this.syncListeners.add(opts.onSyncProgress);
    if (q !== undefined) {
      const trusted = toQuorumSet(q);
      this.certCheck = trustedCertificateCheck(trusted);
      const add = (set: QuorumSet): void => {
        for (const v of set.validators) this.quorumMembers.add(nodeKey(v));
        for (const inner of set.innerSets) add(inner);
      };
      add(trusted);
      this.syncer = this.makeSyncer();
    } else {
      this.certCheck = undefined;
      this.syncer = undefined;
    }
  }

  /**
   * Builds a node: installs the MSM backend, opens the store (`<dataDir>/chain.sqlite` unless one is
   * given), restores the chain state from the stored tip or commits genesis, and loads the peer
   * identity and the persisted SCP state. Nothing listens until `start()`.
   * Errors: NODE_MSM_UNAVAILABLE, NODE_STORE_MISMATCH, NODE_BAD_CONSENSUS_STATE, STORAGE_*.
   */
  static async create(opts: ZkvmNodeOptions): Promise<ZkvmNode> {
    const cfg = opts.config;
    const env = cfg.msmBackend === "js" ? { ...process.env, ZKVM_MSM: "js" } : process.env;
    const msm = selectMsmBackend(env);
    if (cfg.msmBackend === "native" && msm.backend.name !== "native")
      throw new NodeError(NodeCode.MSM_UNAVAILABLE, { reason: msm.reason });
    setDefaultMsmBackend(msm.backend);
    setSecretMsmKernel(msm.secretMsm);
    mkdirSync(cfg.dataDir, { recursive: true });
    const store = opts.store ?? (await SqliteChainStore.open({ path: join(cfg.dataDir, "chain.sqlite") }));
    try {
      const genesis = makeGenesis(opts.genesis.timestampMs, opts.genesis.utxoIds);
      const state = await ZkvmNode.loadChain(store, genesis.state);
      // The durable file written before each emission wins over the store's (possibly older) copy.
      const file = readScpStateFile(join(cfg.dataDir, SCP_STATE_FILE));
      const rec = file === undefined ? await store.getLatestConsensusState() : undefined;
      const bytes = file ?? rec?.state;
      const saved = bytes === undefined ? undefined : decodeScpState(bytes);
      const peerKey = opts.peerKey ?? (await loadOrCreateIdentity(join(cfg.dataDir, "peer.key")));
      return new ZkvmNode(opts, { store, state, genesisId: genesis.state.tipId, msm, peerKey, saved });
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** The stored chain state (after checking it starts at this genesis), or genesis committed now. */
  private static async loadChain(store: ChainStore, genesis: BlockchainState): Promise<BlockchainState> {
    const tip = await store.tip();
    const height = Number(genesis.tip.height);
    if (tip === undefined) {
      await store.commitBlock({
        height,
        id: genesis.tipId,
        header: encodeHeader(genesis.tip),
        block: encodeBlock({ header: genesis.tip, txs: [] }),
        utreexoState: encodeState(genesis),
        txIndex: [],
      });
      await recordGenesisId(store, genesis.tipId);
      return genesis;
    }
    const base = await store.baseHeight();
    if (base === undefined || base <= height) {
      const first = await store.getBlockId(height);
      if (first === undefined || !bytesEqual(first, genesis.tipId))
        throw new NodeError(NodeCode.STORE_MISMATCH, { reason: "stored chain has another genesis", height });
    } else {
      // a store bootstrapped from a certified snapshot: its genesis is recorded beside the chain
      const recorded = await storedGenesisId(store);
      if (recorded === undefined || !bytesEqual(recorded, genesis.tipId))
        throw new NodeError(NodeCode.STORE_MISMATCH, { reason: "stored chain has another genesis", height });
      if ((await store.getCertificate(base)) === undefined)
        throw new NodeError(NodeCode.STORE_MISMATCH, {
          reason: "snapshot base has no certificate",
          height: base,
        });
    }
    const snap = await store.getUtreexoState();
    if (snap === undefined || snap.height !== tip.height)
      throw new NodeError(NodeCode.STORE_MISMATCH, {
        reason: "no chain state at the tip",
        height: tip.height,
      });
    let state: BlockchainState;
    try {
      state = decodeState(snap.state);
    } catch (e) {
      throw new NodeError(NodeCode.STORE_MISMATCH, { reason: "chain state does not decode" }, { cause: e });
    }
    if (!bytesEqual(state.tipId, tip.id))
      throw new NodeError(NodeCode.STORE_MISMATCH, {
        reason: "chain state is not the tip's",
        height: tip.height,
      });
    return state;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the network, the herder (validators) and the API. NODE_BAD_LIFECYCLE if not fresh. */
  async start(): Promise<void> {
    if (this.phase !== "created") throw new NodeError(NodeCode.BAD_LIFECYCLE, { state: this.phase });
    this.phase = "running";
    const cfg = this.config;
    const netOpts = this.opts.network ?? {};
    this.net = new NetworkService({
      networkId: cfg.network,
      privateKey: this.peerKey,
      listen: [listenAddr(cfg.listenHost, cfg.listenPort)],
      bootstrap: cfg.bootstrapPeers,
      scoring: { ipColocationWeight: 0 },
      ...(netOpts.heartbeatIntervalMs === undefined
        ? {}
        : { heartbeatIntervalMs: netOpts.heartbeatIntervalMs }),
      ...(netOpts.bootstrapDelayMs === undefined ? {} : { bootstrapDelayMs: netOpts.bootstrapDelayMs }),
      validators: {
        tx: (data) => this.onGossipTx(data),
        scp: (data) => this.onGossipEnvelope(data),
        txset: (data) => this.onGossipTxSet(data),
        block: (data) => this.receiveBlockAnnouncement(data),
      },
      handlers: {
        [Protocol.TXSET]: async (req) => {
          const hash = decodeTxSetRequest(req);
          return encodeTxSetResponse(this.herder?.getTxSet(hash) ?? null);
        },
        [Protocol.BLOCKS]: (req) => this.serveBlocks(req),
        [Protocol.SNAPSHOT]: (req) => this.serveSnapshot(req),
        [Protocol.LIGHT]: (req) => this.relay.handle(req),
      },
      onPeerBanned: (peer, score) => this.logger.warn("peer banned", { peer, score }),
    });
    const workers = this.opts.verifyWorkers ?? 0;
    if (workers > 0) {
      const pool = new VerifyPool({ size: workers });
      this.pool = pool;
      this.admission = new TxAdmission({
        verify: (txs) => pool.verify(txs),
        add: (btx, proofVerified) => this.admitVerified(btx, proofVerified),
      });
    }
    try {
      await this.net.start();
      this.apiServer = await startApiServer(this.view(), {
        host: cfg.apiHost,
        port: cfg.apiPort,
        metrics: this.metrics,
        logger: this.logger.child({ module: "api" }),
      });
      // a validator catches up before it votes
      await this.initialSync();
      if (!this.running) return;
      this.herder?.start();
      this.peerGaugeTimer = setInterval(() => {
        if (this.running && this.net !== undefined) this.metrics.peerCount.set(this.net.peers().length);
      }, 1000);
      this.peerGaugeTimer.unref();
      this.herderStarted = true;
      this.armPeriodicSync();
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.logger.info("node started", {
      nodeId: toHex(this.nodeId),
      height: this.mempoolRef.state.tip.height.toString(),
      msm: this.msm.reason,
      api: this.apiServer.url,
      peerId: this.net.peerId,
    });
  }

  /** Stops API, network, herder timers and store, in that order. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.phase === "stopped") return;
    this.phase = "stopped";
    if (this.peerGaugeTimer !== undefined) clearInterval(this.peerGaugeTimer);
    const api = this.apiServer;
    this.apiServer = undefined;
    if (api !== undefined) await api.close();
    this.relay.close();
    const net = this.net;
    if (net !== undefined) await net.stop();
    await this.pool?.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    await this.syncer?.idle();
    await this.queue;
    await this.store.close();
    this.logger.info("node stopped", {});
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.phase === "running";
  }

  /** The API's base URL (once started). */
  get apiUrl(): string | undefined {
    return this.apiServer?.url;
  }

  /** The network service (once started). */
  get network(): NetworkService | undefined {
    return this.net;
  }

  /** The current chain state. */
  get state(): BlockchainState {
    return this.mempoolRef.state;
  }

  /** The mempool. */
  get mempool(): Mempool {
    return this.mempoolRef;
  }

  /** Resolves once every store write queued so far has finished. */
  flush(): Promise<void> {
    return this.queue;
  }

  // ------------------------------------------------------------------ transactions

  /** Decodes, verifies and adds a block tx (encoded tx ‖ utreexo proofs); gossips it if `gossip`. */
  submitTx(bytes: Uint8Array, gossip = true): SubmitResult {
    let btx: ReturnType<typeof decodeBlockTx>;
    try {
      btx = decodeBlockTx(bytes);
    } catch (e) {
      return refusal(e);
    }
    const t0 = performance.now();
    try {
      const entry = this.addToMempool(btx, false);
      this.metrics.txVerifySeconds.observe((performance.now() - t0) / 1000);
      this.metrics.mempoolSize.set(this.mempoolRef.count);
      this.herder?.tipChanged();
      if (gossip) this.gossip("tx", entry.btx === btx ? bytes : encodeBlockTx(entry.btx));
      return { accepted: true, txid: entry.txid };
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      return refusal(e);
    }
  }

  /**
   * Like `submitTx`, but through the worker verification pool when the node has one (submissions
   * arriving together are verified as one batch off the main thread).
   */
  async submitTxAsync(bytes: Uint8Array, gossip = true): Promise<SubmitResult> {
    const admission = this.admission;
    if (admission === undefined) return this.submitTx(bytes, gossip);
    const t0 = performance.now();
    const r = await admission.submit(bytes);
    if (r.accepted) {
      this.metrics.txVerifySeconds.observe((performance.now() - t0) / 1000);
      const entry = r.txid === undefined ? undefined : this.mempoolRef.get(r.txid);
      // gossip what the mempool holds (its proofs may have been refreshed on the way in)
      if (gossip && entry !== undefined) this.gossip("tx", encodeBlockTx(entry.btx));
    }
    return r;
  }

  /**
   * Adds a tx to the mempool. A tx whose utreexo proofs were made against a recent forest (the
   * client or a peer built it a block or two ago — normal around every block commit) is not
   * refused: its stale proofs are brought up to the tip through the relay's recent catchups and it
   * is tried once more.
   */
  private addToMempool(btx: BlockTx, proofVerified: boolean): MempoolEntry {
    try {
      return this.mempoolRef.add(btx, this.nowMs(), this.rng, { proofVerified });
    } catch (e) {
      if (!(e instanceof CodedError) || e.code !== ChainCode.MEMPOOL_TX_INVALID) throw e;
      const fresh = this.freshenProofs(btx);
      if (fresh === undefined) throw e;
      this.metrics.proofRefreshes.inc(1);
      return this.mempoolRef.add(fresh, this.nowMs(), this.rng, { proofVerified });
    }
  }

  /** The tx with every committed proof that is stale (but recent) refreshed; undefined if none is. */
  private freshenProofs(btx: BlockTx): BlockTx | undefined {
    let inputs: Uint8Array[];
    try {
      inputs = precomputeTx(btx.tx, btx.txBytes.length).txlog.flatMap((e) =>
        e.type === "input" ? [e.contractId] : [],
      );
    } catch {
      return undefined;
    }
    const forest = this.mempoolRef.state.forest;
    let changed = false;
    const proofs = btx.proofs.map((p, i) => {
      const id = inputs[i];
      if (id === undefined || p.kind !== "committed" || forest.verify(utxoLeaf(id), p.path)) return p;
      const fresh = this.relay.refreshProof(id, p);
      if (fresh === undefined) return p;
      changed = true;
      return fresh;
    });
    return changed ? { ...btx, proofs } : undefined;
  }

  /** Adds a decoded tx whose proof the pool verified (or not, after a pool failure). */
  private admitVerified(btx: BlockTx, proofVerified: boolean): { txid: Uint8Array } {
    const entry = this.addToMempool(btx, proofVerified);
    this.metrics.mempoolSize.set(this.mempoolRef.count);
    this.herder?.tipChanged();
    return entry;
  }

  private async onGossipTx(data: Uint8Array): Promise<GossipVerdict> {
    if (!this.running) return "ignore";
    const r = await this.submitTxAsync(data, false);
    const verdict = txGossipVerdict(r);
    if (verdict === "reject") this.logger.debug("gossip tx rejected", { error: r.error, cause: r.cause });
    this.metrics.gossipMessages.inc(1, { topic: "tx", result: verdict });
    return verdict;
  }

  private onGossipEnvelope(data: Uint8Array): GossipVerdict {
    let verdict: GossipVerdict = "ignore";
    if (this.running) this.envelopeHint(data);
    // until the initial sync is over the herder is not started: it would vote on an old tip
    if (this.running && this.herder !== undefined && this.herderStarted) {
      try {
        const st = this.herder.receiveEnvelope(decodeEnvelope(data));
        verdict = st === "invalid" ? "ignore" : "accept";
      } catch (e) {
        verdict = e instanceof CodedError ? "reject" : "ignore";
        if (!(e instanceof CodedError)) this.logger.error("envelope handling failed", { error: String(e) });
      }
    }
    this.metrics.gossipMessages.inc(1, { topic: "scp", result: verdict });
    return verdict;
  }

  private onGossipTxSet(data: Uint8Array): GossipVerdict {
    let verdict: GossipVerdict = "ignore";
    if (this.running && this.herder !== undefined) {
      try {
        verdict = this.herder.receiveTxSet(data) === undefined ? "ignore" : "accept";
      } catch (e) {
        verdict = e instanceof CodedError ? "reject" : "ignore";
      }
    }
    this.metrics.gossipMessages.inc(1, { topic: "txset", result: verdict });
    return verdict;
  }

  private gossip(kind: "tx" | "scp" | "txset", data: Uint8Array): void {
    const net = this.net;
    if (!this.running || net === undefined || data.length > MAX_GOSSIP_BYTES) return;
    net.publish(kind, data).catch((e: unknown) => {
      if (this.running) this.logger.debug("publish failed", { kind, error: errorCode(e) });
    });
  }

  // ------------------------------------------------------------------ herder wiring

  private nowMs(): bigint {
    return BigInt(Date.now());
  }

  private scheduler(): HerderScheduler {
    return {
      nowMs: () => this.nowMs(),
      setTimer: (delayMs, callback) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!this.running) return;
          try {
            callback();
          } catch (e) {
            this.logger.error("timer callback failed", { error: String(e), code: errorCode(e) });
          }
        }, delayMs);
        this.timers.add(t);
        return t;
      },
      clearTimer: (handle) => {
        const t = handle as ReturnType<typeof setTimeout>;
        clearTimeout(t);
        this.timers.delete(t);
      },
    };
  }

  private broadcaster(): HerderBroadcaster {
    return {
      emitEnvelope: (env) => this.gossip("scp", encodeEnvelope(env)),
      requestTxSet: (hash) => {
        void this.fetchTxSet(hash);
      },
      broadcastTxSet: (_hash, encoded) => this.gossip("txset", encoded),
    };
  }

  /** Asks connected peers in turn for a tx set until one has it. */
  private async fetchTxSet(hash: Uint8Array): Promise<void> {
    const net = this.net;
    if (net === undefined || !this.running) return;
    for (const peer of net.peers()) {
      try {
        const res = decodeTxSetResponse(await net.request(peer, Protocol.TXSET, encodeTxSetRequest(hash)));
        if (res !== null && this.running && this.herder?.receiveTxSet(res) !== undefined) return;
      } catch (e) {
        this.logger.debug("tx set request failed", { peer, error: errorCode(e) });
      }
    }
  }

  private sink(): BlockSink {
    return { onBlock: (block, cert) => this.commitBlock(block, cert, "consensus") };
  }

  /**
   * The single commit path of consensus and synced blocks: moves the mempool onto the block, queues
   * the store commit (block, header, certificate, state, tx index), updates metrics, announces it.
   */
  private commitBlock(block: VerifiedBlock, cert: FinalityCertificate, source: "consensus" | "sync"): void {
    const now = this.nowMs();
    this.mempoolRef.applyBlock(block, now);
    this.relay.onBlock(block);
    const state = this.mempoolRef.state;
    const height = Number(block.header.height);
    const header = encodeHeader(block.header);
    const blockBytes = encodeBlock(block);
    const certificate = encodeCertificate(cert);
    this.tipRecord = { id: block.id, block: blockBytes, certificate };
    const commit: BlockCommit = {
      height,
      id: block.id,
      header,
      block: blockBytes,
      certificate,
      utreexoState: encodeState(state),
      txIndex: block.verifiedTxs.map((r, position) => ({ txid: r.txid, position })),
    };
    this.enqueue("block", () => this.store.commitBlock(commit));
    this.metrics.blockHeight.set(block.header.height);
    this.metrics.mempoolSize.set(this.mempoolRef.count);
    if (source === "consensus") {
      this.metrics.finalityLatencySeconds.observe(Math.max(0, Number(now - block.header.timestampMs)) / 1000);
      this.logger.info("block", { height, id: toHex(block.id), txs: block.txs.length });
    } else this.logger.debug("synced block", { height, id: toHex(block.id), txs: block.txs.length });
    const fits =
      certificate.length <= MAX_ANNOUNCEMENT_CERTIFICATE_BYTES && header.length <= MAX_HEADER_BYTES;
    if (fits && this.running && this.net !== undefined)
      this.net.publish("block", encodeBlockAnnouncement({ header, certificate })).catch((e: unknown) => {
        if (this.running) this.logger.debug("publish failed", { kind: "block", error: errorCode(e) });
      });
  }

  private enqueue(what: string, write: () => Promise<unknown>): void {
    this.queue = this.queue.then(write).then(
      () => {},
      (e: unknown) => {
        this.storeFailure ??= e;
        this.logger.error("store write failed", { what, error: errorCode(e) });
      },
    );
  }

  /** Serves a block range with certificates (as many whole blocks as fit the response budget). */
  private async serveBlocks(req: Uint8Array): Promise<Uint8Array> {
    const { from, maxCount } = decodeBlockRangeRequest(req);
    const items: { block: Uint8Array; certificate: Uint8Array }[] = [];
    let budget = MAX_BLOCK_RANGE_RESPONSE_BYTES - 4;
    if (from <= BigInt(Number.MAX_SAFE_INTEGER - maxCount)) {
      for (let h = Number(from); h < Number(from) + maxCount; h++) {
        const block = await this.store.getBlockByHeight(h);
        if (block === undefined) break;
        const certificate = (await this.store.getCertificate(h)) ?? new Uint8Array(0);
        budget -= block.length + certificate.length + 8;
        if (budget < 0) break;
        items.push({ block, certificate });
      }
    }
    return encodeBlockRangeResponse(items);
  }

  // ------------------------------------------------------------------ catch-up sync and snapshots

  /** True while a catch-up sync runs. */
  get syncing(): boolean {
    return this.syncer?.syncing ?? false;
  }

  /** Sync state: running or not, target, last finished run. */
  get syncStatus(): NodeSyncStatus {
    return {
      syncing: this.syncing,
      target: this.syncer?.currentTarget,
      last: this.syncer?.lastResult,
    };
  }

  /**
   * Subscribes to sync progress (each applied block, and once with `done` per run); returns the
   * unsubscribe function.
   */
  onSyncProgress(listener: (p: SyncProgress) => void): () => void {
    this.syncListeners.add(listener);
    return () => {
      this.syncListeners.delete(listener);
    };
  }

  /**
   * Runs a catch-up sync from every connected peer now (or joins the one under way). Resolves with
   * its result; undefined when the node cannot sync (not running, or no quorum set configured).
   */
  async syncNow(target?: bigint): Promise<SyncResult | undefined> {
    if (this.syncer === undefined || !this.running) return undefined;
    return this.syncer.sync(target === undefined ? {} : { target });
  }

  private makeSyncer(): Syncer {
    return new Syncer(
      {
        state: () => this.mempoolRef.state,
        peers: () => (this.running ? (this.net?.peers() ?? []) : []),
        fetchBlocks: (peer, from, maxCount) => {
          const net = this.net;
          if (net === undefined) throw new NodeError(NodeCode.BAD_LIFECYCLE, { state: this.phase });
          return net.request(peer, Protocol.BLOCKS, encodeBlockRangeRequest({ from, maxCount }));
        },
        checkCertificate: (cert, id) => this.certCheck?.(cert, id),
        verifyOptions: () => ({
          rng: this.rng,
          backend: this.msm.backend,
          preverified: (btx) => this.mempoolRef.verifiedFor(btx),
        }),
        commit: (block, cert) => this.commitBlock(block, cert, "sync"),
        afterApply: () => this.herder?.tipChanged(),
        onProgress: (p) => {
          for (const l of this.syncListeners) {
            try {
              l(p);
            } catch (e) {
              this.logger.error("sync progress listener failed", { error: String(e) });
            }
          }
        },
        active: () => this.running,
        logger: this.logger.child({ module: "sync" }),
      },
      this.opts.sync?.batchSize === undefined ? {} : { batchSize: this.opts.sync.batchSize },
    );
  }

  /** At start: waits (bounded) for a bootstrap peer, then syncs from every connected peer. */
  private async initialSync(): Promise<void> {
    const syncer = this.syncer;
    const net = this.net;
    if (syncer === undefined || net === undefined || this.config.bootstrapPeers.length === 0) return;
    const until = Date.now() + (this.opts.sync?.initialWaitMs ?? 3000);
    while (this.running && net.peers().length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 25));
    if (!this.running) return;
    const r = await syncer.sync();
    this.logger.info("initial sync", {
      applied: r.applied,
      height: r.height.toString(),
      ms: Math.round(r.elapsedMs),
      failures: r.failures.length,
    });
  }

  /** Every `sync.intervalMs`, asks one peer for blocks beyond the tip (recovers a partitioned node). */
  private armPeriodicSync(): void {
    if (this.syncer === undefined) return;
    const every = this.opts.sync?.intervalMs ?? 5000;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (!this.running) return;
      if (this.syncer !== undefined && !this.syncer.syncing) this.startSync({ onePeer: true });
      this.armPeriodicSync();
    }, every);
  }

  private startSync(req: { target?: bigint; onePeer?: boolean }): void {
    this.syncer?.sync(req).catch((e: unknown) => {
      this.logger.error("sync failed", { error: String(e), code: errorCode(e) });
    });
  }

  /**
   * Some peer has blocks up to `target`. A validator one block behind gives consensus `lagGraceMs`
   * to deliver it before syncing; otherwise sync now.
   */
  private behind(target: bigint): void {
    const tip = this.state.tip.height;
    if (target <= tip || this.syncer === undefined) return;
    if (this.herder === undefined || target > tip + 1n) {
      this.startSync({ target });
      return;
    }
    if (target > this.graceTarget) this.graceTarget = target;
    if (this.graceTimer !== undefined) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      const t = this.graceTarget;
      this.graceTarget = 0n;
      if (this.running && t > this.state.tip.height) this.startSync({ target: t });
    }, this.opts.sync?.lagGraceMs ?? 1000);
  }

  /** A quorum member's validly signed envelope for slot s means blocks up to s − 1 exist. */
  private envelopeHint(data: Uint8Array): void {
    if (this.syncer === undefined) return;
    let env: Envelope;
    try {
      env = decodeEnvelope(data);
    } catch {
      return;
    }
    const st = env.statement;
    if (st.slotIndex - 1n <= this.state.tip.height || !this.quorumMembers.has(nodeKey(st.nodeId))) return;
    if (!verifyEnvelopeSignature(st.nodeId, encodeStatement(st), env.signature)) return;
    this.behind(st.slotIndex - 1n);
  }

  /**
   * The block-topic gossip validator: an announcement (header + certificate) whose header is above
   * the tip and whose certificate verifies against the configured quorum set is accepted (and
   * triggers a sync); one that does not decode or whose certificate fails is rejected (the sender's
   * score drops); an old or duplicate one (or any, without a quorum set) is ignored.
   */
  receiveBlockAnnouncement(data: Uint8Array): GossipVerdict {
    const verdict = this.judgeAnnouncement(data);
    this.metrics.gossipMessages.inc(1, { topic: "block", result: verdict });
    return verdict;
  }

  private judgeAnnouncement(data: Uint8Array): GossipVerdict {
    if (!this.running) return "ignore";
    let header: ReturnType<typeof decodeHeader>;
    let cert: FinalityCertificate;
    try {
      const a = decodeBlockAnnouncement(data);
      header = decodeHeader(a.header);
      cert = decodeCertificate(a.certificate);
    } catch (e) {
      if (e instanceof CodedError) return "reject";
      throw e;
    }
    if (header.height <= this.state.tip.height || this.certCheck === undefined) return "ignore";
    try {
      this.certCheck(cert, blockId(header));
    } catch (e) {
      if (e instanceof CodedError) return "reject";
      throw e;
    }
    this.behind(header.height);
    return "accept";
  }

  /** Serves this node's tip as a snapshot (tip block, certificate, chain state). */
  private async serveSnapshot(req: Uint8Array): Promise<Uint8Array> {
    decodeSnapshotRequest(req);
    const state = this.state;
    let rec = this.tipRecord;
    if (rec === undefined || !bytesEqual(rec.id, state.tipId)) {
      // the tip was loaded from the store at start-up
      const h = Number(state.tip.height);
      const block = await this.store.getBlockByHeight(h);
      if (block === undefined) return encodeSnapshotResponse(null);
      const certificate = (await this.store.getCertificate(h)) ?? new Uint8Array(0);
      rec = { id: state.tipId, block, certificate };
    }
    return encodeSnapshotResponse(makeSnapshot(state, rec.block, rec.certificate));
  }

  /** The sync fields of the API status. */
  private syncStatusFields(): { syncing: boolean; syncTarget: bigint | null } {
    return { syncing: this.syncing, syncTarget: this.syncer?.currentTarget ?? null };
  }

  // ------------------------------------------------------------------ API view

  private phaseName(): string {
    const h = this.herder;
    if (h === undefined) return "idle";
    const slot = h.scp.getSlot(h.trackingHeight);
    if (slot === undefined) return "idle";
    if (slot.ballot.phase === "prepare" && slot.ballot.current === null) return "nominate";
    return slot.ballot.phase;
  }

  private blockInfo(bytes: Uint8Array): BlockInfo {
    const b: Block = decodeBlock(bytes);
    return {
      id: blockId(b.header),
      ...b.header,
      txids: b.txs.map((t) => precomputeTx(t.tx, t.txBytes.length).txid),
    };
  }

  private view(): NodeView {
    return {
      status: (): NodeStatus => ({
        ...this.syncStatusFields(),
        network: this.config.network,
        height: this.state.tip.height,
        tipId: this.state.tipId,
        peers: this.net?.peers().length ?? 0,
        peerId: this.net?.peerId ?? null,
        bannedPeers: this.net?.bannedPeers() ?? [],
        consensusPhase: this.phaseName(),
        msmBackend: this.msm.backend.name,
        mempoolSize: this.mempoolRef.count,
        nodeId: toHex(this.nodeId),
        validator: this.herder !== undefined,
        genesisId: toHex(this.genesisId),
        uptimeMs: Date.now() - this.startedAt,
      }),
      blockByHeight: async (height) => {
        if (height > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
        const bytes = await this.store.getBlockByHeight(Number(height));
        return bytes === undefined ? undefined : this.blockInfo(bytes);
      },
      blockById: async (id) => {
        const bytes = await this.store.getBlockById(id);
        return bytes === undefined ? undefined : this.blockInfo(bytes);
      },
      txById: async (txid): Promise<TxInfo | undefined> => {
        const e = this.mempoolRef.get(txid);
        if (e !== undefined) return { txid: e.txid, bytes: e.btx.txBytes, status: "mempool", fee: e.fee };
        const loc = await this.store.getTxLocation(txid);
        if (loc === undefined) return undefined;
        const bytes = await this.store.getBlockByHeight(loc.height);
        const btx = bytes === undefined ? undefined : decodeBlock(bytes).txs[loc.position];
        if (btx === undefined) return undefined;
        return {
          txid: txid.slice(),
          bytes: btx.txBytes,
          status: "confirmed",
          height: BigInt(loc.height),
          blockId: loc.blockId,
        };
      },
      mempool: (): MempoolInfo => ({
        count: this.mempoolRef.count,
        bytes: this.mempoolRef.bytes,
        entries: this.mempoolRef.entries().map((e) => ({ txid: e.txid, size: e.size, fee: e.fee })),
      }),
      submitTx: (bytes) => this.submitTxAsync(bytes),
      // The node keeps no per-utxo proofs (utreexo: wallets hold their own), so it serves none.
      utxoProof: (id) => {
        const p = this.relay.utxoProof(id);
        return p === undefined ? undefined : { ...p };
      },
      quorumInfo: (): QuorumInfo => ({
        nodeId: this.nodeId,
        validator: this.herder !== undefined,
        slot: this.herder?.trackingHeight ?? this.state.tip.height + 1n,
        phase: this.phaseName(),
        quorumSet: this.config.quorumSet === undefined ? null : quorumJson(this.config.quorumSet),
      }),
      blockBytesByHeight: (height) =>
        height > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : this.store.getBlockByHeight(Number(height)),
      peers: (): PeerInfo[] => (this.net?.peers() ?? []).map((id) => ({ id })),
    };
  }
}

/**
 * The gossip verdict on a tx the mempool refused. Only what is wrong with the tx itself — bytes that
 * do not decode, a program the VM refuses, a proof or signature that does not verify, a wrong number
 * of utreexo proofs — is "reject" (it lowers the sender's score). What depends on this node's state
 * or clock — an input just spent by a block or another pending tx, a proof older than the node's
 * window, time bounds, duplicates, a full mempool — is "ignore": honest peers relay such txs all the
 * time around block commits, and penalizing them would get honest validators banned under load.
 */
export function txGossipVerdict(r: SubmitResult): GossipVerdict {
  if (r.accepted) return "accept";
  const code = r.error ?? "";
  if (code === ChainCode.MEMPOOL_TX_INVALID) {
    const cause = r.cause ?? "";
    return cause.startsWith("VM_") || cause === ChainCode.BLOCK_UTXO_PROOF_COUNT ? "reject" : "ignore";
  }
  if (code.startsWith("VM_") || code.startsWith("DECODE_") || code === ChainCode.BLOCK_INVALID_FORMAT)
    return "reject";
  return "ignore";
}

/** A quorum set as JSON (node ids in hex). */
function quorumJson(q: QuorumSetConfig): unknown {
  return {
    threshold: q.threshold,
    validators: q.validators.map(toHex),
    innerSets: q.innerSets.map(quorumJson),
  };
}
