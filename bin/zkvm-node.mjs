#!/usr/bin/env node
import { spawnSync } from "node:child_process";
// Launcher for `zkvm-node`: runs the compiled CLI from dist/ when it was built (`npm run build`),
// otherwise the TypeScript sources through tsx (installed with the package's dev dependencies).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "src", "cli", "main.js");
if (existsSync(built)) {
  await import(built);
} else {
  const tsxLoader = join(root, "node_modules", "tsx", "dist", "esm", "index.mjs");
  if (!existsSync(tsxLoader)) {
    process.stderr.write("zkvm-node: not built yet; run `npm run build` (or install dev dependencies)\n");
    process.exit(1);
  }
  const r = spawnSync(
    process.execPath,
    ["--import", `file://${tsxLoader}`, join(root, "src", "cli", "main.ts"), ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  process.exit(r.status ?? 1);
}
