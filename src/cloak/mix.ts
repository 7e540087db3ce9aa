/**
 * Mix gadgets of Cloak (stellar/slingshot `spacesuit/spec.md`, "Mix", "K-mix", "K-merge",
 * "K-split", "Computing assignments").
 *
 * A mix (A, B) → (C, D) either moves the values (C = A, D = B) or merges them (C = 0, A and B of
 * one flavor, D = A + B). A k-mix chains k-1 mixes. Its k inputs, k-2 middle values and k outputs
 * are fresh values allocated by the gadget (one multiplier each, in that order: inputs, middles,
 * outputs); the caller connects the inputs to the original values with a shuffle. On the prover the
 * gadget also computes their assignments: the inputs grouped by flavor, then within each group the
 * quantities summed into the group's last value and the others zeroed.
 *
 * Each mix is a randomized callback drawing w ("mix challenge") and adding one multiplier
 *     left  = (A.q-C.q) + (A.f-C.f)·w + (B.q-D.q)·w² + (B.f-D.f)·w³
 *     right = C.q + (A.f-B.f)·w + (D.q-A.q-B.q)·w² + (D.f-A.f)·w³
 * and the constraint left·right = 0, exactly as the reference (order matters for proof bytes).
 */
import type { ConstraintSystem } from "../bulletproofs/constraintSystem.js";
import { mul } from "../crypto/scalar.js";
import { CloakCode, CloakError } from "./errors.js";
import { MIX_CHALLENGE } from "./labels.js";
import {
  type AllocatedValue,
  allocateValue,
  assignmentsOf,
  flavorHex,
  type Value,
  ZERO_VALUE,
} from "./value.js";

/**
 * Mix(A, B, C, D): (C, D) equals (A, B), or C.q = 0 and D = A + B with A, B, D of one flavor
 * (C's flavor is then free; honest provers set it to 0). One phase-2 multiplier, three constraints.
 */
export function mix(
  cs: ConstraintSystem,
  a: AllocatedValue,
  b: AllocatedValue,
  c: AllocatedValue,
  d: AllocatedValue,
): void {
  cs.specifyRandomizedConstraints((rcs) => {
    const w = rcs.challengeScalar(MIX_CHALLENGE);
    const w2 = mul(w, w);
    const w3 = mul(w2, w);
    const [, , out] = rcs.multiply(
      a.q.sub(c.q).add(a.f.sub(c.f).mul(w)).add(b.q.sub(d.q).mul(w2)).add(b.f.sub(d.f).mul(w3)),
      c.q.toLc().add(a.f.sub(b.f).mul(w)).add(d.q.sub(a.q).sub(b.q).mul(w2)).add(d.f.sub(a.f).mul(w3)),
    );
    rcs.constrain(out);
  });
}

/** The fresh values of a k-mix: `inputs` feed the first mixes, `outputs` come out of them. */
export interface KMixValues {
  readonly inputs: readonly AllocatedValue[];
  readonly outputs: readonly AllocatedValue[];
}

/**
 * K-mix over `values` (k ≥ 1). For k = 1 there is nothing to mix: the value itself is both input
 * and output. Otherwise allocates k inputs, k-2 middles and k outputs (3k-2 phase-1 multipliers)
 * and chains k-1 mixes (k-1 phase-2 multipliers). The variables of `values` are not used: only
 * their assignments, on the prover, to compute the new values. The caller must prove that the
 * returned inputs are a permutation of `values` (the cloak gadget does so with a value shuffle).
 *
 * Prover errors: CLOAK_MISSING_ASSIGNMENT, CLOAK_INTEGER_OVERFLOW (a flavor's total leaves the
 * signed-integer range).
 */
export function kMix(cs: ConstraintSystem, values: readonly AllocatedValue[]): KMixValues {
  const k = values.length;
  if (k === 0)
    throw new CloakError(CloakCode.BAD_GADGET_INPUT, { what: "k-mix values", expected: 1, actual: 0 });
  if (k === 1) return { inputs: [values[0]!], outputs: [values[0]!] };

  let inputs: AllocatedValue[];
  let middles: AllocatedValue[];
  let outputs: AllocatedValue[];
  if (cs.isProver) {
    const grouped = groupByFlavor(assignmentsOf(values, "k-mix values"));
    const { middles: mid, outputs: out } = combineByFlavor(grouped);
    inputs = grouped.map((v) => allocateValue(cs, v));
    middles = mid.map((v) => allocateValue(cs, v));
    outputs = out.map((v) => allocateValue(cs, v));
  } else {
    inputs = Array.from({ length: k }, () => allocateValue(cs));
    middles = Array.from({ length: k - 2 }, () => allocateValue(cs));
    outputs = Array.from({ length: k }, () => allocateValue(cs));
  }

  // Mix i: A = (inputs[0] ‖ middles)[i], B = inputs[i+1], C = outputs[i], D = (middles ‖ outputs[k-1])[i].
  for (let i = 0; i < k - 1; i++) {
    const a = i === 0 ? inputs[0]! : middles[i - 1]!;
    const d = i === k - 2 ? outputs[k - 1]! : middles[i]!;
    mix(cs, a, inputs[i + 1]!, outputs[i]!, d);
  }
  return { inputs, outputs };
}

/** K-merge: a k-mix in the same direction. Returns the fresh inputs and outputs. */
export function kMerge(cs: ConstraintSystem, values: readonly AllocatedValue[]): KMixValues {
  return kMix(cs, values);
}

/**
 * K-split: a k-mix run backwards. `values` are reversed and mixed; the mix outputs become the split
 * inputs and the mix inputs the split outputs (so the split outputs are a permutation of the
 * reversed `values`, grouped by flavor).
 */
export function kSplit(cs: ConstraintSystem, values: readonly AllocatedValue[]): KMixValues {
  const { inputs, outputs } = kMix(cs, values.slice().reverse());
  return { inputs: outputs, outputs: inputs };
}

/**
 * Groups values by flavor, flavors in order of first appearance and values within a flavor in
 * their original order (any grouping satisfies the gadget; this one is deterministic).
 */
export function groupByFlavor(values: readonly Value[]): Value[] {
  const groups = new Map<bigint, Value[]>();
  for (const v of values) {
    const g = groups.get(v.f);
    if (g === undefined) groups.set(v.f, [v]);
    else g.push(v);
  }
  return [...groups.values()].flat();
}

/**
 * The prover's assignment of a k-mix (k ≥ 2) over `grouped` values: walking the chain, a mix of two
 * values of one flavor outputs C = 0 and carries D = A + B; otherwise it outputs C = A and carries
 * D = B. Returns the k-2 middle values and the k outputs (the last carried value is the last output).
 */
export function combineByFlavor(grouped: readonly Value[]): { middles: Value[]; outputs: Value[] } {
  const carried: Value[] = [];
  const outputs: Value[] = [];
  let a = grouped[0]!;
  for (let i = 1; i < grouped.length; i++) {
    const b = grouped[i]!;
    let d: Value;
    if (a.f === b.f) {
      const q = a.q.add(b.q);
      if (q === undefined)
        throw new CloakError(CloakCode.INTEGER_OVERFLOW, {
          what: "sum of one flavor",
          flavor: flavorHex(a.f),
          value: a.q.value + b.q.value,
        });
      outputs.push(ZERO_VALUE);
      d = { q, f: a.f };
    } else {
      outputs.push(a);
      d = b;
    }
    carried.push(d);
    a = d;
  }
  outputs.push(carried.pop()!);
  return { middles: carried, outputs };
}
