/**
 * consensus/scp — the Stellar Consensus Protocol, pure and deterministic. It knows nothing of blocks,
 * networks or storage: values are opaque bytes and everything else goes through `ScpDriver`.
 * Spec: draft-mazieres-dinrg-scp; behaviour follows stellar-core's src/scp (see README.md here).
 */
export {
  areBallotsCompatible,
  compareBallots,
  isBallotStatementSane,
  isNewerBallotStatement,
  type Phase,
} from "./ballot.js";
export { type ScpDriver, type ScpEvent, TimerId, ValidationLevel } from "./driver.js";
export {
  decodeEnvelope,
  decodeQuorumSet,
  decodeStatement,
  defaultHashNode,
  defaultHashValue,
  encodeEnvelope,
  encodeQuorumSet,
  encodeStatement,
  quorumSetHash,
} from "./encoding.js";
export { ScpCode, ScpError } from "./errors.js";
export { federatedAccept, federatedRatify, type LatestStatement } from "./federatedVoting.js";
export { checkQuorumIntersection, type IntersectionResult, type NetworkNode } from "./intersection.js";
export { isNewerNomination, isNominationSane } from "./nomination.js";
export {
  assertQuorumSetSane,
  findClosestVBlocking,
  isQuorum,
  isQuorumSetSane,
  isQuorumSlice,
  isVBlocking,
  nodeWeight,
  normalizeQuorumSet,
  quorumSetInsanity,
  singletonQuorumSet,
} from "./quorumSet.js";
export { type RejectionReason, Scp, type ScpOptions } from "./scp.js";
export type { Slot } from "./slot.js";
export * from "./types.js";
