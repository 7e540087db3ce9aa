import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import vectors from "./fixtures/merkle.json" with { type: "json" };
import { bytesItem, MerkleHasher, MerklePath, merkleRoot } from "./merkle.js";

const LABEL = "refkit.merkle";

describe("transcript merkle tree", () => {
  for (const v of vectors.vectors) {
    it(`reproduces the root of ${v.n} items`, () => {
      const items = v.items_hex.map((h) => bytesItem(fromHex(h)));
      expect(toHex(merkleRoot(LABEL, items))).toBe(v.root);
    });
  }

  it("a different label or item order changes the root (must-fail twin)", () => {
    const v = vectors.vectors.find((x) => x.n === 3)!;
    const items = v.items_hex.map((h) => bytesItem(fromHex(h)));
    expect(toHex(merkleRoot("refkit.merklE", items))).not.toBe(v.root);
    expect(toHex(merkleRoot(LABEL, [items[1]!, items[0]!, items[2]!]))).not.toBe(v.root);
  });

  it("paths prove every item of every vector tree and reject other items", () => {
    const h = new MerkleHasher(LABEL);
    for (const v of vectors.vectors) {
      const items = v.items_hex.map((x) => bytesItem(fromHex(x)));
      const root = fromHex(v.root);
      for (let i = 0; i < items.length; i++) {
        const path = MerklePath.build(h, items, i);
        expect(path.verify(h, items[i]!, root)).toBe(true);
        expect(path.verify(h, bytesItem(fromHex("ff00ff")), root)).toBe(false);
      }
    }
  });

  it("paths encode and decode; the decoder checks caps and lengths", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(), (n, k) => {
        const h = new MerkleHasher(LABEL);
        const items = Array.from({ length: n }, (_, i) => bytesItem(Uint8Array.of(i)));
        const idx = k % n;
        const path = MerklePath.build(h, items, idx);
        const w = new Writer();
        path.encode(w);
        const r = new Reader(w.toBytes());
        const back = MerklePath.decode(r);
        r.end();
        expect(back.position).toBe(path.position);
        expect(back.verify(h, items[idx]!, merkleRoot(LABEL, items))).toBe(true);
      }),
      { seed: 42, numRuns: 40 },
    );
    const tooDeep = new Writer().writeU64(0n).writeU32(65).toBytes();
    expect(() => MerklePath.decode(new Reader(tooDeep))).toThrowError(
      expect.objectContaining({ code: DecodeCode.LENGTH_TOO_LARGE }),
    );
    const truncated = new Writer().writeU64(0n).writeU32(2).write32(new Uint8Array(32)).toBytes();
    let err: unknown;
    try {
      MerklePath.decode(new Reader(truncated));
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, DecodeCode.UNEXPECTED_END)).toBe(true);
  });
});
