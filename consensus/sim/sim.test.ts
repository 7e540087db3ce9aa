/**
 * Seeded simulator runs (≥ 200 in all): message loss, duplication and reordering; partitions that heal;
 * crashes with and without persisted state; byzantine nodes (equivocation, fake EXTERNALIZE, huge
 * counters, replays, garbage, silence). Every run must keep agreement, validity, finality and
 * monotonicity (checked by the simulator at every emission and externalization) and finish every slot
 * within a bounded virtual time after GST. Must-fail twins: a network without quorum intersection is
 * caught disagreeing; nodes that restart without their persisted state are caught contradicting
 * themselves. The long version is sim.slow.test.ts.
 */
import { describe, expect, it } from "vitest";
import { BYZANTINE_BEHAVIORS, type SimConfig, type SimResult, simulate } from "./simulator.js";
import { summarize } from "./summary.js";

function runAll(base: Omit<SimConfig, "seed">, count: number, tag: string): SimResult[] {
  const out: SimResult[] = [];
  for (let i = 0; i < count; i++) out.push(simulate({ ...base, seed: `${tag}-${i}` }));
  return out;
}

function expectHealthy(results: readonly SimResult[]): void {
  for (const r of results) {
    const where = `seed ${r.seed}`;
    expect(r.withinTolerance, where).toBe(true);
    expect(r.safetyViolations, where).toEqual([]);
    expect(r.livenessFailure, where).toBeNull();
    expect(
      r.decided.every((d) => d !== null),
      where,
    ).toBe(true);
    expect(r.selfContradictions.intact, where).toBe(0);
  }
}

const scenarios: { name: string; base: Omit<SimConfig, "seed">; runs: number }[] = [
  {
    name: "loss, duplication and reordering",
    base: { validators: 4, slots: 2, loss: 0.15, duplicate: 0.1, partitions: false },
    runs: 40,
  },
  { name: "partitions and heals", base: { validators: 5, slots: 2, loss: 0.05, partitions: true }, runs: 30 },
  {
    name: "crash and restart with persisted state",
    base: { validators: 4, slots: 2, faulty: 2, loss: 0.05 },
    runs: 30,
  },
  {
    name: "crash and restart without persisted state",
    base: { validators: 4, slots: 2, amnesiac: 1, faulty: 1 },
    runs: 30,
  },
  {
    name: "seven nodes, two byzantine, one crashing",
    base: { validators: 7, slots: 2, byzantine: 2, faulty: 1, loss: 0.1 },
    runs: 20,
  },
  {
    name: "organisations topology",
    base: { validators: 9, slots: 2, byzantine: 1, topology: "orgs", loss: 0.05 },
    runs: 10,
  },
];

describe("simulator: seeded runs", () => {
  for (const s of scenarios) {
    it(`${s.name} (${s.runs} runs)`, () => {
      expectHealthy(runAll(s.base, s.runs, s.name));
    });
  }
  for (const b of BYZANTINE_BEHAVIORS) {
    it(`byzantine ${b} (10 runs)`, () => {
      const results = runAll({ validators: 4, slots: 2, byzantine: 1, behaviors: [b], loss: 0.05 }, 10, b);
      expectHealthy(results);
      const sum = summarize(results);
      if (b === "garbage") expect(sum.envelopes.malformed).toBeGreaterThan(0);
      if (b !== "silent") expect(sum.envelopes.invalid).toBeGreaterThan(0);
    });
  }
});

describe("simulator: properties of the harness", () => {
  it("is deterministic: the same seed gives the same run", () => {
    const cfg: SimConfig = {
      seed: "determinism",
      validators: 5,
      byzantine: 1,
      faulty: 1,
      loss: 0.2,
      slots: 2,
    };
    expect(simulate(cfg)).toEqual(simulate(cfg));
    expect(simulate({ ...cfg, seed: "other" }).events).not.toBe(simulate(cfg).events);
  });

  it("must-fail: a network without quorum intersection is caught disagreeing", () => {
    // threshold 2 of 4 and the halves cut apart until GST: each half decides on its own
    const r = simulate({
      seed: "split",
      validators: 4,
      threshold: 2,
      slots: 1,
      partitions: false,
      partitionPlan: [{ start: 0, end: 20_000, side: [0, 1] }],
      gst: 20_000,
    });
    expect(r.intersects).toBe(false);
    expect(r.withinTolerance).toBe(false);
    expect(r.safetyViolations.some((v) => v.includes("agreement"))).toBe(true);
  });

  it("must-fail: without persisted state a restarted node can contradict itself", () => {
    const results = runAll({ validators: 4, slots: 3, amnesiac: 1, gst: 15_000 }, 25, "amnesia");
    const sum = summarize(results);
    expect(sum.selfContradictions.intact).toBe(0);
    expect(sum.selfContradictions.amnesiac).toBeGreaterThan(0);
    // the same crashes with persisted state never do
    const persisted = summarize(runAll({ validators: 4, slots: 3, faulty: 1, gst: 15_000 }, 25, "amnesia"));
    expect(persisted.selfContradictions).toEqual({ intact: 0, amnesiac: 0 });
  });

  it("liveness after GST is bounded and rounds stay small once stable", () => {
    const results = runAll({ validators: 4, slots: 3, loss: 0.05, gst: 5_000 }, 10, "bounded");
    for (const r of results) expect(r.endTimeMs).toBeLessThan(5_000 + 60_000);
    const sum = summarize(results);
    expect(sum.medianRoundsToExternalize).not.toBeNull();
    expect(sum.medianRoundsToExternalize!).toBeLessThanOrEqual(3);
  });

  it("rejects bad configurations", () => {
    expect(() => simulate({ seed: "x", validators: 0 })).toThrow(RangeError);
    expect(() => simulate({ seed: "x", validators: 3, byzantine: 2, faulty: 2 })).toThrow(RangeError);
    expect(() => simulate({ seed: "x", validators: 3, behaviors: [] })).toThrow(RangeError);
  });
});
