/**
 * An in-process network of four validators (threshold 3) on a virtual clock: consecutive blocks with
 * and without txs, identical on every node, each with a verifying finality certificate; tx sets
 * travel by fetch (by hash) or by gossip; a node restarts from its persisted envelopes.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/util/bytes.js";
import { hasCode } from "../../src/util/codedError.js";
import { seededRng } from "../../src/util/rng.js";
import { decodeEnvelope, encodeEnvelope } from "../scp/index.js";
import { verifyCertificate } from "./certificate.js";
import { HerderCode } from "./errors.js";
import { type TestNet as Net, T0, TestNet } from "./testNet.js";
import { FIX_UTXOS, fixtureTxs } from "./txFixtures.js";

function expectSameChains(net: Net, upTo: number): void {
  const ref = net.ids(net.nodes[0]!).slice(0, upTo);
  expect(ref.length).toBe(upTo);
  for (const n of net.nodes) expect(net.ids(n).slice(0, upTo)).toEqual(ref);
}

function expectCertificates(net: Net): void {
  for (const n of net.nodes)
    n.blocks.forEach((b, i) => {
      expect(n.certs[i]!.envelopes.length).toBeGreaterThanOrEqual(3);
      verifyCertificate(n.certs[i]!, b.id, net.qsetOf, net.verifySig, net.qset);
    });
}

describe("herder network (4 validators, threshold 3)", () => {
  it("externalizes consecutive empty blocks at the empty-block interval, identical everywhere", () => {
    const net = new TestNet();
    net.start();
    expect(net.runToHeight(5n)).toBe(true);
    expectSameChains(net, 4);
    expectCertificates(net);
    const b = net.nodes[0]!.blocks;
    for (let i = 0; i < b.length; i++) {
      expect(b[i]!.header.height).toBe(BigInt(i + 2));
      expect(b[i]!.txs.length).toBe(0);
      expect(b[i]!.header.timestampMs).toBeGreaterThan(i === 0 ? T0 : b[i - 1]!.header.timestampMs);
    }
    // nothing happens before the interval: the first block waits ~1 s of virtual time
    expect(b[0]!.header.timestampMs - T0).toBeGreaterThanOrEqual(1000n);
  });

  it("includes txs (tx sets fetched by hash; a node without the tx verifies it) identically", () => {
    const { A, C } = fixtureTxs();
    const net = new TestNet({ utxos: FIX_UTXOS });
    const rng = seededRng("herder net txs");
    for (const n of net.nodes) n.mempool.add(A, T0, rng); // A everywhere
    for (const n of net.nodes.slice(0, 3)) n.mempool.add(C, T0, rng); // node 3 verifies C itself
    net.start();
    // a non-empty mempool nominates at once (no empty-block wait)
    expect(net.runToHeight(2n, 900)).toBe(true);
    expect(net.runToHeight(6n)).toBe(true);
    expectSameChains(net, 5);
    expectCertificates(net);
    const txids = net.nodes[0]!.blocks.flatMap((b) => b.verifiedTxs.map((t) => toHex(t.txid)));
    expect(txids.length).toBe(2);
    for (const n of net.nodes) expect(n.mempool.count).toBe(0);
    expect(net.nodes[0]!.blocks[0]!.txs.length).toBeGreaterThan(0);
    expect(net.requests.length).toBeGreaterThan(0); // non-proposers fetched the tx sets
  });

  it("a lagging node keeps up: envelopes for later heights wait for its chain", () => {
    // node 3 hears node 0 at once but the others after 300 ms: node 0's NOMINATE for the next height
    // (50 ms interval) arrives before node 3 could externalize the current one
    const net = new TestNet({
      latencyOf: (f, t) => (t === 3 && f !== 0 ? 300 : 5),
      herder: { emptyBlockIntervalMs: 50 },
    });
    net.start();
    let held = 0;
    net.time.run(() => {
      held = Math.max(held, net.nodes[3]!.herder.pendingCount);
      return net.nodes.every((n) => n.mempool.state.tip.height >= 6n);
    }, 60_000);
    expect(net.runToHeight(6n)).toBe(true);
    expect(held).toBeGreaterThan(0);
    expectSameChains(net, 5);
    expectCertificates(net);
  });

  it("three of four suffice: a silent node does not stop the others", () => {
    const net = new TestNet();
    net.nodes[3]!.down = true;
    net.start();
    expect(net.runToHeight(4n)).toBe(true);
    expect(net.nodes[3]!.blocks.length).toBe(0);
    const ref = net.ids(net.nodes[0]!);
    for (const n of net.nodes.slice(0, 3)) expect(net.ids(n).slice(0, 3)).toEqual(ref.slice(0, 3));
    for (const n of net.nodes.slice(0, 3)) expect(n.certs[0]!.envelopes.length).toBe(3);
  });

  it("works the same with tx-set gossip (no fetches needed)", () => {
    const { C } = fixtureTxs();
    const net = new TestNet({ utxos: FIX_UTXOS, gossipTxSets: true });
    net.nodes[1]!.mempool.add(C, T0, seededRng("gossip"));
    net.start();
    expect(net.runToHeight(4n)).toBe(true);
    expectSameChains(net, 3);
    expect(net.nodes[0]!.blocks.some((b) => b.txs.length === 1)).toBe(true);
    expect(net.requests).toEqual([]);
  });

  it("with real Starsig envelope signatures; must-fail: stand-in signatures do not verify", () => {
    const net = new TestNet({ starsig: true });
    net.start();
    expect(net.runToHeight(3n)).toBe(true);
    expectSameChains(net, 2);
    expectCertificates(net);
    const n0 = net.nodes[0]!;
    const fake = (id: Uint8Array, bytes: Uint8Array, sig: Uint8Array) => net.keyring.verify(id, bytes, sig);
    let err: unknown;
    try {
      verifyCertificate(n0.certs[0]!, n0.blocks[0]!.id, net.qsetOf, fake);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, HerderCode.CERT_BAD_SIGNATURE)).toBe(true);
  });

  it("a restarted node restores its persisted envelopes and the network goes on", () => {
    const net = new TestNet();
    net.start();
    expect(net.runToHeight(2n)).toBe(true);
    const n3 = net.nodes[3]!;
    // run until node 3 persisted a ballot statement for height 3
    const hasBallot = () =>
      n3.saved?.slot === 3n &&
      n3.saved.envelopes.some((e) => decodeEnvelope(e).statement.pledges.type !== "nominate");
    expect(net.time.run(hasBallot, net.time.now + 60_000)).toBe(true);
    const saved = n3.saved!;
    const h = net.restart(n3);
    const restored = h.scp.getLatestMessagesSend(3n).map((e) => toHex(encodeEnvelope(e)));
    expect(restored.sort()).toEqual(saved.envelopes.map(toHex).sort());
    expect(net.runToHeight(5n)).toBe(true);
    expectSameChains(net, 4);
    expectCertificates(net);
  });

  it("must-fail: corrupt persisted state gives HERDER_RESTORE_FAILED", () => {
    const net = new TestNet();
    const n0 = net.nodes[0]!;
    n0.saved = { slot: 2n, envelopes: [new Uint8Array([1, 2, 3])], txSets: [] };
    let err: unknown;
    try {
      net.makeHerder(n0).start();
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, HerderCode.RESTORE_FAILED)).toBe(true);
    // stale state (a height already decided) is ignored
    n0.saved = { slot: 1n, envelopes: [new Uint8Array([1, 2, 3])], txSets: [] };
    expect(() => net.makeHerder(n0).start()).not.toThrow();
  });
});
