/**
 * Nomination protocol with 5 nodes (threshold 4). Leaders are fixed through the driver's priority
 * lookup (1000 for the chosen top node, 1 for the others) and value hashes are fixed per scenario.
 *
 * Ported from stellar-core (rewritten):
 *  - SCPTests.cpp TEST_CASE "nomination tests core5":
 *    "nomination - v0 is top": "v0 starts to nominates xValue" → "others nominate what v0 says (x) ->
 *    prepare x" → "nominate x -> accept x -> prepare (x) ; others accepted y -> update latest to
 *    (z=x+y)"; "receive more messages, then v0 switches to a different leader"; "select accepted value
 *    from leader" (before / after timeout); "self nominates 'x', others nominate y -> prepare y" (others
 *    only vote for y; others accepted y). ("nomination - restored state" is in restore.test.ts.)
 *    "v1 is top node": "value from v1 is a candidate, self should not introduce new value on timeout";
 *    "nomination waits for v1"; "v1 dead, timeout" (v0 / v2 / v3 is new top node)
 *  - SCPUnitTests.cpp "updateRoundLeaders handles zero weight nodes" (remote and local zero weight)
 * Each core5 scenario runs under three timeout settings. Must-fail twins: a non-leader's message is
 * not echoed, a dead leader adds nothing, a candidate stops new votes, insane or stale NOMINATEs are
 * rejected.
 */
import { describe, expect, it } from "vitest";
import { compareBytes } from "../../src/util/bytes.js";
import { TimerId } from "./driver.js";
import { MAX_WEIGHT, nodeWeight } from "./quorumSet.js";
import { bal, expectNominate, expectPrepare, TestScp, TIMEOUT_CONFIGS, VALUES } from "./scpTestHarness.js";
import { makeNominate, signTest, type TestKey, TestKeyring } from "./testKit.js";
import type { Envelope, Hash, NodeId, QuorumSet, Value } from "./types.js";

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
const { x, y, z, zz, k } = VALUES;
const sorted = (...l: Value[]) => [...l].sort(compareBytes);

class Nom5 {
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

  nom(key: TestKey, votes: Value[], accepted: Value[]): Envelope {
    return makeNominate(key, this.qsetHash, 0n, votes, accepted);
  }

  top(key: TestKey): void {
    this.t.driver.priorityLookup = (kk) => (kk === key.key ? 1000n : 1n);
  }

  expectLeaders(...keys: TestKey[]): void {
    expect(this.t.leaders(0n)).toEqual(keys.map((kk) => kk.key).sort());
  }

  expNom(i: number, votes: Value[], accepted: Value[]): void {
    expectNominate(this.t.envs[i], v0, this.t.qsetHash0, 0n, votes, accepted);
  }

  expect(candidates: Value[], composite: Value): void {
    this.t.driver.expectedCandidates = candidates;
    this.t.driver.compositeValue = composite;
  }
}

