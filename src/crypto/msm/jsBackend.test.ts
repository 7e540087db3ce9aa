import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasCode } from "../../util/codedError.js";
import { DecodeCode } from "../../util/errors.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { BulletproofGens, pedersenGens } from "../generators.js";
import {
  BASEPOINT,
  CompressedPoint,
  decodePoint,
  fromUniformBytes,
  IDENTITY,
  type Point,
} from "../ristretto.js";
import { L, randomScalar } from "../scalar.js";
import { type FixedBases, type FixedTerm, fixedBases, type MsmBackend, scalarArray } from "./backend.js";
import { JsMsmBackend } from "./jsBackend.js";
import { NobleMsmBackend } from "./nobleBackend.js";

const rng = seededRng("jsBackend.test");

/** Random points in the three shapes the backend meets: decoded (Z = 1), hashed, and computed sums. */
function randomPoint(i: number): Point {
  const p = fromUniformBytes(randomBytes(rng, 64));
  switch (i % 3) {
    case 0:
      return decodePoint(p.toBytes());
    case 1:
      return p;
    default:
      return p.add(BASEPOINT);
  }
}
const points = (n: number, from = 0): Point[] => Array.from({ length: n }, (_, i) => randomPoint(from + i));
const scalars = (n: number): bigint[] => Array.from({ length: n }, () => randomScalar(rng));

/** The naive reference Σ sᵢ·Pᵢ with noble's variable-time multiplication. */
function naive(terms: readonly (readonly [bigint, Point])[]): Point {
  let acc = IDENTITY;
  for (const [s, p] of terms) if (s !== 0n) acc = acc.add(p.multiplyUnsafe(s));
  return acc;
}
function naiveInput(fixed: readonly FixedTerm[], sc: readonly bigint[], pts: readonly Point[]): Point {
  const terms: [bigint, Point][] = [];
  for (const t of fixed) {
    const ts = scalarArray(t.scalars);
    for (let i = 0; i < ts.length; i++) terms.push([ts[i]!, t.bases.points[i]!]);
  }
  for (let i = 0; i < sc.length; i++) terms.push([sc[i]!, pts[i]!]);
  return naive(terms);
}

function expectSame(got: Point, want: Point): void {
  expect(got.equals(want)).toBe(true);
  expect(want.equals(got)).toBe(true);
  expect(got.add(want.negate()).is0()).toBe(true);
  expect(got.toBytes()).toEqual(want.toBytes());
}

const BACKENDS: [string, MsmBackend][] = [
  ["js (auto window)", new JsMsmBackend()],
  ["js window 1", new JsMsmBackend({ window: 1 })],
  ["js window 4", new JsMsmBackend({ window: 4 })],
  ["js window 10 (fixed share the lowest window)", new JsMsmBackend({ window: 10 })],
  ["js without fixed tables", new JsMsmBackend({ fixedTables: false })],
  ["js straus", new JsMsmBackend({ straus: true })],
  ["js table window 4, window 5", new JsMsmBackend({ tableWindow: 4, window: 5 })],
  ["noble pippenger", new NobleMsmBackend()],
];

// Shared inputs (computed once: the naive reference is the slow part).
const SET_A = fixedBases("test-a", points(9, 1));
const SET_B = fixedBases("test-b", points(4, 2));
const DYN = points(12);
const DYN_S = scalars(12);
const FIX: FixedTerm[] = [
  { bases: SET_A, scalars: scalars(9) },
  { bases: SET_B, scalars: scalars(3) }, // shorter than its set
];
const WANT_DYN = naiveInput([], DYN_S, DYN);
const WANT_FIX = naiveInput(FIX, [], []);
const WANT_MIXED = WANT_DYN.add(WANT_FIX);

