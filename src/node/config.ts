/**
 * Node configuration (DESIGN.md, "src/node"): read from a JSON file, `ZKVM_*` environment variables and
 * command-line flags, with precedence flags > env > file > defaults, then validated as a whole. Every
 * problem is a {@link ConfigError} with a `CONFIG_*` code naming the key and where the value came from.
 *
 * Paths (`dataDir`, `genesisFile`) given in the file are relative to the file's folder; paths from the
 * environment or flags are relative to the working directory.
 *
 * | key                   | env                          | flag                        | default       |
 * |-----------------------|------------------------------|-----------------------------|---------------|
 * | (config file)         | ZKVM_CONFIG                  | --config                    | none          |
 * | dataDir               | ZKVM_DATA_DIR                | --data-dir                  | ./zkvm-data   |
 * | network               | ZKVM_NETWORK                 | --network                   | zkvm-local    |
 * | listenHost            | ZKVM_LISTEN_HOST             | --listen-host               | 0.0.0.0       |
 * | listenPort            | ZKVM_LISTEN_PORT             | --listen-port               | 7650          |
 * | apiHost               | ZKVM_API_HOST                | --api-host                  | 127.0.0.1     |
 * | apiPort               | ZKVM_API_PORT                | --api-port                  | 7651          |
 * | bootstrapPeers        | ZKVM_BOOTSTRAP_PEERS (a,b)   | --bootstrap (repeatable)    | []            |
 * | validator             | ZKVM_VALIDATOR (true/false)  | --validator, --no-validator | false         |
 * | quorumSet             | ZKVM_QUORUM_SET (JSON)       | --quorum-set (JSON)         | none          |
 * | genesisFile           | ZKVM_GENESIS_FILE            | --genesis                   | none          |
 * | emptyBlockIntervalMs  | ZKVM_EMPTY_BLOCK_INTERVAL_MS | --empty-block-interval-ms   | 5000          |
 * | scpTimeoutMs          | ZKVM_SCP_TIMEOUT_MS          | --scp-timeout-ms            | 1000          |
 * | msmBackend            | ZKVM_MSM                     | --msm                       | auto          |
 * | logLevel              | ZKVM_LOG_LEVEL               | --log-level                 | info          |
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, resolve } from "node:path";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { isLogLevel, type LogLevel } from "./logger.js";

export const ConfigCode = {
  /** The config file cannot be read. */
  FILE_UNREADABLE: "CONFIG_FILE_UNREADABLE",
  /** The config file is not JSON, or not a JSON object. */
  FILE_INVALID: "CONFIG_FILE_INVALID",
  /** The config file has a key this node does not know. */
  UNKNOWN_KEY: "CONFIG_UNKNOWN_KEY",
  /** A command-line flag is not known. */
  UNKNOWN_FLAG: "CONFIG_UNKNOWN_FLAG",
  /** A flag that takes a value has none. */
  MISSING_FLAG_VALUE: "CONFIG_MISSING_FLAG_VALUE",
  /** A value has the wrong type or is out of range. */
  INVALID_VALUE: "CONFIG_INVALID_VALUE",
  /** The quorum set is malformed (threshold, node ids, duplicates, nesting). */
  INVALID_QUORUM_SET: "CONFIG_INVALID_QUORUM_SET",
  /** A validator needs a quorum set. */
  VALIDATOR_WITHOUT_QUORUM: "CONFIG_VALIDATOR_WITHOUT_QUORUM",
} as const;
export type ConfigCode = (typeof ConfigCode)[keyof typeof ConfigCode];

export type ConfigSource = "default" | "file" | "env" | "flag";
export type ConfigMeta = { key?: string; source?: ConfigSource; reason?: string; path?: string };

export class ConfigError extends CodedError<ConfigCode, ConfigMeta> {}

/** MSM backend choice: "auto" (native when it loads, else JS), "js", or "native" (required). */
export type MsmChoice = "auto" | "js" | "native";

/** A quorum set: `threshold` of the validators and inner sets; node ids are 32 bytes. */
export interface QuorumSetConfig {
  readonly threshold: number;
  readonly validators: readonly Uint8Array[];
  readonly innerSets: readonly QuorumSetConfig[];
}

