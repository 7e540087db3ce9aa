/**
 * LightRelay and ProofIndex on real blocks (a wallet's payments mined through a mempool template and
 * validated): headers paging and caps, forest, proof refresh equal to the wallet's own refreshed
 * proofs (index and catchup paths), submit verdicts with exact codes, watches (spend, create,
 * timeout, limits, close), index eviction, malformed requests.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeLightResponse,
  encodeLightRequest,
  type LightRequest,
  type LightResponse,
  NetworkCode,
} from "../../network/index.js";
import {
  type BlockchainState,
  type BlockTx,
  ChainCode,
  decodeBlockTx,
  decodeState,
  encodeBlock,
  encodeBlockTx,
  encodeHeader,
  encodeState,
  Mempool,
  makeGenesis,
  stateAfter,
  utxoLeaf,
  type VerifiedBlock,
  validateBlock,
} from "../chain/index.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { MemoryChainStore } from "../storage/index.js";
import { bytesEqual, toHex, utf8 } from "../util/bytes.js";
import { CodedError, hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { Forest, type Proof, proofFromBytes, proofToBytes, TRANSIENT } from "../utreexo/index.js";
import { KeyManager } from "../wallet/keys.js";
import { Xprv } from "../wallet/keytree.js";
import { Wallet } from "../wallet/wallet.js";
import { makeUtxo, type OwnedUtxo } from "../zkvm/builder.js";
import { LightRelay, ProofIndex, RelayCode, type RelayLimits } from "./relay.js";

const rng = seededRng("relay test");
const T0 = 1_700_000_000_000n;

function open(qty: bigint) {
  return { qty, flavor: 0n, qtyBlinding: randomScalar(rng), flvBlinding: randomScalar(rng) };
}

function mine(state: BlockchainState, txs: readonly BlockTx[], t: bigint): VerifiedBlock {
  const m = new Mempool(state);
  for (const tx of txs) m.add(tx, t, rng);
  const vb = m.template(t);
  expect(vb.verifiedTxs.length).toBe(txs.length);
  return validateBlock(state, vb, { rng, preverified: (b) => m.verifiedFor(b) });
}

// Genesis: three utxos for alice, one for a stranger. Blocks 2 and 3 hold a payment each, 4 and 5 are empty.
const aliceKm = KeyManager.fromRoot(Xprv.fromSeed(utf8("relay tests: alice")));
const keys = [0, 1, 2].map(() => aliceKm.nextReceivingKey().predicate);
const G: OwnedUtxo[] = [
  makeUtxo(new Uint8Array(32).fill(1), keys[0]!, open(100n)),
  makeUtxo(new Uint8Array(32).fill(2), keys[1]!, open(50n)),
  makeUtxo(new Uint8Array(32).fill(3), keys[2]!, open(30n)),
  makeUtxo(new Uint8Array(32).fill(4), publicKey(randomScalar(rng)), open(77n)),
];
const genesis = makeGenesis(
  T0,
  G.map((u) => u.contract.id()),
);
const alice = new Wallet(aliceKm, { tip: genesis.state.tipId });
for (let i = 0; i < 3; i++) alice.receive(G[i]!, genesis.proofs[i]!);
const bob = new Wallet(KeyManager.fromRoot(Xprv.fromSeed(utf8("relay tests: bob")))).receivingKey();

const pay2 = alice.pay({ to: bob, qty: 60n, fee: 5 }, rng);
const b2 = mine(genesis.state, [pay2.btx], T0 + 1000n);
alice.applyBlock(b2);
/** Alice's proofs right after block 2 (stale later). */
const after2 = new Map(alice.utxos().map((u) => [toHex(u.id), u.proof]));
const pay3 = alice.pay({ to: bob, qty: 20n, fee: 1 }, rng);
const b3 = mine(stateAfter(b2), [pay3.btx], T0 + 2000n);
alice.applyBlock(b3);
const b4 = mine(stateAfter(b3), [], T0 + 3000n);
alice.applyBlock(b4);
const b5 = mine(stateAfter(b4), [], T0 + 4000n);
alice.applyBlock(b5);
const BLOCKS = [b2, b3, b4, b5];
/** A tx on the tip (not mined): submitted in the tests. */
const pay6 = alice.pay({ to: bob, qty: 5n, fee: 1 }, rng);

