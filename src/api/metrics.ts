/**
 * A small Prometheus metrics registry: counters, gauges and histograms with labels, exposed in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). Metric names
 * carry their unit (`_seconds`) and counters end in `_total`, as the Prometheus naming guide asks.
 * No dependency; the node updates the values and `GET /metrics` renders them.
 */

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string | number>>;

/** Common options of every metric. */
export interface MetricOptions {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  readonly name: string;
  /** One-line help text. */
  readonly help: string;
  /** Names of the labels every series of this metric carries (none by default). */
  readonly labelNames?: readonly string[];
}

/** Options of a histogram: options of every metric plus the upper bounds of its buckets. */
export interface HistogramOptions extends MetricOptions {
  /** Strictly increasing finite bucket upper bounds; `+Inf` is added. Default: {@link DEFAULT_BUCKETS}. */
  readonly buckets?: readonly number[];
}

/** Default histogram buckets, in seconds (5 ms … 10 s). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The content type of the exposition text. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Formats a sample value as Prometheus expects (`+Inf`, `-Inf`, `NaN`, plain decimal otherwise). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function renderLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { labels: [string, string][]; state: S }>();
  abstract readonly type: "counter" | "gauge" | "histogram";

  constructor(opts: MetricOptions, reserved: readonly string[] = []) {
    if (typeof opts.name !== "string" || !METRIC_NAME.test(opts.name))
      throw new RangeError(`metric name ${JSON.stringify(opts.name)} is not a valid Prometheus name`);
    if (typeof opts.help !== "string") throw new TypeError("metric help must be a string");
    const labelNames = [...(opts.labelNames ?? [])];
    const seen = new Set<string>();
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__") || reserved.includes(l))
        throw new RangeError(`label name ${JSON.stringify(l)} of ${opts.name} is not allowed`);
      if (seen.has(l)) throw new RangeError(`label name ${l} of ${opts.name} is repeated`);
      seen.add(l);
    }
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = labelNames;
  }

  protected abstract initial(): S;

  /** The state of the series with these labels, created on first use. */
  protected state(labels: Labels | undefined): S {
    const given = labels ?? {};
    const keys = Object.keys(given);
    if (keys.length !== this.labelNames.length || keys.some((k) => !this.labelNames.includes(k)))
      throw new RangeError(`${this.name} takes exactly the labels [${this.labelNames.join(", ")}]`);
    const pairs = this.labelNames.map((k) => [k, String(given[k])] as [string, string]);
    const key = JSON.stringify(pairs.map((p) => p[1]));
    let s = this.series.get(key);
    if (!s) {
      s = { labels: pairs, state: this.initial() };
      this.series.set(key, s);
    }
    return s.state;
  }

  /** Removes every series (values return to nothing until set again). */
  reset(): void {
    this.series.clear();
  }

  /** The exposition lines of this metric's samples. */
  protected abstract samples(): string[];

  /** The full exposition block: HELP, TYPE and samples. */
  render(): string {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.samples(),
    ]
      .join("\n")
      .concat("\n");
  }
}

/** A monotonically increasing count. */
export class Counter extends Metric<{ v: number }> {
  readonly type = "counter" as const;
  protected initial(): { v: number } {
    return { v: 0 };
  }
  /** Adds `by` (default 1, must be finite and ≥ 0) to the series with `labels`. */
  inc(by = 1, labels?: Labels): void {
    if (!Number.isFinite(by) || by < 0) throw new RangeError(`${this.name}: counter increment must be ≥ 0`);
    this.state(labels).v += by;
  }
  /** The current value of the series with `labels` (0 if never incremented). */
  get(labels?: Labels): number {
    return this.state(labels).v;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(
      (s) => `${this.name}${renderLabels(s.labels)} ${formatValue(s.state.v)}`,
    );
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric<{ v: number }> {
  readonly type = "gauge" as const;
  protected initial(): { v: number } {
    return { v: 0 };
  }
  /** Sets the series with `labels` to `value` (a bigint is converted to a number). */
  set(value: number | bigint, labels?: Labels): void {
    this.state(labels).v = Number(value);
  }
  /** Adds `by` (default 1) to the series with `labels`. */
  inc(by = 1, labels?: Labels): void {
    this.state(labels).v += by;
  }
  /** Subtracts `by` (default 1) from the series with `labels`. */
  dec(by = 1, labels?: Labels): void {
    this.state(labels).v -= by;
  }
  /** The current value of the series with `labels`. */
  get(labels?: Labels): number {
    return this.state(labels).v;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(
      (s) => `${this.name}${renderLabels(s.labels)} ${formatValue(s.state.v)}`,
    );
  }
}

type HistogramState = { counts: number[]; sum: number; count: number };

/** Counts observations into cumulative buckets, with their sum and count. */
export class Histogram extends Metric<HistogramState> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];

