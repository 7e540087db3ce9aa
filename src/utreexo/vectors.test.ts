import { describe, expect, it } from "vitest";
import { bytesEqual, fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { UtreexoCode } from "./errors.js";
import v from "./fixtures/utreexo.json" with { type: "json" };
import { type Catchup, Forest } from "./forest.js";
import { utreexoHasher } from "./hasher.js";
import { type Proof, proofFromBytes, proofToBytes, TRANSIENT } from "./proof.js";

const h = utreexoHasher();
const leafOf = (item: number): Uint8Array => h.utxoLeaf(fromHex(v.items[item]!.contract_id, 32));

type VProof = { type: string; path?: { path_hex: string; position: number; neighbors: string[] } };

function vectorProof(p: VProof): Proof {
  if (p.type === "transient") return TRANSIENT;
  return proofFromBytes(fromHex(`01${p.path!.path_hex}`));
}

function proofHex(p: Proof): string {
  return toHex(proofToBytes(p));
}

function expectCode(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

/** Replays the vector blocks, tracking every live item's proof through each catchup. */
function replay(
  onBlock?: (i: number, forest: Forest, catchup: Catchup, proofs: Map<number, Proof>) => void,
): void {
  let forest = Forest.empty();
  const proofs = new Map<number, Proof>();
  v.blocks.forEach((block, bi) => {
    const wf = forest.workForest();
    for (const op of block.ops) {
      if (op.op === "insert") {
        wf.insert(leafOf(op.item));
        proofs.set(op.item, TRANSIENT);
      } else {
        const given = vectorProof(op.proof as VProof);
        const ours = proofs.get(op.item)!;
        expect(proofHex(ours)).toBe(proofHex(given));
        wf.delete(leafOf(op.item), given);
        proofs.delete(op.item);
        if (op.item === 2 && "double_delete_of_item_2_rejected" in block) {
          expectCode(() => wf.delete(leafOf(2), given), UtreexoCode.ALREADY_DELETED);
        }
      }
    }
    const prev = forest;
    const { forest: next, catchup } = wf.normalize();
    forest = next;
    for (const [item, p] of proofs) proofs.set(item, catchup.update(leafOf(item), p));
    onBlock?.(bi, forest, catchup, proofs);
    void prev;
  });
}

describe("utreexo vectors (Rust reference)", () => {
  it("reproduces every leaf hash and the empty root", () => {
    for (const it of v.items) expect(toHex(leafOf(it.item))).toBe(it.leaf_hash);
    expect(toHex(Forest.empty().root())).toBe(v.empty_root);
    expect(toHex(h.utxoLeaf(new Uint8Array(32)))).not.toBe(v.items[0]!.leaf_hash);
  });

  it("reproduces roots, counts and every refreshed proof after each block", () => {
    let checked = 0;
    replay((bi, forest, _catchup, proofs) => {
      const block = v.blocks[bi]!;
      expect(forest.count).toBe(BigInt(block.forest.count));
      expect(forest.roots().map((r) => ({ level: r.level, root: toHex(r.hash) }))).toEqual(
        [...block.forest.perfect_roots].sort((a, b) => b.level - a.level),
      );
      expect(toHex(forest.root())).toBe(block.forest.root);
      expect([...proofs.keys()].sort((a, b) => a - b)).toEqual(block.proofs_after.map((p) => p.item));
      for (const pa of block.proofs_after) {
        const ours = proofs.get(pa.item)!;
        const want = vectorProof(pa.proof as VProof);
        expect(proofHex(ours)).toBe(proofHex(want));
        expect(ours.kind).toBe("committed");
        if (ours.kind === "committed") {
          expect(ours.path.position).toBe(BigInt(pa.proof.path!.position));
          expect(ours.path.neighbors.map(toHex)).toEqual(pa.proof.path!.neighbors);
          expect(forest.verify(leafOf(pa.item), ours.path)).toBe(true);
        }
        checked++;
      }
    });
    expect(checked).toBe(21);
  });

  it("a block-1 proof of item 6 no longer verifies against the block-2 forest", () => {
    const b1 = v.blocks[0]!.proofs_after.find((p) => p.item === 6)!;
    const old = vectorProof(b1.proof as VProof);
    let forest2: Forest | undefined;
    replay((bi, forest) => {
      if (bi === 1) forest2 = forest;
    });
    expect(v.blocks[1]!.old_block1_proof_of_item_6_still_verifies_against_block2_forest).toBe(false);
    expect(old.kind === "committed" && forest2!.verify(leafOf(6), old.path)).toBe(false);
  });

  it("every vector proof is rejected for another item or with a flipped neighbour (must-fail twins)", () => {
    let forest = Forest.empty();
    replay((bi, f) => {
      if (bi === 2) forest = f;
    });
    const block = v.blocks[2]!;
    for (const pa of block.proofs_after) {
      const p = vectorProof(pa.proof as VProof);
      if (p.kind !== "committed") continue;
      const other = block.proofs_after.find((q) => q.item !== pa.item)!.item;
      expect(forest.verify(leafOf(other), p.path)).toBe(false);
      expectCode(() => forest.workForest().delete(leafOf(other), p), UtreexoCode.INVALID_PROOF);
      if (p.path.neighbors.length > 0) {
        const bad = p.path.neighbors.map((n) => n.slice());
        bad[0]![5]! ^= 1;
        const tampered = proofFromBytes(
          fromHex(`01${toHex(proofToBytes(p)).slice(2, 26)}${bad.map(toHex).join("")}`),
        );
        expect(tampered.kind === "committed" && forest.verify(leafOf(pa.item), tampered.path)).toBe(false);
        expectCode(() => forest.workForest().delete(leafOf(pa.item), tampered), UtreexoCode.INVALID_PROOF);
      }
      // The untampered proof deletes the item.
      const wf = forest.workForest();
      wf.delete(leafOf(pa.item), p);
      expect(bytesEqual(wf.normalize().forest.root(), forest.root())).toBe(false);
    }
  });
});
