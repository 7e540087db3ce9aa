/**
 * Quorum-intersection checker (ours; stellar-core's QuorumIntersectionChecker tests live in its herder
 * and use a different algorithm). Happy paths: symmetric 3f+1 networks, tiered organisations; must-fail
 * twins: split networks with the two disjoint quorums reported, and the size cap.
 */
import { describe, expect, it } from "vitest";
import { ScpCode } from "./errors.js";
import { checkQuorumIntersection, type NetworkNode } from "./intersection.js";
import { isQuorum } from "./quorumSet.js";
import { testKey } from "./testKit.js";
import { type NodeId, nodeKey, type QuorumSet } from "./types.js";

const ids = Array.from({ length: 24 }, (_, i) => testKey(`ix${i}`).nodeId);
const flat = (t: number, members: NodeId[]): QuorumSet => ({
  threshold: t,
  validators: members,
  innerSets: [],
});
const network = (members: NodeId[], q: (id: NodeId) => QuorumSet): NetworkNode[] =>
  members.map((nodeId) => ({ nodeId, qset: q(nodeId) }));

describe("quorum intersection", () => {
  it("symmetric networks with threshold above half intersect", () => {
    for (const n of [1, 2, 4, 7, 10]) {
      const m = ids.slice(0, n);
      const r = checkQuorumIntersection(network(m, () => flat(Math.floor(n / 2) + 1, m)));
      expect(r.intersects).toBe(true);
      expect(r.hasQuorum).toBe(true);
    }
  });

  it("must-fail: threshold at half splits an even network", () => {
    const m = ids.slice(0, 6);
    const r = checkQuorumIntersection(network(m, () => flat(3, m)));
    expect(r.intersects).toBe(false);
    const [a, b] = r.split!;
    expect(a.length + b.length).toBeLessThanOrEqual(6);
    const keysA = new Set(a.map(nodeKey));
    expect(b.some((id) => keysA.has(nodeKey(id)))).toBe(false);
    // both halves really are quorums
    for (const side of [a, b]) {
      const members = new Map(side.map((id) => [nodeKey(id), flat(3, m)] as const));
      expect(isQuorum(flat(3, m), members)).toBe(true);
    }
  });

  it("must-fail: two islands that only trust themselves", () => {
    const left = ids.slice(0, 3);
    const right = ids.slice(3, 7);
    const nodes = [...network(left, () => flat(2, left)), ...network(right, () => flat(3, right))];
    expect(checkQuorumIntersection(nodes).intersects).toBe(false);
  });

  it("tiered organisations (2 of 3 inside, 2 of 3 organisations) intersect", () => {
    const orgs = [ids.slice(0, 3), ids.slice(3, 6), ids.slice(6, 9)];
    const q: QuorumSet = { threshold: 2, validators: [], innerSets: orgs.map((o) => flat(2, o)) };
    expect(checkQuorumIntersection(network(orgs.flat(), () => q)).intersects).toBe(true);
    // 1 of 3 organisations: any one organisation is a quorum
    const weak: QuorumSet = { threshold: 1, validators: [], innerSets: orgs.map((o) => flat(2, o)) };
    expect(checkQuorumIntersection(network(orgs.flat(), () => weak)).intersects).toBe(false);
  });

  it("missing nodes count as unavailable; no quorum is vacuously intersecting", () => {
    const m = ids.slice(0, 4);
    const r = checkQuorumIntersection(network(m.slice(0, 2), () => flat(3, m)));
    expect(r.hasQuorum).toBe(false);
    expect(r.intersects).toBe(true);
  });

  it("checks 20 nodes exhaustively and refuses more with SCP_INTERSECTION_TOO_LARGE", () => {
    const m20 = ids.slice(0, 20);
    expect(checkQuorumIntersection(network(m20, () => flat(14, m20))).intersects).toBe(true);
    const m21 = ids.slice(0, 21);
    expect(() => checkQuorumIntersection(network(m21, () => flat(15, m21)))).toThrow(
      expect.objectContaining({ code: ScpCode.INTERSECTION_TOO_LARGE }),
    );
    expect(
      checkQuorumIntersection(
        network(m21, () => flat(15, m21)),
        { maxNodes: 22 },
      ).intersects,
    ).toBe(true);
  });
});
