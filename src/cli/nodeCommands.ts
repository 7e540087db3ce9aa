/**
 * `zkvm-node keygen | init | start | status` (DESIGN.md, "src/node + src/cli"; README "Command line").
 *
 * A node's data directory after `init`:
 *   node.key      the Starsig consensus key (64 hex digits, mode 0600); node id = its public key
 *   peer.key      the libp2p identity (protobuf Ed25519 key, mode 0600); peer id = its hash
 *   genesis.json  {"timestamp_ms", "utxo_ids"} from the network file
 *   network.json  the network file it was made from
 *   config.json   the node config (src/node/config.ts keys; paths relative to the folder)
 * `start --data-dir DIR` reads DIR/config.json unless `--config` is given; flags override it.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadOrCreateIdentity, peerIdOf } from "../../network/identity.js";
import { publicKey } from "../crypto/starsig.js";
import { DEFAULT_CONFIG, loadConfig, type NodeConfig, parseFlags, quorumSetToJson } from "../node/config.js";
import { loadOrCreateNodeSecret, NODE_KEY_FILE } from "../node/run.js";
import { toHex } from "../util/bytes.js";
import { ApiClient } from "./apiClient.js";
import { parseArgs, required } from "./args.js";
import type { CliContext } from "./context.js";
import { CliCode, CliError } from "./errors.js";
import { formatNetworkFile, genesisToJson, loadNetworkFile, type NetworkFile } from "./networkFile.js";

/** File names inside a data directory. */
export const DATA_FILES = {
  CONFIG: "config.json",
  GENESIS: "genesis.json",
  NETWORK: "network.json",
  PEER_KEY: "peer.key",
  NODE_KEY: NODE_KEY_FILE,
} as const;

/** The node id (hex) of a node secret. */
export function nodeIdHex(secret: bigint): string {
  return toHex(publicKey(secret).bytes);
}

/**
 * `keygen`: creates a node key file (mode 0600, never overwritten: CLI_FILE_EXISTS) and returns the
 * node id.
 */
export function keygen(path: string, ctx: Pick<CliContext, "rng">): string {
  if (existsSync(path)) throw new CliError(CliCode.FILE_EXISTS, { path });
  return nodeIdHex(loadOrCreateNodeSecret(path, ctx.rng));
}

// ---------------------------------------------------------------------------------------------
// Snapshot bootstrap hook (`init --from-snapshot SOURCE`). The snapshot module (src/node/snapshot.ts)
// registers itself here from main.ts; without it, `--from-snapshot` fails with CLI_UNSUPPORTED.

/** Fills a freshly initialized data directory from a snapshot (`source`: a URL or a file). */
export type SnapshotBootstrap = (args: {
  readonly dataDir: string;
  readonly source: string;
  readonly config: NodeConfig;
  readonly network: NetworkFile;
}) => Promise<SnapshotInfo | undefined>;

/** What a snapshot bootstrap installed (printed by `init`). */
export interface SnapshotInfo {
  readonly height?: bigint | number;
  readonly tipId?: string;
  readonly elapsedMs?: number;
  readonly peer?: string;
}

let snapshotBootstrap: SnapshotBootstrap | undefined;

/** Registers the snapshot bootstrap used by `init --from-snapshot`. */
export function setSnapshotBootstrap(fn: SnapshotBootstrap | undefined): void {
  snapshotBootstrap = fn;
}
// ---------------------------------------------------------------------------------------------

/** Options of {@link initDataDir}. */
export interface InitOptions {
  readonly dataDir: string;
  /** The network to join; a one-validator network of this node (genesis now) if absent. */
  readonly network?: NetworkFile;
  /** Validator or watcher (default: validator iff the node id is in the network's quorum set). */
  readonly validator?: boolean;
  readonly listenHost?: string;
  readonly listenPort?: number;
  readonly apiHost?: string;
  readonly apiPort?: number;
  readonly logLevel?: string;
  /** Overwrite an existing config.json (keys are always kept). */
  readonly force?: boolean;
  /** Snapshot source for `--from-snapshot`. */
  readonly fromSnapshot?: string;
  /** Clock for the one-node genesis (default Date.now). */
  readonly nowMs?: () => number;
}

/** What {@link initDataDir} made. */
export interface InitResult {
  readonly dataDir: string;
  readonly nodeId: string;
  readonly peerId: string;
  readonly validator: boolean;
  readonly configPath: string;
  readonly network: NetworkFile;
  readonly snapshotHeight?: bigint | number;
  readonly snapshot?: SnapshotInfo;
}

/**
 * `init`: creates (or completes) a data directory: keys (kept if present), genesis.json,
 * network.json, config.json (CLI_FILE_EXISTS if present, unless `force`).
 */
