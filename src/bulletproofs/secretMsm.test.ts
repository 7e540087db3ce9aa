import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BulletproofGens } from "../crypto/generators.js";
import { BASEPOINT, IDENTITY, mulSecret } from "../crypto/ristretto.js";
import { L } from "../crypto/scalar.js";
import { cachedPointTable, fixedTable, pointTable, secretMsm } from "./secretMsm.js";

describe("secretMsm (fixed-window Straus for secret scalars)", () => {
  const gens = BulletproofGens.withCapacity(8);
  const pts = [BASEPOINT, ...gens.G.points.slice(0, 3), ...gens.H.points.slice(0, 2)];

  it("property: equals the sum of constant-time scalar multiplications", () => {
    const scalar = fc.oneof(fc.bigInt({ min: 0n, max: L - 1n }), fc.constantFrom(0n, 1n, 15n, 16n, L - 1n));
    fc.assert(
      fc.property(fc.array(scalar, { minLength: 1, maxLength: pts.length }), (ss) => {
        const tables = ss.map((_, i) => (i === 0 ? cachedPointTable(pts[0]!) : pointTable(pts[i]!)));
        let expected = IDENTITY;
        for (let i = 0; i < ss.length; i++) expected = expected.add(mulSecret(pts[i]!, ss[i]!));
        expect(secretMsm(tables, ss).equals(expected)).toBe(true);
      }),
      { seed: 42, numRuns: 12 },
    );
  });

  it("uses cached generator tables; rejects bad input (must-fail twins)", () => {
    expect(fixedTable(gens.G, 2)).toBe(fixedTable(gens.G, 2));
    expect(fixedTable(gens.G, 2)[1]!.equals(gens.G.points[2]!)).toBe(true);
    expect(secretMsm([], []).equals(IDENTITY)).toBe(true);
    expect(() => fixedTable(gens.G, 8)).toThrow(RangeError);
    expect(() => secretMsm([pointTable(BASEPOINT)], [L])).toThrow(RangeError);
    expect(() => secretMsm([pointTable(BASEPOINT)], [-1n])).toThrow(RangeError);
    expect(() => secretMsm([pointTable(BASEPOINT)], [])).toThrow(RangeError);
  });
});
