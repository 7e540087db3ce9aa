import type { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { randomBytes, seededRng } from "../../util/rng.js";
import { BASEPOINT, decodePoint, fromUniformBytes, IDENTITY, type Point } from "../ristretto.js";
import {
  addExt,
  addNiels,
  dbl,
  EXT,
  extToNielsBatch,
  loadAffineNiels,
  loadPoint,
  NIELS,
  nielsToExt,
  setIdentity,
  toRistretto,
} from "./_edwards.js";

const rng = seededRng("_edwards.test");
const hashed = (): Point => fromUniformBytes(randomBytes(rng, 64));

/** Extended buffer of p. */
function ext(p: Point): Float64Array {
  const b = new Float64Array(EXT);
  loadPoint(b, 0, p);
  return b;
}
/** Affine Niels buffer of p (through the batched normalisation). */
function niels(p: Point): Float64Array {
  const out = new Float64Array(NIELS);
  extToNielsBatch(ext(p), 1, out, 0);
  return out;
}
/** The Edwards representative of a result, compared exactly (not just as Ristretto elements). */
function edwards(p: Point): InstanceType<typeof ed25519.Point> {
  return (p as unknown as { ep: InstanceType<typeof ed25519.Point> }).ep;
}
function expectEdwardsEqual(buf: Float64Array, want: Point): void {
  const got = toRistretto(buf, 0);
  expect(edwards(got).equals(edwards(want))).toBe(true);
  expect(got.equals(want)).toBe(true);
}

describe("Edwards formulas on limb buffers", () => {
  const points = [hashed(), hashed().add(BASEPOINT), decodePoint(hashed().toBytes()), BASEPOINT, IDENTITY];

  it("adds, subtracts and doubles like noble (exact Edwards representatives)", () => {
    for (const p of points)
      for (const q of points) {
        const a = ext(p);
        addNiels(a, 0, niels(q), 0, false);
        expectEdwardsEqual(a, p.add(q));
        const s = ext(p);
        addNiels(s, 0, niels(q), 0, true);
        expectEdwardsEqual(s, p.subtract(q));
        const e = ext(p);
        addExt(e, 0, ext(q), 0);
        expectEdwardsEqual(e, p.add(q));
      }
    for (const p of points) {
      const d = ext(p);
      dbl(d, 0, 3, true);
      expectEdwardsEqual(d, p.multiplyUnsafe(8n));
      // Without T the last doubling leaves T stale, but X, Y, Z are right.
      const n = ext(p);
      dbl(n, 0, 1, false);
      const r = toRistretto(n, 0);
      expect(r.toAffine().x).toBe(p.double().toAffine().x);
    }
  });

  it("handles P − P = 0, P + P and the identity", () => {
    const p = points[0]!;
    const a = ext(p);
    addNiels(a, 0, niels(p), 0, true);
    expect(toRistretto(a, 0).is0()).toBe(true);
    const b = ext(p);
    addNiels(b, 0, niels(p), 0, false);
    expectEdwardsEqual(b, p.double());
    const id = new Float64Array(EXT);
    setIdentity(id, 0);
    addNiels(id, 0, niels(p), 0, false);
    expectEdwardsEqual(id, p);
  });

  it("converts between noble points, affine Niels and extended forms", () => {
    const tmp = new Float64Array(2 * NIELS);
    const decoded = decodePoint(hashed().toBytes());
    const n = new Float64Array(NIELS);
    expect(loadAffineNiels(n, 0, decoded, tmp)).toBe(true);
    expect(loadAffineNiels(n, 0, points[1]!, tmp)).toBe(false);
    loadAffineNiels(n, 0, decoded, tmp);
    for (const neg of [false, true]) {
      const e = new Float64Array(EXT);
      nielsToExt(e, 0, n, 0, neg);
      expectEdwardsEqual(e, neg ? decoded.negate() : decoded);
    }
    // Batched normalisation of several points agrees with one at a time.
    const all = new Float64Array(points.length * EXT);
    points.forEach((p, i) => {
      loadPoint(all, i * EXT, p);
    });
    const out = new Float64Array(points.length * NIELS);
    extToNielsBatch(all, points.length, out, 0);
    points.forEach((p, i) => {
      const e = new Float64Array(EXT);
      nielsToExt(e, 0, out, i * NIELS, false);
      expectEdwardsEqual(e, p);
    });
  });
});
