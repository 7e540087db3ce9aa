/**
 * The utreexo accumulator of ZkVM utxos: a forest of perfect merkle trees.
 *
 * - `Forest`: the normalized state between blocks, at most one root per level (levels 0..63); a
 *   level-k root covers 2^k items and the trees are ordered highest first, so the set of trees is
 *   the binary form of the item count. `root()` folds the roots from the lowest level upward,
 *   node(higher, accumulated), or is the empty hash.
 * - `WorkForest`: a block's scratch state. It starts from the forest's roots as childless nodes;
 *   `insert` appends a level-0 root; `delete` verifies a proof and marks the path in one step,
 *   expanding the tree only as far as the proof requires (hashes already computed are reused).
 *   `batch` runs a group of updates atomically (a failed transaction leaves no trace), and every
 *   single rejected `delete` leaves the work forest unchanged.
 * - `normalize()` collects the unmodified childless nodes left to right and joins equal levels like
 *   a binary counter (held node on the left), giving the next `Forest` and a `Catchup`, which maps
 *   every surviving childless node to its new offset so that proofs made against the previous forest
 *   can be brought forward one generation.
 *
 * There are no generation numbers: a proof's generation is implied by the catchup it matches, and
 * the caller normalizes every block. Nodes live in typed-array slabs (32-byte hashes in one
 * Uint8Array, levels, flags and child indices in parallel arrays), not in per-node objects.
 * Spec: zkvm/docs/utreexo.md (stellar/slingshot); where the prose and the reference code differ we
 * follow the code (blockchain/src/utreexo) and the vectors.
 */
import { MerklePath } from "../crypto/merkle.js";
import { assert } from "../util/codedError.js";
import type { Reader } from "../util/reader.js";
import type { Writer } from "../util/writer.js";
import { UtreexoCode, UtreexoError } from "./errors.js";
import { checkHash, type UtreexoHasher, utreexoHasher } from "./hasher.js";
import { committed, type Proof, TRANSIENT } from "./proof.js";

/** Maximum number of tree levels (positions are u64). */
export const MAX_LEVELS = 64;

const NONE = -1;

/** Bit `k` (0..63) of a u64 position split into two 32-bit halves. */
function bitAt(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
}

function checkPath(path: unknown): asserts path is MerklePath {
  if (!(path instanceof MerklePath)) throw new TypeError("proof.path: expected a MerklePath");
}

/** Node storage: parallel typed arrays indexed by node number. */
class Arena {
  hashes: Uint8Array;
  levels: Uint8Array;
  flags: Uint8Array; // 1 = modified (on a leaf: deleted)
  lefts: Int32Array;
  rights: Int32Array;
  length = 0;

  constructor(capacity: number) {
    const cap = Math.max(16, capacity);
    this.hashes = new Uint8Array(cap * 32);
    this.levels = new Uint8Array(cap);
    this.flags = new Uint8Array(cap);
    this.lefts = new Int32Array(cap);
    this.rights = new Int32Array(cap);
  }

  private grow(): void {
    const cap = this.levels.length * 2;
    const h = new Uint8Array(cap * 32);
    h.set(this.hashes);
    this.hashes = h;
    const l = new Uint8Array(cap);
    l.set(this.levels);
    this.levels = l;
    const f = new Uint8Array(cap);
    f.set(this.flags);
    this.flags = f;
    const a = new Int32Array(cap);
    a.set(this.lefts);
    this.lefts = a;
    const b = new Int32Array(cap);
    b.set(this.rights);
    this.rights = b;
  }

  /** A new node whose hash is copied from `src[srcOff..srcOff+32)`; returns its number. */
  alloc(src: Uint8Array, srcOff: number, level: number, flag: number, left: number, right: number): number {
    if (this.length === this.levels.length) this.grow();
    const i = this.length++;
    this.hashes.set(src.subarray(srcOff, srcOff + 32), i * 32);
    this.levels[i] = level;
    this.flags[i] = flag;
    this.lefts[i] = left;
    this.rights[i] = right;
    return i;
  }

  /** A new node whose hash will be written by the caller. */
  allocBlank(level: number, flag: number, left: number, right: number): number {
    if (this.length === this.levels.length) this.grow();
    const i = this.length++;
    this.levels[i] = level;
    this.flags[i] = flag;
    this.lefts[i] = left;
    this.rights[i] = right;
    return i;
  }

