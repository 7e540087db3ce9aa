import { describe, expect, it } from "vitest";
import { checkStatement } from "../crypto/batch.js";
import { BulletproofGens } from "../crypto/generators.js";
import { IDENTITY, mulPublic, type Point } from "../crypto/ristretto.js";
import { L, randomScalar } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { seededRng } from "../util/rng.js";
import { R1csCode } from "./errors.js";
import { powers } from "./flatten.js";
import { innerProduct, ippVerificationScalars, proveInnerProduct } from "./innerProduct.js";
import type { InnerProductProof } from "./proof.js";
import { identityCompressed } from "./proof.js";

const gens = BulletproofGens.withCapacity(8);

/** Checks P' = ⟨a·s, Ĝ⟩ + ⟨b/s, Ĥ⟩ + ab·Q − Σ (L u² + R u⁻²) as one statement. */
function verifyIpp(
  proof: InnerProductProof,
  n: number,
  label: string,
  g: bigint[],
  h: bigint[],
  P: Point,
  Q: Point,
): boolean {
  const { uSq, uInvSq, s } = ippVerificationScalars(proof, n, Transcript.create(label));
  const gs = s.map((si, i) => (proof.a * si * g[i]!) % L);
  const hs = s.map((_, i) => (proof.b * s[n - 1 - i]! * h[i]!) % L);
  return checkStatement({
    fixed: [
      { bases: gens.G, scalars: gs },
      { bases: gens.H, scalars: hs },
    ],
    scalars: [
      (proof.a * proof.b) % L,
      L - 1n,
      ...uSq.map((x) => (L - x) % L),
      ...uInvSq.map((x) => (L - x) % L),
    ],
    points: [Q, P, ...proof.lVec.map((p) => p.decompress()), ...proof.rVec.map((p) => p.decompress())],
  });
}

describe("inner-product argument", () => {
  for (const n of [1, 2, 8]) {
    it(`n=${n}: a proof over scaled generators verifies; a wrong P does not (must-fail twin)`, () => {
      const rng = seededRng(`ipp ${n}`);
      const a = Array.from({ length: n }, () => randomScalar(rng));
      const b = Array.from({ length: n }, () => randomScalar(rng));
      const g = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1n : randomScalar(rng)));
      const h = powers(randomScalar(rng), n);
      const Q = mulPublic(gens.G.points[7]!, 12345n);
      // P' = ⟨a, g∘G⟩ + ⟨b, h∘H⟩ + ⟨a, b⟩·Q
      let P = mulPublic(Q, innerProduct(a, b));
      for (let i = 0; i < n; i++) {
        P = P.add(mulPublic(gens.G.points[i]!, (a[i]! * g[i]!) % L));
        P = P.add(mulPublic(gens.H.points[i]!, (b[i]! * h[i]!) % L));
      }
      const proof = proveInnerProduct(Transcript.create("ipp test"), {
        Q,
        gFactors: g,
        hFactors: h,
        G: gens.G,
        H: gens.H,
        a,
        b,
      });
      expect(proof.lVec.length).toBe(Math.log2(n));
      expect(verifyIpp(proof, n, "ipp test", g, h, P, Q)).toBe(true);
      expect(verifyIpp(proof, n, "ipp test", g, h, P.add(Q), Q)).toBe(false);
      expect(verifyIpp(proof, n, "other label", g, h, P, Q)).toBe(n === 1); // no challenges when n = 1
    });
  }

  it("rejects a wrong round count and identity L/R with precise codes", () => {
    const rng = seededRng("ipp bad");
    const a = Array.from({ length: 4 }, () => randomScalar(rng));
    const proof = proveInnerProduct(Transcript.create("x"), {
      Q: gens.G.points[7]!,
      gFactors: [1n, 1n, 1n, 1n],
      hFactors: [1n, 1n, 1n, 1n],
      G: gens.G,
      H: gens.H,
      a,
      b: a,
    });
    const code = (p: InnerProductProof, n: number): string => {
      try {
        ippVerificationScalars(p, n, Transcript.create("x"));
        return "NO ERROR";
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(proof, 4)).toBe("NO ERROR");
    expect(code(proof, 8)).toBe(R1csCode.VERIFICATION_FAILED);
    expect(code(proof, 3)).toBe(R1csCode.VERIFICATION_FAILED);
    expect(code({ ...proof, lVec: [proof.lVec[0]!, identityCompressed()] }, 4)).toBe(R1csCode.INVALID_POINT);
    expect(code({ ...proof, rVec: [identityCompressed(), proof.rVec[1]!] }, 4)).toBe(R1csCode.INVALID_POINT);
    expect(() =>
      proveInnerProduct(Transcript.create("x"), {
        Q: IDENTITY,
        gFactors: [1n],
        hFactors: [1n],
        G: gens.G,
        H: gens.H,
        a: [1n, 2n, 3n],
        b: [1n, 2n, 3n],
      }),
    ).toThrow(RangeError);
  });
});
