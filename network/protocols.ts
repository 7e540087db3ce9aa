/**
 * Names on the wire: gossip topics and request/response protocol ids per network id, and the size
 * and time limits attached to them. Design: /work/shared/DESIGN.md ("network/", "Limits": max gossip
 * message 1 MiB, blocks travel by request/response, max block 4 MiB).
 */
import { NetworkCode, NetworkError } from "./errors.js";

/** Largest gossip message (DESIGN.md). */
export const MAX_GOSSIP_BYTES = 1024 * 1024;
/** Largest encoded block (DESIGN.md). */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Largest encoded transaction (DESIGN.md). */
export const MAX_TX_BYTES = 64 * 1024;
/** Largest finality certificate carried beside a block. */
export const MAX_CERTIFICATE_BYTES = 1024 * 1024;
/** Largest tx set (a block's worth of transactions plus its header fields). */
export const MAX_TXSET_BYTES = MAX_BLOCK_BYTES;

/** The gossip topic kinds. */
export const GOSSIP_KINDS = ["tx", "txset", "scp", "block"] as const;
export type GossipKind = (typeof GOSSIP_KINDS)[number];

const NAME_RE = /^[a-z0-9._-]{1,64}$/;

/** Checks a network id or protocol name: 1..64 characters of [a-z0-9._-]. */
export function checkName(name: string, what: string): string {
  if (typeof name !== "string" || !NAME_RE.test(name))
    throw new NetworkError(NetworkCode.BAD_NAME, { what, name: String(name) });
  return name;
}

/** The gossip topic of `kind` on network `net`: `/zkvm/<net>/<kind>/1`. */
export function gossipTopic(net: string, kind: GossipKind): string {
  return `/zkvm/${checkName(net, "network id")}/${kind}/1`;
}

/** The stream protocol id of request/response protocol `name` on network `net`. */
export function protocolId(net: string, name: string): string {
  return `/zkvm/${checkName(net, "network id")}/req/${checkName(name, "protocol name")}/1`;
}

/** Caps and timeout of one request/response protocol. */
export interface ProtocolLimits {
  /** Largest request body in bytes. */
  readonly maxRequestBytes: number;
  /** Largest response body in bytes. */
  readonly maxResponseBytes: number;
  /** Time allowed for the whole exchange (dial, request, handler, response), in ms. */
  readonly timeoutMs: number;
}

/** Protocol names used by the node. */
export const Protocol = {
  /** Tx-set fetch by hash (messages.ts: TxSetRequest / TxSetResponse). */
  TXSET: "txset",
  /** Block range sync with certificates (messages.ts: BlockRangeRequest / BlockRangeResponse). */
  BLOCKS: "blocks",
  /** Light-client protocol (messages.ts: LightRequest / LightResponse). */
  LIGHT: "light",
  /** Snapshot bootstrap: the tip block, its certificate and the chain state (messages.ts: Snapshot*). */
  SNAPSHOT: "snapshot",
} as const;

/** Largest block-range response: a budget the server fills with whole blocks. */
export const MAX_BLOCK_RANGE_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Largest snapshot response: header, certificate, chain state (header + forest) and the tip block. */
export const MAX_SNAPSHOT_RESPONSE_BYTES =
  MAX_BLOCK_BYTES + MAX_CERTIFICATE_BYTES + 2 * 64 * 1024 + 4 * 1024 * 1024 + 64;

/** Default limits of the node's protocols. */
export const DEFAULT_PROTOCOL_LIMITS: Readonly<Record<string, ProtocolLimits>> = {
  [Protocol.TXSET]: { maxRequestBytes: 64, maxResponseBytes: MAX_TXSET_BYTES + 16, timeoutMs: 10_000 },
  [Protocol.BLOCKS]: {
    maxRequestBytes: 64,
    maxResponseBytes: MAX_BLOCK_RANGE_RESPONSE_BYTES,
    timeoutMs: 30_000,
  },
  [Protocol.LIGHT]: {
    maxRequestBytes: MAX_TX_BYTES + 1024,
    maxResponseBytes: MAX_BLOCK_RANGE_RESPONSE_BYTES,
    timeoutMs: 30_000,
  },
  [Protocol.SNAPSHOT]: {
    maxRequestBytes: 16,
    maxResponseBytes: MAX_SNAPSHOT_RESPONSE_BYTES,
    timeoutMs: 30_000,
  },
};