/** The stranger's genesis proof, refreshed by hand through every block. */
let strangerProof: Proof = genesis.proofs[3]!;
for (const b of BLOCKS) strangerProof = b.catchup.update(utxoLeafOf(G[3]!), strangerProof);

function utxoLeafOf(u: OwnedUtxo): Uint8Array {
  return utxoLeaf(u.contract.id());
}

const store = new MemoryChainStore();
const certOf = (h: number) => Uint8Array.of(0xce, h);
await store.commitBlock({
  height: 1,
  id: genesis.state.tipId,
  header: encodeHeader(genesis.state.tip),
  block: encodeBlock({ header: genesis.state.tip, txs: [] }),
  utreexoState: encodeState(genesis.state),
  txIndex: [],
});
for (const b of BLOCKS)
  await store.commitBlock({
    height: Number(b.header.height),
    id: b.id,
    header: encodeHeader(b.header),
    block: encodeBlock(b),
    certificate: certOf(Number(b.header.height)),
    utreexoState: encodeState(stateAfter(b)),
    txIndex: b.verifiedTxs.map((r, position) => ({ txid: r.txid, position })),
  });

/** A relay at genesis with a submit path like the node's, and a way to feed it blocks. */
function relayAt(limits: Partial<RelayLimits> = {}) {
  let cur = genesis.state;
  let pool = new Mempool(cur);
  const relay = new LightRelay({
    store,
    state: () => cur,
    submitTx: (bytes) => {
      try {
        pool.add(decodeBlockTx(bytes), T0 + 10_000n, rng);
        return { accepted: true };
      } catch (e) {
        if (!(e instanceof CodedError)) throw e;
        return { accepted: false, error: e.code };
      }
    },
    limits,
  });
  const feed = (...blocks: VerifiedBlock[]) => {
    for (const b of blocks) {
      cur = stateAfter(b);
      pool = new Mempool(cur);
      relay.onBlock(b);
    }
  };
  return { relay, feed };
}

async function ask(relay: LightRelay, req: LightRequest): Promise<LightResponse> {
  return decodeLightResponse(await relay.handle(encodeLightRequest(req)));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CodedError) return e.code;
    throw e;
  }
  throw new Error("expected a coded error");
}

describe("LightRelay: headers and forest", () => {
  it("pages headers with certificates (genesis has none); stops at the tip", async () => {
    const { relay } = relayAt();
    const r1 = await ask(relay, { kind: "headers", from: 1n, maxCount: 2 });
    if (r1.kind !== "headers") throw new Error("kind");
    expect(r1.headers.map((h) => h.header)).toEqual([
      encodeHeader(genesis.state.tip),
      encodeHeader(b2.header),
    ]);
    expect(r1.headers.map((h) => h.certificate)).toEqual([new Uint8Array(0), certOf(2)]);
    const r2 = await ask(relay, { kind: "headers", from: 3n, maxCount: 100 });
    if (r2.kind !== "headers") throw new Error("kind");
    expect(r2.headers.map((h) => h.certificate)).toEqual([certOf(3), certOf(4), certOf(5)]);
    expect(await ask(relay, { kind: "headers", from: 6n, maxCount: 5 })).toEqual({
      kind: "headers",
      headers: [],
    });
    const far = await ask(relay, { kind: "headers", from: (1n << 64n) - 1n, maxCount: 1024 });
    expect(far).toEqual({ kind: "headers", headers: [] });
  });

  it("caps the count and the bytes of a headers response", async () => {
    const byCount = relayAt({ maxHeaders: 2 }).relay;
    const a = await ask(byCount, { kind: "headers", from: 1n, maxCount: 1024 });
    expect(a.kind === "headers" && a.headers.length).toBe(2);
    const oneHeader = encodeHeader(b2.header).length + 2 + 8;
    const byBytes = relayAt({ maxHeadersBytes: 2 * oneHeader }).relay;
    const b = await ask(byBytes, { kind: "headers", from: 2n, maxCount: 10 });
    expect(b.kind === "headers" && b.headers.length).toBe(2);
    expect(() => relayAt({ maxHeaders: 0 })).toThrow(RangeError);
  });

  it("serves the tip state and its height", async () => {
    const { relay, feed } = relayAt();
    feed(...BLOCKS);
    const r = await ask(relay, { kind: "forest" });
    if (r.kind !== "forest") throw new Error("kind");
    expect(r.height).toBe(5n);
    const s = decodeState(r.forest);
    expect(s.tipId).toEqual(b5.id);
    expect(s.forest.root()).toEqual(b5.header.utxoroot);
  });
});

