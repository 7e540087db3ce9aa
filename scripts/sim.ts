/**
 * SCP network simulator CLI (acceptance runs of consensus/sim):
 *
 *   npm run sim -- --validators N --faulty F --byzantine B --loss P --seeds A..B --slots K [--json]
 *
 * Other options: --amnesiac A (crash-restarts without persisted state), --topology flat|orgs,
 * --behaviors silent,equivocate,fakeExternalize,hugeCounters,replay,garbage, --gst MS, --duplicate P,
 * --no-partitions, --threshold T, --prefix STR (seed prefix).
 * Prints a JSON summary {runs, slots, safetyViolations, livenessFailures, medianRoundsToExternalize, …};
 * exits 1 on any safety violation, 2 on bad arguments, 0 otherwise.
 */
import "../src/polyfill.js";
import {
  BYZANTINE_BEHAVIORS,
  type ByzantineBehavior,
  type SimConfig,
  type SimResult,
  simulate,
} from "../consensus/sim/simulator.js";
import { summarize } from "../consensus/sim/summary.js";

function usage(msg: string): never {
  console.error(`sim: ${msg}`);
  console.error(
    "usage: npm run sim -- --validators N [--faulty F] [--byzantine B] [--amnesiac A] [--loss P] [--seeds A..B] [--slots K] [--json]",
  );
  process.exit(2);
}

function int(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min) usage(`--${name} needs an integer ≥ ${min}`);
  return n;
}

function prob(name: string, v: string | undefined): number {
  const p = Number(v);
  if (v === undefined || !(p >= 0 && p <= 1)) usage(`--${name} needs a probability in [0, 1]`);
  return p;
}

const args = process.argv.slice(2);
let validators = 4;
let faulty = 0;
let byzantine = 0;
let amnesiac = 0;
let loss = 0;
let duplicate: number | undefined;
let slots = 3;
let seedFrom = 1;
let seedTo = 100;
let json = false;
let partitions = true;
let topology: "flat" | "orgs" = "flat";
let gst: number | undefined;
let threshold: number | undefined;
let behaviors: ByzantineBehavior[] | undefined;
let prefix = "";

for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const next = () => args[++i];
  switch (a) {
    case "--validators":
      validators = int("validators", next(), 1);
      break;
    case "--faulty":
      faulty = int("faulty", next(), 0);
      break;
    case "--byzantine":
      byzantine = int("byzantine", next(), 0);
      break;
    case "--amnesiac":
      amnesiac = int("amnesiac", next(), 0);
      break;
    case "--loss":
      loss = prob("loss", next());
      break;
    case "--duplicate":
      duplicate = prob("duplicate", next());
      break;
    case "--slots":
      slots = int("slots", next(), 1);
      break;
    case "--gst":
      gst = int("gst", next(), 0);
      break;
    case "--threshold":
      threshold = int("threshold", next(), 1);
      break;
    case "--prefix":
      prefix = next() ?? usage("--prefix needs a value");
      break;
    case "--topology": {
      const t = next();
      if (t !== "flat" && t !== "orgs") usage("--topology is flat or orgs");
      topology = t;
      break;
    }
    case "--behaviors": {
      const list = (next() ?? "").split(",").filter(Boolean);
      for (const b of list)
        if (!BYZANTINE_BEHAVIORS.includes(b as ByzantineBehavior)) usage(`unknown behavior ${b}`);
      if (list.length === 0) usage("--behaviors needs a list");
      behaviors = list as ByzantineBehavior[];
      break;
    }
    case "--seeds": {
      const s = next() ?? "";
      const m = /^(\d+)(?:\.\.(\d+))?$/.exec(s);
      if (!m) usage("--seeds is A..B or N");
      seedFrom = Number(m[1]);
      seedTo = m[2] === undefined ? seedFrom : Number(m[2]);
      if (seedTo < seedFrom) usage("--seeds A..B needs A ≤ B");
      break;
    }
    case "--json":
      json = true;
      break;
    case "--no-partitions":
      partitions = false;
      break;
    default:
      usage(`unknown argument ${a}`);
  }
}
if (faulty + byzantine + amnesiac > validators) usage("more faulty nodes than validators");

const base: Omit<SimConfig, "seed"> = {
  validators,
  faulty,
  byzantine,
  amnesiac,
  loss,
  slots,
  partitions,
  topology,
  ...(duplicate === undefined ? {} : { duplicate }),
  ...(gst === undefined ? {} : { gst }),
  ...(threshold === undefined ? {} : { threshold }),
  ...(behaviors === undefined ? {} : { behaviors }),
};

const started = performance.now();
const results: SimResult[] = [];
for (let s = seedFrom; s <= seedTo; s++) results.push(simulate({ ...base, seed: `${prefix}${s}` }));
const seconds = (performance.now() - started) / 1000;
const summary = summarize(results);
const out = {
  ...summary,
  runsPerSecond: Math.round((results.length / Math.max(seconds, 1e-9)) * 10) / 10,
  wallSeconds: Math.round(seconds * 100) / 100,
  config: { ...base, seeds: `${prefix}${seedFrom}..${prefix}${seedTo}` },
};
console.log(json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
process.exit(summary.safetyViolations > 0 ? 1 : 0);
