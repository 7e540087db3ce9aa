#!/usr/bin/env node
// Builds the optional native MSM addon (native/msm.c -> native/build/Release/zkvm_msm.node) with
// node-gyp, then loads it once to check it works.
//
//   node scripts/buildNative.mjs             build; exit 1 on failure   (npm run build:native)
//   node scripts/buildNative.mjs --optional  build; on failure print a warning and exit 0 (npm install)
//
// ZKVM_SKIP_NATIVE=1 skips the build. Without the addon everything runs on the pure-JS backend.
// node-gyp: the copy npm passes in npm_config_node_gyp, else the one bundled with npm beside this
// node binary, else `node-gyp` on PATH. Headers: npm's nodedir setting if any, else the headers
// installed with this node binary (<prefix>/include/node), so no download is needed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const optional = process.argv.includes("--optional");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const addonPath = join(nativeDir, "build", "Release", "zkvm_msm.node");

function fail(message) {
  if (optional) {
    console.warn(`zkvm-node: native MSM addon not built (${message}); using the pure-JS backend.`);
    process.exit(0);
  }
  console.error(`buildNative: ${message}`);
  process.exit(1);
}

if (process.env.ZKVM_SKIP_NATIVE === "1") {
  console.log("buildNative: skipped (ZKVM_SKIP_NATIVE=1)");
  process.exit(0);
}
if (!existsSync(join(nativeDir, "binding.gyp"))) fail("native/binding.gyp is missing");

function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const prefix = resolve(dirname(process.execPath), "..");
  for (const lib of ["lib/node_modules", "node_modules"]) {
    const p = join(prefix, lib, "npm/node_modules/node-gyp/bin/node-gyp.js");
    if (existsSync(p)) return [process.execPath, p];
  }
  return ["node-gyp"];
}

const args = ["rebuild", "--loglevel=warn"];
if (!process.env.npm_config_nodedir) {
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
}
const [cmd, ...pre] = nodeGyp();
const run = spawnSync(cmd, [...pre, ...args], {
  cwd: nativeDir,
  stdio: optional ? ["ignore", "pipe", "pipe"] : "inherit",
  encoding: "utf8",
});
if (run.error) fail(`cannot run node-gyp: ${run.error.message}`);
if (run.status !== 0) {
  if (optional) {
    const tail = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
    if (tail) console.warn(tail);
  }
  fail(`node-gyp exited with status ${run.status}`);
}
try {
  const addon = createRequire(import.meta.url)(addonPath);
  if (typeof addon.msm !== "function") throw new Error("msm() missing");
} catch (e) {
  fail(`built, but the addon does not load: ${e instanceof Error ? e.message : String(e)}`);
}
console.log(`buildNative: built ${addonPath}`);