describe("LightRelay: proofs", () => {
  const { relay, feed } = relayAt();
  feed(...BLOCKS);
  const refresh = async (id: Uint8Array, proof: Proof) => {
    const r = await ask(relay, { kind: "proof", utxoId: id, proof: proofToBytes(proof) });
    if (r.kind !== "proof") throw new Error("kind");
    return r;
  };

  it("refreshes stale proofs to the wallet's own refreshed proofs (catchup and index paths)", async () => {
    let fromGenesis = 0;
    let fromIndex = 0;
    for (const u of alice.utxos().filter((x) => x.status === "confirmed")) {
      const g = G.findIndex((x) => bytesEqual(x.contract.id(), u.id));
      const stale = g >= 0 ? genesis.proofs[g]! : after2.get(toHex(u.id));
      if (g >= 0) fromGenesis++;
      else fromIndex++;
      if (stale === undefined) {
        // created after block 2: only the index knows it
        expect(relay.utxoProof(u.id)?.proof).toEqual(proofToBytes(u.proof));
        continue;
      }
      const r = await refresh(u.id, stale);
      expect(r).toEqual({ kind: "proof", found: true, height: 5n, proof: proofToBytes(u.proof) });
    }
    expect(fromGenesis).toBeGreaterThanOrEqual(1);
    expect(fromIndex).toBeGreaterThanOrEqual(1);
    // A utxo nobody here tracks, older than the relay's index: refreshed through the catchups.
    const s = await refresh(G[3]!.contract.id(), genesis.proofs[3]!);
    expect(s.found && proofFromBytes(s.proof)).toEqual(strangerProof);
  });

  it("the index holds the outputs of the blocks it saw, not the older utxos", () => {
    for (const u of alice
      .utxos()
      .filter((x) => x.status === "confirmed" && !G.some((g) => bytesEqual(g.contract.id(), x.id)))) {
      expect(relay.utxoProof(u.id)).toEqual({ contractId: u.id, proof: proofToBytes(u.proof), height: 5n });
    }
    expect(relay.utxoProof(G[3]!.contract.id())).toBeUndefined();
    expect(relay.index.height).toBe(5n);
  });

  it("must-fail: spent utxos, foreign paths and too old proofs are not found; bad bytes are coded", async () => {
    // G[0] was spent in block 2.
    expect(await refresh(G[0]!.contract.id(), genesis.proofs[0]!)).toEqual({ kind: "proof", found: false });
    // A proof of another utxo.
    expect(await refresh(G[0]!.contract.id(), genesis.proofs[3]!)).toEqual({ kind: "proof", found: false });
    const short = relayAt({ recentBlocks: 2 });
    short.feed(...BLOCKS);
    expect(short.relay.recentHeights).toEqual([4n, 5n]);
    const r = await ask(short.relay, {
      kind: "proof",
      utxoId: G[3]!.contract.id(),
      proof: proofToBytes(genesis.proofs[3]!),
    });
    expect(r).toEqual({ kind: "proof", found: false });
    expect(
      await codeOf(
        relay.handle(
          encodeLightRequest({ kind: "proof", utxoId: G[3]!.contract.id(), proof: Uint8Array.of(7) }),
        ),
      ),
    ).toBe(RelayCode.BAD_PROOF);
  });
});

