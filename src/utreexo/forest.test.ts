import { describe, expect, it } from "vitest";
import { MerkleHasher, MerklePath } from "../crypto/merkle.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { UtreexoCode } from "./errors.js";
import { Forest, type WorkForest } from "./forest.js";
import { UTREEXO_LABEL, utreexoHasher } from "./hasher.js";
import { committed, type Proof, proofEncodedSize, proofFromBytes, proofToBytes, TRANSIENT } from "./proof.js";

const h = utreexoHasher();
const naive = new MerkleHasher(UTREEXO_LABEL);
/** The reference tests' item: append_u64("test_item", i). */
const leaf = (i: number): Uint8Array => h.leaf({ commit: (t) => t.appendU64("test_item", BigInt(i)) });
const rootOf = (items: readonly number[]): string => toHex(naive.rootOfLeaves(items.map(leaf)));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** A snapshot of everything observable about a work forest: its normalized root and tree count. */
function snapshot(wf: WorkForest): string {
  return `${toHex(wf.normalize().forest.root())}/${wf.treeCount}/${wf.nodeCount}`;
}

/** Forest over items 0..n-1 and their committed proofs. */
function build(n: number): { forest: Forest; proofs: Proof[] } {
  const wf = Forest.empty().workForest();
  for (let i = 0; i < n; i++) wf.insert(leaf(i));
  const { forest, catchup } = wf.normalize();
  return { forest, proofs: Array.from({ length: n }, (_, i) => catchup.update(leaf(i), TRANSIENT)) };
}

function update(forest: Forest, fn: (wf: WorkForest) => void): ReturnType<WorkForest["normalize"]> {
  const wf = forest.workForest();
  fn(wf);
  return wf.normalize();
}

describe("forest basics", () => {
  it("the empty forest has the empty root and no items", () => {
    const f = Forest.empty();
    expect(bytesEqual(f.root(), naive.empty())).toBe(true);
    expect(f.count).toBe(0n);
    expect(f.roots()).toEqual([]);
  });

  it("six inserted items give the merkle root of items 0..5; catchup commits all six", () => {
    const { forest, proofs } = build(6);
    expect(toHex(forest.root())).toBe(rootOf([0, 1, 2, 3, 4, 5]));
    expect(toHex(forest.root())).toBe("51a89a677c61cb71a2a350810fb0818e65d6f3c3706ce5a7a5ebea7c0d172c5e");
    expect(forest.count).toBe(6n);
    expect(forest.roots().map((r) => r.level)).toEqual([2, 1]);
    proofs.forEach((p, i) => {
      expect(p.kind).toBe("committed");
      if (p.kind === "committed") {
        expect(p.path.position).toBe(BigInt(i));
        expect(forest.verify(leaf(i), p.path)).toBe(true);
        expect(forest.verify(leaf(i + 1), p.path)).toBe(false);
      }
    });
    const wf = forest.workForest();
    wf.batch(() => {
      for (const [i, p] of proofs.entries()) wf.delete(leaf(i), p);
    });
    expect(toHex(wf.normalize().forest.root())).toBe(toHex(naive.empty()));
  });

  it("transient insert then delete; a second delete of either fails", () => {
    const wf = Forest.empty().workForest();
    wf.insert(leaf(0));
    wf.insert(leaf(1));
    wf.delete(leaf(1), TRANSIENT);
    wf.delete(leaf(0), TRANSIENT);
    expect(codeOf(() => wf.delete(leaf(1), TRANSIENT))).toBe(UtreexoCode.ITEM_NOT_FOUND);
    expect(codeOf(() => wf.delete(leaf(0), TRANSIENT))).toBe(UtreexoCode.ITEM_NOT_FOUND);
    const { forest, catchup } = wf.normalize();
    expect(forest.count).toBe(0n);
    expect(catchup.update(leaf(0), TRANSIENT)).toBe(TRANSIENT);
  });

  it("reproduces the reference's orders after deletions", () => {
    const { forest, proofs } = build(6);
    const del =
      (...items: number[]) =>
      (wf: WorkForest) => {
        for (const i of items) wf.delete(leaf(i), proofs[i]!);
      };
    const cases: [number[], number[]][] = [
      [[0], [2, 3, 4, 5, 1]],
      [[1], [2, 3, 4, 5, 0]],
      [[2], [0, 1, 4, 5, 3]],
      [[5], [0, 1, 2, 3, 4]],
      [
        [2, 3],
        [0, 1, 4, 5],
      ],
      [
        [3, 2],
        [0, 1, 4, 5],
      ],
      [
        [0, 3],
        [1, 2, 4, 5],
      ],
    ];
    for (const [deleted, order] of cases)
      expect(toHex(update(forest, del(...deleted)).forest.root()), `delete ${deleted}`).toBe(rootOf(order));
  });

  it("delete 0 + insert 6, 7, then a second generation deleting 2 and 7", () => {
    const { forest, proofs } = build(6);
    const { forest: f2, catchup: c2 } = update(forest, (wf) => {
      wf.delete(leaf(0), proofs[0]!);
      wf.insert(leaf(6));
      wf.insert(leaf(7));
    });
    expect(toHex(f2.root())).toBe(rootOf([2, 3, 4, 5, 1, 6, 7]));
    const p7 = c2.update(leaf(7), TRANSIENT);
    const p2 = c2.update(leaf(2), proofs[2]!);
    expect(p7.kind === "committed" && p7.path.position).toBe(6n);
    expect(p2.kind === "committed" && p2.path.position).toBe(0n);
    const { forest: f3 } = update(f2, (wf) => {
      wf.delete(leaf(2), p2);
      wf.delete(leaf(7), p7);
    });
    expect(toHex(f3.root())).toBe(rootOf([4, 5, 1, 6, 3]));
    // A stale (generation-1) proof of 2 is not accepted by the generation-2 forest.
    expect(codeOf(() => f2.workForest().delete(leaf(2), proofs[2]!))).toBe(UtreexoCode.INVALID_PROOF);
  });
});

