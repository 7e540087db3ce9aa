/**
 * Error codes of the node's composition root (DESIGN.md, "src/node"): start-up problems that stop the
 * node (MSM backend, stored chain, lifecycle misuse). Each is a {@link NodeError} with a `NODE_*` code.
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
} as const;
export type NodeCode = (typeof NodeCode)[keyof typeof NodeCode];

export type NodeMeta = { reason?: string; height?: number; state?: string; path?: string };

export class NodeError extends CodedError<NodeCode, NodeMeta> {}
