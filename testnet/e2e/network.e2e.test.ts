/**
 * End to end, with real processes on loopback (issue 8): the local 4-validator network as
 * `npm start` runs it (one `zkvm-node start` process per node, sqlite each), then, in order:
 *  1. wallet payments submitted to one node are gossiped, agreed and finalized in one block by every
 *     node; balances match; every node has the same block (id, utxoroot) at that height;
 *  2. a validator killed with SIGKILL and restarted catches up and rejoins; no fork;
 *  3. a fresh non-validator (`init --network … --watcher`) syncs every block with certificates and
 *     follows the tip; another starts from a snapshot (`init --from-snapshot peers`);
 *  4. a light client through the watcher (relay) checks headers and certificates, submits a payment,
 *     sees it confirmed through `watch`, and gets its output's proof refreshed;
 *  5. a misbehaving peer (garbage, invalid txs and envelopes, forged block announcements) is
 *     penalized and banned while the network keeps finalizing.
 * Bounded: every wait has a deadline; all processes are killed in afterAll.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../consensus/scp/index.js";
import {
  encodeBlockAnnouncement,
  type GossipVerdict,
  loadOrCreateIdentity,
  NetworkService,
} from "../../network/index.js";
import { encodeBlockTx } from "../../src/chain/index.js";
import { ApiClient } from "../../src/cli/apiClient.js";
import { runCli } from "../../src/cli/app.js";
import type { CliContext } from "../../src/cli/context.js";
import { setSnapshotBootstrap } from "../../src/cli/nodeCommands.js";
import { snapshotBootstrap } from "../../src/cli/snapshotBootstrap.js";
import { syncWallet } from "../../src/cli/walletCommands.js";
import { WalletSession } from "../../src/cli/walletFile.js";
import { connectLightClient } from "../../src/light/index.js";
import { fromHex, toHex } from "../../src/util/bytes.js";
import { seededRng } from "../../src/util/rng.js";
import {
  freePort,
  heightOf,
  type LocalNetwork,
  spawnNode,
  startLocalNetwork,
  stopProcesses,
  waitForApi,
} from "../local/launcher.js";

const rng = seededRng("e2e network");
const dir = mkdtempSync(join(tmpdir(), "zkvm-e2e-"));
const extra: ChildProcess[] = [];
let net: LocalNetwork;
let api: string[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as Record<string, unknown>;
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | undefined;
    try {
      v = await probe();
    } catch {
      v = undefined;
    }
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function heights(urls: readonly string[]): Promise<bigint[]> {
  return Promise.all(urls.map(async (u) => (await heightOf(u)) ?? -1n));
}

/** Waits until every node is at `h` or above. */
function allAt(urls: readonly string[], h: bigint, ms = 30_000): Promise<bigint[]> {
  return until(`heights ≥ ${h}`, ms, async () => {
    const hs = await heights(urls);
    return hs.every((x) => x >= h) ? hs : undefined;
  });
}

/** Block ids 1..h on a node. */
async function blockIds(url: string, h: bigint): Promise<string[]> {
  const out: string[] = [];
  for (let x = 1n; x <= h; x++) out.push((await getJson(`${url}/blocks/${x}`))["id"] as string);
  return out;
}

/** Runs a CLI command in-process; returns exit code and output lines. */
async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    rng,
    env: { ZKVM_MSM: process.env["ZKVM_MSM"] },
    cwd: dir,
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}

/** `zkvm-node init` of a watcher of the local network listening on the given loopback ports. */
function initWatcher(dataDir: string, p2p: number, apiPort: number, more: string[] = []) {
  return cli([
    ...["init", "--data-dir", dataDir, "--network", net.networkFile, "--watcher", ...more],
    ...["--listen-host", "127.0.0.1", "--listen-port", String(p2p), "--api-port", String(apiPort), "--json"],
  ]);
}

async function balance(wallet: string): Promise<bigint> {
  const r = await cli(["wallet", "balance", "--wallet", wallet, "--json"]);
  expect(r.code, r.err.join("\n")).toBe(0);
  const b = JSON.parse(r.out[0]!) as { balances: Record<string, string> };
  return BigInt(b.balances["native"] ?? "0");
}

beforeAll(async () => {
  // what src/cli/main.ts registers for the real command
  setSnapshotBootstrap(snapshotBootstrap);
  net = await startLocalNetwork({
    dir,
    fresh: true,
    nodes: 4,
    basePorts: { p2p: 0, api: 0 },
    emptyBlockIntervalMs: 500,
    logLevel: "info",
    env: { ZKVM_VERIFY_WORKERS: "1" },
  });
  api = net.nodes.map((n) => n.apiUrl);
  await allAt(api, 1n, 60_000);
}, 120_000);

afterAll(async () => {
  await stopProcesses(extra, 5000);
  await net?.stop(5000);
  rmSync(dir, { recursive: true, force: true });
});

