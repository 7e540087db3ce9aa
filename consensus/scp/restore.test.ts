/**
 * Restoring a node's own persisted envelopes after a restart.
 *
 * Ported from stellar-core SCPTests.cpp (rewritten):
 *  - "ballot protocol core5" → "restore ballot protocol" (prepare / confirm / externalize)
 *  - "nomination tests core5" → "nomination - restored state" (ballot protocol not started / started on k)
 * plus our own: persist-before-emit ordering, a restored node never emits a statement older than or
 * contradicting what it emitted before the crash (locked value kept), and must-fail twins for envelopes
 * that cannot be restored (SCP_RESTORE_REJECTED).
 */
import { describe, expect, it } from "vitest";
import { hasCode } from "../../src/util/codedError.js";
import { isNewerBallotStatement } from "./ballot.js";
import { ScpCode } from "./errors.js";
import { bal, expectPrepare, TestScp, VALUES } from "./scpTestHarness.js";
import {
  makeConfirm,
  makeExternalize,
  makeNominate,
  makePrepare,
  type TestKey,
  TestKeyring,
} from "./testKit.js";
import type { BallotPledge, Envelope, QuorumSet } from "./types.js";

const keyring = new TestKeyring();
const [v0, v1, v2, v3, v4] = [0, 1, 2, 3, 4].map((i) => keyring.add(`v${i}`)) as [
  TestKey,
  TestKey,
  TestKey,
  TestKey,
  TestKey,
];
const qset: QuorumSet = {
  threshold: 4,
  validators: [v0, v1, v2, v3, v4].map((k) => k.nodeId),
  innerSets: [],
};
const { x, y, k } = VALUES;

function fresh(): TestScp {
  const t = new TestScp(keyring, v0, qset);
  t.driver.storeQuorumSet(qset);
  return t;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? "uncoded";
  }
  return undefined;
}

