/**
 * Ristretto255 point decoding and encoding, per point: "noble" is what `src/crypto/ristretto.ts`
 * uses today; "js" is the limb-arithmetic version of `src/crypto/msm/_ristretto.ts`.
 */
import { decodeRistretto, encodeRistretto } from "../../src/crypto/msm/_ristretto.js";
import { decodePoint, encodePoint, fromUniformBytes } from "../../src/crypto/ristretto.js";
import { randomBytes, seededRng } from "../../src/util/rng.js";
import type { BenchGroup } from "./harness.js";

const groups: BenchGroup[] = [
  {
    name: "point",
    async run(ctx) {
      if (!ctx.wants("point_decode") && !ctx.wants("point_encode")) return;
      const rng = seededRng("bench point");
      const pts = Array.from({ length: 64 }, () => fromUniformBytes(randomBytes(rng, 64)));
      const encoded = pts.map((p) => encodePoint(p));
      let i = 0;
      await ctx.bench({ bench: "point_decode", impl: "noble" }, () => decodePoint(encoded[i++ & 63]!));
      await ctx.bench({ bench: "point_decode", impl: "js" }, () => decodeRistretto(encoded[i++ & 63]!));
      await ctx.bench({ bench: "point_encode", impl: "noble" }, () => encodePoint(pts[i++ & 63]!));
      await ctx.bench({ bench: "point_encode", impl: "js" }, () => encodeRistretto(pts[i++ & 63]!));
    },
  },
];

export default groups;
