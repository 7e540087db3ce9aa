/**
 * Snapshot bootstrap, block announcements and catch-up sync end to end.
 *  - codecs of the announcement and snapshot messages (round trip; must-fail: truncated);
 *  - `verifySnapshot` on a certified snapshot of the herder's test chain; must-fail twins with a
 *    tampered certificate, forest, state tip and block (exact codes);
 *  - `bootstrapFromSnapshot` from a peer serving a tampered snapshot is refused (exact code);
 *  - a 3-validator loopback network: a stopped validator re-created on its data folder catches up
 *    and rejoins (identical ids; it then makes a quorum with one other validator); a non-validator
 *    joins later, syncs and follows the tip; announcements with a bad certificate get "reject";
 *    a fresh data folder bootstrapped from a snapshot starts a node that follows the tip.
 * Timings (bootstrap time, sync speed) are printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { afterAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../consensus/herder/index.js";
import { T0 as NET_T0, TestNet } from "../../consensus/herder/testNet.js";
import {
  decodeBlockAnnouncement,
  decodeSnapshotRequest,
  decodeSnapshotResponse,
  encodeBlockAnnouncement,
  encodeSnapshotRequest,
  encodeSnapshotResponse,
  NetworkCode,
  NetworkService,
  Protocol,
  type Snapshot,
} from "../../network/index.js";
import {
  decodeHeader,
  encodeBlock,
  encodeBlockTx,
  encodeHeader,
  makeBlockTx,
  makeGenesis,
  stateAfter,
} from "../chain/index.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { MemoryChainStore } from "../storage/index.js";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { makeUtxo, TxBuilder } from "../zkvm/builder.js";
import { encodeTx } from "../zkvm/tx.js";
import { DEFAULT_CONFIG, type NodeConfig, type QuorumSetConfig } from "./config.js";
import { NodeCode } from "./errors.js";
import { ZkvmNode, type ZkvmNodeOptions } from "./node.js";
import { bootstrapFromSnapshot, makeSnapshot, verifySnapshot } from "./snapshot.js";
import type { SyncProgress } from "./sync.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkvm-sync-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Prints a measurement (timings for the report). */
function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string } | undefined)?.code;
}

async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return codeOf(e);
  }
  return undefined;
}

// ------------------------------------------------------------------ a certified test chain

const utxos = [1, 2, 3].map((k) => new Uint8Array(32).fill(k));
const tnet = new TestNet({ nodes: 3, threshold: 2, starsig: true, utxos });
tnet.start();
tnet.runToHeight(3n);
const tnode = tnet.nodes[0]!;
const tblock = tnode.blocks[1]!; // height 3
const tcert = tnode.certs[1]!;
const tgenesisId = tnet.genesis.tipId;
const tgenesis = { timestampMs: NET_T0, utxoIds: utxos };

function goodSnapshot(): Snapshot {
  return makeSnapshot(stateAfter(tblock), encodeBlock(tblock), encodeCertificate(tcert));
}

function snapshotCode(s: Snapshot): string | undefined {
  try {
    verifySnapshot(s, tnet.qset, tgenesisId);
  } catch (e) {
    return codeOf(e);
  }
  return undefined;
}

describe("announcement and snapshot codecs", () => {
  it("round-trip; must-fail: truncated or bad tags are NET_MESSAGE_INVALID", () => {
    const a = { header: encodeHeader(tblock.header), certificate: encodeCertificate(tcert) };
    const bytes = encodeBlockAnnouncement(a);
    expect(decodeBlockAnnouncement(bytes)).toEqual(a);
    expect(() => decodeBlockAnnouncement(bytes.subarray(0, bytes.length - 1))).toThrow(
      expect.objectContaining({ code: NetworkCode.MESSAGE_INVALID }),
    );
    const s = goodSnapshot();
    const sb = encodeSnapshotResponse(s);
    expect(decodeSnapshotResponse(sb)).toEqual(s);
    expect(decodeSnapshotResponse(encodeSnapshotResponse(null))).toBeNull();
    expect(() => decodeSnapshotResponse(sb.subarray(0, 10))).toThrow(
      expect.objectContaining({ code: NetworkCode.MESSAGE_INVALID }),
    );
    expect(decodeSnapshotRequest(encodeSnapshotRequest())).toBe(1);
    expect(() => decodeSnapshotRequest(Uint8Array.of(2))).toThrow(
      expect.objectContaining({ code: NetworkCode.MESSAGE_INVALID }),
    );
  });
});

