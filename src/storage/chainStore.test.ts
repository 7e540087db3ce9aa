/**
 * Contract tests of `ChainStore`: one suite, run against the in-memory and the sqlite implementation.
 * Every rule has a must-fail twin asserting the exact STORAGE_* code.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { hasCode } from "../util/codedError.js";
import type { BlockCommit, ChainStore } from "./chainStore.js";
import { StorageCode } from "./errors.js";
import { MemoryChainStore } from "./memoryStore.js";
import { SqliteChainStore } from "./sqliteStore.js";

const dir = mkdtempSync(join(tmpdir(), "chainstore-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const FACTORIES: [string, () => Promise<ChainStore>][] = [
  ["memory", async () => new MemoryChainStore()],
  ["sqlite", () => SqliteChainStore.open({ path: join(dir, `c${fileNo++}.db`), synchronous: "normal" })],
];

const h32 = (...parts: (string | number)[]): Uint8Array =>
  new Uint8Array(createHash("sha256").update(parts.join("/")).digest());

/** A deterministic block at `height` with `ntx` transactions. */
function makeBlock(height: number, ntx = 3, tag = "b"): BlockCommit {
  const header = h32(tag, "header", height);
  const block = new Uint8Array(100 + height).fill(height & 0xff);
  return {
    height,
    id: h32(tag, "id", height),
    header,
    block,
    utreexoState: h32(tag, "forest", height),
    txIndex: Array.from({ length: ntx }, (_, i) => ({ txid: h32(tag, "tx", height, i), position: i })),
  };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeDefined();
  expect(hasCode(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

describe.each(FACTORIES)("ChainStore contract: %s", (_name, factory) => {
  let s: ChainStore;
  beforeEach(async () => {
    s = await factory();
    return () => s.close();
  });

  it("an empty store has no tip, blocks, forest or consensus state", async () => {
    expect(await s.tip()).toBeUndefined();
    expect(await s.baseHeight()).toBeUndefined();
    expect(await s.getUtreexoState()).toBeUndefined();
    expect(await s.getBlockByHeight(0)).toBeUndefined();
    expect(await s.getHeaders(0, 10)).toEqual([]);
    expect(await s.getLatestConsensusState()).toBeUndefined();
    expect(await s.listPeers()).toEqual([]);
    expect(await s.walletKeys()).toEqual([]);
  });

  it("commits blocks and reads them back by height, id and txid", async () => {
    for (let h = 0; h < 5; h++) await s.commitBlock(makeBlock(h));
    const b3 = makeBlock(3);
    expect(await s.tip()).toEqual({ height: 4, id: makeBlock(4).id });
    expect(await s.baseHeight()).toBe(0);
    expect(await s.getBlockByHeight(3)).toEqual(b3.block);
    expect(await s.getBlockById(b3.id)).toEqual(b3.block);
    expect(await s.getHeaderByHeight(3)).toEqual(b3.header);
    expect(await s.getHeaderById(b3.id)).toEqual(b3.header);
    expect(await s.getBlockId(3)).toEqual(b3.id);
    expect(await s.getHeightOf(b3.id)).toBe(3);
    expect(await s.getTxLocation(b3.txIndex[2]!.txid)).toEqual({ height: 3, blockId: b3.id, position: 2 });
    expect(await s.getHeaders(2, 2)).toEqual([makeBlock(2).header, b3.header]);
    expect(await s.getHeaders(3, 100)).toEqual([b3.header, makeBlock(4).header]);
    expect(await s.getHeaders(9, 3)).toEqual([]);
    expect(await s.getUtreexoState()).toEqual({ height: 4, state: makeBlock(4).utreexoState });
    // Misses are undefined, not errors.
    expect(await s.getBlockByHeight(5)).toBeUndefined();
    expect(await s.getBlockById(h32("nope"))).toBeUndefined();
    expect(await s.getHeightOf(h32("nope"))).toBeUndefined();
    expect(await s.getTxLocation(h32("nope"))).toBeUndefined();
  });

  it("the first block may start at any height, later ones must follow the tip", async () => {
    await s.commitBlock(makeBlock(7));
    expect(await s.baseHeight()).toBe(7);
    await s.commitBlock(makeBlock(8));
    expect(await s.getHeaders(0, 100)).toEqual([makeBlock(7).header, makeBlock(8).header]);
  });

  it("must-fail: a height gap, a repeated height or a height below the tip", async () => {
    await s.commitBlock(makeBlock(0));
    await s.commitBlock(makeBlock(1));
    await rejectsWith(s.commitBlock(makeBlock(3)), StorageCode.HEIGHT_MISMATCH);
    await rejectsWith(s.commitBlock(makeBlock(1, 3, "other")), StorageCode.HEIGHT_MISMATCH);
    await rejectsWith(s.commitBlock(makeBlock(0, 3, "other")), StorageCode.HEIGHT_MISMATCH);
    expect((await s.tip())?.height).toBe(1);
  });

  it("must-fail: a duplicate block id leaves nothing behind", async () => {
    await s.commitBlock(makeBlock(0));
    const dup = { ...makeBlock(1, 2, "x"), id: makeBlock(0).id };
    await rejectsWith(s.commitBlock(dup), StorageCode.DUPLICATE);
    expect(await s.tip()).toEqual({ height: 0, id: makeBlock(0).id });
    expect(await s.getTxLocation(dup.txIndex[0]!.txid)).toBeUndefined();
  });

  it("must-fail: a txid already indexed rolls the whole block back", async () => {
    await s.commitBlock(makeBlock(0));
    const b1 = makeBlock(1, 400);
    const reused = { ...b1, txIndex: [...b1.txIndex, makeBlock(0).txIndex[1]!] };
    await rejectsWith(s.commitBlock(reused), StorageCode.DUPLICATE);
    expect((await s.tip())?.height).toBe(0);
    expect(await s.getBlockByHeight(1)).toBeUndefined();
    expect(await s.getBlockById(b1.id)).toBeUndefined();
    expect(await s.getTxLocation(b1.txIndex[0]!.txid)).toBeUndefined();
    expect(await s.getUtreexoState()).toEqual({ height: 0, state: makeBlock(0).utreexoState });
    await s.commitBlock(b1); // the same block without the bad entry goes in
    expect(await s.getTxLocation(b1.txIndex[399]!.txid)).toEqual({
      height: 1,
      blockId: b1.id,
      position: 399,
    });
  });

  it("must-fail: a txid repeated inside one block", async () => {
    const b = makeBlock(0);
    await rejectsWith(s.commitBlock({ ...b, txIndex: [...b.txIndex, b.txIndex[0]!] }), StorageCode.DUPLICATE);
    expect(await s.tip()).toBeUndefined();
  });

  it("must-fail: wrong lengths and bad numbers in a commit", async () => {
    const b = makeBlock(0);
    await rejectsWith(s.commitBlock({ ...b, id: new Uint8Array(31) }), StorageCode.BAD_LENGTH);
    await rejectsWith(
      s.commitBlock({ ...b, txIndex: [{ txid: new Uint8Array(33), position: 0 }] }),
      StorageCode.BAD_LENGTH,
    );
    await rejectsWith(s.commitBlock({ ...b, height: -1 }), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.commitBlock({ ...b, height: 1.5 }), StorageCode.BAD_ARGUMENT);
    await rejectsWith(
      s.commitBlock({ ...b, txIndex: [{ txid: h32("t"), position: -2 }] }),
      StorageCode.BAD_ARGUMENT,
    );
    await expect(s.commitBlock({ ...b, block: "x" as unknown as Uint8Array })).rejects.toThrow(TypeError);
    expect(await s.tip()).toBeUndefined();
  });

  it("must-fail: lookups with malformed keys", async () => {
    await rejectsWith(s.getBlockById(new Uint8Array(5)), StorageCode.BAD_LENGTH);
    await rejectsWith(s.getHeaderById(new Uint8Array(0)), StorageCode.BAD_LENGTH);
    await rejectsWith(s.getHeightOf(new Uint8Array(64)), StorageCode.BAD_LENGTH);
    await rejectsWith(s.getTxLocation(new Uint8Array(31)), StorageCode.BAD_LENGTH);
    await rejectsWith(s.getBlockByHeight(-1), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.getHeaders(0, -1), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.getCertificate(Number.NaN), StorageCode.BAD_ARGUMENT);
  });

  it("stores certificates with the block or later", async () => {
    await s.commitBlock({ ...makeBlock(0), certificate: h32("cert", 0) });
    await s.commitBlock(makeBlock(1));
    expect(await s.getCertificate(0)).toEqual(h32("cert", 0));
    expect(await s.getCertificate(1)).toBeUndefined();
    await s.putCertificate(1, h32("cert", 1));
    expect(await s.getCertificate(1)).toEqual(h32("cert", 1));
    await s.putCertificate(1, new Uint8Array([9]));
    expect(await s.getCertificate(1)).toEqual(new Uint8Array([9]));
  });

  it("must-fail: a certificate for a height with no block", async () => {
    await s.commitBlock(makeBlock(0));
    await rejectsWith(s.putCertificate(1, h32("cert")), StorageCode.NOT_FOUND);
    expect(await s.getCertificate(1)).toBeUndefined();
  });

  it("keeps own SCP state per slot; the latest is the highest slot", async () => {
    await s.putConsensusState(5n, new Uint8Array([5]));
    await s.putConsensusState(3n, new Uint8Array([3]));
    expect(await s.getLatestConsensusState()).toEqual({ slot: 5n, state: new Uint8Array([5]) });
    await s.putConsensusState(5n, new Uint8Array([55]));
    await s.putConsensusState(2n ** 64n - 1n, new Uint8Array([255]));
    await s.putConsensusState(256n, new Uint8Array([1, 0]));
    expect(await s.getLatestConsensusState()).toEqual({ slot: 2n ** 64n - 1n, state: new Uint8Array([255]) });
    expect(await s.getConsensusState(5n)).toEqual(new Uint8Array([55]));
    expect(await s.getConsensusState(4n)).toBeUndefined();
    expect(await s.pruneConsensusState(256n)).toBe(2);
    expect(await s.getConsensusState(3n)).toBeUndefined();
    expect(await s.getConsensusState(256n)).toEqual(new Uint8Array([1, 0]));
  });

  it("must-fail: slots outside u64", async () => {
    await rejectsWith(s.putConsensusState(-1n, new Uint8Array(1)), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.putConsensusState(2n ** 64n, new Uint8Array(1)), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.getConsensusState(5 as unknown as bigint), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.pruneConsensusState(-5n), StorageCode.BAD_ARGUMENT);
    expect(await s.getLatestConsensusState()).toBeUndefined();
  });

  it("wallet: put, get, delete and prefix listing in UTF-8 order", async () => {
    const keys = ["acct/2", "acct/10", "acct/é", "acct/😀", "acct/\uffff", "note", "ac"];
    for (const [i, k] of keys.entries()) await s.walletPut(k, new Uint8Array([i]));
    expect(await s.walletGet("acct/é")).toEqual(new Uint8Array([2]));
    expect(await s.walletKeys("acct/")).toEqual(["acct/10", "acct/2", "acct/é", "acct/\uffff", "acct/😀"]);
    expect(await s.walletKeys("acct/😀")).toEqual(["acct/😀"]);
    expect(await s.walletKeys()).toHaveLength(keys.length);
    await s.walletPut("note", new Uint8Array(0));
    expect(await s.walletGet("note")).toEqual(new Uint8Array(0));
    expect(await s.walletDelete("note")).toBe(true);
    expect(await s.walletDelete("note")).toBe(false);
    expect(await s.walletGet("note")).toBeUndefined();
  });

  it("must-fail: empty wallet keys", async () => {
    await rejectsWith(s.walletPut("", new Uint8Array(1)), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.walletGet(""), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.walletDelete(""), StorageCode.BAD_ARGUMENT);
  });

  it("peers: put, replace, list best first, delete", async () => {
    await s.putPeer({ id: "b", address: "/ip4/127.0.0.1/tcp/2", score: 1.5, lastSeen: 100 });
    await s.putPeer({ id: "a", address: "/ip4/127.0.0.1/tcp/1", score: 1.5, lastSeen: 200 });
    await s.putPeer({ id: "c", address: "/ip4/127.0.0.1/tcp/3", score: -3, lastSeen: 0 });
    expect((await s.listPeers()).map((p) => p.id)).toEqual(["a", "b", "c"]);
    await s.putPeer({ id: "c", address: "/ip4/127.0.0.1/tcp/33", score: 9, lastSeen: 300 });
    expect(await s.getPeer("c")).toEqual({
      id: "c",
      address: "/ip4/127.0.0.1/tcp/33",
      score: 9,
      lastSeen: 300,
    });
    expect((await s.listPeers()).map((p) => p.id)).toEqual(["c", "a", "b"]);
    expect(await s.deletePeer("a")).toBe(true);
    expect(await s.deletePeer("a")).toBe(false);
    expect(await s.getPeer("a")).toBeUndefined();
  });

  it("must-fail: malformed peers", async () => {
    const p = { id: "p", address: "x", score: 0, lastSeen: 0 };
    await rejectsWith(s.putPeer({ ...p, id: "" }), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.putPeer({ ...p, score: Number.NaN }), StorageCode.BAD_ARGUMENT);
    await rejectsWith(s.putPeer({ ...p, lastSeen: -1 }), StorageCode.BAD_ARGUMENT);
    expect(await s.listPeers()).toEqual([]);
  });

  it("stored bytes do not alias the caller's arrays", async () => {
    const b = makeBlock(0);
    await s.commitBlock(b);
    b.block.fill(0xee);
    expect(await s.getBlockByHeight(0)).toEqual(makeBlock(0).block);
    const got = (await s.getBlockByHeight(0))!;
    got.fill(0xdd);
    expect(await s.getBlockByHeight(0)).toEqual(makeBlock(0).block);
  });

  it("concurrent commits of the same height: exactly one wins", async () => {
    const results = await Promise.allSettled([
      s.commitBlock(makeBlock(0)),
      s.commitBlock(makeBlock(0, 3, "o")),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(hasCode(failed.reason, StorageCode.HEIGHT_MISMATCH)).toBe(true);
  });

  it("must-fail: every method after close gives STORAGE_CLOSED; close is idempotent", async () => {
    await s.commitBlock(makeBlock(0));
    await s.close();
    await s.close();
    await rejectsWith(s.tip(), StorageCode.CLOSED);
    await rejectsWith(s.commitBlock(makeBlock(1)), StorageCode.CLOSED);
    await rejectsWith(s.getBlockByHeight(0), StorageCode.CLOSED);
    await rejectsWith(s.walletGet("k"), StorageCode.CLOSED);
    await rejectsWith(s.putConsensusState(1n, new Uint8Array(1)), StorageCode.CLOSED);
  });

  it("property: random commit sequences answer like a simple model", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
        async (ntxs) => {
          const t = await factory();
          try {
            const tag = `p${ntxs.join(",")}`;
            for (const [h, n] of ntxs.entries()) await t.commitBlock(makeBlock(h, n, tag));
            const top = ntxs.length - 1;
            expect(await t.tip()).toEqual({ height: top, id: makeBlock(top, 0, tag).id });
            for (const [h, n] of ntxs.entries()) {
              const b = makeBlock(h, n, tag);
              expect(await t.getHeaderById(b.id)).toEqual(b.header);
              for (const e of b.txIndex)
                expect(await t.getTxLocation(e.txid)).toEqual({
                  height: h,
                  blockId: b.id,
                  position: e.position,
                });
            }
          } finally {
            await t.close();
          }
        },
      ),
      { seed: 42, numRuns: 8 },
    );
  });
});