for (const cfg of TIMEOUT_CONFIGS) {
  describe(`nomination core5, v0 is top (${cfg.name})`, () => {
    const make = () => new Nom5(cfg.initial, cfg.increment);
    const startX = () => {
      const c = make();
      expect(c.t.nominate(0n, x, false)).toBe(true);
      c.expectLeaders(v0);
      return c;
    };
    const othersEchoX = () => {
      const c = startX();
      expect(c.n).toBe(1);
      c.expNom(0, [x], []);
      const noms = [v1, v2, v3, v4].map((kk) => c.nom(kk, [x], []));
      c.t.receive(noms[0]!);
      c.t.receive(noms[1]!);
      expect(c.n).toBe(1);
      // x accepted (quorum)
      c.t.receive(noms[2]!);
      expect(c.n).toBe(2);
      c.expect([x], x);
      c.expNom(1, [x], [x]);
      c.t.receive(noms[3]!);
      expect(c.n).toBe(2);
      const accs = [v1, v2, v3, v4].map((kk) => c.nom(kk, [x], [x]));
      c.t.receive(accs[0]!);
      c.t.receive(accs[1]!);
      expect(c.n).toBe(2);
      // x confirmed nominated (quorum accepted): the ballot protocol starts
      c.t.receive(accs[2]!);
      expect(c.n).toBe(3);
      expectPrepare(c.t.envs[2], v0, c.t.qsetHash0, 0n, bal(1, x));
      c.t.receive(accs[3]!);
      expect(c.n).toBe(3);
      expect(c.t.driver.combineError).toBeNull();
      return c;
    };

    it("others nominate what v0 says (x) -> prepare x", () => {
      othersEchoX();
    });
    it("others accepted y -> the composite is updated but no new ballot", () => {
      const c = othersEchoX();
      const acc = (kk: TestKey) => c.nom(kk, [x, y], [x, y]);
      c.t.receive(acc(v1));
      expect(c.n).toBe(3);
      // v-blocking accepted y
      c.t.receive(acc(v2));
      expect(c.n).toBe(4);
      c.expNom(3, [x, y], [x, y]);
      c.expect([x, y], k);
      c.t.receive(acc(v3));
      expect(c.n).toBe(4);
      expect(c.t.scp.getSlot(0n)!.latestCompositeCandidate).toEqual(k);
      c.t.receive(acc(v4));
      expect(c.n).toBe(4);
      expect(c.t.driver.combineError).toBeNull();
    });
    it("receive more messages, then v0 switches to a different leader", () => {
      const c = startX();
      c.t.receive(c.nom(v1, [k], []));
      c.t.receive(c.nom(v2, [y], []));
      // must-fail: messages of non-leaders are not echoed
      expect(c.n).toBe(1);
      c.top(v1);
      expect(c.t.nominate(0n, x, true)).toBe(true);
      expect(c.n).toBe(2);
      c.expNom(1, sorted(x, k), []);
    });
    for (const when of ["before", "after"] as const) {
      it(`select accepted value from leader (received ${when} the timeout)`, () => {
        const c = startX();
        expect(c.n).toBe(1);
        c.top(v1);
        const nom1 = c.nom(v1, [y, z], [y]);
        if (when === "before") {
          c.t.receive(nom1);
          expect(c.n).toBe(1);
          expect(c.t.nominate(0n, x, true)).toBe(true);
          expect(c.n).toBe(2);
        } else {
          expect(c.t.nominate(0n, x, true)).toBe(false);
          expect(c.n).toBe(1);
          c.t.receive(nom1);
          expect(c.n).toBe(2);
        }
        c.expNom(1, [x, y], []);
        // the leader's accepted value is already voted: nothing new
        c.t.receive(c.nom(v1, [y, z, zz], [y]));
        expect(c.n).toBe(2);
        c.expNom(1, [x, y], []);
      });
    }
    const selfX = () => {
      const c = make();
      c.expect([x], x);
      expect(c.t.nominate(0n, x, false)).toBe(true);
      expect(c.n).toBe(1);
      c.expNom(0, [x], []);
      return c;
    };
    it("self nominates x, others only vote for y -> y accepted by a quorum without self", () => {
      const c = selfX();
      const noms = [v1, v2, v3, v4].map((kk) => c.nom(kk, [y], []));
      for (const e of noms.slice(0, 3)) c.t.receive(e);
      expect(c.n).toBe(1);
      c.t.receive(noms[3]!);
      expect(c.n).toBe(2);
      c.expNom(1, [x, y], [y]);
    });
    it("self nominates x, others accepted y -> prepare y", () => {
      const c = selfX();
      const accs = [v1, v2, v3, v4].map((kk) => c.nom(kk, [y], [y]));
      c.t.receive(accs[0]!);
      expect(c.n).toBe(1);
      c.t.receive(accs[1]!);
      expect(c.n).toBe(2);
      c.expNom(1, [x, y], [y]);
      c.expect([y], y);
      c.t.receive(accs[2]!);
      expect(c.n).toBe(3);
      expectPrepare(c.t.envs[2], v0, c.t.qsetHash0, 0n, bal(1, y));
      c.t.receive(accs[3]!);
      expect(c.n).toBe(3);
      expect(c.t.driver.combineError).toBeNull();
    });
    it("must-fail: insane and stale NOMINATEs are rejected", () => {
      const c = startX();
      const unsorted = signTest(v1, {
        nodeId: v1.nodeId,
        slotIndex: 0n,
        pledges: { type: "nominate", quorumSetHash: c.qsetHash, votes: sorted(x, y).reverse(), accepted: [] },
      });
      expect(c.t.receive(unsorted)).toBe("invalid");
      const empty = signTest(v1, {
        nodeId: v1.nodeId,
        slotIndex: 0n,
        pledges: { type: "nominate", quorumSetHash: c.qsetHash, votes: [], accepted: [] },
      });
      expect(c.t.receive(empty)).toBe("invalid");
      expect(c.t.receive(c.nom(v1, [x, y], []))).toBe("valid");
      // not newer: a subset, the same, or a different set
      expect(c.t.receive(c.nom(v1, [x], []))).toBe("invalid");
      expect(c.t.receive(c.nom(v1, [x, y], []))).toBe("invalid");
      expect(c.t.receive(c.nom(v1, [x, z], []))).toBe("invalid");
      expect(c.t.receive(c.nom(v1, [x, y], [y]))).toBe("valid");
    });
  });

  describe(`nomination core5, v1 is top (${cfg.name})`, () => {
    const make = () => {
      const c = new Nom5(cfg.initial, cfg.increment);
      c.top(v1);
      const order = sorted(x, y, k);
      c.t.driver.hashValueCalculator = (v) => {
        const i = order.findIndex((o) => compareBytes(o, v) === 0);
        if (i < 0) throw new Error("unexpected value");
        return BigInt(i + 1);
      };
      return c;
    };

    it("value from v1 is a candidate, self should not introduce new value on timeout", () => {
      const c = make();
      expect(c.t.nominate(0n, x, false)).toBe(false);
      c.expectLeaders(v1);
      expect(c.n).toBe(0);
      c.t.receive(c.nom(v1, [x], []));
      expect(c.n).toBe(1);
      c.expNom(0, [x], []);
      c.t.receive(c.nom(v2, [x], []));
      c.t.receive(c.nom(v3, [x], []));
      expect(c.n).toBe(2);
      c.expNom(1, [x], [x]);
      c.t.receive(c.nom(v1, [x], [x]));
      c.t.receive(c.nom(v2, [x], [x]));
      expect(c.n).toBe(2);
      expect(c.t.driver.timers.has(TimerId.Nomination)).toBe(true);
      c.expect([x], x);
      c.t.receive(c.nom(v3, [x], [x]));
      expect(c.n).toBe(3);
      // the candidate cancels the nomination timer
      expect(c.t.driver.timers.has(TimerId.Nomination)).toBe(false);
      // must-fail: v0 is now leader, but a candidate exists: no new value
      c.top(v0);
      expect(c.t.nominate(0n, k, true)).toBe(false);
    });
    it("nomination waits for v1", () => {
      const c = make();
      expect(c.t.nominate(0n, x, false)).toBe(false);
      c.expectLeaders(v1);
      expect(c.n).toBe(0);
      // nothing happens with non-leaders
      c.t.receive(c.nom(v2, [x, k], []));
      expect(c.n).toBe(0);
      // v1 leads: its highest-hash value (y) is adopted
      c.t.receive(c.nom(v1, [x, y], []));
      expect(c.n).toBe(1);
      c.expNom(0, [y], []);
      c.t.receive(c.nom(v4, [x, k], []));
      expect(c.n).toBe(1);
      c.expect([x], x);
      // time out to a dead new leader v3: take the next value of v1 (x), which a quorum now votes
      c.top(v3);
      expect(c.t.nominate(0n, k, true)).toBe(true);
      expect(c.n).toBe(2);
      c.expNom(1, [x, y], [x]);
    });
    const v1Dead = () => {
      const c = make();
      expect(c.t.nominate(0n, x, false)).toBe(false);
      expect(c.n).toBe(0);
      c.t.receive(c.nom(v2, [x, k], []));
      expect(c.n).toBe(0);
      c.expectLeaders(v1);
      return c;
    };
    it("v1 dead, timeout: v0 is new top node", () => {
      const c = v1Dead();
      c.top(v0);
      expect(c.t.nominate(0n, x, true)).toBe(true);
      c.expectLeaders(v0, v1);
      expect(c.n).toBe(1);
      c.expNom(0, [x], []);
    });
    it("v1 dead, timeout: v2 is new top node (only its highest value is taken)", () => {
      const c = v1Dead();
      c.top(v2);
      expect(c.t.nominate(0n, x, true)).toBe(true);
      c.expectLeaders(v1, v2);
      expect(c.n).toBe(1);
      c.expNom(0, [sorted(x, k)[1]!], []);
    });
    it("must-fail: v1 dead, timeout: v3 (silent) is new top node, nothing happens", () => {
      const c = v1Dead();
      c.top(v3);
      expect(c.t.nominate(0n, x, true)).toBe(false);
      c.expectLeaders(v1, v3);
      expect(c.n).toBe(0);
    });
  });
}