  hashEquals(i: number, h: Uint8Array, hOff: number): boolean {
    const s = this.hashes;
    const o = i * 32;
    for (let k = 0; k < 32; k++) if (s[o + k] !== h[hOff + k]) return false;
    return true;
  }

  hashOf(i: number): Uint8Array {
    return this.hashes.slice(i * 32, i * 32 + 32);
  }

  /** Bytes held by the slabs (for memory figures). */
  get byteSize(): number {
    return this.hashes.byteLength + this.levels.byteLength * 2 + this.lefts.byteLength * 2;
  }
}

/**
 * Calls `visit(node, offset)` for every childless node under `roots`, left to right, where `offset`
 * is the node's first item position in the whole forest.
 */
function forEachChildless(
  a: Arena,
  roots: readonly number[],
  visit: (node: number, offset: bigint) => void,
): void {
  const stackNode: number[] = [];
  const stackOff: bigint[] = [];
  let rootOffset = 0n;
  for (const r of roots) {
    stackNode.push(r);
    stackOff.push(rootOffset);
    rootOffset += 1n << BigInt(a.levels[r]!);
    while (stackNode.length > 0) {
      const n = stackNode.pop()!;
      const off = stackOff.pop()!;
      const l = a.lefts[n]!;
      if (l === NONE) {
        visit(n, off);
      } else {
        stackNode.push(a.rights[n]!, l);
        stackOff.push(off + (1n << BigInt(a.levels[n]! - 1)), off);
      }
    }
  }
}

/** Index key of a hash: its first four bytes (hashes are uniformly distributed). */
function hashKey(h: Uint8Array, off: number): number {
  return h[off]! | (h[off + 1]! << 8) | (h[off + 2]! << 16) | (h[off + 3]! << 24);
}

/** Finds the tree holding `position` among roots (highest first): its index and starting offset. */
function findRoot(levels: Iterable<number>, position: bigint): { index: number; offset: bigint } | undefined {
  let offset = 0n;
  let i = 0;
  for (const level of levels) {
    const end = offset + (1n << BigInt(level));
    if (position < end) return { index: i, offset };
    offset = end;
    i++;
  }
  return undefined;
}

/** A root of a normalized forest. */
export interface ForestRoot {
  readonly level: number;
  readonly hash: Uint8Array;
}

/** The normalized utreexo state: at most one perfect-tree root per level. Immutable. */
export class Forest {
  /** roots[level], or undefined. */
  private readonly byLevel: readonly (Uint8Array | undefined)[];
  private readonly hasher: UtreexoHasher;

  private constructor(byLevel: readonly (Uint8Array | undefined)[], hasher: UtreexoHasher) {
    this.byLevel = byLevel;
    this.hasher = hasher;
  }

  /** The empty forest. */
  static empty(hasher: UtreexoHasher = utreexoHasher()): Forest {
    return new Forest(new Array<Uint8Array | undefined>(MAX_LEVELS).fill(undefined), hasher);
  }

  /** A forest from its roots (any order; at most one per level). */
  static fromRoots(roots: readonly ForestRoot[], hasher: UtreexoHasher = utreexoHasher()): Forest {
    const byLevel = new Array<Uint8Array | undefined>(MAX_LEVELS).fill(undefined);
    for (const { level, hash } of roots) {
      if (!Number.isInteger(level) || level < 0 || level >= MAX_LEVELS)
        throw new RangeError(`Forest.fromRoots: level ${level} out of range`);
      checkHash(hash, "Forest.fromRoots hash");
      if (byLevel[level] !== undefined) throw new RangeError(`Forest.fromRoots: two roots at level ${level}`);
      byLevel[level] = hash.slice();
    }
    return new Forest(byLevel, hasher);
  }

  /** Number of items (sum of 2^level over the roots). */
  get count(): bigint {
    let n = 0n;
    for (let l = 0; l < MAX_LEVELS; l++) if (this.byLevel[l] !== undefined) n += 1n << BigInt(l);
    return n;
  }

  /** The roots, highest level first (copies). */
  roots(): ForestRoot[] {
    const out: ForestRoot[] = [];
    for (let l = MAX_LEVELS - 1; l >= 0; l--) {
      const h = this.byLevel[l];
      if (h !== undefined) out.push({ level: l, hash: h.slice() });
    }
    return out;
  }

