/**
 * Catch-up sync (DESIGN.md "consensus/herder" finality certificates, "network/" block range sync;
 * issue 8): a node that is behind asks its peers for block ranges (protocol "blocks") and applies
 * them one by one. Each block must extend the tip, carry a finality certificate that verifies against
 * the node's configured quorum set, and pass full validation (`validateBlock`); it is then committed
 * through the same path as a consensus block. A peer that sends a block failing any of these checks
 * (or an undecodable response, or times out) is dropped for this run and the next peer is asked.
 *
 * The `Syncer` has no I/O of its own: peers, requests, the chain state, the commit and the clock are
 * injected (`SyncerDeps`), so it is unit-testable without libp2p. One run at a time: a call while a
 * run is under way raises its target and joins it.
 */
import {
  decodeCertificate,
  type FinalityCertificate,
  verifyCertificate,
  verifyEnvelopeSignature,
} from "../../consensus/herder/index.js";
import { nodeKey, type QuorumSet } from "../../consensus/scp/index.js";
import { decodeBlockRangeResponse } from "../../network/index.js";
import {
  type Block,
  type BlockchainState,
  blockId,
  decodeBlock,
  type VerifiedBlock,
  type VerifyBlockOptions,
  validateBlock,
} from "../chain/index.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { errorCode } from "../util/codedError.js";
import { NodeCode, NodeError } from "./errors.js";
import { type Logger, silentLogger } from "./logger.js";

/** Progress of a sync run (after each applied block, and once with `done` at the end). */
export interface SyncProgress {
  /** The tip height now. */
  readonly height: bigint;
  /** The height the run aims at, when known (from an announcement or an envelope); else undefined. */
  readonly target: bigint | undefined;
  /** Blocks applied so far in this run. */
  readonly applied: number;
  /** The peer the last block came from ("" at the end of a run that applied none). */
  readonly peer: string;
  /** True on the last event of a run. */
  readonly done: boolean;
}

/** A peer dropped during a run, and why (a `NODE_SYNC_*` or `NET_*` code). */
export interface SyncFailure {
  readonly peer: string;
  readonly code: string;
}

/** The outcome of one sync run. */
export interface SyncResult {
  /** Blocks applied. */
  readonly applied: number;
  /** Tip height at the end. */
  readonly height: bigint;
  /** Target height (if known). */
  readonly target: bigint | undefined;
  /** Peers that failed, in order. */
  readonly failures: readonly SyncFailure[];
  /** Wall time of the run in ms. */
  readonly elapsedMs: number;
  /** Blocks per second over the run (0 if none). */
  readonly blocksPerSecond: number;
}

/** Everything the syncer needs from its node. */
export interface SyncerDeps {
  /** The current chain state. */
  state(): BlockchainState;
  /** Connected peers (ids), in any order. */
  peers(): readonly string[];
  /** Asks `peer` for blocks from height `from` (at most `maxCount`); resolves to the raw response. */
  fetchBlocks(peer: string, from: bigint, maxCount: number): Promise<Uint8Array>;
  /** Verifies a certificate for block `id` against the trusted quorum set (throws if it does not). */
  checkCertificate(cert: FinalityCertificate, id: Uint8Array): void;
  /** Options of `validateBlock` (randomness, MSM backend). */
  verifyOptions(): VerifyBlockOptions;
  /** Commits a validated block (the node's single commit path). */
  commit(block: VerifiedBlock, cert: FinalityCertificate): void;
  /** Called after a run that applied blocks (e.g. `herder.tipChanged()`). */
  afterApply?(): void;
  /** Progress events. */
  onProgress?(p: SyncProgress): void;
  /** False once the node stops (the run ends at the next step). Default: always true. */
  active?(): boolean;
  /** Monotonic milliseconds (default `performance.now`). */
  now?(): number;
  logger?: Logger;
}