describe("LightRelay: submit", () => {
  it("accepts a valid tx; rejects a duplicate and a spent input with the node's exact code", async () => {
    const { relay, feed } = relayAt();
    feed(...BLOCKS);
    const tx = encodeBlockTx(pay6.btx);
    expect(await ask(relay, { kind: "submit", tx })).toEqual({ kind: "submit", accepted: true });
    expect(await ask(relay, { kind: "submit", tx })).toEqual({
      kind: "submit",
      accepted: false,
      reason: ChainCode.MEMPOOL_DUPLICATE,
    });
    expect(await ask(relay, { kind: "submit", tx: encodeBlockTx(pay2.btx) })).toEqual({
      kind: "submit",
      accepted: false,
      reason: ChainCode.MEMPOOL_TX_INVALID,
    });
    expect(await ask(relay, { kind: "submit", tx: Uint8Array.of(1, 2, 3) })).toEqual({
      kind: "submit",
      accepted: false,
      reason: ChainCode.BLOCK_INVALID_FORMAT,
    });
  });
});

describe("LightRelay: watch", () => {
  const spentIn3 = pay3.inputs[0]!.contract.id();
  const createdIn3 = pay3.payment.contract.id();

  it("resolves when a block spends or creates the contract", async () => {
    const { relay, feed } = relayAt();
    feed(b2);
    const spent = ask(relay, { kind: "watch", contractId: spentIn3 });
    const created = ask(relay, { kind: "watch", contractId: createdIn3 });
    expect(relay.pendingWatches).toBe(2);
    feed(b3);
    const txId = b3.verifiedTxs[0]!.txid;
    expect(await spent).toEqual({ kind: "watch", contractId: spentIn3, event: "spent", height: 3n, txId });
    expect(await created).toEqual({
      kind: "watch",
      contractId: createdIn3,
      event: "created",
      height: 3n,
      txId,
    });
    expect(relay.pendingWatches).toBe(0);
  });

  it("must-fail: times out when nothing happens; too many watches; closed", async () => {
    const { relay, feed } = relayAt({ watchTimeoutMs: 30, maxWatches: 1 });
    const w = relay.handle(encodeLightRequest({ kind: "watch", contractId: createdIn3 }));
    const second = relay.handle(encodeLightRequest({ kind: "watch", contractId: spentIn3 }));
    expect(await codeOf(second)).toBe(RelayCode.TOO_MANY_WATCHES);
    feed(b2); // does not touch the contract
    expect(await codeOf(w)).toBe(RelayCode.WATCH_TIMEOUT);
    expect(relay.pendingWatches).toBe(0);
    const late = relay.handle(encodeLightRequest({ kind: "watch", contractId: spentIn3 }));
    relay.close();
    expect(await codeOf(late)).toBe(RelayCode.CLOSED);
    expect(await codeOf(relay.handle(encodeLightRequest({ kind: "watch", contractId: spentIn3 })))).toBe(
      RelayCode.CLOSED,
    );
  });
});

