/**
 * The cloak transaction gadget on the checking constraint system (cheap: no curve operations).
 *
 * Split of the test work (see also cloakProof.test.ts): every M×N for 1 ≤ M, N ≤ 4, plus 6×6 and
 * 1×8, runs here as a constraint-satisfaction check of the prover's assignment, with multiplier,
 * constraint and challenge-label checks on both prover and verifier sides. Real prove → verify
 * round trips run for a representative subset in cloakProof.test.ts, where each proof costs
 * hundreds of milliseconds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../util/rng.js";
import { randomWitness } from "./_testWitness.js";
import { CheckingConstraintSystem } from "./checkingCs.js";
import { cloak, cloakSize } from "./cloak.js";
import { CloakCode, type CloakError } from "./errors.js";
import trace from "./fixtures/zkvm_trace.json" with { type: "json" };
import { K_VALUE_SHUFFLE_CHALLENGE, MIX_CHALLENGE, SHUFFLE_CHALLENGE } from "./labels.js";
import { SignedInteger } from "./signedInteger.js";
import { type AllocatedValue, allocatedValue, flavorHex, makeValue, type Value } from "./value.js";

const A = 0xa11cen;
const B = 0xb0bn;
const C = 0xc0ffeen;

function commitAll(cs: CheckingConstraintSystem, values: readonly Value[]): AllocatedValue[] {
  return values.map((v) => allocatedValue(cs.commit(v.q.toScalar()), cs.commit(v.f), v));
}

/** Runs the gadget on a prover-mode checker; returns the checker and the first violated constraint. */
function runProver(inputs: Value[], outputs: Value[], checkWitness = true) {
  const cs = new CheckingConstraintSystem();
  const ins = commitAll(cs, inputs);
  const outs = commitAll(cs, outputs);
  cloak(cs, ins, outs, { checkWitness });
  return { cs, ins, outs, bad: cs.firstUnsatisfied() };
}

function runVerifier(m: number, n: number) {
  const cs = new CheckingConstraintSystem({ isProver: false });
  const mk = (k: number) => Array.from({ length: k }, () => allocatedValue(cs.commit(), cs.commit()));
  cloak(cs, mk(m), mk(n));
  cs.runPhaseTwo();
  return cs;
}

/** The challenge labels the reference draws for M×N, derived from the spec's gadget order. */
function expectedLabels(m: number, n: number): string[] {
  const out: string[] = [...Array(m - 1 + n - 1).fill(MIX_CHALLENGE)];
  for (const k of [m, Math.max(m, n), n]) if (k > 1) out.push(K_VALUE_SHUFFLE_CHALLENGE, SHUFFLE_CHALLENGE);
  return out;
}

function caught(f: () => unknown): CloakError {
  try {
    f();
  } catch (e) {
    return e as CloakError;
  }
  throw new Error("expected an error");
}

describe("cloak gadget: reference shapes (zkvm_trace.json)", () => {
  const shapes: Record<string, [number, number]> = { spend_1_1: [1, 1], payment_2_2: [2, 2] };
  for (const tx of trace.txs) {
    const [m, n] = shapes[tx.name]!;
    it(`${tx.name}: multipliers, constraints and challenge labels match the reference`, () => {
      const s = tx.r1cs.sizes;
      const cs = runVerifier(m, n);
      expect(cs.metrics()).toMatchObject({
        phaseOneMultipliers: s.n1_phase1_multipliers,
        phaseTwoMultipliers: s.n2_phase2_multipliers,
        phaseOneConstraints: s.phase1_linear_constraints,
        constraints: s.total_linear_constraints,
      });
      expect(cloakSize(m, n)).toEqual({
        phaseOneMultipliers: s.n1_phase1_multipliers,
        phaseTwoMultipliers: s.n2_phase2_multipliers,
        phaseOneConstraints: s.phase1_linear_constraints,
        phaseTwoConstraints: s.total_linear_constraints - s.phase1_linear_constraints,
      });
      // The gadget's challenges are everything drawn before the R1CS protocol's own "y".
      const labels = tx.r1cs.challenges_in_order.map((c) => c.label);
      expect(cs.challengeLabels).toEqual(labels.slice(0, labels.indexOf("y")));
    });
  }
  it("2×2 labels interleave: each shuffle draws its k-value challenge, then its scalar challenge", () => {
    expect(runVerifier(2, 2).challengeLabels).toEqual([
      MIX_CHALLENGE,
      MIX_CHALLENGE,
      K_VALUE_SHUFFLE_CHALLENGE,
      SHUFFLE_CHALLENGE,
      K_VALUE_SHUFFLE_CHALLENGE,
      SHUFFLE_CHALLENGE,
      K_VALUE_SHUFFLE_CHALLENGE,
      SHUFFLE_CHALLENGE,
    ]);
  });
});

