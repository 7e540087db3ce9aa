/**
 * Small example gadgets written once against `ConstraintSystem` and run by both the prover and the
 * verifier. They document the API and drive the tests (the reference vectors in
 * fixtures/r1cs_trace.json use the same circuits: `mul`, a 2-shuffle, and their mix).
 */
import type { ConstraintSystem } from "./constraintSystem.js";
import { R1csCode, R1csError } from "./errors.js";
import type { LcLike, ScalarLike, Variable } from "./linearCombination.js";

/** Constrains x · y = product (one multiplier, phase 1). */
export function productGadget(cs: ConstraintSystem, x: LcLike, y: LcLike, product: LcLike): void {
  const [, , o] = cs.multiply(x, y);
  cs.constrain(o.sub(product));
}

/**
 * Constrains `ys` to be a permutation of `xs` with a randomized constraint: for a challenge z
 * ("shuffle challenge"), Π (xᵢ − z) = Π (yᵢ − z). The products are chained from the last element
 * down: (x[k-1] − z)(x[k-2] − z), then · (x[i] − z) for i = k-3 … 0; the same for y.
 * k = 1 needs no challenge: y₀ = x₀.
 */
export function shuffleGadget(cs: ConstraintSystem, xs: readonly Variable[], ys: readonly Variable[]): void {
  if (xs.length !== ys.length)
    throw new R1csError(R1csCode.GADGET, { what: "shuffle lengths", expected: xs.length, actual: ys.length });
  const k = xs.length;
  if (k === 0) return;
  if (k === 1) {
    cs.constrain(ys[0]!.sub(xs[0]!));
    return;
  }
  cs.specifyRandomizedConstraints((rcs) => {
    const z = rcs.challengeScalar("shuffle challenge");
    const chain = (vs: readonly Variable[]): Variable => {
      let [, , acc] = rcs.multiply(vs[k - 1]!.sub(z), vs[k - 2]!.sub(z));
      for (let i = k - 3; i >= 0; i--) [, , acc] = rcs.multiply(acc, vs[i]!.sub(z));
      return acc;
    };
    const px = chain(xs);
    const py = chain(ys);
    rcs.constrain(px.sub(py));
  });
}

/** Constrains a committed variable to equal a public constant (no multiplier). */
export function equalsConstantGadget(cs: ConstraintSystem, v: Variable, c: ScalarLike): void {
  cs.constrain(v.sub(c));
}