  /** The root commitment: node(R_top, node(…, node(R1, R0))) over the roots, or the empty hash. */
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (let l = 0; l < MAX_LEVELS; l++) {
      const h = this.byLevel[l];
      if (h === undefined) continue;
      acc = acc === undefined ? h.slice() : this.hasher.node(h, acc);
    }
    return acc ?? this.hasher.empty();
  }

  private levelsHighFirst(): number[] {
    const out: number[] = [];
    for (let l = MAX_LEVELS - 1; l >= 0; l--) if (this.byLevel[l] !== undefined) out.push(l);
    return out;
  }

  /** True if the committed `path` proves the item with leaf hash `leaf` in this forest. */
  verify(leaf: Uint8Array, path: MerklePath): boolean {
    checkHash(leaf, "leaf");
    checkPath(path);
    const levels = this.levelsHighFirst();
    const found = findRoot(levels, path.position);
    if (found === undefined) return false;
    const level = levels[found.index]!;
    if (path.neighbors.length !== level) return false;
    const root = this.byLevel[level]!;
    const cur = leaf.slice();
    const lo = Number(path.position & 0xffffffffn);
    const hi = Number((path.position >> 32n) & 0xffffffffn);
    for (let k = 0; k < level; k++) {
      const nb = path.neighbors[k]!;
      if (bitAt(lo, hi, k) === 1) this.hasher.nodeInto(cur, 0, nb, 0, cur, 0);
      else this.hasher.nodeInto(cur, 0, cur, 0, nb, 0);
    }
    for (let k = 0; k < 32; k++) if (cur[k] !== root[k]) return false;
    return true;
  }

  /** A work forest for the next block, starting from these roots. */
  workForest(): WorkForest {
    return new WorkForest(this.roots(), this.hasher);
  }

  /** Storage encoding: LE64 count, then the roots' hashes from the highest level down. */
  encode(w: Writer): void {
    w.writeU64(this.count);
    for (const r of this.roots()) w.write32(r.hash);
  }

  static decode(r: Reader, hasher: UtreexoHasher = utreexoHasher()): Forest {
    const count = r.readU64("utreexo forest count");
    const roots: ForestRoot[] = [];
    for (let l = MAX_LEVELS - 1; l >= 0; l--)
      if (((count >> BigInt(l)) & 1n) === 1n)
        roots.push({ level: l, hash: r.read32("utreexo root").slice() });
    return Forest.fromRoots(roots, hasher);
  }
}

/** Journal entry kinds for batch rollback. */
const J_FLAG = 0;
const J_LEFT = 1;
const J_RIGHT = 2;
const J_ROOT_REMOVED = 3;
const J_ROOT_APPENDED = 4;

/** The per-block scratch forest. Not thread-safe; one owner at a time. */
export class WorkForest {
  private readonly a: Arena;
  private readonly roots: number[] = [];
  private readonly hasher: UtreexoHasher;
  /** Rollback journal (triples: kind, index, old value) while a batch is open. */
  private readonly journal: number[] = [];
  /** Open batches: arena length and journal length at their start. */
  private readonly marks: { arena: number; journal: number }[] = [];
  private scratch = new Uint8Array(65 * 32);

  /** @internal use `Forest.workForest()`. */
  constructor(roots: readonly ForestRoot[], hasher: UtreexoHasher) {
    this.hasher = hasher;
    this.a = new Arena(roots.length + 64);
    for (const r of roots) this.roots.push(this.a.alloc(r.hash, 0, r.level, 0, NONE, NONE));
  }

  /** Number of trees, including pending inserted leaves. */
  get treeCount(): number {
    return this.roots.length;
  }

  /** Number of stored nodes (memory grows with it). */
  get nodeCount(): number {
    return this.a.length;
  }

  private inBatch(): boolean {
    return this.marks.length > 0;
  }

  /** Sets a node field, journaling the old value if the node predates the innermost batch. */
  private setField(kind: number, node: number, value: number): void {
    const arr = kind === J_FLAG ? this.a.flags : kind === J_LEFT ? this.a.lefts : this.a.rights;
    const m = this.marks[this.marks.length - 1];
    if (m !== undefined && node < m.arena) this.journal.push(kind, node, arr[node]!);
    arr[node] = value;
  }

  /** The tree holding `position` (pending inserts count as level-0 trees), without allocating. */
  private findTree(position: bigint): { index: number; offset: bigint } | undefined {
    const levels = this.a.levels;
    let offset = 0n;
    for (let i = 0; i < this.roots.length; i++) {
      const end = offset + (1n << BigInt(levels[this.roots[i]!]!));
      if (position < end) return { index: i, offset };
      offset = end;
    }
    return undefined;
  }

