/**
 * A tight verification (or proving) loop to profile, outside the benchmark harness:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/_profLoop.ts single 1000 [shape]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/_profLoop.ts batch 30
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/_profLoop.ts prove 10
 *
 * Modes: `single` verifies one N-in-N-out payment (default 2) repeatedly, `batch` verifies batches of
 * 64 2in2out payments, `prove` builds and proves 2in2out payments. The backend is the native addon
 * (ZKVM_MSM=js forces JS); PROVE_NATIVE=1 makes the addon the process default while proving, as the
 * CLI does. Prints the mean wall and CPU time per transaction.
 */
import "../../src/polyfill.js";
import { BulletproofGens, pedersenGens } from "../../src/crypto/generators.js";
import { setDefaultMsmBackend } from "../../src/crypto/msm/index.js";
import { JsMsmBackend } from "../../src/crypto/msm/jsBackend.js";
import { loadNativeBackend } from "../../src/crypto/msm/native.js";
import { seededRng } from "../../src/util/rng.js";
import { DEFAULT_BP_CAPACITY, precomputeTxBytes, verifyBatch, verifyTx } from "../../src/zkvm/verifier.js";
import { paymentBuilder } from "./_zkvmTxs.js";

const rng = seededRng("prof");
const build = paymentBuilder(rng, 0x30000);
const mode = process.argv[2] ?? "single";
const iters = Number(process.argv[3] ?? 500);
const backend = (process.env["ZKVM_MSM"] === "js" ? undefined : loadNativeBackend()) ?? new JsMsmBackend();
const gens = BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
backend.prepare(gens.G);
backend.prepare(gens.H);
backend.prepare(pedersenGens().bases);

function timed(label: string, perRun: number, fn: () => void): void {
  const t = performance.now();
  const c = process.cpuUsage();
  for (let i = 0; i < iters; i++) fn();
  const cu = process.cpuUsage(c);
  const div = iters * perRun;
  console.log(
    `${backend.name} ${label}: wall ${((performance.now() - t) / div).toFixed(3)} ms, cpu ${((cu.user + cu.system) / 1000 / div).toFixed(3)} ms`,
  );
}

if (mode === "prove") {
  if (process.env["PROVE_NATIVE"] === "1") setDefaultMsmBackend(backend);
  timed("prove 2in2out", 1, () => build(2));
} else if (mode === "single") {
  const tx = build(Number(process.argv[4] ?? 2));
  for (let i = 0; i < 50; i++) verifyTx(tx, { rng, backend, bpGens: gens });
  timed("verify single", 1, () => verifyTx(tx, { rng, backend, bpGens: gens }));
} else {
  const txs = [build(2), build(2)];
  const list = Array.from({ length: 64 }, (_, i) => txs[i % 2]!);
  const run = (): void => {
    const r = verifyBatch(list.map(precomputeTxBytes), { rng, backend, bpGens: gens });
    if (!r.every((x) => x.ok)) throw new Error("profLoop: batch did not verify");
  };
  for (let i = 0; i < 3; i++) run();
  timed("verify batch64 (per tx)", 64, run);
}
