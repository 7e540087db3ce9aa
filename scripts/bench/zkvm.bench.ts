/**
 * ZkVM transaction figures. Transactions are built with `TxBuilder`: N inputs of one flavor cloaked
 * into N outputs (1in1out, 2in2out, 4in4out), each input signed with `signtx`.
 *
 *   verify  single  — decode + VM (precompute) + statements + one MSM, from wire bytes
 *   verify  batch64 — 64 2in2out txs (decode + VM each) checked together by `verifyBatch`
 *                     (BENCH_QUICK: a batch of 16, said in the JSON as "batch")
 *   prove           — build the program and prove + sign a 2in2out tx, with the default backend
 *                     and (if it loads) with the native addon as the process default, as the CLI does
 *   size            — serialized bytes
 *   verify_breakdown — where a 2in2out single verification spends its time: precompute (decode
 *                     and VM), building the statements (R1CS verifier replay, signtx, deferred
 *                     ops), weighting them into one batch, and the MSM itself.
 *
 * Figures are one JSON line each, e.g.
 *   {"bench":"verify","tx":"2in2out","mode":"single","backend":"js","median_ms":…,"ms_per_tx":…,"runs":…}
 */

import { BulletproofGens } from "../../src/crypto/generators.js";
import { defaultMsmBackend, setDefaultMsmBackend, setSecretMsmKernel } from "../../src/crypto/msm/index.js";
import { loadNativeBackend, loadNativeSecretMsm } from "../../src/crypto/msm/native.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { seededRng } from "../../src/util/rng.js";
import { DEFAULT_BP_CAPACITY, precomputeTxBytes, verifyBatch, verifyTx } from "../../src/zkvm/verifier.js";
import { paymentBuilder, round, verifyBreakdown } from "./_zkvmTxs.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const rng = seededRng("bench zkvm");
const _alice = randomScalar(rng);
const _bob = publicKey(randomScalar(rng));
const _FLAVOR = 0x5553n;

const SHAPES = [1, 2, 4] as const;
const shapeName = (n: number): string => `${n}in${n}out`;

const buildTx = paymentBuilder(rng, 0);

const groups: BenchGroup[] = [
  {
    name: "zkvm",
    async run(ctx) {
      const backend = defaultMsmBackend();
      const gens = BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
      const wantVerify = ctx.wants("verify");
      const wanted = wantVerify || ctx.wants("size") || ctx.wants("verify_breakdown");
      const txs = new Map<number, Uint8Array>();
      if (wanted) for (const n of SHAPES) txs.set(n, buildTx(n));

      if (ctx.wants("size"))
        for (const n of SHAPES) emit({ bench: "size", tx: shapeName(n) }, { bytes: txs.get(n)!.length });

      if (wantVerify) {
        for (const n of SHAPES) {
          const bytes = txs.get(n)!;
          // Sanity: the tx verifies.
          verifyTx(bytes, { rng, backend, bpGens: gens });
          const s = await measure(() => verifyTx(bytes, { rng, backend, bpGens: gens }), { minRuns: 5 });
          emit(
            { bench: "verify", tx: shapeName(n), mode: "single", backend: backend.name },
            { median_ms: s.median_ms, ms_per_tx: s.median_ms, runs: s.runs },
          );
        }

        const batch = ctx.quick ? 16 : 64;
        // Distinct txs, repeated to fill the batch (the MSM has the same shape either way).
        const distinct = ctx.quick ? 2 : 8;
        const pool = [txs.get(2)!, ...Array.from({ length: distinct - 1 }, () => buildTx(2))];
        const list = Array.from({ length: batch }, (_, i) => pool[i % pool.length]!);
        const runBatch = () => {
          const results = verifyBatch(
            list.map((b) => precomputeTxBytes(b)),
            { rng, backend, bpGens: gens },
          );
          if (!results.every((r) => r.ok)) throw new Error("zkvm bench: batch did not verify");
        };
        runBatch();
        const s = await measure(runBatch, { minRuns: 3, warmup: 1 });
        emit(
          {
            bench: "verify",
            tx: shapeName(2),
            mode: "batch64",
            backend: backend.name,
            ...(batch === 64 ? {} : { batch, note: "BENCH_QUICK: smaller batch" }),
          },
          { median_ms: s.median_ms, ms_per_tx: round(s.median_ms / batch), runs: s.runs },
        );
      }

      if (ctx.wants("verify_breakdown")) {
        const bytes = txs.get(2)!;
        const runs = ctx.quick ? 5 : 25;
        emit(
          { bench: "verify_breakdown", tx: shapeName(2), mode: "single", backend: backend.name },
          verifyBreakdown(bytes, gens, rng, backend, runs),
        );
      }

      if (ctx.wants("prove")) {
        const s = await measure(() => buildTx(2), { minRuns: ctx.quick ? 3 : 5, warmup: 1 });
        emit(
          { bench: "prove", tx: shapeName(2), mode: "single", backend: backend.name, secret_msm: "js-ct" },
          { median_ms: s.median_ms, ms_per_tx: s.median_ms, runs: s.runs },
        );
        // As the CLI and node run it when the addon loads: the native backend is the process default
        // (the inner-product rounds use it, as dalek's prover uses its variable-time MSM there) and
        // the secret-scalar commitments run on the addon's constant-time MSM (ctMsm).
        const native = loadNativeBackend();
        const ct = loadNativeSecretMsm();
        if (native !== undefined && ct !== undefined) {
          setDefaultMsmBackend(native);
          setSecretMsmKernel(ct);
          try {
            const sn = await measure(() => buildTx(2), { minRuns: ctx.quick ? 3 : 5, warmup: 1 });
            emit(
              {
                bench: "prove",
                tx: shapeName(2),
                mode: "single",
                backend: native.name,
                secret_msm: "native-ct",
              },
              { median_ms: sn.median_ms, ms_per_tx: sn.median_ms, runs: sn.runs },
            );
          } finally {
            setDefaultMsmBackend(backend);
            setSecretMsmKernel(undefined);
          }
        }
      }
    },
  },
];

export default groups;