describe("restore ballot protocol", () => {
  const b = bal(2, x);
  it("from PREPARE, CONFIRM and EXTERNALIZE", () => {
    for (const make of [
      (t: TestScp) => makePrepare(v0, t.qsetHash0, 0n, b),
      (t: TestScp) => makeConfirm(v0, t.qsetHash0, 0n, 2, b, 1, 2),
      (t: TestScp) => makeExternalize(v0, t.qsetHash0, 0n, b, 2),
    ]) {
      const t = fresh();
      t.scp.setStateFromEnvelope(make(t));
      expect(t.scp.getLatestMessagesSend(0n).length).toBe(1);
      expect(t.envs.length).toBe(0);
    }
  });
  it("an EXTERNALIZE restores the outcome without announcing it again", () => {
    const t = fresh();
    t.scp.setStateFromEnvelope(makeExternalize(v0, t.qsetHash0, 0n, b, 2));
    expect(t.scp.externalizedValue(0n)).toEqual(x);
    expect(t.driver.externalized.size).toBe(0);
    // statements about another value are refused once externalized
    const qh = t.driver.storeQuorumSet(qset);
    expect(t.receive(makeConfirm(v1, qh, 0n, 3, bal(3, y), 3, 3))).toBe("invalid");
    expect(t.receive(makeConfirm(v1, qh, 0n, 3, bal(3, x), 3, 3))).toBe("valid");
  });
  it("a restored h keeps the value locked on the next timeout", () => {
    const t = fresh();
    t.scp.setStateFromEnvelope(makePrepare(v0, t.qsetHash0, 0n, bal(1, x), bal(1, x), 1, 1));
    expect(t.bumpState(0n, y)).toBe(true);
    expectPrepare(t.envs[0], v0, t.qsetHash0, 0n, bal(2, x), bal(1, x), 1, 1);
  });
  it("must-fail: envelopes that cannot be restored", () => {
    const t = fresh();
    const qh = t.qsetHash0;
    expect(codeOf(() => t.scp.setStateFromEnvelope(makePrepare(v1, qh, 0n, b)))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
    // insane: h above p
    expect(codeOf(() => t.scp.setStateFromEnvelope(makePrepare(v0, qh, 0n, b, bal(1, x), 0, 2)))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
    // b.n = 0
    expect(codeOf(() => t.scp.setStateFromEnvelope(makePrepare(v0, qh, 0n, bal(0, x))))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
    // unknown quorum set
    expect(codeOf(() => t.scp.setStateFromEnvelope(makePrepare(v0, new Uint8Array(32), 0n, b)))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
    t.scp.setStateFromEnvelope(makePrepare(v0, qh, 0n, b));
    // too late: the ballot protocol already has state
    let err: unknown;
    try {
      t.scp.setStateFromEnvelope(makePrepare(v0, qh, 0n, bal(3, x)));
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ScpCode.RESTORE_REJECTED)).toBe(true);
    const u = fresh();
    u.bumpState(0n, x);
    expect(codeOf(() => u.scp.setStateFromEnvelope(makePrepare(v0, u.qsetHash0, 0n, b)))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
  });
});

describe("nomination - restored state", () => {
  // what v0 had emitted before the restart: votes {x}, accepted {x}
  const restore = (t: TestScp) => {
    const qh = t.driver.storeQuorumSet(qset);
    t.scp.setStateFromEnvelope(makeNominate(v0, t.qsetHash0, 0n, [x], [x]));
    // nomination starts with y but keeps x, already voted
    expect(t.nominate(0n, y, false)).toBe(false);
    expect(t.leaders(0n)).toEqual([v0.key]);
    expect(t.envs.length).toBe(0);
    const nom = (kk: TestKey) => makeNominate(kk, qh, 0n, [x], []);
    t.receive(nom(v1));
    t.receive(nom(v2));
    expect(t.envs.length).toBe(0);
    // x accepted by a quorum, but it was already accepted: nothing new to say
    t.receive(nom(v3));
    t.driver.expectedCandidates = [x];
    t.driver.compositeValue = x;
    const acc = (kk: TestKey) => makeNominate(kk, qh, 0n, [x], [x]);
    t.receive(acc(v1));
    t.receive(acc(v2));
    expect(t.envs.length).toBe(0);
    t.receive(acc(v3));
  };
  it("ballot protocol not started: the candidate starts it", () => {
    const t = fresh();
    restore(t);
    expect(t.envs.length).toBe(1);
    expectPrepare(t.envs[0], v0, t.qsetHash0, 0n, bal(1, x));
  });
  it("must-fail: ballot protocol already restored on k: nomination does not move it", () => {
    const t = fresh();
    t.scp.setStateFromEnvelope(makePrepare(v0, t.qsetHash0, 0n, bal(1, k)));
    restore(t);
    expect(t.envs.length).toBe(0);
  });
  it("must-fail: a second NOMINATE cannot be restored", () => {
    const t = fresh();
    t.scp.setStateFromEnvelope(makeNominate(v0, t.qsetHash0, 0n, [x], []));
    expect(codeOf(() => t.scp.setStateFromEnvelope(makeNominate(v0, t.qsetHash0, 0n, [x, y], [])))).toBe(
      ScpCode.RESTORE_REJECTED,
    );
  });
});

describe("crash and restart with persisted state", () => {
  /** Drives a node through part of a round, recording emission order against persistence. */
  const runUntilConfirmPrepared = (t: TestScp, qh: Uint8Array) => {
    const order: string[] = [];
    const d = t.driver;
    const persist = d.persistEnvelope.bind(d);
    const emit = d.emitEnvelope.bind(d);
    d.persistEnvelope = (e: Envelope) => {
      order.push("persist");
      persist(e);
    };
    d.emitEnvelope = (e: Envelope) => {
      order.push("emit");
      emit(e);
    };
    const b = bal(1, x);
    t.bumpState(0n, x);
    for (const kk of [v1, v2, v3]) t.receive(makePrepare(kk, qh, 0n, b, b));
    return order;
  };

  it("persists every envelope before emitting it", () => {
    const t = fresh();
    const qh = t.driver.storeQuorumSet(qset);
    const order = runUntilConfirmPrepared(t, qh);
    expect(order.length).toBeGreaterThan(0);
    for (let i = 0; i < order.length; i += 2) expect(order.slice(i, i + 2)).toEqual(["persist", "emit"]);
    expect(t.driver.persisted).toEqual(t.envs);
  });

  it("a restarted node continues with statements newer than the persisted ones", () => {
    const t = fresh();
    const qh = t.driver.storeQuorumSet(qset);
    runUntilConfirmPrepared(t, qh);
    const last = t.driver.persisted[t.driver.persisted.length - 1]!;
    expect(last.statement.pledges.type).toBe("prepare");
    // restart: a new instance restored from the last persisted ballot envelope
    const r = fresh();
    r.driver.storeQuorumSet(qset);
    r.scp.setStateFromEnvelope(last);
    // the network times out and a value y is pushed: the node stays on x and moves forward
    r.bumpState(0n, y);
    for (const kk of [v1, v2, v3]) r.receive(makePrepare(kk, qh, 0n, bal(2, x), bal(2, x), 1, 1));
    expect(r.envs.length).toBeGreaterThan(0);
    let prev = last.statement.pledges as BallotPledge;
    for (const e of r.envs) {
      const p = e.statement.pledges;
      if (p.type === "nominate") continue;
      expect(isNewerBallotStatement(prev, p)).toBe(true);
      if (p.type === "prepare") expect(p.ballot.value).toEqual(x);
      prev = p;
    }
  });
});
