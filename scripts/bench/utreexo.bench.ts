/**
 * Utreexo accumulator figures (src/utreexo):
 *
 *   node_hash      — node hashes per second (Merlin "ZkVM.utreexo" merkle.node, one Keccak-f each)
 *   build          — inserting and normalizing N utxos in one block (N = 2^20; BENCH_QUICK: 2^14)
 *   bridge_memory  — bytes held by the fully expanded N-utxo forest (the catchup of that block, which
 *                    can hand out a proof for every utxo): typed-array slabs, offsets and hash index
 *   block          — a block of 1k inputs (committed proofs, random utxos) and 1k outputs on the
 *                    N-utxo forest: work forest + deletes + inserts + normalize (target ≤ 100 ms at 2^20),
 *                    with the apply/normalize split and node hashes per block
 *   proof_refresh  — refreshing the proof of a utxo that was not spent through that block's catchup
 *
 * Leaves are random 32-byte leaf hashes (the accumulator works on leaf hashes; a ZkVM utxo leaf costs
 * one more Keccak-f, see node_hash's utxo_leaf figure).
 */
import { randomBytes, seededRng } from "../../src/util/rng.js";
import { Forest } from "../../src/utreexo/forest.js";
import { utreexoHasher } from "../../src/utreexo/hasher.js";
import { type Proof, TRANSIENT } from "../../src/utreexo/proof.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const rng = seededRng("bench utreexo");
const round = (x: number): number => Number(x.toPrecision(4));
const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return round(s[(s.length - 1) >> 1]!);
};

/** Distinct random indices in [0, n). */
function pickDistinct(n: number, k: number, exclude: Set<number> = new Set()): number[] {
  const out = new Set<number>();
  const buf = new Uint8Array(4);
  while (out.size < k) {
    rng.fillBytes(buf);
    const i = (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
    const j = i % n;
    if (!exclude.has(j)) out.add(j);
  }
  return [...out];
}

const groups: BenchGroup[] = [
  {
    name: "utreexo",
    async run(ctx) {
      const h = utreexoHasher();
      const quick = ctx.quick;
      const sizeNote = quick ? { note: "BENCH_QUICK: 2^14 utxos instead of 2^20" } : {};

      if (ctx.wants("node_hash")) {
        const slab = randomBytes(rng, 64);
        const s = await measure(() => {
          for (let i = 0; i < 1000; i++) h.nodeInto(slab, 0, slab, 0, slab, 32);
        });
        emit({ bench: "node_hash" }, { hashes_per_s: Math.round(1000 / (s.median_ms / 1000)), ...s });
        const id = randomBytes(rng, 32);
        const u = await measure(() => {
          for (let i = 0; i < 1000; i++) h.utxoLeaf(id);
        });
        emit(
          { bench: "node_hash", kind: "utxo_leaf" },
          { hashes_per_s: Math.round(1000 / (u.median_ms / 1000)) },
        );
      }

      const wanted = ["build", "bridge_memory", "block", "proof_refresh"].some((b) => ctx.wants(b));
      if (!wanted) return;

      const logN = quick ? 14 : 20;
      const n = 1 << logN;
      const leaves = randomBytes(rng, n * 32);
      const leaf = (i: number): Uint8Array => leaves.subarray(i * 32, i * 32 + 32);

      // Build: one block inserting every utxo.
      globalThis.gc?.();
      const mem0 = process.memoryUsage();
      const t0 = performance.now();
      const wf0 = Forest.empty().workForest();
      for (let i = 0; i < n; i++) wf0.insert(leaf(i));
      const { forest, catchup: bridge } = wf0.normalize();
      const buildMs = performance.now() - t0;
      globalThis.gc?.();
      const mem1 = process.memoryUsage();
      if (ctx.wants("build"))
        emit(
          { bench: "build", utxos: n, ...sizeNote },
          { ms: round(buildMs), utxos_per_s: Math.round(n / (buildMs / 1000)) },
        );
      if (ctx.wants("bridge_memory")) {
        const heapDelta = mem1.heapUsed + mem1.arrayBuffers - (mem0.heapUsed + mem0.arrayBuffers);
        emit(
          { bench: "bridge_memory", utxos: n, ...sizeNote },
          {
            nodes: bridge.nodeCount,
            slab_bytes: bridge.byteSize,
            bytes_per_utxo: round(bridge.byteSize / n),
            measured_bytes_per_utxo: round(heapDelta / n),
            gc_exposed: globalThis.gc !== undefined,
            note_memory:
              "measured = heap + array-buffer growth over the build, includes the work forest unless collected",
          },
        );
      }

      // A block: 1k inputs with proofs handed out by the bridge, 1k new outputs.
      const spentIdx = pickDistinct(n, 1000);
      const spentProofs = spentIdx.map((i) => bridge.update(leaf(i), TRANSIENT));
      const trackedIdx = pickDistinct(n, 1000, new Set(spentIdx));
      const trackedProofs = trackedIdx.map((i) => bridge.update(leaf(i), TRANSIENT));
      const outputs = randomBytes(rng, 1000 * 32);
      const applyBlock = () => {
        const wf = forest.workForest();
        for (let k = 0; k < spentIdx.length; k++) wf.delete(leaf(spentIdx[k]!), spentProofs[k]!);
        for (let k = 0; k < 1000; k++) wf.insert(outputs.subarray(k * 32, k * 32 + 32));
        return wf;
      };
      const before = h.nodeCount;
      const { catchup: blockCatchup, forest: forest2 } = applyBlock().normalize();
      const hashesPerBlock = h.nodeCount - before;

      if (ctx.wants("block")) {
        const s = await measure(() => applyBlock().normalize(), { minRuns: quick ? 3 : 10, warmup: 2 });
        const applyMs: number[] = [];
        const normMs: number[] = [];
        for (let r = 0; r < (quick ? 3 : 10); r++) {
          const a = performance.now();
          const wf = applyBlock();
          const b = performance.now();
          wf.normalize();
          applyMs.push(b - a);
          normMs.push(performance.now() - b);
        }
        emit(
          { bench: "block", inputs: 1000, outputs: 1000, utxos: n, ...sizeNote },
          {
            ...s,
            apply_ms: median(applyMs),
            normalize_ms: median(normMs),
            node_hashes: hashesPerBlock,
            target_ms: 100,
          },
        );
      }

      if (ctx.wants("proof_refresh")) {
        let refreshed: Proof[] = [];
        const s = await measure(() => {
          refreshed = trackedIdx.map((i, k) => blockCatchup.update(leaf(i), trackedProofs[k]!));
        });
        // Sanity: refreshed proofs verify against the new forest.
        for (let k = 0; k < 20; k++) {
          const p = refreshed[k]!;
          if (p.kind !== "committed" || !forest2.verify(leaf(trackedIdx[k]!), p.path))
            throw new Error("utreexo bench: refreshed proof does not verify");
        }
        emit(
          { bench: "proof_refresh", utxos: n, tracked: trackedIdx.length, ...sizeNote },
          {
            us_per_utxo: round((s.median_ms * 1000) / trackedIdx.length),
            median_ms: s.median_ms,
            runs: s.runs,
          },
        );
      }
    },
  },
];

export default groups;
