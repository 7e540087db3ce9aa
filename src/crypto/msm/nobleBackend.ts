/**
 * A reference MSM backend on @noble/curves' generic `pippenger` (the previous default). Slower than
 * `JsMsmBackend`; kept as a differential oracle for tests and as the baseline of the benchmarks.
 * Variable time: public inputs only.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { CompressedPoint, IDENTITY, type Point, RistrettoPoint } from "../ristretto.js";
import { L } from "../scalar.js";
import type { FixedBases, MsmBackend, MsmInput } from "./backend.js";

function checkScalar(s: bigint): void {
  if (typeof s !== "bigint" || s < 0n || s >= L) throw new RangeError("msm: scalar out of range [0, ℓ)");
}

/** MSM with noble's `pippenger` over RistrettoPoint objects (no tables). */
export class NobleMsmBackend implements MsmBackend {
  readonly name = "noble";

  prepare(_bases: FixedBases): void {}

  msm(input: MsmInput): Point {
    if (input.scalars.length !== input.points.length)
      throw new RangeError("msm: scalars and points differ in length");
    const fixedIn = input.fixed ?? [];
    for (const term of fixedIn) {
      if (term.scalars.length > term.bases.points.length)
        throw new RangeError(
          `msm: ${term.scalars.length} scalars for ${term.bases.points.length} ${term.bases.name} bases`,
        );
      for (const s of term.scalars) checkScalar(s);
    }
    for (const s of input.scalars) checkScalar(s);
    const points: Point[] = [];
    const scalars: bigint[] = [];
    for (const term of fixedIn)
      for (let i = 0; i < term.scalars.length; i++) {
        const s = term.scalars[i]!;
        if (s !== 0n) {
          scalars.push(s);
          points.push(term.bases.points[i]!);
        }
      }
    for (let i = 0; i < input.points.length; i++) {
      const p = input.points[i]!;
      const point = p instanceof CompressedPoint ? p.decompress() : p;
      const s = input.scalars[i]!;
      if (s !== 0n) {
        scalars.push(s);
        points.push(point);
      }
    }
    if (points.length === 0) return IDENTITY;
    return pippenger(RistrettoPoint, points, scalars);
  }
}
