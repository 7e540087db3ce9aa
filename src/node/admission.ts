/**
 * Transaction admission off the main thread (issue 5, "Parallelism"): submissions (API, gossip, light
 * clients) are decoded at once, then gathered for a moment into one batch that the worker-thread
 * verification pool checks on all cores (one MSM per worker, bisection on failure); each tx whose
 * proof holds is then added to the mempool with `proofVerified` (the VM and the utreexo proofs are
 * still checked there, against the pool's current state). A pool failure (a dead worker) falls back
 * to verifying on the main thread, so admission never depends on the workers being alive.
 */
import type { SubmitResult } from "../api/index.js";
import { type BlockTx, decodeBlockTx } from "../chain/index.js";
import { CodedError, errorCode } from "../util/codedError.js";
import type { VerifyVerdict } from "./verifyPool.js";

/** What admission needs from the node. */
export interface AdmissionDeps {
  /** Verifies serialized ZkVM txs (not block txs: no utreexo proofs); verdicts in input order (VerifyPool.verify). */
  readonly verify: (txs: readonly Uint8Array[]) => Promise<VerifyVerdict[]>;
  /** Adds a decoded tx to the mempool; throws a CodedError when it is refused. */
  readonly add: (btx: BlockTx, proofVerified: boolean) => { readonly txid: Uint8Array };
  /** Called after each accepted tx (e.g. to gossip it and wake the herder). */
  readonly onAccepted?: (bytes: Uint8Array, txid: Uint8Array) => void;
}

/** Batching knobs. */
export interface AdmissionOptions {
  /** Largest batch handed to the pool at once (default 128). */
  readonly maxBatch?: number;
  /** How long the first tx of a batch waits for company, in ms (default 2). */
  readonly maxDelayMs?: number;
}

interface Pending {
  readonly bytes: Uint8Array;
  readonly btx: BlockTx;
  readonly resolve: (r: SubmitResult) => void;
}

/** A refusal: the error's code and, when it has a coded cause, the cause's code. */
export function refusal(e: unknown): SubmitResult {
  const cause = e instanceof Error && e.cause instanceof CodedError ? e.cause.code : undefined;
  return cause === undefined
    ? { accepted: false, error: errorCode(e) }
    : { accepted: false, error: errorCode(e), cause };
}

/** Batches submissions through a verification pool into the mempool. */
export class TxAdmission {
  private readonly deps: AdmissionDeps;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;
  /** Batches verified so far and txs they held (for metrics and tests). */
  readonly stats = { batches: 0, txs: 0, fallbacks: 0 };

  constructor(deps: AdmissionDeps, opts: AdmissionOptions = {}) {
    this.deps = deps;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 128);
    this.maxDelayMs = Math.max(0, opts.maxDelayMs ?? 2);
  }

  /** Submissions waiting for or under verification. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Decodes and queues a serialized block tx; resolves with the mempool's verdict. */
  submit(bytes: Uint8Array): Promise<SubmitResult> {
    let btx: BlockTx;
    try {
      btx = decodeBlockTx(bytes);
    } catch (e) {
      return Promise.resolve(refusal(e));
    }
    return new Promise((resolve) => {
      this.queue.push({ bytes, btx, resolve });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Verifies what is queued now. */
  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length === 0) return;
    this.inFlight += batch.length;
    this.stats.batches++;
    this.stats.txs += batch.length;
    this.deps
      .verify(batch.map((p) => p.btx.txBytes))
      .then(
        (verdicts) => verdicts,
        () => undefined,
      )
      .then((verdicts) => {
        this.inFlight -= batch.length;
        for (const [i, p] of batch.entries()) p.resolve(this.admit(p, verdicts?.[i]));
      });
  }

  /** The mempool's verdict on one verified (or, after a pool failure, unverified) tx. */
  private admit(p: Pending, verdict: VerifyVerdict | undefined): SubmitResult {
    const poolFailed = verdict === undefined || (!verdict.ok && verdict.error.startsWith("POOL_"));
    if (!poolFailed && !verdict.ok) return { accepted: false, error: verdict.error };
    if (poolFailed) this.stats.fallbacks++;
    try {
      const { txid } = this.deps.add(p.btx, !poolFailed);
      this.deps.onAccepted?.(p.bytes, txid);
      return { accepted: true, txid };
    } catch (e) {
      return refusal(e);
    }
  }
}
