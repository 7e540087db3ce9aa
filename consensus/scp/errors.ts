/**
 * Error codes of the SCP module (consensus/scp). Peer input never throws out of `Scp.receiveEnvelope`
 * (it gets the verdict "invalid"); these errors are for decoders, configuration and API misuse.
 */
import { CodedError } from "../../src/util/codedError.js";

export const ScpCode = {
  /** A quorum set breaks a sanity rule (threshold, duplicates, nesting depth, size). */
  QSET_INSANE: "SCP_QSET_INSANE",
  /** Bytes of an envelope, statement or quorum set are truncated, too long or have trailing bytes. */
  DECODE_FAILED: "SCP_DECODE_FAILED",
  /** An enumerated byte (statement type, optional-field flag) has no meaning. */
  DECODE_BAD_TAG: "SCP_DECODE_BAD_TAG",
  /** A decoded structure exceeds a limit (value size, number of values, quorum-set depth or size). */
  DECODE_LIMIT: "SCP_DECODE_LIMIT",
  /** `setStateFromEnvelope` got an envelope it cannot restore (not ours, wrong slot, insane, too late). */
  RESTORE_REJECTED: "SCP_RESTORE_REJECTED",
  /** A validator-only operation (nominate) was called on a watcher node. */
  NOT_VALIDATOR: "SCP_NOT_VALIDATOR",
  /** The quorum-intersection checker was given more nodes than it can check exhaustively. */
  INTERSECTION_TOO_LARGE: "SCP_INTERSECTION_TOO_LARGE",
} as const;
export type ScpCode = (typeof ScpCode)[keyof typeof ScpCode];

export type ScpMeta = {
  what?: string;
  reason?: string;
  /** The `DECODE_*` code of the underlying reader error, for SCP_DECODE_FAILED. */
  decodeCode?: string;
  offset?: number;
  length?: number;
  max?: number;
  tag?: number;
  nodes?: number;
  slot?: bigint;
};

/** The single error class of consensus/scp. */
export class ScpError extends CodedError<ScpCode, ScpMeta> {}
