import { sha3_512 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { CryptoCode } from "./errors.js";
import vectors from "./fixtures/generators.json" with { type: "json" };
import { BulletproofGens, deriveGeneratorChain, pedersenCommit, pedersenGens } from "./generators.js";
import { mulSecret } from "./ristretto.js";

describe("Pedersen generators", () => {
  it("B is the base point and B2 = hash-to-ristretto(SHA3-512(B))", () => {
    const g = pedersenGens();
    expect(toHex(g.B.toBytes())).toBe(vectors.pedersen_gens.B);
    expect(toHex(sha3_512(g.B.toBytes()))).toBe(vectors.pedersen_gens.B_blinding_sha3_512_of_B_bytes);
    expect(toHex(g.B2.toBytes())).toBe(vectors.pedersen_gens.B_blinding);
  });

  it("commitments are additively homomorphic", () => {
    const a = pedersenCommit(5n, 11n);
    const b = pedersenCommit(7n, 13n);
    expect(a.add(b).equals(pedersenCommit(12n, 24n))).toBe(true);
    expect(a.equals(pedersenCommit(5n, 12n))).toBe(false);
    expect(pedersenCommit(0n, 0n).is0()).toBe(true);
    expect(pedersenCommit(3n, 0n).equals(mulSecret(pedersenGens().B, 3n))).toBe(true);
  });
});

describe("Bulletproofs generators", () => {
  const bp = vectors.bulletproof_gens;
  const gens = BulletproofGens.withCapacity(bp.gens_capacity);
  const cases: [string, { index: number; point: string }[], readonly { toBytes(): Uint8Array }[]][] = [
    ["G", [...bp.G_first8, ...bp.G_selected, bp.G_last], gens.G.points],
    ["H", [...bp.H_first8, ...bp.H_selected, bp.H_last], gens.H.points],
  ];
  for (const [kind, list, points] of cases) {
    it(`reproduces ${kind} generators (first 8, selected, index 1023)`, () => {
      expect(list.length).toBeGreaterThan(10);
      for (const e of list) expect(toHex(points[e.index]!.toBytes()), `${kind}[${e.index}]`).toBe(e.point);
    });
  }

  it("labels are kind || LE32(party)", () => {
    expect(bp.G_label_hex).toBe("4700000000");
    expect(bp.H_label_hex).toBe("4800000000");
    const party1 = deriveGeneratorChain("G", 1, 1)[0]!;
    expect(toHex(party1.toBytes())).not.toBe(bp.G_first8[0]!.point);
  });

  it("a smaller capacity is a prefix of a larger one", () => {
    const small = BulletproofGens.withCapacity(64);
    expect(small.G.points.length).toBe(64);
    for (let i = 0; i < 64; i++) expect(small.G.points[i]!.equals(gens.G.points[i]!)).toBe(true);
  });

  it("rejects more generators than the capacity (must-fail twin)", () => {
    const small = BulletproofGens.withCapacity(64);
    expect(() => small.checkCapacity(64)).not.toThrow();
    let err: unknown;
    try {
      small.checkCapacity(65);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CryptoCode.GENERATORS_CAPACITY)).toBe(true);
  });
});
