/**
 * `npm run bench:cluster`: finality latency and sustained payment throughput of the local
 * 4-validator network (one process per node, as `npm start` runs it) on this machine.
 *
 * The load is `n` independent payments (1 input → payment + change) proven beforehand against
 * genesis utxos added to the network's genesis (scripts/bench/_clusterLoad.ts, cached). The
 * benchmark starts a fresh network in a temporary folder, waits for it to finalize, then offers the
 * payments at `rate` per second, round-robin over the four nodes' HTTP APIs (open loop), and watches
 * node 1's blocks. Latency of a payment = time its block was seen committed − time it was submitted.
 *
 * Prints JSON lines: `cluster_finality` (p50/p95/max ms over the payments), `cluster_throughput`
 * (payments finalized per second between the first submission and the last confirmation, and
 * offered rate), `cluster_blocks` (block interval and txs per block) and, from every node's
 * `/metrics`, the nodes' own finality-latency histogram counts.
 *
 * Env: CLUSTER_TXS (default 400; 120 with BENCH_QUICK=1), CLUSTER_RATE (offered payments/s, default
 * 250), CLUSTER_SEED, CLUSTER_SCP_TIMEOUT_MS (the network's SCP round timeout), CLUSTER_LOG_LEVEL,
 * CLUSTER_KEEP (keep the data folder), CLUSTER_NODE_FLAGS (e.g. --cpu-prof), ZKVM_MSM (to the nodes).
 */
import "../../src/polyfill.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../../src/util/bytes.js";
import { startLocalNetwork } from "../../testnet/local/launcher.js";
import { clusterLoad } from "./_clusterLoad.js";
import { emit } from "./harness.js";

const quick = process.env["BENCH_QUICK"] === "1";
const N = Number(process.env["CLUSTER_TXS"] ?? (quick ? 120 : 400));
const RATE = Number(process.env["CLUSTER_RATE"] ?? 250);
const SEED = process.env["CLUSTER_SEED"] ?? "bench";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number): number => Number(x.toPrecision(4));

