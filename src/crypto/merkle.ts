/**
 * Transcript-based merkle trees (RFC 6962 shape): the tree over n > 1 items splits at the largest
 * power of two k < n. Hashes come from Merlin transcripts labelled by the tree's purpose:
 *   empty: Transcript(label) → challenge "merkle.empty"
 *   leaf:  Transcript(label) + the item's own commitment → challenge "merkle.leaf"
 *   node:  Transcript(label) + "L" left + "R" right → challenge "merkle.node"
 * ZkVM uses it for the txid (label "ZkVM.txid" over txlog entries), the block txroot and Taproot.
 */
import { bytesEqual, utf8 } from "../util/bytes.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import type { Reader } from "../util/reader.js";
import type { Writer } from "../util/writer.js";
import { Transcript } from "./transcript.js";

/** A 32-byte merkle hash. */
export type Hash = Uint8Array;

/** Anything that can commit itself to a transcript as a merkle leaf. */
export interface MerkleItem {
  commit(t: Transcript): void;
}

/** A leaf that is a plain byte string, committed as `append("data", bytes)`. */
export function bytesItem(bytes: Uint8Array): MerkleItem {
  return { commit: (t) => t.appendMessage(DATA, bytes) };
}

const DATA = utf8("data");
const L_LABEL = utf8("L");
const R_LABEL = utf8("R");
const LEAF = utf8("merkle.leaf");
const NODE = utf8("merkle.node");
const EMPTY = utf8("merkle.empty");

/** Hash functions of one tree, domain-separated by `label`. */
export class MerkleHasher {
  private readonly base: Transcript;

  constructor(label: string | Uint8Array) {
    this.base = Transcript.create(label);
  }

  leaf(item: MerkleItem): Hash {
    const t = this.base.clone();
    item.commit(t);
    return t.challengeBytes(LEAF, 32);
  }

  node(left: Hash, right: Hash): Hash {
    const t = this.base.clone();
    t.appendMessage(L_LABEL, left);
    t.appendMessage(R_LABEL, right);
    return t.challengeBytes(NODE, 32);
  }

  empty(): Hash {
    return this.base.clone().challengeBytes(EMPTY, 32);
  }

  /** The root over already-hashed leaves. */
  rootOfLeaves(leaves: readonly Hash[]): Hash {
    if (leaves.length === 0) return this.empty();
    return this.subtree(leaves, 0, leaves.length);
  }

  private subtree(leaves: readonly Hash[], from: number, to: number): Hash {
    const n = to - from;
    if (n === 1) return leaves[from]!;
    const k = largestPowerOfTwoBelow(n);
    return this.node(this.subtree(leaves, from, from + k), this.subtree(leaves, from + k, to));
  }
}

/** The largest power of two strictly less than n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The merkle root of `items` under `label`. */
export function merkleRoot(label: string | Uint8Array, items: readonly MerkleItem[]): Hash {
  const h = new MerkleHasher(label);
  return h.rootOfLeaves(items.map((i) => h.leaf(i)));
}

/** Maximum depth of a path (positions are u64). */
export const MAX_PATH_DEPTH = 64;

/**
 * An inclusion proof: the neighbours from the leaf level up, and `position`, whose bit i says on
 * which side the neighbour at level i is (1: the neighbour is on the left).
 */
export class MerklePath {
  readonly position: bigint;
  readonly neighbors: readonly Hash[];

  constructor(position: bigint, neighbors: readonly Hash[]) {
    if (neighbors.length > MAX_PATH_DEPTH) throw new RangeError("MerklePath: too deep");
    this.position = position;
    this.neighbors = neighbors;
  }

  /** The path of `items[index]` in the tree over `items`. */
  static build(hasher: MerkleHasher, items: readonly MerkleItem[], index: number): MerklePath {
    if (!Number.isInteger(index) || index < 0 || index >= items.length)
      throw new RangeError(`MerklePath.build: index ${index} out of range`);
    const leaves = items.map((i) => hasher.leaf(i));
    const neighbors: Hash[] = [];
    let position = 0n;
    let from = 0;
    let to = leaves.length;
    let i = index;
    // Walk down from the root; each level prepends its neighbour (the path lists leaf level first).
    while (to - from > 1) {
      const k = largestPowerOfTwoBelow(to - from);
      position <<= 1n;
      if (i >= k) {
        position |= 1n;
        neighbors.unshift(hasher.rootOfLeaves(leaves.slice(from, from + k)));
        from += k;
        i -= k;
      } else {
        neighbors.unshift(hasher.rootOfLeaves(leaves.slice(from + k, to)));
        to = from + k;
      }
    }
    return new MerklePath(position, neighbors);
  }

  /** The root implied by this path for `leaf` (already hashed). */
  rootFromLeaf(hasher: MerkleHasher, leaf: Hash): Hash {
    let cur = leaf;
    let pos = this.position;
    for (const n of this.neighbors) {
      cur = (pos & 1n) === 1n ? hasher.node(n, cur) : hasher.node(cur, n);
      pos >>= 1n;
    }
    return cur;
  }

  /** True if `item` with this path hashes to `root`. */
  verify(hasher: MerkleHasher, item: MerkleItem, root: Hash): boolean {
    return bytesEqual(this.rootFromLeaf(hasher, hasher.leaf(item)), root);
  }

  /** LE64 position || LE32 count || count × 32-byte hashes. */
  encode(w: Writer): void {
    w.writeU64(this.position);
    w.writeU32(this.neighbors.length);
    for (const n of this.neighbors) w.write32(n);
  }

  static decode(r: Reader): MerklePath {
    const position = r.readU64("path position");
    const at = r.offset;
    const n = r.readU32("path length");
    if (n > MAX_PATH_DEPTH)
      throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, {
        what: "path length",
        offset: at,
        length: n,
        max: MAX_PATH_DEPTH,
      });
    const neighbors: Hash[] = [];
    for (let i = 0; i < n; i++) neighbors.push(r.read32("path neighbor").slice());
    return new MerklePath(position, neighbors);
  }
}
