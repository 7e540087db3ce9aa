#!/usr/bin/env node
// Import-boundary check: enforces the dependency rules of DESIGN.md ("Layers and the direction of
// dependencies"). Run by `npm run lint`. Exits non-zero and lists every violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The pure core, lowest layer first. A layer may import itself and the layers before it. */
export const PURE_CORE = [
  "src/util",
  "src/params",
  "src/crypto",
  "src/bulletproofs",
  "src/cloak",
  "src/zkvm",
  "src/utreexo",
  "src/chain",
  "src/wallet",
];

/** Packages whose import is restricted to one area of the tree. */
const RESTRICTED_PACKAGES = [
  {
    test: (p) => p === "sqlite3",
    allowed: ["src/storage/sqlite"],
    why: "only src/storage/sqlite* imports sqlite3",
  },
  {
    test: (p) =>
      p === "libp2p" || p.startsWith("@libp2p/") || p.startsWith("@chainsafe/") || p.startsWith("it-"),
    allowed: ["network/", "src/node/"],
    why: "only network/ imports libp2p (src/node constructs it through network/)",
  },
];

/** Files of the pure core allowed to touch the outside world, with the reason. */
const PURE_EXCEPTIONS = new Map([
  // The optional native MSM addon is loaded once at start-up (DESIGN.md rule 1).
  ["src/crypto/msm/native.ts", "loads the optional native MSM addon"],
]);

const FORBIDDEN_IN_PURE = [
  { re: /\bDate\.now\s*\(/, why: "no clock in the pure core (inject a Clock)" },
  { re: /\bnew Date\s*\(\s*\)/, why: "no clock in the pure core (inject a Clock)" },
  { re: /\bMath\.random\s*\(/, why: "no Math.random in the pure core (inject an Rng)" },
  { re: /\bconsole\.\w+\s*\(/, why: "no logging in the pure core" },
  { re: /\bprocess\.\w+/, why: "no process access in the pure core" },
  { re: /\bset(?:Timeout|Interval|Immediate)\s*\(/, why: "no timers in the pure core" },
];

function layerOf(rel) {
  for (const layer of PURE_CORE) if (rel === layer || rel.startsWith(`${layer}/`)) return layer;
  return null;
}

/** Where a project file may import project files from: returns a reason string if `to` is forbidden. */
export function forbiddenEdge(from, to) {
  if (to.startsWith("scripts/") && !from.startsWith("scripts/")) return "nothing imports from scripts/";
  // tools (benchmarks) may drive the local network launcher; product code never does
  if (to.startsWith("testnet/") && !from.startsWith("testnet/") && !from.startsWith("scripts/"))
    return "only testnet/ and tools in scripts/ import from testnet/";
  const fromLayer = layerOf(from);
  if (fromLayer) {
    const toLayer = layerOf(to);
    if (to === "src/polyfill.ts") return null;
    if (!toLayer) return `${fromLayer} is pure: it may import only lower layers of the core`;
    if (PURE_CORE.indexOf(toLayer) > PURE_CORE.indexOf(fromLayer))
      return `${fromLayer} may not import the higher layer ${toLayer}`;
    return null;
  }
  if (from.startsWith("consensus/scp/")) {
    if (to.startsWith("consensus/scp/") || to.startsWith("src/util/") || to.startsWith("src/crypto/"))
      return null;
    return "consensus/scp knows nothing of blocks, network or storage";
  }
  if (from.startsWith("consensus/herder/")) {
    if (to.startsWith("network/") || to.startsWith("src/storage/"))
      return "consensus/herder never imports network/ or src/storage";
    return null;
  }
  if (from.startsWith("network/")) {
    if (to.startsWith("src/storage/") || to.startsWith("src/node/") || to.startsWith("src/api/"))
      return "network/ never touches storage or the composition root";
    if (to.startsWith("consensus/") && !to.startsWith("consensus/scp/"))
      return "network/ may use only consensus/scp types";
    return null;
  }
  if (
    to.startsWith("src/node/") &&
    !["src/node/", "src/cli/", "scripts/", "testnet/"].some((p) => from.startsWith(p))
  )
    return "only src/cli (and tools in scripts/, testnet/) use the composition root src/node";
  return null;
}

/** Checks one file's source; returns a list of violation messages. */
export function checkSource(rel, source) {
  const problems = [];
  const isTest = /\.test\.ts$/.test(rel) || rel.includes("/fixtures/");
  const specifiers = [];
  const importRe =
    /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(importRe)) specifiers.push(m[1] ?? m[2]);
  const layer = layerOf(rel);
  for (const spec of specifiers) {
    if (spec.startsWith(".")) {
      const target = relative(".", join(dirname(rel), spec))
        .split(sep)
        .join("/");
      const normalized = target.replace(/\.js$/, ".ts");
      const why = forbiddenEdge(rel, normalized);
      if (why) problems.push(`${rel}: import "${spec}": ${why}`);
      continue;
    }
    for (const r of RESTRICTED_PACKAGES) {
      if (r.test(spec) && !r.allowed.some((a) => rel.startsWith(a)))
        problems.push(`${rel}: import "${spec}": ${r.why}`);
    }
    if (layer && !isTest && !PURE_EXCEPTIONS.has(rel)) {
      if (!spec.startsWith("@noble/"))
        problems.push(`${rel}: import "${spec}": the pure core imports only @noble/*`);
    }
  }
  if (layer && !isTest && !PURE_EXCEPTIONS.has(rel)) {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
    for (const f of FORBIDDEN_IN_PURE) if (f.re.test(code)) problems.push(`${rel}: ${f.why}`);
  }
  return problems;
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  process.chdir(root);
  const problems = [];
  let files = 0;
  for (const top of ["src", "consensus", "network", "scripts", "testnet"]) {
    let exists = false;
    try {
      exists = statSync(top).isDirectory();
    } catch {}
    if (!exists) continue;
    for (const file of walk(top)) {
      files++;
      const rel = file.split(sep).join("/");
      problems.push(...checkSource(rel, readFileSync(file, "utf8")));
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(`import boundaries: ${problems.length} violation(s) in ${files} files`);
    process.exit(1);
  }
  console.log(`import boundaries: ok (${files} files)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
