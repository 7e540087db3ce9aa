/**
 * NetworkService: the node's libp2p host (TCP + Noise + yamux + identify + ping + gossipsub, optional
 * bootstrap peers) behind a narrow interface. Gossip messages are size-capped and handed to injected
 * validators (accept / ignore / reject, possibly asynchronous); rejections lower the sender's
 * gossipsub score, and peers whose score falls below the disconnect threshold are banned
 * (disconnected and refused) for a while. Request/response protocols are served by injected
 * handlers (reqresp.ts). It never decides validity and never touches storage.
 * Design: /work/shared/DESIGN.md ("network/"); notes: /work/shared/research/p2p-sqlite.md.
 */
import "../src/polyfill.js";
import { noise } from "@chainsafe/libp2p-noise";
import { bootstrap } from "@libp2p/bootstrap";
import { type GossipsubMessage, gossipsub, TopicValidatorResult } from "@libp2p/gossipsub";
import { createTopicScoreParams, type TopicScoreParams } from "@libp2p/gossipsub/score";
import { identify } from "@libp2p/identify";
import { peerIdFromString } from "@libp2p/peer-id";
import { ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { sha256 } from "@noble/hashes/sha2.js";
import { createLibp2p, type Libp2p } from "libp2p";
import { NetworkCode, NetworkError } from "./errors.js";
import type { PeerPrivateKey } from "./identity.js";
import {
  checkName,
  DEFAULT_PROTOCOL_LIMITS,
  GOSSIP_KINDS,
  type GossipKind,
  gossipTopic,
  MAX_GOSSIP_BYTES,
  type ProtocolLimits,
  protocolId,
} from "./protocols.js";
import { type RequestHandler, sendRequest, serveStream } from "./reqresp.js";

/** A validator's verdict on a gossip message. */
export type GossipVerdict = "accept" | "ignore" | "reject";

/**
 * Decides a gossip message of one topic. `accept` forwards it, `ignore` drops it silently, `reject`
 * drops it and penalizes the peer that sent it. May be asynchronous (proof checks); a throw counts
 * as `ignore`.
 */
export type GossipValidator = (data: Uint8Array, from: string) => GossipVerdict | Promise<GossipVerdict>;

/** Peer-scoring settings (gossipsub score; see research note: the defaults do not bite). */
export interface ScoringConfig {
  /** Weight of the squared count of rejected messages, per topic (negative). Default −10. */
  readonly invalidMessageWeight: number;
  /** Per-decay-interval factor of the rejected-message counter. Default 0.9. */
  readonly invalidMessageDecay: number;
  /** Below this score no gossip is emitted to the peer. Default −10. */
  readonly gossipThreshold: number;
  /** Below this score own messages are not published to the peer. Default −50. */
  readonly publishThreshold: number;
  /** Below this score the peer's messages are ignored (graylist). Default −80. */
  readonly graylistThreshold: number;
  /**
   * Below this score (checked after each reject and at each heartbeat) the peer is disconnected and
   * banned. Default −80 (the graylist threshold: a graylisted peer's messages are no longer
   * validated, so a lower threshold could never be reached by rejects alone).
   */
  readonly disconnectThreshold: number;
  /** How long a banned peer is refused, in ms. Default 10 min. */
  readonly banMs: number;
  /** Penalty weight for peers sharing an IP (0 disables; loopback test nets need 0). Default 0. */
  readonly ipColocationWeight: number;
}

/** Default scoring (rejects bite: the score is −10·n² after n recent rejects; 3 quick ones ban). */
export const DEFAULT_SCORING: ScoringConfig = {
  invalidMessageWeight: -10,
  invalidMessageDecay: 0.9,
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  disconnectThreshold: -80,
  banMs: 10 * 60_000,
  ipColocationWeight: 0,
};

/** Configuration of a NetworkService. */
export interface NetworkConfig {
  /** Network id used in topics and protocol ids ([a-z0-9._-], 1..64 chars). */
  readonly networkId: string;
  /** The peer identity (identity.ts: loadOrCreateIdentity). */
  readonly privateKey: PeerPrivateKey;
  /** Listen multiaddrs; default `/ip4/127.0.0.1/tcp/0`. */
  readonly listen?: readonly string[];
  /** Bootstrap peers: multiaddrs ending in `/p2p/<peer id>`. */
  readonly bootstrap?: readonly string[];
  /** Delay before dialling bootstrap peers, ms (default 100). */
  readonly bootstrapDelayMs?: number;
  /** Validators per gossip topic; the node subscribes to exactly these topics. */
  readonly validators?: Partial<Record<GossipKind, GossipValidator>>;
  /** Request handlers by protocol name (protocols.ts `Protocol`, or any other valid name). */
  readonly handlers?: Readonly<Record<string, RequestHandler>>;
  /** Limits by protocol name, over DEFAULT_PROTOCOL_LIMITS (needed for names without defaults). */
  readonly protocolLimits?: Readonly<Record<string, Partial<ProtocolLimits>>>;
  /** Scoring overrides. */
  readonly scoring?: Partial<ScoringConfig>;
  /** Gossipsub heartbeat, ms (default 1000; tests use less). */
  readonly heartbeatIntervalMs?: number;
  /** Called when a peer is banned (for logs and metrics). */
  readonly onPeerBanned?: (peer: string, score: number) => void;
}

/** The gossipsub methods used here that its narrow exported interface leaves out. */
interface GossipSubInternals {
  getScore(peerId: string): number;
  getMeshPeers(topic: string): string[];
  reportMessageValidationResult(
    msgId: string,
    propagationSource: string,
    acceptance: TopicValidatorResult,
  ): void;
}

type Services = { identify: unknown; ping: unknown; pubsub: ReturnType<ReturnType<typeof gossipsub>> };

const VERDICT: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

/** The node's network host. Create, `start()`, use, `stop()`. */
export class NetworkService {
  private node: Libp2p<Services> | null = null;
  private readonly scoring: ScoringConfig;
  private readonly banned = new Map<string, number>();
  private readonly topicKinds = new Map<string, GossipKind>();
  private readonly limits = new Map<string, ProtocolLimits>();
  private stopped = false;

  constructor(private readonly config: NetworkConfig) {
    checkName(config.networkId, "network id");
    this.scoring = { ...DEFAULT_SCORING, ...config.scoring };
    for (const kind of GOSSIP_KINDS) this.topicKinds.set(gossipTopic(config.networkId, kind), kind);
    const names = new Set([
      ...Object.keys(DEFAULT_PROTOCOL_LIMITS),
      ...Object.keys(config.protocolLimits ?? {}),
      ...Object.keys(config.handlers ?? {}),
    ]);
    for (const name of names) {
      checkName(name, "protocol name");
      const base = DEFAULT_PROTOCOL_LIMITS[name];
      const over = config.protocolLimits?.[name] ?? {};
      const merged = { ...base, ...over } as Partial<ProtocolLimits>;
      if (
        merged.maxRequestBytes === undefined ||
        merged.maxResponseBytes === undefined ||
        merged.timeoutMs === undefined
      )
        throw new NetworkError(NetworkCode.UNKNOWN_PROTOCOL, { protocol: name, reason: "no limits" });
      this.limits.set(name, merged as ProtocolLimits);
    }
  }

  /** Starts the host: listens, subscribes to the validated topics, serves handlers, dials bootstrap peers. */
  async start(): Promise<void> {
    if (this.node !== null || this.stopped)
      throw new NetworkError(NetworkCode.NOT_STARTED, { state: "used" });
    const cfg = this.config;
    const s = this.scoring;
    const topics: Record<string, TopicScoreParams> = {};
    for (const topic of this.topicKinds.keys())
      topics[topic] = createTopicScoreParams({
        topicWeight: 1,
        timeInMeshWeight: 0.01,
        timeInMeshQuantum: 1000,
        timeInMeshCap: 100,
        firstMessageDeliveriesWeight: 1,
        firstMessageDeliveriesDecay: 0.5,
        firstMessageDeliveriesCap: 10,
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        invalidMessageDeliveriesWeight: s.invalidMessageWeight,
        invalidMessageDeliveriesDecay: s.invalidMessageDecay,
      });
    const bootstrapList = [...(cfg.bootstrap ?? [])];
    const node = await createLibp2p<Services>({
      privateKey: cfg.privateKey,
      addresses: { listen: [...(cfg.listen ?? ["/ip4/127.0.0.1/tcp/0"])] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery:
        bootstrapList.length > 0
          ? [bootstrap({ list: bootstrapList, timeout: cfg.bootstrapDelayMs ?? 100 })]
          : [],
      connectionGater: {
        denyDialPeer: (peerId) => this.isBanned(peerId.toString()),
        denyInboundEncryptedConnection: (peerId) => this.isBanned(peerId.toString()),
        denyOutboundEncryptedConnection: (peerId) => this.isBanned(peerId.toString()),
      },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          globalSignaturePolicy: "StrictNoSign",
          msgIdFn: (msg) => sha256(msg.data),
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          asyncValidation: true,
          emitSelf: false,
          fallbackToFloodsub: false,
          doPX: false,
          allowedTopics: [...this.topicKinds.keys()],
          maxInboundDataLength: MAX_GOSSIP_BYTES + 64 * 1024,
          heartbeatInterval: cfg.heartbeatIntervalMs ?? 1000,
          scoreParams: {
            topics,
            appSpecificScore: () => 0,
            IPColocationFactorWeight: s.ipColocationWeight,
            decayInterval: 1000,
            decayToZero: 0.01,
          },
          scoreThresholds: {
            gossipThreshold: s.gossipThreshold,
            publishThreshold: s.publishThreshold,
            graylistThreshold: s.graylistThreshold,
          },
        }),
      },
    });
    this.node = node;
    node.services.pubsub.addEventListener("gossipsub:message", (evt) => this.onGossip(evt.detail));
    node.services.pubsub.addEventListener("gossipsub:heartbeat", () => this.sweep());
    for (const [kind, validator] of Object.entries(cfg.validators ?? {}))
      if (validator !== undefined)
        node.services.pubsub.subscribe(gossipTopic(cfg.networkId, kind as GossipKind));
    for (const [name, handler] of Object.entries(cfg.handlers ?? {})) {
      const limits = this.limits.get(name)!;
      await node.handle(protocolId(cfg.networkId, name), (stream, connection) =>
        serveStream(stream, connection.remotePeer.toString(), limits, handler),
      );
    }
  }

  /** Stops the host and closes every connection. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    const node = this.node;
    this.node = null;
    if (node !== null) await node.stop();
  }

  private get host(): Libp2p<Services> {
    if (this.node === null) throw new NetworkError(NetworkCode.NOT_STARTED, {});
    return this.node;
  }

  private get gs(): GossipSubInternals {
    return this.host.services.pubsub as unknown as GossipSubInternals;
  }

  /** This node's peer id string. */
  get peerId(): string {
    return this.host.peerId.toString();
  }

  /** The addresses peers can dial, each ending in `/p2p/<peer id>`. */
  addresses(): string[] {
    const id = this.peerId;
    return this.host.getMultiaddrs().map((ma) => {
      const s = ma.toString();
      return s.includes("/p2p/") ? s : `${s}/p2p/${id}`;
    });
  }

  /** Peer ids of the connected peers. */
  peers(): string[] {
    return this.host.getPeers().map((p) => p.toString());
  }

  /** Gossipsub scores of the peers gossipsub knows. */
  peerScores(): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of this.host.services.pubsub.getPeers())
      out.set(p.toString(), this.gs.getScore(p.toString()));
    return out;
  }

  /** The gossipsub score of `peer` (0 if unknown). */
  peerScore(peer: string): number {
    return this.gs.getScore(peer);
  }

  /** Peers in this node's mesh for the topic of `kind`. */
  meshPeers(kind: GossipKind): string[] {
    return this.gs.getMeshPeers(gossipTopic(this.config.networkId, kind));
  }

  /** True if `peer` is banned now. */
  isBanned(peer: string): boolean {
    const until = this.banned.get(peer);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.banned.delete(peer);
    return false;
  }

  /** Peers banned now. */
  bannedPeers(): string[] {
    return [...this.banned.keys()].filter((p) => this.isBanned(p));
  }

  /** Publishes `data` on the topic of `kind`; returns how many peers it was sent to. */
  async publish(kind: GossipKind, data: Uint8Array): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new TypeError("data must be a Uint8Array");
    if (data.length > MAX_GOSSIP_BYTES)
      throw new NetworkError(NetworkCode.GOSSIP_TOO_LARGE, { length: data.length, max: MAX_GOSSIP_BYTES });
    try {
      const res = await this.host.services.pubsub.publish(gossipTopic(this.config.networkId, kind), data);
      return res.recipients.length;
    } catch (e) {
      if (e instanceof NetworkError) throw e;
      throw new NetworkError(NetworkCode.PUBLISH_FAILED, { kind, reason: String(e) }, { cause: e });
    }
  }

  /** Publishes a transaction. */
  publishTx(tx: Uint8Array): Promise<number> {
    return this.publish("tx", tx);
  }

  /** Publishes a tx set. */
  publishTxSet(txSet: Uint8Array): Promise<number> {
    return this.publish("txset", txSet);
  }

  /** Publishes an SCP envelope. */
  publishEnvelope(envelope: Uint8Array): Promise<number> {
    return this.publish("scp", envelope);
  }

  /** Sends a request on protocol `name` to `peer` and returns the response bytes (reqresp.ts). */
  async request(peer: string, name: string, body: Uint8Array): Promise<Uint8Array> {
    const limits = this.limits.get(name);
    if (limits === undefined) throw new NetworkError(NetworkCode.UNKNOWN_PROTOCOL, { protocol: name });
    let id: ReturnType<typeof peerIdFromString>;
    try {
      id = peerIdFromString(peer);
    } catch (e) {
      throw new NetworkError(NetworkCode.BAD_PEER_ID, { peer: String(peer) }, { cause: e });
    }
    if (this.isBanned(peer)) throw new NetworkError(NetworkCode.PEER_BANNED, { peer });
    return sendRequest(this.host, id, protocolId(this.config.networkId, name), body, limits);
  }

  private report(msgId: string, from: string, verdict: GossipVerdict): void {
    if (this.node === null) return;
    try {
      this.gs.reportMessageValidationResult(msgId, from, VERDICT[verdict]);
    } catch {
      return;
    }
    if (verdict === "reject") {
      const score = this.gs.getScore(from);
      if (score < this.scoring.disconnectThreshold && !this.isBanned(from)) this.ban(from, score);
    }
  }

  /** Bans every peer whose score is below the disconnect threshold. */
  private sweep(): void {
    if (this.node === null) return;
    for (const p of this.node.services.pubsub.getPeers()) {
      const peer = p.toString();
      const score = this.gs.getScore(peer);
      if (score < this.scoring.disconnectThreshold && !this.isBanned(peer)) this.ban(peer, score);
    }
  }

  private ban(peer: string, score: number): void {
    this.banned.set(peer, Date.now() + this.scoring.banMs);
    this.config.onPeerBanned?.(peer, score);
    const node = this.node;
    if (node !== null) void node.hangUp(peerIdFromString(peer)).catch(() => {});
  }

  private onGossip(detail: GossipsubMessage): void {
    const { msgId, msg, propagationSource } = detail;
    const from = propagationSource.toString();
    const kind = this.topicKinds.get(msg.topic);
    const validator = kind === undefined ? undefined : this.config.validators?.[kind];
    if (validator === undefined) {
      this.report(msgId, from, "ignore");
      return;
    }
    if (msg.data.length > MAX_GOSSIP_BYTES) {
      this.report(msgId, from, "reject");
      return;
    }
    let pending: Promise<GossipVerdict>;
    try {
      pending = Promise.resolve(validator(msg.data, from));
    } catch {
      this.report(msgId, from, "ignore");
      return;
    }
    pending.then(
      (v) => this.report(msgId, from, v === "accept" || v === "reject" ? v : "ignore"),
      () => this.report(msgId, from, "ignore"),
    );
  }
}
