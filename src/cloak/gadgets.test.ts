/**
 * The building blocks (shuffles, pad, mix, k-mix, merge, split, range proof) on the checking
 * constraint system: satisfiable on honest witnesses, unsatisfiable — at the expected constraint —
 * on dishonest ones, with the reference's multiplier counts and challenge labels.
 */
import { describe, expect, it } from "vitest";
import { R1csCode } from "../bulletproofs/errors.js";
import type { Variable } from "../bulletproofs/linearCombination.js";
import { L } from "../crypto/scalar.js";
import { CheckingConstraintSystem } from "./checkingCs.js";
import { CloakCode } from "./errors.js";
import { K_VALUE_SHUFFLE_CHALLENGE, MIX_CHALLENGE, SHUFFLE_CHALLENGE } from "./labels.js";
import { combineByFlavor, groupByFlavor, kMerge, kMix, kSplit, mix } from "./mix.js";
import { rangeProof } from "./rangeProof.js";
import { pad, paddedShuffle, scalarShuffle, valueShuffle } from "./shuffle.js";
import { SIGNED_INTEGER_MAX, SignedInteger } from "./signedInteger.js";
import {
  type AllocatedValue,
  allocatedValue,
  makeValue,
  type Value,
  valuesEqual,
  ZERO_VALUE,
} from "./value.js";

const YUAN = 888n;
const PESO = 666n;
const EURO = 444n;
const yuan = (q: number | bigint) => makeValue(q, YUAN);
const peso = (q: number | bigint) => makeValue(q, PESO);
const euro = (q: number | bigint) => makeValue(q, EURO);
const zero = () => ZERO_VALUE;

function commitAll(cs: CheckingConstraintSystem, values: readonly Value[]): AllocatedValue[] {
  return values.map((v) => allocatedValue(cs.commit(v.q.toScalar()), cs.commit(v.f), v));
}

function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("k-scalar shuffle", () => {
  const run = (x: number[], y: number[]) => {
    const cs = new CheckingConstraintSystem();
    const xv = x.map((s) => cs.commit(BigInt(s)));
    const yv = y.map((s) => cs.commit(BigInt(s)));
    cs.specifyRandomizedConstraints((rcs) => scalarShuffle(rcs, xv, yv));
    const bad = cs.firstUnsatisfied();
    return { ok: bad === undefined, cs, bad };
  };

  it("accepts permutations, k = 1..5, with 2(k-1) multipliers and one challenge", () => {
    const cases: [number[], number[]][] = [
      [[3], [3]],
      [
        [3, 6],
        [6, 3],
      ],
      [
        [6, 6],
        [6, 6],
      ],
      [
        [3, 6, 10],
        [10, 3, 6],
      ],
      [
        [3, 6, 10, 15],
        [15, 6, 10, 3],
      ],
      [
        [3, 6, 10, 15, 17],
        [10, 17, 3, 15, 6],
      ],
    ];
    for (const [x, y] of cases) {
      const { ok, cs } = run(x, y);
      expect(ok).toBe(true);
      const k = x.length;
      expect(cs.metrics().phaseTwoMultipliers).toBe(2 * (k - 1));
      expect(cs.challengeLabels).toEqual(k === 1 ? [] : [SHUFFLE_CHALLENGE]);
    }
  });

  it("rejects non-permutations at the final equality", () => {
    const cases: [number[], number[]][] = [
      [[3], [6]],
      [
        [3, 3],
        [6, 3],
      ],
      [
        [3, 6, 10],
        [30, 6, 10],
      ],
      [
        [3, 6, 10, 15],
        [3, 6, 10, 3],
      ],
      [
        [3, 6, 10, 15, 17],
        [3, 6, 10, 15, 3],
      ],
    ];
    for (const [x, y] of cases) {
      const { ok, cs, bad } = run(x, y);
      expect(ok).toBe(false);
      expect(bad?.index).toBe(cs.metrics().constraints - 1);
    }
  });

  it("must-fail: lists of different lengths or empty", () => {
    const cs = new CheckingConstraintSystem();
    const a = cs.commit(1n);
    cs.specifyRandomizedConstraints((rcs) => {
      expect(thrownCode(() => scalarShuffle(rcs, [a, a], [a]))).toBe(CloakCode.BAD_GADGET_INPUT);
      expect(thrownCode(() => scalarShuffle(rcs, [], []))).toBe(CloakCode.BAD_GADGET_INPUT);
    });
    cs.runPhaseTwo();
  });
});

