/**
 * Crash-consistency harness for the sqlite store (used by crash.test.ts and crash.slow.test.ts).
 *
 * A child process (./crashWorker.ts, run with `node --import tsx`) opens the store and commits
 * deterministic blocks in a loop, printing each height after its commit resolved. The parent kills it
 * with SIGKILL after a seeded random delay, reopens the store and checks:
 * - no lost committed block: the tip is at least the last height the child acknowledged;
 * - no half-applied block: every block base…tip is present and intact (id = SHA-256 of header ‖ block,
 *   bytes equal to the expected ones), the tx index of the tip block is complete, and nothing of any
 *   height above the tip is visible (block, id, or tx index entries);
 * - the forest snapshot belongs to the tip.
 * The chain keeps growing across iterations: each new child continues from the reopened tip.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { bytesEqual } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import type { BlockCommit } from "./chainStore.js";
import { SqliteChainStore } from "./sqliteStore.js";

/** Transactions per block written by the worker. */
export const CRASH_TXS_PER_BLOCK = 100;
/** Bytes of the forest snapshot written with each block. */
export const CRASH_FOREST_BYTES = 4096;

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const tagged = (tag: string, height: number, i = 0): Uint8Array =>
  sha256(new TextEncoder().encode(`crash/${tag}/${height}/${i}`));

/** `n` deterministic bytes for (tag, height), by SHA-256 in counter mode. */
function expand(tag: string, height: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i * 32 < n; i++)
    out.set(tagged(tag, height, i).subarray(0, Math.min(32, n - i * 32)), i * 32);
  return out;
}

/** The block the worker commits at `height` (a pure function of the height). */
export function crashBlock(height: number): BlockCommit {
  const header = expand("header", height, 96);
  const block = expand("block", height, 1024 + ((height * 977) % 3072));
  return {
    height,
    id: sha256(header, block),
    header,
    block,
    utreexoState: expand("forest", height, CRASH_FOREST_BYTES),
    txIndex: Array.from({ length: CRASH_TXS_PER_BLOCK }, (_, i) => ({
      txid: tagged("tx", height, i),
      position: i,
    })),
  };
}

/** What one kill-and-reopen iteration saw. */
export interface CrashIteration {
  /** Last height the child acknowledged before it was killed (-1: none). */
  readonly acked: number;
  /** Tip after reopening (-1: empty store). */
  readonly tip: number;
  /** Milliseconds between spawn and SIGKILL. */
  readonly killAfterMs: number;
}

const WORKER = fileURLToPath(new URL("./crashWorker.ts", import.meta.url));
/** The package root, where `--import tsx` resolves. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Spawns the worker on `path`; resolves once it printed "ready" (or exited). */
function startWorker(path: string): { child: ChildProcess; ready: Promise<void>; acked: () => number } {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, path], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let acked = -1;
  let buf = "";
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buf += chunk;
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const line of lines) {
      if (line === "ready") onReady();
      else if (/^\d+$/.test(line)) acked = Math.max(acked, Number(line));
    }
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (c: string) => {
    stderr += c;
  });
  child.on("exit", (code, signal) => {
    if (signal !== "SIGKILL") {
      // The worker never exits on its own: report why it did.
      child.emit(
        "workerFailed",
        new Error(`crash worker exited (${code ?? signal}): ${stderr.slice(0, 2000)}`),
      );
    }
    onReady();
  });
  return { child, ready, acked: () => acked };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Reopens the store at `path` and checks the invariants above; returns the tip height (-1 if empty).
 * `acked` is the highest height known committed (acknowledged by a child, or the tip seen before).
 * Block bytes are compared from height `from` (default 0: all) up to the tip.
 */