describe("verifySnapshot", () => {
  it("accepts a certified snapshot; must-fail: tampered certificate, forest, tip, block", () => {
    const good = goodSnapshot();
    const v = verifySnapshot(good, tnet.qset, tgenesisId);
    expect(v.header.height).toBe(3n);
    expect(toHex(v.id)).toBe(toHex(tblock.id));

    // certificate: too few signers, a forged signature, none at all, garbage
    const weak = encodeCertificate({ ...tcert, envelopes: tcert.envelopes.slice(0, 1) });
    expect(snapshotCode({ ...good, certificate: weak })).toBe(NodeCode.SNAPSHOT_BAD_CERTIFICATE);
    const forged = encodeCertificate({
      ...tcert,
      envelopes: tcert.envelopes.map((e) => ({ ...e, signature: new Uint8Array(64).fill(9) })),
    });
    expect(snapshotCode({ ...good, certificate: forged })).toBe(NodeCode.SNAPSHOT_BAD_CERTIFICATE);
    expect(snapshotCode({ ...good, certificate: new Uint8Array(0) })).toBe(NodeCode.SNAPSHOT_BAD_CERTIFICATE);
    expect(snapshotCode({ ...good, certificate: Uint8Array.of(1, 2) })).toBe(
      NodeCode.SNAPSHOT_BAD_CERTIFICATE,
    );
    // a certificate of another block than the header
    const other = encodeCertificate(tnode.certs[0]!);
    expect(snapshotCode({ ...good, certificate: other })).toBe(NodeCode.SNAPSHOT_BAD_CERTIFICATE);

    // forest: one root byte flipped (the root no longer matches the certified utxoroot)
    const state = good.state.slice();
    state[state.length - 1]! ^= 1;
    expect(snapshotCode({ ...good, state })).toBe(NodeCode.SNAPSHOT_BAD_STATE);
    // the state of another block
    const older = makeSnapshot(stateAfter(tnode.blocks[0]!), good.block, good.certificate);
    expect(snapshotCode({ ...good, state: older.state })).toBe(NodeCode.SNAPSHOT_BAD_STATE);
    // block bytes of another block, or garbage
    expect(snapshotCode({ ...good, block: encodeBlock(tnode.blocks[0]!) })).toBe(NodeCode.SNAPSHOT_BAD_BLOCK);
    expect(snapshotCode({ ...good, block: Uint8Array.of(0) })).toBe(NodeCode.SNAPSHOT_BAD_BLOCK);
    expect(snapshotCode({ ...good, header: Uint8Array.of(0) })).toBe(NodeCode.SNAPSHOT_BAD_FORMAT);
  });
});

/** A node config over loopback. */
function config(dataDir: string, quorumSet: QuorumSetConfig, over: Partial<NodeConfig> = {}): NodeConfig {
  return {
    ...DEFAULT_CONFIG,
    dataDir,
    listenHost: "127.0.0.1",
    listenPort: 0,
    apiPort: 0,
    validator: true,
    quorumSet,
    emptyBlockIntervalMs: 250,
    msmBackend: "js",
    ...over,
  };
}