describe("double deletes and rejected proofs leave the forest unchanged", () => {
  it("committed twice, committed then transient, transient then committed", () => {
    const { forest, proofs } = build(7); // trees of 4, 2 and 1: item 6 is a level-0 root
    const wf = forest.workForest();
    wf.delete(leaf(2), proofs[2]!);
    const before = snapshot(wf);
    expect(codeOf(() => wf.delete(leaf(2), proofs[2]!))).toBe(UtreexoCode.ALREADY_DELETED);
    expect(snapshot(wf)).toBe(before);

    const a = forest.workForest();
    a.delete(leaf(6), proofs[6]!);
    expect(codeOf(() => a.delete(leaf(6), TRANSIENT))).toBe(UtreexoCode.ALREADY_DELETED);
    expect(codeOf(() => a.delete(leaf(6), proofs[6]!))).toBe(UtreexoCode.ALREADY_DELETED);

    const b = forest.workForest();
    b.delete(leaf(6), TRANSIENT); // a committed single-item tree can be spent transiently
    const bs = snapshot(b);
    expect(codeOf(() => b.delete(leaf(6), proofs[6]!))).toBe(UtreexoCode.INVALID_PROOF);
    expect(codeOf(() => b.delete(leaf(6), TRANSIENT))).toBe(UtreexoCode.ITEM_NOT_FOUND);
    expect(snapshot(b)).toBe(bs);
    expect(toHex(b.normalize().forest.root())).toBe(rootOf([0, 1, 2, 3, 4, 5]));
  });

  it("wrong length, wrong position, flipped neighbour, wrong item: INVALID_PROOF and no change", () => {
    const { forest, proofs } = build(7);
    const wf = forest.workForest();
    wf.delete(leaf(0), proofs[0]!);
    const before = snapshot(wf);
    const p = proofs[3]!;
    if (p.kind !== "committed") throw new Error("expected committed");
    const bad: Proof[] = [
      committed(new MerklePath(p.path.position, p.path.neighbors.slice(0, 1))),
      committed(new MerklePath(p.path.position ^ 1n, p.path.neighbors)),
      committed(new MerklePath(100n, p.path.neighbors)),
      committed(new MerklePath((1n << 64n) - 1n, [])),
      committed(
        new MerklePath(
          p.path.position,
          p.path.neighbors.map((n, i) => (i === 1 ? n.map((x, j) => (j === 0 ? x ^ 1 : x)) : n)),
        ),
      ),
      committed(
        new MerklePath(
          p.path.position,
          p.path.neighbors.map((n, i) => (i === 0 ? n.map((x, j) => (j === 0 ? x ^ 1 : x)) : n)),
        ),
      ),
    ];
    for (const q of bad) expect(codeOf(() => wf.delete(leaf(3), q))).toBe(UtreexoCode.INVALID_PROOF);
    expect(codeOf(() => wf.delete(leaf(4), p))).toBe(UtreexoCode.INVALID_PROOF);
    expect(snapshot(wf)).toBe(before);
    wf.delete(leaf(3), p);
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([1, 2, 4, 5, 6]));
  });

  it("as in the reference, a pending insert can also be spent by a 0-neighbour path at its position", () => {
    const { forest } = build(6); // trees of 4 and 2: the pending insert sits at position 6
    const wf = forest.workForest();
    wf.insert(leaf(9));
    expect(codeOf(() => wf.delete(leaf(8), committed(new MerklePath(6n, []))))).toBe(
      UtreexoCode.INVALID_PROOF,
    );
    wf.delete(leaf(9), committed(new MerklePath(6n, [])));
    expect(codeOf(() => wf.delete(leaf(9), TRANSIENT))).toBe(UtreexoCode.ALREADY_DELETED);
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([0, 1, 2, 3, 4, 5]));
  });

  it("argument misuse throws TypeError/RangeError naming the parameter", () => {
    const wf = Forest.empty().workForest();
    expect(() => wf.insert(new Uint8Array(31))).toThrow(RangeError);
    expect(() => wf.delete("x" as unknown as Uint8Array, TRANSIENT)).toThrow(TypeError);
    expect(() => wf.delete(leaf(0), { kind: "committed", path: {} } as unknown as Proof)).toThrow(TypeError);
    expect(() => Forest.fromRoots([{ level: 64, hash: leaf(0) }])).toThrow(RangeError);
    expect(() =>
      Forest.fromRoots([
        { level: 1, hash: leaf(0) },
        { level: 1, hash: leaf(1) },
      ]),
    ).toThrow(RangeError);
  });
});

