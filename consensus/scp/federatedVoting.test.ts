/**
 * Federated voting: accept via a v-blocking set of acceptors or a quorum of voters-or-acceptors,
 * confirm via a quorum of acceptors. (stellar-core tests these only through the protocol scenarios;
 * these direct checks are ours. The quorum primitives themselves are in quorumSet.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { federatedAccept, federatedRatify, type LatestStatement } from "./federatedVoting.js";
import { singletonQuorumSet } from "./quorumSet.js";
import { testKey } from "./testKit.js";
import type { NominatePledge, QuorumSet, Statement } from "./types.js";

const keys = [0, 1, 2, 3, 4].map((i) => testKey(`fv${i}`));
const q: QuorumSet = { threshold: 4, validators: keys.map((k) => k.nodeId), innerSets: [] };
const A = Uint8Array.of(0xa);

/** Latest statements: `voters` vote A, `acceptors` accept A (each declaring `qset`). */
function latest(voters: number[], acceptors: number[], qset: QuorumSet = q): Map<string, LatestStatement> {
  const m = new Map<string, LatestStatement>();
  const put = (i: number, votes: Uint8Array[], accepted: Uint8Array[]) => {
    const st: Statement = {
      nodeId: keys[i]!.nodeId,
      slotIndex: 1n,
      pledges: { type: "nominate", quorumSetHash: new Uint8Array(32), votes, accepted },
    };
    m.set(keys[i]!.key, { statement: st, qset });
  };
  for (const i of voters) put(i, [A], []);
  for (const i of acceptors) put(i, [A], [A]);
  return m;
}

const voted = (st: Statement) => (st.pledges as NominatePledge).votes.length > 0;
const accepted = (st: Statement) => (st.pledges as NominatePledge).accepted.length > 0;

describe("federated accept", () => {
  it("accepts when a v-blocking set accepted", () => {
    expect(federatedAccept(q, latest([], [1, 2]), voted, accepted)).toBe(true);
  });
  it("must-fail: one acceptor is not v-blocking", () => {
    expect(federatedAccept(q, latest([], [1]), voted, accepted)).toBe(false);
  });
  it("accepts when a quorum voted or accepted", () => {
    expect(federatedAccept(q, latest([0, 1, 2], [3]), voted, accepted)).toBe(true);
  });
  it("must-fail: three voters are no quorum of threshold 4", () => {
    expect(federatedAccept(q, latest([0, 1, 2], []), voted, accepted)).toBe(false);
  });
  it("must-fail: members whose own slices are not satisfied do not count", () => {
    const selfish = latest([0, 1, 2, 3], []);
    // node 3 only trusts an outsider: it drops out, and {0,1,2} is no quorum
    selfish.set(keys[3]!.key, {
      ...selfish.get(keys[3]!.key)!,
      qset: singletonQuorumSet(testKey("x").nodeId),
    });
    expect(federatedAccept(q, selfish, voted, accepted)).toBe(false);
  });
});

describe("federated ratify (confirm)", () => {
  it("confirms when a quorum accepted", () => {
    expect(federatedRatify(q, latest([], [0, 1, 2, 3]), accepted)).toBe(true);
    expect(federatedRatify(q, latest([], [1, 2, 3, 4]), accepted)).toBe(true);
  });
  it("must-fail: a v-blocking set of acceptors, or voters, do not confirm", () => {
    expect(federatedRatify(q, latest([], [1, 2]), accepted)).toBe(false);
    expect(federatedRatify(q, latest([0, 1], [2, 3]), accepted)).toBe(false);
  });
});
