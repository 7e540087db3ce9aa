/**
 * The progress bar `zkvm-node start` prints while a node catches up (issue 8): one line at most
 * every `intervalMs` (and a last one when the run ends) for runs that apply blocks, e.g.
 * `sync [##########----------]  50% 1200/2400 blocks, 310 blocks/s`. Lines, not carriage returns,
 * so it reads the same in a terminal and in a log file.
 */
import type { SyncProgress } from "../node/sync.js";

const WIDTH = 20;

/** Turns sync progress events into throttled progress lines. */
export class SyncProgressPrinter {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private start: number | undefined;
  private firstHeight = 0n;
  private lastPrinted = -Infinity;

  constructor(opts: { intervalMs?: number; now?: () => number } = {}) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.now = opts.now ?? (() => Date.now());
  }

  /** The line to print for this event, if any. */
  update(p: SyncProgress): string | undefined {
    const t = this.now();
    if (this.start === undefined) {
      if (p.applied === 0) return undefined;
      this.start = t;
      this.firstHeight = p.height - BigInt(p.applied);
    }
    if (!p.done && t - this.lastPrinted < this.intervalMs) return undefined;
    this.lastPrinted = t;
    const line = this.format(p, t);
    if (p.done) this.start = undefined;
    return line;
  }

  private format(p: SyncProgress, t: number): string {
    const elapsed = Math.max(1, t - (this.start ?? t));
    const rate = Math.round((p.applied * 1000) / elapsed);
    const target = p.target !== undefined && p.target > p.height ? p.target : p.height;
    const span = target - this.firstHeight;
    const doneBlocks = p.height - this.firstHeight;
    const frac = span > 0n ? Number((doneBlocks * 1000n) / span) / 1000 : 1;
    const filled = Math.round(frac * WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]`;
    const pct = `${Math.round(frac * 100)}%`.padStart(4);
    const head = p.done ? "synced" : "sync";
    return `${head} ${bar} ${pct} height ${p.height}/${target}, ${p.applied} blocks, ${rate} blocks/s`;
  }
}