/** The validated node configuration. */
export interface NodeConfig {
  readonly dataDir: string;
  readonly network: string;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly apiHost: string;
  readonly apiPort: number;
  readonly bootstrapPeers: readonly string[];
  readonly validator: boolean;
  readonly quorumSet: QuorumSetConfig | undefined;
  readonly genesisFile: string | undefined;
  readonly emptyBlockIntervalMs: number;
  /**
   * SCP round timeout: round r of nomination or balloting times out after r × this (stellar-core:
   * 1 s). Validators may disagree on a round's leader (each counts itself a neighbour), which costs
   * one timeout; on a low-latency network a shorter timeout shortens those slots.
   */
  readonly scpTimeoutMs: number;
  readonly msmBackend: MsmChoice;
  readonly logLevel: LogLevel;
}

/** Deepest nesting of inner quorum sets (as in stellar-core). */
export const MAX_QUORUM_NESTING = 4;
/** Most node ids in one quorum set, inner sets included. */
export const MAX_QUORUM_NODES = 1000;

export const DEFAULT_CONFIG: NodeConfig = Object.freeze({
  dataDir: "./zkvm-data",
  network: "zkvm-local",
  listenHost: "0.0.0.0",
  listenPort: 7650,
  apiHost: "127.0.0.1",
  apiPort: 7651,
  bootstrapPeers: [],
  validator: false,
  quorumSet: undefined,
  genesisFile: undefined,
  emptyBlockIntervalMs: 5000,
  scpTimeoutMs: 1000,
  msmBackend: "auto",
  logLevel: "info",
});

type Key = keyof NodeConfig;
type Spec = { env: string; flag: string; parse: (v: unknown, src: ConfigSource, key: Key) => unknown };

function bad(key: string, src: ConfigSource, reason: string): never {
  throw new ConfigError(ConfigCode.INVALID_VALUE, { key, source: src, reason });
}

function str(v: unknown, src: ConfigSource, key: Key): string {
  if (typeof v !== "string" || v.length === 0 || v.length > 4096)
    bad(key, src, "expected a non-empty string");
  return v;
}

function int(min: number, max: number) {
  return (v: unknown, src: ConfigSource, key: Key): number => {
    let n = v;
    if (src === "env" || src === "flag")
      n = typeof v === "string" && /^[0-9]{1,15}$/.test(v) ? Number(v) : Number.NaN;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max)
      bad(key, src, `expected an integer in [${min}, ${max}]`);
    return n;
  };
}

function host(v: unknown, src: ConfigSource, key: Key): string {
  const s = str(v, src, key);
  if (
    isIP(s) === 0 &&
    !/^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/.test(s)
  )
    bad(key, src, "expected an IP address or host name");
  return s;
}

const MULTIADDR =
  /^(\/(ip4|ip6|dns|dns4|dns6)\/[^/\s]+\/tcp\/[0-9]{1,5}(\/ws)?(\/p2p\/[1-9A-HJ-NP-Za-km-z]{1,128})?|\/memory\/[^/\s]+)$/;

function peers(v: unknown, src: ConfigSource, key: Key): string[] {
  let list = v;
  if (src === "env" || src === "flag") {
    if (typeof v !== "string") bad(key, src, "expected comma-separated multiaddrs");
    list = v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  if (!Array.isArray(list) || list.length > 256) bad(key, src, "expected a list of at most 256 multiaddrs");
  return list.map((a) => {
    if (typeof a !== "string" || !MULTIADDR.test(a))
      bad(key, src, `not a multiaddr: ${String(a).slice(0, 80)}`);
    const port = /\/tcp\/([0-9]+)/.exec(a);
    if (port && Number(port[1]) > 65535) bad(key, src, "multiaddr port out of range");
    return a;
  });
}

function bool(v: unknown, src: ConfigSource, key: Key): boolean {
  if (typeof v === "boolean") return v;
  if (src !== "file" && typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(s)) return true;
    if (["0", "false", "no", "off"].includes(s)) return false;
  }
  return bad(key, src, "expected a boolean");
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: unknown, src: ConfigSource, key: Key): T => {
    if (typeof v !== "string" || !(values as readonly string[]).includes(v))
      bad(key, src, `expected one of ${values.join(", ")}`);
    return v as T;
  };
}

