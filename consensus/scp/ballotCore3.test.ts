/**
 * Ballot protocol with 3 nodes (threshold 2): the two other nodes are both the smallest v-blocking
 * set and, with or without the local node, a quorum — an edge case of the step rules.
 *
 * Ported from stellar-core SCPTests.cpp TEST_CASE "ballot protocol core3" (rewritten):
 *  - "prepared B1 (quorum votes B1) local aValue" → "quorum prepared B1" → "quorum bumps to A1"
 *  - "prepared A1 with timeout"
 *  - "node without self - quorum timeout" (an observer that is not in its own quorum set)
 * Each runs under three timeout settings. Must-fail twins: the steps asserting that nothing happens
 * (b above the confirmed-prepared ballot) and that no timer is pending.
 */
import { describe, expect, it } from "vitest";
import { bal, expectConfirm, expectPrepare, TestScp, TIMEOUT_CONFIGS, VALUES } from "./scpTestHarness.js";
import { makePrepare, type TestKey, TestKeyring } from "./testKit.js";
import type { Ballot, Envelope, Hash, QuorumSet } from "./types.js";

const keyring = new TestKeyring();
const [v0, v1, v2] = [0, 1, 2].map((i) => keyring.add(`v${i}`)) as [TestKey, TestKey, TestKey];
const qset: QuorumSet = { threshold: 2, validators: [v0, v1, v2].map((k) => k.nodeId), innerSets: [] };
const { x, z } = VALUES;
// A is the larger value here
const A = (n: number) => bal(n, z);
const B = (n: number) => bal(n, x);

type Gen = (k: TestKey) => Envelope;

class Core3 {
  readonly t: TestScp;
  readonly qsetHash: Hash;

  constructor(initial: number, increment: number) {
    this.t = new TestScp(keyring, v0, qset);
    this.t.setTimeouts(initial, increment);
    this.qsetHash = this.t.driver.storeQuorumSet(qset);
  }

  get n(): number {
    return this.t.envs.length;
  }

  prep(b: Ballot, p: Ballot | null = null, nC = 0, nH = 0, pp: Ballot | null = null): Gen {
    return (k) => makePrepare(k, this.qsetHash, 0n, b, p, nC, nH, pp);
  }

  /** v1 (a quorum with v0) then, unless `minQuorum`, v2: one new envelope in all. */
  recv(
    gen: Gen,
    withChecks: boolean,
    delayedQuorum: boolean,
    checkUpcoming = false,
    minQuorum = false,
  ): void {
    const e1 = gen(v1);
    const e2 = gen(v2);
    this.t.driver.bumpTimerOffset();
    const i = this.n + 1;
    this.t.receive(e1);
    if (withChecks && !delayedQuorum) expect(this.n).toBe(i);
    if (checkUpcoming) expect(this.t.driver.hasBallotTimerUpcoming()).toBe(true);
    if (!minQuorum) {
      this.t.receive(e2);
      if (withChecks) expect(this.n).toBe(i);
    }
  }

  expPrep(i: number, b: Ballot, p: Ballot | null = null, nC = 0, nH = 0, pp: Ballot | null = null): void {
    expectPrepare(this.t.envs[i], v0, this.t.qsetHash0, 0n, b, p, nC, nH, pp);
  }
}

for (const cfg of TIMEOUT_CONFIGS) {
  describe(`ballot protocol core3 (${cfg.name})`, () => {
    const make = () => new Core3(cfg.initial, cfg.increment);

    const preparedB1 = () => {
      const c = make();
      expect(c.t.driver.hasBallotTimer()).toBe(false);
      expect(c.t.bumpState(0n, z)).toBe(true);
      expect(c.n).toBe(1);
      expect(c.t.driver.hasBallotTimer()).toBe(false);
      c.t.driver.bumpTimerOffset();
      c.recv(c.prep(B(1)), true, true);
      expect(c.n).toBe(2);
      c.expPrep(1, A(1), B(1));
      expect(c.t.driver.hasBallotTimerUpcoming()).toBe(true);
      return c;
    };
    const quorumPreparedB1 = () => {
      const c = preparedB1();
      c.t.driver.bumpTimerOffset();
      c.recv(c.prep(B(1), B(1)), false, false);
      // h would be B1, but b > h: nothing changes (2), (3) skipped
      expect(c.n).toBe(2);
      expect(c.t.driver.hasBallotTimerUpcoming()).toBe(false);
      return c;
    };

    it("prepared B1 (quorum votes B1) with local value A", () => {
      preparedB1();
    });
    it("must-fail: quorum prepared B1 changes nothing (b above it)", () => {
      quorumPreparedB1();
    });
    it("quorum bumps to A1, then quorum commits A1", () => {
      const c = quorumPreparedB1();
      c.t.driver.bumpTimerOffset();
      c.recv(c.prep(A(1), B(1)), false, false, false, true);
      expect(c.n).toBe(3);
      // h still not set: b > computed h
      c.expPrep(2, A(1), A(1), 0, 0, B(1));
      expect(c.t.driver.hasBallotTimerUpcoming()).toBe(false);
      c.t.driver.bumpTimerOffset();
      c.recv(c.prep(A(2), A(1), 1, 1, B(1)), false, false, false, true);
      expect(c.n).toBe(4);
      expectConfirm(c.t.envs[3], v0, c.t.qsetHash0, 0n, 2, A(1), 1, 1);
      expect(c.t.driver.hasBallotTimerUpcoming()).toBe(false);
    });
    it("prepared A1 with timeout", () => {
      const c = make();
      expect(c.t.bumpState(0n, x)).toBe(true);
      expect(c.n).toBe(1);
      c.recv(c.prep(A(1), A(1), 0, 1), false, false);
      expect(c.n).toBe(2);
      c.expPrep(1, A(1), A(1), 1, 1);
      c.recv(c.prep(A(2), B(2), 0, 1, A(1)), true, true);
      expect(c.n).toBe(3);
      // p = A2, p′ = B2 (1); v-blocking ahead ⇒ b = B2 (9); h = B2 (2); c = 0 (1)
      c.expPrep(2, B(2), A(2), 0, 2, B(2));
    });
    it("node without self - quorum timeout", () => {
      const ns = keyring.add("vNodeNS");
      const t = new TestScp(keyring, ns, qset);
      t.setTimeouts(cfg.initial, cfg.increment);
      const qh = t.driver.storeQuorumSet(qset);
      t.receive(makePrepare(v1, qh, 0n, A(2), B(2), 0, 1, A(1)));
      t.receive(makePrepare(v2, qh, 0n, A(1), A(1), 1, 1));
      expect(t.envs.length).toBe(1);
      expectPrepare(t.envs[0], ns, t.qsetHash0, 0n, A(1), A(1), 1, 1);
      t.receive(makePrepare(v0, qh, 0n, A(2), B(2), 0, 1, A(1)));
      expect(t.envs.length).toBe(2);
      expectPrepare(t.envs[1], ns, t.qsetHash0, 0n, B(2), A(2), 0, 2, B(2));
    });
  });
}
