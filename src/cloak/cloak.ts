/**
 * The Cloak transaction gadget (stellar/slingshot `spacesuit/spec.md`, "Transaction"): M input
 * values become N output values, balanced per flavor, every output quantity in [0, 2^64).
 *
 * Gadget order (this order fixes the multipliers, constraints and challenges, and must match the
 * reference for ZkVM proofs to verify):
 *   1. M-merge over the inputs (fresh merge inputs and outputs),
 *   2. N-split over the outputs (fresh split inputs and outputs; a k-mix over the reversed outputs),
 *   3. value shuffle: inputs → merge inputs,
 *   4. padded shuffle: merge outputs → split inputs (|M-N| zero pads, allocated here),
 *   5. value shuffle: split outputs → outputs,
 *   6. a 64-bit range proof on each output quantity, in output order.
 * Phase-2 challenges therefore come as: M-1 then N-1 "mix challenge", then each shuffle of two or
 * more values draws "k-value shuffle challenge" followed by "shuffle challenge".
 *
 * Input quantities are signed integers (ZkVM wide values may be negative); the gadget proves no
 * range for them. On the prover the gadget computes every intermediate assignment and refuses, with
 * a coded error, witnesses that cannot satisfy it (see `cloak`).
 */
import type { ConstraintSystem } from "../bulletproofs/constraintSystem.js";
import { CloakCode, CloakError } from "./errors.js";
import { kMerge, kSplit } from "./mix.js";
import { RANGE_PROOF_BITS, rangeProof, type WitnessOptions } from "./rangeProof.js";
import { paddedShuffle, valueShuffle } from "./shuffle.js";
import { SignedInteger } from "./signedInteger.js";
import { type AllocatedValue, assignmentsOf, flavorHex, type Value } from "./value.js";

/**
 * Constrains `outputs` to be a rearrangement of `inputs` (M = inputs.length ≥ 1,
 * N = outputs.length ≥ 1): per flavor the input and output quantities sum to the same total, and
 * each output quantity is in [0, 2^64).
 *
 * Errors: CLOAK_BAD_GADGET_INPUT (M or N is 0). Prover only: CLOAK_MISSING_ASSIGNMENT,
 * CLOAK_QUANTITY_OUT_OF_RANGE (a negative output quantity; `meta.index`), CLOAK_UNBALANCED
 * (per-flavor totals differ; `meta.flavor`), CLOAK_INTEGER_OVERFLOW (a total leaves the
 * signed-integer range). With `opts.checkWitness` false the prover skips the output-range and
 * balance checks and builds the assignment anyway (to test that the constraints reject it).
 */
export function cloak(
  cs: ConstraintSystem,
  inputs: readonly AllocatedValue[],
  outputs: readonly AllocatedValue[],
  opts: WitnessOptions = {},
): void {
  if (inputs.length === 0)
    throw new CloakError(CloakCode.BAD_GADGET_INPUT, { what: "cloak inputs", expected: 1, actual: 0 });
  if (outputs.length === 0)
    throw new CloakError(CloakCode.BAD_GADGET_INPUT, { what: "cloak outputs", expected: 1, actual: 0 });
  if (cs.isProver) {
    const ins = assignmentsOf(inputs, "cloak inputs");
    const outs = assignmentsOf(outputs, "cloak outputs");
    if (opts.checkWitness ?? true) checkWitness(ins, outs);
  }

  const merge = kMerge(cs, inputs);
  const split = kSplit(cs, outputs);
  valueShuffle(cs, inputs, merge.inputs);
  paddedShuffle(cs, merge.outputs, split.inputs);
  valueShuffle(cs, split.outputs, outputs);
  for (const out of outputs) rangeProof(cs, out.q, out.assignment?.q, RANGE_PROOF_BITS, opts);
}

/**
 * Prover-side check that a witness can satisfy the gadget: outputs non-negative, and the multiset
 * of per-flavor totals of the inputs equals that of the outputs. (A flavor that appears on one side
 * only is fine only when its total is zero and the flavor is zero, as the zero pads then absorb it;
 * any other flavor missing on one side is unbalanced even with a zero total — the gadget cannot
 * prove it, the reference's prover would fail too — so a prover must add a zero output of it.)
 */
