/**
 * A tiny benchmark harness: warm-up, adaptive iteration count, median/p10/p90 in milliseconds, one
 * JSON line per figure on stdout. `BENCH_QUICK=1` shrinks the time budget for smoke runs.
 */

/** True when `BENCH_QUICK=1`: fewer and shorter runs. */
export const QUICK = process.env["BENCH_QUICK"] === "1";

export interface MeasureOptions {
  /** Approximate time to spend on the timed runs of one figure (ms). */
  readonly budgetMs?: number;
  /** At least this many timed runs (the budget may be exceeded for slow operations). */
  readonly minRuns?: number;
  /** At most this many timed runs. */
  readonly maxRuns?: number;
  /** Untimed warm-up calls before calibration (at least this many)… */
  readonly warmup?: number;
  /** …and for at least this long (ms), so the JIT has optimised the hot code. */
  readonly warmupMs?: number;
}

export interface Stats {
  readonly median_ms: number;
  readonly p10_ms: number;
  readonly p90_ms: number;
  /** Timed samples taken. */
  readonly runs: number;
  /** Calls per sample (fast operations are repeated so a sample lasts at least ~1 ms). */
  readonly inner: number;
}

const now = (): number => performance.now();

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number): number => Number(x.toPrecision(4));

/** Calls fn `times` times, awaiting only results that are promises; returns the elapsed ms. */
async function timeCalls(fn: () => unknown, times: number): Promise<number> {
  const t = now();
  for (let i = 0; i < times; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  return now() - t;
}

/** Times `fn` (per call, in ms); `fn` may be synchronous or return a promise. */
export async function measure(fn: () => unknown, opts: MeasureOptions = {}): Promise<Stats> {
  const budget = opts.budgetMs ?? (QUICK ? 150 : 1200);
  const minRuns = opts.minRuns ?? (QUICK ? 3 : 7);
  const maxRuns = opts.maxRuns ?? (QUICK ? 30 : 300);
  const warmup = opts.warmup ?? (QUICK ? 1 : 3);
  const warmupMs = opts.warmupMs ?? (QUICK ? 30 : 200);
  const warmStart = now();
  for (let i = 0; i < warmup || now() - warmStart < warmupMs; i++) await timeCalls(fn, 1);
  // Calibrate: repeat the call until one sample lasts at least 1 ms.
  let inner = 1;
  let est: number;
  for (;;) {
    est = (await timeCalls(fn, inner)) / inner;
    if (est * inner >= 1 || inner >= 1 << 20) break;
    inner *= 4;
  }
  const runs = Math.max(minRuns, Math.min(maxRuns, Math.floor(budget / Math.max(est * inner, 1e-6))));
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) samples.push((await timeCalls(fn, inner)) / inner);
  samples.sort((a, b) => a - b);
  return {
    median_ms: round(percentile(samples, 0.5)),
    p10_ms: round(percentile(samples, 0.1)),
    p90_ms: round(percentile(samples, 0.9)),
    runs,
    inner,
  };
}

export type Fields = Record<string, string | number | boolean>;

/** Prints one figure as a JSON line. */
export function emit(fields: Fields, stats: Stats | Fields): void {
  console.log(JSON.stringify({ ...fields, ...stats }));
}

/** What a benchmark group receives from the runner. */
export interface BenchContext {
  readonly quick: boolean;
  /** Measures `fn` and prints the figure, unless the figure's `bench` name is filtered out. */
  bench(fields: Fields & { bench: string }, fn: () => unknown, opts?: MeasureOptions): Promise<void>;
  /** True if a figure with this `bench` name will be measured (to skip expensive set-up). */
  wants(bench: string): boolean;
}

/** A named group of figures; a `*.bench.ts` module default-exports an array of them. */
export interface BenchGroup {
  readonly name: string;
  run(ctx: BenchContext): Promise<void> | void;
}
