/**
 * A pool of worker threads that verifies transactions on all cores. Each request is split into one
 * batch per worker; a worker verifies its batch with one multi-scalar multiplication and finds
 * invalid transactions by bisection. Verdicts come back in input order.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export interface VerifyRequest {
  readonly id: number;
  readonly txs: readonly Uint8Array[];
}

export type VerifyVerdict =
  | { readonly ok: true; readonly txid: string; readonly error: null; readonly fee: number }
  | { readonly ok: false; readonly txid: string | null; readonly error: string };

export interface VerifyResponse {
  readonly id: number;
  readonly verdicts: VerifyVerdict[];
  readonly failure?: string;
}

export interface VerifyPoolOpts {
  /** Number of worker threads (default: available cores). */
  readonly size?: number;
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly pending: Map<number, (r: VerifyResponse) => void>;
  /** Resolves when the worker has loaded and listens (or has died). */
  readonly ready: Promise<void>;
  dead: string | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Starts a worker on the compiled script when running from dist/, else on the TypeScript source
 * through tsx's loader (registered inside the worker: `--import` does not reach a worker's entry).
 */
function startWorker(): Worker {
  const js = join(here, "verifyWorker.js");
  if (existsSync(js)) return new Worker(js);
  const api = pathToFileURL(
    join(here, "..", "..", "node_modules", "tsx", "dist", "esm", "api", "index.mjs"),
  ).href;
  const entry = pathToFileURL(join(here, "verifyWorker.ts")).href;
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

export class VerifyPool {
  private readonly slots: WorkerSlot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: VerifyPoolOpts = {}) {
    const size = Math.max(1, opts.size ?? availableParallelism());
    for (let i = 0; i < size; i++) {
      const worker = startWorker();
      let markReady!: () => void;
      const ready = new Promise<void>((r) => {
        markReady = r;
      });
      const slot: WorkerSlot = { worker, pending: new Map(), ready, dead: undefined };
      worker.on("message", (r: VerifyResponse | "ready") => {
        if (r === "ready") return markReady();
        const resolve = slot.pending.get(r.id);
        slot.pending.delete(r.id);
        resolve?.(r);
      });
      worker.on("error", (e) => {
        markReady();
        this.failSlot(slot, String(e));
      });
      worker.on("exit", () => {
        markReady();
        this.failSlot(slot, "worker exited");
      });
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  private failSlot(slot: WorkerSlot, why: string): void {
    slot.dead ??= why;
    for (const [id, resolve] of slot.pending) resolve({ id, verdicts: [], failure: why });
    slot.pending.clear();
  }

  private async send(slot: WorkerSlot, txs: readonly Uint8Array[]): Promise<VerifyResponse> {
    await slot.ready;
    const id = this.nextId++;
    if (slot.dead !== undefined) return { id, verdicts: [], failure: slot.dead };
    return new Promise((resolve) => {
      slot.pending.set(id, resolve);
      slot.worker.postMessage({ id, txs } satisfies VerifyRequest);
    });
  }

  /** Verifies serialized transactions on all workers; verdicts in input order. */
  async verify(txs: readonly Uint8Array[]): Promise<VerifyVerdict[]> {
    if (this.closed) throw new Error("VerifyPool: closed");
    if (txs.length === 0) return [];
    const n = Math.min(this.slots.length, txs.length);
    const per = Math.ceil(txs.length / n);
    const parts: Promise<VerifyResponse>[] = [];
    for (let w = 0; w < n; w++) parts.push(this.send(this.slots[w]!, txs.slice(w * per, (w + 1) * per)));
    const responses = await Promise.all(parts);
    const out: VerifyVerdict[] = [];
    responses.forEach((r, w) => {
      const expected = Math.min(per, txs.length - w * per);
      for (let i = 0; i < expected; i++)
        out.push(
          r.verdicts[i] ?? {
            ok: false,
            txid: null,
            error: `POOL_WORKER_FAILED: ${r.failure ?? "no verdict"}`,
          },
        );
    });
    return out;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
