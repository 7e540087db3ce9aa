/**
 * The transitive quorum of the local node: every node reachable from the local quorum set through the
 * quorum sets nodes declared in their statements. Envelopes from senders outside it are rejected
 * (stellar-core's QuorumTracker, used by its herder).
 */
import { bytesEqual } from "../../src/util/bytes.js";
import { quorumSetHash } from "./encoding.js";
import { forAllNodes } from "./quorumSet.js";
import { nodeKey, type QuorumSet } from "./types.js";

export class QuorumTracker {
  private readonly known = new Map<string, QuorumSet>();
  private closure = new Set<string>();

  constructor(
    private readonly localKey: string,
    private localQSet: QuorumSet,
  ) {
    this.rebuild();
  }

  /** True if node `key` is in the local node's transitive quorum. */
  has(key: string): boolean {
    return this.closure.has(key);
  }

  /** Number of nodes in the transitive quorum. */
  get size(): number {
    return this.closure.size;
  }

  /** The local quorum set changed. */
  setLocalQuorumSet(q: QuorumSet): void {
    this.localQSet = q;
    this.rebuild();
  }

  /** Node `key` (already in the quorum) declared `qset`; expands (or rebuilds) the closure. */
  update(key: string, qset: QuorumSet): void {
    if (key === this.localKey || !this.closure.has(key)) return;
    const old = this.known.get(key);
    if (old === qset || (old !== undefined && bytesEqual(quorumSetHash(old), quorumSetHash(qset)))) return;
    this.known.set(key, qset);
    if (old === undefined) this.expand(qset);
    else this.rebuild();
  }

  private expand(q: QuorumSet): void {
    const queue: QuorumSet[] = [q];
    while (queue.length > 0) {
      const cur = queue.pop()!;
      forAllNodes(cur, (id) => {
        const k = nodeKey(id);
        if (this.closure.has(k)) return;
        this.closure.add(k);
        const kq = this.known.get(k);
        if (kq) queue.push(kq);
      });
    }
  }

  private rebuild(): void {
    this.closure = new Set([this.localKey]);
    this.expand(this.localQSet);
    // forget quorum sets of nodes that fell out of the closure
    for (const k of [...this.known.keys()]) if (!this.closure.has(k)) this.known.delete(k);
  }
}
