/**
 * Test harness for the herder: an in-process network of validators sharing a virtual clock (an
 * event queue in ms), an in-memory message bus with a fixed latency, the SCP test kit's stand-in
 * signatures, a Mempool per node as its chain state, and an in-memory persistence port. Deterministic:
 * events at the same time run in the order they were scheduled. Used by the herder tests only.
 */
import { type BlockchainState, Mempool, makeGenesis, type VerifiedBlock } from "../../src/chain/index.js";
import { toHex } from "../../src/util/bytes.js";
import { seededRng } from "../../src/util/rng.js";
import { type Envelope, type NodeId, nodeKey, type QuorumSet } from "../scp/index.js";
import { type TestKey, TestKeyring } from "../scp/testKit.js";
import type { FinalityCertificate } from "./certificate.js";
import { Herder, type HerderOptions, type HerderScheduler, type PersistedScpState } from "./herder.js";
import { starsigSigner, verifyEnvelopeSignature } from "./signer.js";

/** Genesis time of the test chains (ms). */
export const T0 = 1_700_000_000_000n;

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly cb: () => void;
  cancelled: boolean;
}

/** A virtual clock with an event queue. */
export class VirtualTime {
  now = 0;
  private seq = 0;
  private queue: Timer[] = [];

  setTimer(delayMs: number, cb: () => void): Timer {
    const t: Timer = { at: this.now + Math.max(0, delayMs), seq: this.seq++, cb, cancelled: false };
    this.queue.push(t);
    return t;
  }

  clearTimer(h: unknown): void {
    (h as Timer).cancelled = true;
  }

  /** Runs the next event; false if none is left. */
  step(): boolean {
    this.queue = this.queue.filter((t) => !t.cancelled);
    if (this.queue.length === 0) return false;
    let k = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const a = this.queue[i]!;
      const b = this.queue[k]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) k = i;
    }
    const t = this.queue.splice(k, 1)[0]!;
    this.now = t.at;
    t.cb();
    return true;
  }

  /** Runs events until `done()` or the clock passes `untilMs`. Returns whether `done()` held. */
  run(done: () => boolean, untilMs: number): boolean {
    while (!done()) {
      this.queue = this.queue.filter((t) => !t.cancelled);
      const next = this.queue.reduce((m, t) => Math.min(m, t.at), Number.POSITIVE_INFINITY);
      if (next > untilMs || !this.step()) return done();
    }
    return true;
  }
}

/** A node of the test network. */
export interface TestNode {
  readonly index: number;
  readonly key: TestKey;
  readonly mempool: Mempool;
  herder: Herder;
  readonly blocks: VerifiedBlock[];
  readonly certs: FinalityCertificate[];
  /** What the persistence port holds. */
  saved: PersistedScpState | undefined;
  /** Number of saves. */
  saves: number;
  /** A down node neither sends nor receives. */
  down: boolean;
}

export interface TestNetOptions {
  readonly nodes?: number;
  readonly threshold?: number;
  /** Initial utxos (contract ids) of the shared genesis. */
  readonly utxos?: readonly Uint8Array[];
  readonly latencyMs?: number;
  /** Per-link latency (overrides `latencyMs`; `from` is undefined for fetch replies' first leg). */
  readonly latencyOf?: (from: number, to: number) => number;
  /** Whether proposers gossip their tx sets (else peers fetch them by hash). Default false. */
  readonly gossipTxSets?: boolean;
  readonly herder?: Partial<HerderOptions>;
  /** Sign with real Starsig signatures instead of the test kit's stand-in. Default false. */
  readonly starsig?: boolean;
}

export class TestNet {
  readonly time = new VirtualTime();
  readonly keyring = new TestKeyring();
  readonly nodes: TestNode[] = [];
  readonly qset: QuorumSet;
  readonly genesis: BlockchainState;
  readonly latency: number;
  private readonly latencyOf: ((from: number, to: number) => number) | undefined;
  readonly gossip: boolean;
  readonly starsig: boolean;
  private readonly herderOpts: Partial<HerderOptions>;
  /** Every envelope emitted, in order (for inspection). */
  readonly emitted: Envelope[] = [];
  /** Every tx-set request: requesting node index and hash (hex). */
  readonly requests: { node: number; hash: string }[] = [];

  constructor(opts: TestNetOptions = {}) {
    const n = opts.nodes ?? 4;
    this.latency = opts.latencyMs ?? 10;
    this.latencyOf = opts.latencyOf;
    this.gossip = opts.gossipTxSets ?? false;
    this.starsig = opts.starsig ?? false;
    this.herderOpts = opts.herder ?? {};
    this.genesis = makeGenesis(T0, opts.utxos ?? []).state;
    const keys = Array.from({ length: n }, (_, i) => this.keyring.add(`herder-v${i}`));
    this.qset = { threshold: opts.threshold ?? 3, validators: keys.map((k) => k.nodeId), innerSets: [] };
    keys.forEach((key, index) => {
      const node: TestNode = {
        index,
        key,
        mempool: new Mempool(this.genesis),
        herder: undefined as unknown as Herder,
        blocks: [],
        certs: [],
        saved: undefined,
        saves: 0,
        down: false,
      };
      this.nodes.push(node);
      node.herder = this.makeHerder(node);
    });
  }

