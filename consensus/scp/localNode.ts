/** The local node as SCP sees it: identity, role and (normalized) quorum set with its hash. */
import { quorumSetHash } from "./encoding.js";
import { assertQuorumSetSane, normalizeQuorumSet } from "./quorumSet.js";
import { type Hash, NODE_ID_LENGTH, type NodeId, nodeKey, type QuorumSet } from "./types.js";

export class LocalNode {
  readonly id: NodeId;
  /** Map key of `id`. */
  readonly key: string;
  /** Validators vote and emit; watchers only follow. */
  readonly isValidator: boolean;
  private qsetValue: QuorumSet;
  private hashValue: Hash;

  /** Normalizes `qset` and throws SCP_QSET_INSANE if it is not sane. */
  constructor(id: NodeId, qset: QuorumSet, isValidator: boolean) {
    if (!(id instanceof Uint8Array) || id.length !== NODE_ID_LENGTH)
      throw new TypeError(`LocalNode: id must be ${NODE_ID_LENGTH} bytes`);
    this.id = id.slice();
    this.key = nodeKey(this.id);
    this.isValidator = isValidator;
    this.qsetValue = normalizeQuorumSet(qset);
    assertQuorumSetSane(this.qsetValue, false, "local quorum set");
    this.hashValue = quorumSetHash(this.qsetValue);
  }

  /** The local quorum set (normalized). */
  get qset(): QuorumSet {
    return this.qsetValue;
  }

  /** Hash of the local quorum set, as carried by the local node's statements. */
  get qsetHash(): Hash {
    return this.hashValue;
  }

  /** Replaces the local quorum set (normalized; SCP_QSET_INSANE if not sane). */
  updateQuorumSet(qset: QuorumSet): void {
    const q = normalizeQuorumSet(qset);
    assertQuorumSetSane(q, false, "local quorum set");
    this.qsetValue = q;
    this.hashValue = quorumSetHash(q);
  }
}
