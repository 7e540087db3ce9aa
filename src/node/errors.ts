/**
 * Error codes of the node's composition root (DESIGN.md, "src/node"): start-up problems that stop the
 * node (MSM backend, stored chain, lifecycle misuse), catch-up sync failures attributed to a peer,
 * and snapshot bootstrap failures. Each is a {@link NodeError} with a `NODE_*` code.
 */
import { CodedError } from "../util/codedError.js";

export const NodeCode = {
  /** `msmBackend: "native"` was configured but the native addon does not load. */
  MSM_UNAVAILABLE: "NODE_MSM_UNAVAILABLE",
  /** The store's chain does not start from this node's genesis, or its tip state is inconsistent. */
  STORE_MISMATCH: "NODE_STORE_MISMATCH",
  /** Stored consensus state does not decode. */
  BAD_CONSENSUS_STATE: "NODE_BAD_CONSENSUS_STATE",
  /** The genesis file is missing, unreadable or malformed. */
  BAD_GENESIS: "NODE_BAD_GENESIS",
  /** The node key file is unreadable or does not hold a canonical scalar. */
  BAD_NODE_KEY: "NODE_BAD_NODE_KEY",
  /** `start()` on a node that is running or was stopped. */
  BAD_LIFECYCLE: "NODE_BAD_LIFECYCLE",
  /** A peer's block-range response does not decode (or a block in it does not). */
  SYNC_BAD_RESPONSE: "NODE_SYNC_BAD_RESPONSE",
  /** A synced block's finality certificate does not decode or does not verify against the quorum set. */
  SYNC_BAD_CERTIFICATE: "NODE_SYNC_BAD_CERTIFICATE",
  /** A synced block does not extend the tip (wrong height or previous id). */
  SYNC_NOT_EXTENDING: "NODE_SYNC_NOT_EXTENDING",
  /** A synced block fails validation against the chain state (cause: the ChainError). */
  SYNC_INVALID_BLOCK: "NODE_SYNC_INVALID_BLOCK",
  /** Snapshot bootstrap needs `quorumSet` in the config to check the snapshot's certificate. */
  SNAPSHOT_NO_QUORUM_SET: "NODE_SNAPSHOT_NO_QUORUM_SET",
  /** No peer served a snapshot in time (no peer connected, none answered, or none had one). */
  SNAPSHOT_UNAVAILABLE: "NODE_SNAPSHOT_UNAVAILABLE",
  /** The snapshot does not decode. */
  SNAPSHOT_BAD_FORMAT: "NODE_SNAPSHOT_BAD_FORMAT",
  /** The snapshot's certificate is missing, does not decode or does not verify for its header. */
  SNAPSHOT_BAD_CERTIFICATE: "NODE_SNAPSHOT_BAD_CERTIFICATE",
  /** The snapshot's chain state is not the certified header's (tip id or forest root ≠ utxoroot). */
  SNAPSHOT_BAD_STATE: "NODE_SNAPSHOT_BAD_STATE",
  /** The snapshot's block bytes are not the certified header's block. */
  SNAPSHOT_BAD_BLOCK: "NODE_SNAPSHOT_BAD_BLOCK",
  /** Snapshot bootstrap onto a data folder whose store already holds blocks. */
  SNAPSHOT_STORE_NOT_EMPTY: "NODE_SNAPSHOT_STORE_NOT_EMPTY",
} as const;
export type NodeCode = (typeof NodeCode)[keyof typeof NodeCode];

export type NodeMeta = {
  reason?: string;
  height?: number;
  state?: string;
  path?: string;
  /** The peer (libp2p peer id) a sync or snapshot problem came from. */
  peer?: string;
};

export class NodeError extends CodedError<NodeCode, NodeMeta> {}
