/**
 * Property tests of the accumulator against a naive model: the model keeps the set of live items
 * and their proofs; after every block the forest must equal the RFC 6962 root of the live items in
 * the order given by their refreshed proofs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MerkleHasher, MerklePath } from "../crypto/merkle.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { UtreexoCode } from "./errors.js";
import { type Catchup, Forest, type WorkForest } from "./forest.js";
import { UTREEXO_LABEL, utreexoHasher } from "./hasher.js";
import { committed, type Proof, proofToBytes, TRANSIENT } from "./proof.js";

const h = utreexoHasher();
const naive = new MerkleHasher(UTREEXO_LABEL);
const leafCache = new Map<number, Uint8Array>();
function leaf(i: number): Uint8Array {
  let l = leafCache.get(i);
  if (l === undefined) {
    const id = new Uint8Array(32);
    new DataView(id.buffer).setUint32(0, i, true);
    l = h.utxoLeaf(id);
    leafCache.set(i, l);
  }
  return l;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return undefined;
}

const proofHex = (p: Proof): string => toHex(proofToBytes(p));

const OPS = ["ins", "ins", "ins", "ins", "del", "tdel", "double", "tamper", "failbatch"] as const;
type Op = { op: (typeof OPS)[number]; pick: number };
const blockArb = fc.array(fc.record({ op: fc.constantFrom(...OPS), pick: fc.nat() }), { maxLength: 20 });

/** Checks the forest against the model; returns proofs sorted by position. */
function checkForest(forest: Forest, live: Map<number, Proof>): void {
  expect(forest.count).toBe(BigInt(live.size));
  const roots = forest.roots();
  expect(roots.length).toBe(
    live.size
      .toString(2)
      .split("")
      .filter((c) => c === "1").length,
  );
  const byPos: number[] = new Array(live.size);
  for (const [item, p] of live) {
    expect(p.kind).toBe("committed");
    if (p.kind !== "committed") continue;
    expect(forest.verify(leaf(item), p.path)).toBe(true);
    const pos = Number(p.path.position);
    expect(byPos[pos]).toBeUndefined();
    byPos[pos] = item;
  }
  expect(toHex(forest.root())).toBe(toHex(naive.rootOfLeaves(byPos.map(leaf))));
}

function runBlocks(blocks: Op[][]): void {
  let forest = Forest.empty();
  const live = new Map<number, Proof>();
  let next = 0;
  /** Proofs as they were two and one generations ago. */
  let older = new Map<number, Proof>();
  let old = new Map<number, Proof>();
  for (const ops of blocks) {
    const wf = forest.workForest();
    const fresh: number[] = []; // inserted this block, still live
    const gone: { item: number; proof: Proof }[] = [];
    const committedLive = () => [...live.entries()].filter(([, p]) => p.kind === "committed");
    const spend = (w: WorkForest, item: number, proof: Proof) => {
      w.delete(leaf(item), proof);
      live.delete(item);
      const fi = fresh.indexOf(item);
      if (fi >= 0) fresh.splice(fi, 1);
      gone.push({ item, proof });
    };
    for (const { op, pick } of ops) {
      if (op === "ins") {
        const id = next++;
        wf.insert(leaf(id));
        live.set(id, TRANSIENT);
        fresh.push(id);
      } else if (op === "del") {
        const c = committedLive();
        if (c.length === 0) continue;
        const [item, proof] = c[pick % c.length]!;
        spend(wf, item, proof);
      } else if (op === "tdel") {
        if (fresh.length === 0) continue;
        spend(wf, fresh[pick % fresh.length]!, TRANSIENT);
      } else if (op === "double") {
        if (gone.length === 0) continue;
        const { item, proof } = gone[pick % gone.length]!;
        const want = proof.kind === "committed" ? UtreexoCode.ALREADY_DELETED : UtreexoCode.ITEM_NOT_FOUND;
        expect(codeOf(() => wf.delete(leaf(item), proof))).toBe(want);
      } else if (op === "tamper") {
        const c = committedLive();
        if (c.length === 0) continue;
        const [item, proof] = c[pick % c.length]!;
        if (proof.kind !== "committed") continue;
        const nbs = proof.path.neighbors.map((n) => n.slice());
        let bad: Proof;
        if (nbs.length > 0) {
          nbs[pick % nbs.length]![pick % 32]! ^= 1 << (pick % 8);
          bad = committed(new MerklePath(proof.path.position, nbs));
        } else {
          bad = committed(new MerklePath(proof.path.position + 1n, nbs));
        }
        expect(codeOf(() => wf.delete(leaf(item), bad))).toBe(UtreexoCode.INVALID_PROOF);
        if (bad.kind === "committed") expect(forest.verify(leaf(item), bad.path)).toBe(false);
      } else {
        // A transaction that inserts, spends, then fails: the model does not change.
        const c = committedLive();
        const snapshotLive = new Map(live);
        const snapshotFresh = [...fresh];
        const snapshotGone = [...gone];
        const code = codeOf(() =>
          wf.batch(() => {
            wf.insert(leaf(1_000_000 + pick));
            if (c.length > 0) {
              const [item, proof] = c[pick % c.length]!;
              spend(wf, item, proof);
              wf.delete(leaf(item), proof);
            } else {
              wf.delete(leaf(1_000_000 + pick), TRANSIENT);
              wf.delete(leaf(1_000_000 + pick), TRANSIENT);
            }
          }),
        );
        expect([UtreexoCode.ALREADY_DELETED, UtreexoCode.ITEM_NOT_FOUND]).toContain(code);
        live.clear();
        for (const [k, v] of snapshotLive) live.set(k, v);
        fresh.splice(0, fresh.length, ...snapshotFresh);
        gone.splice(0, gone.length, ...snapshotGone);
      }
    }
    const { forest: nextForest, catchup } = wf.normalize();
    // Deleted items cannot be refreshed; transient ones that were spent stay transient.
    for (const { item, proof } of gone) {
      if (proof.kind === "committed")
        expect(codeOf(() => catchup.update(leaf(item), proof))).toBe(UtreexoCode.OUTDATED_PROOF);
      else expect(catchup.update(leaf(item), proof)).toBe(TRANSIENT);
    }
    for (const [item, p] of live) live.set(item, catchup.update(leaf(item), p));
    forest = nextForest;
    checkForest(forest, live);
    checkStale(forest, catchup, older, live);
    older = old;
    old = new Map(live);
  }
}