function pct(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const load = await clusterLoad(SEED, N);
  const loadMs = performance.now() - t0;
  const dir = mkdtempSync(join(tmpdir(), "zkvm-cluster-bench-"));
  const net = await startLocalNetwork({
    dir,
    fresh: true,
    basePorts: { p2p: 0, api: 0 },
    emptyBlockIntervalMs: 1000,
    ...(process.env["CLUSTER_SCP_TIMEOUT_MS"] === undefined
      ? {}
      : { scpTimeoutMs: Number(process.env["CLUSTER_SCP_TIMEOUT_MS"]) }),
    logLevel: process.env["CLUSTER_LOG_LEVEL"] ?? "warn",
    extraGenesisUtxos: load.utxoIds,
    env: process.env["ZKVM_MSM"] === undefined ? {} : { ZKVM_MSM: process.env["ZKVM_MSM"] },
    // e.g. CLUSTER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the nodes
    nodeFlags: (process.env["CLUSTER_NODE_FLAGS"] ?? "").split(" ").filter((f) => f.length > 0),
  });
  const stopAll = async () => {
    await net.stop();
    if (process.env["CLUSTER_KEEP"] === undefined) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
  // never leave node processes behind, whatever ends this one
  process.once("exit", () => {
    for (const n of net.nodes) n.process.kill("SIGKILL");
  });
  try {
    const api = net.nodes.map((n) => n.apiUrl);
    const networkFile = JSON.parse(readFileSync(net.networkFile, "utf8")) as {
      genesis: { utxo_ids: string[] };
    };
    const payments = load.blockTxs(networkFile.genesis.utxo_ids.map((h) => fromHex(h, 32)));
    const watch = api[0]!;
    // measure a warm network: every node has finalized a few blocks (workers started, tables built)
    const liveBy = Date.now() + 60_000;
    for (;;) {
      const hs = await Promise.all(
        api.map(async (u) => BigInt((await getJson(`${u}/status`))["height"] as string)),
      );
      if (hs.every((h) => h >= 4n)) break;
      if (Date.now() > liveBy) throw new Error("cluster did not start finalizing");
      await sleep(200);
    }
    let seenHeight = BigInt((await getJson(`${watch}/status`))["height"] as string);
    const startHeight = seenHeight;
    const submitted = new Map<string, number>();
    const confirmed = new Map<string, number>();
    const blockTimes: number[] = [];
    const blockSizes: number[] = [];
    let rejected = 0;
    const submitMs: number[] = [];
    const reasons = new Map<string, number>();
    let watching = true;
    let watchError: unknown;
    // watcher: polls node 1's height, records when each block (and its txs) appeared
    const watcher = (async () => {
      while (watching) {
        const h = BigInt((await getJson(`${watch}/status`))["height"] as string);
        const now = performance.now();
        for (let x = seenHeight + 1n; x <= h; x++) {
          // the status can run a moment ahead of the store: take the block on the next poll
          const r = await fetch(`${watch}/blocks/${x}`);
          if (r.status === 404) break;
          if (!r.ok) throw new Error(`/blocks/${x}: HTTP ${r.status}`);
          const txids = ((await r.json()) as Record<string, unknown>)["txids"] as string[];
          blockTimes.push(now);
          blockSizes.push(txids.length);
          for (const id of txids) if (!confirmed.has(id)) confirmed.set(id, now);
          seenHeight = x;
        }
        await sleep(20);
      }
    })().catch((e: unknown) => {
      watchError = e;
    });
    // open-loop submission at RATE per second, round-robin over the nodes
    const tStart = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < payments.length; i++) {
      const due = tStart + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const bytes = payments[i]!;
      const url = `${api[i % api.length]!}/tx`;
      inflight.push(
        (async () => {
          const at = performance.now();
          const r = await fetch(url, { method: "POST", body: toHex(bytes) });
          const body = (await r.json()) as Record<string, unknown>;
          submitMs.push(performance.now() - at);
          if (r.status === 202 && typeof body["txid"] === "string") submitted.set(body["txid"], at);
          else {
            rejected++;
            const why = String(body["reason"] ?? body["error"] ?? r.status);
            reasons.set(why, (reasons.get(why) ?? 0) + 1);
          }
        })(),
      );
    }
    await Promise.all(inflight);
    const tSubmitted = performance.now();
    const deadline = Date.now() + 120_000;
    while (
      watchError === undefined &&
      [...submitted.keys()].some((id) => !confirmed.has(id)) &&
      Date.now() < deadline
    )
      await sleep(50);
    watching = false;
    await watcher;
    if (watchError !== undefined) throw watchError;
    const lat = [...submitted].filter(([id]) => confirmed.has(id)).map(([id, at]) => confirmed.get(id)! - at);
    lat.sort((a, b) => a - b);
    const lastConfirm = Math.max(...[...submitted.keys()].map((id) => confirmed.get(id) ?? 0));
    const done = lat.length;
    const common = {
      backend: process.env["ZKVM_MSM"] === "js" ? "js" : "auto",
      nodes: net.nodes.length,
      payments: N,
    };
    emit(
      { bench: "cluster_finality", ...common },
      {
        p50_ms: round(pct(lat, 0.5)),
        p95_ms: round(pct(lat, 0.95)),
        max_ms: round(pct(lat, 1)),
        confirmed: done,
        rejected,
        ...(reasons.size === 0 ? {} : { reasons: JSON.stringify(Object.fromEntries(reasons)) }),
      },
    );
    emit(
      { bench: "cluster_throughput", ...common },
      {
        payments_per_s: round((done * 1000) / (lastConfirm - tStart)),
        offered_per_s: round((N * 1000) / (tSubmitted - tStart)),
        submit_window_ms: round(tSubmitted - tStart),
        submit_p50_ms: round(
          pct(
            submitMs.sort((a, b) => a - b),
            0.5,
          ),
        ),
        submit_p95_ms: round(pct(submitMs, 0.95)),
        total_ms: round(lastConfirm - tStart),
      },
    );
    const intervals = blockTimes.slice(1).map((t, i) => t - blockTimes[i]!);
    intervals.sort((a, b) => a - b);
    const sizes = blockSizes.filter((s) => s > 0).sort((a, b) => a - b);
    emit(
      { bench: "cluster_blocks", ...common },
      {
        blocks: Number(seenHeight - startHeight),
        interval_p50_ms: round(pct(intervals, 0.5)),
        txs_per_block_p50: pct(sizes, 0.5),
        txs_per_block_max: pct(sizes, 1),
        load_prepare_ms: round(loadMs),
      },
    );
    // every node agrees on the tip it reached (stores can lag the status by a moment)
    const tips = await Promise.all(
      api.map(async (u) => {
        for (let i = 0; ; i++) {
          try {
            return await getJson(`${u}/blocks/${seenHeight}`);
          } catch (e) {
            if (i >= 50) throw e;
            await sleep(100);
          }
        }
      }),
    );
    const same = tips.every((t) => t["id"] === tips[0]!["id"]);
    emit({ bench: "cluster_agreement", ...common }, { height: Number(seenHeight), identical_blocks: same });
  } finally {
    await stopAll();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