/** Validates a quorum set given as JSON data `{threshold, validators: hex[], innerSets?: [...]}`. */
export function parseQuorumSet(v: unknown, source: ConfigSource = "file"): QuorumSetConfig {
  const seen = new Set<string>();
  let nodes = 0;
  const qerr = (reason: string): never => {
    throw new ConfigError(ConfigCode.INVALID_QUORUM_SET, { key: "quorumSet", source, reason });
  };
  const walk = (q: unknown, depth: number): QuorumSetConfig => {
    if (depth > MAX_QUORUM_NESTING) qerr(`nested deeper than ${MAX_QUORUM_NESTING}`);
    if (typeof q !== "object" || q === null || Array.isArray(q)) qerr("expected an object");
    const o = q as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!["threshold", "validators", "innerSets"].includes(k)) qerr(`unknown key ${k}`);
    const vals = o["validators"] ?? [];
    const inner = o["innerSets"] ?? [];
    if (!Array.isArray(vals) || !Array.isArray(inner)) qerr("validators and innerSets must be arrays");
    const validators = (vals as unknown[]).map((id) => {
      if (typeof id !== "string" || !/^[0-9a-fA-F]{64}$/.test(id)) qerr("node ids are 32 bytes of hex");
      const hex = (id as string).toLowerCase();
      if (seen.has(hex)) qerr(`node ${hex} appears twice`);
      seen.add(hex);
      if (++nodes > MAX_QUORUM_NODES) qerr(`more than ${MAX_QUORUM_NODES} nodes`);
      return fromHex(hex, 32);
    });
    const innerSets = (inner as unknown[]).map((s) => walk(s, depth + 1));
    const members = validators.length + innerSets.length;
    const t = o["threshold"];
    if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > members)
      qerr(`threshold must be an integer in [1, ${members}]`);
    return { threshold: t as number, validators, innerSets };
  };
  return walk(v, 1);
}

/** The JSON form of a quorum set (node ids as hex), as the config file writes it. */
export function quorumSetToJson(q: QuorumSetConfig): {
  threshold: number;
  validators: string[];
  innerSets: unknown[];
} {
  return {
    threshold: q.threshold,
    validators: q.validators.map(toHex),
    innerSets: q.innerSets.map(quorumSetToJson),
  };
}

const SPECS: Record<Key, Spec> = {
  dataDir: { env: "ZKVM_DATA_DIR", flag: "data-dir", parse: str },
  network: {
    env: "ZKVM_NETWORK",
    flag: "network",
    parse: (v, src, key) => {
      const s = str(v, src, key);
      if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(s))
        bad(key, src, "expected [a-z0-9._-], at most 64 characters");
      return s;
    },
  },
  listenHost: { env: "ZKVM_LISTEN_HOST", flag: "listen-host", parse: host },
  listenPort: { env: "ZKVM_LISTEN_PORT", flag: "listen-port", parse: int(0, 65535) },
  apiHost: { env: "ZKVM_API_HOST", flag: "api-host", parse: host },
  apiPort: { env: "ZKVM_API_PORT", flag: "api-port", parse: int(0, 65535) },
  bootstrapPeers: { env: "ZKVM_BOOTSTRAP_PEERS", flag: "bootstrap", parse: peers },
  validator: { env: "ZKVM_VALIDATOR", flag: "validator", parse: bool },
  quorumSet: {
    env: "ZKVM_QUORUM_SET",
    flag: "quorum-set",
    parse: (v, src) => {
      let data = v;
      if (src === "env" || src === "flag") {
        try {
          data = JSON.parse(String(v));
        } catch {
          throw new ConfigError(ConfigCode.INVALID_QUORUM_SET, {
            key: "quorumSet",
            source: src,
            reason: "not JSON",
          });
        }
      }
      return parseQuorumSet(data, src);
    },
  },
  genesisFile: { env: "ZKVM_GENESIS_FILE", flag: "genesis", parse: str },
  emptyBlockIntervalMs: {
    env: "ZKVM_EMPTY_BLOCK_INTERVAL_MS",
    flag: "empty-block-interval-ms",
    parse: (v, src, key) => {
      const n = int(0, 86_400_000)(v, src, key);
      if (n !== 0 && n < 100) bad(key, src, "expected 0 (never) or at least 100 ms");
      return n;
    },
  },
  scpTimeoutMs: { env: "ZKVM_SCP_TIMEOUT_MS", flag: "scp-timeout-ms", parse: int(50, 600_000) },
  msmBackend: { env: "ZKVM_MSM", flag: "msm", parse: oneOf(["auto", "js", "native"] as const) },
  logLevel: {
    env: "ZKVM_LOG_LEVEL",
    flag: "log-level",
    parse: (v, src, key) => {
      if (!isLogLevel(v)) bad(key, src, "expected trace, debug, info, warn, error or fatal");
      return v;
    },
  },
};

const KEYS = Object.keys(SPECS) as Key[];
const PATH_KEYS: readonly Key[] = ["dataDir", "genesisFile"];

/** Parsed command-line flags: the config file path (if given) and raw values by key. */
export interface ParsedFlags {
  readonly configPath: string | undefined;
  readonly values: Partial<Record<Key, string | boolean>>;
  /** Arguments that are not flags, in order. */
  readonly positional: readonly string[];
}

