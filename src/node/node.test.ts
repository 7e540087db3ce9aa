/** Tests of the composition root: a one-validator chain over loopback, restart, tx submission. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBlockTx, encodeBlockTx, makeBlockTx, makeGenesis } from "../chain/index.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { MemoryChainStore } from "../storage/index.js";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import type { Proof } from "../utreexo/proof.js";
import { makeUtxo, TxBuilder } from "../zkvm/builder.js";
import { encodeTx } from "../zkvm/tx.js";
import { precomputeTx } from "../zkvm/verifier.js";
import { DEFAULT_CONFIG, type NodeConfig } from "./config.js";
import { NodeCode } from "./errors.js";
import { ZkvmNode } from "./node.js";
import { decodeScpState, encodeScpState } from "./scpState.js";

const rng = seededRng("node test");
const nodeSecret = randomScalar(rng);
const nodeId = publicKey(nodeSecret).bytes.slice();
const T0 = 1_700_000_000_000n;

// a genesis utxo owned by alice, and a tx spending it
const alice = randomScalar(rng);
const alicePub = publicKey(alice);
const utxo = makeUtxo(new Uint8Array(32).fill(7), alicePub, {
  qty: 100n,
  flavor: 0n,
  qtyBlinding: randomScalar(rng),
  flvBlinding: randomScalar(rng),
});
const utxo2 = makeUtxo(new Uint8Array(32).fill(8), alicePub, {
  qty: 50n,
  flavor: 0n,
  qtyBlinding: randomScalar(rng),
  flvBlinding: randomScalar(rng),
});
const genesis = { timestampMs: T0, utxoIds: [utxo.contract.id(), utxo2.contract.id()] };

/** A tx spending genesis utxo `which` (0 or 1) with its genesis proof (`proof` overrides it). */
function spendTx(which = 0, proofOverride?: Proof): Uint8Array {
  const proof = proofOverride ?? makeGenesis(T0, genesis.utxoIds).proofs[which]!;
  const u = which === 0 ? utxo : utxo2;
  const qty = u.values[0]!.qty;
  const b = new TxBuilder({ rng });
  b.spend(u, alice).fee(3);
  b.cloakTo([{ qty: qty - 3n, flavor: 0n, predicate: alicePub }]);
  return encodeBlockTx(makeBlockTx(encodeTx(b.build().tx), [proof]));
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkvm-node-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function config(dataDir: string): NodeConfig {
  return {
    ...DEFAULT_CONFIG,
    dataDir,
    listenHost: "127.0.0.1",
    listenPort: 0,
    apiPort: 0,
    validator: true,
    quorumSet: { threshold: 1, validators: [nodeId], innerSets: [] },
    emptyBlockIntervalMs: 200,
    msmBackend: "js",
  };
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url);
  return (await r.json()) as Record<string, unknown>;
}

async function heightOf(node: ZkvmNode): Promise<number> {
  const s = await getJson(`${node.apiUrl}/status`);
  return Number(s["height"]);
}

