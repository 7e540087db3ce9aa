/**
 * Quorum-set utilities: sanity rules, normalization, slices, v-blocking sets, transitive quorums,
 * closest v-blocking set and nomination weights.
 * Spec: draft-mazieres-dinrg-scp §"Quorum slices"; rules as in stellar-core QuorumSetUtils / LocalNode.
 */
import { compareBytes } from "../../src/util/bytes.js";
import { ScpCode, ScpError } from "./errors.js";
import { MAX_QSET_DEPTH, MAX_QSET_NODES, type NodeId, nodeKey, type QuorumSet } from "./types.js";

/** Largest nomination weight (the local node's weight; 2^64 − 1). */
export const MAX_WEIGHT = (1n << 64n) - 1n;

/** A quorum set with its validators as map keys (cached per object). */
interface Compiled {
  readonly threshold: number;
  readonly keys: readonly string[];
  readonly inner: readonly Compiled[];
}

const compiledCache = new WeakMap<QuorumSet, Compiled>();

function compile(q: QuorumSet): Compiled {
  let c = compiledCache.get(q);
  if (!c) {
    c = { threshold: q.threshold, keys: q.validators.map(nodeKey), inner: q.innerSets.map(compile) };
    compiledCache.set(q, c);
  }
  return c;
}

/** The singleton quorum set {t: 1, [id]} (what an EXTERNALIZE statement vouches with). */
export function singletonQuorumSet(id: NodeId): QuorumSet {
  return { threshold: 1, validators: [id], innerSets: [] };
}

/**
 * Checks the sanity rules; returns `null` if `q` is sane, else the reason. Rules: nesting depth ≤ 4,
 * 1 ≤ threshold ≤ #entries at every level, no validator twice anywhere, 1..1000 validators in total.
 * With `extraChecks` (local configuration) every threshold must also exceed the v-blocking size
 * (threshold ≥ #entries − threshold + 1, i.e. a majority).
 */
export function quorumSetInsanity(q: QuorumSet, extraChecks = false): string | null {
  const seen = new Set<string>();
  let count = 0;
  const check = (s: QuorumSet, depth: number): string | null => {
    if (depth > MAX_QSET_DEPTH) return "nesting too deep";
    if (!Number.isInteger(s.threshold) || s.threshold < 1) return "threshold must be at least 1";
    const entries = s.validators.length + s.innerSets.length;
    count += s.validators.length;
    if (s.threshold > entries) return "threshold exceeds the number of entries";
    if (extraChecks && s.threshold < entries - s.threshold + 1) return "threshold below a majority";
    for (const v of s.validators) {
      const k = nodeKey(v);
      if (seen.has(k)) return "duplicate validator";
      seen.add(k);
    }
    for (const inner of s.innerSets) {
      const r = check(inner, depth + 1);
      if (r) return r;
    }
    return null;
  };
  const r = check(q, 0);
  if (r) return r;
  if (count < 1 || count > MAX_QSET_NODES) return "total number of validators must be within 1 and 1000";
  return null;
}

const saneCache = new WeakMap<QuorumSet, boolean>();

/** True if `q` passes the sanity rules (see `quorumSetInsanity`; cached per object without extra checks). */
export function isQuorumSetSane(q: QuorumSet, extraChecks = false): boolean {
  if (extraChecks) return quorumSetInsanity(q, true) === null;
  let r = saneCache.get(q);
  if (r === undefined) {
    r = quorumSetInsanity(q, false) === null;
    saneCache.set(q, r);
  }
  return r;
}

/** Throws SCP_QSET_INSANE (with the reason) unless `q` is sane. */
export function assertQuorumSetSane(q: QuorumSet, extraChecks = false, what = "quorum set"): void {
  const reason = quorumSetInsanity(q, extraChecks);
  if (reason) throw new ScpError(ScpCode.QSET_INSANE, { what, reason });
}

/** Total order on quorum sets: validators (lexicographic), then inner sets, then threshold. */
export function compareQuorumSets(a: QuorumSet, b: QuorumSet): number {
  const n = Math.min(a.validators.length, b.validators.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a.validators[i]!, b.validators[i]!);
    if (c !== 0) return c;
  }
  if (a.validators.length !== b.validators.length) return a.validators.length - b.validators.length;
  const m = Math.min(a.innerSets.length, b.innerSets.length);
  for (let i = 0; i < m; i++) {
    const c = compareQuorumSets(a.innerSets[i]!, b.innerSets[i]!);
    if (c !== 0) return c;
  }
  if (a.innerSets.length !== b.innerSets.length) return a.innerSets.length - b.innerSets.length;
  return a.threshold - b.threshold;
}

interface MutableQSet {
  threshold: number;
  validators: NodeId[];
  innerSets: MutableQSet[];
}

function clone(q: QuorumSet): MutableQSet {
  return { threshold: q.threshold, validators: [...q.validators], innerSets: q.innerSets.map(clone) };
}

function simplify(q: MutableQSet, removeKey: string | null): MutableQSet {
  if (removeKey !== null) {
    const before = q.validators.length;
    q.validators = q.validators.filter((v) => nodeKey(v) !== removeKey);
    q.threshold -= before - q.validators.length;
  }
  const kept: MutableQSet[] = [];
  for (const inner0 of q.innerSets) {
    const inner = simplify(inner0, removeKey);
    // a singleton inner set {t:1, [x]} is the same as listing x directly
    if (inner.threshold === 1 && inner.validators.length === 1 && inner.innerSets.length === 0)
      q.validators.push(inner.validators[0]!);
    else kept.push(inner);
  }
  q.innerSets = kept;
  // {t:1, innerSets:[X]} is X
  if (q.threshold === 1 && q.validators.length === 0 && q.innerSets.length === 1) return q.innerSets[0]!;
  return q;
}