  /** Adds an item by its leaf hash, as a new level-0 tree at the end. Its proof is `TRANSIENT`. */
  insert(leaf: Uint8Array): void {
    checkHash(leaf, "leaf");
    this.roots.push(this.a.alloc(leaf, 0, 0, 0, NONE, NONE));
    if (this.inBatch()) this.journal.push(J_ROOT_APPENDED, 0, 0);
  }

  /**
   * Verifies `proof` for the item with leaf hash `leaf` and deletes the item. Throws a
   * `UtreexoError` (INVALID_PROOF, ITEM_NOT_FOUND, ALREADY_DELETED) and changes nothing if the
   * proof does not hold.
   */
  delete(leaf: Uint8Array, proof: Proof): void {
    checkHash(leaf, "leaf");
    if (proof.kind === "transient") this.deleteTransient(leaf);
    else if (proof.kind === "committed") this.deleteCommitted(leaf, proof.path);
    else throw new TypeError("proof: expected a transient or committed proof");
  }

  private deleteTransient(leaf: Uint8Array): void {
    const a = this.a;
    const roots = this.roots;
    for (let i = 0; i < roots.length; i++) {
      const n = roots[i]!;
      if (a.levels[n] !== 0 || !a.hashEquals(n, leaf, 0)) continue;
      // The first level-0 tree with this hash decides: a committed single-item tree deleted
      // through its path stays in place marked as deleted.
      if (a.flags[n] !== 0) throw new UtreexoError(UtreexoCode.ALREADY_DELETED, { reason: "transient" });
      roots.splice(i, 1);
      if (this.inBatch()) this.journal.push(J_ROOT_REMOVED, i, n);
      return;
    }
    throw new UtreexoError(UtreexoCode.ITEM_NOT_FOUND, {});
  }

  private deleteCommitted(leaf: Uint8Array, path: MerklePath): void {
    checkPath(path);
    const a = this.a;
    const h = this.hasher;
    const position = path.position;
    const nbs = path.neighbors;
    // 1. The tree that holds the position (pending inserts count as level-0 trees).
    const found = this.findTree(position);
    if (found === undefined)
      throw new UtreexoError(UtreexoCode.INVALID_PROOF, { reason: "position out of range", position });
    const top = this.roots[found.index]!;
    const level = a.levels[top]!;
    if (nbs.length !== level)
      throw new UtreexoError(UtreexoCode.INVALID_PROOF, {
        reason: "wrong path length",
        position,
        expected: level,
        given: nbs.length,
      });
    const lo = Number(position & 0xffffffffn);
    const hi = Number((position >> 32n) & 0xffffffffn);
    // 2. Walk down the expanded part, checking the stored siblings against the proof.
    let node = top;
    let k = level;
    while (a.lefts[node] !== NONE) {
      k--;
      const right = bitAt(lo, hi, k) === 1;
      const sib = right ? a.lefts[node]! : a.rights[node]!;
      if (!a.hashEquals(sib, nbs[k]!, 0))
        throw new UtreexoError(UtreexoCode.INVALID_PROOF, { reason: "neighbor mismatch", position });
      node = right ? a.rights[node]! : a.lefts[node]!;
    }
    // 3. A leaf already marked is a double delete.
    if (k === 0 && a.flags[node] !== 0)
      throw new UtreexoError(UtreexoCode.ALREADY_DELETED, { reason: "committed", position });
    // 4. Rebuild the missing part from the leaf and the lower neighbours; it must meet `node`.
    if (this.scratch.length < (k + 1) * 32) this.scratch = new Uint8Array((k + 1) * 32);
    const s = this.scratch;
    s.set(leaf, 0);
    for (let j = 0; j < k; j++) {
      const nb = nbs[j]!;
      if (bitAt(lo, hi, j) === 1) h.nodeInto(s, (j + 1) * 32, nb, 0, s, j * 32);
      else h.nodeInto(s, (j + 1) * 32, s, j * 32, nb, 0);
    }
    if (!a.hashEquals(node, s, k * 32))
      throw new UtreexoError(UtreexoCode.INVALID_PROOF, { reason: "root mismatch", position });

    // Verified: from here on nothing can fail. Mark the path from the top down to `node`.
    let n = top;
    let kk = level;
    while (n !== node) {
      this.setField(J_FLAG, n, 1);
      kk--;
      n = bitAt(lo, hi, kk) === 1 ? a.rights[n]! : a.lefts[n]!;
    }
    this.setField(J_FLAG, node, 1);
    if (k === 0) return;
    // Splice in the rebuilt part: the deleted leaf, stub neighbours and modified parents.
    let cur = a.alloc(s, 0, 0, 1, NONE, NONE);
    for (let j = 0; j < k; j++) {
      const stub = a.alloc(nbs[j]!, 0, j, 0, NONE, NONE);
      const right = bitAt(lo, hi, j) === 1;
      const l = right ? stub : cur;
      const r = right ? cur : stub;
      if (j === k - 1) {
        this.setField(J_LEFT, node, l);
        this.setField(J_RIGHT, node, r);
      } else {
        cur = a.alloc(s, (j + 1) * 32, j + 1, 1, l, r);
      }
    }
  }