describe("ProofIndex", () => {
  it("evicts the oldest entries beyond its bound", () => {
    const idx = new ProofIndex(2);
    idx.applyBlock(b2);
    const out2 = b2.verifiedTxs[0]!.txlog.flatMap((e) => (e.type === "output" ? [e.contract.id()] : []));
    const out3 = b3.verifiedTxs[0]!.txlog.flatMap((e) => (e.type === "output" ? [e.contract.id()] : []));
    expect(out2.length).toBe(2);
    expect(idx.size).toBe(2);
    idx.applyBlock(b3);
    expect(idx.size).toBe(2);
    for (const id of out3) expect(idx.get(id)).toBeDefined();
    for (const id of out2) expect(idx.get(id)).toBeUndefined();
    expect(idx.evicted).toBeGreaterThanOrEqual(1);
    const unbounded = new ProofIndex();
    unbounded.applyBlock(b2);
    unbounded.applyBlock(b3);
    // b3 spends one of b2's outputs only if alice's coin selection took her change; the rest stay.
    const live = [...out2, ...out3].filter((id) => !pay3.inputs.some((u) => bytesEqual(u.contract.id(), id)));
    expect(unbounded.size).toBe(live.length);
    expect(() => new ProofIndex(-1)).toThrow(RangeError);
  });

  it("a gap in heights resets the index", () => {
    const { relay, feed } = relayAt();
    feed(b2);
    expect(relay.index.size).toBe(2);
    feed(b4);
    expect(relay.recentHeights).toEqual([4n]);
    expect(relay.index.size).toBe(0);
  });
});

describe("LightRelay: malformed requests", () => {
  it("fail with NET_MESSAGE_INVALID, never a crash", async () => {
    const { relay } = relayAt({ maxWatches: 0 });
    expect(await codeOf(relay.handle(new Uint8Array(0)))).toBe(NetworkCode.MESSAGE_INVALID);
    expect(await codeOf(relay.handle(Uint8Array.of(9)))).toBe(NetworkCode.MESSAGE_INVALID);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        try {
          await relay.handle(bytes);
        } catch (e) {
          expect(
            hasCode(e, NetworkCode.MESSAGE_INVALID) ||
              hasCode(e, RelayCode.BAD_PROOF) ||
              hasCode(e, RelayCode.TOO_MANY_WATCHES),
          ).toBe(true);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
    relay.close();
  });
});

describe("ProofIndex on random forests", () => {
  /** Random blocks on a utreexo forest: the index must equal a wallet-style catchup.update of each proof. */
  it("equals catchup.update of every held proof, with fewer hashes", () => {
    const r = seededRng("relay proof index model");
    const byte = () => {
      const b = new Uint8Array(1);
      r.fillBytes(b);
      return b[0]!;
    };
    let forest = Forest.empty();
    const naive = new Map<string, { id: Uint8Array; proof: Proof }>();
    const idx = new ProofIndex();
    let serial = 0;
    let naiveHashes = 0;
    for (let height = 1n; height <= 40n; height++) {
      const wf = forest.workForest();
      const spent: Uint8Array[] = [];
      for (const [hex, u] of [...naive]) {
        if (byte() >= 40) continue;
        wf.delete(utxoLeaf(u.id), u.proof);
        spent.push(u.id);
        naive.delete(hex);
      }
      const created: Uint8Array[] = [];
      const n = byte() % 24;
      for (let i = 0; i < n; i++) {
        const id = new Uint8Array(32);
        new DataView(id.buffer).setUint32(0, ++serial);
        wf.insert(utxoLeaf(id));
        created.push(id);
      }
      const step = wf.normalize();
      for (const u of naive.values()) {
        u.proof = step.catchup.update(utxoLeaf(u.id), u.proof);
        if (u.proof.kind === "committed") naiveHashes += u.proof.path.neighbors.length;
      }
      for (const id of created)
        naive.set(toHex(id), { id, proof: step.catchup.update(utxoLeaf(id), TRANSIENT) });
      idx.apply({ height, forest: step.forest, catchup: step.catchup, created, spent });
      forest = step.forest;
      expect(idx.size).toBe(naive.size);
      for (const u of naive.values()) {
        const held = idx.get(u.id);
        expect(held && proofToBytes(held)).toEqual(proofToBytes(u.proof));
        if (held?.kind === "committed") expect(forest.verify(utxoLeaf(u.id), held.path)).toBe(true);
      }
    }
    expect(serial).toBeGreaterThan(300);
    expect(idx.hashes).toBeLessThan(naiveHashes / 2);
  });
});