describe("a local 4-validator network of real processes", () => {
  const bob = join(dir, "bob.wallet.json");
  let paymentTxid = "";

  it("finalizes a wallet payment submitted to one node in the same block on every node", async () => {
    const faucet = net.faucetWallet;
    const before = await balance(faucet);
    expect(before).toBeGreaterThan(0n);
    expect(
      (await cli(["wallet", "new", "--wallet", bob, "--network", net.networkFile, "--api", api[1]!])).code,
    ).toBe(0);
    const key = (await cli(["wallet", "address", "--wallet", bob])).out[0]!;
    const pay = await cli([
      "wallet",
      "pay",
      "--wallet",
      faucet,
      "--api",
      api[0]!,
      "--to",
      key,
      "--qty",
      "2500",
      "--fee",
      "1",
      "--receipt",
      "r1.json",
      "--wait",
      "--json",
    ]);
    expect(pay.code, pay.err.join("\n")).toBe(0);
    paymentTxid = (JSON.parse(pay.out[0]!) as { txid: string }).txid;
    // bob imports the receipt against another node
    const rec = await cli(["wallet", "receive", "r1.json", "--wallet", bob, "--api", api[1]!]);
    expect(rec.code, rec.err.join("\n")).toBe(0);
    expect(await balance(bob)).toBe(2500n);
    expect(await balance(faucet)).toBe(before - 2501n);
    // every node: confirmed in the same block, same id and utxoroot at that height
    const infos = await Promise.all(
      api.map((u) =>
        until("tx confirmed everywhere", 20_000, async () => {
          const t = await getJson(`${u}/tx/${paymentTxid}`);
          return t["status"] === "confirmed" ? t : undefined;
        }),
      ),
    );
    expect(new Set(infos.map((t) => t["blockId"])).size).toBe(1);
    const h = infos[0]!["height"] as string;
    const blocks = await Promise.all(api.map((u) => getJson(`${u}/blocks/${h}`)));
    expect(new Set(blocks.map((b) => `${b["id"]}/${b["utxoroot"]}`)).size).toBe(1);
    expect(blocks[0]!["txids"]).toContain(paymentTxid);
    // the node's metrics and status report what an operator watches
    const metrics = await (await fetch(`${api[0]}/metrics`)).text();
    expect(metrics).toMatch(/\nzkvm_peer_count [3-9]/);
    expect(metrics).toMatch(/zkvm_gossip_messages_total\{topic="scp",result="accept"\} [1-9]/);
    const status = await getJson(`${api[0]}/status`);
    expect(["native", "js"]).toContain(status["msmBackend"]);
    // must-fail twin: paying more than the wallet holds is refused before anything is submitted
    const broke = await cli([
      "wallet",
      "pay",
      "--wallet",
      bob,
      "--to",
      key,
      "--qty",
      "999999",
      "--api",
      api[1]!,
    ]);
    expect(broke.code).toBe(1);
    expect(broke.err.join()).toContain("WALLET_INSUFFICIENT_FUNDS");
  }, 90_000);

  it("a validator killed with SIGKILL restarts, catches up and rejoins without a fork", async () => {
    const victim = net.nodes[3]!;
    victim.process.kill("SIGKILL");
    await until("node 4 down", 10_000, async () =>
      victim.process.exitCode !== null || victim.process.signalCode !== null ? true : undefined,
    );
    const [h0] = await heights(api.slice(0, 1));
    // three of four still make a quorum (threshold 3): the chain moves on
    await allAt(api.slice(0, 3), h0! + 3n, 30_000);
    const { child, logFile } = spawnNode(victim.dataDir, { env: { ZKVM_VERIFY_WORKERS: "1" } });
    extra.push(child);
    await waitForApi(victim.apiUrl, child, Date.now() + 60_000, logFile);
    const [target] = await heights(api.slice(0, 1));
    await allAt([victim.apiUrl], target!, 30_000);
    // it keeps up (votes again) and its chain is the others' chain
    const [now] = await heights(api.slice(0, 1));
    await allAt(api, now! + 2n, 30_000);
    const top = now! + 2n;
    const ids = await Promise.all(api.map((u) => blockIds(u, top)));
    for (const other of ids.slice(1)) expect(other).toEqual(ids[0]);
    const st = await getJson(`${victim.apiUrl}/status`);
    expect(st["validator"]).toBe(true);
    // the CLI drew its sync progress bar while it caught up
    expect(readFileSync(logFile, "utf8")).toMatch(/zkvm-node: synced \[#+\] 100%/);
  }, 120_000);

  let watcherApi = "";
  let watcherAddr = "";

  it("a fresh non-validator syncs every block with certificates and follows the tip", async () => {
    const wdir = join(dir, "watcher");
    const [p2p, apiPort] = [await freePort(), await freePort()];
    const init = await initWatcher(wdir, p2p, apiPort);
    expect(init.code, init.err.join("\n")).toBe(0);
    const info = JSON.parse(init.out[0]!) as { validator: boolean; peerId: string };
    expect(info.validator).toBe(false);
    const { child, logFile } = spawnNode(wdir, { env: { ZKVM_VERIFY_WORKERS: "0" } });
    extra.push(child);
    watcherApi = `http://127.0.0.1:${apiPort}`;
    watcherAddr = `/ip4/127.0.0.1/tcp/${p2p}/p2p/${info.peerId}`;
    await waitForApi(watcherApi, child, Date.now() + 60_000, logFile);
    const [tip] = await heights(api.slice(0, 1));
    await allAt([watcherApi], tip!, 30_000);
    const ids = await blockIds(watcherApi, tip!);
    expect(ids).toEqual(await blockIds(api[0]!, tip!));
    const st = await getJson(`${watcherApi}/status`);
    expect(st["validator"]).toBe(false);
    // it follows: later blocks arrive too
    await allAt([watcherApi], tip! + 2n, 30_000);
    // the payment of the first test is in its index
    expect((await getJson(`${watcherApi}/tx/${paymentTxid}`))["status"]).toBe("confirmed");
  }, 120_000);

  it("a node initialized from a snapshot starts at the certified tip and follows it", async () => {
    const sdir = join(dir, "snap");
    const [p2p, apiPort] = [await freePort(), await freePort()];
    const init = await initWatcher(sdir, p2p, apiPort, ["--from-snapshot", watcherAddr]);
    expect(init.code, init.err.join("\n")).toBe(0);
    const snap = (JSON.parse(init.out[0]!) as { snapshot: { height: string; elapsedMs: number } }).snapshot;
    expect(BigInt(snap.height)).toBeGreaterThan(3n);
    const { child, logFile } = spawnNode(sdir, { env: { ZKVM_VERIFY_WORKERS: "0" } });
    await waitForApi(`http://127.0.0.1:${apiPort}`, child, Date.now() + 60_000, logFile);
    try {
      await allAt([`http://127.0.0.1:${apiPort}`], BigInt(snap.height) + 2n, 30_000);
      // it has no history below the snapshot, and the same blocks from there on
      const h = BigInt(snap.height) + 1n;
      const mine = await getJson(`http://127.0.0.1:${apiPort}/blocks/${h}`);
      expect(mine["id"]).toBe((await getJson(`${api[0]}/blocks/${h}`))["id"]);
      expect((await fetch(`http://127.0.0.1:${apiPort}/blocks/1`)).status).toBe(404);
    } finally {
      await stopProcesses([child], 5000);
    }
    // must-fail twin: a snapshot from a peer that is not there fails with a coded error, exit 1
    const bad = await cli([
      "init",
      "--data-dir",
      join(dir, "snap2"),
      "--network",
      net.networkFile,
      "--watcher",
      "--from-snapshot",
      "not-a-peer",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err.join()).toContain("CLI_USAGE");
  }, 120_000);

  it("a light client through the watcher checks headers, submits a payment, watches it and refreshes its proof", async () => {
    const nf = JSON.parse(readFileSync(net.networkFile, "utf8")) as {
      network: string;
      quorum_set: { threshold: number; validators: string[] };
    };
    const genesisId = (await getJson(`${api[0]}/status`))["genesisId"] as string;
    const client = await connectLightClient({
      networkId: nf.network,
      relay: watcherAddr,
      privateKey: await loadOrCreateIdentity(join(dir, "light.key")),
      trust: {
        anchor: { height: 1n, id: fromHex(genesisId, 32) }, // genesis is block 1
        quorumSet: {
          threshold: nf.quorum_set.threshold,
          validators: nf.quorum_set.validators.map((v) => fromHex(v, 32)),
          innerSets: [],
        },
      },
    });
    try {
      const tip = await client.sync();
      expect(tip).toBeDefined();
      // bob pays carol through the light client; the wallet builds the tx from its synced state
      const s = WalletSession.load(bob);
      await syncWallet(s, new ApiClient(watcherApi));
      const carol = WalletSession.create({
        network: nf.network,
        genesis: { timestampMs: 0n, utxoIds: [] },
        rng,
      }).wallet.receivingKey();
      const tx = s.wallet.pay({ to: carol, qty: 700n, flavor: 0n, fee: 1 }, rng);
      const outId = tx.payment.contract.id();
      const watching = client.watch(outId, 25_000);
      const sub = await client.submit(encodeBlockTx(tx.btx));
      expect(sub).toEqual({ accepted: true });
      const ev = await watching;
      expect(ev.kind === "event" && ev.event).toBe("created");
      expect(ev.kind === "event" && toHex(ev.txId)).toBe(toHex(tx.txid));
      // the same payment again is refused with the node's reason
      const again = await client.submit(encodeBlockTx(tx.btx));
      expect(again.accepted).toBe(false);
      // after more blocks, the relay refreshes the output's proof to the new tip
      const relayProof = await until("relay proof", 20_000, async () => {
        const r = await fetch(`${watcherApi}/utxo/${toHex(outId)}/proof`);
        return r.ok ? ((await r.json()) as { proof: string; height: string }) : undefined;
      });
      const h0 = BigInt(relayProof.height);
      await allAt([watcherApi], h0 + 2n, 30_000);
      // refreshed to the tip and checked against the certified forest of that height (the chain moves
      // every ~0.5 s, so the forest and the proof are fetched until they are of the same height)
      const refreshed = await until("proof refreshed at the verified forest's height", 20_000, async () => {
        const forest = await client.forest();
        const r = await client.refreshProof(outId, fromHex(relayProof.proof));
        return r !== undefined && r.height === forest.height ? r : undefined;
      });
      expect(refreshed.height).toBeGreaterThanOrEqual(h0 + 2n);
      expect(refreshed.verified).toBe(true);
      // must-fail twin: a stranger's utxo id with that proof is not refreshed
      expect(
        await client.refreshProof(new Uint8Array(32).fill(9), fromHex(relayProof.proof)),
      ).toBeUndefined();
    } finally {
      await client.close();
    }
  }, 120_000);

  it("a misbehaving peer is penalized and banned while the network keeps finalizing", async () => {
    const target = net.nodes[0]!;
    const nf = JSON.parse(readFileSync(net.networkFile, "utf8")) as { network: string };
    const accept = (): GossipVerdict => "accept";
    const evil = new NetworkService({
      networkId: nf.network,
      privateKey: await loadOrCreateIdentity(join(dir, "evil.key")),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootstrap: [`/ip4/127.0.0.1/tcp/${target.p2pPort}/p2p/${target.peerId}`],
      bootstrapDelayMs: 10,
      heartbeatIntervalMs: 200,
      validators: { tx: accept, scp: accept, block: accept, txset: accept },
    });
    await evil.start();
    try {
      await until("evil connected", 15_000, async () =>
        evil.peers().includes(target.peerId) ? true : undefined,
      );
      await sleep(1500); // let it join the mesh
      const [h0] = await heights([target.apiUrl]);
      const junk = [
        new Uint8Array(200).fill(0xee), // not a tx
        new Uint8Array([1, 2, 3]),
      ];
      for (let i = 0; i < 12 && !evil.peers().every((p) => p !== target.peerId); i++) {
        const k = i % 4;
        try {
          if (k === 0) await evil.publish("tx", Uint8Array.from([...junk[0]!, i]));
          else if (k === 1) await evil.publish("scp", Uint8Array.from([...junk[1]!, i]));
          else if (k === 2)
            await evil.publish(
              "block",
              encodeBlockAnnouncement({ header: new Uint8Array(8 + i), certificate: new Uint8Array(4) }),
            );
          else await evil.publish("tx", Uint8Array.from([0, 0, 0, 1, i]));
        } catch {
          // once dropped there is nobody to publish to
        }
        await sleep(150);
      }
      const banned = await until("evil banned by node 1", 20_000, async () => {
        const st = await getJson(`${target.apiUrl}/status`);
        return (st["bannedPeers"] as string[]).includes(evil.peerId) ? st : undefined;
      });
      expect(banned["bannedPeers"]).toContain(evil.peerId);
      await until("evil disconnected", 10_000, async () =>
        evil.peers().includes(target.peerId) ? undefined : true,
      );
      const metrics = await (await fetch(`${target.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/zkvm_gossip_messages_total\{topic="(tx|scp|block)",result="reject"\} [1-9]/);
      // the network kept finalizing
      await allAt(api, h0! + 2n, 30_000);
      // what the attack sent is refused by the decoders with coded errors (never a crash)
      let code = "";
      try {
        decodeEnvelope(junk[1]!);
      } catch (e) {
        code = (e as { code?: string }).code ?? "";
      }
      expect(code).toMatch(/^(SCP|DECODE)_/);
    } finally {
      await evil.stop();
    }
  }, 90_000);

  it("stops every node cleanly: SIGTERM, exit code 0, 'stopped' in each log", async () => {
    expect(statSync(net.faucetWallet).mode & 0o777).toBe(0o600);
    const all = [...net.nodes.slice(0, 3).map((n) => n.process), ...extra];
    await stopProcesses(all, 10_000);
    for (const p of all) expect(p.exitCode).toBe(0);
    for (const n of net.nodes.slice(0, 3)) expect(readFileSync(n.logFile, "utf8")).toContain("node stopped");
  }, 30_000);
});