describe.each(BACKENDS)("MSM backend %s", (_name, backend) => {
  it("returns the identity for empty input and all-zero scalars", () => {
    expect(backend.msm({ scalars: [], points: [] }).is0()).toBe(true);
    expect(backend.msm({ fixed: [], scalars: [], points: [] }).equals(IDENTITY)).toBe(true);
    expect(backend.msm({ fixed: [{ bases: SET_A, scalars: [] }], scalars: [], points: [] }).is0()).toBe(true);
    const zeros = backend.msm({
      fixed: [{ bases: SET_A, scalars: [0n, 0n, 0n] }],
      scalars: [0n, 0n],
      points: [DYN[0]!, DYN[1]!],
    });
    expect(zeros.is0()).toBe(true);
  });

  it("matches the naive sum for n = 1, 2, 3 and 12 dynamic points", () => {
    for (const n of [1, 2, 3])
      expectSame(
        backend.msm({ scalars: DYN_S.slice(0, n), points: DYN.slice(0, n) }),
        naiveInput([], DYN_S.slice(0, n), DYN.slice(0, n)),
      );
    expectSame(backend.msm({ scalars: DYN_S, points: DYN }), WANT_DYN);
  });

  it("matches the naive sum for fixed terms (one shorter than its set) and mixed inputs", () => {
    expectSame(backend.msm({ fixed: FIX, scalars: [], points: [] }), WANT_FIX);
    expectSame(backend.msm({ fixed: FIX, scalars: DYN_S, points: DYN }), WANT_MIXED);
    // The same set twice is two independent terms.
    const twice = backend.msm({ fixed: [FIX[0]!, FIX[0]!], scalars: [], points: [] });
    expectSame(twice, naiveInput([FIX[0]!], [], []).double());
  });

  it("handles identical points, zero scalars, ℓ − 1 and the identity point", () => {
    const p = DYN[0]!;
    const copy = decodePoint(p.toBytes());
    const s = DYN_S[0]!;
    // s·P five times (same object and an equal copy) = 5s·P.
    const got = backend.msm({ scalars: [s, s, 0n, s, s, s], points: [p, p, DYN[1]!, copy, p, copy] });
    expectSame(got, p.multiplyUnsafe((5n * s) % L));
    // (ℓ − 1)·P = −P, so P + (ℓ − 1)·P = 0.
    expect(backend.msm({ scalars: [1n, L - 1n], points: [p, p] }).is0()).toBe(true);
    expectSame(backend.msm({ scalars: [L - 1n], points: [p] }), p.negate());
    // The identity contributes nothing.
    expectSame(backend.msm({ scalars: [L - 1n, s], points: [IDENTITY, p] }), p.multiplyUnsafe(s));
    // Small scalars and the base point.
    expectSame(
      backend.msm({ scalars: [1n, 2n, 3n], points: [BASEPOINT, BASEPOINT, BASEPOINT] }),
      BASEPOINT.multiplyUnsafe(6n),
    );
  });

  it("decodes compressed dynamic points", () => {
    const compressed = DYN.slice(0, 4).map((p) => new CompressedPoint(p.toBytes()));
    expectSame(
      backend.msm({ scalars: DYN_S.slice(0, 4), points: compressed }),
      naiveInput([], DYN_S.slice(0, 4), DYN.slice(0, 4)),
    );
  });

  it("rejects scalars outside [0, ℓ) with a RangeError before any work", () => {
    const bad = new CompressedPoint(new Uint8Array(32).fill(0xff));
    for (const s of [L, L + 1n, (1n << 256n) - 1n, -1n]) {
      expect(() => backend.msm({ scalars: [s], points: [bad] })).toThrow(RangeError);
      expect(() =>
        backend.msm({ fixed: [{ bases: SET_A, scalars: [1n, s] }], scalars: [], points: [] }),
      ).toThrow(RangeError);
    }
    expect(() => backend.msm({ scalars: [1 as unknown as bigint], points: [BASEPOINT] })).toThrow(RangeError);
  });

  it("rejects mismatched lengths and fixed terms longer than their set", () => {
    expect(() => backend.msm({ scalars: [1n], points: [] })).toThrow(RangeError);
    expect(() =>
      backend.msm({ fixed: [{ bases: SET_B, scalars: scalars(5) }], scalars: [], points: [] }),
    ).toThrow(RangeError);
  });

  it("throws DECODE_INVALID_POINT for an invalid compressed point (even under a zero scalar)", () => {
    const invalid = [
      new Uint8Array(32).fill(0xff), // non-canonical field element
      Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)), // negative s
    ];
    for (const bytes of invalid)
      for (const s of [1n, 0n]) {
        let err: unknown;
        try {
          backend.msm({ scalars: [2n, s], points: [BASEPOINT, new CompressedPoint(bytes)] });
        } catch (e) {
          err = e;
        }
        expect(hasCode(err, DecodeCode.INVALID_POINT)).toBe(true);
      }
  });
});

