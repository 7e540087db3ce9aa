/**
 * Verification throughput of the worker-thread pool on all cores: transactions per second for a
 * stream of 2-in-2-out payments verified in batches (one batch per worker per call).
 */
import { availableParallelism } from "node:os";
import { VerifyPool } from "../../src/node/verifyPool.js";
import { seededRng } from "../../src/util/rng.js";
import { paymentBuilder } from "./_zkvmTxs.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const rng = seededRng("pool bench");
const payment = paymentBuilder(rng, 0x20000);

const groups: BenchGroup[] = [
  {
    name: "pool",
    async run(ctx) {
      if (!ctx.wants("verify_throughput")) return;
      const distinct = ctx.quick ? 4 : 8;
      const perCall = ctx.quick ? 64 : 256;
      const built = Array.from({ length: distinct }, () => payment(2));
      const txs = Array.from({ length: perCall }, (_, i) => built[i % distinct]!);
      const workers = availableParallelism();
      const pool = new VerifyPool({ size: workers });
      try {
        const first = await pool.verify(txs.slice(0, workers));
        if (!first.every((v) => v.ok)) throw new Error("pool bench: a payment did not verify");
        const s = await measure(() => pool.verify(txs), { minRuns: ctx.quick ? 3 : 5, warmup: 1 });
        emit(
          {
            bench: "verify_throughput",
            tx: "2in2out",
            mode: "pool",
            workers,
            batch: perCall,
            backend: process.env["ZKVM_MSM"] === "js" ? "js" : "auto",
          },
          { median_ms: s.median_ms, tx_per_s: Math.round((perCall * 1000) / s.median_ms), runs: s.runs },
        );
      } finally {
        await pool.close();
      }
    },
  },
];

export default groups;
