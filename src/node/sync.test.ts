/**
 * Unit tests of the catch-up syncer with fake peers: real blocks and Starsig-signed finality
 * certificates from the herder's in-process test network, applied in order; a peer serving a bad
 * certificate, a block that does not extend the tip, or garbage is dropped with the exact code and
 * the next peer is asked; one run at a time.
 */
import { describe, expect, it } from "vitest";
import { HerderCode } from "../../consensus/herder/errors.js";
import { encodeCertificate, type FinalityCertificate } from "../../consensus/herder/index.js";
import { TestNet } from "../../consensus/herder/testNet.js";
import { encodeBlockRangeResponse } from "../../network/index.js";
import { type BlockchainState, encodeBlock, stateAfter } from "../chain/index.js";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { NodeCode } from "./errors.js";
import { Syncer, type SyncerDeps, type SyncProgress, trustedCertificateCheck } from "./sync.js";

const net = new TestNet({ nodes: 3, threshold: 2, starsig: true });
net.start();
net.runToHeight(7n);
const source = net.nodes[0]!;
/** Heights 2..7 (genesis is height 1). */
const chain = source.blocks.slice(0, 6).map((b, i) => ({ block: b, cert: source.certs[i]! }));
const check = trustedCertificateCheck(net.qset);

type Serve = (from: bigint, maxCount: number) => Uint8Array | Promise<Uint8Array>;

/** A peer serving the chain (optionally altering the certificate of one height). */
function honest(alter?: { height: bigint; cert: (c: FinalityCertificate) => FinalityCertificate }): Serve {
  return (from, maxCount) => {
    const items = chain
      .filter((x) => x.block.header.height >= from)
      .slice(0, maxCount)
      .map((x) => {
        const cert = alter && x.block.header.height === alter.height ? alter.cert(x.cert) : x.cert;
        return { block: encodeBlock(x.block), certificate: encodeCertificate(cert) };
      });
    return encodeBlockRangeResponse(items);
  };
}

function harness(peers: Record<string, Serve>, extra: Partial<SyncerDeps> = {}) {
  let state: BlockchainState = net.genesis;
  const committed: bigint[] = [];
  const asked: { peer: string; from: bigint }[] = [];
  const progress: SyncProgress[] = [];
  let afterApply = 0;
  const deps: SyncerDeps = {
    state: () => state,
    peers: () => Object.keys(peers),
    fetchBlocks: async (peer, from, maxCount) => {
      asked.push({ peer, from });
      return peers[peer]!(from, maxCount);
    },
    checkCertificate: check,
    verifyOptions: () => ({ rng: seededRng("sync test") }),
    commit: (block) => {
      committed.push(block.header.height);
      state = stateAfter(block);
    },
    afterApply: () => {
      afterApply++;
    },
    onProgress: (p) => progress.push(p),
    ...extra,
  };
  return { deps, committed, asked, progress, state: () => state, afterApplyCount: () => afterApply };
}

