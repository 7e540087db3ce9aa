/**
 * Pieces shared by the prover and the verifier: flattening the constraints with powers of the
 * challenge z (docs/notes-r1cs.md "Combining statements using challenge variables"), padding to a
 * power of two, and the view that randomized-constraint callbacks receive.
 */

import { L } from "../crypto/scalar.js";
import type { Transcript } from "../crypto/transcript.js";
import type {
  ConstraintSystem,
  Metrics,
  MultiplierVars,
  RandomizedCallback,
  RandomizedConstraintSystem,
} from "./constraintSystem.js";
import { type LcLike, type LinearCombination, type Variable, VariableKind } from "./linearCombination.js";

/**
 * The flattened weights: constraint q (0-based, in `constrain` order) is weighted by z^(q+1);
 * wL, wR, wO over the n multipliers, wV over the m commitments, wc for the constant. Committed and
 * constant terms change sign (they move to the other side of W_L·a_L + W_R·a_R + W_O·a_O = W_V·v + c).
 */
export interface FlatWeights {
  readonly wL: bigint[];
  readonly wR: bigint[];
  readonly wO: bigint[];
  readonly wV: bigint[];
  readonly wc: bigint;
}

/** Flattens `constraints` over n multipliers and m commitments (RangeError on an unknown variable). */
export function flattenConstraints(
  constraints: readonly LinearCombination[],
  z: bigint,
  n: number,
  m: number,
): FlatWeights {
  const wL = new Array<bigint>(n).fill(0n);
  const wR = new Array<bigint>(n).fill(0n);
  const wO = new Array<bigint>(n).fill(0n);
  const wV = new Array<bigint>(m).fill(0n);
  let wc = 0n;
  let expZ = z;
  for (let q = 0; q < constraints.length; q++) {
    for (const { variable, coeff } of constraints[q]!.terms) {
      const c = (expZ * coeff) % L;
      const i = variable.index;
      switch (variable.kind) {
        case VariableKind.MultiplierLeft:
          checkIndex(i, n, variable);
          wL[i] = (wL[i]! + c) % L;
          break;
        case VariableKind.MultiplierRight:
          checkIndex(i, n, variable);
          wR[i] = (wR[i]! + c) % L;
          break;
        case VariableKind.MultiplierOutput:
          checkIndex(i, n, variable);
          wO[i] = (wO[i]! + c) % L;
          break;
        case VariableKind.Committed:
          checkIndex(i, m, variable);
          wV[i] = (wV[i]! - c + L) % L;
          break;
        case VariableKind.One:
          wc = (wc - c + L) % L;
          break;
      }
    }
    expZ = (expZ * z) % L;
  }
  return { wL, wR, wO, wV, wc };
}

function checkIndex(i: number, bound: number, v: Variable): void {
  if (i >= bound) throw new RangeError(`constraint uses unknown variable ${v.toString()}`);
}

/** The smallest power of two ≥ n, with 0 ↦ 1 (Rust's `usize::next_power_of_two`). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Powers x^0 … x^(count-1). */
export function powers(x: bigint, count: number): bigint[] {
  const out = new Array<bigint>(count);
  let acc = 1n;
  for (let i = 0; i < count; i++) {
    out[i] = acc;
    acc = (acc * x) % L;
  }
  return out;
}

/** Wraps a constraint system in phase 2 so callbacks can also draw challenge scalars. */
export class RandomizingView implements RandomizedConstraintSystem {
  private readonly cs: ConstraintSystem;

  constructor(cs: ConstraintSystem) {
    this.cs = cs;
  }

  get isProver(): boolean {
    return this.cs.isProver;
  }

  get transcript(): Transcript {
    return this.cs.transcript;
  }

  challengeScalar(label: string | Uint8Array): bigint {
    return this.cs.transcript.challengeScalar(label);
  }

  multiply(left: LcLike, right: LcLike): MultiplierVars {
    return this.cs.multiply(left, right);
  }

  allocate(assignment?: bigint): Variable {
    return this.cs.allocate(assignment);
  }

  allocateMultiplier(inputs?: readonly [bigint, bigint]): MultiplierVars {
    return this.cs.allocateMultiplier(inputs);
  }

  constrain(lc: LcLike): void {
    this.cs.constrain(lc);
  }

  metrics(): Metrics {
    return this.cs.metrics();
  }

  specifyRandomizedConstraints(callback: RandomizedCallback): void {
    this.cs.specifyRandomizedConstraints(callback);
  }

  evaluate(lc: LcLike): bigint | undefined {
    return this.cs.evaluate(lc);
  }
}