/** Options of a sync run. */
export interface SyncRequest {
  /** Height to reach, if known. */
  readonly target?: bigint;
  /** Ask only one peer (rotating) unless a target is known: the cheap periodic check. Default false. */
  readonly onePeer?: boolean;
}

/** Blocks asked for per request (the server may send fewer). */
export const DEFAULT_SYNC_BATCH = 32;

/** The validators of a quorum set, inner sets included. */
function quorumMembers(q: QuorumSet, out = new Set<string>()): Set<string> {
  for (const v of q.validators) out.add(nodeKey(v));
  for (const inner of q.innerSets) quorumMembers(inner, out);
  return out;
}

/**
 * A certificate check trusting `trusted` (the node's configured quorum set): every validator named in
 * it is assumed to use that quorum set, and the signers must contain a slice of it. Throws the
 * herder's HERDER_CERT_* errors.
 */
export function trustedCertificateCheck(
  trusted: QuorumSet,
): (cert: FinalityCertificate, id: Uint8Array) => void {
  const members = quorumMembers(trusted);
  const lookup = (id: Uint8Array): QuorumSet | undefined => (members.has(nodeKey(id)) ? trusted : undefined);
  return (cert, id) => verifyCertificate(cert, id, lookup, verifyEnvelopeSignature, trusted);
}

/** Catch-up sync over injected peers. */
export class Syncer {
  private readonly deps: SyncerDeps;
  private readonly batch: number;
  private readonly logger: Logger;
  private running: Promise<SyncResult> | undefined;
  private target: bigint | undefined;
  private widen = false;
  private cursor = 0;
  /** The last finished run. */
  lastResult: SyncResult | undefined;

  constructor(deps: SyncerDeps, opts: { batchSize?: number } = {}) {
    this.deps = deps;
    this.batch = opts.batchSize ?? DEFAULT_SYNC_BATCH;
    this.logger = deps.logger ?? silentLogger;
  }

