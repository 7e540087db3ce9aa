/**
 * Native MSM addon figures (src/crypto/msm/native.ts), side by side with the pure-JS backend.
 * Skipped (with a note on stderr) when the addon is not built.
 *
 *   msm            — n = 64…2048 random points; "points" says whether they arrive compressed
 *                    (decoded inside the MSM: the verifier's case) or already decoded
 *   msm_bp         — one Bulletproofs verification shape: 2n+2 fixed terms + dynamic points
 *   secret_msm     — constant-time MSM of secret scalars: the JS `secretMsm` vs the addon's ctMsm
 *   verify         — ZkVM 1in1out / 2in2out single and 2in2out batch64, as in zkvm.bench.ts
 *                    (same JSON shape, "backend":"native" or "js")
 *   verify_breakdown — where a 2in2out single verification spends its time (JS precompute and
 *                    statement building vs the MSM)
 *
 * Figures are one JSON line each, e.g.
 *   {"bench":"verify","tx":"2in2out","mode":"single","backend":"native","median_ms":…,"ms_per_tx":…}
 */
import { fixedTable, secretMsm } from "../../src/bulletproofs/secretMsm.js";
import { BatchVerifier } from "../../src/crypto/batch.js";
import { BulletproofGens, pedersenGens } from "../../src/crypto/generators.js";
import type { MsmBackend, MsmInput } from "../../src/crypto/msm/backend.js";
import { JsMsmBackend } from "../../src/crypto/msm/jsBackend.js";
import { loadNativeBackend, loadNativeSecretMsm, selectMsmBackend } from "../../src/crypto/msm/native.js";
import { CompressedPoint, fromUniformBytes, type Point } from "../../src/crypto/ristretto.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { randomBytes, seededRng } from "../../src/util/rng.js";
import {
  DEFAULT_BP_CAPACITY,
  precomputeTxBytes,
  txStatements,
  verifyBatch,
  verifyTx,
} from "../../src/zkvm/verifier.js";
import { median, paymentBuilder, round, verifyBreakdown } from "./_zkvmTxs.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const rng = seededRng("bench native");
const scalars = (n: number): bigint[] => Array.from({ length: n }, () => randomScalar(rng));

/** The backends to compare: native (if it loads) and js. */
function backends(): MsmBackend[] {
  const native = loadNativeBackend();
  if (native === undefined) {
    console.error(`# native: skipped (${selectMsmBackend({}).reason})`);
    return [];
  }
  return [native, new JsMsmBackend()];
}

const _alice = randomScalar(rng);
const _bob = publicKey(randomScalar(rng));
const _FLAVOR = 0x5553n;
const buildTx = paymentBuilder(rng, 0x10000);

