/**
 * Long simulator campaign (npm run test:slow): 5000 seeded runs over random configurations within
 * SCP's fault tolerance — 1 to 10 validators, flat or organisation quorum sets, message loss up to
 * 40 %, duplication, partitions, crash-restarts with and without persisted state, every byzantine
 * behaviour — each checked for agreement, validity, finality, monotonicity and bounded liveness.
 */
import { describe, expect, it } from "vitest";
import { Prng } from "./prng.js";
import { BYZANTINE_BEHAVIORS, type SimConfig, simulate } from "./simulator.js";
import { summarize } from "./summary.js";

const CHUNKS = 5;
const PER_CHUNK = 1000;

function randomConfig(rng: Prng, seed: string): SimConfig {
  const topology = rng.chance(0.25) ? ("orgs" as const) : ("flat" as const);
  const n = topology === "orgs" ? rng.range(3, 12) : rng.range(1, 10);
  const f = topology === "orgs" ? (n >= 9 ? 1 : 0) : Math.floor((n - 1) / 3);
  const byzantine = rng.range(0, f);
  const amnesiac = rng.range(0, f - byzantine);
  const faulty = rng.range(0, n - byzantine - amnesiac);
  return {
    seed,
    validators: n,
    topology,
    byzantine,
    amnesiac,
    faulty,
    behaviors: rng.chance(0.5) ? BYZANTINE_BEHAVIORS : [rng.pick(BYZANTINE_BEHAVIORS)],
    slots: rng.range(1, 4),
    loss: rng.pick([0, 0.05, 0.15, 0.3, 0.4]),
    duplicate: rng.pick([0, 0.05, 0.2]),
    partitions: rng.chance(0.7),
    gst: rng.range(1_000, 20_000),
  };
}

describe("simulator campaign", () => {
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    it(`runs ${PER_CHUNK} random configurations (chunk ${chunk + 1}/${CHUNKS})`, () => {
      const rng = new Prng(`campaign/${chunk}`);
      const results = [];
      for (let i = 0; i < PER_CHUNK; i++) {
        const r = simulate(randomConfig(rng, `campaign-${chunk}-${i}`));
        if (r.withinTolerance === false) continue;
        results.push(r);
        const where = `seed ${r.seed}`;
        expect(r.safetyViolations, where).toEqual([]);
        expect(r.livenessFailure, where).toBeNull();
      }
      const sum = summarize(results);
      expect(sum.runs).toBeGreaterThan(PER_CHUNK * 0.95);
      expect(sum.selfContradictions.intact).toBe(0);
    });
  }
});
