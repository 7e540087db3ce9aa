/**
 * LightClient against a LightRelay serving a real certified chain (a 4-validator herder test net with
 * Starsig envelopes; block 2 holds a real tx): in process (headers, forest, proofs, submit, watch, and
 * must-fail twins for each check), then over libp2p on loopback (headers with certificate
 * verification; a tampered certificate is refused with the exact code).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCertificate, encodeCertificate, HerderCode } from "../../consensus/herder/index.js";
import { T0, TestNet } from "../../consensus/herder/testNet.js";
import { FIX_UTXOS, fixtureTxs } from "../../consensus/herder/txFixtures.js";
import {
  loadOrCreateIdentity,
  NetworkCode,
  NetworkError,
  NetworkService,
  Protocol,
} from "../../network/index.js";
import {
  type BlockchainState,
  type BlockHeader,
  encodeBlock,
  encodeHeader,
  encodeState,
  makeGenesis,
  restoreState,
  stateAfter,
  utxoLeaf,
} from "../chain/index.js";
import {
  connectLightClient,
  LightClient,
  LightCode,
  type LightTransport,
  type LightTrust,
} from "../light/index.js";
import { MemoryChainStore } from "../storage/index.js";
import { CodedError, hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import type { Proof } from "../utreexo/index.js";
import { LightRelay } from "./relay.js";

// A certified chain: genesis (height 1) and blocks 2..4; tx A (spends FIX_UTXOS[0]) in the first block.
const { A } = fixtureTxs();
const net = new TestNet({ starsig: true, utxos: FIX_UTXOS });
const txRng = seededRng("light client test");
for (const n of net.nodes) n.mempool.add(A, T0, txRng);
net.start();
if (!net.runToHeight(4n)) throw new Error("test net did not reach height 4");
const n0 = net.nodes[0]!;
const blocks = n0.blocks.slice(0, 3);
const certs = n0.certs.slice(0, 3).map(encodeCertificate);
const genesis = makeGenesis(T0, FIX_UTXOS);
const blockWithA = blocks.find((b) => b.txs.length === 1)!;

const store = new MemoryChainStore();
await store.commitBlock({
  height: 1,
  id: genesis.state.tipId,
  header: encodeHeader(genesis.state.tip),
  block: encodeBlock({ header: genesis.state.tip, txs: [] }),
  utreexoState: encodeState(genesis.state),
  txIndex: [],
});
for (const [i, b] of blocks.entries())
  await store.commitBlock({
    height: Number(b.header.height),
    id: b.id,
    header: encodeHeader(b.header),
    block: encodeBlock(b),
    certificate: certs[i]!,
    utreexoState: encodeState(stateAfter(b)),
    txIndex: b.verifiedTxs.map((r, position) => ({ txid: r.txid, position })),
  });

/** Block 3's certificate with one signature bit flipped. */
function tamperedCert(): Uint8Array {
  const c = decodeCertificate(certs[1]!);
  const env = c.envelopes[0]!;
  const signature = env.signature.slice();
  signature[0] = signature[0]! ^ 1;
  return encodeCertificate({ ...c, envelopes: [{ ...env, signature }, ...c.envelopes.slice(1)] });
}
const tamperedStore = {
  getHeaders: (from: number, count: number) => store.getHeaders(from, count),
  getCertificate: async (h: number) => (h === 3 ? tamperedCert() : store.getCertificate(h)),
};

const trust: LightTrust = { anchor: { height: 1n, id: genesis.state.tipId }, quorumSet: net.qset };
const tip: BlockchainState = stateAfter(blocks[2]!);

function submitStub(tx: Uint8Array) {
  return tx.length === 1 ? { accepted: false, error: "MEMPOOL_TX_INVALID" } : { accepted: true };
}

/** A transport calling the relay in process, with errors as reqresp.ts delivers them. */
function inProcess(relay: { handle(b: Uint8Array): Promise<Uint8Array> }): LightTransport {
  return async (req) => {
    try {
      return await relay.handle(req);
    } catch (e) {
      if (e instanceof CodedError)
        throw new NetworkError(NetworkCode.REMOTE_ERROR, { protocol: "light", remoteCode: e.code });
      throw e;
    }
  };
}

async function failure(p: Promise<unknown>): Promise<CodedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error("expected a coded error");
}