describe("k-value shuffle", () => {
  const run = (x: Value[], y: Value[]) => {
    const cs = new CheckingConstraintSystem();
    valueShuffle(cs, commitAll(cs, x), commitAll(cs, y));
    return { cs, ok: cs.firstUnsatisfied() === undefined };
  };

  it("accepts permutations of values (3k-2 phase-2 multipliers; k = 1 uses two phase-1 constraints)", () => {
    expect(run([peso(1)], [peso(1)]).ok).toBe(true);
    const one = run([yuan(4)], [yuan(4)]).cs;
    expect(one.metrics()).toMatchObject({ multipliers: 0, phaseOneConstraints: 2, constraints: 2 });
    expect(one.challengeLabels).toEqual([]);
    expect(run([peso(1), yuan(4)], [yuan(4), peso(1)]).ok).toBe(true);
    expect(run([yuan(4), yuan(4)], [yuan(4), yuan(4)]).ok).toBe(true);
    const perms = [
      [peso(1), yuan(4), euro(8)],
      [euro(8), peso(1), yuan(4)],
      [yuan(4), euro(8), peso(1)],
      [euro(8), yuan(4), peso(1)],
    ];
    for (const p of perms) {
      const { cs, ok } = run([peso(1), yuan(4), euro(8)], p);
      expect(ok).toBe(true);
      expect(cs.metrics()).toMatchObject({ phaseOneMultipliers: 0, phaseTwoMultipliers: 7 });
      expect(cs.challengeLabels).toEqual([K_VALUE_SHUFFLE_CHALLENGE, SHUFFLE_CHALLENGE]);
    }
  });

  it("must-fail: a changed quantity, a changed flavor, or swapped quantity/flavor", () => {
    expect(run([peso(1)], [yuan(1)]).ok).toBe(false);
    expect(run([peso(1)], [peso(2)]).ok).toBe(false);
    expect(run([peso(1), peso(1)], [yuan(4), peso(1)]).ok).toBe(false);
    expect(run([peso(1), yuan(4), euro(8)], [makeValue(999, 222n), yuan(4), euro(8)]).ok).toBe(false);
    expect(run([peso(1), yuan(4), euro(8)], [peso(1), yuan(8), euro(4)]).ok).toBe(false);
    // (q, f) = (666, 1) is not (1, 666).
    expect(run([peso(1), yuan(4)], [makeValue(666, 1n), yuan(4)]).ok).toBe(false);
  });

  it("must-fail: lists of different lengths", () => {
    const cs = new CheckingConstraintSystem();
    expect(
      thrownCode(() => valueShuffle(cs, commitAll(cs, [peso(1)]), commitAll(cs, [peso(1), peso(1)]))),
    ).toBe(CloakCode.BAD_GADGET_INPUT);
  });
});