  /** True while a run is under way. */
  get syncing(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no run is under way. */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  /** The target of the current run (if any is known). */
  get currentTarget(): bigint | undefined {
    return this.running === undefined ? undefined : this.target;
  }

  /**
   * Runs a sync (or joins the one under way, raising its target and widening it to every peer).
   * Never throws for peers' faults: they are listed in the result's `failures`.
   */
  sync(req: SyncRequest = {}): Promise<SyncResult> {
    if (req.target !== undefined && (this.target === undefined || req.target > this.target))
      this.target = req.target;
    if (this.running !== undefined) {
      if (!req.onePeer) this.widen = true;
      return this.running;
    }
    this.widen = !req.onePeer;
    const run = this.run().finally(() => {
      this.running = undefined;
      this.target = undefined;
    });
    this.running = run;
    return run;
  }

  private now(): number {
    return this.deps.now?.() ?? performance.now();
  }

  private active(): boolean {
    return this.deps.active?.() ?? true;
  }

  private reached(): boolean {
    return this.target !== undefined && this.deps.state().tip.height >= this.target;
  }

  private async run(): Promise<SyncResult> {
    const t0 = this.now();
    const failures: SyncFailure[] = [];
    let applied = 0;
    let lastPeer = "";
    const all = [...this.deps.peers()];
    const start = all.length === 0 ? 0 : this.cursor++ % all.length;
    const order = [...all.slice(start), ...all.slice(0, start)];
    for (let i = 0; i < order.length && this.active() && !this.reached(); i++) {
      if (i > 0 && !this.widen && this.target === undefined) break; // one-peer check
      const peer = order[i]!;
      try {
        const n = await this.fromPeer(peer, (height) => {
          applied++;
          lastPeer = peer;
          this.deps.onProgress?.({ height, target: this.target, applied, peer, done: false });
        });
        if (n > 0) this.logger.debug("sync: peer ran dry", { peer, applied: n });
      } catch (e) {
        const code = errorCode(e);
        failures.push({ peer, code });
        this.logger.warn("sync: peer dropped", { peer, code, error: String(e) });
      }
    }
    if (applied > 0) this.deps.afterApply?.();
    const elapsedMs = this.now() - t0;
    const height = this.deps.state().tip.height;
    const result: SyncResult = {
      applied,
      height,
      target: this.target,
      failures,
      elapsedMs,
      blocksPerSecond: applied === 0 || elapsedMs <= 0 ? 0 : (applied * 1000) / elapsedMs,
    };
    this.lastResult = result;
    this.deps.onProgress?.({ height, target: this.target, applied, peer: lastPeer, done: true });
    if (applied > 0)
      this.logger.info("sync done", {
        applied,
        height: height.toString(),
        ms: Math.round(elapsedMs),
        blocksPerSecond: Math.round(result.blocksPerSecond),
      });
    return result;
  }

  /** Applies blocks from one peer until it has no more (returns the count) or throws on a fault. */
  private async fromPeer(peer: string, applied: (height: bigint) => void): Promise<number> {
    let count = 0;
    let lastLog = this.now();
    while (this.active() && !this.reached()) {
      const from = this.deps.state().tip.height + 1n;
      const want = this.target === undefined ? this.batch : Number(this.target - from + 1n);
      const raw = await this.deps.fetchBlocks(peer, from, Math.max(1, Math.min(this.batch, want)));
      let items: ReturnType<typeof decodeBlockRangeResponse>;
      try {
        items = decodeBlockRangeResponse(raw);
      } catch (e) {
        throw new NodeError(NodeCode.SYNC_BAD_RESPONSE, { peer, reason: "range" }, { cause: e });
      }
      if (items.length === 0 || !this.active()) return count;
      let progressed = false;
      for (const item of items) {
        if (!this.active()) return count;
        const r = this.applyOne(peer, item.block, item.certificate);
        if (r === "skipped") continue;
        progressed = true;
        count++;
        applied(r);
        if (this.now() - lastLog > 1000) {
          lastLog = this.now();
          this.logger.info("sync progress", {
            height: r.toString(),
            target: this.target?.toString() ?? null,
            peer,
          });
        }
      }
      // a peer that answers only with blocks this node already has is of no use
      if (!progressed)
        throw new NodeError(NodeCode.SYNC_NOT_EXTENDING, { peer, reason: "no new block in the range" });
    }
    return count;
  }

  /** Checks and commits one block; "skipped" if it is at or below the tip (consensus got there first). */
  private applyOne(peer: string, blockBytes: Uint8Array, certBytes: Uint8Array): bigint | "skipped" {
    let block: Block;
    try {
      block = decodeBlock(blockBytes);
    } catch (e) {
      throw new NodeError(NodeCode.SYNC_BAD_RESPONSE, { peer, reason: "block" }, { cause: e });
    }
    const state = this.deps.state();
    const h = block.header.height;
    if (h <= state.tip.height) return "skipped";
    if (h !== state.tip.height + 1n || !bytesEqual(block.header.prev, state.tipId))
      throw new NodeError(NodeCode.SYNC_NOT_EXTENDING, {
        peer,
        height: Number(h),
        reason: `expected height ${state.tip.height + 1n} on ${toHex(state.tipId)}`,
      });
    const id = blockId(block.header);
    let cert: FinalityCertificate;
    try {
      cert = decodeCertificate(certBytes);
      this.deps.checkCertificate(cert, id);
    } catch (e) {
      throw new NodeError(NodeCode.SYNC_BAD_CERTIFICATE, { peer, height: Number(h) }, { cause: e });
    }
    let verified: VerifiedBlock;
    try {
      verified = validateBlock(state, block, this.deps.verifyOptions());
    } catch (e) {
      throw new NodeError(NodeCode.SYNC_INVALID_BLOCK, { peer, height: Number(h) }, { cause: e });
    }
    this.deps.commit(verified, cert);
    return h;
  }
}
