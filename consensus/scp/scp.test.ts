/**
 * Envelope screening by `Scp.receiveEnvelope`: the verdict and "an invalid envelope changes nothing".
 * (stellar-core does these checks in its herder/PendingEnvelopes, outside src/scp; these tests are ours.)
 * Happy path: a valid envelope is "valid" and recorded; must-fail twins: bad signature, sender outside
 * the transitive quorum, unknown or insane quorum set, stale or far-future slot, own envelope,
 * malformed object — each "invalid" with the exact reason and no state change.
 */
import { describe, expect, it } from "vitest";
import { ScpCode } from "./errors.js";
import { Scp } from "./scp.js";
import { bal, TestScp, VALUES } from "./scpTestHarness.js";
import { makeNominate, makePrepare, RecordingDriver, type TestKey, TestKeyring } from "./testKit.js";
import type { Envelope, QuorumSet } from "./types.js";

const keyring = new TestKeyring();
const [v0, v1, v2, v3] = [0, 1, 2, 3].map((i) => keyring.add(`v${i}`)) as [
  TestKey,
  TestKey,
  TestKey,
  TestKey,
];
const outsider = keyring.add("outsider");
const friendOfV3 = keyring.add("friend-of-v3");
const qset: QuorumSet = { threshold: 3, validators: [v0, v1, v2, v3].map((k) => k.nodeId), innerSets: [] };
const { x } = VALUES;

function setup() {
  const t = new TestScp(keyring, v0, qset);
  const qh = t.driver.storeQuorumSet(qset);
  return { t, qh };
}

/** A fingerprint of everything receiveEnvelope could change. */
function snapshot(t: TestScp): string {
  const slots = t.scp.knownSlots();
  const msgs = slots.map((s) => t.scp.getCurrentState(s, true).length);
  return JSON.stringify({ slots: slots.map(String), msgs, envs: t.envs.length });
}

describe("receiveEnvelope screening", () => {
  it("accepts a valid envelope and records it", () => {
    const { t, qh } = setup();
    expect(t.receive(makePrepare(v1, qh, 1n, bal(1, x)))).toBe("valid");
    expect(t.scp.lastRejection).toBeNull();
    expect(t.scp.getLatestMessage(v1.nodeId)).toBeDefined();
  });

  const rejects = (name: string, reason: string, build: (t: TestScp, qh: Uint8Array) => Envelope) => {
    it(`must-fail: ${name}`, () => {
      const { t, qh } = setup();
      t.receive(makePrepare(v2, qh, 1n, bal(1, x)));
      const e = build(t, qh);
      const before = snapshot(t);
      expect(t.receive(e)).toBe("invalid");
      expect(t.scp.lastRejection).toBe(reason);
      expect(snapshot(t)).toBe(before);
    });
  };

  rejects("bad signature", "bad signature", (_t, qh) => {
    const e = makePrepare(v1, qh, 1n, bal(1, x));
    const sig = e.signature.slice();
    sig[0]! ^= 1;
    return { statement: e.statement, signature: sig };
  });
  rejects("signature of another node", "bad signature", (_t, qh) => {
    const e = makePrepare(v1, qh, 1n, bal(1, x));
    return { statement: { ...e.statement, nodeId: v3.nodeId }, signature: e.signature };
  });
  rejects("sender outside the transitive quorum", "sender outside transitive quorum", (_t, qh) =>
    makePrepare(outsider, qh, 1n, bal(1, x)),
  );
  rejects("unknown quorum set", "unknown quorum set", () =>
    makePrepare(v1, new Uint8Array(32), 1n, bal(1, x)),
  );
  rejects("insane quorum set", "insane quorum set", (t) => {
    const bad: QuorumSet = { threshold: 5, validators: qset.validators, innerSets: [] };
    return makePrepare(v1, t.driver.storeQuorumSet(bad), 1n, bal(1, x));
  });
  rejects("own envelope", "own envelope", (_t, qh) => makePrepare(v0, qh, 1n, bal(1, x)));
  rejects("malformed object (short node id)", "malformed", (_t, qh) => {
    const e = makePrepare(v1, qh, 1n, bal(1, x));
    return { statement: { ...e.statement, nodeId: new Uint8Array(31) }, signature: e.signature };
  });
  rejects("malformed object (counter out of range)", "malformed", (_t, qh) => {
    const e = makePrepare(v1, qh, 1n, bal(1, x));
    return {
      statement: { ...e.statement, pledges: { ...e.statement.pledges, ballot: bal(2 ** 32, x) } as never },
      signature: e.signature,
    };
  });
  rejects("insane statement (b.n = 0)", "rejected by protocol", (_t, qh) =>
    makePrepare(v1, qh, 1n, bal(0, x)),
  );
  rejects("stale statement (replay of an older one)", "rejected by protocol", (t, qh) => {
    t.receive(makePrepare(v1, qh, 1n, bal(2, x)));
    return makePrepare(v1, qh, 1n, bal(1, x));
  });

  it("must-fail: stale and far-future slots outside the window", () => {
    const { t, qh } = setup();
    t.scp.setSlotRange(5n, 10n);
    expect(t.receive(makePrepare(v1, qh, 4n, bal(1, x)))).toBe("invalid");
    expect(t.scp.lastRejection).toBe("slot out of range");
    expect(t.receive(makePrepare(v1, qh, 11n, bal(1, x)))).toBe("invalid");
    expect(t.scp.knownSlots()).toEqual([]);
    expect(t.receive(makePrepare(v1, qh, 5n, bal(1, x)))).toBe("valid");
    expect(t.receive(makePrepare(v1, qh, 10n, bal(1, x)))).toBe("valid");
    expect(() => t.scp.setSlotRange(3n, 2n)).toThrow(RangeError);
  });

  it("learns the transitive quorum from the quorum sets peers declare", () => {
    const { t } = setup();
    // v3 declares a quorum set that includes a friend: the friend becomes acceptable
    const q3: QuorumSet = {
      threshold: 2,
      validators: [v3.nodeId, friendOfV3.nodeId, v1.nodeId],
      innerSets: [],
    };
    const h3 = t.driver.storeQuorumSet(q3);
    expect(t.receive(makeNominate(friendOfV3, h3, 1n, [x], []))).toBe("invalid");
    expect(t.scp.isInTransitiveQuorum(friendOfV3.nodeId)).toBe(false);
    expect(t.receive(makeNominate(v3, h3, 1n, [x], []))).toBe("valid");
    expect(t.scp.isInTransitiveQuorum(friendOfV3.nodeId)).toBe(true);
    expect(t.receive(makeNominate(friendOfV3, h3, 1n, [x], []))).toBe("valid");
  });

  it("purges old slots", () => {
    const { t, qh } = setup();
    for (const s of [1n, 2n, 3n]) t.receive(makePrepare(v1, qh, s, bal(1, x)));
    t.scp.purgeSlots(3n, 1n);
    expect(t.scp.knownSlots()).toEqual([1n, 3n]);
  });

  it("must-fail: an insane local quorum set is refused at construction", () => {
    const d = new RecordingDriver(keyring, v0);
    expect(
      () => new Scp({ nodeId: v0.nodeId, quorumSet: { threshold: 0, validators: [], innerSets: [] } }, d),
    ).toThrow(expect.objectContaining({ code: ScpCode.QSET_INSANE }));
    expect(() => new Scp({ nodeId: new Uint8Array(3), quorumSet: qset }, d)).toThrow(TypeError);
  });
});