const groups: BenchGroup[] = [
  {
    name: "native_msm",
    async run(ctx) {
      const list = ctx.wants("msm") || ctx.wants("msm_bp") || ctx.wants("secret_msm") ? backends() : [];
      if (list.length === 0) return;
      const all: Point[] = Array.from({ length: 2048 }, () => fromUniformBytes(randomBytes(rng, 64)));
      const compressedAll = all.map((p) => new CompressedPoint(p.toBytes()));
      const sizes = ctx.quick ? [64, 256, 1024] : [64, 128, 256, 512, 1024, 2048];
      for (const backend of list)
        for (const n of sizes) {
          const ss = scalars(n);
          // Fresh CompressedPoint objects each call: JS would otherwise reuse its cached decoding.
          const bytes = compressedAll.slice(0, n).map((c) => c.bytes);
          await ctx.bench(
            { bench: "msm", backend: backend.name, n, points: "compressed" },
            () => backend.msm({ scalars: ss, points: bytes.map((b) => new CompressedPoint(b)) }),
            { minRuns: ctx.quick ? 2 : 5 },
          );
          const input: MsmInput = { scalars: ss, points: all.slice(0, n) };
          await ctx.bench(
            { bench: "msm", backend: backend.name, n, points: "decoded" },
            () => backend.msm(input),
            {
              minRuns: ctx.quick ? 2 : 5,
            },
          );
        }

      const gens = BulletproofGens.withCapacity(1024);
      // Constant-time MSM of secret scalars (the prover's commitments): JS secretMsm vs native ctMsm.
      const ct = loadNativeSecretMsm();
      if (ct !== undefined && ctx.wants("secret_msm"))
        for (const n of [64, 301]) {
          const pts = gens.G.points.slice(0, n);
          const ss = scalars(n);
          const tables = pts.map((_, i) => fixedTable(gens.G, i));
          await ctx.bench({ bench: "secret_msm", impl: "js", n }, () => secretMsm(tables, ss), {
            minRuns: ctx.quick ? 2 : 5,
          });
          await ctx.bench({ bench: "secret_msm", impl: ct.name, n }, () => ct.msm(pts, ss), {
            minRuns: ctx.quick ? 2 : 5,
          });
        }
      for (const backend of list) {
        backend.prepare(gens.G);
        backend.prepare(gens.H);
        backend.prepare(pedersenGens().bases);
        for (const [n, m] of [
          [64, 1],
          [256, 8],
        ] as const) {
          const dyn = m + 2 * Math.log2(n) + 13;
          const input: MsmInput = {
            fixed: [
              { bases: pedersenGens().bases, scalars: scalars(2) },
              { bases: gens.G, scalars: scalars(n) },
              { bases: gens.H, scalars: scalars(n) },
            ],
            scalars: scalars(dyn),
            points: compressedAll.slice(0, dyn),
          };
          await ctx.bench(
            { bench: "msm_bp", backend: backend.name, n, m, fixed: 2 * n + 2, dynamic: dyn },
            () => backend.msm(input),
          );
        }
      }
    },
  },
  {
    name: "native_zkvm",
    async run(ctx) {
      const wantVerify = ctx.wants("verify");
      const wantBreakdown = ctx.wants("verify_breakdown");
      const list = wantVerify || wantBreakdown ? backends() : [];
      if (list.length === 0) return;
      const gens = BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
      const shapes = [1, 2] as const;
      const txs = new Map<number, Uint8Array>(shapes.map((n) => [n, buildTx(n)]));
      const batch = ctx.quick ? 16 : 64;
      const distinct = ctx.quick ? 2 : 8;
      const pool = [txs.get(2)!, ...Array.from({ length: distinct - 1 }, () => buildTx(2))];
      const batchList = Array.from({ length: batch }, (_, i) => pool[i % pool.length]!);

      for (const backend of list) {
        backend.prepare(gens.G);
        backend.prepare(gens.H);
        backend.prepare(pedersenGens().bases);
        if (wantVerify) {
          for (const n of shapes) {
            const bytes = txs.get(n)!;
            verifyTx(bytes, { rng, backend, bpGens: gens });
            const s = await measure(() => verifyTx(bytes, { rng, backend, bpGens: gens }), { minRuns: 5 });
            emit(
              { bench: "verify", tx: `${n}in${n}out`, mode: "single", backend: backend.name },
              { median_ms: s.median_ms, ms_per_tx: s.median_ms, runs: s.runs },
            );
          }
          const runBatch = (): void => {
            const results = verifyBatch(
              batchList.map((b) => precomputeTxBytes(b)),
              { rng, backend, bpGens: gens },
            );
            if (!results.every((r) => r.ok)) throw new Error("native bench: batch did not verify");
          };
          runBatch();
          const s = await measure(runBatch, { minRuns: 3, warmup: 1 });
          emit(
            {
              bench: "verify",
              tx: "2in2out",
              mode: "batch64",
              backend: backend.name,
              ...(batch === 64 ? {} : { batch, note: "BENCH_QUICK: smaller batch" }),
            },
            { median_ms: s.median_ms, ms_per_tx: round(s.median_ms / batch), runs: s.runs },
          );
          // Batch breakdown: JS work (decode + VM + statements + weights) vs the one MSM.
          const bt = { precompute: [] as number[], statements: [] as number[], msm: [] as number[] };
          for (let r = 0; r < (ctx.quick ? 3 : 7); r++) {
            const t0 = performance.now();
            const ps = batchList.map((b) => precomputeTxBytes(b));
            const t1 = performance.now();
            const bv = new BatchVerifier({ rng, backend });
            for (const p of ps) {
              const { r1cs, others } = txStatements(p, gens, rng, backend.kernels);
              bv.add(r1cs);
              for (const o of others) bv.add(o);
            }
            const t2 = performance.now();
            if (!bv.check()) throw new Error("native bench: batch breakdown did not verify");
            const t3 = performance.now();
            bt.precompute.push(t1 - t0);
            bt.statements.push(t2 - t1);
            bt.msm.push(t3 - t2);
          }
          emit(
            { bench: "verify_breakdown", tx: "2in2out", mode: "batch64", backend: backend.name, batch },
            {
              precompute_ms_per_tx: round(median(bt.precompute) / batch),
              statements_and_weights_ms_per_tx: round(median(bt.statements) / batch),
              msm_ms_per_tx: round(median(bt.msm) / batch),
            },
          );
        }
        if (wantBreakdown || wantVerify) {
          const bytes = txs.get(2)!;
          const runs = ctx.quick ? 5 : 25;
          emit(
            { bench: "verify_breakdown", tx: "2in2out", mode: "single", backend: backend.name },
            verifyBreakdown(bytes, gens, rng, backend, runs),
          );
        }
      }
    },
  },
];

export default groups;