describe("cloak gadget: M×N grid", () => {
  const shapes: [number, number][] = [];
  for (let m = 1; m <= 4; m++) for (let n = 1; n <= 4; n++) shapes.push([m, n]);
  shapes.push([6, 6], [1, 8], [8, 1]);
  const rng = seededRng("cloak grid");

  for (const [m, n] of shapes) {
    it(`${m}×${n}: satisfiable, same structure on both sides, expected sizes and labels`, () => {
      for (let round = 0; round < 3; round++) {
        const { inputs, outputs } = randomWitness(rng, m, n);
        const { cs, bad } = runProver(inputs, outputs);
        expect(bad).toBeUndefined();
        const ver = runVerifier(m, n);
        expect(ver.metrics()).toEqual(cs.metrics());
        expect(ver.challengeLabels).toEqual(cs.challengeLabels);
        expect(cs.challengeLabels).toEqual(expectedLabels(m, n));
        const size = cloakSize(m, n);
        expect(cs.metrics()).toMatchObject(size);
      }
    });
  }

  it("single values, identical flavors, negative (wide) inputs, zero quantities, flavor 0", () => {
    const cases: [Value[], Value[]][] = [
      [[makeValue(7, A)], [makeValue(7, A)]],
      [[makeValue(0, A)], [makeValue(0, A)]],
      [
        [makeValue(-5, A), makeValue(12, A)],
        [makeValue(7, A), makeValue(0, A)],
      ],
      [
        [makeValue(5, A), makeValue(3, B)],
        [makeValue(3, B), makeValue(5, A)],
      ],
      [[makeValue(10, A)], [makeValue(1, A), makeValue(2, A), makeValue(3, A), makeValue(4, A)]],
      [[makeValue(1, A), makeValue(2, A), makeValue(3, A), makeValue(4, A)], [makeValue(10, A)]],
      [
        [makeValue(SignedInteger.from((1n << 64n) - 1n), C), makeValue(1, B)],
        [makeValue(1, B), makeValue((1n << 64n) - 1n, C)],
      ],
      // A zero of flavor 0 on one side only is absorbed by the pads.
      [[makeValue(4, A), makeValue(0, 0n)], [makeValue(4, A)]],
      [[makeValue(4, A)], [makeValue(0, 0n), makeValue(4, A)]],
    ];
    for (const [ins, outs] of cases) expect(runProver(ins, outs).bad).toBeUndefined();
  });
});

