import { sha256 } from "@noble/hashes/sha2.js";
import { sha3_512 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { randomBytes, seededRng } from "../util/rng.js";
import { CryptoCode } from "./errors.js";
import vectors from "./fixtures/generators.json" with { type: "json" };
import {
  BP_GENS_TABLE_CAPACITY,
  BP_GENS_TABLE_SHA256,
  BulletproofGens,
  decodeGeneratorTable,
  deriveGeneratorChain,
  deriveGeneratorsAt,
  encodeGeneratorTable,
  generatorTableBytes,
  pedersenCommit,
  pedersenGens,
} from "./generators.js";
import { decodePoint, mulSecret, type Point } from "./ristretto.js";

/** The error `f` throws (undefined if none). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

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

describe("embedded Bulletproofs generator table", () => {
  const n = BP_GENS_TABLE_CAPACITY;
  const gens = BulletproofGens.withCapacity(n);
  // First 32, last 32 and 64 seeded-random indices in between.
  const rng = seededRng("generators.test/table-sample");
  const random: number[] = [];
  const draws = randomBytes(rng, 2 * 64);
  for (let k = 0; k < 64; k++) random.push(32 + (((draws[2 * k]! << 8) | draws[2 * k + 1]!) % (n - 64)));
  const sample = [
    ...Array.from({ length: 32 }, (_, i) => i),
    ...random,
    ...Array.from({ length: 32 }, (_, i) => n - 32 + i),
  ];

  it("has the expected size and a capacity-1024 set comes from it", () => {
    expect(n).toBe(1024);
    expect(random.length).toBe(64);
    expect(gens.G.points.length).toBe(n);
    expect(gens.H.points.length).toBe(n);
    expect(generatorTableBytes().length).toBe(2 * n * 64);
  });

  for (const kind of ["G", "H"] as const) {
    it(`${kind}: table points equal deriveGeneratorChain (first 32, last 32, 64 random)`, () => {
      const points = kind === "G" ? gens.G.points : gens.H.points;
      const derived = deriveGeneratorsAt(kind, 0, sample);
      // deriveGeneratorsAt reads the same stream as deriveGeneratorChain.
      const prefix = deriveGeneratorChain(kind, 0, 32);
      for (let i = 0; i < 32; i++) expect(derived[i]!.equals(prefix[i]!)).toBe(true);
      sample.forEach((idx, k) => {
        expect(toHex(points[idx]!.toBytes()), `${kind}[${idx}]`).toBe(toHex(derived[k]!.toBytes()));
      });
    });
  }

  it("every table point is on the curve; sampled encodings decode back to equal points", () => {
    for (const p of [...gens.G.points, ...gens.H.points]) expect(() => p.assertValidity()).not.toThrow();
    for (const i of sample)
      for (const p of [gens.G.points[i]!, gens.H.points[i]!])
        expect(decodePoint(p.toBytes()).equals(p)).toBe(true);
  });

  it("the table re-encodes to the same bytes and hash", () => {
    const bytes = encodeGeneratorTable(gens.G.points, gens.H.points);
    expect(toHex(sha256(bytes))).toBe(BP_GENS_TABLE_SHA256);
    expect(toHex(bytes)).toBe(toHex(generatorTableBytes()));
  });

  it("a pristine copy decodes; a flipped coordinate byte is rejected (must-fail twin)", () => {
    const good = generatorTableBytes();
    const back = decodeGeneratorTable(good);
    expect(back.G[700]!.equals(gens.G.points[700]!)).toBe(true);
    expect(back.H[5]!.equals(gens.H.points[5]!)).toBe(true);

    for (const off of [700 * 64 + 5, (n + 5) * 64 + 32 + 31, good.length - 1]) {
      const bad = good.slice();
      bad[off]! ^= 0x01;
      expect(
        hasCode(
          thrown(() => decodeGeneratorTable(bad)),
          CryptoCode.GENERATORS_DATA,
        ),
        `offset ${off}`,
      ).toBe(true);
    }
    // The on-curve check catches the same corruption when the hash is bypassed.
    const bad = good.slice();
    bad[700 * 64 + 5]! ^= 0x01;
    const forced = decodeGeneratorTable(bad, toHex(sha256(bad)));
    const corrupt: Point = forced.G[700]!;
    expect(() => corrupt.assertValidity()).toThrow();
    expect(() => forced.G[699]!.assertValidity()).not.toThrow();
  });

  it("a table of the wrong length is rejected (must-fail twin)", () => {
    const good = generatorTableBytes();
    for (const bad of [
      good.subarray(0, good.length - 64),
      good.subarray(0, good.length - 1),
      new Uint8Array(0),
    ])
      expect(
        hasCode(
          thrown(() => decodeGeneratorTable(bad)),
          CryptoCode.GENERATORS_DATA,
        ),
      ).toBe(true);
    // A whole number of pairs with its own hash is accepted (the format, not the capacity, is checked here).
    const half = good.subarray(0, 2 * 64);
    expect(decodeGeneratorTable(half, toHex(sha256(half))).G.length).toBe(1);
  });

  it("capacities beyond the table extend it with the derived rest of each chain", () => {
    const big = BulletproofGens.withCapacity(n + 3);
    expect(big.G.points.length).toBe(n + 3);
    for (let i = 0; i < n; i++) expect(big.G.points[i]).toBe(gens.G.points[i]);
    const idx = [n - 1, n, n + 1, n + 2];
    for (const [kind, points] of [
      ["G", big.G.points],
      ["H", big.H.points],
    ] as const) {
      const derived = deriveGeneratorsAt(kind, 0, idx);
      idx.forEach((i, k) => {
        expect(points[i]!.equals(derived[k]!), `${kind}[${i}]`).toBe(true);
      });
    }
    // Smaller capacities still slice the same points.
    expect(BulletproofGens.withCapacity(n - 1).H.points[n - 2]).toBe(gens.H.points[n - 2]);
  });
});
