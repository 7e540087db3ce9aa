/**
 * Ballot protocol with 5 nodes (threshold 4: a v-blocking set is 2 other nodes, a quorum is the local
 * node and 3 others). The local node v0 is real; v1..v4 are simulated by injecting their statements.
 *
 * Ported from stellar-core SCPTests.cpp TEST_CASE "ballot protocol core5" (rewritten, not translated):
 *  - "bumpState x"
 *  - "start <1,x>": prepared A1 → bump prepared A2 → confirm prepared A2 → accept commit (quorum A2 →
 *    quorum prepared A3 → accept more commit A3 → quorum externalize A3; v-blocking accept more A3:
 *    confirm A3, externalize A3, confirm A4..5, externalize A4..5; v-blocking prepared A3; v-blocking
 *    prepared A3+B3; v-blocking confirm A3; hang: network EXTERNALIZE, network CONFIRMS other ballot at
 *    same / different counter); accept commit via v-blocking CONFIRM A2, A3..4, B2 and EXTERNALIZE A2,
 *    B2; get conflicting prepared B (same counter, higher counter, higher counter mixed); confirm
 *    prepared mixed (mixed A2, mixed B2); switch prepared B1 from A1 (switches to previous value of p,
 *    switch p′ to Mid2, switch again Big2); switch prepare B1; prepare higher counter (v-blocking);
 *    prepared B (v-blocking); prepare B (quorum); confirm (v-blocking) via CONFIRM / via EXTERNALIZE
 *  - "start <1,z>": the same tree where the lower value B can no longer win
 *  - "start from pristine": the transitions observable without an own ballot
 *  - "normal round (1,x)" with "bumpToBallot prevented once committed" (by value / counter / both)
 *  - "range check", "timeout when h is set -> stay locked on h", "timeout when h exists but can't be
 *    set -> vote for h", "timeout from multiple nodes", "timeout after prepare, receive old messages to
 *    prepare", "non validator watching the network"
 * ("restore ballot protocol" is in restore.test.ts.) Every scenario runs under three timeout settings.
 * Must-fail twins: scenarios asserting that nothing is emitted, no timer is armed, or nothing externalizes.
 */
import { describe, expect, it } from "vitest";
import { TimerId } from "./driver.js";
import {
  bal,
  expectConfirm,
  expectExternalize,
  expectPrepare,
  TestScp,
  TIMEOUT_CONFIGS,
  VALUES,
} from "./scpTestHarness.js";
import { makeConfirm, makeExternalize, makePrepare, type TestKey, TestKeyring } from "./testKit.js";
import {
  type Ballot,
  type Envelope,
  type Hash,
  INFINITE_COUNTER as INF,
  type QuorumSet,
  type Value,
} from "./types.js";

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
const { x, y, z, zz } = VALUES;

type Gen = (k: TestKey) => Envelope;

class Core5 {
  readonly t: TestScp;
  readonly qsetHash: Hash;
  readonly h0: Hash;

  constructor(initial: number, increment: number) {
    this.t = new TestScp(keyring, v0, qset);
    this.t.setTimeouts(initial, increment);
    this.qsetHash = this.t.driver.storeQuorumSet(qset);
    this.h0 = this.t.qsetHash0;
  }

  get n(): number {
    return this.t.envs.length;
  }

  env(i: number): Envelope | undefined {
    return this.t.envs[i];
  }

  prep(b: Ballot, p: Ballot | null = null, nC = 0, nH = 0, pp: Ballot | null = null): Gen {
    return (k) => makePrepare(k, this.qsetHash, 0n, b, p, nC, nH, pp);
  }

  conf(nP: number, b: Ballot, nC: number, nH: number): Gen {
    return (k) => makeConfirm(k, this.qsetHash, 0n, nP, b, nC, nH);
  }

  ext(c: Ballot, nH: number): Gen {
    return (k) => makeExternalize(k, this.qsetHash, 0n, c, nH);
  }

  /** v1 then v2: nothing after the first, exactly one new envelope after the second. */
  recvVBlocking(gen: Gen, withChecks = true): void {
    const e1 = gen(v1);
    const e2 = gen(v2);
    this.t.driver.bumpTimerOffset();
    let i = this.n;
    this.t.receive(e1);
    if (withChecks) expect(this.n).toBe(i);
    i++;
    this.t.receive(e2);
    if (withChecks) expect(this.n).toBe(i);
  }

  /**
   * v1..v4: exactly one new envelope after v3 (the quorum with v0) and none after v4; with
   * `delayedQuorum`, the new envelope may come only with v4.
   */
  recvQuorumChecksEx(gen: Gen, withChecks: boolean, delayedQuorum: boolean, checkUpcoming: boolean): void {
    const [e1, e2, e3, e4] = [v1, v2, v3, v4].map(gen) as [Envelope, Envelope, Envelope, Envelope];
    this.t.driver.bumpTimerOffset();
    this.t.receive(e1);
    this.t.receive(e2);
    const i = this.n + 1;
    this.t.receive(e3);
    if (withChecks && !delayedQuorum) expect(this.n).toBe(i);
    if (checkUpcoming && !delayedQuorum) expect(this.t.driver.hasBallotTimerUpcoming()).toBe(true);
    this.t.receive(e4);
    if (withChecks && delayedQuorum) expect(this.n).toBe(i);
    if (checkUpcoming && delayedQuorum) expect(this.t.driver.hasBallotTimerUpcoming()).toBe(true);
  }

  recvQuorumChecks(gen: Gen, withChecks: boolean, delayedQuorum: boolean): void {
    this.recvQuorumChecksEx(gen, withChecks, delayedQuorum, false);
  }

  recvQuorumEx(gen: Gen, checkUpcoming: boolean): void {
    this.recvQuorumChecksEx(gen, true, false, checkUpcoming);
  }