function checkWitness(inputs: readonly Value[], outputs: readonly Value[]): void {
  outputs.forEach((v, index) => {
    if (v.q.isNegative())
      throw new CloakError(CloakCode.QUANTITY_OUT_OF_RANGE, {
        what: "cloak output",
        index,
        value: v.q.value,
      });
  });
  const totalsIn = totalsByFlavor(inputs);
  const totalsOut = totalsByFlavor(outputs);
  const flavors = new Set([...totalsIn.keys(), ...totalsOut.keys()]);
  for (const f of flavors) {
    const tin = totalsIn.get(f);
    const tout = totalsOut.get(f);
    // The merge leaves one (total, f) per input flavor and the split one per output flavor; the
    // middle shuffle matches them, with (0, 0) pads standing in only for a zero total of flavor 0.
    const absentOk = (t: SignedInteger | undefined) => t === undefined && f === 0n;
    const same =
      (tin !== undefined && tout !== undefined && tin.equals(tout)) ||
      (absentOk(tin) && tout?.isZero() === true) ||
      (absentOk(tout) && tin?.isZero() === true);
    if (!same)
      throw new CloakError(CloakCode.UNBALANCED, {
        what:
          tin === undefined
            ? "flavor only among outputs"
            : tout === undefined
              ? "flavor only among inputs"
              : "flavor totals differ",
        flavor: flavorHex(f),
        inputTotal: tin?.value ?? 0n,
        outputTotal: tout?.value ?? 0n,
      });
  }
}

function totalsByFlavor(values: readonly Value[]): Map<bigint, SignedInteger> {
  const totals = new Map<bigint, SignedInteger>();
  for (const v of values) {
    const prev = totals.get(v.f) ?? SignedInteger.ZERO;
    const sum = prev.add(v.q);
    if (sum === undefined)
      throw new CloakError(CloakCode.INTEGER_OVERFLOW, {
        what: "sum of one flavor",
        flavor: flavorHex(v.f),
        value: prev.value + v.q.value,
      });
    totals.set(v.f, sum);
  }
  return totals;
}

/** Multipliers and constraints of a gadget, per phase. */
export interface GadgetSize {
  readonly phaseOneMultipliers: number;
  readonly phaseTwoMultipliers: number;
  readonly phaseOneConstraints: number;
  readonly phaseTwoConstraints: number;
}

/**
 * Size of the cloak gadget for M inputs and N outputs (before padding to a power of two), e.g.
 * 64 + 0 multipliers for 1×1 and 136 + 14 for 2×2. Lets callers check generator capacity before
 * proving. RangeError unless M, N ≥ 1 are safe integers.
 */
export function cloakSize(m: number, n: number): GadgetSize {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`cloakSize: bad m ${m}`);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`cloakSize: bad n ${n}`);
  const k = Math.max(m, n);
  const mixValues = (j: number) => (j === 1 ? 0 : 3 * j - 2);
  const shuffleMuls = (j: number) => (j === 1 ? 0 : 3 * j - 2);
  const shuffleConstraintsOne = (j: number) => (j === 1 ? 2 : 0);
  const shuffleConstraintsTwo = (j: number) => (j === 1 ? 0 : 2 * j + 4 * (j - 1) + 1);
  const bits = RANGE_PROOF_BITS;
  return {
    phaseOneMultipliers: mixValues(m) + mixValues(n) + (k - Math.min(m, n)) + n * bits,
    phaseTwoMultipliers: m - 1 + (n - 1) + shuffleMuls(m) + shuffleMuls(k) + shuffleMuls(n),
    phaseOneConstraints:
      shuffleConstraintsOne(m) +
      2 * (k - Math.min(m, n)) +
      shuffleConstraintsOne(k) +
      shuffleConstraintsOne(n) +
      n * (2 * bits + 1),
    phaseTwoConstraints:
      3 * (m - 1 + (n - 1)) + shuffleConstraintsTwo(m) + shuffleConstraintsTwo(k) + shuffleConstraintsTwo(n),
  };
}
