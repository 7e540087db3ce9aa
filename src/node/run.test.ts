/** Tests of the command-line entry: genesis file, node key, `runNode`, and `zkvm-node run` as a process. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeScalar, L } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { NodeCode } from "./errors.js";
import { loadGenesisFile, loadOrCreateNodeSecret, parseGenesis, runNode } from "./run.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkvm-run-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ID = "ab".repeat(32);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("genesis file", () => {
  it("parses timestamps and utxo ids", () => {
    expect(parseGenesis(`{"timestamp_ms": "1700000000000", "utxo_ids": ["${ID}"]}`)).toEqual({
      timestampMs: 1_700_000_000_000n,
      utxoIds: [new Uint8Array(32).fill(0xab)],
    });
    expect(parseGenesis(`{"timestamp_ms": 5}`)).toEqual({ timestampMs: 5n, utxoIds: [] });
  });

  it("rejects malformed files with NODE_BAD_GENESIS", () => {
    for (const bad of [
      "{",
      "[]",
      `{"timestamp_ms": -1}`,
      `{"timestamp_ms": "18446744073709551616"}`,
      `{"timestamp_ms": "1", "utxo_ids": ["00"]}`,
      `{"timestamp_ms": "1", "other": 1}`,
    ])
      expect(codeOf(() => parseGenesis(bad))).toBe(NodeCode.BAD_GENESIS);
    expect(codeOf(() => loadGenesisFile("/nonexistent/genesis.json"))).toBe(NodeCode.BAD_GENESIS);
  });
});

describe("node key file", () => {
  it("is created once (mode 0600) and read back", () => {
    const path = join(tempDir(), "sub", "node.key");
    const a = loadOrCreateNodeSecret(path, seededRng("node key"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateNodeSecret(path, seededRng("other"))).toBe(a);
  });

  it("rejects junk and non-canonical scalars with NODE_BAD_NODE_KEY", () => {
    const d = tempDir();
    writeFileSync(join(d, "junk"), "xyz");
    const big = encodeScalar(L - 1n);
    big[31] = 0xff;
    writeFileSync(join(d, "big"), toHex(big));
    expect(codeOf(() => loadOrCreateNodeSecret(join(d, "junk")))).toBe(NodeCode.BAD_NODE_KEY);
    expect(codeOf(() => loadOrCreateNodeSecret(join(d, "big")))).toBe(NodeCode.BAD_NODE_KEY);
  });
});

/** Flags of a one-validator node in `dir` whose key is already in `dir/node.key`. */
function flags(dir: string, nodeId: string, genesisFile: string): string[] {
  return [
    "--data-dir",
    dir,
    "--listen-host",
    "127.0.0.1",
    "--listen-port",
    "0",
    "--api-port",
    "0",
    "--validator",
    "--quorum-set",
    JSON.stringify({ threshold: 1, validators: [nodeId] }),
    "--genesis",
    genesisFile,
    "--empty-block-interval-ms",
    "200",
    "--msm",
    "js",
    "--log-level",
    "info",
  ];
}

function setup(): { dir: string; nodeId: string; genesisFile: string } {
  const dir = tempDir();
  const secret = loadOrCreateNodeSecret(join(dir, "node.key"), seededRng(dir));
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify({ timestamp_ms: "1700000000000", utxo_ids: [ID] }));
  return { dir, nodeId: toHex(publicKey(secret).bytes), genesisFile };
}

async function statusHeight(url: string): Promise<number> {
  const r = await fetch(`${url}/status`);
  return Number(((await r.json()) as Record<string, unknown>)["height"]);
}

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("runNode", () => {
  it("starts a node from flags; without a genesis file it is NODE_BAD_GENESIS", async () => {
    const { dir, nodeId, genesisFile } = setup();
    const lines: string[] = [];
    const { createLogger } = await import("./logger.js");
    const node = await runNode(
      flags(dir, nodeId, genesisFile),
      {},
      createLogger({ sink: (l) => lines.push(l) }),
    );
    try {
      expect(toHex(node.nodeId)).toBe(nodeId);
      await waitFor(async () => (await statusHeight(node.apiUrl!)) >= 3);
    } finally {
      await node.stop();
    }
    expect(lines.some((l) => l.includes('"node started"'))).toBe(true);
    const noGenesis = flags(dir, nodeId, genesisFile).slice(0, -8);
    await expect(runNode(noGenesis, {})).rejects.toSatisfy((e) => hasCode(e, NodeCode.BAD_GENESIS));
  }, 20_000);
});

const TSX = join(process.cwd(), "node_modules", "tsx", "dist", "esm", "index.mjs");
const MAIN = join(process.cwd(), "src", "cli", "main.ts");

describe("zkvm-node run / node-id (process)", () => {
  it("node-id prints the key's id; run serves the API until SIGTERM, then exits 0", async () => {
    const { dir, nodeId, genesisFile } = setup();
    const id = spawnSync(
      process.execPath,
      ["--import", `file://${TSX}`, MAIN, "node-id", "--data-dir", dir],
      {
        encoding: "utf8",
      },
    );
    expect(id.status).toBe(0);
    expect(id.stdout.trim()).toBe(nodeId);

    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", `file://${TSX}`, MAIN, "run", ...flags(dir, nodeId, genesisFile)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(async () => /"api":"http:\/\/127\.0\.0\.1:\d+"/.test(stderr), 15_000);
      const url = /"api":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr)![1]!;
      await waitFor(async () => (await statusHeight(url)) >= 2);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('"node stopped"');

    // must-fail twin: a bad flag value exits 2 with the config error code
    const bad = spawnSync(
      process.execPath,
      ["--import", `file://${TSX}`, MAIN, "run", "--data-dir", dir, "--listen-port", "x"],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("CONFIG_INVALID_VALUE");
  }, 40_000);
});
