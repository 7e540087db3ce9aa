import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasCode } from "../util/codedError.js";
import { randomBytes, seededRng } from "../util/rng.js";
import { BatchVerifier, checkStatement, type PointStatement } from "./batch.js";
import { CryptoCode } from "./errors.js";
import { BulletproofGens, pedersenGens } from "./generators.js";
import { JsMsmBackend } from "./msm/jsBackend.js";
import { NobleMsmBackend } from "./msm/nobleBackend.js";
import { BASEPOINT, CompressedPoint, fromUniformBytes, mulPublic, type Point } from "./ristretto.js";
import { L, neg, randomScalar } from "./scalar.js";

const rng = seededRng("batch.test");
const MINUS_ONE = L - 1n;

/** Σ sᵢ·Pᵢ, naively. */
function sum(terms: readonly (readonly [bigint, Point])[]): Point {
  let acc = mulPublic(BASEPOINT, 0n);
  for (const [s, p] of terms) if (s !== 0n) acc = acc.add(mulPublic(p, s));
  return acc;
}

/** a·B + b·B2 − P = 0 with P built to match (compressed P). */
function pedersenStatement(): PointStatement {
  const g = pedersenGens();
  const a = randomScalar(rng);
  const b = randomScalar(rng);
  const P = sum([
    [a, g.B],
    [b, g.B2],
  ]);
  return { b: a, b2: b, scalars: [MINUS_ONE], points: [CompressedPoint.fromPoint(P)] };
}

/** Σ gᵢ·Gᵢ + Σ hᵢ·Hᵢ + c·B2 − Q = 0 over (prefixes of) the Bulletproofs generators. */
function gensStatement(): PointStatement {
  const gens = BulletproofGens.withCapacity(16);
  const g = Array.from({ length: 8 }, () => randomScalar(rng));
  const h = Array.from({ length: 5 }, () => randomScalar(rng));
  const c = randomScalar(rng);
  const Q = sum([
    ...g.map((s, i) => [s, gens.G.points[i]!] as const),
    ...h.map((s, i) => [s, gens.H.points[i]!] as const),
    [c, pedersenGens().B2],
  ]);
  return {
    b2: c,
    fixed: [
      { bases: gens.G, scalars: g },
      { bases: gens.H, scalars: h },
    ],
    scalars: [MINUS_ONE],
    points: [Q],
  };
}

/** x·X + y·Y − Z = 0 over dynamic points only. */
function dynamicStatement(): PointStatement {
  const X = fromUniformBytes(randomBytes(rng, 64));
  const Y = fromUniformBytes(randomBytes(rng, 64));
  const x = randomScalar(rng);
  const y = randomScalar(rng);
  const Z = sum([
    [x, X],
    [y, Y],
  ]);
  return { scalars: [x, y, MINUS_ONE], points: [X, CompressedPoint.fromPoint(Y), Z] };
}

/** The same statement made false (its first dynamic scalar is off by one). */
function falsify(s: PointStatement): PointStatement {
  const scalars = s.scalars.slice();
  scalars[0] = (scalars[0]! + 1n) % L;
  return { ...s, scalars };
}

// A pool of true statements of each kind and their false twins (built once).
const TRUE = [
  pedersenStatement(),
  gensStatement(),
  dynamicStatement(),
  pedersenStatement(),
  gensStatement(),
  dynamicStatement(),
];
const FALSE = TRUE.map(falsify);

function batchCheck(stmts: readonly PointStatement[], seed: string, backend = new JsMsmBackend()): boolean {
  const bv = new BatchVerifier({ rng: seededRng(seed), backend });
  for (const s of stmts) bv.add(s);
  expect(bv.size).toBe(stmts.length);
  return bv.check();
}