describe("Syncer", () => {
  it("applies ranges in order and reports progress", async () => {
    const h = harness({ p1: honest() });
    const syncer = new Syncer(h.deps, { batchSize: 2 });
    const r = await syncer.sync();
    expect(h.committed).toEqual([2n, 3n, 4n, 5n, 6n, 7n]);
    expect(h.asked.map((a) => a.from)).toEqual([2n, 4n, 6n, 8n]);
    expect(r.applied).toBe(6);
    expect(r.failures).toEqual([]);
    expect(toHex(h.state().tipId)).toBe(toHex(chain[5]!.block.id));
    expect(h.progress.filter((p) => !p.done).map((p) => p.height)).toEqual([2n, 3n, 4n, 5n, 6n, 7n]);
    expect(h.progress.at(-1)?.done).toBe(true);
    expect(h.afterApplyCount()).toBe(1);
    expect(syncer.lastResult).toBe(r);
    // measurement for the report: decode + certificate (3 Starsig signatures) + validation per block
    process.stdout.write(
      `[sync] fake-peer sync: ${r.applied} blocks in ${r.elapsedMs.toFixed(1)} ms = ${r.blocksPerSecond.toFixed(0)} blocks/s\n`,
    );
  });

  it("stops at a known target", async () => {
    const h = harness({ p1: honest() });
    const r = await new Syncer(h.deps, { batchSize: 2 }).sync({ target: 4n });
    expect(h.committed).toEqual([2n, 3n, 4n]);
    expect(r.target).toBe(4n);
  });

  it("must-fail: a bad certificate drops the peer (NODE_SYNC_BAD_CERTIFICATE); the next peer serves", async () => {
    const weak = (c: FinalityCertificate) => ({ ...c, envelopes: c.envelopes.slice(0, 1) });
    const h = harness({ bad: honest({ height: 4n, cert: weak }), good: honest() });
    const r = await new Syncer(h.deps, { batchSize: 8 }).sync();
    expect(r.failures).toEqual([{ peer: "bad", code: NodeCode.SYNC_BAD_CERTIFICATE }]);
    expect(h.committed).toEqual([2n, 3n, 4n, 5n, 6n, 7n]);
    expect(h.asked.map((a) => `${a.peer}@${a.from}`)).toEqual(["bad@2", "good@4", "good@8"]);
    // the cause names the herder's check
    let err: unknown;
    try {
      check(weak(chain[0]!.cert), chain[0]!.block.id);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, HerderCode.CERT_NO_QUORUM)).toBe(true);
  });

  it("must-fail: a forged signature, a block not extending the tip, garbage", async () => {
    const forged = (c: FinalityCertificate) => ({
      ...c,
      envelopes: c.envelopes.map((e) => ({ ...e, signature: new Uint8Array(64) })),
    });
    const skip: Serve = (from, maxCount) => honest()(from + 1n, maxCount);
    const h = harness({
      forged: honest({ height: 2n, cert: forged }),
      gap: skip,
      junk: () => Uint8Array.of(1, 2, 3),
      good: honest(),
    });
    const r = await new Syncer(h.deps).sync();
    expect(r.failures).toEqual([
      { peer: "forged", code: NodeCode.SYNC_BAD_CERTIFICATE },
      { peer: "gap", code: NodeCode.SYNC_NOT_EXTENDING },
      { peer: "junk", code: NodeCode.SYNC_BAD_RESPONSE },
    ]);
    expect(r.height).toBe(7n);
  });

  it("must-fail: another chain's certificate (wrong block) is refused", async () => {
    const other = (c: FinalityCertificate) =>
      chain.find((x) => x.block.header.height !== c.header.height)!.cert;
    const h = harness({ bad: honest({ height: 3n, cert: other }) });
    const r = await new Syncer(h.deps).sync();
    expect(r.failures).toEqual([{ peer: "bad", code: NodeCode.SYNC_BAD_CERTIFICATE }]);
    expect(h.committed).toEqual([2n]);
  });

  it("never runs twice at once: a second call joins the first and raises its target", async () => {
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: Serve = async (from, maxCount) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate;
      inFlight--;
      return honest()(from, maxCount);
    };
    const h = harness({ p1: slow, p2: slow });
    const syncer = new Syncer(h.deps, { batchSize: 2 });
    const a = syncer.sync({ target: 3n });
    expect(syncer.syncing).toBe(true);
    const b = syncer.sync({ target: 5n });
    expect(b).toBe(a);
    expect(syncer.currentTarget).toBe(5n);
    release();
    const r = await a;
    expect(most).toBe(1);
    expect(r.height).toBe(5n);
    expect(h.committed).toEqual([2n, 3n, 4n, 5n]);
    expect(syncer.syncing).toBe(false);
    await syncer.idle();
  });

  it("a one-peer check asks a single peer", async () => {
    const h = harness({ p1: () => encodeBlockRangeResponse([]), p2: honest() });
    const r = await new Syncer(h.deps).sync({ onePeer: true });
    expect(h.asked.length).toBe(1);
    expect(r.applied).toBe(0);
    expect(h.afterApplyCount()).toBe(0);
  });
});
