/**
 * Quorum-intersection checker: do every two quorums of a network share a node? (SCP is safe only for
 * intact nodes that enjoy quorum intersection.) Exhaustive search over subsets, for small networks:
 * at most `maxNodes` (default 20) nodes, beyond which it refuses with SCP_INTERSECTION_TOO_LARGE.
 *
 * A quorum is a non-empty set Q of the given nodes such that every member's quorum set is satisfied
 * by Q. Validators named in quorum sets but absent from the input count as never available. If two
 * disjoint quorums exist, one of them has at most n/2 nodes, so only those subsets are enumerated;
 * for each quorum Q found, the largest quorum inside the complement of Q is computed by pruning.
 */
import { ScpCode, ScpError } from "./errors.js";
import { type NodeId, nodeKey, type QuorumSet } from "./types.js";

/** Default and hard limits on the number of nodes checked. */
export const INTERSECTION_DEFAULT_MAX_NODES = 20;
export const INTERSECTION_HARD_MAX_NODES = 30;

/** One node of the network with its declared quorum set. */
export interface NetworkNode {
  readonly nodeId: NodeId;
  readonly qset: QuorumSet;
}

export interface IntersectionResult {
  /** True if every two quorums intersect (vacuously true if there is no quorum at all). */
  readonly intersects: boolean;
  /** Number of nodes examined. */
  readonly nodes: number;
  /** Whether at least one quorum exists. */
  readonly hasQuorum: boolean;
  /** Two disjoint quorums, when `intersects` is false. */
  readonly split?: readonly [NodeId[], NodeId[]];
}

interface MaskQSet {
  readonly t: number;
  readonly mask: number;
  readonly inner: readonly MaskQSet[];
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function toMask(q: QuorumSet, index: ReadonlyMap<string, number>): MaskQSet {
  let mask = 0;
  for (const v of q.validators) {
    const i = index.get(nodeKey(v));
    if (i !== undefined) mask |= 1 << i;
  }
  return { t: q.threshold, mask, inner: q.innerSets.map((s) => toMask(s, index)) };
}

function sat(q: MaskQSet, set: number): boolean {
  let have = popcount(q.mask & set);
  if (have >= q.t) return true;
  for (const s of q.inner) if (sat(s, set) && ++have >= q.t) return true;
  return false;
}

/**
 * Checks quorum intersection of `network` exhaustively. Throws SCP_INTERSECTION_TOO_LARGE above
 * `maxNodes` nodes (at most 30), and TypeError on duplicate node ids.
 */
export function checkQuorumIntersection(
  network: readonly NetworkNode[],
  opts: { readonly maxNodes?: number } = {},
): IntersectionResult {
  const max = Math.min(opts.maxNodes ?? INTERSECTION_DEFAULT_MAX_NODES, INTERSECTION_HARD_MAX_NODES);
  const n = network.length;
  if (n > max) throw new ScpError(ScpCode.INTERSECTION_TOO_LARGE, { nodes: n, max });
  const index = new Map<string, number>();
  network.forEach((node, i) => {
    const k = nodeKey(node.nodeId);
    if (index.has(k)) throw new TypeError("checkQuorumIntersection: duplicate node id");
    index.set(k, i);
  });
  const qs = network.map((node) => toMask(node.qset, index));
  const all = n === 32 ? 0xffffffff : (1 << n) - 1;

  const isQuorum = (set: number): boolean => {
    if (set === 0) return false;
    for (let i = 0; i < n; i++) if (set & (1 << i) && !sat(qs[i]!, set)) return false;
    return true;
  };
  /** Largest quorum inside `set` (0 if none). */
  const prune = (set0: number): number => {
    let set = set0;
    for (;;) {
      let next = set;
      for (let i = 0; i < n; i++) if (next & (1 << i) && !sat(qs[i]!, next)) next &= ~(1 << i);
      if (next === set) return set;
      set = next;
    }
  };
  const members = (set: number): NodeId[] => network.filter((_, i) => set & (1 << i)).map((x) => x.nodeId);

  const hasQuorum = prune(all) !== 0;
  if (!hasQuorum) return { intersects: true, nodes: n, hasQuorum };
  const half = Math.floor(n / 2);
  for (let set = 1; set <= all; set++) {
    if (popcount(set) > half) continue;
    if (!isQuorum(set)) continue;
    const other = prune(all & ~set);
    if (other !== 0) return { intersects: false, nodes: n, hasQuorum, split: [members(set), members(other)] };
  }
  return { intersects: true, nodes: n, hasQuorum };
}