  recvQuorum(gen: Gen): void {
    this.recvQuorumEx(gen, false);
  }

  hasTimer(): boolean {
    return this.t.driver.hasBallotTimer();
  }

  upcoming(): boolean {
    return this.t.driver.hasBallotTimerUpcoming();
  }

  expPrep(i: number, b: Ballot, p: Ballot | null = null, nC = 0, nH = 0, pp: Ballot | null = null): void {
    expectPrepare(this.env(i), v0, this.h0, 0n, b, p, nC, nH, pp);
  }

  expConf(i: number, nP: number, b: Ballot, nC: number, nH: number): void {
    expectConfirm(this.env(i), v0, this.h0, 0n, nP, b, nC, nH);
  }

  expExt(i: number, c: Ballot, nH: number): void {
    expectExternalize(this.env(i), v0, this.h0, 0n, c, nH);
  }

  /** Everyone votes and accepts prepare(1,x), then the local node confirms it (c = h = (1,x)). */
  nodesAllPledgeToCommit(): void {
    const b = bal(1, x);
    expect(this.t.bumpState(0n, x)).toBe(true);
    expect(this.n).toBe(1);
    this.expPrep(0, b);
    const hq = () => this.t.driver.heardFromQuorums.get(0n) ?? [];
    this.t.receive(makePrepare(v1, this.qsetHash, 0n, b));
    expect(this.n).toBe(1);
    expect(hq().length).toBe(0);
    this.t.receive(makePrepare(v2, this.qsetHash, 0n, b));
    expect(this.n).toBe(1);
    expect(hq().length).toBe(0);
    this.t.receive(makePrepare(v3, this.qsetHash, 0n, b));
    expect(this.n).toBe(2);
    expect(hq()).toEqual([b]);
    this.expPrep(1, b, b);
    this.t.receive(makePrepare(v4, this.qsetHash, 0n, b));
    expect(this.n).toBe(2);
    this.t.receive(makePrepare(v4, this.qsetHash, 0n, b, b));
    this.t.receive(makePrepare(v3, this.qsetHash, 0n, b, b));
    expect(this.n).toBe(2);
    this.t.receive(makePrepare(v2, this.qsetHash, 0n, b, b));
    expect(this.n).toBe(3);
    this.expPrep(2, b, b, 1, 1);
    this.t.receive(makePrepare(v1, this.qsetHash, 0n, b, b));
    expect(this.n).toBe(3);
  }
}

/** Ballots of one "start" tree: A is the local value, B the other one. */
function ballots(a: Value, b: Value) {
  const A = (n: number) => bal(n, a);
  const B = (n: number) => bal(n, b);
  return { A, B, AInf: bal(INF, a), BInf: bal(INF, b) };
}