function reorder(q: MutableQSet): void {
  q.validators.sort(compareBytes);
  for (const inner of q.innerSets) reorder(inner);
  q.innerSets.sort(compareQuorumSets);
}

/**
 * Normalized copy of `q`: optionally without node `remove` (each removal lowers that level's threshold),
 * singleton inner sets folded into their parent, `{t:1, [X]}` wrappers collapsed, validators and inner
 * sets sorted canonically.
 */
export function normalizeQuorumSet(q: QuorumSet, remove?: NodeId): QuorumSet {
  const out = simplify(clone(q), remove ? nodeKey(remove) : null);
  reorder(out);
  return out;
}

/** Calls `f` on every validator key at every level. */
export function forAllNodes(q: QuorumSet, f: (id: NodeId) => void): void {
  for (const v of q.validators) f(v);
  for (const inner of q.innerSets) forAllNodes(inner, f);
}

/** All validators of `q` (every level), in order of appearance, without duplicates. */
export function allNodes(q: QuorumSet): NodeId[] {
  const out: NodeId[] = [];
  const seen = new Set<string>();
  forAllNodes(q, (id) => {
    const k = nodeKey(id);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(id);
    }
  });
  return out;
}

function sliceC(c: Compiled, nodes: ReadonlySet<string>): boolean {
  let left = c.threshold;
  if (left <= 0) return true;
  for (const k of c.keys) if (nodes.has(k) && --left <= 0) return true;
  for (const inner of c.inner) if (sliceC(inner, nodes) && --left <= 0) return true;
  return false;
}

function vBlockingC(c: Compiled, nodes: ReadonlySet<string>): boolean {
  // a set with threshold 0 has no v-blocking set
  if (c.threshold === 0) return false;
  let left = 1 + c.keys.length + c.inner.length - c.threshold;
  if (left <= 0) return true;
  for (const k of c.keys) if (nodes.has(k) && --left <= 0) return true;
  for (const inner of c.inner) if (vBlockingC(inner, nodes) && --left <= 0) return true;
  return false;
}

/** True if `nodes` (keys) contains a slice of `q`. */
export function isQuorumSlice(q: QuorumSet, nodes: ReadonlySet<string>): boolean {
  return sliceC(compile(q), nodes);
}

/** True if `nodes` (keys) intersects every slice of `q`. */
export function isVBlocking(q: QuorumSet, nodes: ReadonlySet<string>): boolean {
  return vBlockingC(compile(q), nodes);
}

/**
 * Transitive quorum test: starting from `members` (each with the quorum set it declared), repeatedly
 * drop members whose own quorum set is not satisfied by the remaining ones; then `local` must be
 * satisfied by the survivors.
 */
export function isQuorum(local: QuorumSet, members: ReadonlyMap<string, QuorumSet>): boolean {
  const nodes = new Set(members.keys());
  for (;;) {
    let removed = false;
    for (const k of [...nodes]) {
      const q = members.get(k)!;
      if (!isQuorumSlice(q, nodes)) {
        nodes.delete(k);
        removed = true;
      }
    }
    if (!removed) break;
  }
  return isQuorumSlice(local, nodes);
}

/**
 * A smallest-effort list of nodes (keys) whose failure would leave `q` blocked, given that `good`
 * nodes are healthy ("how many more failures before the local node is v-blocked"). An empty list means
 * `q` is already blocked by the nodes outside `good`.
 */
export function findClosestVBlocking(q: QuorumSet, good: ReadonlySet<string>, excluded?: string): string[] {
  let left = 1 + q.validators.length + q.innerSets.length - q.threshold;
  const res: string[] = [];
  for (const k of q.validators.map(nodeKey)) {
    if (excluded !== undefined && k === excluded) continue;
    if (!good.has(k)) {
      if (--left === 0) return [];
    } else res.push(k);
  }
  const internals: string[][] = [];
  for (const inner of q.innerSets) {
    const v = findClosestVBlocking(inner, good, excluded);
    if (v.length === 0) {
      if (--left === 0) return [];
    } else internals.push(v);
  }
  if (res.length > left) res.length = left;
  left -= res.length;
  // stable sort by size: smaller inner sets first
  internals.sort((a, b) => a.length - b.length);
  for (const v of internals) {
    if (left === 0) break;
    res.push(...v);
    left--;
  }
  return res;
}

/** ⌈m · threshold / total⌉ in 64-bit arithmetic. */
function scaleWeight(m: bigint, total: number, threshold: number): bigint {
  const num = m * BigInt(threshold);
  const d = BigInt(total);
  return (num + d - 1n) / d;
}

/**
 * Nomination weight of `id` in `q`, in [0, 2^64 − 1]: the fraction of slices containing it (first
 * occurrence wins), i.e. threshold/entries at each level along the path. The local node weighs the maximum.
 */
export function nodeWeight(id: NodeId, q: QuorumSet, isLocal: boolean): bigint {
  if (isLocal) return MAX_WEIGHT;
  return weightOf(nodeKey(id), compile(q));
}

function weightOf(key: string, c: Compiled): bigint {
  const total = c.keys.length + c.inner.length;
  if (c.keys.includes(key)) return scaleWeight(MAX_WEIGHT, total, c.threshold);
  for (const inner of c.inner) {
    const w = weightOf(key, inner);
    if (w > 0n) return scaleWeight(w, total, c.threshold);
  }
  return 0n;
}