describe("batches", () => {
  it("reference transaction_success: a batch that completes keeps its changes", () => {
    const { forest, proofs } = build(6);
    const wf = forest.workForest();
    wf.insert(leaf(6));
    wf.delete(leaf(0), proofs[0]!);
    wf.batch(() => {
      wf.insert(leaf(7));
      wf.insert(leaf(8));
      wf.delete(leaf(7), TRANSIENT);
      wf.delete(leaf(1), proofs[1]!);
    });
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([2, 3, 4, 5, 6, 8]));
  });

  it("reference transaction_fail: a batch that throws is undone, earlier changes stay", () => {
    const { forest, proofs } = build(6);
    const wf = forest.workForest();
    wf.insert(leaf(6));
    wf.delete(leaf(0), proofs[0]!);
    const before = snapshot(wf);
    expect(
      codeOf(() =>
        wf.batch(() => {
          wf.insert(leaf(7));
          wf.insert(leaf(8));
          wf.delete(leaf(7), TRANSIENT);
          wf.delete(leaf(6), TRANSIENT);
          wf.delete(leaf(1), proofs[1]!);
          wf.delete(leaf(1), proofs[1]!); // double spend inside the tx
        }),
      ),
    ).toBe(UtreexoCode.ALREADY_DELETED);
    expect(snapshot(wf)).toBe(before);
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([2, 3, 4, 5, 1, 6]));
    // The rolled-back spend of 1 can be made again.
    wf.delete(leaf(1), proofs[1]!);
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([2, 3, 4, 5, 6]));
  });

  it("nested batches: an inner failure is undone, the outer batch continues and commits", () => {
    const { forest, proofs } = build(8);
    const wf = forest.workForest();
    const result = wf.batch(() => {
      wf.delete(leaf(0), proofs[0]!);
      wf.insert(leaf(10));
      const inner = codeOf(() =>
        wf.batch(() => {
          wf.delete(leaf(1), proofs[1]!);
          wf.delete(leaf(10), TRANSIENT);
          wf.insert(leaf(11));
          wf.delete(leaf(5), proofs[4]!);
        }),
      );
      expect(inner).toBe(UtreexoCode.INVALID_PROOF);
      return 42;
    });
    expect(result).toBe(42);
    expect(toHex(wf.normalize().forest.root())).toBe(rootOf([4, 5, 6, 7, 2, 3, 1, 10]));
  });
});

describe("proof encoding", () => {
  it("transient is 0x00; committed is 0x01 ‖ LE64 position ‖ LE32 n ‖ neighbours", () => {
    expect(toHex(proofToBytes(TRANSIENT))).toBe("00");
    const path = new MerklePath(0x0102n, [leaf(1), leaf(2)]);
    const bytes = proofToBytes(committed(path));
    expect(bytes.length).toBe(13 + 64);
    expect(proofEncodedSize(committed(path))).toBe(77);
    expect(toHex(bytes)).toBe(`01020100000000000002000000${toHex(leaf(1))}${toHex(leaf(2))}`);
    const back = proofFromBytes(bytes);
    expect(back.kind === "committed" && back.path.position).toBe(0x0102n);
    expect(proofFromBytes(Uint8Array.of(0))).toBe(TRANSIENT);
  });

  it("rejects bad tags, truncation, trailing bytes and overlong paths (must-fail twins)", () => {
    const dec = (b: Uint8Array) => codeOf(() => proofFromBytes(b));
    expect(dec(Uint8Array.of(2))).toBe(DecodeCode.INVALID_TAG);
    expect(dec(new Uint8Array(0))).toBe(DecodeCode.UNEXPECTED_END);
    expect(dec(Uint8Array.of(0, 0))).toBe(DecodeCode.TRAILING_BYTES);
    expect(dec(proofToBytes(committed(new MerklePath(1n, [leaf(0)]))).subarray(0, 40))).toBe(
      DecodeCode.UNEXPECTED_END,
    );
    const w = new Writer();
    w.writeU8(1).writeU64(0n).writeU32(65);
    expect(dec(w.toBytes())).toBe(DecodeCode.LENGTH_TOO_LARGE);
  });

  it("forest storage encoding round-trips", () => {
    const { forest } = build(11);
    const w = new Writer();
    forest.encode(w);
    const bytes = w.toBytes();
    expect(bytes.length).toBe(8 + 3 * 32);
    const r = new Reader(bytes);
    const back = Forest.decode(r);
    r.end();
    expect(toHex(back.root())).toBe(toHex(forest.root()));
    expect(codeOf(() => Forest.decode(new Reader(bytes.subarray(0, 50))))).toBe(DecodeCode.UNEXPECTED_END);
    expect(hasCode(new Error("x"), "x")).toBe(false);
  });
});