describe("bootstrapFromSnapshot refusals", () => {
  it("must-fail: a peer serving a tampered snapshot (NODE_SNAPSHOT_BAD_CERTIFICATE, _BAD_STATE)", async () => {
    const good = goodSnapshot();
    let serve: Snapshot = { ...good, certificate: encodeCertificate({ ...tcert, envelopes: [] }) };
    const server = new NetworkService({
      networkId: "zkvm-snap",
      privateKey: await generateKeyPair("Ed25519"),
      handlers: { [Protocol.SNAPSHOT]: async () => encodeSnapshotResponse(serve) },
    });
    await server.start();
    try {
      const cfg = (dir: string) =>
        config(dir, tnet.qset, {
          network: "zkvm-snap",
          validator: false,
          bootstrapPeers: server.addresses(),
        });
      const store = new MemoryChainStore();
      const go = (dir: string) =>
        bootstrapFromSnapshot({ config: cfg(dir), genesis: tgenesis, timeoutMs: 5000, store });
      expect(await rejectionCode(go(tempDir()))).toBe(NodeCode.SNAPSHOT_BAD_CERTIFICATE);
      const state = good.state.slice();
      state[state.length - 1]! ^= 1;
      serve = { ...good, state };
      expect(await rejectionCode(go(tempDir()))).toBe(NodeCode.SNAPSHOT_BAD_STATE);
      expect(await store.tip()).toBeUndefined();
      // the honest snapshot goes in as the store's base
      serve = good;
      const r = await go(tempDir());
      expect(r.height).toBe(3n);
      expect(await store.baseHeight()).toBe(3);
      // must-fail: the store is not empty any more; no quorum set
      expect(await rejectionCode(go(tempDir()))).toBe(NodeCode.SNAPSHOT_STORE_NOT_EMPTY);
      const noQ = { ...cfg(tempDir()), quorumSet: undefined };
      expect(await rejectionCode(bootstrapFromSnapshot({ config: noQ, genesis: tgenesis }))).toBe(
        NodeCode.SNAPSHOT_NO_QUORUM_SET,
      );
      // must-fail: no peer at all
      const lonely = { ...cfg(tempDir()), bootstrapPeers: [] };
      expect(
        await rejectionCode(bootstrapFromSnapshot({ config: lonely, genesis: tgenesis, timeoutMs: 200 })),
      ).toBe(NodeCode.SNAPSHOT_UNAVAILABLE);
    } finally {
      await server.stop();
    }
  }, 20_000);
});

// ------------------------------------------------------------------ a live network

const rng = seededRng("sync network test");
const T0 = 1_700_000_000_000n;
// a genesis utxo owned by alice, spent by a tx while one validator is down (so syncing nodes
// validate a block with a real tx)
const alice = randomScalar(rng);
const alicePub = publicKey(alice);
const utxo = makeUtxo(new Uint8Array(32).fill(7), alicePub, {
  qty: 100n,
  flavor: 0n,
  qtyBlinding: randomScalar(rng),
  flvBlinding: randomScalar(rng),
});
const genesis = { timestampMs: T0, utxoIds: [utxo.contract.id()] };

