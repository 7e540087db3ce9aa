/**
 * The pure-JS MSM backend (default): Pippenger's bucket method over @noble/curves points.
 * Variable time: public inputs only.
 */
import { pippenger } from "@noble/curves/abstract/curve.js";
import { CompressedPoint, IDENTITY, type Point, RistrettoPoint } from "../ristretto.js";
import { L } from "../scalar.js";
import type { FixedBases, MsmBackend, MsmInput } from "./backend.js";

function checkScalar(s: bigint): void {
  if (typeof s !== "bigint" || s < 0n || s >= L) throw new RangeError("msm: scalar out of range [0, ℓ)");
}

export class JsMsmBackend implements MsmBackend {
  readonly name = "js";

  prepare(_bases: FixedBases): void {}

  msm(input: MsmInput): Point {
    const points: Point[] = [];
    const scalars: bigint[] = [];
    if (input.scalars.length !== input.points.length)
      throw new RangeError("msm: scalars and points differ in length");
    for (const term of input.fixed ?? []) {
      if (term.scalars.length > term.bases.points.length)
        throw new RangeError(
          `msm: ${term.scalars.length} scalars for ${term.bases.points.length} ${term.bases.name} bases`,
        );
      for (let i = 0; i < term.scalars.length; i++) {
        const s = term.scalars[i]!;
        checkScalar(s);
        if (s !== 0n) {
          scalars.push(s);
          points.push(term.bases.points[i]!);
        }
      }
    }
    for (let i = 0; i < input.points.length; i++) {
      const s = input.scalars[i]!;
      checkScalar(s);
      const p = input.points[i]!;
      const point = p instanceof CompressedPoint ? p.decompress() : p;
      if (s !== 0n) {
        scalars.push(s);
        points.push(point);
      }
    }
    if (points.length === 0) return IDENTITY;
    return pippenger(RistrettoPoint, points, scalars);
  }
}