/** Parses `--name value`, `--name=value`, `--validator`/`--no-validator`; `--bootstrap` may repeat. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const byFlag = new Map<string, Key>(KEYS.map((k) => [SPECS[k].flag, k]));
  const values: Partial<Record<Key, string | boolean>> = {};
  const positional: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (name === "validator" || name === "no-validator") {
      if (eq >= 0) values.validator = arg.slice(eq + 1);
      else values.validator = name === "validator";
      continue;
    }
    const key = name === "config" ? "config" : byFlag.get(name);
    if (key === undefined) throw new ConfigError(ConfigCode.UNKNOWN_FLAG, { key: name, source: "flag" });
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new ConfigError(ConfigCode.MISSING_FLAG_VALUE, { key: name, source: "flag" });
      value = next;
      i++;
    }
    if (key === "config") configPath = value;
    else if (key === "bootstrapPeers" && typeof values.bootstrapPeers === "string")
      values.bootstrapPeers = `${values.bootstrapPeers},${value}`;
    else values[key] = value;
  }
  return { configPath, values, positional };
}

/** Inputs of {@link loadConfig}; every part is injectable for tests. */
export interface LoadConfigInput {
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads the config file (default: `fs.readFileSync(path, "utf8")`). */
  readonly readFile?: (path: string) => string;
  /** Working directory for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
}

/** The result of {@link loadConfig}: the config, where each value came from, and positional arguments. */
export interface LoadedConfig {
  readonly config: NodeConfig;
  readonly sources: Readonly<Record<Key, ConfigSource>>;
  readonly configPath: string | undefined;
  readonly positional: readonly string[];
}

/** Parses the config file text into raw values by key (unknown keys are an error). */
function fileLayer(text: string, path: string): Partial<Record<Key, unknown>> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(ConfigCode.FILE_INVALID, { path, reason: "not JSON" });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new ConfigError(ConfigCode.FILE_INVALID, { path, reason: "not a JSON object" });
  const out: Partial<Record<Key, unknown>> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k === "$schema" || k === "comment") continue;
    if (!(KEYS as string[]).includes(k))
      throw new ConfigError(ConfigCode.UNKNOWN_KEY, { key: k, source: "file", path });
    if (v !== null) out[k as Key] = v;
  }
  return out;
}

/**
 * Loads the node config: defaults, then the JSON file (`--config` or `ZKVM_CONFIG`), then `ZKVM_*`
 * variables, then flags; each later layer overrides the earlier ones key by key. Throws ConfigError.
 */
export function loadConfig(input: LoadConfigInput = {}): LoadedConfig {
  const env = input.env ?? {};
  const cwd = input.cwd ?? process.cwd();
  const flags = parseFlags(input.argv ?? []);
  const configPath = flags.configPath ?? (env["ZKVM_CONFIG"] || undefined);

  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const sources = Object.fromEntries(KEYS.map((k) => [k, "default"])) as Record<Key, ConfigSource>;
  const apply = (key: Key, raw: unknown, src: ConfigSource, base: string) => {
    let v = SPECS[key].parse(raw, src, key);
    if (PATH_KEYS.includes(key) && typeof v === "string") v = resolve(base, v);
    out[key] = v;
    sources[key] = src;
  };

  if (configPath !== undefined) {
    const full = resolve(cwd, configPath);
    const read = input.readFile ?? ((p: string) => readFileSync(p, "utf8"));
    let text: string;
    try {
      text = read(full);
    } catch (e) {
      throw new ConfigError(
        ConfigCode.FILE_UNREADABLE,
        { path: full, reason: e instanceof Error ? e.message : String(e) },
        { cause: e },
      );
    }
    const layer = fileLayer(text, full);
    for (const k of KEYS) if (k in layer) apply(k, layer[k], "file", dirname(full));
  }
  for (const k of KEYS) {
    const v = env[SPECS[k].env];
    if (v !== undefined && v !== "") apply(k, v, "env", cwd);
  }
  for (const k of KEYS) {
    const v = flags.values[k];
    if (v !== undefined) apply(k, v, "flag", cwd);
  }
  if (sources.dataDir === "default") out["dataDir"] = resolve(cwd, DEFAULT_CONFIG.dataDir);

  const config = out as unknown as NodeConfig;
  if (config.validator && config.quorumSet === undefined)
    throw new ConfigError(ConfigCode.VALIDATOR_WITHOUT_QUORUM, {
      key: "quorumSet",
      source: sources.validator,
    });
  return { config, sources, configPath, positional: flags.positional };
}
