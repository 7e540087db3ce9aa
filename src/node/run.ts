/**
 * Running a node from the command line (DESIGN.md, "src/node" + "src/cli"): the genesis file, the
 * node's Starsig key file, and `runNode`, which loads the config (file, env, flags), builds and starts
 * a `ZkvmNode`. `zkvm-node run` and `zkvm-node node-id` (src/cli/main.ts) call these.
 *
 * Genesis file (JSON): `{"timestamp_ms": "<u64 decimal>", "utxo_ids": ["<32-byte hex>", ...]}`.
 * Node key file: the 32-byte little-endian secret scalar as 64 hex digits (created with mode 0600).
 */
import { randomFillSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { decodeScalar, encodeScalar, randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { fromHex, toHex } from "../util/bytes.js";
import type { Rng } from "../util/rng.js";
import { loadConfig, type NodeConfig } from "./config.js";
import { NodeCode, NodeError } from "./errors.js";
import { createLogger, type Logger } from "./logger.js";
import { ZkvmNode } from "./node.js";
import type { SyncProgress } from "./sync.js";

/** File name of the node key inside the data directory. */
export const NODE_KEY_FILE = "node.key";

/** The chain's genesis parameters. */
export interface GenesisParams {
  readonly timestampMs: bigint;
  readonly utxoIds: readonly Uint8Array[];
}

/** Parses genesis file text (NODE_BAD_GENESIS if malformed). */
export function parseGenesis(text: string, path = "genesis"): GenesisParams {
  const bad = (reason: string): never => {
    throw new NodeError(NodeCode.BAD_GENESIS, { path, reason });
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    bad("not JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) bad("not a JSON object");
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "timestamp_ms" && k !== "utxo_ids") bad(`unknown key ${k}`);
  const ts = o["timestamp_ms"];
  if (
    !(typeof ts === "string" && /^[0-9]{1,20}$/.test(ts)) &&
    !(Number.isSafeInteger(ts) && (ts as number) >= 0)
  )
    bad("timestamp_ms must be a u64 (decimal string or safe integer)");
  const timestampMs = BigInt(ts as string | number);
  if (timestampMs >= 1n << 64n) bad("timestamp_ms must be a u64");
  const ids = o["utxo_ids"] ?? [];
  if (!Array.isArray(ids)) bad("utxo_ids must be an array");
  const utxoIds = (ids as unknown[]).map((h) => {
    if (typeof h !== "string" || !/^[0-9a-fA-F]{64}$/.test(h)) bad("utxo_ids must be 32-byte hex strings");
    return fromHex((h as string).toLowerCase(), 32);
  });
  return { timestampMs, utxoIds };
}

/** Reads a genesis file (NODE_BAD_GENESIS if unreadable or malformed). */
export function loadGenesisFile(path: string): GenesisParams {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new NodeError(NodeCode.BAD_GENESIS, { path, reason: "unreadable" }, { cause: e });
  }
  return parseGenesis(text, path);
}

const systemRng: Rng = {
  fillBytes(dest: Uint8Array): void {
    randomFillSync(dest);
  },
};

/**
 * The node secret stored at `path`, created (from `rng`) if the file does not exist.
 * NODE_BAD_NODE_KEY if the file exists but does not hold 64 hex digits of a canonical scalar.
 */
export function loadOrCreateNodeSecret(path: string, rng: Rng = systemRng): bigint {
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new NodeError(NodeCode.BAD_NODE_KEY, { path, reason: "unreadable" }, { cause: e });
  }
  if (text === undefined) {
    const secret = randomScalar(rng);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${toHex(encodeScalar(secret))}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new NodeError(NodeCode.BAD_NODE_KEY, { path, reason: "expected 64 hex digits" });
  try {
    return decodeScalar(fromHex(hex.toLowerCase(), 32), "node secret");
  } catch (e) {
    throw new NodeError(NodeCode.BAD_NODE_KEY, { path, reason: "not a canonical scalar" }, { cause: e });
  }
}

/** The node id (hex public key) for the data directory of `config`, creating the key if needed. */
export function nodeIdOf(config: NodeConfig, rng?: Rng): string {
  return toHex(publicKey(loadOrCreateNodeSecret(join(config.dataDir, NODE_KEY_FILE), rng)).bytes);
}

/** Loads the config from `argv` and `env` (see config.ts). */
export function configFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): NodeConfig {
  return loadConfig({ argv, env: { ...env } }).config;
}

/**
 * How many verification worker threads a node started from the command line uses:
 * `ZKVM_VERIFY_WORKERS` (0 = verify on the main thread), else one per core.
 */
export function verifyWorkersFrom(env: Readonly<Record<string, string | undefined>>): number {
  const v = env["ZKVM_VERIFY_WORKERS"];
  if (v !== undefined && /^[0-9]{1,3}$/.test(v)) return Number(v);
  return availableParallelism();
}

/**
 * Builds and starts a node from command-line arguments and the environment: config, genesis file
 * (required: NODE_BAD_GENESIS without one), node key from `<dataDir>/node.key`, JSON logs to stderr.
 */
export async function runNode(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  logger?: Logger,
  onSyncProgress?: (p: SyncProgress) => void,
): Promise<ZkvmNode> {
  const config = configFrom(argv, env);
  if (config.genesisFile === undefined)
    throw new NodeError(NodeCode.BAD_GENESIS, { reason: "no genesis file configured (--genesis)" });
  const genesis = loadGenesisFile(config.genesisFile);
  const nodeSecret = loadOrCreateNodeSecret(join(config.dataDir, NODE_KEY_FILE));
  const node = await ZkvmNode.create({
    config,
    genesis,
    nodeSecret,
    verifyWorkers: verifyWorkersFrom(env),
    ...(onSyncProgress === undefined ? {} : { onSyncProgress }),
    logger: logger ?? createLogger({ level: config.logLevel }),
  });
  await node.start();
  return node;
}
