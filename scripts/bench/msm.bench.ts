/**
 * Multi-scalar multiplication figures: dynamic (pre-decoded) points, the Bulletproofs verification
 * shape (fixed generator terms + a few dynamic points), a batch of such statements with the fixed
 * scalars summed, and the one-off cost of the fixed-base tables. Backends: "js" (default, with
 * tables), "js-notables" (fixed sets fed as ordinary points) and "noble" (noble's `pippenger`).
 */
import { BulletproofGens, pedersenGens } from "../../src/crypto/generators.js";
import type { FixedBases, MsmBackend, MsmInput } from "../../src/crypto/msm/backend.js";
import { fixedBases } from "../../src/crypto/msm/backend.js";
import { JsMsmBackend } from "../../src/crypto/msm/jsBackend.js";
import { NobleMsmBackend } from "../../src/crypto/msm/nobleBackend.js";
import { decodePoint, fromUniformBytes, type Point } from "../../src/crypto/ristretto.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { randomBytes, seededRng } from "../../src/util/rng.js";
import type { BenchGroup } from "./harness.js";

const rng = seededRng("bench msm");
const scalars = (n: number): bigint[] => Array.from({ length: n }, () => randomScalar(rng));

let pool: Point[] | undefined;
/** Random points as they come out of decoding (so Z = 1), built once. */
function points(n: number): Point[] {
  if (pool === undefined || pool.length < n) {
    const more = Array.from({ length: n - (pool?.length ?? 0) }, () =>
      decodePoint(fromUniformBytes(randomBytes(rng, 64)).toBytes()),
    );
    pool = [...(pool ?? []), ...more];
  }
  return pool.slice(0, n);
}

const backends = (): [string, MsmBackend][] => [
  ["js", new JsMsmBackend()],
  ["js-notables", new JsMsmBackend({ fixedTables: false })],
  ["noble", new NobleMsmBackend()],
];

/** The verification MSM of one proof with n multipliers and m other points (see crypto-perf.md). */
function proofShape(gens: BulletproofGens, n: number, m: number): MsmInput {
  const dyn = m + 2 * Math.log2(n) + 13;
  return {
    fixed: [
      { bases: pedersenGens().bases, scalars: scalars(2) },
      { bases: gens.G, scalars: scalars(n) },
      { bases: gens.H, scalars: scalars(n) },
    ],
    scalars: scalars(dyn),
    points: points(dyn),
  };
}

const groups: BenchGroup[] = [
  {
    name: "msm",
    async run(ctx) {
      if (!ctx.wants("msm")) return;
      const sizes = [64, 128, 256, 512, 1024, 2048];
      const all = points(2048);
      for (const [name, backend] of backends()) {
        if (name === "js-notables") continue; // no fixed terms here: identical to "js"
        for (const n of sizes) {
          const input: MsmInput = { scalars: scalars(n), points: all.slice(0, n) };
          await ctx.bench({ bench: "msm", backend: name, n }, () => backend.msm(input), {
            minRuns: ctx.quick ? 2 : 5,
          });
        }
      }
    },
  },
  {
    name: "msm_bp",
    async run(ctx) {
      if (!ctx.wants("msm_bp")) return;
      const gens = BulletproofGens.withCapacity(1024);
      const shapes: [number, number][] = [
        [64, 1],
        [256, 8],
        [1024, 32],
      ];
      for (const [name, backend] of backends()) {
        backend.prepare(gens.G);
        backend.prepare(gens.H);
        backend.prepare(pedersenGens().bases);
        for (const [n, m] of shapes) {
          const input = proofShape(gens, n, m);
          const dynamic = input.points.length;
          await ctx.bench({ bench: "msm_bp", backend: name, n, m, fixed: 2 * n + 2, dynamic }, () =>
            backend.msm(input),
          );
        }
      }
    },
  },
  {
    name: "msm_bp_batch",
    async run(ctx) {
      if (!ctx.wants("msm_bp_batch")) return;
      const gens = BulletproofGens.withCapacity(1024);
      const n = 256;
      const m = 8;
      const txs = ctx.quick ? 8 : 64;
      // Fixed scalars are summed across the batch; dynamic points add up.
      const one = proofShape(gens, n, m);
      const perTx = one.points.length;
      const input: MsmInput = {
        fixed: one.fixed!,
        scalars: scalars(perTx * txs),
        points: points(perTx * txs),
      };
      for (const [name, backend] of backends()) {
        backend.prepare(gens.G);
        backend.prepare(gens.H);
        const fields = { bench: "msm_bp_batch", backend: name, n, m, txs, dynamic: perTx * txs };
        await ctx.bench(fields, () => backend.msm(input), { minRuns: ctx.quick ? 2 : 5 });
      }
    },
  },
  {
    name: "msm_prepare",
    async run(ctx) {
      if (!ctx.wants("msm_prepare")) return;
      // Tables are cached per point object: each run prepares fresh copies of the generators.
      const gens = BulletproofGens.withCapacity(1024);
      const size = ctx.quick ? 128 : 1024;
      const copies: FixedBases[] = [];
      const runs = ctx.quick ? 1 : 3;
      for (let i = 0; i < runs + 2; i++)
        copies.push(
          fixedBases(
            "bp-G copy",
            gens.G.points.slice(0, size).map((p) => decodePoint(p.toBytes())),
          ),
        );
      const backend = new JsMsmBackend();
      let next = 0;
      await ctx.bench(
        { bench: "msm_prepare", backend: "js", points: size },
        () => backend.prepare(copies[next++]!),
        { warmup: 1, warmupMs: 0, minRuns: runs, maxRuns: runs },
      );
    },
  },
];

export default groups;
