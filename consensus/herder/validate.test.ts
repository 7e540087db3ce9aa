/**
 * The herder as SCP driver on its own: validateValue levels with must-fail twins (wrong prev id,
 * timestamp not increasing, too far in the future, invalid tx, wrong utxoroot, unknown tx set →
 * maybe-valid then fully valid after the fetch), envelopes held until their tx set arrives, and
 * combineCandidates' deterministic choice.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/util/bytes.js";
import { quorumSetHash, ValidationLevel } from "../scp/index.js";
import { makeNominate } from "../scp/testKit.js";
import { T0, TestNet } from "./testNet.js";
import { FIX_UTXOS, fixtureTxs, txSetWith } from "./txFixtures.js";
import { decodeValue, encodeTxSet, encodeValue, type TxSet, txSetHash } from "./value.js";

const { A, C, D, tampered } = fixtureTxs();
const E0 = txSetWith([]);
const SA = txSetWith([A]);
const SC = txSetWith([C]);
const SD = txSetWith([D]);
const SAC = txSetWith([A, C]);

function setup() {
  const net = new TestNet({ utxos: FIX_UTXOS });
  const node = net.nodes[0]!;
  const h = node.herder;
  const tip = node.mempool.state.tipId;
  const value = (set: TxSet, ts: bigint, prev = tip) =>
    encodeValue({ prev, timestampMs: ts, txSetHash: txSetHash(set) });
  return { net, h, tip, value };
}

describe("Herder.validateValue", () => {
  it("a known valid tx set is fully valid; its must-fail twins are invalid", () => {
    const { h, value } = setup();
    for (const s of [E0, SA, SAC]) h.receiveTxSet(encodeTxSet(s));
    expect(h.validateValue(2n, value(SA, T0 + 10n), true)).toBe(ValidationLevel.FullyValid);
    expect(h.validateValue(2n, value(SAC, T0 + 10n), true)).toBe(ValidationLevel.FullyValid);
    // wrong previous block id
    expect(h.validateValue(2n, value(SA, T0 + 10n, new Uint8Array(32)), true)).toBe(ValidationLevel.Invalid);
    // timestamp not after the tip's
    expect(h.validateValue(2n, value(E0, T0), true)).toBe(ValidationLevel.Invalid);
    // too far in the future (default drift 15 s; the clock is at T0): only checked when nominating
    expect(h.validateValue(2n, value(E0, T0 + 15_000n), true)).toBe(ValidationLevel.FullyValid);
    expect(h.validateValue(2n, value(E0, T0 + 15_001n), true)).toBe(ValidationLevel.Invalid);
    expect(h.validateValue(2n, value(E0, T0 + 15_001n), false)).toBe(ValidationLevel.FullyValid);
    // malformed value
    expect(h.validateValue(2n, new Uint8Array(71), true)).toBe(ValidationLevel.Invalid);
    // another slot than the next height cannot be checked
    expect(h.validateValue(3n, value(SA, T0 + 10n), true)).toBe(ValidationLevel.MaybeValid);
  });

  it("must-fail: an invalid tx, a wrong utxoroot, a wrong height", () => {
    const { h, value } = setup();
    const bad: TxSet = { ...SA, txs: [tampered] };
    const badRoot: TxSet = { ...SA, utxoroot: new Uint8Array(32) };
    const badHeight: TxSet = { ...SA, height: 3n };
    const conflict: TxSet = { ...SA, txs: [A, D] }; // double spend
    for (const s of [bad, badRoot, badHeight, conflict]) {
      expect(h.receiveTxSet(encodeTxSet(s))).toEqual(txSetHash(s));
      expect(h.validateValue(2n, value(s, T0 + 10n), true)).toBe(ValidationLevel.Invalid);
    }
    expect(h.receiveTxSet(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it("an unknown tx set is maybe-valid and fetched; fully valid once it arrives", () => {
    const { net, h, value } = setup();
    const v = value(SC, T0 + 10n);
    expect(h.validateValue(2n, v, true)).toBe(ValidationLevel.MaybeValid);
    expect(net.requests).toEqual([{ node: 0, hash: toHex(txSetHash(SC)) }]);
    h.receiveTxSet(encodeTxSet(SC));
    expect(h.validateValue(2n, v, true)).toBe(ValidationLevel.FullyValid);
    expect(h.getTxSet(txSetHash(SC))).toEqual(encodeTxSet(SC));
  });

  it("holds a peer's envelope naming an unknown tx set until it arrives", () => {
    const { net, h, value } = setup();
    h.start();
    const peer = net.nodes[1]!.key;
    const qh = quorumSetHash(h.scp.local.qset);
    const env = makeNominate(peer, qh, 2n, [value(SD, T0 + 20n)], []);
    expect(h.receiveEnvelope(env)).toBe("pending");
    expect(h.pendingCount).toBe(1);
    expect(h.scp.getLatestMessage(peer.nodeId)).toBeUndefined();
    h.receiveTxSet(encodeTxSet(SD));
    expect(h.pendingCount).toBe(0);
    expect(h.scp.getLatestMessage(peer.nodeId)).toBeDefined();
  });

  it("must-fail: a badly signed envelope is not held", () => {
    const { net, h, value } = setup();
    h.start();
    const qh = quorumSetHash(h.scp.local.qset);
    const env = makeNominate(net.nodes[1]!.key, qh, 2n, [value(SD, T0 + 20n)], []);
    const forged = { statement: env.statement, signature: new Uint8Array(64) };
    expect(h.receiveEnvelope(forged)).toBe("invalid");
    expect(h.pendingCount).toBe(0);
  });
});

describe("Herder timers and windows", () => {
  it("timeouts grow by round and are capped", () => {
    const { h } = setup();
    expect([1, 2, 5].map((r) => h.computeTimeout(r, true))).toEqual([1000, 2000, 5000]);
    expect(h.computeTimeout(1e9, false)).toBe(30 * 60 * 1000);
  });

  it("holds envelopes for the next heights; must-fail: beyond the window they are invalid", () => {
    const { net, h, value } = setup();
    h.start();
    const qh = quorumSetHash(h.scp.local.qset);
    const k = net.nodes[1]!.key;
    expect(h.receiveEnvelope(makeNominate(k, qh, 3n, [value(E0, T0 + 5n)], []))).toBe("pending");
    expect(h.receiveEnvelope(makeNominate(k, qh, 4n, [value(E0, T0 + 5n)], []))).toBe("pending");
    expect(h.receiveEnvelope(makeNominate(k, qh, 5n, [value(E0, T0 + 5n)], []))).toBe("invalid");
    expect(h.pendingCount).toBe(2);
  });
});

describe("Herder.combineCandidates", () => {
  const { h, value } = setup();
  for (const s of [E0, SA, SC, SD, SAC]) h.receiveTxSet(encodeTxSet(s));
  const vE = value(E0, T0 + 3n);
  const vA = value(SA, T0 + 7n);
  const vC = value(SC, T0 + 5n);
  const vAC = value(SAC, T0 + 4n);
  const vD = value(SD, T0 + 6n);

  it("picks the highest total fee; timestamp = max; independent of order", () => {
    const want = encodeValue({
      prev: decodeValue(vAC).prev,
      timestampMs: T0 + 7n,
      txSetHash: txSetHash(SAC),
    });
    fc.assert(
      fc.property(fc.shuffledSubarray([vE, vA, vC, vD], { minLength: 0 }), (others) => {
        expect(h.combineCandidates(2n, [...others, vAC])).toEqual(
          others.length === 0
            ? vAC
            : encodeValue({ ...decodeValue(want), timestampMs: maxTs([vAC, ...others]) }),
        );
      }),
      { seed: 42, numRuns: 30 },
    );
    expect(h.combineCandidates(2n, [vE, vC, vA])).toEqual(h.combineCandidates(2n, [vA, vE, vC]));
    expect(decodeValue(h.combineCandidates(2n, [vA, vC])!).txSetHash).toEqual(txSetHash(SC));
  });

  it("equal fee and count: the lowest tx-set hash wins", () => {
    const lo = toHex(txSetHash(SA)) < toHex(txSetHash(SD)) ? SA : SD;
    const got = decodeValue(h.combineCandidates(2n, [vA, vD])!);
    expect(got.txSetHash).toEqual(txSetHash(lo));
    expect(got.timestampMs).toBe(T0 + 7n);
    expect(h.combineCandidates(2n, [vD, vA])).toEqual(h.combineCandidates(2n, [vA, vD]));
  });

  it("must-fail: invalid or unknown candidates are never chosen", () => {
    const bad = value({ ...SA, utxoroot: new Uint8Array(32) }, T0 + 50n);
    const unknown = encodeValue({
      prev: decodeValue(vE).prev,
      timestampMs: T0 + 60n,
      txSetHash: new Uint8Array(32),
    });
    const got = decodeValue(h.combineCandidates(2n, [vE, bad, unknown])!);
    expect(got.txSetHash).toEqual(txSetHash(E0));
    expect(got.timestampMs).toBe(T0 + 3n);
  });
});

function maxTs(vs: Uint8Array[]): bigint {
  return vs.map((v) => decodeValue(v).timestampMs).reduce((a, b) => (a > b ? a : b));
}
