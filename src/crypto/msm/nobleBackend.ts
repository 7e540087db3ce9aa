/**
 * A reference MSM backend on @noble/curves' generic `pippenger` (the previous default). Slower than
 * `JsMsmBackend`; kept as a differential oracle for tests and as the baseline of the benchmarks.
 * Variable time: public inputs only.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { CompressedPoint, IDENTITY, type Point, RistrettoPoint } from "../ristretto.js";
import { type FixedBases, type MsmBackend, type MsmInput, scalarArray, validateMsmInput } from "./backend.js";

/** MSM with noble's `pippenger` over RistrettoPoint objects (no tables). */
export class NobleMsmBackend implements MsmBackend {
  readonly name = "noble";

  prepare(_bases: FixedBases): void {}

  msm(input: MsmInput): Point {
    const fixedIn = validateMsmInput(input);
    const points: Point[] = [];
    const scalars: bigint[] = [];
    const fixedScalars = fixedIn.map((t) => scalarArray(t.scalars));
    for (let t = 0; t < fixedIn.length; t++)
      for (let i = 0; i < fixedScalars[t]!.length; i++) {
        const term = fixedIn[t]!;
        const s = fixedScalars[t]![i]!;
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