  constructor(opts: HistogramOptions) {
    super(opts, ["le"]);
    const buckets = [...(opts.buckets ?? DEFAULT_BUCKETS)];
    if (buckets.length === 0) throw new RangeError(`${opts.name}: a histogram needs at least one bucket`);
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (!Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))
        throw new RangeError(`${opts.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = buckets;
  }
  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  /** Records one observation `value` (finite) in the series with `labels`. */
  observe(value: number, labels?: Labels): void {
    if (!Number.isFinite(value)) throw new RangeError(`${this.name}: observation must be finite`);
    const s = this.state(labels);
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  /** Starts a timer; calling the returned function observes the elapsed seconds (read from `now`, ms). */
  startTimer(now: () => number, labels?: Labels): () => number {
    const t0 = now();
    return () => {
      const secs = (now() - t0) / 1000;
      this.observe(secs, labels);
      return secs;
    };
  }
  /** The observation count and sum of the series with `labels`. */
  get(labels?: Labels): { count: number; sum: number } {
    const s = this.state(labels);
    return { count: s.count, sum: s.sum };
  }
  protected samples(): string[] {
    const out: string[] = [];
    for (const { labels, state } of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(
          `${this.name}_bucket${renderLabels([...labels, ["le", formatValue(b)]])} ${state.counts[i]}`,
        );
      });
      out.push(`${this.name}_bucket${renderLabels([...labels, ["le", "+Inf"]])} ${state.count}`);
      out.push(`${this.name}_sum${renderLabels(labels)} ${formatValue(state.sum)}`);
      out.push(`${this.name}_count${renderLabels(labels)} ${state.count}`);
    }
    return out;
  }
}

/** A set of metrics rendered together. Names are unique within a registry. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();
  private readonly collectors: (() => void)[] = [];

  private add<M extends Counter | Gauge | Histogram>(m: M): M {
    if (this.metrics.has(m.name)) throw new RangeError(`metric ${m.name} is already registered`);
    this.metrics.set(m.name, m);
    return m;
  }
  /** Registers a new counter. */
  counter(opts: MetricOptions): Counter {
    return this.add(new Counter(opts));
  }
  /** Registers a new gauge. */
  gauge(opts: MetricOptions): Gauge {
    return this.add(new Gauge(opts));
  }
  /** Registers a new histogram. */
  histogram(opts: HistogramOptions): Histogram {
    return this.add(new Histogram(opts));
  }
  /** The metric registered under `name`, if any. */
  get(name: string): Counter | Gauge | Histogram | undefined {
    return this.metrics.get(name);
  }
  /** Adds a function run before each exposition, to pull values (e.g. mempool size) at scrape time. */
  addCollector(fn: () => void): void {
    this.collectors.push(fn);
  }
  /** The exposition text of every metric, in registration order. A failing collector is skipped. */
  expose(): string {
    for (const c of this.collectors) {
      try {
        c();
      } catch {
        // a collector that fails leaves its metrics at their last values
      }
    }
    return [...this.metrics.values()].map((m) => m.render()).join("");
  }
}

/** The node's standard metrics (names fixed here so dashboards and alerts can rely on them). */
export interface NodeMetrics {
  readonly registry: MetricsRegistry;
  /** `zkvm_block_height`: height of the chain tip. */
  readonly blockHeight: Gauge;
  /** `zkvm_finality_latency_seconds`: from a block's timestamp to its externalization. */
  readonly finalityLatencySeconds: Histogram;
  /** `zkvm_tx_verify_seconds`: time to verify one transaction. */
  readonly txVerifySeconds: Histogram;
  /** `zkvm_mempool_size`: transactions in the mempool. */
  readonly mempoolSize: Gauge;
  /** `zkvm_peer_count`: connected peers. */
  readonly peerCount: Gauge;
  /** `zkvm_gossip_messages_total{topic,result}`: gossip verdicts, result ∈ accept | reject | ignore. */
  readonly gossipMessages: Counter;
  /** `zkvm_api_requests_total{route,status}`: HTTP API requests answered. */
  readonly apiRequests: Counter;
  /** `zkvm_proof_refreshes_total`: submitted txs admitted after refreshing their stale utreexo proofs. */
  readonly proofRefreshes: Counter;
}

/** Registers the node's standard metrics in `registry` (a new one by default). */
export function createNodeMetrics(registry: MetricsRegistry = new MetricsRegistry()): NodeMetrics {
  return {
    registry,
    blockHeight: registry.gauge({ name: "zkvm_block_height", help: "Height of the chain tip." }),
    finalityLatencySeconds: registry.histogram({
      name: "zkvm_finality_latency_seconds",
      help: "Seconds from a block's timestamp to its externalization by consensus.",
      buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60],
    }),
    txVerifySeconds: registry.histogram({
      name: "zkvm_tx_verify_seconds",
      help: "Seconds to verify one transaction.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    }),
    mempoolSize: registry.gauge({ name: "zkvm_mempool_size", help: "Transactions in the mempool." }),
    peerCount: registry.gauge({ name: "zkvm_peer_count", help: "Connected peers." }),
    gossipMessages: registry.counter({
      name: "zkvm_gossip_messages_total",
      help: "Gossip messages by topic and validation result (accept, reject, ignore).",
      labelNames: ["topic", "result"],
    }),
    apiRequests: registry.counter({
      name: "zkvm_api_requests_total",
      help: "HTTP API requests by route and status code.",
      labelNames: ["route", "status"],
    }),
    proofRefreshes: registry.counter({
      name: "zkvm_proof_refreshes_total",
      help: "Submitted transactions admitted after their stale utreexo proofs were refreshed.",
    }),
  };
}
