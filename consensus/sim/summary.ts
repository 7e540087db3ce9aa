/** Aggregates simulator results into the summary the CLI prints and the tests check. */
import { median, type SimConfig, type SimResult, simulate } from "./simulator.js";

export interface SimSummary {
  runs: number;
  /** Slots per run. */
  slots: number;
  /** Runs with at least one safety violation. */
  safetyViolations: number;
  /** Runs where intact nodes did not finish in time after GST. */
  livenessFailures: number;
  /** Runs whose faults exceed what SCP tolerates (violations there are expected, not bugs). */
  outOfTolerance: number;
  /** Median ballot counter at which intact nodes externalized (c.n). */
  medianRoundsToExternalize: number | null;
  /** Median nomination round at externalization. */
  medianNominationRounds: number | null;
  /** Median virtual time from starting a slot to externalizing it (ms). */
  medianTimeToExternalizeMs: number | null;
  /** 95th percentile of the same. */
  p95TimeToExternalizeMs: number | null;
  /** Envelope verdicts and message counts over all runs. */
  envelopes: { valid: number; invalid: number; malformed: number };
  messages: { sent: number; delivered: number; lost: number; duplicated: number };
  /** Emissions that did not move forward: intact nodes (a bug) and amnesiac nodes (expected). */
  selfContradictions: { intact: number; amnesiac: number };
  /** Total simulated events. */
  events: number;
  /** The first few failing runs (seed and reason). */
  failures: {
    seed: string;
    safety: readonly string[];
    liveness: string | null;
    withinTolerance: boolean | null;
  }[];
}

function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** Summarizes a list of run results. */
export function summarize(results: readonly SimResult[], maxFailures = 10): SimSummary {
  const rounds: number[] = [];
  const noms: number[] = [];
  const times: number[] = [];
  const envelopes = { valid: 0, invalid: 0, malformed: 0 };
  const messages = { sent: 0, delivered: 0, lost: 0, duplicated: 0 };
  const selfContradictions = { intact: 0, amnesiac: 0 };
  const failures: SimSummary["failures"] = [];
  let safety = 0;
  let liveness = 0;
  let oot = 0;
  let events = 0;
  for (const r of results) {
    rounds.push(...r.ballotRounds);
    noms.push(...r.nominationRounds);
    times.push(...r.timesToExternalizeMs);
    for (const k of ["valid", "invalid", "malformed"] as const) envelopes[k] += r.verdicts[k];
    for (const k of ["sent", "delivered", "lost", "duplicated"] as const) messages[k] += r.messages[k];
    selfContradictions.intact += r.selfContradictions.intact;
    selfContradictions.amnesiac += r.selfContradictions.amnesiac;
    events += r.events;
    if (r.withinTolerance === false) oot++;
    if (r.safetyViolations.length > 0) safety++;
    if (r.livenessFailure) liveness++;
    if ((r.safetyViolations.length > 0 || r.livenessFailure) && failures.length < maxFailures)
      failures.push({
        seed: r.seed,
        safety: r.safetyViolations.slice(0, 3),
        liveness: r.livenessFailure,
        withinTolerance: r.withinTolerance,
      });
  }
  return {
    runs: results.length,
    slots: results[0]?.slots ?? 0,
    safetyViolations: safety,
    livenessFailures: liveness,
    outOfTolerance: oot,
    medianRoundsToExternalize: median(rounds),
    medianNominationRounds: median(noms),
    medianTimeToExternalizeMs: median(times),
    p95TimeToExternalizeMs: percentile(times, 0.95),
    envelopes,
    messages,
    selfContradictions,
    events,
    failures,
  };
}

/** Runs `base` once per seed `${prefix}${i}` for i in [from, to] and summarizes. */
export function runSeeds(base: Omit<SimConfig, "seed">, from: number, to: number, prefix = ""): SimSummary {
  const results: SimResult[] = [];
  for (let i = from; i <= to; i++) results.push(simulate({ ...base, seed: `${prefix}${i}` }));
  return summarize(results);
}
