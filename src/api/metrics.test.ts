import { describe, expect, it } from "vitest";
import { Counter, createNodeMetrics, formatValue, Histogram, MetricsRegistry } from "./metrics.js";

describe("metrics exposition", () => {
  it("renders counters, gauges and labels in the text format", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "x_total", help: "Things.", labelNames: ["topic", "result"] });
    const g = r.gauge({ name: "y", help: "A level." });
    c.inc(1, { topic: "tx", result: "accept" });
    c.inc(2, { topic: "tx", result: "accept" });
    c.inc(1, { topic: "block", result: "reject" });
    g.set(7n);
    g.dec(2);
    expect(r.expose()).toBe(
      [
        "# HELP x_total Things.",
        "# TYPE x_total counter",
        'x_total{topic="tx",result="accept"} 3',
        'x_total{topic="block",result="reject"} 1',
        "# HELP y A level.",
        "# TYPE y gauge",
        "y 5",
        "",
      ].join("\n"),
    );
    expect(c.get({ topic: "tx", result: "accept" })).toBe(3);
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: "t_seconds", help: "Time.", buckets: [0.1, 1], labelNames: ["k"] });
    h.observe(0.05, { k: "a" });
    h.observe(0.5, { k: "a" });
    h.observe(3, { k: "a" });
    expect(r.expose()).toBe(
      [
        "# HELP t_seconds Time.",
        "# TYPE t_seconds histogram",
        't_seconds_bucket{k="a",le="0.1"} 1',
        't_seconds_bucket{k="a",le="1"} 2',
        't_seconds_bucket{k="a",le="+Inf"} 3',
        't_seconds_sum{k="a"} 3.55',
        't_seconds_count{k="a"} 3',
        "",
      ].join("\n"),
    );
    let t = 1000;
    const stop = h.startTimer(() => t, { k: "b" });
    t = 1250;
    expect(stop()).toBe(0.25);
    expect(h.get({ k: "b" })).toEqual({ count: 1, sum: 0.25 });
  });

  it("escapes label values and help text", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "e_total", help: "a\\b\nc", labelNames: ["v"] });
    c.inc(1, { v: 'q"\\\n' });
    expect(r.expose()).toContain("# HELP e_total a\\\\b\\nc\n");
    expect(r.expose()).toContain('e_total{v="q\\"\\\\\\n"} 1');
  });

  it("formats special values", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5].map(formatValue)).toEqual([
      "NaN",
      "+Inf",
      "-Inf",
      "1.5",
    ]);
  });

  it("runs collectors at scrape time and survives a failing one", () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: "pulled", help: "h" });
    let n = 0;
    r.addCollector(() => {
      throw new Error("broken");
    });
    r.addCollector(() => g.set(++n));
    expect(r.expose()).toContain("pulled 1\n");
    expect(r.expose()).toContain("pulled 2\n");
  });

  it("registers the node's standard metrics", () => {
    const m = createNodeMetrics();
    m.gossipMessages.inc(1, { topic: "blocks", result: "accept" });
    m.finalityLatencySeconds.observe(1.2);
    const text = m.registry.expose();
    for (const name of [
      "zkvm_block_height gauge",
      "zkvm_finality_latency_seconds histogram",
      "zkvm_tx_verify_seconds histogram",
      "zkvm_mempool_size gauge",
      "zkvm_peer_count gauge",
      "zkvm_gossip_messages_total counter",
      "zkvm_api_requests_total counter",
    ])
      expect(text).toContain(`# TYPE ${name}\n`);
    expect(text).toContain('zkvm_gossip_messages_total{topic="blocks",result="accept"} 1\n');
    expect(text).toContain('zkvm_finality_latency_seconds_bucket{le="2"} 1\n');
  });
});

describe("metrics misuse (must fail)", () => {
  it("rejects bad names, reserved or repeated labels, duplicates", () => {
    const r = new MetricsRegistry();
    expect(() => r.counter({ name: "9bad", help: "" })).toThrow(RangeError);
    expect(() => r.counter({ name: "ok", help: "", labelNames: ["__x"] })).toThrow(RangeError);
    expect(() => r.counter({ name: "ok", help: "", labelNames: ["a", "a"] })).toThrow(RangeError);
    expect(() => r.histogram({ name: "h", help: "", labelNames: ["le"] })).toThrow(RangeError);
    r.gauge({ name: "dup", help: "" });
    expect(() => r.counter({ name: "dup", help: "" })).toThrow(RangeError);
  });

  it("rejects wrong labels, negative increments, bad buckets and observations", () => {
    const c = new Counter({ name: "c_total", help: "", labelNames: ["a"] });
    expect(() => c.inc(1)).toThrow(RangeError);
    expect(() => c.inc(1, { a: "x", b: "y" })).toThrow(RangeError);
    expect(() => c.inc(-1, { a: "x" })).toThrow(RangeError);
    expect(() => new Histogram({ name: "h", help: "", buckets: [1, 1] })).toThrow(RangeError);
    expect(() => new Histogram({ name: "h", help: "", buckets: [] })).toThrow(RangeError);
    expect(() => new Histogram({ name: "h", help: "" }).observe(Number.NaN)).toThrow(RangeError);
  });
});
