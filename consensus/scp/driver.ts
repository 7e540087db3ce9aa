/**
 * The driver: everything SCP needs from the outside world, behind one small interface. SCP itself
 * has no clock, no network, no storage and no randomness; the application (the herder, the simulator,
 * a test's recording driver) implements these methods.
 */
import type { Ballot, Envelope, NodeId, QuorumSet, Value } from "./types.js";

/** How much a driver vouches for a value. Ordered: a statement's level is the minimum over its values. */
export const ValidationLevel = {
  /** Never acceptable (malformed, contradicts the chain): statements carrying it are rejected. */
  Invalid: 0,
  /**
   * Plausible but not checkable now (e.g. for a slot other than the next one): the slot keeps
   * following the protocol but stops emitting (it is no longer "fully validated").
   */
  MaybeValid: 1,
  /** Checked and acceptable. */
  FullyValid: 2,
} as const;
export type ValidationLevel = (typeof ValidationLevel)[keyof typeof ValidationLevel];

/** Logical timers SCP asks the driver for (one of each per slot). */
export const TimerId = { Nomination: 0, Ballot: 1 } as const;
export type TimerId = (typeof TimerId)[keyof typeof TimerId];

/** Monitoring notifications (all optional to observe). */
export type ScpEvent =
  | { readonly type: "nominating"; readonly slot: bigint; readonly value: Value }
  | { readonly type: "candidateUpdated"; readonly slot: bigint; readonly value: Value }
  | { readonly type: "ballotStarted"; readonly slot: bigint; readonly ballot: Ballot }
  | { readonly type: "acceptedPrepared"; readonly slot: bigint; readonly ballot: Ballot }
  | { readonly type: "confirmedPrepared"; readonly slot: bigint; readonly ballot: Ballot }
  | { readonly type: "acceptedCommit"; readonly slot: bigint; readonly ballot: Ballot }
  | { readonly type: "heardFromQuorum"; readonly slot: bigint; readonly ballot: Ballot };

export interface ScpDriver {
  /** Signs the canonical statement bytes with the local node's key (64-byte signature). */
  sign(statementBytes: Uint8Array): Uint8Array;
  /** True if `signature` is `nodeId`'s signature of the canonical statement bytes. Must not throw. */
  verify(nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Called with every envelope SCP is about to emit, before `emitEnvelope`: store it durably (the
   * latest NOMINATE and the latest ballot statement per slot) so a restart can restore it.
   */
  persistEnvelope?(envelope: Envelope): void;
  /** Broadcasts one of the local node's envelopes. */
  emitEnvelope(envelope: Envelope): void;
  /** The quorum set with this hash, if known (unknown ⇒ the statement is invalid). */
  getQuorumSet(hash: Uint8Array): QuorumSet | undefined;
  /** Deterministic validity of `value` for `slot` (must not depend on state that can differ forever). */
  validateValue(slot: bigint, value: Value, nomination: boolean): ValidationLevel;
  /** Optionally turns a not-fully-valid value into one this node would vote for (nomination only). */
  extractValidValue?(slot: bigint, value: Value): Value | undefined;
  /** Deterministically combines confirmed nominated values into the composite ballot value. */
  combineCandidates(slot: bigint, candidates: readonly Value[]): Value | undefined;
  /** Node hash for leader election (default: `defaultHashNode`, SHA-256). */
  hashNode?(slot: bigint, prev: Value, isPriority: boolean, round: number, nodeId: NodeId): bigint;
  /** Value hash for picking a leader's value (default: `defaultHashValue`, SHA-256). */
  hashValue?(slot: bigint, prev: Value, round: number, value: Value): bigint;
  /** Nomination weight in [0, 2^64 − 1] (default: `nodeWeight`, the fraction of slices). */
  nodeWeight?(nodeId: NodeId, qset: QuorumSet, isLocal: boolean): bigint;
  /** Arms (or re-arms) timer `timer` of `slot` to call `callback` after `delayMs` of the driver's clock. */
  setupTimer(slot: bigint, timer: TimerId, delayMs: number, callback: () => void): void;
  /** Cancels timer `timer` of `slot` (no-op if not armed). */
  stopTimer(slot: bigint, timer: TimerId): void;
  /** Timeout in ms of nomination round / ballot counter `round` (≥ 1). */
  computeTimeout(round: number, isNomination: boolean): number;
  /** Called exactly once per slot, when the slot externalizes `value`. */
  valueExternalized(slot: bigint, value: Value): void;
  /** Monitoring hook. */
  onEvent?(event: ScpEvent): void;
}