describe("cloak gadget: must-fail", () => {
  const middleShuffleEnd = (m: number, n: number) => {
    // Phase-2 constraints: 3 per mix, then the first shuffle, then the middle one (6k-3 each, k ≥ 2).
    const s = cloakSize(m, n);
    const vs = (k: number) => (k === 1 ? 0 : 6 * k - 3);
    return s.phaseOneConstraints + 3 * (m - 1 + n - 1) + vs(m) + vs(Math.max(m, n)) - 1;
  };

  it("unbalanced quantities: prover refuses; a cheating assignment breaks the middle shuffle", () => {
    const ins = [makeValue(5, A), makeValue(3, A)];
    const outs = [makeValue(5, A), makeValue(4, A)];
    const e = caught(() => runProver(ins, outs));
    expect(e.code).toBe(CloakCode.UNBALANCED);
    expect(e.meta).toMatchObject({
      what: "flavor totals differ",
      flavor: flavorHex(A),
      inputTotal: 8n,
      outputTotal: 9n,
    });
    const { bad } = runProver(ins, outs, false);
    expect(bad).toMatchObject({ phase: 2, index: middleShuffleEnd(2, 2) });
  });

  it("one flavor turned into another: prover refuses; the constraints reject it", () => {
    const ins = [makeValue(5, A), makeValue(3, B)];
    const outs = [makeValue(5, A), makeValue(3, C)];
    const e = caught(() => runProver(ins, outs));
    expect(e.code).toBe(CloakCode.UNBALANCED);
    expect(e.meta).toMatchObject({ what: "flavor only among inputs", flavor: flavorHex(B) });
    expect(runProver(ins, outs, false).bad).toMatchObject({ phase: 2, index: middleShuffleEnd(2, 2) });
    // 1×1: the flavor constraint of the (unrandomized) middle shuffle fails at once.
    const one = runProver([makeValue(5, A)], [makeValue(5, B)], false);
    expect(one.bad).toMatchObject({ phase: 1, index: 3 });
  });

  it("a flavor with zero total missing from the outputs cannot be proven (as in the reference)", () => {
    const e = caught(() =>
      runProver([makeValue(-5, A), makeValue(5, A), makeValue(2, B)], [makeValue(2, B)]),
    );
    expect(e.code).toBe(CloakCode.UNBALANCED);
    expect(e.meta).toMatchObject({ what: "flavor only among inputs", inputTotal: 0n, outputTotal: 0n });
    // Adding a zero output of that flavor fixes it.
    expect(
      runProver([makeValue(-5, A), makeValue(5, A), makeValue(2, B)], [makeValue(2, B), makeValue(0, A)]).bad,
    ).toBeUndefined();
  });

  it("a negative output: prover refuses; otherwise its range proof fails", () => {
    const ins = [makeValue(5, A)];
    const outs = [makeValue(8, A), makeValue(-3, A)];
    const e = caught(() => runProver(ins, outs));
    expect(e.code).toBe(CloakCode.QUANTITY_OUT_OF_RANGE);
    expect(e.meta).toMatchObject({ index: 1, value: -3n });
    const { cs, bad } = runProver(ins, outs, false);
    // Only the last output's range proof (its final sum, the last phase-1 constraint) fails.
    expect(bad).toMatchObject({ phase: 1, index: cs.metrics().phaseOneConstraints - 1 });
    expect(cs.allUnsatisfied()).toHaveLength(1);
  });

  it("an output quantity of 2^64: not a signed integer; a commitment to it fails its range proof", () => {
    expect(caught(() => makeValue(1n << 64n, A)).code).toBe(CloakCode.INTEGER_OVERFLOW);
    const { cs, outs } = runProver([makeValue(5, A)], [makeValue(5, A)]);
    cs.setCommitted(outs[0]!.q.index, 5n + (1n << 64n));
    const failing = cs.allUnsatisfied().map((u) => u.index);
    // The range proof's final sum (constraint 6 + 128) fails, as does the link to the input.
    expect(failing).toContain(6 + 128);
    expect(failing.length).toBeGreaterThan(0);
  });

  it("wrong commitments: changing any committed quantity or flavor breaks a constraint", () => {
    const rng = seededRng("wrong commitments");
    const { inputs, outputs } = randomWitness(rng, 3, 2, { flavors: 2 });
    const base = runProver(inputs, outputs);
    expect(base.bad).toBeUndefined();
    for (let i = 0; i < (inputs.length + outputs.length) * 2; i++) {
      const { cs, bad } = runProver(inputs, outputs);
      expect(bad).toBeUndefined();
      cs.setCommitted(i, 12345n);
      expect(cs.firstUnsatisfied()).toBeDefined();
    }
  });

  it("bad shapes and missing assignments", () => {
    const cs = new CheckingConstraintSystem();
    const one = commitAll(cs, [makeValue(1, A)]);
    expect(caught(() => cloak(cs, [], one)).code).toBe(CloakCode.BAD_GADGET_INPUT);
    expect(caught(() => cloak(cs, one, [])).code).toBe(CloakCode.BAD_GADGET_INPUT);
    const bare = [allocatedValue(cs.commit(1n), cs.commit(A))];
    expect(caught(() => cloak(cs, bare, one)).code).toBe(CloakCode.MISSING_ASSIGNMENT);
    expect(caught(() => cloak(cs, one, bare)).meta).toMatchObject({ what: "cloak outputs", index: 0 });
    const big = (1n << 64n) - 1n;
    expect(caught(() => runProver([makeValue(big, A), makeValue(big, A)], [makeValue(1, A)])).code).toBe(
      CloakCode.INTEGER_OVERFLOW,
    );
    expect(() => cloakSize(0, 1)).toThrow(RangeError);
  });
});

describe("cloak gadget: properties (seeded)", () => {
  const shape = fc.record({
    m: fc.integer({ min: 1, max: 5 }),
    n: fc.integer({ min: 1, max: 5 }),
    seed: fc.nat(),
  });

  it("every balanced random witness satisfies the gadget", () => {
    fc.assert(
      fc.property(shape, ({ m, n, seed }) => {
        const { inputs, outputs } = randomWitness(seededRng(`prop ${seed}`), m, n);
        expect(runProver(inputs, outputs).bad).toBeUndefined();
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it("bumping one output quantity or changing one output flavor is caught", () => {
    fc.assert(
      fc.property(shape, fc.nat(), fc.boolean(), ({ m, n, seed }, pick, flavor) => {
        const { inputs, outputs } = randomWitness(seededRng(`prop ${seed}`), m, n);
        const j = pick % outputs.length;
        const o = outputs[j]!;
        const tampered = outputs.slice();
        tampered[j] = flavor ? makeValue(o.q, o.f + 1n) : makeValue(o.q.value + 1n, o.f);
        expect(caught(() => runProver(inputs, tampered)).code).toBe(CloakCode.UNBALANCED);
        expect(runProver(inputs, tampered, false).bad).toBeDefined();
      }),
      { seed: 42, numRuns: 40 },
    );
  });
});
