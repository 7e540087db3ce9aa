#!/usr/bin/env node
// Launcher for `zkvm-node`: runs the compiled CLI from dist/ when it was built (`npm run build`),
// otherwise the TypeScript sources through tsx (a dev dependency), in this same process so that
// signals (Ctrl-C, SIGTERM from a supervisor) reach the node directly.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "src", "cli", "main.js");
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("zkvm-node: not built yet; run `npm run build` (or install dev dependencies)\n");
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
}
