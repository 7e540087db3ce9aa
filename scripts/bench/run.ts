/**
 * Runs the benchmarks of this folder: every `*.bench.ts` module default-exports `BenchGroup`s. Prints
 * one JSON line per figure on stdout (progress and skips go to stderr).
 *
 *   npm run bench                 all groups
 *   npm run bench -- msm point    groups or figures whose name contains "msm" or "point"
 *   BENCH_QUICK=1 npm run bench   smoke run with small budgets
 */
import "../../src/polyfill.js";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchContext, type BenchGroup, emit, measure, QUICK } from "./harness.js";

const dir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).map((f) => f.toLowerCase());
const matches = (name: string): boolean => filters.some((f) => name.toLowerCase().includes(f));

async function main(): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const started = performance.now();
  for (const file of files) {
    const moduleName = file.slice(0, -".bench.ts".length);
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: readonly BenchGroup[] };
    for (const group of mod.default) {
      const all = filters.length === 0 || matches(moduleName) || matches(group.name);
      const wants = (bench: string): boolean => all || matches(bench);
      const ctx: BenchContext = {
        quick: QUICK,
        wants,
        async bench(fields, fn, opts) {
          if (!wants(fields.bench)) return;
          emit(fields, await measure(fn, opts));
        },
      };
      const t = performance.now();
      await group.run(ctx);
      console.error(`# ${moduleName}/${group.name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  }
  console.error(`# total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