function spendTx(): Uint8Array {
  const proof = makeGenesis(T0, genesis.utxoIds).proofs[0]!;
  const b = new TxBuilder({ rng });
  b.spend(utxo, alice).fee(3);
  b.cloakTo([{ qty: 97n, flavor: 0n, predicate: alicePub }]);
  return encodeBlockTx(makeBlockTx(encodeTx(b.build().tx), [proof]));
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

const height = (n: ZkvmNode) => n.state.tip.height;

async function sameIds(nodes: readonly ZkvmNode[], upTo: number, from = 2): Promise<void> {
  for (const n of nodes) await n.flush();
  for (let h = from; h <= upTo; h++) {
    const ids = await Promise.all(nodes.map((n) => n.store.getBlockId(h)));
    for (const id of ids) expect(id === undefined ? "missing" : toHex(id)).toBe(toHex(ids[0]!));
  }
}

describe("catch-up sync, tip following and snapshot bootstrap over loopback libp2p", () => {
  it("a restarted validator catches up and rejoins; a watcher syncs and follows; a snapshot node follows", async () => {
    const secrets = [randomScalar(rng), randomScalar(rng), randomScalar(rng)];
    const ids = secrets.map((s) => publicKey(s).bytes.slice());
    const quorumSet: QuorumSetConfig = { threshold: 2, validators: ids, innerSets: [] };
    const live: ZkvmNode[] = [];
    const base = (over: Partial<ZkvmNodeOptions> & { config: NodeConfig }): ZkvmNodeOptions => ({
      genesis,
      nodeSecret: secrets[0]!,
      network: { heartbeatIntervalMs: 100, bootstrapDelayMs: 10 },
      sync: { intervalMs: 1000, initialWaitMs: 3000, lagGraceMs: 300 },
      ...over,
    });
    const launch = async (o: ZkvmNodeOptions): Promise<ZkvmNode> => {
      const n = await ZkvmNode.create(o);
      live.push(n);
      await n.start();
      return n;
    };
    const addrs = (...ns: ZkvmNode[]) => ns.flatMap((n) => n.network?.addresses() ?? []);
    try {
      const v0 = await launch(base({ config: config(tempDir(), quorumSet), store: new MemoryChainStore() }));
      const v1 = await launch(
        base({
          config: config(tempDir(), quorumSet, { bootstrapPeers: addrs(v0) }),
          nodeSecret: secrets[1]!,
          store: new MemoryChainStore(),
        }),
      );
      const dir2 = tempDir();
      const cfg2 = config(dir2, quorumSet, { bootstrapPeers: addrs(v0, v1) });
      let v2 = await launch(base({ config: cfg2, nodeSecret: secrets[2]! }));
      await waitFor(() => [v0, v1, v2].every((n) => height(n) >= 3n), 15_000, "3 validators at height 3");

      // stop one validator; the other two (threshold 2) go on
      await v2.stop();
      const stoppedAt = height(v2);
      const sub = v0.submitTx(spendTx());
      expect(sub.accepted).toBe(true);
      const txid = sub.txid ?? new Uint8Array(32);
      await waitFor(() => height(v0) >= stoppedAt + 6n, 15_000, "two validators go on");
      await v0.flush();
      const txAt = await v0.store.getTxLocation(txid);
      expect(txAt).toBeDefined();

      // (c) a watcher joins later, syncs every block with its certificate, then follows the tip
      const progress: SyncProgress[] = [];
      const w = await launch(
        base({
          config: config(tempDir(), quorumSet, { validator: false, bootstrapPeers: addrs(v0) }),
          store: new MemoryChainStore(),
          onSyncProgress: (p) => progress.push(p),
        }),
      );
      expect(w.herder).toBeUndefined();
      const first = w.syncStatus.last;
      expect(first?.applied).toBeGreaterThanOrEqual(6);
      expect(first?.failures).toEqual([]);
      expect(progress.some((p) => p.done)).toBe(true);
      const heights = progress.filter((p) => !p.done).map((p) => p.height);
      expect(heights).toEqual([...heights].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      report(
        `[sync] watcher initial sync: ${first?.applied} blocks in ${first?.elapsedMs.toFixed(0)} ms ` +
          `= ${first?.blocksPerSecond.toFixed(0)} blocks/s`,
      );
      const follow = height(v0) + 3n;
      await waitFor(() => height(w) >= follow, 15_000, "watcher follows the tip");
      const status = (await (await fetch(`${w.apiUrl}/status`)).json()) as Record<string, unknown>;
      expect(status["validator"]).toBe(false);
      expect(typeof status["syncing"]).toBe("boolean");
      expect(await w.store.getCertificate(Number(follow))).toBeDefined();
      expect((await w.store.getTxLocation(txid))?.height).toBe(txAt?.height);

      // announcements: an old one is ignored; a bad certificate or garbage is rejected
      await v0.flush();
      const hOld = Number(height(w)) - 1;
      const header = (await v0.store.getHeaderByHeight(hOld))!;
      const certificate = (await v0.store.getCertificate(hOld))!;
      expect(w.receiveBlockAnnouncement(encodeBlockAnnouncement({ header, certificate }))).toBe("ignore");
      const ahead = encodeHeader({ ...decodeHeader(header), height: height(w) + 100n });
      expect(w.receiveBlockAnnouncement(encodeBlockAnnouncement({ header: ahead, certificate }))).toBe(
        "reject",
      );
      expect(w.receiveBlockAnnouncement(Uint8Array.of(1, 2, 3))).toBe("reject");
      const metrics = await (await fetch(`${w.apiUrl}/metrics`)).text();
      // announcements arrived over gossip and were accepted (the block topic's validator is wired)
      const line = (result: string) =>
        new RegExp(
          `zkvm_gossip_messages_total\\{(?=[^}]*topic="block")(?=[^}]*result="${result}")[^}]*\\} [1-9]`,
        );
      expect(metrics).toMatch(line("accept"));
      expect(metrics).toMatch(line("reject"));

      // (b) the stopped validator is re-created on its data folder: it catches up before voting
      const before = height(v0);
      v2 = await launch(base({ config: cfg2, nodeSecret: secrets[2]! }));
      expect(v2.syncStatus.last?.applied).toBeGreaterThan(0);
      expect(height(v2)).toBeGreaterThanOrEqual(before);
      report(
        `[sync] restarted validator caught up ${v2.syncStatus.last?.applied} blocks in ` +
          `${v2.syncStatus.last?.elapsedMs.toFixed(0)} ms = ${v2.syncStatus.last?.blocksPerSecond.toFixed(0)} blocks/s`,
      );
      // it rejoins: with v1 stopped, v0 and v2 (threshold 2) still finalize blocks
      await v1.stop();
      const h1 = height(v0);
      await waitFor(() => height(v0) >= h1 + 3n && height(v2) >= h1 + 3n, 20_000, "v0 + v2 finalize");
      await waitFor(() => height(w) >= h1 + 3n, 10_000, "watcher follows");
      await sameIds([v0, v2, w], Number(h1 + 3n));
      expect((await v2.store.getTxLocation(txid))?.height).toBe(txAt?.height);

      // (d) snapshot bootstrap onto a fresh data folder, then a node started on it follows the tip
      const dirS = tempDir();
      const cfgS = config(dirS, quorumSet, { validator: false, bootstrapPeers: addrs(v0, v2) });
      const boot = await bootstrapFromSnapshot({ config: cfgS, genesis, timeoutMs: 10_000 });
      report(`[snapshot] bootstrapFromSnapshot: height ${boot.height} in ${boot.elapsedMs.toFixed(0)} ms`);
      expect(boot.height).toBeGreaterThanOrEqual(h1 + 3n);
      const s = await launch(base({ config: cfgS }));
      expect(await s.store.baseHeight()).toBe(Number(boot.height));
      expect(height(s)).toBeGreaterThanOrEqual(boot.height);
      const target = height(v0) + 2n;
      await waitFor(() => height(s) >= target, 15_000, "snapshot node follows");
      await sameIds([v0, s], Number(target), Number(boot.height));
      await s.stop();
      // must-fail: the data folder is not empty now; another genesis refuses the snapshot store
      expect(await rejectionCode(bootstrapFromSnapshot({ config: cfgS, genesis, timeoutMs: 2000 }))).toBe(
        NodeCode.SNAPSHOT_STORE_NOT_EMPTY,
      );
      const otherGenesis = { timestampMs: T0, utxoIds: [] };
      expect(await rejectionCode(ZkvmNode.create(base({ config: cfgS, genesis: otherGenesis })))).toBe(
        NodeCode.STORE_MISMATCH,
      );
    } finally {
      for (const n of live.reverse()) await n.stop();
    }
  }, 90_000);
});

it("hasCode sanity", () => {
  expect(hasCode(undefined, NodeCode.SYNC_BAD_CERTIFICATE)).toBe(false);
});
