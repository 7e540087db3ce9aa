/** Unit tests of the `zkvm-node` commands: arguments, network files, keygen/init, receipts, exit codes. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeView } from "../api/nodeView.js";
import { startApiServer } from "../api/server.js";
import { encodeBlock, makeGenesis } from "../chain/index.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { ApiClient } from "./apiClient.js";
import { runCli } from "./app.js";
import { parseArgs, parseU64 } from "./args.js";
import type { CliContext } from "./context.js";
import { CliCode, exitCodeOf } from "./errors.js";
import { formatNetworkFile, parseNetworkFile } from "./networkFile.js";
import { apiUrlOf, keygen, withDataDirConfig } from "./nodeCommands.js";
import { decodeReceipt, encodeReceipt } from "./receipt.js";
import { createFaucet, WalletSession } from "./walletFile.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkvm-cli-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function ctx(cwd: string, seed = "cli"): CliContext & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return {
    out: (s) => lines.push(s),
    err: (s) => errs.push(s),
    rng: seededRng(seed),
    env: {},
    cwd,
    lines,
    errs,
  };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const ID_A = "a".repeat(64);
const ID_B = "b".repeat(64);
const GOOD = {
  network: "zkvm-test",
  genesis: { timestamp_ms: "1700000000000", utxo_ids: ["01".repeat(32)] },
  bootstrap: ["/ip4/127.0.0.1/tcp/7001/p2p/12D3KooWL1rQVwevLMXPv3q56PyU8X4JzDz1ms7Y3Z7oyeWxPyVu"],
  quorum_set: { threshold: 2, validators: [ID_A, ID_B], innerSets: [] },
  empty_block_interval_ms: 3000,
};

describe("argument parsing", () => {
  it("parses values, booleans, = forms and positionals", () => {
    const a = parseArgs(["--qty", "5", "--json", "--to=ab", "r.json"], {
      values: ["qty", "to"],
      booleans: ["json"],
      maxPositional: 1,
    });
    expect(a.values.get("qty")).toBe("5");
    expect(a.values.get("to")).toBe("ab");
    expect(a.booleans.has("json")).toBe(true);
    expect(a.positional).toEqual(["r.json"]);
    expect(parseU64("18446744073709551615", "q")).toBe((1n << 64n) - 1n);
  });

  it("must-fail: unknown flag, missing value, repeated flag, extra argument, bad numbers → CLI_USAGE", () => {
    const spec = { values: ["qty"], booleans: ["json"] };
    for (const argv of [["--nope"], ["--qty"], ["--qty", "1", "--qty", "2"], ["extra"], ["--json=1"]])
      expect(codeOf(() => parseArgs(argv, spec))).toBe(CliCode.USAGE);
    for (const t of ["-1", "01", "1e3", "18446744073709551616", ""])
      expect(codeOf(() => parseU64(t, "q"))).toBe(CliCode.USAGE);
    expect(codeOf(() => parseU64("0", "q", 1n))).toBe(CliCode.USAGE);
  });

  it("maps codes to exit statuses", () => {
    expect(exitCodeOf(CliCode.USAGE)).toBe(2);
    expect(exitCodeOf(CliCode.BAD_RECEIPT)).toBe(2);
    expect(exitCodeOf("CONFIG_UNKNOWN_FLAG")).toBe(2);
    expect(exitCodeOf("WALLET_OPENING_MISMATCH")).toBe(2);
    expect(exitCodeOf(CliCode.TX_REJECTED)).toBe(1);
    expect(exitCodeOf("WALLET_INSUFFICIENT_FUNDS")).toBe(1);
  });
});

describe("network file", () => {
  it("parses and round-trips", () => {
    const n = parseNetworkFile(JSON.stringify(GOOD));
    expect(n.network).toBe("zkvm-test");
    expect(n.genesis.timestampMs).toBe(1_700_000_000_000n);
    expect(n.genesis.utxoIds).toHaveLength(1);
    expect(n.quorumSet.threshold).toBe(2);
    expect(n.emptyBlockIntervalMs).toBe(3000);
    expect(parseNetworkFile(formatNetworkFile(n))).toEqual(n);
    // optional fields
    const { bootstrap: _b, empty_block_interval_ms: _e, ...min } = GOOD;
    const m = parseNetworkFile(JSON.stringify(min));
    expect(m.bootstrap).toEqual([]);
    expect(m.emptyBlockIntervalMs).toBeUndefined();
    expect(m.scpTimeoutMs).toBeUndefined();
    // the SCP round timeout travels from the network file to the node config
    const t = parseNetworkFile(JSON.stringify({ ...GOOD, scp_timeout_ms: 400 }));
    expect(t.scpTimeoutMs).toBe(400);
    expect(parseNetworkFile(formatNetworkFile(t))).toEqual(t);
  });

  it("must-fail twins: CLI_BAD_NETWORK_FILE naming the field", () => {
    const cases: [unknown, string][] = [
      ["{", "(file)"],
      [[], "(file)"],
      [{ ...GOOD, extra: 1 }, "extra"],
      [{ ...GOOD, network: undefined }, "network"],
      [{ ...GOOD, network: "Bad Name" }, "network"],
      [{ ...GOOD, genesis: { timestamp_ms: "x", utxo_ids: [] } }, "genesis"],
      [{ ...GOOD, genesis: { timestamp_ms: "1", utxo_ids: ["zz"] } }, "genesis"],
      [{ ...GOOD, genesis: [] }, "genesis"],
      [{ ...GOOD, quorum_set: { threshold: 3, validators: [ID_A, ID_B] } }, "quorum_set"],
      [{ ...GOOD, quorum_set: { threshold: 1, validators: [ID_A, ID_A] } }, "quorum_set"],
      [{ ...GOOD, bootstrap: ["not-a-multiaddr"] }, "bootstrap"],
      [{ ...GOOD, empty_block_interval_ms: 5 }, "empty_block_interval_ms"],
      [{ ...GOOD, scp_timeout_ms: 10 }, "scp_timeout_ms"],
    ];
    for (const [data, field] of cases) {
      const text = typeof data === "string" ? data : JSON.stringify(data);
      let err: unknown;
      try {
        parseNetworkFile(text);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, CliCode.BAD_NETWORK_FILE), text).toBe(true);
      expect((err as { meta: { field: string } }).meta.field).toBe(field);
    }
  });
});

describe("the federated network template", () => {
  it("parses once its placeholders are filled in; as shipped it names the first bad field", () => {
    const template = new URL("../../testnet/federated/network.template.json", import.meta.url);
    const text = readFileSync(template, "utf8");
    let err: unknown;
    try {
      parseNetworkFile(text);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CliCode.BAD_NETWORK_FILE)).toBe(true);
    expect((err as { meta: { field: string } }).meta.field).toBe("genesis");
    let i = 0;
    const filled = text
      .replace(/<genesis time[^>]*>/, "1763880000000")
      .replace(/<32-byte hex contract id[^>]*>/, "07".repeat(32))
      .replace(/<validator-(\d) host>/g, "validator$1.example.org")
      .replace(/<validator-\d peer id>/g, "12D3KooWL1rQVwevLMXPv3q56PyU8X4JzDz1ms7Y3Z7oyeWxPyVu")
      .replace(/<validator-\d node id[^>]*>/g, () => (++i).toString(16).padStart(2, "0").repeat(32));
    const n = parseNetworkFile(filled);
    expect(n.quorumSet.validators).toHaveLength(4);
    expect(n.quorumSet.threshold).toBe(3);
    expect(n.bootstrap[0]).toBe(
      "/dns4/validator1.example.org/tcp/7650/p2p/12D3KooWL1rQVwevLMXPv3q56PyU8X4JzDz1ms7Y3Z7oyeWxPyVu",
    );
  });
});

describe("keygen, init, start arguments", () => {
  it("keygen writes a 0600 key once and prints the node id", async () => {
    const d = tempDir();
    const c = ctx(d);
    expect(await runCli(["keygen", "--out", "k.key"], c)).toBe(0);
    expect(c.lines[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(d, "k.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, "k.key"), "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    // must-fail twin: never overwrites (exit 2, CLI_FILE_EXISTS)
    const c2 = ctx(d);
    expect(await runCli(["keygen", "--out", "k.key"], c2)).toBe(2);
    expect(c2.errs.join("\n")).toContain(CliCode.FILE_EXISTS);
    expect(codeOf(() => keygen(join(d, "k.key"), c2))).toBe(CliCode.FILE_EXISTS);
  });

  it("init derives config + genesis from a network file; start finds the config", async () => {
    const d = tempDir();
    writeFileSync(join(d, "net.json"), JSON.stringify(GOOD));
    const c = ctx(d);
    const argv = ["init", "--data-dir", "n1", "--network", "net.json", "--api-port", "9999", "--json"];
    expect(await runCli(argv, c)).toBe(0);
    const r = JSON.parse(c.lines[0]!) as { nodeId: string; peerId: string; validator: boolean };
    expect(r.nodeId).toMatch(/^[0-9a-f]{64}$/);
    expect(r.peerId).toMatch(/^12D3Koo/);
    expect(r.validator).toBe(false); // not in the quorum set: a watcher
    expect(statSync(join(d, "n1", "node.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, "n1", "peer.key")).mode & 0o777).toBe(0o600);
    const cfgArgv = withDataDirConfig(["--data-dir", "n1"], { env: {}, cwd: d });
    expect(cfgArgv.slice(0, 2)).toEqual(["--config", join(d, "n1", "config.json")]);
    const { configFrom } = await import("../node/run.js");
    const config = configFrom(
      cfgArgv.map((a) => (a === "n1" ? join(d, "n1") : a)),
      {},
    );
    expect(config.network).toBe("zkvm-test");
    expect(config.apiPort).toBe(9999);
    expect(config.emptyBlockIntervalMs).toBe(3000);
    expect(config.genesisFile).toBe(join(d, "n1", "genesis.json"));
    expect(config.quorumSet?.threshold).toBe(2);
    expect(apiUrlOf(config)).toBe("http://127.0.0.1:9999");
    // a wallet made from the data dir takes the network, genesis and API address from its config
    const cw = ctx(d);
    expect(await runCli(["wallet", "new", "--data-dir", "n1", "--wallet", "w.json", "--json"], cw)).toBe(0);
    expect(JSON.parse(cw.lines[0]!)).toMatchObject({ network: "zkvm-test", api: "http://127.0.0.1:9999" });
    expect(WalletSession.load(join(d, "w.json")).network).toBe("zkvm-test");
    const cw2 = ctx(d);
    expect(await runCli(["wallet", "new", "--wallet", "w2.json"], cw2)).toBe(2);
    expect(cw2.errs.join()).toContain(CliCode.USAGE);
    // must-fail twins: init twice (exit 2), a bad network file (exit 2), --validator with --watcher
    const c2 = ctx(d);
    expect(await runCli(argv, c2)).toBe(2);
    expect(c2.errs.join()).toContain(CliCode.FILE_EXISTS);
    writeFileSync(join(d, "bad.json"), JSON.stringify({ ...GOOD, quorum_set: {} }));
    const c3 = ctx(d);
    expect(await runCli(["init", "--data-dir", "n2", "--network", "bad.json"], c3)).toBe(2);
    expect(c3.errs.join()).toContain(CliCode.BAD_NETWORK_FILE);
    const c4 = ctx(d);
    expect(await runCli(["init", "--data-dir", "n3", "--validator", "--watcher"], c4)).toBe(2);
    // --from-snapshot without a registered bootstrap: CLI_UNSUPPORTED (exit 1)
    const c5 = ctx(d);
    expect(await runCli(["init", "--data-dir", "n4", "--from-snapshot", "x"], c5)).toBe(1);
    expect(c5.errs.join()).toContain(CliCode.UNSUPPORTED);
    // init without a network file: a one-validator network of this node
    const c6 = ctx(d);
    expect(await runCli(["init", "--data-dir", "solo", "--json"], c6)).toBe(0);
    expect(JSON.parse(c6.lines[0]!).validator).toBe(true);
  });

  it("start refuses unknown flags and status reports an unreachable API (exit 2 / 1)", async () => {
    const d = tempDir();
    const c = ctx(d);
    expect(await runCli(["start", "--bogus"], c)).toBe(2);
    expect(c.errs.join()).toContain("CONFIG_UNKNOWN_FLAG");
    const c2 = ctx(d);
    expect(await runCli(["status", "--api", "http://127.0.0.1:1"], c2)).toBe(1);
    expect(c2.errs.join()).toContain(CliCode.API_UNREACHABLE);
    const c3 = ctx(d);
    expect(await runCli(["wallet", "frobnicate"], c3)).toBe(2);
    expect(await runCli([], ctx(d))).toBe(2);
  });
});

describe("receipts and wallet files", () => {
  const rng = seededRng("receipts");
  const { session, utxo, genesis } = createFaucet({ network: "zkvm-test", timestampMs: 1n, qty: 10n, rng });
  const txid = new Uint8Array(32).fill(9);

  it("a faucet may share its genesis with further utxos", () => {
    const extra = new Uint8Array(32).fill(3);
    const f = createFaucet({
      network: "t",
      timestampMs: 1n,
      qty: 7n,
      rng: seededRng("extra"),
      extraUtxoIds: [extra],
    });
    expect(f.genesis.utxoIds).toEqual([f.utxo.contract.id(), extra]);
    expect(f.session.wallet.balance()).toBe(7n);
    expect(f.session.genesisId).toEqual(makeGenesis(1n, f.genesis.utxoIds).state.tipId);
    // must-fail twin: a utxo that is not in the genesis is refused
    const other = createFaucet({ network: "t", timestampMs: 1n, qty: 7n, rng: seededRng("other") });
    expect(codeOf(() => f.session.receiveGenesisUtxo(f.genesis, other.utxo))).toBe(CliCode.USAGE);
  });

  it("a receipt round-trips; malformed ones fail with CLI_BAD_RECEIPT", () => {
    const text = encodeReceipt(txid, utxo);
    const r = decodeReceipt(text);
    expect(r.txid).toEqual(txid);
    expect(r.utxo.contract.id()).toEqual(utxo.contract.id());
    expect(r.utxo.values).toEqual(utxo.values);
    const o = JSON.parse(text) as Record<string, unknown>;
    const bads: unknown[] = [
      "nope",
      { ...o, format: "x" },
      { ...o, version: 2 },
      { ...o, txid: "00" },
      { ...o, contract: "0011" },
      { ...o, values: [] },
      {
        ...o,
        values: [
          {
            qty: "-1",
            flavor: "00".repeat(32),
            qty_blinding: "00".repeat(32),
            flv_blinding: "00".repeat(32),
          },
        ],
      },
      {
        ...o,
        values: [
          { qty: "1", flavor: "ff".repeat(32), qty_blinding: "00".repeat(32), flv_blinding: "00".repeat(32) },
        ],
      },
    ];
    for (const b of bads)
      expect(codeOf(() => decodeReceipt(typeof b === "string" ? b : JSON.stringify(b)))).toBe(
        CliCode.BAD_RECEIPT,
      );
  });

  it("a wallet file round-trips with mode 0600; a damaged one fails with CLI_BAD_WALLET_FILE", () => {
    const d = tempDir();
    const path = join(d, "w.json");
    session.saveNew(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = WalletSession.load(path);
    expect(again.wallet.balance()).toBe(10n);
    expect(again.genesisId).toEqual(makeGenesis(genesis.timestampMs, genesis.utxoIds).state.tipId);
    expect(again.encode()).toBe(session.encode());
    expect(codeOf(() => session.saveNew(path))).toBe(CliCode.FILE_EXISTS);
    const o = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    for (const b of [
      { ...o, format: "x" },
      { ...o, xprv: "00" },
      { ...o, state: "00" },
      { ...o, chain: "zz" },
    ])
      expect(codeOf(() => WalletSession.decode(JSON.stringify(b)))).toBe(CliCode.BAD_WALLET_FILE);
    expect(codeOf(() => WalletSession.load(join(d, "missing.json")))).toBe(CliCode.BAD_WALLET_FILE);
  });
});

describe("GET /blocks/:height/raw", () => {
  it("serves encoded blocks when the view has them; 404 codes otherwise", async () => {
    const g = makeGenesis(5n, []).state;
    const bytes = encodeBlock({ header: g.tip, txs: [] });
    const base: NodeView = {
      status: () => ({
        network: "t",
        height: 1n,
        tipId: g.tipId,
        peers: 0,
        consensusPhase: "idle",
        msmBackend: "js",
        mempoolSize: 0,
      }),
      blockByHeight: () => undefined,
      blockById: () => undefined,
      txById: () => undefined,
      mempool: () => ({ count: 0, bytes: 0, entries: [] }),
      submitTx: () => ({ accepted: false, error: "X" }),
      utxoProof: () => undefined,
      quorumInfo: () => ({ nodeId: g.tipId, validator: false, slot: 1n, phase: "idle", quorumSet: null }),
      peers: () => [],
    };
    const withRaw = await startApiServer({
      ...base,
      blockBytesByHeight: (h) => (h === 1n ? bytes : undefined),
    });
    const without = await startApiServer(base);
    try {
      const r = await (await fetch(`${withRaw.url}/blocks/1/raw`)).json();
      expect(r).toEqual({ height: "1", hex: Buffer.from(bytes).toString("hex") });
      const client = new ApiClient(withRaw.url);
      expect(await client.rawBlock(1n)).toEqual(bytes);
      expect(await client.rawBlock(2n)).toBeUndefined();
      const bad = await fetch(`${withRaw.url}/blocks/x/raw`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe("API_BAD_PARAM");
      let err: unknown;
      try {
        await new ApiClient(without.url).rawBlock(1n);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, CliCode.API_NO_RAW_BLOCKS)).toBe(true);
    } finally {
      await withRaw.close();
      await without.close();
    }
  });
});