export async function verifyCrashStore(path: string, acked: number, from = 0): Promise<number> {
  const s = await SqliteChainStore.open({ path, integrityCheck: true });
  try {
    const tip = await s.tip();
    const top = tip?.height ?? -1;
    if (top < acked) throw new Error(`lost a committed block: tip ${top} < acknowledged ${acked}`);
    if (top > acked + 1) throw new Error(`tip ${top} beyond the one in-flight block after ${acked}`);
    if (tip === undefined) return -1;
    const base = (await s.baseHeight())!;
    if (base !== 0) throw new Error(`base height ${base}`);
    for (let h = Math.max(0, from); h <= top; h++) {
      const want = crashBlock(h);
      const block = await s.getBlockByHeight(h);
      const header = await s.getHeaderByHeight(h);
      const id = await s.getBlockId(h);
      if (!block || !header || !id) throw new Error(`block ${h} missing`);
      if (
        !bytesEqual(sha256(header, block), id) ||
        !bytesEqual(id, want.id) ||
        !bytesEqual(block, want.block)
      )
        throw new Error(`block ${h} damaged`);
    }
    const tipBlock = crashBlock(top);
    if (!bytesEqual(tip.id, tipBlock.id)) throw new Error("tip id");
    for (const e of tipBlock.txIndex) {
      const loc = await s.getTxLocation(e.txid);
      if (loc?.height !== top || loc.position !== e.position) throw new Error(`tx index of tip block ${top}`);
    }
    const next = crashBlock(top + 1);
    if ((await s.getBlockByHeight(top + 1)) !== undefined) throw new Error("block above tip");
    if ((await s.getHeightOf(next.id)) !== undefined) throw new Error("id above tip");
    for (const e of next.txIndex)
      if ((await s.getTxLocation(e.txid)) !== undefined) throw new Error("tx index entry above tip");
    const forest = await s.getUtreexoState();
    if (forest?.height !== top || !bytesEqual(forest.state, tipBlock.utreexoState))
      throw new Error("forest snapshot does not match the tip");
    return top;
  } finally {
    await s.close();
  }
}

/**
 * Runs `iterations` spawn → random delay → SIGKILL → reopen-and-verify rounds on the database at `path`.
 * Delays are drawn from `seed`: most kills land while blocks are being committed, about one in five
 * during start-up (open, migrations). Throws on the first violated invariant.
 */
export async function runCrashIterations(opts: {
  path: string;
  iterations: number;
  seed: string;
  /** Largest delay after "ready" before the kill (ms). */
  maxDelayMs?: number;
  /**
   * Compare every stored block on every `fullCheckEvery`-th round and on the last (default 1: always);
   * other rounds compare the blocks from a few below the previous tip upward.
   */
  fullCheckEvery?: number;
}): Promise<CrashIteration[]> {
  const rng = seededRng(opts.seed);
  const rand = (n: number): number => {
    const b = new Uint8Array(4);
    rng.fillBytes(b);
    return new DataView(b.buffer).getUint32(0, true) % n;
  };
  const out: CrashIteration[] = [];
  let prevTip = -1;
  for (let i = 0; i < opts.iterations; i++) {
    const w = startWorker(opts.path);
    let failure: Error | undefined;
    w.child.on("workerFailed", (e: Error) => {
      failure = e;
    });
    const exited = new Promise<void>((r) => w.child.on("exit", () => r()));
    const t0 = performance.now();
    if (rand(5) === 0) {
      await sleep(rand(400)); // may land during tsx start-up, opening or a migration
    } else {
      await w.ready;
      await sleep(rand(opts.maxDelayMs ?? 60));
    }
    const killAfterMs = Math.round(performance.now() - t0);
    w.child.kill("SIGKILL");
    await exited;
    if (failure) throw failure;
    const acked = w.acked();
    const every = opts.fullCheckEvery ?? 1;
    const full = (i + 1) % every === 0 || i === opts.iterations - 1;
    const tip = await verifyCrashStore(opts.path, Math.max(acked, prevTip), full ? 0 : prevTip - 4);
    prevTip = tip;
    out.push({ acked, tip, killAfterMs });
  }
  return out;
}
