/**
 * Shuffle gadgets of Cloak (stellar/slingshot `spacesuit/spec.md`, "K-scalar shuffle",
 * "K-value shuffle", "Pad"): proofs that one list is a permutation of another.
 *
 * Allocation order, constraint order and challenge labels follow the reference exactly, because
 * ZkVM proofs made by the reference must verify against these gadgets:
 * - k-scalar shuffle (k ≥ 2): draw z ("shuffle challenge"); the x side is a chain of k-1
 *   multipliers built from the end, (x[k-1]-z)·(x[k-2]-z) first, then prev·(x[i]-z) for
 *   i = k-3 … 0; then the same for y; then one constraint equating the two last outputs.
 *   For k = 1 a single constraint y₀ - x₀ = 0 and no challenge.
 * - k-value shuffle (k ≥ 2): a randomized callback draws w ("k-value shuffle challenge"), makes k
 *   multipliers (xᵢ.q + w·xᵢ.f)·(yᵢ.q + w·yᵢ.f) whose left/right wires are the folded scalars,
 *   then runs the k-scalar shuffle on them. For k = 1 two constraints (q, then f) in phase 1.
 * - padded shuffle: |m-n| zero values (one multiplier and two constraints each) appended to the
 *   shorter side, then a k-value shuffle over max(m, n) values.
 */
import type { ConstraintSystem, RandomizedConstraintSystem } from "../bulletproofs/constraintSystem.js";
import { type LcLike, LinearCombination, type Variable } from "../bulletproofs/linearCombination.js";
import { CloakCode, CloakError } from "./errors.js";
import { K_VALUE_SHUFFLE_CHALLENGE, SHUFFLE_CHALLENGE } from "./labels.js";
import { type AllocatedValue, allocateValue, ZERO_VALUE } from "./value.js";

function checkLengths(what: string, x: readonly unknown[], y: readonly unknown[]): void {
  if (x.length !== y.length)
    throw new CloakError(CloakCode.BAD_GADGET_INPUT, { what, expected: x.length, actual: y.length });
  if (x.length === 0) throw new CloakError(CloakCode.BAD_GADGET_INPUT, { what, expected: 1, actual: 0 });
}

/**
 * K-scalar shuffle: constrains `y` to be a permutation of `x` (k = x.length ≥ 1). Must run in
 * phase 2 (inside a randomized callback) because it draws a challenge; 2(k-1) multipliers.
 */
export function scalarShuffle(
  cs: RandomizedConstraintSystem,
  x: readonly LcLike[],
  y: readonly LcLike[],
): void {
  checkLengths("scalar shuffle lengths", x, y);
  const k = x.length;
  if (k === 1) {
    cs.constrain(LinearCombination.from(y[0]!).sub(x[0]!));
    return;
  }
  const z = cs.challengeScalar(SHUFFLE_CHALLENGE);
  const chain = (s: readonly LcLike[]): Variable => {
    let [, , out] = cs.multiply(
      LinearCombination.from(s[k - 1]!).sub(z),
      LinearCombination.from(s[k - 2]!).sub(z),
    );
    for (let i = k - 3; i >= 0; i--) [, , out] = cs.multiply(out, LinearCombination.from(s[i]!).sub(z));
    return out;
  };
  const firstX = chain(x);
  const firstY = chain(y);
  cs.constrain(firstX.sub(firstY));
}

/**
 * K-value shuffle: constrains the values `y` to be a permutation of the values `x`. For k ≥ 2 the
 * work happens in a randomized callback (3k-2 phase-2 multipliers); for k = 1 it adds two
 * phase-1 constraints.
 */
export function valueShuffle(
  cs: ConstraintSystem,
  x: readonly AllocatedValue[],
  y: readonly AllocatedValue[],
): void {
  checkLengths("value shuffle lengths", x, y);
  const k = x.length;
  if (k === 1) {
    const [a, b] = [x[0]!, y[0]!];
    cs.constrain(b.q.sub(a.q));
    cs.constrain(b.f.sub(a.f));
    return;
  }
  const xs = x.slice();
  const ys = y.slice();
  cs.specifyRandomizedConstraints((rcs) => {
    const w = rcs.challengeScalar(K_VALUE_SHUFFLE_CHALLENGE);
    const left: Variable[] = [];
    const right: Variable[] = [];
    for (let i = 0; i < k; i++) {
      const [l, r] = rcs.multiply(xs[i]!.q.add(xs[i]!.f.mul(w)), ys[i]!.q.add(ys[i]!.f.mul(w)));
      left.push(l);
      right.push(r);
    }
    scalarShuffle(rcs, left, right);
  });
}

/**
 * Pad: allocates an all-zero value (one multiplier) and constrains its quantity, then its flavor,
 * to zero.
 */
export function pad(cs: ConstraintSystem): AllocatedValue {
  const v = allocateValue(cs, ZERO_VALUE);
  cs.constrain(v.q);
  cs.constrain(v.f);
  return v;
}

/**
 * Padded shuffle: `y` is a permutation of `x` once the shorter list is extended with zero values
 * (|m-n| pads, allocated before the shuffle).
 */
export function paddedShuffle(
  cs: ConstraintSystem,
  x: readonly AllocatedValue[],
  y: readonly AllocatedValue[],
): void {
  if (x.length === 0 || y.length === 0)
    throw new CloakError(CloakCode.BAD_GADGET_INPUT, {
      what: "padded shuffle lengths",
      expected: 1,
      actual: 0,
    });
  const pads: AllocatedValue[] = [];
  for (let i = Math.abs(x.length - y.length); i > 0; i--) pads.push(pad(cs));
  const xs = x.length < y.length ? [...x, ...pads] : x.slice();
  const ys = y.length < x.length ? [...y, ...pads] : y.slice();
  valueShuffle(cs, xs, ys);
}