describe("JsMsmBackend", () => {
  it("agrees with the naive sum on random small inputs (property)", () => {
    const pool = points(6, 5);
    const backend = new JsMsmBackend();
    const edge = fc.constantFrom(0n, 1n, 2n, L - 1n, L - 2n, (1n << 252n) - 1n);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.bigInt({ min: 0n, max: L - 1n }), edge), fc.nat(5)), { maxLength: 6 }),
        fc.array(fc.oneof(fc.bigInt({ min: 0n, max: L - 1n }), edge), { maxLength: 6 }),
        (dyn, fix) => {
          const set = fixedBases("prop", pool);
          const input = {
            fixed: [{ bases: set, scalars: fix }],
            scalars: dyn.map(([s]) => s),
            points: dyn.map(([, i]) => pool[i]!),
          };
          expectSame(backend.msm(input), naiveInput(input.fixed, input.scalars, input.points));
        },
      ),
      { seed: 42, numRuns: 25 },
    );
  });

  it("matches noble on the Bulletproofs shape (G, H prefixes + Pedersen + dynamic points)", () => {
    const js = new JsMsmBackend();
    const noble = new NobleMsmBackend();
    const gens = BulletproofGens.withCapacity(64);
    js.prepare(gens.G);
    const ped: FixedBases = pedersenGens().bases;
    const input = {
      fixed: [
        { bases: ped, scalars: scalars(2) },
        { bases: gens.G, scalars: scalars(32) },
        { bases: gens.H, scalars: scalars(32) },
      ],
      scalars: scalars(10),
      points: points(10),
    };
    expectSame(js.msm(input), noble.msm(input));
    // Window 11 shares the lowest window with the fixed terms; window 3 keeps them apart.
    expectSame(new JsMsmBackend({ window: 11 }).msm(input), noble.msm(input));
    expectSame(new JsMsmBackend({ window: 3 }).msm(input), noble.msm(input));
  });

  it("shares the tables of a prefix set (smaller capacity) and a prepared set", () => {
    const js = new JsMsmBackend();
    const big = fixedBases("big", points(6, 7));
    js.prepare(big);
    const prefix = fixedBases("prefix", big.points.slice(0, 3));
    const sc = scalars(3);
    expectSame(
      js.msm({ fixed: [{ bases: prefix, scalars: sc }], scalars: [], points: [] }),
      naive(sc.map((s, i) => [s, big.points[i]!] as const)),
    );
    expectSame(
      js.msm({ fixed: [{ bases: big, scalars: sc }], scalars: [], points: [] }),
      naive(sc.map((s, i) => [s, big.points[i]!] as const)),
    );
  });

  it("returns a point usable with noble's Ristretto API", () => {
    const r = new JsMsmBackend().msm({ scalars: [3n], points: [BASEPOINT] });
    expect(r.equals(BASEPOINT.multiply(3n))).toBe(true);
    expect(r.is0()).toBe(false);
    expect(decodePoint(r.toBytes()).equals(r)).toBe(true);
    expect(r.add(BASEPOINT).equals(BASEPOINT.multiply(4n))).toBe(true);
  });

  it("validates its options", () => {
    for (const w of [0, 17, 1.5, Number.NaN])
      expect(() => new JsMsmBackend({ window: w })).toThrow(RangeError);
    expect(new JsMsmBackend({ window: 16 }).name).toBe("js");
  });
});