export async function initDataDir(opts: InitOptions, ctx: Pick<CliContext, "rng">): Promise<InitResult> {
  const dataDir = resolve(opts.dataDir);
  const configPath = join(dataDir, DATA_FILES.CONFIG);
  if (existsSync(configPath) && opts.force !== true)
    throw new CliError(CliCode.FILE_EXISTS, { path: configPath });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = loadOrCreateNodeSecret(join(dataDir, DATA_FILES.NODE_KEY), ctx.rng);
  const nodeId = nodeIdHex(secret);
  const peerId = peerIdOf(await loadOrCreateIdentity(join(dataDir, DATA_FILES.PEER_KEY)));
  const network: NetworkFile = opts.network ?? {
    network: DEFAULT_CONFIG.network,
    genesis: { timestampMs: BigInt((opts.nowMs ?? Date.now)()), utxoIds: [] },
    bootstrap: [],
    quorumSet: { threshold: 1, validators: [publicKey(secret).bytes], innerSets: [] },
    emptyBlockIntervalMs: undefined,
  };
  const inQuorum = JSON.stringify(quorumSetToJson(network.quorumSet)).includes(nodeId);
  const validator = opts.validator ?? inQuorum;
  const config: Record<string, unknown> = {
    comment: "written by zkvm-node init; flags and ZKVM_* variables override these values",
    network: network.network,
    dataDir: ".",
    genesisFile: DATA_FILES.GENESIS,
    // never dial ourselves when every node shares one bootstrap list
    bootstrapPeers: network.bootstrap.filter((a) => !a.endsWith(`/p2p/${peerId}`)),
    validator,
    quorumSet: quorumSetToJson(network.quorumSet),
  };
  if (network.emptyBlockIntervalMs !== undefined)
    config["emptyBlockIntervalMs"] = network.emptyBlockIntervalMs;
  if (network.scpTimeoutMs !== undefined) config["scpTimeoutMs"] = network.scpTimeoutMs;
  if (opts.listenHost !== undefined) config["listenHost"] = opts.listenHost;
  if (opts.listenPort !== undefined) config["listenPort"] = opts.listenPort;
  if (opts.apiHost !== undefined) config["apiHost"] = opts.apiHost;
  if (opts.apiPort !== undefined) config["apiPort"] = opts.apiPort;
  if (opts.logLevel !== undefined) config["logLevel"] = opts.logLevel;
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  // Validate with the node's own loader before writing anything it would refuse.
  const loaded = loadConfig({
    argv: ["--config", configPath],
    env: {},
    readFile: () => configText,
  }).config;
  writeFileSync(
    join(dataDir, DATA_FILES.GENESIS),
    `${JSON.stringify(genesisToJson(network.genesis), null, 2)}\n`,
  );
  writeFileSync(join(dataDir, DATA_FILES.NETWORK), formatNetworkFile(network));
  writeFileSync(configPath, configText);
  let snapshotHeight: bigint | number | undefined;
  let snapshot: SnapshotInfo | undefined;
  if (opts.fromSnapshot !== undefined) {
    if (snapshotBootstrap === undefined)
      throw new CliError(CliCode.UNSUPPORTED, { what: "snapshot bootstrap is not available in this build" });
    const r = await snapshotBootstrap({ dataDir, source: opts.fromSnapshot, config: loaded, network });
    snapshotHeight = r?.height;
    snapshot = r;
  }
  return {
    dataDir,
    nodeId,
    peerId,
    validator,
    configPath,
    network,
    ...(snapshotHeight === undefined ? {} : { snapshotHeight }),
    ...(snapshot === undefined ? {} : { snapshot }),
  };
}

/**
 * The node arguments with `--config <data-dir>/config.json` added when no config file is named
 * (flag or ZKVM_CONFIG) and the data directory (flag, ZKVM_DATA_DIR or default) holds one.
 */
export function withDataDirConfig(argv: readonly string[], ctx: Pick<CliContext, "env" | "cwd">): string[] {
  const flags = parseFlags(argv);
  if (flags.configPath !== undefined || (ctx.env["ZKVM_CONFIG"] ?? "") !== "") return [...argv];
  const dir = String(flags.values.dataDir ?? ctx.env["ZKVM_DATA_DIR"] ?? DEFAULT_CONFIG.dataDir);
  const file = resolve(ctx.cwd, dir, DATA_FILES.CONFIG);
  return existsSync(file) ? ["--config", file, ...argv] : [...argv];
}

/** The node config that `start` would use with these arguments. */
export function nodeConfigFor(argv: readonly string[], ctx: Pick<CliContext, "env" | "cwd">): NodeConfig {
  return loadConfig({ argv: withDataDirConfig(argv, ctx), env: { ...ctx.env }, cwd: ctx.cwd }).config;
}

/** The API base URL of a node config (a wildcard bind address is reached on loopback). */
export function apiUrlOf(config: Pick<NodeConfig, "apiHost" | "apiPort">): string {
  const h = config.apiHost;
  const host = h === "0.0.0.0" ? "127.0.0.1" : h === "::" ? "[::1]" : h.includes(":") ? `[${h}]` : h;
  return `http://${host}:${config.apiPort}`;
}

/** `keygen [--out FILE]`. */
export function cmdKeygen(argv: readonly string[], ctx: CliContext): number {
  const args = parseArgs(argv, { values: ["out"] });
  const path = resolve(ctx.cwd, args.values.get("out") ?? DATA_FILES.NODE_KEY);
  const id = keygen(path, ctx);
  ctx.err(`wrote node key ${path} (mode 0600)`);
  ctx.out(id);
  return 0;
}