function relayOn(state: () => BlockchainState, s: typeof tamperedStore = store): LightRelay {
  return new LightRelay({ store: s, state, submitTx: submitStub, limits: { watchTimeoutMs: 40 } });
}

describe("LightClient in process", () => {
  const relay = relayOn(() => tip);
  const client = new LightClient(inProcess(relay), trust);

  it("verifies headers from the anchor (certificates, chaining) and syncs to the tip", async () => {
    const hs = await client.headers(1n, 2);
    expect(hs.map((h) => h.height)).toEqual([1n, 2n]);
    expect(hs[1]!.id).toEqual(blocks[0]!.id);
    const t = await client.sync();
    expect(t?.height).toBe(4n);
    expect(t?.id).toEqual(blocks[2]!.id);
    expect(await client.headers(5n)).toEqual([]);
  });

  it("must-fail: tampered certificate, wrong quorum set, wrong anchor, broken chaining", async () => {
    const bad = new LightClient(inProcess(relayOn(() => tip, tamperedStore)), trust);
    const e = await failure(bad.headers(2n));
    expect(e.code).toBe(LightCode.BAD_CERTIFICATE);
    expect(e.meta.reason).toBe(HerderCode.CERT_BAD_SIGNATURE);
    expect(e.meta.height).toBe(3n);
    expect(bad.tip).toBeUndefined();
    const strangers = { threshold: 1, validators: [new Uint8Array(32).fill(9)], innerSets: [] };
    const other = new LightClient(inProcess(relay), { ...trust, quorumSet: strangers });
    const q = await failure(other.headers(2n, 1));
    expect([q.code, q.meta.reason]).toEqual([LightCode.BAD_CERTIFICATE, HerderCode.CERT_NO_QUORUM]);
    const wrongAnchor = new LightClient(inProcess(relay), {
      ...trust,
      anchor: { height: 1n, id: blocks[0]!.id },
    });
    const a = await failure(wrongAnchor.headers(1n));
    expect([a.code, a.meta.reason]).toEqual([LightCode.BAD_HEADER, "anchor"]);
    const forged: BlockHeader = { ...blocks[1]!.header, prev: new Uint8Array(32) };
    const broken = {
      ...store,
      getHeaders: async (from: number, count: number) => {
        const hs = await store.getHeaders(from, count);
        return hs.map((h, i) => (from + i === 3 ? encodeHeader(forged) : h));
      },
      getCertificate: (h: number) => store.getCertificate(h),
    };
    const c = await failure(new LightClient(inProcess(relayOn(() => tip, broken)), trust).headers(1n));
    expect([c.code, c.meta.reason]).toEqual([LightCode.BAD_HEADER, "prev"]);
    const skipping = {
      getHeaders: async (from: number, count: number) =>
        (await store.getHeaders(from, count)).filter((_, i) => i !== 1),
      getCertificate: (h: number) => store.getCertificate(h),
    };
    const s = await failure(new LightClient(inProcess(relayOn(() => tip, skipping)), trust).headers(1n));
    expect([s.code, s.meta.reason]).toEqual([LightCode.BAD_HEADER, "height"]);
  });

  it("checks the forest against the certified header; refreshes and verifies proofs", async () => {
    const f = await client.forest();
    expect(f.height).toBe(4n);
    expect(f.forest.root()).toEqual(blocks[2]!.header.utxoroot);
    let expected: Proof = genesis.proofs[1]!;
    for (const b of blocks) expected = b.catchup.update(utxoLeaf(FIX_UTXOS[1]!), expected);
    // The relay started at the tip: only a proof against the tip forest can be refreshed (as is).
    const r = await client.refreshProof(FIX_UTXOS[1]!, expected);
    expect(r).toEqual({ height: 4n, proof: expected, verified: true });
    expect(await client.refreshProof(FIX_UTXOS[1]!, genesis.proofs[1]!)).toBeUndefined();
  });

  it("must-fail: a forest that is not the certified tip's, or does not match its header", async () => {
    const moved = restoreState({ ...tip.tip, timestampMs: tip.tip.timestampMs + 1n }, tip.forest);
    const c1 = new LightClient(inProcess(relayOn(() => moved)), trust);
    const e1 = await failure(c1.forest());
    expect([e1.code, e1.meta.reason]).toEqual([LightCode.BAD_FOREST, "header"]);
    const mixed = restoreState(tip.tip, genesis.state.forest);
    const e2 = await failure(new LightClient(inProcess(relayOn(() => mixed)), trust).forest());
    expect([e2.code, e2.meta.reason]).toEqual([LightCode.BAD_FOREST, "utxoroot"]);
  });

  it("submits: accepted, and rejected with the relay's reason", async () => {
    expect(await client.submit(Uint8Array.of(1, 2))).toEqual({ accepted: true });
    expect(await client.submit(Uint8Array.of(1))).toEqual({ accepted: false, reason: "MEMPOOL_TX_INVALID" });
  });

  it("watches: an event when a block spends the contract; a timeout otherwise", async () => {
    let cur: BlockchainState = genesis.state;
    const live = relayOn(() => cur);
    const c = new LightClient(inProcess(live), trust);
    const spent = c.watch(FIX_UTXOS[0]!, 5000);
    await new Promise((r) => setTimeout(r, 5));
    for (const b of blocks) {
      cur = stateAfter(b);
      live.onBlock(b);
    }
    expect(await spent).toEqual({
      kind: "event",
      event: "spent",
      height: blockWithA.header.height,
      txId: blockWithA.verifiedTxs[0]!.txid,
    });
    // The relay's own wait (40 ms) ends twice before the client's does.
    const t0 = Date.now();
    expect(await c.watch(new Uint8Array(32).fill(7), 100)).toEqual({ kind: "timeout" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    live.close();
  });

  it("must-fail: a relay's coded error reaches the client as LIGHT_REMOTE_ERROR", async () => {
    const r = await failure(client.refreshProof(FIX_UTXOS[1]!, Uint8Array.of(9)));
    expect([r.code, r.meta.remoteCode]).toEqual([LightCode.REMOTE_ERROR, "RELAY_BAD_PROOF"]);
  });
});

describe("LightClient over libp2p (loopback)", () => {
  let dir: string;
  const hosts: NetworkService[] = [];
  const clients: LightClient[] = [];
  let good: NetworkService;
  let bad: NetworkService;

  async function serve(name: string, relay: LightRelay): Promise<NetworkService> {
    const s = new NetworkService({
      networkId: "lighttest",
      privateKey: await loadOrCreateIdentity(join(dir, `${name}.key`)),
      handlers: { [Protocol.LIGHT]: (req) => relay.handle(req) },
    });
    hosts.push(s);
    await s.start();
    return s;
  }

  async function connect(server: NetworkService, name: string): Promise<LightClient> {
    const c = await connectLightClient({
      networkId: "lighttest",
      relay: server.addresses()[0]!,
      privateKey: await loadOrCreateIdentity(join(dir, `${name}.key`)),
      trust,
      connectTimeoutMs: 5000,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "zkvm-light-"));
    good = await serve(
      "good",
      relayOn(() => tip),
    );
    bad = await serve(
      "bad",
      relayOn(() => tip, tamperedStore),
    );
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const h of hosts.reverse()) await h.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("fetches and verifies headers and the forest from a relay", async () => {
    const c = await connect(good, "client-a");
    const hs = await c.headers(1n);
    expect(hs.map((h) => h.height)).toEqual([1n, 2n, 3n, 4n]);
    expect(hs.map((h) => h.id)).toEqual([genesis.state.tipId, ...blocks.map((b) => b.id)]);
    expect((await c.forest()).header.id).toEqual(blocks[2]!.id);
    expect(await c.watch(new Uint8Array(32).fill(5), 60)).toEqual({ kind: "timeout" });
  });

  it("must-fail: a tampered certificate is refused with LIGHT_BAD_CERTIFICATE", async () => {
    const c = await connect(bad, "client-b");
    const e = await failure(c.headers(1n));
    expect(hasCode(e, LightCode.BAD_CERTIFICATE)).toBe(true);
    expect(e.meta.reason).toBe(HerderCode.CERT_BAD_SIGNATURE);
    expect(c.tip).toBeUndefined();
  });

  it("must-fail: an address without a peer id", async () => {
    const e = await failure(
      connectLightClient({
        networkId: "lighttest",
        relay: "/ip4/127.0.0.1/tcp/1",
        privateKey: await loadOrCreateIdentity(join(dir, "client-c.key")),
        trust,
      }),
    );
    expect(e.code).toBe(LightCode.CONNECT_FAILED);
  });
});
