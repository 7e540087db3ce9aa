import { describe, expect, it } from "vitest";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import {
  ConfigCode,
  DEFAULT_CONFIG,
  type LoadConfigInput,
  loadConfig,
  parseFlags,
  parseQuorumSet,
  quorumSetToJson,
} from "./config.js";

const id = (b: number) => toHex(new Uint8Array(32).fill(b));
const QSET = { threshold: 2, validators: [id(1), id(2)], innerSets: [{ threshold: 1, validators: [id(3)] }] };
const files = (map: Record<string, unknown>) => (path: string) => {
  if (!(path in map)) throw new Error(`ENOENT ${path}`);
  const v = map[path];
  return typeof v === "string" ? v : JSON.stringify(v);
};

function fails(input: LoadConfigInput, code: string, key?: string): void {
  let err: unknown;
  try {
    loadConfig({ cwd: "/w", ...input });
  } catch (e) {
    err = e;
  }
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  if (key !== undefined) expect((err as { meta: { key?: string } }).meta.key).toBe(key);
}

describe("config: layers and precedence", () => {
  it("gives the defaults with nothing set (dataDir resolved against cwd)", () => {
    const { config, sources } = loadConfig({ cwd: "/w" });
    expect(config).toEqual({ ...DEFAULT_CONFIG, dataDir: "/w/zkvm-data" });
    expect(sources.apiHost).toBe("default");
    expect(config.apiHost).toBe("127.0.0.1");
  });

  it("flags > env > file > defaults, key by key", () => {
    const readFile = files({
      "/etc/zk/node.json": {
        network: "from-file",
        apiPort: 1001,
        listenPort: 2001,
        dataDir: "data",
        genesisFile: "../genesis.json",
        bootstrapPeers: ["/ip4/10.0.0.1/tcp/7650/p2p/12D3KooWAbc"],
        validator: true,
        quorumSet: QSET,
        msmBackend: "js",
      },
    });
    const { config, sources } = loadConfig({
      cwd: "/w",
      readFile,
      env: {
        ZKVM_CONFIG: "/etc/zk/node.json",
        ZKVM_API_PORT: "1002",
        ZKVM_LISTEN_PORT: "2002",
        ZKVM_MSM: "native",
      },
      argv: ["--api-port", "1003", "--log-level=debug", "start"],
    });
    expect(config.network).toBe("from-file");
    expect(config.listenPort).toBe(2002);
    expect(config.apiPort).toBe(1003);
    expect(config.msmBackend).toBe("native");
    expect(config.logLevel).toBe("debug");
    expect(config.dataDir).toBe("/etc/zk/data");
    expect(config.genesisFile).toBe("/etc/genesis.json");
    expect(config.validator).toBe(true);
    expect(quorumSetToJson(config.quorumSet!)).toEqual({
      ...QSET,
      innerSets: [{ ...QSET.innerSets[0], innerSets: [] }],
    });
    expect(sources).toMatchObject({
      network: "file",
      listenPort: "env",
      apiPort: "flag",
      emptyBlockIntervalMs: "default",
    });
  });

  it("--config overrides ZKVM_CONFIG; paths from flags resolve against cwd", () => {
    const readFile = files({ "/w/a.json": { network: "a" }, "/w/b.json": { network: "b" } });
    const { config, configPath, positional } = loadConfig({
      cwd: "/w",
      readFile,
      env: { ZKVM_CONFIG: "a.json" },
      argv: ["--config", "b.json", "--data-dir", "d", "--genesis=g.json", "x"],
    });
    expect(config.network).toBe("b");
    expect(configPath).toBe("b.json");
    expect(config.dataDir).toBe("/w/d");
    expect(config.genesisFile).toBe("/w/g.json");
    expect(positional).toEqual(["x"]);
  });

  it("parses env and flag strings: booleans, peer lists, quorum JSON", () => {
    const { config } = loadConfig({
      cwd: "/w",
      env: {
        ZKVM_VALIDATOR: "yes",
        ZKVM_QUORUM_SET: JSON.stringify(QSET),
        ZKVM_BOOTSTRAP_PEERS: "/dns4/a.example/tcp/1, /ip6/::1/tcp/2",
        ZKVM_EMPTY_BLOCK_INTERVAL_MS: "0",
        ZKVM_SCP_TIMEOUT_MS: "400",
      },
      argv: ["--bootstrap", "/ip4/1.2.3.4/tcp/3", "--bootstrap=/ip4/1.2.3.5/tcp/4", "--no-validator"],
    });
    expect(config.scpTimeoutMs).toBe(400);
    expect(config.validator).toBe(false);
    expect(config.bootstrapPeers).toEqual(["/ip4/1.2.3.4/tcp/3", "/ip4/1.2.3.5/tcp/4"]);
    expect(config.emptyBlockIntervalMs).toBe(0);
    expect(config.quorumSet?.validators[0]).toEqual(new Uint8Array(32).fill(1));
  });

  it("parseFlags handles --, --validator=false and positional arguments", () => {
    const f = parseFlags(["start", "--validator=false", "--", "--api-port"]);
    expect(f.values.validator).toBe("false");
    expect(f.positional).toEqual(["start", "--api-port"]);
  });
});