/** `init --data-dir DIR [--network FILE] [--validator|--watcher] [ports...] [--force] [--from-snapshot SRC]`. */
export async function cmdInit(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    values: [
      "data-dir",
      "network",
      "listen-host",
      "listen-port",
      "api-host",
      "api-port",
      "log-level",
      "from-snapshot",
    ],
    booleans: ["validator", "watcher", "force", "json"],
  });
  const dataDir = resolve(ctx.cwd, required(args, "data-dir"));
  if (args.booleans.has("validator") && args.booleans.has("watcher"))
    throw new CliError(CliCode.USAGE, { what: "--validator and --watcher exclude each other" });
  const port = (name: string): number | undefined => {
    const v = args.values.get(name);
    if (v === undefined) return undefined;
    if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535)
      throw new CliError(CliCode.USAGE, { what: `--${name}: expected a port in [0, 65535]` });
    return Number(v);
  };
  const net = args.values.get("network");
  const opts: InitOptions = {
    dataDir,
    ...(net === undefined ? {} : { network: loadNetworkFile(resolve(ctx.cwd, net)) }),
    ...(args.booleans.has("validator") ? { validator: true } : {}),
    ...(args.booleans.has("watcher") ? { validator: false } : {}),
    ...(args.values.has("listen-host") ? { listenHost: args.values.get("listen-host")! } : {}),
    ...(port("listen-port") === undefined ? {} : { listenPort: port("listen-port")! }),
    ...(args.values.has("api-host") ? { apiHost: args.values.get("api-host")! } : {}),
    ...(port("api-port") === undefined ? {} : { apiPort: port("api-port")! }),
    ...(args.values.has("log-level") ? { logLevel: args.values.get("log-level")! } : {}),
    ...(args.booleans.has("force") ? { force: true } : {}),
    ...(args.values.has("from-snapshot") ? { fromSnapshot: args.values.get("from-snapshot")! } : {}),
  };
  const r = await initDataDir(opts, ctx);
  if (args.booleans.has("json")) {
    ctx.out(
      JSON.stringify({
        dataDir: r.dataDir,
        nodeId: r.nodeId,
        peerId: r.peerId,
        validator: r.validator,
        network: r.network.network,
        config: r.configPath,
        ...(r.snapshot === undefined
          ? {}
          : { snapshot: { ...r.snapshot, height: r.snapshot.height?.toString() ?? null } }),
      }),
    );
    return 0;
  }
  ctx.out(
    `initialized ${r.dataDir} for network ${r.network.network} (${r.validator ? "validator" : "watcher"})`,
  );
  ctx.out(`node id  ${r.nodeId}`);
  ctx.out(`peer id  ${r.peerId}`);
  if (r.snapshotHeight !== undefined) {
    const s = r.snapshot;
    ctx.out(
      `snapshot height ${r.snapshotHeight}` +
        (s?.tipId === undefined ? "" : ` tip ${s.tipId}`) +
        (s?.peer === undefined ? "" : ` from ${s.peer}`) +
        (s?.elapsedMs === undefined ? "" : ` in ${s.elapsedMs} ms`),
    );
  }
  ctx.out(`start it with: zkvm-node start --data-dir ${r.dataDir}`);
  return 0;
}

/** Formats a `/status` answer for people. */
export function formatStatus(s: Record<string, unknown>, url: string): string[] {
  const f = (k: string): string => (s[k] === undefined ? "-" : String(s[k]));
  const uptime =
    typeof s["uptimeMs"] === "number" ? `${Math.round((s["uptimeMs"] as number) / 1000)} s` : "-";
  return [
    `api        ${url}`,
    `network    ${f("network")}`,
    `height     ${f("height")}`,
    `tip        ${f("tipId")}`,
    `node id    ${f("nodeId")}${s["validator"] === true ? " (validator)" : s["validator"] === false ? " (watcher)" : ""}`,
    `consensus  ${f("consensusPhase")}`,
    `peers      ${f("peers")}`,
    `mempool    ${f("mempoolSize")} txs`,
    `msm        ${f("msmBackend")}`,
    `uptime     ${uptime}`,
  ];
}

/** `status [--api URL | --data-dir DIR | --config FILE] [--json]`. */
export async function cmdStatus(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { values: ["api", "data-dir", "config"], booleans: ["json"] });
  const url = args.values.get("api") ?? apiUrlOf(nodeConfigFor(configArgv(args), ctx));
  const s = await new ApiClient(url).status();
  if (args.booleans.has("json")) ctx.out(JSON.stringify(s));
  else for (const line of formatStatus(s, url)) ctx.out(line);
  return 0;
}

/** The node-config arguments (`--data-dir`, `--config`) among parsed command arguments. */
export function configArgv(args: { values: ReadonlyMap<string, string> }): string[] {
  const out: string[] = [];
  const d = args.values.get("data-dir");
  const c = args.values.get("config");
  if (d !== undefined) out.push("--data-dir", d);
  if (c !== undefined) out.push("--config", c);
  return out;
}