  /**
   * Runs `fn` atomically: if it throws, every change it made is undone and the error is rethrown.
   * Batches nest.
   */
  batch<T>(fn: (forest: this) => T): T {
    this.marks.push({ arena: this.a.length, journal: this.journal.length });
    let result: T;
    try {
      result = fn(this);
    } catch (e) {
      this.rollback();
      throw e;
    }
    const m = this.marks.pop()!;
    if (this.marks.length === 0) this.journal.length = 0;
    else assert(this.journal.length >= m.journal, "utreexo: journal grows within a batch");
    return result;
  }

  private rollback(): void {
    const m = this.marks.pop()!;
    const j = this.journal;
    const a = this.a;
    while (j.length > m.journal) {
      const old = j.pop()!;
      const idx = j.pop()!;
      const kind = j.pop()!;
      if (kind === J_FLAG) a.flags[idx] = old;
      else if (kind === J_LEFT) a.lefts[idx] = old;
      else if (kind === J_RIGHT) a.rights[idx] = old;
      else if (kind === J_ROOT_REMOVED) this.roots.splice(idx, 0, old);
      else this.roots.pop();
    }
    a.length = m.arena;
  }

  /**
   * Packs the surviving items into perfect trees. Returns the next forest and the catchup that
   * refreshes proofs made against the forest this work forest started from (or made transient).
   * The work forest itself is left as it was.
   */
  normalize(): { forest: Forest; catchup: Catchup } {
    assert(!this.inBatch(), "utreexo: normalize inside a batch");
    const a = this.a;
    const h = this.hasher;
    // 1. Unmodified childless nodes, left to right: pruned subtrees, proof stubs, new leaves.
    const survivors: number[] = [];
    forEachChildless(a, this.roots, (n) => {
      if (a.flags[n] === 0) survivors.push(n);
    });
    // 2. Join equal levels like a binary counter (the held node goes on the left).
    const b = new Arena(survivors.length * 2 + 1);
    const slots = new Int32Array(MAX_LEVELS).fill(NONE);
    for (const n of survivors) {
      let cur = b.alloc(a.hashes, n * 32, a.levels[n]!, 0, NONE, NONE);
      let level = a.levels[n]!;
      for (;;) {
        const left = slots[level]!;
        if (left === NONE) break;
        slots[level] = NONE;
        const p = b.allocBlank(level + 1, 1, left, cur);
        h.nodeInto(b.hashes, p * 32, b.hashes, left * 32, b.hashes, cur * 32);
        cur = p;
        level++;
      }
      slots[level] = cur;
    }
    const newRoots: number[] = [];
    const forestRoots: ForestRoot[] = [];
    for (let l = MAX_LEVELS - 1; l >= 0; l--) {
      const r = slots[l]!;
      if (r === NONE) continue;
      newRoots.push(r);
      forestRoots.push({ level: l, hash: b.hashOf(r) });
    }
    const forest = Forest.fromRoots(forestRoots, h);
    return { forest, catchup: new Catchup(b, newRoots, h) };
  }
}

/**
 * Brings proofs made against the previous forest (or transient proofs) up to the forest that a
 * `normalize()` produced. Holds that forest's expanded nodes and an index from each childless
 * node's hash to its new offset. Proofs must go through every block's catchup in order.
 */
export class Catchup {
  private readonly a: Arena;
  private readonly roots: readonly number[];
  private readonly rootLevels: readonly number[];
  private readonly hasher: UtreexoHasher;
  /** Open-addressing index: node number + 1, or 0 for empty; keyed by the hash's first 4 bytes. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** New offset per node number (only childless nodes are set). */
  private readonly offsets: BigUint64Array;