describe("config: must-fail validation", () => {
  it("unreadable, non-JSON and non-object files", () => {
    fails({ argv: ["--config", "/nope.json"], readFile: files({}) }, ConfigCode.FILE_UNREADABLE);
    fails(
      { argv: ["--config", "/c.json"], readFile: files({ "/c.json": "{nope" }) },
      ConfigCode.FILE_INVALID,
    );
    fails({ argv: ["--config", "/c.json"], readFile: files({ "/c.json": [1] }) }, ConfigCode.FILE_INVALID);
  });

  it("unknown file keys and flags, flags without values", () => {
    fails(
      { argv: ["--config", "/c.json"], readFile: files({ "/c.json": { apiprot: 1 } }) },
      ConfigCode.UNKNOWN_KEY,
      "apiprot",
    );
    fails({ argv: ["--api-prot", "1"] }, ConfigCode.UNKNOWN_FLAG, "api-prot");
    fails({ argv: ["--api-port"] }, ConfigCode.MISSING_FLAG_VALUE, "api-port");
    fails({ argv: ["--api-port", "--network", "x"] }, ConfigCode.MISSING_FLAG_VALUE, "api-port");
  });

  it("bad values from each layer", () => {
    const file = (v: Record<string, unknown>) => ({
      argv: ["--config", "/c.json"],
      readFile: files({ "/c.json": v }),
    });
    const cases: [LoadConfigInput, string][] = [
      [{ env: { ZKVM_API_PORT: "65536" } }, "apiPort"],
      [{ env: { ZKVM_API_PORT: "80x" } }, "apiPort"],
      [{ argv: ["--listen-port=-1"] }, "listenPort"],
      [file({ apiPort: "80" }), "apiPort"],
      [file({ apiPort: 1.5 }), "apiPort"],
      [{ env: { ZKVM_NETWORK: "Main Net" } }, "network"],
      [{ argv: ["--api-host", "not a host"] }, "apiHost"],
      [{ env: { ZKVM_VALIDATOR: "maybe" } }, "validator"],
      [file({ validator: "true" }), "validator"],
      [{ env: { ZKVM_BOOTSTRAP_PEERS: "10.0.0.1:7650" } }, "bootstrapPeers"],
      [{ argv: ["--bootstrap", "/ip4/1.2.3.4/tcp/99999"] }, "bootstrapPeers"],
      [file({ bootstrapPeers: "/ip4/1.2.3.4/tcp/1" }), "bootstrapPeers"],
      [{ env: { ZKVM_EMPTY_BLOCK_INTERVAL_MS: "50" } }, "emptyBlockIntervalMs"],
      [{ argv: ["--scp-timeout-ms", "10"] }, "scpTimeoutMs"],
      [file({ scpTimeoutMs: "250" }), "scpTimeoutMs"],
      [{ env: { ZKVM_MSM: "gpu" } }, "msmBackend"],
      [{ argv: ["--log-level", "loud"] }, "logLevel"],
      [file({ dataDir: "" }), "dataDir"],
    ];
    for (const [input, key] of cases) fails(input, ConfigCode.INVALID_VALUE, key);
  });

  it("a validator needs a quorum set", () => {
    fails({ env: { ZKVM_VALIDATOR: "1" } }, ConfigCode.VALIDATOR_WITHOUT_QUORUM);
    expect(
      loadConfig({ cwd: "/w", env: { ZKVM_VALIDATOR: "1", ZKVM_QUORUM_SET: JSON.stringify(QSET) } }).config
        .validator,
    ).toBe(true);
  });

  it("malformed quorum sets", () => {
    const bad: unknown[] = [
      { threshold: 0, validators: [id(1)] },
      { threshold: 2, validators: [id(1)] },
      { threshold: 1, validators: ["abcd"] },
      { threshold: 1, validators: [id(1), id(1).toUpperCase()] },
      { threshold: 1, validators: [id(1)], innerSets: [{ threshold: 1, validators: [id(1)] }] },
      { threshold: 1, validators: [id(1)], extra: 1 },
      { threshold: 1, validators: id(1) },
      {
        threshold: 1,
        innerSets: [
          {
            threshold: 1,
            innerSets: [
              {
                threshold: 1,
                innerSets: [{ threshold: 1, innerSets: [{ threshold: 1, validators: [id(1)] }] }],
              },
            ],
          },
        ],
      },
      [],
    ];
    for (const q of bad)
      expect(() => parseQuorumSet(q), JSON.stringify(q)).toThrow(
        expect.objectContaining({ code: ConfigCode.INVALID_QUORUM_SET }),
      );
    fails({ env: { ZKVM_QUORUM_SET: "{" } }, ConfigCode.INVALID_QUORUM_SET);
    // four levels are allowed
    expect(
      parseQuorumSet({
        threshold: 1,
        innerSets: [
          { threshold: 1, innerSets: [{ threshold: 1, innerSets: [{ threshold: 1, validators: [id(1)] }] }] },
        ],
      }).threshold,
    ).toBe(1);
  });
});