for (const cfg of TIMEOUT_CONFIGS) {
  describe(`ballot protocol core5 (${cfg.name})`, () => {
    const make = () => new Core5(cfg.initial, cfg.increment);

    it("bumpState x", () => {
      const c = make();
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(1);
      c.expPrep(0, bal(1, x));
    });

    describe("start <1,x>", () => {
      const { A, B, AInf, BInf } = ballots(x, z);
      const Mid = (n: number) => bal(n, y);
      const Big = (n: number) => bal(n, zz);
      const start = () => {
        const c = make();
        expect(c.hasTimer()).toBe(false);
        expect(c.t.bumpState(0n, x)).toBe(true);
        expect(c.n).toBe(1);
        expect(c.hasTimer()).toBe(false);
        return c;
      };
      const preparedA1 = () => {
        const c = start();
        c.recvQuorumEx(c.prep(A(1)), true);
        expect(c.n).toBe(2);
        c.expPrep(1, A(1), A(1));
        return c;
      };
      const bumpPreparedA2 = () => {
        const c = preparedA1();
        c.t.driver.bumpTimerOffset();
        expect(c.t.bumpState(0n, x)).toBe(true);
        expect(c.n).toBe(3);
        c.expPrep(2, A(2), A(1));
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumEx(c.prep(A(2)), true);
        expect(c.n).toBe(4);
        c.expPrep(3, A(2), A(2));
        return c;
      };
      const confirmPreparedA2 = () => {
        const c = bumpPreparedA2();
        c.recvQuorum(c.prep(A(2), A(2)));
        expect(c.n).toBe(5);
        c.expPrep(4, A(2), A(2), 2, 2);
        expect(c.upcoming()).toBe(false);
        return c;
      };
      const quorumA2 = () => {
        const c = confirmPreparedA2();
        c.recvQuorum(c.prep(A(2), A(2), 2, 2));
        expect(c.n).toBe(6);
        c.expConf(5, 2, A(2), 2, 2);
        expect(c.upcoming()).toBe(false);
        return c;
      };
      const quorumPreparedA3 = () => {
        const c = quorumA2();
        c.recvVBlocking(c.prep(A(3), A(2), 2, 2));
        expect(c.n).toBe(7);
        c.expConf(6, 2, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumEx(c.prep(A(3), A(2), 2, 2), true);
        expect(c.n).toBe(8);
        c.expConf(7, 3, A(3), 2, 2);
        return c;
      };
      const acceptMoreCommitA3 = () => {
        const c = quorumPreparedA3();
        c.recvQuorum(c.prep(A(3), A(3), 2, 3));
        expect(c.n).toBe(9);
        c.expConf(8, 3, A(3), 2, 3);
        expect(c.upcoming()).toBe(false);
        expect(c.t.driver.externalized.size).toBe(0);
        return c;
      };

      it("prepared A1 / bump prepared A2 / confirm prepared A2 / accept commit / quorum A2", () => {
        quorumA2();
      });
      it("… quorum prepared A3 / accept more commit A3 / quorum externalize A3", () => {
        const c = acceptMoreCommitA3();
        c.recvQuorum(c.conf(3, A(3), 2, 3));
        expect(c.n).toBe(10);
        c.expExt(9, A(2), 3);
        expect(c.hasTimer()).toBe(false);
        expect(c.t.driver.externalized.size).toBe(1);
        expect(c.t.driver.externalized.get(0n)).toEqual(x);
      });
      it("… v-blocking accept more A3: confirm A3", () => {
        const c = quorumPreparedA3();
        c.recvVBlocking(c.conf(3, A(3), 2, 3));
        expect(c.n).toBe(9);
        c.expConf(8, 3, A(3), 2, 3);
        expect(c.upcoming()).toBe(false);
      });
      it("… v-blocking accept more A3: externalize A3", () => {
        const c = quorumPreparedA3();
        c.recvVBlocking(c.ext(A(2), 3));
        expect(c.n).toBe(9);
        c.expConf(8, INF, AInf, 2, INF);
        expect(c.hasTimer()).toBe(false);
      });
      it("… v-blocking accept more A3: others moved to c=A4 h=A5, confirm A4..5", () => {
        const c = quorumPreparedA3();
        c.recvVBlocking(c.conf(3, A(5), 4, 5));
        expect(c.n).toBe(9);
        c.expConf(8, 3, A(5), 4, 5);
        expect(c.hasTimer()).toBe(false);
      });
      it("… v-blocking accept more A3: others moved to c=A4 h=A5, externalize A4..5", () => {
        const c = quorumPreparedA3();
        c.recvVBlocking(c.ext(A(4), 5));
        expect(c.n).toBe(9);
        c.expConf(8, INF, AInf, 4, INF);
        expect(c.hasTimer()).toBe(false);
      });
      it("… quorum A2 then v-blocking prepared A3", () => {
        const c = quorumA2();
        c.recvVBlocking(c.prep(A(3), A(3), 2, 2));
        expect(c.n).toBe(7);
        c.expConf(6, 3, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
      });
      it("… quorum A2 then v-blocking prepared A3+B3", () => {
        const c = quorumA2();
        c.recvVBlocking(c.prep(A(3), B(3), 2, 2, A(3)));
        expect(c.n).toBe(7);
        c.expConf(6, 3, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
      });
      it("… quorum A2 then v-blocking confirm A3", () => {
        const c = quorumA2();
        c.recvVBlocking(c.conf(3, A(3), 2, 2));
        expect(c.n).toBe(7);
        c.expConf(6, 3, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
      });
      it("must-fail: hang, does not switch to B in CONFIRM (network EXTERNALIZE)", () => {
        const c = quorumA2();
        c.recvVBlocking(c.ext(B(2), 3));
        expect(c.n).toBe(7);
        c.expConf(6, 2, AInf, 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecks(c.ext(B(2), 3), false, false);
        expect(c.n).toBe(7);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(true);
      });
      it("must-fail: hang, network CONFIRMS other ballot at same counter", () => {
        const c = quorumA2();
        c.recvQuorumChecks(c.conf(3, B(2), 2, 3), false, false);
        expect(c.n).toBe(6);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(false);
      });
      it("must-fail: hang, network CONFIRMS other ballot at a different counter", () => {
        const c = quorumA2();
        c.recvVBlocking(c.conf(3, B(3), 3, 3));
        expect(c.n).toBe(7);
        c.expConf(6, 2, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecks(c.conf(3, B(3), 3, 3), false, false);
        expect(c.n).toBe(7);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(true);
      });
      it("accept commit via v-blocking CONFIRM A2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.conf(2, A(2), 2, 2));
        expect(c.n).toBe(6);
        c.expConf(5, 2, A(2), 2, 2);
        expect(c.upcoming()).toBe(false);
      });
      it("accept commit via v-blocking CONFIRM A3..4", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.conf(4, A(4), 3, 4));
        expect(c.n).toBe(6);
        c.expConf(5, 4, A(4), 3, 4);
        expect(c.hasTimer()).toBe(false);
      });
      it("accept commit via v-blocking CONFIRM B2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.conf(2, B(2), 2, 2));
        expect(c.n).toBe(6);
        c.expConf(5, 2, B(2), 2, 2);
        expect(c.upcoming()).toBe(false);
      });
      it("accept commit via v-blocking EXTERNALIZE A2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.ext(A(2), 2));
        expect(c.n).toBe(6);
        c.expConf(5, INF, AInf, 2, INF);
        expect(c.hasTimer()).toBe(false);
      });
      it("accept commit via v-blocking EXTERNALIZE B2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.ext(B(2), 2));
        expect(c.n).toBe(6);
        c.expConf(5, INF, BInf, 2, INF);
        expect(c.hasTimer()).toBe(false);
      });
      it("get conflicting prepared B, same counter", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(B(2), B(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(2), B(2), 0, 2, A(2));
        expect(c.upcoming()).toBe(false);
        c.recvQuorum(c.prep(B(2), B(2), 2, 2));
        expect(c.n).toBe(7);
        c.expConf(6, 2, B(2), 2, 2);
        expect(c.upcoming()).toBe(false);
      });
      it("get conflicting prepared B, higher counter", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(B(3), B(2), 2, 2));
        expect(c.n).toBe(6);
        c.expPrep(5, A(3), B(2), 0, 2, A(2));
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecksEx(c.prep(B(3), B(2), 2, 2), true, true, true);
        expect(c.n).toBe(7);
        c.expConf(6, 3, B(3), 2, 2);
      });
      it("get conflicting prepared B, higher counter mixed", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(A(3), B(3), 0, 2, A(2)));
        expect(c.n).toBe(6);
        // h still A2; p = B3, p′ = A2 (1); b = A3 (9); c cleared (1)
        c.expPrep(5, A(3), B(3), 0, 2, A(2));
        c.recvQuorumEx(c.prep(A(3), B(3), 0, 2, A(2)), true);
        // h = b = c = B3 (2, 3, 8)
        expect(c.n).toBe(7);
        c.expPrep(6, B(3), B(3), 3, 3, A(3));
      });
      it("confirm prepared mixed, mixed A2", () => {
        const c = bumpPreparedA2();
        c.recvVBlocking(c.prep(B(2), B(2), 0, 0, A(2)));
        expect(c.n).toBe(5);
        c.expPrep(4, A(2), B(2), 0, 0, A(2));
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(6);
        // h = A2 but no c, as p >!~ h
        c.expPrep(5, A(2), B(2), 0, 2, A(2));
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(6);
        expect(c.upcoming()).toBe(false);
      });
      it("confirm prepared mixed, mixed B2", () => {
        const c = bumpPreparedA2();
        c.recvVBlocking(c.prep(B(2), B(2), 0, 0, A(2)));
        expect(c.n).toBe(5);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, B(2), B(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, B(2), B(2), 2, 2, A(2));
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, B(2), B(2)));
        expect(c.n).toBe(6);
        expect(c.upcoming()).toBe(false);
      });
      const switchPreparedB1 = () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(B(1), B(1)));
        expect(c.n).toBe(3);
        c.expPrep(2, A(1), B(1), 0, 0, A(1));
        expect(c.upcoming()).toBe(false);
        c.recvVBlocking(c.prep(B(2)));
        expect(c.n).toBe(4);
        c.expPrep(3, A(2), B(1), 0, 0, A(1));
        c.recvVBlocking(c.prep(B(2), B(2)));
        expect(c.n).toBe(5);
        c.expPrep(4, A(2), B(2), 0, 0, A(1));
        expect(c.hasTimer()).toBe(false);
        return c;
      };
      it("switch prepared B1 from A1: v-blocking switches to previous value of p", () => {
        const c = switchPreparedB1();
        c.recvVBlocking(c.prep(B(3)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(3), B(2), 0, 0, A(1));
        expect(c.hasTimer()).toBe(false);
        // a v-blocking set says B1 is prepared: we already have p = B2
        c.recvVBlocking(c.prep(B(3), B(1)), false);
        expect(c.n).toBe(6);
        expect(c.hasTimer()).toBe(false);
      });
      it("switch prepared B1 from A1: switch p′ to Mid2", () => {
        const c = switchPreparedB1();
        c.recvVBlocking(c.prep(B(2), B(2), 0, 0, Mid(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(2), B(2), 0, 0, Mid(2));
        expect(c.hasTimer()).toBe(false);
      });
      it("switch prepared B1 from A1: switch again Big2", () => {
        const c = switchPreparedB1();
        c.recvVBlocking(c.prep(B(2), Big(2), 0, 0, B(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(2), Big(2), 0, 0, B(2));
        expect(c.hasTimer()).toBe(false);
      });
      it("switch prepare B1", () => {
        const c = preparedA1();
        c.recvQuorumChecks(c.prep(B(1)), true, true);
        expect(c.n).toBe(3);
        c.expPrep(2, A(1), B(1), 0, 0, A(1));
        expect(c.upcoming()).toBe(false);
      });
      it("prepare higher counter (v-blocking)", () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(B(2)));
        expect(c.n).toBe(3);
        c.expPrep(2, A(2), A(1));
        expect(c.hasTimer()).toBe(false);
        c.recvVBlocking(c.prep(B(3)));
        expect(c.n).toBe(4);
        c.expPrep(3, A(3), A(1));
        expect(c.hasTimer()).toBe(false);
      });
      it("prepared B (v-blocking)", () => {
        const c = start();
        c.recvVBlocking(c.prep(B(1), B(1)));
        expect(c.n).toBe(2);
        c.expPrep(1, A(1), B(1));
        expect(c.hasTimer()).toBe(false);
      });
      it("prepare B (quorum)", () => {
        const c = start();
        c.recvQuorumChecksEx(c.prep(B(1)), true, true, true);
        expect(c.n).toBe(2);
        c.expPrep(1, A(1), B(1));
      });
      it("confirm (v-blocking) via CONFIRM", () => {
        const c = start();
        c.t.driver.bumpTimerOffset();
        c.t.receive(makeConfirm(v1, c.qsetHash, 0n, 3, A(3), 3, 3));
        c.t.receive(makeConfirm(v2, c.qsetHash, 0n, 4, A(4), 2, 4));
        expect(c.n).toBe(2);
        c.expConf(1, 3, A(3), 3, 3);
        expect(c.hasTimer()).toBe(false);
      });
      it("confirm (v-blocking) via EXTERNALIZE", () => {
        const c = start();
        c.t.receive(makeExternalize(v1, c.qsetHash, 0n, A(2), 4));
        c.t.receive(makeExternalize(v2, c.qsetHash, 0n, A(3), 5));
        expect(c.n).toBe(2);
        c.expConf(1, INF, AInf, 3, INF);
        expect(c.hasTimer()).toBe(false);
      });
    });

    describe("start <1,z> (the other value is lower)", () => {
      const { A, B, AInf, BInf } = ballots(z, x);
      const start = () => {
        const c = make();
        expect(c.hasTimer()).toBe(false);
        expect(c.t.bumpState(0n, z)).toBe(true);
        expect(c.n).toBe(1);
        return c;
      };
      const preparedA1 = () => {
        const c = start();
        c.recvQuorumEx(c.prep(A(1)), true);
        expect(c.n).toBe(2);
        c.expPrep(1, A(1), A(1));
        return c;
      };
      const bumpPreparedA2 = () => {
        const c = preparedA1();
        c.t.driver.bumpTimerOffset();
        expect(c.t.bumpState(0n, z)).toBe(true);
        expect(c.n).toBe(3);
        c.expPrep(2, A(2), A(1));
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumEx(c.prep(A(2)), true);
        expect(c.n).toBe(4);
        c.expPrep(3, A(2), A(2));
        return c;
      };
      const confirmPreparedA2 = () => {
        const c = bumpPreparedA2();
        c.recvQuorum(c.prep(A(2), A(2)));
        expect(c.n).toBe(5);
        c.expPrep(4, A(2), A(2), 2, 2);
        expect(c.upcoming()).toBe(false);
        return c;
      };
      const quorumA2 = () => {
        const c = confirmPreparedA2();
        c.recvQuorum(c.prep(A(2), A(2), 2, 2));
        expect(c.n).toBe(6);
        c.expConf(5, 2, A(2), 2, 2);
        expect(c.upcoming()).toBe(false);
        return c;
      };
      const quorumPreparedA3 = () => {
        const c = quorumA2();
        c.recvVBlocking(c.prep(A(3), A(2), 2, 2));
        expect(c.n).toBe(7);
        c.expConf(6, 2, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumEx(c.prep(A(3), A(2), 2, 2), true);
        expect(c.n).toBe(8);
        c.expConf(7, 3, A(3), 2, 2);
        return c;
      };
      it("… accept more commit A3 / quorum externalize A3", () => {
        const c = quorumPreparedA3();
        c.recvQuorum(c.prep(A(3), A(3), 2, 3));
        expect(c.n).toBe(9);
        c.expConf(8, 3, A(3), 2, 3);
        expect(c.upcoming()).toBe(false);
        expect(c.t.driver.externalized.size).toBe(0);
        c.recvQuorum(c.conf(3, A(3), 2, 3));
        expect(c.n).toBe(10);
        c.expExt(9, A(2), 3);
        expect(c.hasTimer()).toBe(false);
        expect(c.t.driver.externalized.get(0n)).toEqual(z);
      });
      it("… v-blocking accept more A3 (confirm A3, externalize A3, A4..5)", () => {
        for (const [gen, check] of [
          [(c: Core5) => c.conf(3, A(3), 2, 3), (c: Core5) => c.expConf(8, 3, A(3), 2, 3)],
          [(c: Core5) => c.ext(A(2), 3), (c: Core5) => c.expConf(8, INF, AInf, 2, INF)],
          [(c: Core5) => c.conf(3, A(5), 4, 5), (c: Core5) => c.expConf(8, 3, A(5), 4, 5)],
          [(c: Core5) => c.ext(A(4), 5), (c: Core5) => c.expConf(8, INF, AInf, 4, INF)],
        ] as const) {
          const c = quorumPreparedA3();
          c.recvVBlocking(gen(c));
          expect(c.n).toBe(9);
          check(c);
          expect(c.hasTimer() && c.upcoming()).toBe(false);
        }
      });
      it("… quorum A2 then v-blocking prepared A3, A3+B3, confirm A3", () => {
        for (const gen of [
          (c: Core5) => c.prep(A(3), A(3), 2, 2),
          (c: Core5) => c.prep(A(3), A(3), 2, 2, B(3)),
          (c: Core5) => c.conf(3, A(3), 2, 2),
        ]) {
          const c = quorumA2();
          c.recvVBlocking(gen(c));
          expect(c.n).toBe(7);
          c.expConf(6, 3, A(3), 2, 2);
          expect(c.hasTimer()).toBe(false);
        }
      });
      it("must-fail: hang, network EXTERNALIZE of the other value", () => {
        const c = quorumA2();
        c.recvVBlocking(c.ext(B(2), 3));
        expect(c.n).toBe(7);
        c.expConf(6, 2, AInf, 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecks(c.ext(B(2), 3), false, false);
        expect(c.n).toBe(7);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(true);
      });
      it("must-fail: hang, network CONFIRMS other ballot at same counter", () => {
        const c = quorumA2();
        c.recvQuorumChecks(c.conf(3, B(2), 2, 3), false, false);
        expect(c.n).toBe(6);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(false);
      });
      it("must-fail: hang, network CONFIRMS other ballot at a different counter", () => {
        const c = quorumA2();
        c.recvVBlocking(c.conf(3, B(3), 3, 3));
        expect(c.n).toBe(7);
        c.expConf(6, 2, A(3), 2, 2);
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecks(c.conf(3, B(3), 3, 3), false, false);
        expect(c.n).toBe(7);
        expect(c.t.driver.externalized.size).toBe(0);
        expect(c.upcoming()).toBe(true);
      });
      it("accept commit via v-blocking CONFIRM / EXTERNALIZE (A2, A3..4, B2; EXTERNALIZE B2 switches)", () => {
        const cases: [(c: Core5) => (k: TestKey) => Envelope, (c: Core5) => void, boolean][] = [
          [(c) => c.conf(2, A(2), 2, 2), (c) => c.expConf(5, 2, A(2), 2, 2), true],
          [(c) => c.conf(4, A(4), 3, 4), (c) => c.expConf(5, 4, A(4), 3, 4), false],
          [(c) => c.conf(2, B(2), 2, 2), (c) => c.expConf(5, 2, B(2), 2, 2), true],
          [(c) => c.ext(A(2), 2), (c) => c.expConf(5, INF, AInf, 2, INF), false],
          [(c) => c.ext(B(2), 2), (c) => c.expConf(5, INF, BInf, 2, INF), false],
        ];
        for (const [gen, check, timerMayExist] of cases) {
          const c = confirmPreparedA2();
          c.recvVBlocking(gen(c));
          expect(c.n).toBe(6);
          check(c);
          if (timerMayExist) expect(c.upcoming()).toBe(false);
          else expect(c.hasTimer()).toBe(false);
        }
      });
      it("must-fail: conflicting prepared B at same counter is ignored (B2 < A2)", () => {
        const c = confirmPreparedA2();
        c.recvQuorumChecks(c.prep(B(2), B(2)), false, false);
        expect(c.n).toBe(5);
        expect(c.upcoming()).toBe(false);
      });
      it("get conflicting prepared B, higher counter", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(B(3), B(2), 2, 2));
        expect(c.n).toBe(6);
        // A2 > B2: p = A2, p′ = B2
        c.expPrep(5, A(3), A(2), 2, 2, B(2));
        expect(c.hasTimer()).toBe(false);
        c.recvQuorumChecksEx(c.prep(B(3), B(2), 2, 2), true, true, true);
        expect(c.n).toBe(7);
        c.expConf(6, 3, B(3), 2, 2);
      });
      it("get conflicting prepared B, higher counter mixed, then timeout bumps to B4", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(A(3), B(3), 0, 2, A(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(3), B(3), 0, 2, A(2));
        c.recvQuorumEx(c.prep(A(3), B(3), 0, 2, A(2)), true);
        // p = A3, p′ = B3; h would be B3 but b cannot move to it
        expect(c.n).toBe(7);
        c.expPrep(6, A(3), A(3), 0, 2, B(3));
        expect(c.upcoming()).toBe(true);
        c.t.driver.fireTimer(TimerId.Ballot);
        expect(c.n).toBe(8);
        c.expPrep(7, B(4), A(3), 0, 3, B(3));
      });
      it("confirm prepared mixed, mixed A2", () => {
        const c = bumpPreparedA2();
        c.recvVBlocking(c.prep(A(2), A(2), 0, 0, B(2)));
        expect(c.n).toBe(5);
        c.expPrep(4, A(2), A(2), 0, 0, B(2));
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(6);
        c.expPrep(5, A(2), A(2), 2, 2, B(2));
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(6);
        expect(c.upcoming()).toBe(false);
      });
      it("must-fail: confirm prepared mixed, mixed B2 is a no-op (h would not be compatible with b)", () => {
        const c = bumpPreparedA2();
        c.recvVBlocking(c.prep(A(2), A(2), 0, 0, B(2)));
        expect(c.n).toBe(5);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, A(2), B(2)));
        expect(c.n).toBe(5);
        expect(c.upcoming()).toBe(false);
        c.t.driver.bumpTimerOffset();
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, B(2), B(2)));
        expect(c.n).toBe(5);
        expect(c.upcoming()).toBe(false);
      });
      it("must-fail: cannot switch to prepared B1 or prepare B1", () => {
        for (const gen of [(c: Core5) => c.prep(B(1), B(1)), (c: Core5) => c.prep(B(1))]) {
          const c = preparedA1();
          c.recvQuorumChecks(gen(c), false, false);
          expect(c.n).toBe(2);
          expect(c.upcoming()).toBe(false);
        }
      });
      it("prepare higher counter (v-blocking)", () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(B(2)));
        expect(c.n).toBe(3);
        c.expPrep(2, A(2), A(1));
        expect(c.hasTimer()).toBe(false);
        c.recvVBlocking(c.prep(B(3)));
        expect(c.n).toBe(4);
        c.expPrep(3, A(3), A(1));
        expect(c.hasTimer()).toBe(false);
      });
      it("prepared B (v-blocking); prepare B (quorum)", () => {
        const c = start();
        c.recvVBlocking(c.prep(B(1), B(1)));
        expect(c.n).toBe(2);
        c.expPrep(1, A(1), B(1));
        expect(c.hasTimer()).toBe(false);
        const d = start();
        d.recvQuorumChecksEx(d.prep(B(1)), true, true, true);
        expect(d.n).toBe(2);
        d.expPrep(1, A(1), B(1));
      });
      it("confirm (v-blocking) via CONFIRM / via EXTERNALIZE", () => {
        const c = start();
        c.t.driver.bumpTimerOffset();
        c.t.receive(makeConfirm(v1, c.qsetHash, 0n, 3, A(3), 3, 3));
        c.t.receive(makeConfirm(v2, c.qsetHash, 0n, 4, A(4), 2, 4));
        expect(c.n).toBe(2);
        c.expConf(1, 3, A(3), 3, 3);
        expect(c.hasTimer()).toBe(false);
        const d = start();
        d.t.receive(makeExternalize(v1, d.qsetHash, 0n, A(2), 4));
        d.t.receive(makeExternalize(v2, d.qsetHash, 0n, A(3), 5));
        expect(d.n).toBe(2);
        d.expConf(1, INF, AInf, 3, INF);
        expect(d.hasTimer()).toBe(false);
      });
    });

    describe("start from pristine (no own ballot)", () => {
      const { A, B, AInf, BInf } = ballots(x, z);
      const preparedA1 = () => {
        const c = make();
        expect(c.n).toBe(0);
        c.recvQuorumChecks(c.prep(A(1)), false, false);
        expect(c.n).toBe(0);
        return c;
      };
      const confirmPreparedA2 = () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(A(2), A(2)), false);
        expect(c.n).toBe(0);
        return c;
      };
      it("quorum A2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(A(2), A(2)), false);
        expect(c.n).toBe(0);
        c.recvQuorum(c.prep(A(2), A(2)));
        expect(c.n).toBe(1);
        c.expPrep(0, A(2), A(2), 1, 2);
      });
      it("quorum B2", () => {
        const c = confirmPreparedA2();
        c.recvVBlocking(c.prep(B(2), B(2)), false);
        expect(c.n).toBe(0);
        c.recvQuorum(c.prep(B(2), B(2)));
        expect(c.n).toBe(1);
        c.expPrep(0, B(2), B(2), 2, 2, A(2));
      });
      it("accept commit: quorum A2 / quorum B2", () => {
        const c = confirmPreparedA2();
        c.recvQuorum(c.prep(A(2), A(2), 2, 2));
        expect(c.n).toBe(1);
        c.expConf(0, 2, A(2), 2, 2);
        const d = confirmPreparedA2();
        d.recvQuorum(d.prep(B(2), B(2), 2, 2));
        expect(d.n).toBe(1);
        d.expConf(0, 2, B(2), 2, 2);
      });
      it("accept commit via v-blocking CONFIRM and EXTERNALIZE", () => {
        const cases: [(c: Core5) => (k: TestKey) => Envelope, (c: Core5) => void][] = [
          [(c) => c.conf(2, A(2), 2, 2), (c) => c.expConf(0, 2, A(2), 2, 2)],
          [(c) => c.conf(4, A(4), 3, 4), (c) => c.expConf(0, 4, A(4), 3, 4)],
          [(c) => c.conf(2, B(2), 2, 2), (c) => c.expConf(0, 2, B(2), 2, 2)],
          [(c) => c.ext(A(2), 2), (c) => c.expConf(0, INF, AInf, 2, INF)],
          [(c) => c.ext(B(2), 2), (c) => c.expConf(0, INF, BInf, 2, INF)],
        ];
        for (const [gen, check] of cases) {
          const c = confirmPreparedA2();
          c.recvVBlocking(gen(c));
          expect(c.n).toBe(1);
          check(c);
        }
      });
      const mixed = () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(A(2), A(2)), false);
        expect(c.n).toBe(0);
        c.recvVBlocking(c.prep(A(2), B(2), 0, 0, A(2)), false);
        expect(c.n).toBe(0);
        return c;
      };
      it("confirm prepared mixed, mixed A2", () => {
        const c = mixed();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(1);
        c.expPrep(0, A(2), B(2), 0, 2, A(2));
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, A(2), A(2)));
        expect(c.n).toBe(1);
      });
      it("confirm prepared mixed, mixed B2", () => {
        const c = mixed();
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, B(2), B(2)));
        expect(c.n).toBe(1);
        c.expPrep(0, B(2), B(2), 2, 2, A(2));
        c.t.receive(makePrepare(v4, c.qsetHash, 0n, B(2), B(2)));
        expect(c.n).toBe(1);
      });
      it("must-fail: stays silent on accepted-prepared alone (switch prepared B1, prepared B)", () => {
        const c = preparedA1();
        c.recvVBlocking(c.prep(B(1), B(1)), false);
        expect(c.n).toBe(0);
        const d = make();
        d.recvVBlocking(d.prep(B(1), B(1)), false);
        expect(d.n).toBe(0);
      });
      it("confirm (v-blocking) via CONFIRM / via EXTERNALIZE", () => {
        const c = make();
        c.t.receive(makeConfirm(v1, c.qsetHash, 0n, 3, A(3), 3, 3));
        c.t.receive(makeConfirm(v2, c.qsetHash, 0n, 4, A(4), 2, 4));
        expect(c.n).toBe(1);
        c.expConf(0, 3, A(3), 3, 3);
        const d = make();
        d.t.receive(makeExternalize(v1, d.qsetHash, 0n, A(2), 4));
        d.t.receive(makeExternalize(v2, d.qsetHash, 0n, A(3), 5));
        expect(d.n).toBe(1);
        d.expConf(0, INF, AInf, 3, INF);
      });
    });

    describe("normal round (1,x)", () => {
      const b = bal(1, x);
      const run = () => {
        const c = make();
        c.nodesAllPledgeToCommit();
        expect(c.n).toBe(3);
        c.t.receive(makePrepare(v1, c.qsetHash, 0n, b, b, 1, 1));
        c.t.receive(makePrepare(v2, c.qsetHash, 0n, b, b, 1, 1));
        expect(c.n).toBe(3);
        // quorum: accept commit b ⇒ CONFIRM
        c.t.receive(makePrepare(v3, c.qsetHash, 0n, b, b, 1, 1));
        expect(c.n).toBe(4);
        c.expConf(3, 1, b, 1, 1);
        const confirm = (k: TestKey) => makeConfirm(k, c.qsetHash, 0n, 1, b, 1, 1);
        c.t.receive(confirm(v1));
        c.t.receive(confirm(v2));
        expect(c.n).toBe(4);
        // quorum: confirm commit b ⇒ EXTERNALIZE
        c.t.receive(confirm(v3));
        expect(c.n).toBe(5);
        expect(c.t.driver.externalized.size).toBe(1);
        expect(c.t.driver.externalized.get(0n)).toEqual(x);
        c.expExt(4, b, 1);
        // extra and duplicate messages do nothing
        c.t.receive(confirm(v4));
        expect(c.n).toBe(5);
        expect(c.t.receive(confirm(v2))).toBe("invalid");
        expect(c.n).toBe(5);
        expect(c.t.driver.externalized.size).toBe(1);
        return c;
      };
      it("externalizes x exactly once", () => {
        run();
      });
      for (const [name, b2] of [
        ["by value", bal(1, z)],
        ["by counter", bal(2, x)],
        ["by value and counter", bal(2, z)],
      ] as const) {
        it(`must-fail: bumpToBallot prevented once committed (${name})`, () => {
          const c = run();
          for (const k of [v1, v2, v3, v4])
            c.t.receive(makeConfirm(k, c.qsetHash, 0n, b2.counter, b2, b2.counter, b2.counter));
          expect(c.n).toBe(5);
          expect(c.t.driver.externalized.size).toBe(1);
        });
      }
    });

    it("range check", () => {
      const c = make();
      const b = bal(1, x);
      c.nodesAllPledgeToCommit();
      c.t.receive(makePrepare(v1, c.qsetHash, 0n, b, b, 1, 1));
      c.t.receive(makePrepare(v2, c.qsetHash, 0n, b, b, 1, 1));
      expect(c.n).toBe(3);
      c.t.receive(makePrepare(v3, c.qsetHash, 0n, b, b, 1, 1));
      expect(c.n).toBe(4);
      c.expConf(3, 1, b, 1, 1);
      c.t.receive(makeConfirm(v1, c.qsetHash, 0n, 4, bal(4, x), 2, 4));
      // v-blocking: b, p → (4,x); (c, h) → (2, 4)
      c.t.receive(makeConfirm(v2, c.qsetHash, 0n, 6, bal(6, x), 2, 6));
      expect(c.n).toBe(5);
      c.expConf(4, 4, bal(4, x), 2, 4);
      // quorum confirms commit over [3, 4]
      c.t.receive(makeConfirm(v4, c.qsetHash, 0n, 6, bal(6, x), 3, 6));
      expect(c.n).toBe(6);
      expect(c.t.driver.externalized.get(0n)).toEqual(x);
      c.expExt(5, bal(3, x), 4);
    });

    it("timeout when h is set -> stay locked on h", () => {
      const c = make();
      const bx = bal(1, x);
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(1);
      c.recvQuorum(c.prep(bx, bx));
      expect(c.n).toBe(3);
      c.expPrep(2, bx, bx, 1, 1);
      // a timeout with another value keeps the locked value
      expect(c.t.bumpState(0n, y)).toBe(true);
      expect(c.n).toBe(4);
      c.expPrep(3, bal(2, x), bx, 1, 1);
    });

    it("timeout when h exists but can't be set -> vote for h", () => {
      const c = make();
      expect(c.t.bumpState(0n, y)).toBe(true);
      expect(c.n).toBe(1);
      const bx = bal(1, x);
      c.recvVBlocking(c.prep(bx, bx));
      expect(c.n).toBe(2);
      c.expPrep(1, bal(1, y), bx);
      // quorum confirms (1,x) prepared: no-op as b > h
      c.recvQuorumChecks(c.prep(bx, bx), false, false);
      expect(c.n).toBe(2);
      expect(c.t.bumpState(0n, y)).toBe(true);
      expect(c.n).toBe(3);
      // moves to the quorum's h value; c not set as b > h
      c.expPrep(2, bal(2, x), bx, 0, 1);
    });

    it("timeout from multiple nodes", () => {
      const c = make();
      const x1 = bal(1, x);
      const x2 = bal(2, x);
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(1);
      c.expPrep(0, x1);
      c.recvQuorum(c.prep(x1));
      expect(c.n).toBe(2);
      c.expPrep(1, x1, x1);
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(3);
      c.expPrep(2, x2, x1);
      c.recvQuorum(c.prep(x1, x1));
      expect(c.n).toBe(4);
      c.expPrep(3, x2, x1, 0, 1);
      c.recvVBlocking(c.prep(x2, x2, 1, 1));
      expect(c.n).toBe(5);
      c.expPrep(4, x2, x2, 0, 1);
      // quorum confirms (2,x) prepared (h = c = x2), and a quorum without us confirms (1,x) committed
      c.recvQuorumChecks(c.prep(x2, x2, 1, 1), false, false);
      expect(c.n).toBe(7);
      c.expPrep(5, x2, x2, 2, 2);
      c.expConf(6, 2, x2, 1, 1);
    });

    it("timeout after prepare, receive old messages to prepare", () => {
      const c = make();
      const [x1, x2, x3] = [bal(1, x), bal(2, x), bal(3, x)];
      expect(c.t.bumpState(0n, x)).toBe(true);
      c.expPrep(0, x1);
      for (const k of [v1, v2, v3]) c.t.receive(makePrepare(k, c.qsetHash, 0n, x1));
      expect(c.n).toBe(2);
      c.expPrep(1, x1, x1);
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(3);
      c.expPrep(2, x2, x1);
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(4);
      c.expPrep(3, x3, x1);
      // the others moved on with x2
      c.t.receive(makePrepare(v1, c.qsetHash, 0n, x2, x2, 1, 2));
      c.t.receive(makePrepare(v2, c.qsetHash, 0n, x2, x2, 1, 2));
      expect(c.n).toBe(5);
      c.expPrep(4, x3, x2);
      c.t.receive(makePrepare(v3, c.qsetHash, 0n, x2, x2, 1, 2));
      expect(c.n).toBe(6);
      c.expPrep(5, x3, x2, 0, 2);
    });

    it("must-fail: a non-validator watching the network never emits but externalizes", () => {
      const nv = keyring.add("vNV");
      const t = new TestScp(keyring, nv, qset, false);
      const qh = t.driver.storeQuorumSet(qset);
      const b = bal(1, x);
      expect(t.bumpState(0n, x)).toBe(true);
      expect(t.envs.length).toBe(0);
      expectPrepare(t.currentEnvelope(0n, nv.key), nv, t.qsetHash0, 0n, b);
      const ext = (k: TestKey) => makeExternalize(k, qh, 0n, b, 1);
      t.receive(ext(v1));
      t.receive(ext(v2));
      t.receive(ext(v3));
      expect(t.envs.length).toBe(0);
      expectConfirm(t.currentEnvelope(0n, nv.key), nv, t.qsetHash0, 0n, INF, bal(INF, x), 1, INF);
      t.receive(ext(v4));
      expect(t.envs.length).toBe(0);
      expectExternalize(t.currentEnvelope(0n, nv.key), nv, t.qsetHash0, 0n, b, INF);
      expect(t.driver.externalized.get(0n)).toEqual(x);
      expect(() => t.scp.nominate(0n, x, x)).toThrow(/SCP_NOT_VALIDATOR/);
    });
  });
}
