#!/usr/bin/env node
// Launcher for `zkvm-node`: runs the compiled CLI from dist/ when it was built (`npm run build`) and
// is not older than the sources, otherwise the TypeScript sources through tsx (a dev dependency), in
// this same process so that signals (Ctrl-C, SIGTERM from a supervisor) reach the node directly.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "src", "cli", "main.js");

/** The newest modification time of the TypeScript sources under `dir` (0 if absent). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const fresh =
  existsSync(built) &&
  statSync(built).mtimeMs >=
    Math.max(...["src", "consensus", "network"].map((d) => newestSource(join(root, d))));
if (existsSync(built) && !fresh)
  process.stderr.write(
    "zkvm-node: dist/ is older than the sources; running the sources (npm run build to refresh)\n",
  );
if (fresh) {
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