/**
 * A proof two generations old is either rejected (OUTDATED_PROOF by the catchup, INVALID_PROOF by
 * the forest) or, if its tree did not move, identical to the fresh one.
 */
function checkStale(
  forest: Forest,
  catchup: Catchup,
  older: Map<number, Proof>,
  live: Map<number, Proof>,
): void {
  for (const [item, p] of older) {
    const fresh = live.get(item);
    if (fresh === undefined || p.kind !== "committed") continue;
    const same = proofHex(p) === proofHex(fresh);
    expect(forest.verify(leaf(item), p.path)).toBe(same);
    const code = codeOf(() => forest.workForest().delete(leaf(item), p));
    expect(code).toBe(same ? undefined : UtreexoCode.INVALID_PROOF);
    let updated: Proof | undefined;
    const ucode = codeOf(() => {
      updated = catchup.update(leaf(item), p);
    });
    if (ucode === undefined) expect(proofHex(updated!)).toBe(proofHex(fresh));
    else expect(ucode).toBe(UtreexoCode.OUTDATED_PROOF);
  }
}

describe("utreexo against a naive model", () => {
  it("random inserts/deletes over many blocks keep every refreshed proof valid and the root exact", () => {
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 10 }), (blocks) => runBlocks(blocks)),
      { seed: 42, numRuns: 60 },
    );
  });

  it("a long run over 60 blocks with a growing set", () => {
    const blocks: Op[][] = [];
    for (let b = 0; b < 60; b++) {
      const ops: Op[] = [];
      for (let i = 0; i < 16; i++)
        ops.push({ op: OPS[(b * 7 + i * 3) % OPS.length]!, pick: b * 31 + i * 17 });
      blocks.push(ops);
    }
    runBlocks(blocks);
  });

  it("the order of deletions within a block does not change the result; the order of inserts does", () => {
    const wf0 = Forest.empty().workForest();
    for (let i = 0; i < 23; i++) wf0.insert(leaf(i));
    const { forest, catchup } = wf0.normalize();
    const proofs = Array.from({ length: 23 }, (_, i) => catchup.update(leaf(i), TRANSIENT));
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 3, 4, 9, 10, 17, 22], { minLength: 2 }), (dels) => {
        const a = forest.workForest();
        const b = forest.workForest();
        for (const i of dels) a.delete(leaf(i), proofs[i]!);
        for (const i of [...dels].reverse()) b.delete(leaf(i), proofs[i]!);
        expect(bytesEqual(a.normalize().forest.root(), b.normalize().forest.root())).toBe(true);
      }),
      { seed: 42, numRuns: 30 },
    );
    const a = forest.workForest();
    const b = forest.workForest();
    a.insert(leaf(100));
    a.insert(leaf(101));
    b.insert(leaf(101));
    b.insert(leaf(100));
    expect(bytesEqual(a.normalize().forest.root(), b.normalize().forest.root())).toBe(false);
  });

  it("chains of transient spends depend on order: spending before inserting fails", () => {
    const wf = Forest.empty().workForest();
    expect(codeOf(() => wf.delete(leaf(1), TRANSIENT))).toBe(UtreexoCode.ITEM_NOT_FOUND);
    wf.insert(leaf(1));
    wf.delete(leaf(1), TRANSIENT);
    expect(wf.normalize().forest.count).toBe(0n);
  });
});
