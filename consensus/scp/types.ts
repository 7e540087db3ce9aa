/**
 * Data types of the Stellar Consensus Protocol as used by this node: quorum sets, ballots, the four
 * statement kinds and signed envelopes. Values are opaque bytes; SCP never looks inside them.
 * Spec: draft-mazieres-dinrg-scp (IETF), statement layout as in stellar-core's Stellar-SCP.x.
 */
import { toHex } from "../../src/util/bytes.js";

/** A node identity: the 32-byte compressed Ristretto255 public key that signs its envelopes. */
export type NodeId = Uint8Array;
/** An opaque consensus value (ordered bytewise, shorter prefix first). */
export type Value = Uint8Array;
/** A 32-byte SHA-256 digest. */
export type Hash = Uint8Array;

/** Length of a node id (compressed Ristretto point). */
export const NODE_ID_LENGTH = 32;
/** Length of every hash carried in statements. */
export const HASH_LENGTH = 32;
/** Length of an envelope signature (Starsig R || s). */
export const SIGNATURE_LENGTH = 64;
/** Largest value accepted by the decoder (bytes). */
export const MAX_VALUE_SIZE = 4096;
/** Largest number of values in each of a NOMINATE statement's two lists. */
export const MAX_NOMINATION_VALUES = 256;
/** Deepest nesting of inner quorum sets (the top level is depth 0). */
export const MAX_QSET_DEPTH = 4;
/** Largest number of validators in a quorum set, all levels together. */
export const MAX_QSET_NODES = 1000;
/** The ballot counter standing for "infinity" (EXTERNALIZE, CONFIRM's prepared bound). */
export const INFINITE_COUNTER = 0xffff_ffff;

/**
 * A quorum set: `threshold` of the entries (validators and inner sets) must agree. Treat instances as
 * immutable once built: derived data (hashes, key lists) is cached per object.
 */
export interface QuorumSet {
  readonly threshold: number;
  readonly validators: readonly NodeId[];
  readonly innerSets: readonly QuorumSet[];
}

/** A ballot ⟨counter, value⟩; ordered by counter, then bytewise by value. */
export interface Ballot {
  readonly counter: number;
  readonly value: Value;
}

/** PREPARE: vote-or-accept prepare(b); accept prepare(p), prepare(p′); confirm prepare ⟨h.n, b.x⟩; vote commit c.n..h.n. */
export interface PreparePledge {
  readonly type: "prepare";
  readonly quorumSetHash: Hash;
  readonly ballot: Ballot;
  readonly prepared: Ballot | null;
  readonly preparedPrime: Ballot | null;
  /** c.n (0 = no commit vote) */
  readonly nC: number;
  /** h.n (0 = nothing confirmed prepared) */
  readonly nH: number;
}

/** CONFIRM (the draft's COMMIT): accept commit c.n..h.n, vote commit n ≥ c.n, accepted prepared ⟨p.n, b.x⟩. */
export interface ConfirmPledge {
  readonly type: "confirm";
  readonly quorumSetHash: Hash;
  readonly ballot: Ballot;
  readonly nPrepared: number;
  readonly nCommit: number;
  readonly nH: number;
}

/** EXTERNALIZE: confirmed commit c.n..h.n; the sender counts as a quorum by itself. */
export interface ExternalizePledge {
  readonly type: "externalize";
  readonly commit: Ballot;
  readonly nH: number;
  /** The quorum set the sender used when it confirmed the commit. */
  readonly commitQuorumSetHash: Hash;
}

/** NOMINATE: votes X and accepted Y, each strictly increasing bytewise. */
export interface NominatePledge {
  readonly type: "nominate";
  readonly quorumSetHash: Hash;
  readonly votes: readonly Value[];
  readonly accepted: readonly Value[];
}

export type BallotPledge = PreparePledge | ConfirmPledge | ExternalizePledge;
export type Pledges = BallotPledge | NominatePledge;
export type StatementType = Pledges["type"];

/** A statement of node `nodeId` about slot `slotIndex` (a u64). */
export interface Statement<P extends Pledges = Pledges> {
  readonly nodeId: NodeId;
  readonly slotIndex: bigint;
  readonly pledges: P;
}

/** A signed statement. The signature covers `encodeStatement(statement)`. */
export interface Envelope<P extends Pledges = Pledges> {
  readonly statement: Statement<P>;
  readonly signature: Uint8Array;
}

/** Map key of a node id (lower-case hex). */
export function nodeKey(id: NodeId): string {
  return toHex(id);
}

/** Verdict of `Scp.receiveEnvelope`. */
export type EnvelopeState = "valid" | "invalid";

/** The quorum set hash carried by a statement (EXTERNALIZE carries its last one). */
export function companionQuorumSetHash(p: Pledges): Hash {
  return p.type === "externalize" ? p.commitQuorumSetHash : p.quorumSetHash;
}