async function waitFor(cond: () => Promise<boolean> | boolean, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("ZkvmNode, one validator", () => {
  it("finalizes empty blocks, stops cleanly and resumes at the stored tip", async () => {
    const dataDir = tempDir();
    const node = await ZkvmNode.create({ config: config(dataDir), genesis, nodeSecret });
    await node.start();
    try {
      const s0 = await getJson(`${node.apiUrl}/status`);
      expect(s0["msmBackend"]).toBe("js");
      expect(s0["nodeId"]).toBe(toHex(nodeId));
      await waitFor(async () => (await heightOf(node)) >= 4);
      const b2 = await getJson(`${node.apiUrl}/blocks/2`);
      expect(b2["height"]).toBe("2");
      const m = await (await fetch(`${node.apiUrl}/metrics`)).text();
      expect(m).toMatch(/zkvm_block_height [1-9]/);
      // must-fail twin: a second start is refused
      await expect(node.start()).rejects.toSatisfy((e) => hasCode(e, NodeCode.BAD_LIFECYCLE));
    } finally {
      await node.stop();
    }
    const url = node.apiUrl;
    expect(url).toBeUndefined();
    expect(node.running).toBe(false);
    await node.stop(); // idempotent

    // The SCP state was written durably before each emission.
    expect(existsSync(join(dataDir, "scp-state.bin"))).toBe(true);
    const again = await ZkvmNode.create({ config: config(dataDir), genesis, nodeSecret });
    const stored = Number(again.state.tip.height);
    expect(stored).toBeGreaterThanOrEqual(4);
    await again.start();
    try {
      expect(await heightOf(again)).toBeGreaterThanOrEqual(stored);
      await waitFor(async () => (await heightOf(again)) >= stored + 2);
    } finally {
      await again.stop();
    }

    // must-fail twin: the same data dir with another genesis is refused
    await expect(
      ZkvmNode.create({
        config: config(dataDir),
        genesis: { timestampMs: T0 + 1n, utxoIds: [] },
        nodeSecret,
      }),
    ).rejects.toSatisfy((e) => hasCode(e, NodeCode.STORE_MISMATCH));
  }, 30_000);

  it("gets a tx submitted through the API into a block; rejects a malformed one", async () => {
    const store = new MemoryChainStore();
    const cfg = { ...config(tempDir()), emptyBlockIntervalMs: 60_000 };
    // txs go through a one-worker verification pool here
    const node = await ZkvmNode.create({ config: cfg, genesis, nodeSecret, store, verifyWorkers: 1 });
    await node.start();
    try {
      const bad = await fetch(`${node.apiUrl}/tx`, { method: "POST", body: "00ff" });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as Record<string, unknown>)["reason"]).toBe("BLOCK_INVALID_FORMAT");

      const tx = spendTx();
      const r = await fetch(`${node.apiUrl}/tx`, { method: "POST", body: toHex(tx) });
      expect(r.status).toBe(202);
      const txid = ((await r.json()) as Record<string, unknown>)["txid"] as string;
      await waitFor(async () => (await getJson(`${node.apiUrl}/tx/${txid}`))["status"] === "confirmed");
      const info = await getJson(`${node.apiUrl}/tx/${txid}`);
      const block = await getJson(`${node.apiUrl}/blocks/${info["height"] as string}`);
      expect(block["txids"]).toEqual([txid]);
      // must-fail twin: the same tx again spends a spent utxo
      const again = await fetch(`${node.apiUrl}/tx`, { method: "POST", body: toHex(tx) });
      expect(again.status).toBe(400);
      await node.flush();
      expect((await store.getTxLocation(Uint8Array.from(Buffer.from(txid, "hex"))))?.position).toBe(0);
      expect(await store.getCertificate(Number(info["height"]))).toBeDefined();
      // the relay keeps the new output's utreexo proof fresh: the API serves it, unknown ids are 404
      const out = precomputeTx(decodeBlockTx(tx).tx, 0).txlog.find((e) => e.type === "output");
      const outId = out?.type === "output" ? toHex(out.contract.id()) : "";
      const proof = await getJson(`${node.apiUrl}/utxo/${outId}/proof`);
      expect(proof["height"]).toBe(info["height"]);
      expect((await fetch(`${node.apiUrl}/utxo/${"ab".repeat(32)}/proof`)).status).toBe(404);
      // the other genesis utxo's proof is stale now (the block changed the forest): the node
      // refreshes it through its recent catchups instead of refusing the tx
      const stale = await fetch(`${node.apiUrl}/tx`, { method: "POST", body: toHex(spendTx(1)) });
      expect(stale.status).toBe(202);
      expect(await (await fetch(`${node.apiUrl}/metrics`)).text()).toContain("zkvm_proof_refreshes_total 1");
      // must-fail twin: a proof that never held (utxo 0's path for utxo 1) is refused
      const wrong = makeGenesis(T0, genesis.utxoIds).proofs[0]!;
      const bad2 = await fetch(`${node.apiUrl}/tx`, { method: "POST", body: toHex(spendTx(1, wrong)) });
      expect(bad2.status).toBe(400);
    } finally {
      await node.stop();
    }
  }, 30_000);
});

describe("ZkvmNode, three validators over loopback libp2p", () => {
  it("finalize identical blocks, including a tx submitted to one of them", async () => {
    const secrets = [nodeSecret, randomScalar(rng), randomScalar(rng)];
    const ids = secrets.map((s) => publicKey(s).bytes.slice());
    const quorumSet = { threshold: 2, validators: ids, innerSets: [] };
    const nodes: ZkvmNode[] = [];
    try {
      for (const secret of secrets) {
        const bootstrapPeers = nodes.flatMap((n) => n.network?.addresses() ?? []);
        const cfg = { ...config(tempDir()), quorumSet, bootstrapPeers, emptyBlockIntervalMs: 300 };
        const node = await ZkvmNode.create({
          config: cfg,
          genesis,
          nodeSecret: secret,
          store: new MemoryChainStore(),
          network: { heartbeatIntervalMs: 100, bootstrapDelayMs: 10 },
        });
        nodes.push(node);
        await node.start();
      }
      await waitFor(async () => {
        for (const n of nodes) if ((await heightOf(n)) < 3) return false;
        return true;
      }, 15_000);
      const tx = spendTx();
      const r = await fetch(`${nodes[1]!.apiUrl}/tx`, { method: "POST", body: toHex(tx) });
      expect(r.status).toBe(202);
      const txid = ((await r.json()) as Record<string, unknown>)["txid"] as string;
      await waitFor(async () => {
        for (const n of nodes)
          if ((await getJson(`${n.apiUrl}/tx/${txid}`))["status"] !== "confirmed") return false;
        return true;
      }, 15_000);
      for (const n of nodes)
        expect(Number((await getJson(`${n.apiUrl}/status`))["peers"])).toBeGreaterThan(0);
      const common = Math.min(...nodes.map((n) => Number(n.state.tip.height)));
      expect(common).toBeGreaterThanOrEqual(3);
      for (const n of nodes) await n.flush();
      for (let h = 1; h <= common; h++) {
        const [a, b, c] = await Promise.all(nodes.map((n) => n.store.getBlockId(h)));
        expect(a).toBeDefined();
        expect(toHex(b!)).toBe(toHex(a!));
        expect(toHex(c!)).toBe(toHex(a!));
      }
    } finally {
      for (const n of nodes.reverse()) await n.stop();
    }
  }, 40_000);
});

describe("persisted SCP state codec", () => {
  it("round-trips; garbage is NODE_BAD_CONSENSUS_STATE", () => {
    const s = { slot: 9n, envelopes: [new Uint8Array([1, 2])], txSets: [new Uint8Array(5)] };
    expect(decodeScpState(encodeScpState(s))).toEqual(s);
    expect(() => decodeScpState(new Uint8Array([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: NodeCode.BAD_CONSENSUS_STATE }),
    );
  });
});