describe("updateRoundLeaders handles zero weight nodes", () => {
  const kr = new TestKeyring();
  const [w0, w1, w2] = [0, 1, 2].map((i) => kr.add(`w${i}`)) as [TestKey, TestKey, TestKey];
  const q3: QuorumSet = { threshold: 2, validators: [w0.nodeId, w1.nodeId, w2.nodeId], innerSets: [] };
  const run = (zero: Set<string>) => {
    const t = new TestScp(kr, w0, q3);
    const d = t.driver as unknown as {
      hashNode?: unknown;
      nodeWeight: (id: NodeId, q: QuorumSet, local: boolean) => bigint;
    };
    d.hashNode = undefined; // real SHA-256 priorities
    d.nodeWeight = (id, q, local) => (zero.has(kr.get(id)!.key) ? 0n : nodeWeight(id, q, local));
    const nom = t.scp.getSlot(0n, true)!.nomination;
    nom.previousValue = Uint8Array.of(42);
    for (let r = 0; r < 20; r++) {
      nom.roundNumber = r;
      nom.updateRoundLeaders();
    }
    return [...nom.roundLeaders].sort();
  };
  it("a remote zero-weight validator never leads", () => {
    expect(run(new Set([w2.key]))).toEqual([w0.key, w1.key].sort());
  });
  it("a local zero-weight validator never leads", () => {
    expect(run(new Set([w0.key]))).toEqual([w1.key, w2.key].sort());
  });
  it("the local node weighs the maximum", () => {
    expect(nodeWeight(w0.nodeId, q3, true)).toBe(MAX_WEIGHT);
  });
});
