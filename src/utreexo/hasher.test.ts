import { keccakP } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keccakF1600 } from "../crypto/keccak.js";
import { MerkleHasher } from "../crypto/merkle.js";
import { toHex } from "../util/bytes.js";
import { UTREEXO_LABEL, UtreexoHasher, utreexoHasher, utxoItem } from "./hasher.js";

const h = utreexoHasher();
const ref = new MerkleHasher(UTREEXO_LABEL);
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("keccak-f[1600]", () => {
  it("equals @noble/hashes keccakP on random states", () => {
    fc.assert(
      fc.property(fc.uint32Array({ minLength: 50, maxLength: 50 }), (words) => {
        const a = Uint32Array.from(words);
        const b = Uint32Array.from(words);
        keccakP(a);
        keccakF1600(b);
        expect(toHex(new Uint8Array(b.buffer))).toBe(toHex(new Uint8Array(a.buffer)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("a one-bit change of the input changes the output (must-fail twin)", () => {
    const a = new Uint32Array(50);
    const b = new Uint32Array(50);
    b[49] = 1;
    keccakF1600(a);
    keccakF1600(b);
    expect(toHex(new Uint8Array(a.buffer))).not.toBe(toHex(new Uint8Array(b.buffer)));
  });
});

describe("utreexo hasher", () => {
  it("node, utxo leaf and empty equal the generic transcript merkle hasher", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (l, r) => {
        expect(toHex(h.node(l, r))).toBe(toHex(ref.node(l, r)));
        expect(toHex(h.utxoLeaf(l))).toBe(toHex(ref.leaf(utxoItem(l))));
        expect(toHex(h.leaf(utxoItem(r)))).toBe(toHex(ref.leaf(utxoItem(r))));
      }),
      { seed: 42, numRuns: 100 },
    );
    expect(toHex(h.empty())).toBe("0dffe110bc13836c00568fd4c38c2274f8e7c37f4f6eca6e5ec5ade6a5380b59");
    expect(toHex(new UtreexoHasher().empty())).toBe(toHex(ref.empty()));
  });

  it("nodeInto works on slabs at offsets and when the output aliases an input", () => {
    const l = new Uint8Array(32).fill(7);
    const r = new Uint8Array(32).fill(9);
    const slab = new Uint8Array(128);
    slab.set(l, 32);
    slab.set(r, 96);
    h.nodeInto(slab, 32, slab, 32, slab, 96);
    expect(toHex(slab.subarray(32, 64))).toBe(toHex(ref.node(l, r)));
  });

  it("order and label matter (must-fail twins)", () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(toHex(h.node(a, b))).not.toBe(toHex(h.node(b, a)));
    expect(toHex(h.node(a, b))).not.toBe(toHex(new MerkleHasher("ZkVM.txroot").node(a, b)));
    expect(() => h.node(a, new Uint8Array(31))).toThrow(RangeError);
    expect(() => h.utxoLeaf([] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