  /** The virtual wall clock (ms since the epoch). */
  nowMs(): bigint {
    return T0 + BigInt(this.time.now);
  }

  /** A fresh herder for `node` (as after a restart: same chain state and persistence). */
  makeHerder(node: TestNode): Herder {
    const scheduler: HerderScheduler = {
      nowMs: () => this.nowMs(),
      setTimer: (d, cb) =>
        this.time.setTimer(d, () => {
          if (!node.down && node.herder === herder) cb();
        }),
      clearTimer: (h) => this.time.clearTimer(h),
    };
    const herder: Herder = new Herder(
      { quorumSet: this.qset, emptyBlockIntervalMs: 1000, ...this.herderOpts },
      {
        scheduler,
        signer: this.starsig
          ? starsigSigner(node.key.secret, seededRng(`herder-net/sig/${node.index}`))
          : {
              nodeId: node.key.nodeId,
              sign: (bytes) => TestKeyring.sign(node.key, bytes),
              verify: (id, bytes, sig) => this.keyring.verify(id, bytes, sig),
            },
        broadcaster: {
          emitEnvelope: (env) => this.broadcast(node, env),
          requestTxSet: (hash) => this.fetch(node, hash),
          broadcastTxSet: (_hash, encoded) => {
            if (this.gossip)
              for (const to of this.others(node)) this.deliver(to, () => to.herder.receiveTxSet(encoded));
          },
        },
        chain: { state: () => node.mempool.state, mempool: () => node.mempool },
        sink: {
          onBlock: (block, cert) => {
            node.mempool.applyBlock(block, this.nowMs());
            node.blocks.push(block);
            node.certs.push(cert);
          },
        },
        persistence: {
          save: (s) => {
            node.saved = s;
            node.saves++;
          },
          load: () => node.saved,
        },
        rng: seededRng(`herder-net/${node.index}`),
      },
    );
    return herder;
  }

  private others(from: TestNode): TestNode[] {
    return this.nodes.filter((n) => n !== from);
  }

  private deliver(to: TestNode, fn: () => void, from?: TestNode): void {
    const delay = from && this.latencyOf ? this.latencyOf(from.index, to.index) : this.latency;
    this.time.setTimer(delay, () => {
      if (!to.down) fn();
    });
  }

  private broadcast(from: TestNode, env: Envelope): void {
    if (from.down) return;
    this.emitted.push(env);
    for (const to of this.others(from)) this.deliver(to, () => to.herder.receiveEnvelope(env), from);
  }

  private fetch(from: TestNode, hash: Uint8Array): void {
    this.requests.push({ node: from.index, hash: toHex(hash) });
    this.time.setTimer(this.latency, () => {
      for (const peer of this.others(from)) {
        const bytes = peer.down ? undefined : peer.herder.getTxSet(hash);
        if (bytes) {
          this.deliver(from, () => from.herder.receiveTxSet(bytes));
          return;
        }
      }
    });
  }

  /**
   * Restarts `node` (a crash and reboot with the same chain state and persistence): a new herder is
   * started, then peers send it their latest envelopes of its height and the one before (as a node
   * answers a state request).
   */
  restart(node: TestNode): Herder {
    node.herder = this.makeHerder(node);
    node.herder.start();
    const slot = node.herder.trackingHeight;
    for (const peer of this.others(node))
      for (const s of [slot - 1n, slot])
        for (const env of peer.herder.scp.getLatestMessagesSend(s))
          this.deliver(node, () => node.herder.receiveEnvelope(env));
    return node.herder;
  }

  /** Starts every herder. */
  start(): void {
    for (const n of this.nodes) n.herder.start();
  }

  /** Runs until every up node has `height` as its tip height (or `maxMs` of virtual time pass). */
  runToHeight(height: bigint, maxMs = 60_000): boolean {
    const limit = this.time.now + maxMs;
    return this.time.run(
      () => this.nodes.every((n) => n.down || n.mempool.state.tip.height >= height),
      limit,
    );
  }

  /** The quorum set of a node id (every node uses the same one here). */
  qsetOf = (id: NodeId): QuorumSet | undefined =>
    this.nodes.some((n) => nodeKey(n.key.nodeId) === nodeKey(id)) ? this.qset : undefined;

  /** Signature check of the stand-in scheme. */
  verifySig = (id: NodeId, bytes: Uint8Array, sig: Uint8Array): boolean =>
    this.starsig ? verifyEnvelopeSignature(id, bytes, sig) : this.keyring.verify(id, bytes, sig);

  /** Block ids of a node, hex, by height order. */
  ids(node: TestNode): string[] {
    return node.blocks.map((b) => toHex(b.id));
  }
}