describe("pad and padded shuffle", () => {
  const run = (x: Value[], y: Value[]) => {
    const cs = new CheckingConstraintSystem();
    paddedShuffle(cs, commitAll(cs, x), commitAll(cs, y));
    return { cs, ok: cs.firstUnsatisfied() === undefined };
  };

  it("pad is one multiplier and two constraints, satisfied by (0, 0)", () => {
    const cs = new CheckingConstraintSystem();
    const v = pad(cs);
    expect(v.assignment).toEqual(ZERO_VALUE);
    expect(cs.metrics()).toMatchObject({ multipliers: 1, constraints: 2 });
    expect(cs.firstUnsatisfied()).toBeUndefined();
  });

  it("accepts reorderings that add or drop zero values", () => {
    expect(run([peso(1), zero(), yuan(4)], [peso(1), yuan(4)]).ok).toBe(true);
    expect(run([peso(1), yuan(4)], [zero(), yuan(4), zero(), peso(1)]).ok).toBe(true);
    expect(run([yuan(4), zero(), zero(), yuan(4)], [zero(), yuan(4), yuan(4)]).ok).toBe(true);
    expect(run([yuan(1), yuan(4), peso(8)], [yuan(1), zero(), peso(8), zero(), yuan(4)]).ok).toBe(true);
    const { cs } = run([yuan(1), yuan(4), zero(), peso(8)], [zero(), zero(), yuan(4), yuan(1), peso(8)]);
    // One pad: one phase-1 multiplier and two constraints, then a 5-value shuffle.
    expect(cs.metrics()).toMatchObject({
      phaseOneMultipliers: 1,
      phaseOneConstraints: 2,
      phaseTwoMultipliers: 13,
    });
  });

  it("must-fail: a changed value, or a non-zero quantity of flavor 0 standing for a pad", () => {
    expect(run([peso(1), yuan(4)], [yuan(4), peso(2)]).ok).toBe(false);
    expect(run([yuan(1), yuan(4), peso(8)], [zero(), makeValue(1, 0n), yuan(4), yuan(1), peso(8)]).ok).toBe(
      false,
    );
    // A zero quantity with a non-zero flavor is not a pad either.
    expect(run([yuan(1)], [yuan(1), yuan(0)]).ok).toBe(false);
  });

  it("must-fail: an empty side", () => {
    const cs = new CheckingConstraintSystem();
    expect(thrownCode(() => paddedShuffle(cs, [], commitAll(cs, [peso(1)])))).toBe(
      CloakCode.BAD_GADGET_INPUT,
    );
  });
});

describe("mix", () => {
  const run = (a: Value, b: Value, c: Value, d: Value) => {
    const cs = new CheckingConstraintSystem();
    const [va, vb, vc, vd] = commitAll(cs, [a, b, c, d]);
    mix(cs, va!, vb!, vc!, vd!);
    return { cs, ok: cs.firstUnsatisfied() === undefined };
  };

  it("accepts a move and a merge: one phase-2 multiplier, three constraints, one challenge", () => {
    const moved = run(peso(3), yuan(6), peso(3), yuan(6));
    expect(moved.ok).toBe(true);
    expect(moved.cs.metrics()).toMatchObject({ phaseTwoMultipliers: 1, phaseTwoConstraints: 3 });
    expect(moved.cs.challengeLabels).toEqual([MIX_CHALLENGE]);
    expect(run(peso(3), peso(6), zero(), peso(9)).ok).toBe(true);
    expect(run(peso(3), peso(6), peso(3), peso(6)).ok).toBe(true);
    // In a merge the verifier lets C's flavor be anything (the spec says so).
    expect(run(peso(3), peso(6), makeValue(0, EURO), peso(9)).ok).toBe(true);
    // Negative quantities (wide inputs) merge too.
    expect(run(peso(-3), peso(6), zero(), peso(3)).ok).toBe(true);
  });

  it("must-fail: merging two flavors, a wrong sum, a non-zero C, a half move", () => {
    expect(run(peso(3), yuan(6), zero(), peso(9)).ok).toBe(false);
    expect(run(peso(3), peso(6), zero(), peso(10)).ok).toBe(false);
    expect(run(peso(3), peso(6), peso(1), peso(8)).ok).toBe(false);
    expect(run(peso(3), yuan(6), peso(3), yuan(7)).ok).toBe(false);
    expect(run(peso(3), yuan(6), peso(3), peso(6)).ok).toBe(false);
    expect(run(peso(3), peso(6), zero(), yuan(9)).ok).toBe(false);
  });
});

