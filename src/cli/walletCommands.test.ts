/**
 * The wallet commands end to end against an in-process one-validator ZkvmNode: issue, pay to a
 * second wallet with a receipt, receive, balances; must-fail twins for receipts and rejections.
 * The node's API is served here over a view of the node's public members that includes raw blocks
 * (the route the wallet syncs from), so the test does not depend on the node's own view.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeView } from "../api/nodeView.js";
import { type ApiServer, startApiServer } from "../api/server.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { DEFAULT_CONFIG } from "../node/config.js";
import { ZkvmNode } from "../node/node.js";
import { MemoryChainStore } from "../storage/index.js";
import { toHex } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import { runCli } from "./app.js";
import type { CliContext } from "./context.js";
import { CliCode } from "./errors.js";
import { formatNetworkFile } from "./networkFile.js";
import { createFaucet } from "./walletFile.js";

const T0 = 1_700_000_000_000n;
const rng = seededRng("wallet commands");
const nodeSecret = randomScalar(rng);
const nodeId = publicKey(nodeSecret).bytes.slice();
const faucet = createFaucet({ network: "zkvm-test", timestampMs: T0, qty: 1_000_000n, rng });

let dir: string;
let node: ZkvmNode;
let api: ApiServer;
let runs = 0;

function ctx(): CliContext & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  runs++;
  return {
    out: (s) => lines.push(s),
    err: (s) => errs.push(s),
    rng: seededRng(`run ${runs}`),
    env: {},
    cwd: dir,
    lines,
    errs,
  };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = ctx();
  const code = await runCli([...argv, "--api", api.url], c);
  return { code, out: c.lines.join("\n"), err: c.errs.join("\n") };
}

function view(n: ZkvmNode, genesisId: string): NodeView {
  return {
    status: () => ({
      network: "zkvm-test",
      height: n.state.tip.height,
      tipId: n.state.tipId,
      peers: 0,
      consensusPhase: "idle",
      msmBackend: "js",
      mempoolSize: n.mempool.count,
      genesisId,
    }),
    blockByHeight: () => undefined,
    blockById: () => undefined,
    txById: async (txid) => {
      const e = n.mempool.get(txid);
      if (e !== undefined) return { txid, bytes: e.btx.txBytes, status: "mempool" };
      const loc = await n.store.getTxLocation(txid);
      return loc === undefined ? undefined : { txid, bytes: new Uint8Array(0), status: "confirmed" };
    },
    mempool: () => ({ count: 0, bytes: 0, entries: [] }),
    submitTx: (b) => n.submitTx(b),
    utxoProof: () => undefined,
    quorumInfo: () => ({ nodeId, validator: true, slot: 0n, phase: "idle", quorumSet: null }),
    peers: () => [],
    blockBytesByHeight: (h) => n.store.getBlockByHeight(Number(h)),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "zkvm-wallet-cli-"));
  node = await ZkvmNode.create({
    config: {
      ...DEFAULT_CONFIG,
      network: "zkvm-test",
      dataDir: join(dir, "node"),
      listenHost: "127.0.0.1",
      listenPort: 0,
      apiPort: 0,
      validator: true,
      quorumSet: { threshold: 1, validators: [nodeId], innerSets: [] },
      emptyBlockIntervalMs: 200,
    },
    genesis: faucet.genesis,
    nodeSecret,
    store: new MemoryChainStore(),
  });
  await node.start();
  api = await startApiServer(view(node, toHex(faucet.session.genesisId)));
  faucet.session.saveNew(join(dir, "faucet.json"));
  writeFileSync(
    join(dir, "net.json"),
    formatNetworkFile({
      network: "zkvm-test",
      genesis: faucet.genesis,
      bootstrap: [],
      quorumSet: { threshold: 1, validators: [nodeId], innerSets: [] },
      emptyBlockIntervalMs: undefined,
    }),
  );
}, 30_000);

afterAll(async () => {
  await api?.close();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("wallet commands against a node", () => {
  it("issue, pay with a receipt, receive: both balances right; must-fail twins", async () => {
    const fw = ["--wallet", "faucet.json"];
    const bw = ["--wallet", "bob.json"];
    expect((await cli("wallet", "new", "--network", "net.json", ...bw)).code).toBe(0);
    expect(statSync(join(dir, "bob.json")).mode & 0o777).toBe(0o600);
    // must-fail twin: never overwrites a wallet
    const again = await cli("wallet", "new", "--network", "net.json", ...bw);
    expect(again.code).toBe(2);
    expect(again.err).toContain(CliCode.FILE_EXISTS);

    const bal0 = await cli("wallet", "balance", "--json", ...fw);
    expect(bal0.code).toBe(0);
    expect(JSON.parse(bal0.out).balances).toEqual({ native: "1000000" });

    const issued = await cli(
      "wallet",
      "issue",
      "--qty",
      "500",
      "--metadata",
      "gold",
      "--wait",
      "--json",
      ...fw,
    );
    expect(issued.err).toBe("");
    expect(issued.code).toBe(0);
    const { flavor } = JSON.parse(issued.out) as { flavor: string };
    expect(flavor).toMatch(/^[0-9a-f]{64}$/);

    const addr = await cli("wallet", "address", ...bw);
    expect(addr.code).toBe(0);
    const key = addr.out.trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);

    // a stale copy of the faucet, to provoke a rejection later
    copyFileSync(join(dir, "faucet.json"), join(dir, "stale.json"));

    const paid = await cli(
      "pay",
      "--to",
      key,
      "--qty",
      "200",
      "--flavor",
      flavor,
      "--fee",
      "1",
      "--receipt",
      "r1.json",
      "--wait",
      ...fw,
    );
    expect(paid.err).toBe("");
    expect(paid.code).toBe(0);
    expect(paid.out).toMatch(/^txid {5}[0-9a-f]{64}/);

    // must-fail twin first: tampered openings (qty changed) do not open the commitments
    const r = JSON.parse(readFileSync(join(dir, "r1.json"), "utf8")) as { values: { qty: string }[] };
    r.values[0]!.qty = "201";
    writeFileSync(join(dir, "r2.json"), JSON.stringify(r));
    const tampered = await cli("wallet", "receive", "r2.json", ...bw);
    expect([tampered.code, tampered.err.includes("WALLET_OPENING_MISMATCH")]).toEqual([2, true]);
    const got = await cli("wallet", "receive", "r1.json", "--json", ...bw);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.out)).toMatchObject({ status: "confirmed", values: [{ qty: "200", flavor }] });

    const bobBal = JSON.parse((await cli("balance", "--json", ...bw)).out) as {
      balances: Record<string, string>;
    };
    expect(bobBal.balances).toEqual({ [flavor]: "200" });
    const faucetBal = JSON.parse((await cli("balance", "--json", ...fw)).out) as {
      balances: Record<string, string>;
    };
    expect(faucetBal.balances).toEqual({ native: "999999", [flavor]: "300" });
    const utxos = await cli("utxos", "--json", ...bw);
    expect(JSON.parse(utxos.out).utxos).toHaveLength(1);

    // must-fail twins of receive: twice, someone else's, tampered, malformed
    const twice = await cli("wallet", "receive", "r1.json", ...bw);
    expect([twice.code, twice.err.includes("WALLET_DUPLICATE_UTXO")]).toEqual([2, true]);
    const foreign = await cli("wallet", "receive", "r1.json", ...fw);
    expect([foreign.code, foreign.err.includes("WALLET_UNKNOWN_KEY")]).toEqual([2, true]);
    writeFileSync(join(dir, "r3.json"), "{not json");
    const junk = await cli("wallet", "receive", "r3.json", ...bw);
    expect([junk.code, junk.err.includes(CliCode.BAD_RECEIPT)]).toEqual([2, true]);

    // must-fail twins of pay: too much (exit 1), a bad key (exit 2), a spent input (node rejects, exit 1)
    const poor = await cli("pay", "--to", key, "--qty", "201", "--flavor", flavor, ...bw);
    expect([poor.code, poor.err.includes("WALLET_INSUFFICIENT_FUNDS")]).toEqual([1, true]);
    const badKey = await cli("pay", "--to", "00".repeat(31), "--qty", "1", ...fw);
    expect(badKey.code).toBe(2);
    const stale = await cli("pay", "--to", key, "--qty", "5", "--no-sync", "--wallet", "stale.json");
    expect(stale.code).toBe(1);
    expect(stale.err).toContain(CliCode.TX_REJECTED);
    expect(stale.err).toContain("reason=MEMPOOL_TX_INVALID");
    // the rejected tx was forgotten: its inputs are spendable again in that (stale) wallet
    expect(
      JSON.parse((await cli("utxos", "--json", "--no-sync", "--wallet", "stale.json")).out).utxos,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ status: "confirmed" })]));
  }, 60_000);
});