describe("checkStatement", () => {
  it("accepts each true statement and rejects its false twin", () => {
    for (let i = 0; i < TRUE.length; i++) {
      expect(checkStatement(TRUE[i]!), `true #${i}`).toBe(true);
      expect(checkStatement(FALSE[i]!), `false #${i}`).toBe(false);
    }
  });

  it("gives the same verdicts with the noble backend", () => {
    const noble = new NobleMsmBackend();
    expect(checkStatement(TRUE[1]!, noble)).toBe(true);
    expect(checkStatement(FALSE[1]!, noble)).toBe(false);
  });

  it("accepts trivial statements and rejects a lone non-zero base scalar", () => {
    expect(checkStatement({ scalars: [], points: [] })).toBe(true);
    expect(checkStatement({ b: 0n, b2: 0n, scalars: [0n], points: [BASEPOINT] })).toBe(true);
    expect(checkStatement({ b: 1n, scalars: [MINUS_ONE], points: [BASEPOINT] })).toBe(true);
    expect(checkStatement({ b: 1n, scalars: [], points: [] })).toBe(false);
    expect(checkStatement({ b2: 1n, scalars: [], points: [] })).toBe(false);
  });

  it("throws CRYPTO_INVALID_POINT for an invalid compressed point", () => {
    const bad = new CompressedPoint(new Uint8Array(32).fill(0xff));
    let err: unknown;
    try {
      checkStatement({ b: 1n, scalars: [1n], points: [bad] });
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CryptoCode.INVALID_POINT)).toBe(true);
  });
});

describe("BatchVerifier", () => {
  it("accepts a batch of true statements (and an empty batch)", () => {
    expect(batchCheck(TRUE, "all true")).toBe(true);
    expect(batchCheck([], "empty")).toBe(true);
    const bv = new BatchVerifier({ rng: seededRng("verify") });
    for (const s of TRUE) bv.add(s);
    expect(bv.dynamicPoints).toBe(TRUE.reduce((n, s) => n + s.points.length, 0));
    expect(() => bv.verify()).not.toThrow();
  });

  it("fails with CRYPTO_BATCH_VERIFICATION_FAILED when one statement is false", () => {
    for (let i = 0; i < TRUE.length; i++) {
      const stmts = TRUE.slice();
      stmts[i] = FALSE[i]!;
      expect(batchCheck(stmts, `one false ${i}`)).toBe(false);
    }
    const bv = new BatchVerifier({ rng: seededRng("verify false") });
    bv.add(TRUE[0]!);
    bv.add(FALSE[1]!);
    bv.add(TRUE[2]!);
    let err: unknown;
    try {
      bv.verify();
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CryptoCode.BATCH_VERIFICATION_FAILED)).toBe(true);
  });

  it("does not let two false statements cancel (independent weights)", () => {
    // S and −S are each false but sum to a true statement without weights.
    const s: PointStatement = { b: 1n, scalars: [], points: [] };
    const minus: PointStatement = { b: neg(1n), scalars: [], points: [] };
    expect(batchCheck([s, minus], "cancel")).toBe(false);
  });

  it("throws CRYPTO_INVALID_POINT when a compressed point does not decode", () => {
    const bv = new BatchVerifier({ rng: seededRng("invalid point") });
    bv.add(TRUE[0]!);
    bv.add({ scalars: [0n], points: [new CompressedPoint(new Uint8Array(32).fill(0xff))] });
    let err: unknown;
    try {
      bv.check();
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CryptoCode.INVALID_POINT)).toBe(true);
  });

  it("rejects malformed statements with a RangeError", () => {
    const bv = new BatchVerifier({ rng: seededRng("malformed") });
    expect(() => bv.add({ scalars: [1n], points: [] })).toThrow(RangeError);
    const gens = BulletproofGens.withCapacity(16);
    expect(() =>
      bv.add({
        fixed: [{ bases: gens.G, scalars: new Array<bigint>(17).fill(1n) }],
        scalars: [],
        points: [],
      }),
    ).toThrow(RangeError);
  });

  it("batch verdict equals the AND of the individual verdicts (property)", () => {
    const verdicts = [...TRUE.map(() => true), ...FALSE.map(() => false)];
    const pool = [...TRUE, ...FALSE];
    fc.assert(
      fc.property(
        fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 5 }),
        fc.string({ maxLength: 8 }),
        (picks, seed) => {
          const stmts = picks.map((i) => pool[i]!);
          const want = picks.every((i) => verdicts[i]);
          expect(stmts.every((s) => checkStatement(s))).toBe(want);
          expect(batchCheck(stmts, seed)).toBe(want);
        },
      ),
      { seed: 42, numRuns: 12 },
    );
  });
});