describe("k-mix, k-merge, k-split", () => {
  it("groups by flavor (first appearance) and sums into the group's last value", () => {
    const grouped = groupByFlavor([peso(1), yuan(2), peso(3), euro(4), yuan(5)]);
    expect(grouped.map((v) => [v.q.value, v.f])).toEqual([
      [1n, PESO],
      [3n, PESO],
      [2n, YUAN],
      [5n, YUAN],
      [4n, EURO],
    ]);
    const { middles, outputs } = combineByFlavor(grouped);
    expect(middles.map((v) => [v.q.value, v.f])).toEqual([
      [4n, PESO],
      [2n, YUAN],
      [7n, YUAN],
    ]);
    expect(outputs.map((v) => [v.q.value, v.f])).toEqual([
      [0n, 0n],
      [4n, PESO],
      [0n, 0n],
      [7n, YUAN],
      [4n, EURO],
    ]);
  });

  it("must-fail: a flavor total beyond the signed-integer range", () => {
    const max = SIGNED_INTEGER_MAX;
    expect(thrownCode(() => combineByFlavor([peso(max), peso(1)]))).toBe(CloakCode.INTEGER_OVERFLOW);
    // The same magnitudes in different flavors do not add up.
    expect(() => combineByFlavor([peso(max), yuan(1)])).not.toThrow();
  });

  it("k-mix allocates 3k-2 values then k-1 mixes, the same on both sides", () => {
    for (let k = 1; k <= 6; k++) {
      const values = Array.from({ length: k }, (_, i) => [peso, yuan, euro][i % 3]!(i + 1));
      const prover = new CheckingConstraintSystem();
      const ins = commitAll(prover, values);
      const res = kMix(prover, ins);
      const verifier = new CheckingConstraintSystem({ isProver: false });
      const vins = values.map(() => allocatedValue(verifier.commit(), verifier.commit()));
      const vres = kMix(verifier, vins);
      prover.runPhaseTwo();
      verifier.runPhaseTwo();
      expect(prover.firstUnsatisfied()).toBeUndefined();
      const mults = k === 1 ? 0 : 3 * k - 2;
      expect(prover.metrics()).toMatchObject({ phaseOneMultipliers: mults, phaseTwoMultipliers: k - 1 });
      expect(verifier.metrics()).toEqual(prover.metrics());
      expect(prover.challengeLabels).toEqual(Array(k - 1).fill(MIX_CHALLENGE));
      expect(vres.inputs.length).toBe(k);
      expect(vres.outputs.length).toBe(k);
      expect(vres.inputs.every((v) => v.assignment === undefined)).toBe(true);
      if (k === 1) expect(res.inputs[0]).toBe(ins[0]);
    }
  });

  it("merge leaves one total per flavor; split is a merge run backwards", () => {
    const cs = new CheckingConstraintSystem();
    const values = [peso(1), yuan(2), peso(3), yuan(4)];
    const merged = kMerge(cs, commitAll(cs, values));
    const totals = merged.outputs.map((v) => v.assignment!).filter((v) => !valuesEqual(v, ZERO_VALUE));
    expect(totals.map((v) => [v.q.value, v.f])).toEqual([
      [4n, PESO],
      [6n, YUAN],
    ]);
    const split = kSplit(cs, commitAll(cs, values));
    // Split inputs carry the totals, split outputs the values grouped by flavor (of the reversed list).
    const splitIns = split.inputs.map((v) => v.assignment!).filter((v) => !valuesEqual(v, ZERO_VALUE));
    expect(splitIns.map((v) => [v.q.value, v.f])).toEqual([
      [6n, YUAN],
      [4n, PESO],
    ]);
    expect(split.outputs.map((v) => v.assignment!.q.value)).toEqual([4n, 2n, 3n, 1n]);
    expect(cs.firstUnsatisfied()).toBeUndefined();
  });

  it("must-fail: no values, or a prover value without assignment", () => {
    const cs = new CheckingConstraintSystem();
    expect(thrownCode(() => kMix(cs, []))).toBe(CloakCode.BAD_GADGET_INPUT);
    const a = allocatedValue(cs.commit(1n), cs.commit(2n));
    const b = commitAll(cs, [peso(1)])[0]!;
    expect(thrownCode(() => kMix(cs, [b, a]))).toBe(CloakCode.MISSING_ASSIGNMENT);
  });
});

