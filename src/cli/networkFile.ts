/**
 * The network file: what every node of one network shares (README "Command line", testnet/). JSON:
 *
 *     {
 *       "network": "zkvm-testnet",                         // network id: [a-z0-9._-], ≤ 64 chars
 *       "genesis": { "timestamp_ms": "1763880000000",      // u64, decimal string (or safe integer)
 *                    "utxo_ids": ["<32-byte hex>", ...] },  // contract ids of the initial utxos
 *       "bootstrap": ["/ip4/1.2.3.4/tcp/7650/p2p/12D3Koo..."],   // libp2p multiaddrs (may be empty)
 *       "quorum_set": { "threshold": 3, "validators": ["<node id hex>", ...], "innerSets": [] },
 *       "empty_block_interval_ms": 5000,                   // optional: 0 (never) or ≥ 100
 *       "scp_timeout_ms": 1000                             // optional: SCP round timeout, ≥ 50
 *     }
 *
 * `zkvm-node init --network FILE` turns it into a node's `config.json` + `genesis.json`. Every
 * problem is CLI_BAD_NETWORK_FILE with `field` and `reason` (the underlying CONFIG_* / NODE_* error
 * as cause), so a bad file never half-initializes a node.
 */
import { readFileSync } from "node:fs";
import { loadConfig, parseQuorumSet, type QuorumSetConfig, quorumSetToJson } from "../node/config.js";
import { type GenesisParams, parseGenesis } from "../node/run.js";
import { toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { CliCode, CliError } from "./errors.js";

/** A parsed network file. */
export interface NetworkFile {
  readonly network: string;
  readonly genesis: GenesisParams;
  readonly bootstrap: readonly string[];
  readonly quorumSet: QuorumSetConfig;
  /** Undefined: the node's default. */
  readonly emptyBlockIntervalMs: number | undefined;
  /** SCP round timeout of the network's validators (config `scpTimeoutMs`); undefined: the default. */
  readonly scpTimeoutMs?: number | undefined;
}

const KEYS = [
  "network",
  "genesis",
  "bootstrap",
  "quorum_set",
  "empty_block_interval_ms",
  "scp_timeout_ms",
  "comment",
];

function bad(field: string, reason: string, path: string | undefined, cause?: unknown): never {
  const meta = path === undefined ? { field, reason } : { field, reason, path };
  throw new CliError(CliCode.BAD_NETWORK_FILE, meta, cause === undefined ? undefined : { cause });
}

/** Parses network-file text. CLI_BAD_NETWORK_FILE (meta.field, meta.reason) on any problem. */
export function parseNetworkFile(text: string, path?: string): NetworkFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    bad("(file)", "not JSON", path);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    bad("(file)", "not a JSON object", path);
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) bad(k, "unknown field", path);
  for (const k of ["network", "genesis", "quorum_set"]) if (o[k] === undefined) bad(k, "missing", path);

  let genesis: GenesisParams;
  try {
    if (typeof o["genesis"] !== "object" || o["genesis"] === null || Array.isArray(o["genesis"]))
      bad("genesis", "not an object", path);
    genesis = parseGenesis(JSON.stringify(o["genesis"]), path ?? "network file");
  } catch (e) {
    if (e instanceof CliError) throw e;
    bad("genesis", e instanceof CodedError ? String(e.meta["reason"] ?? e.code) : "invalid", path, e);
  }

  let quorumSet: QuorumSetConfig;
  try {
    quorumSet = parseQuorumSet(o["quorum_set"], "file");
  } catch (e) {
    bad("quorum_set", e instanceof CodedError ? String(e.meta["reason"] ?? e.code) : "invalid", path, e);
  }

  const bootstrap = o["bootstrap"] ?? [];
  const interval = o["empty_block_interval_ms"];
  // The node's own validation of these keys, so a network file never makes a config the node refuses.
  const fileKeys: Record<string, unknown> = { network: o["network"], bootstrapPeers: bootstrap };
  if (interval !== undefined) fileKeys["emptyBlockIntervalMs"] = interval;
  const scpTimeout = o["scp_timeout_ms"];
  if (scpTimeout !== undefined) fileKeys["scpTimeoutMs"] = scpTimeout;
  let config: ReturnType<typeof loadConfig>["config"];
  try {
    config = loadConfig({
      argv: ["--config", "network.json"],
      env: {},
      cwd: "/",
      readFile: () => JSON.stringify(fileKeys),
    }).config;
  } catch (e) {
    const key = e instanceof CodedError ? String(e.meta["key"] ?? "") : "";
    const field =
      key === "bootstrapPeers"
        ? "bootstrap"
        : key === "emptyBlockIntervalMs"
          ? "empty_block_interval_ms"
          : key === "scpTimeoutMs"
            ? "scp_timeout_ms"
            : key;
    bad(field || "(file)", e instanceof CodedError ? String(e.meta["reason"] ?? e.code) : "invalid", path, e);
  }
  return {
    network: config.network,
    genesis,
    bootstrap: config.bootstrapPeers,
    quorumSet,
    emptyBlockIntervalMs: interval === undefined ? undefined : config.emptyBlockIntervalMs,
    ...(scpTimeout === undefined ? {} : { scpTimeoutMs: config.scpTimeoutMs }),
  };
}

/** Reads and parses a network file (CLI_BAD_NETWORK_FILE if unreadable or malformed). */
export function loadNetworkFile(path: string): NetworkFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    bad("(file)", "unreadable", path, e);
  }
  return parseNetworkFile(text, path);
}

/** The genesis as its JSON form (`timestamp_ms` as a decimal string). */
export function genesisToJson(g: GenesisParams): { timestamp_ms: string; utxo_ids: string[] } {
  return { timestamp_ms: g.timestampMs.toString(), utxo_ids: g.utxoIds.map(toHex) };
}

/** The JSON form of a network file (parses back to an equal value). */
export function networkFileToJson(n: NetworkFile): Record<string, unknown> {
  const out: Record<string, unknown> = {
    network: n.network,
    genesis: genesisToJson(n.genesis),
    bootstrap: [...n.bootstrap],
    quorum_set: quorumSetToJson(n.quorumSet),
  };
  if (n.emptyBlockIntervalMs !== undefined) out["empty_block_interval_ms"] = n.emptyBlockIntervalMs;
  if (n.scpTimeoutMs !== undefined) out["scp_timeout_ms"] = n.scpTimeoutMs;
  return out;
}

/** The network file as text (pretty JSON, trailing newline). */
export function formatNetworkFile(n: NetworkFile): string {
  return `${JSON.stringify(networkFileToJson(n), null, 2)}\n`;
}