  /** @internal produced by `WorkForest.normalize()`. */
  constructor(a: Arena, roots: readonly number[], hasher: UtreexoHasher) {
    this.a = a;
    this.roots = roots;
    this.rootLevels = roots.map((r) => a.levels[r]!);
    this.hasher = hasher;
    let childless = 0;
    for (let i = 0; i < a.length; i++) if (a.lefts[i] === NONE) childless++;
    let size = 16;
    while (size < childless * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.offsets = new BigUint64Array(a.length);
    // Later nodes with an equal hash replace earlier ones, as in the reference's map.
    forEachChildless(a, roots, (n, off) => {
      this.offsets[n] = off;
      this.put(n);
    });
  }

  private put(n: number): void {
    const a = this.a;
    let slot = hashKey(a.hashes, n * 32) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0 || a.hashEquals(e - 1, a.hashes, n * 32)) {
        this.table[slot] = n + 1;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The childless node with hash `h[hOff..]`, or NONE. */
  private lookup(h: Uint8Array, hOff: number): number {
    let slot = hashKey(h, hOff) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) return NONE;
      if (this.a.hashEquals(e - 1, h, hOff)) return e - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Number of stored nodes in the new forest (memory grows with it). */
  get nodeCount(): number {
    return this.a.length;
  }

  /** Approximate bytes held: node slabs, offsets and index. */
  get byteSize(): number {
    return this.a.byteSize + this.offsets.byteLength + this.table.byteLength;
  }

  /**
   * Refreshes a proof for the item with leaf hash `leaf`. A transient proof becomes committed if
   * the item was committed by this normalization (else stays transient); a committed proof that
   * cannot be matched throws OUTDATED_PROOF (the item was deleted, or the proof is from an older
   * generation).
   */
  update(leaf: Uint8Array, proof: Proof): Proof {
    checkHash(leaf, "leaf");
    const path = proof.kind === "committed" ? proof.path : undefined;
    if (path !== undefined) checkPath(path);
    const updated = this.updatePath(leaf, path?.position ?? 0n, path?.neighbors ?? []);
    if (updated !== undefined) return committed(updated);
    if (path === undefined) return TRANSIENT;
    throw new UtreexoError(UtreexoCode.OUTDATED_PROOF, { position: path.position });
  }

  private updatePath(leaf: Uint8Array, position: bigint, nbs: readonly Uint8Array[]): MerklePath | undefined {
    const a = this.a;
    const lo = Number(position & 0xffffffffn);
    const hi = Number((position >> 32n) & 0xffffffffn);
    // 1. Climb the old path until a hash is a childless node of the new forest.
    const cur = leaf.slice();
    let mid = 0;
    let found = this.lookup(cur, 0);
    while (found === NONE && mid < nbs.length) {
      const nb = nbs[mid]!;
      if (bitAt(lo, hi, mid) === 1) this.hasher.nodeInto(cur, 0, nb, 0, cur, 0);
      else this.hasher.nodeInto(cur, 0, cur, 0, nb, 0);
      mid++;
      found = this.lookup(cur, 0);
    }
    if (found === NONE) return undefined;
    // 2. Keep the position bits below the found node; add its new offset.
    const lowMask = (1n << BigInt(mid)) - 1n;
    const newPos = this.offsets[found]! + (position & lowMask);
    // 3. Fill the upper neighbours from the new forest, walking down from the root.
    const where = findRoot(this.rootLevels, newPos);
    if (where === undefined) return undefined;
    const root = this.roots[where.index]!;
    const level = a.levels[root]!;
    const neighbors: Uint8Array[] = nbs.slice(0, mid).map((n) => n.slice());
    const upper: Uint8Array[] = [];
    const nlo = Number(newPos & 0xffffffffn);
    const nhi = Number((newPos >> 32n) & 0xffffffffn);
    let n = root;
    let k = level;
    while (a.lefts[n] !== NONE) {
      k--;
      const right = bitAt(nlo, nhi, k) === 1;
      upper.push(a.hashOf(right ? a.lefts[n]! : a.rights[n]!));
      n = right ? a.rights[n]! : a.lefts[n]!;
    }
    for (let i = upper.length - 1; i >= 0; i--) neighbors.push(upper[i]!);
    return new MerklePath(newPos, neighbors);
  }
}