describe("range proof", () => {
  const MAX = SIGNED_INTEGER_MAX;
  const prove = (q: bigint, bits = 64) => {
    const cs = new CheckingConstraintSystem();
    const v = cs.commit(q);
    rangeProof(cs, v, SignedInteger.from(q), bits);
    return { cs, v };
  };

  it("accepts 0, 1, 2^64-1 with 64 multipliers and 129 constraints", () => {
    for (const q of [0n, 1n, 2n, 0xdead_beefn, MAX]) {
      const { cs } = prove(q);
      expect(cs.firstUnsatisfied()).toBeUndefined();
      expect(cs.metrics()).toMatchObject({ multipliers: 64, phaseOneMultipliers: 64, constraints: 129 });
    }
  });

  it("narrower ranges: n bits, n multipliers, 2n+1 constraints", () => {
    for (const bits of [0, 1, 2, 10, 32, 63]) {
      const top = (1n << BigInt(bits)) - 1n;
      const { cs } = prove(top, bits);
      expect(cs.firstUnsatisfied()).toBeUndefined();
      expect(cs.metrics()).toMatchObject({ multipliers: bits, constraints: 2 * bits + 1 });
      expect(thrownCode(() => prove(top + 1n, bits))).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
    }
    expect(() => prove(0n, 65)).toThrow(RangeError);
    expect(() => prove(0n, 1.5)).toThrow(RangeError);
  });

  it("must-fail (prover): negative or ≥ 2^64, or no assignment", () => {
    const cs = new CheckingConstraintSystem();
    const v = cs.commit(0n);
    expect(thrownCode(() => rangeProof(cs, v, SignedInteger.from(-1)))).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
    expect(thrownCode(() => rangeProof(cs, v, 1n << 64n))).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
    expect(thrownCode(() => rangeProof(cs, v, undefined))).toBe(CloakCode.MISSING_ASSIGNMENT);
  });

  it("must-fail (constraints): a committed value of 2^64 or -1 has no valid bits", () => {
    // A cheating prover computes bits of q mod 2^64; only the final sum constraint (index 128) fails.
    for (const [claimed, actual] of [
      [1n << 64n, 1n << 64n],
      [-1n, L - 1n],
      [-MAX, L - MAX],
    ] as const) {
      const cs = new CheckingConstraintSystem();
      const v = cs.commit(actual);
      rangeProof(cs, v, claimed, 64, { checkWitness: false });
      expect(cs.firstUnsatisfied()).toMatchObject({ index: 128, phase: 1 });
      expect(thrownCode(() => cs.assertSatisfied())).toBe(R1csCode.UNSATISFIED_CONSTRAINT);
    }
    // An honest proof for 5 no longer holds once the commitment says 5 + 2^64.
    const { cs, v } = prove(5n);
    cs.setCommitted(v.index, 5n + (1n << 64n));
    expect(cs.firstUnsatisfied()?.index).toBe(128);
  });

  it("works on linear combinations (user-style constraints: range of a - b)", () => {
    const cs = new CheckingConstraintSystem();
    const a = cs.commit(100n);
    const b = cs.commit(58n);
    rangeProof(cs, a.sub(b), 42n, 8);
    expect(cs.firstUnsatisfied()).toBeUndefined();
    const cs2 = new CheckingConstraintSystem();
    const a2 = cs2.commit(58n);
    const b2 = cs2.commit(100n);
    // 58 - 100 = -42 is not in range: the prover refuses, and bits of -42 mod 2^8 do not add up.
    expect(thrownCode(() => rangeProof(cs2, a2.sub(b2), -42n, 8))).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
    rangeProof(cs2, a2.sub(b2), -42n, 8, { checkWitness: false });
    expect(cs2.firstUnsatisfied()?.index).toBe(16);
  });

  it("verifier side allocates the same multipliers without assignments", () => {
    const cs = new CheckingConstraintSystem({ isProver: false });
    const v: Variable = cs.commit();
    rangeProof(cs, v, undefined);
    expect(cs.metrics()).toMatchObject({ multipliers: 64, constraints: 129 });
    expect(() => cs.firstUnsatisfied()).toThrow(TypeError);
  });
});
