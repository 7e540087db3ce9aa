/**
 * Quorum-set primitives. Ported from stellar-core (our own code and wording):
 *  - SCPTests.cpp "vblocking and quorum", "v blocking distance"
 *  - QuorumSetTests.cpp "sane quorum set" (all 14 sections: thresholds, folding of singleton inner sets,
 *    collapse of containing sets, nesting limit 4/5, size limit 1000/1001 flat and nested)
 *  - SCPUnitTests.cpp "nomination weight"
 * plus transitive-quorum, normalization order and hashing checks of our own.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBytes, utf8 } from "../../src/util/bytes.js";
import { hasCode } from "../../src/util/codedError.js";
import { decodeQuorumSet, encodeQuorumSet, quorumSetHash } from "./encoding.js";
import { ScpCode } from "./errors.js";
import {
  assertQuorumSetSane,
  findClosestVBlocking,
  isQuorum,
  isQuorumSetSane,
  isQuorumSlice,
  isVBlocking,
  MAX_WEIGHT,
  nodeWeight,
  normalizeQuorumSet,
  quorumSetInsanity,
} from "./quorumSet.js";
import { type NodeId, nodeKey, type QuorumSet } from "./types.js";

const ids: NodeId[] = Array.from({ length: 1001 }, (_, i) => sha256(utf8(`NODE_SEED_${i}`)));
const sortedIds = [...ids].sort(compareBytes);
const k = (i: number) => nodeKey(ids[i]!);
const set = (...is: number[]) => new Set(is.map(k));
const qs = (threshold: number, validators: NodeId[], innerSets: QuorumSet[] = []): QuorumSet => ({
  threshold,
  validators,
  innerSets,
});

describe("vblocking and quorum", () => {
  const q = qs(3, [ids[0]!, ids[1]!, ids[2]!, ids[3]!]);
  it("grows from nothing to a slice", () => {
    expect(isQuorumSlice(q, set(0))).toBe(false);
    expect(isVBlocking(q, set(0))).toBe(false);
    expect(isQuorumSlice(q, set(0, 2))).toBe(false);
    expect(isVBlocking(q, set(0, 2))).toBe(true);
    expect(isQuorumSlice(q, set(0, 2, 3))).toBe(true);
    expect(isVBlocking(q, set(0, 2, 3))).toBe(true);
    expect(isQuorumSlice(q, set(0, 1, 2, 3))).toBe(true);
    expect(isVBlocking(q, set(0, 1, 2, 3))).toBe(true);
  });
  it("nested sets count as one entry each", () => {
    const inner = qs(2, [ids[4]!, ids[5]!, ids[6]!]);
    const nested = qs(2, [ids[0]!], [inner]);
    expect(isQuorumSlice(nested, set(0, 4))).toBe(false);
    expect(isQuorumSlice(nested, set(0, 4, 5))).toBe(true);
    // blocking needs every slice hit: {0} alone blocks (t=2 of 2 entries)
    expect(isVBlocking(nested, set(0))).toBe(true);
    expect(isVBlocking(nested, set(4))).toBe(false);
    expect(isVBlocking(nested, set(4, 5))).toBe(true);
  });
});

describe("transitive quorum", () => {
  const core = [ids[0]!, ids[1]!, ids[2]!, ids[3]!];
  const q = qs(3, core);
  it("accepts members whose own slices are satisfied", () => {
    const m = new Map([0, 1, 2].map((i) => [k(i), q] as const));
    expect(isQuorum(q, m)).toBe(true);
  });
  it("must-fail: drops members whose own quorum set is not satisfied", () => {
    const outsider = qs(1, [ids[9]!]);
    const m = new Map<string, QuorumSet>([
      [k(0), q],
      [k(1), q],
      [k(2), outsider],
    ]);
    expect(isQuorum(q, m)).toBe(false);
  });
});

describe("v blocking distance", () => {
  it("matches stellar-core's 13 configurations", () => {
    // fresh objects at every step: quorum sets are immutable once used
    const check = (t: number, inner: QuorumSet[], good: Set<string>, expected: number) =>
      expect(findClosestVBlocking(qs(t, [ids[0]!, ids[1]!, ids[2]!], inner), good).length).toBe(expected);
    const sub1 = qs(1, [ids[3]!, ids[4]!, ids[5]!]);
    const sub2 = qs(2, [ids[6]!, ids[7]!]);
    const good = set(0);
    check(2, [], good, 0); // already v-blocking
    good.add(k(1));
    check(2, [], good, 1); // v0 or v1
    good.add(k(2));
    check(2, [], good, 2); // any 2 of v0..v2
    good.add(k(3));
    check(2, [sub1], good, 3); // any 3 of v0..v3
    good.add(k(4));
    check(2, [sub1], good, 3); // v0..v2
    check(1, [sub1], good, 5); // v0..v4
    good.add(k(5));
    check(1, [sub1], good, 6); // v0..v5
    check(1, [sub1, sub2], good, 6); // v0..v5
    good.add(k(6));
    check(1, [sub1, sub2], good, 6); // v0..v5
    good.add(k(7));
    check(1, [sub1, sub2], good, 7); // v0..v5 and one of v6, v7
    check(4, [sub1, sub2], good, 2); // v6, v7
    check(3, [sub1, sub2], good, 3); // v0..v2
    check(2, [sub1, sub2], good, 4); // v0..v2 and one of v6, v7
  });
});

describe("sane quorum set", () => {
  const singleton = (i: number) => qs(1, [sortedIds[i]!]);
  const check = (q: QuorumSet, sane: boolean, normalized: QuorumSet) => {
    expect(isQuorumSetSane(q)).toBe(sane);
    expect(normalizeQuorumSet(q)).toEqual(normalized);
  };

  it("{ t: 0 } is insane", () => check(qs(0, []), false, qs(0, [])));
  it("{ t: 0, v0 } is insane", () => check(qs(0, [sortedIds[0]!]), false, qs(0, [sortedIds[0]!])));
  it("{ t: 2, v0 } is insane (threshold above entries)", () =>
    check(qs(2, [sortedIds[0]!]), false, qs(2, [sortedIds[0]!])));
  it("{ t: 1, v0 } is sane", () => check(singleton(0), true, singleton(0)));
  it("{ t: 1, v0, { t: 1, v1 } } folds into { t: 1, v0, v1 }", () =>
    check(qs(1, [sortedIds[0]!], [singleton(1)]), true, qs(1, [sortedIds[0]!, sortedIds[1]!])));
  it("{ t: 1, v0, { t: 1, v1 }, { t: 2, v2 } } is insane and folds v1", () =>
    check(
      qs(1, [sortedIds[0]!], [qs(2, [sortedIds[1]!]), singleton(2)]),
      false,
      qs(1, [sortedIds[0]!, sortedIds[2]!], [qs(2, [sortedIds[1]!])]),
    ));
  const multi = qs(1, [sortedIds[0]!], [singleton(1), qs(1, [sortedIds[2]!, sortedIds[3]!])]);
  const multiNorm = qs(1, [sortedIds[0]!, sortedIds[1]!], [qs(1, [sortedIds[2]!, sortedIds[3]!])]);
  it("{ t: 1, v0, { t: 1, v1 }, { t: 1, v2, v3 } } normalizes", () => check(multi, true, multiNorm));
  it("a containing { t: 1, {…} } set collapses", () => check(qs(1, [], [multi]), true, multiNorm));
  it("a chain of singletons folds at the deepest level", () => {
    const q = qs(1, [sortedIds[0]!], [qs(1, [sortedIds[1]!], [qs(1, [sortedIds[2]!], [singleton(3)])])]);
    const n = qs(1, [sortedIds[0]!], [qs(1, [sortedIds[1]!], [qs(1, [sortedIds[2]!, sortedIds[3]!])])]);
    check(q, true, n);
  });
  const nesting = (level: number, sane: boolean) => {
    let q = singleton(level);
    for (let i = level - 1; i >= 0; i--) q = qs(1, [sortedIds[i]!], [q]);
    // normalized: the deepest singleton is folded into its parent
    const build = (i: number): QuorumSet =>
      i === level - 1 ? qs(1, [sortedIds[i]!, sortedIds[level]!]) : qs(1, [sortedIds[i]!], [build(i + 1)]);
    check(q, sane, build(0));
  };
  it("nesting level 4 is sane", () => nesting(4, true));
  it("must-fail: nesting level 5 is too deep", () => nesting(5, false));
  it("1000 validators are sane", () => {
    const q = qs(1, sortedIds.slice(0, 1000));
    check(q, true, q);
  });
  it("must-fail: 1001 validators are too many", () => {
    const q = qs(1, sortedIds.slice(0, 1001));
    check(q, false, q);
  });
  it("must-fail: 1001 validators spread over inner sets are too many", () => {
    const inner = Array.from({ length: 10 }, (_, i) =>
      qs(1, sortedIds.slice(i * 100 + 1, (i + 1) * 100 + 1)),
    );
    const q = qs(1, [sortedIds[0]!], inner);
    check(q, false, q);
  });
  it("must-fail: duplicates anywhere are insane", () => {
    expect(quorumSetInsanity(qs(1, [ids[0]!, ids[0]!]))).toBe("duplicate validator");
    expect(quorumSetInsanity(qs(1, [ids[0]!], [qs(1, [ids[1]!, ids[0]!])]))).toBe("duplicate validator");
  });
  it("extra checks require majority thresholds", () => {
    expect(isQuorumSetSane(qs(2, ids.slice(0, 4)))).toBe(true);
    expect(isQuorumSetSane(qs(2, ids.slice(0, 4)), true)).toBe(false);
    expect(isQuorumSetSane(qs(3, ids.slice(0, 4)), true)).toBe(true);
  });
  it("assertQuorumSetSane throws SCP_QSET_INSANE", () => {
    expect(() => assertQuorumSetSane(qs(1, ids.slice(0, 3)))).not.toThrow();
    let err: unknown;
    try {
      assertQuorumSetSane(qs(4, ids.slice(0, 3)));
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ScpCode.QSET_INSANE)).toBe(true);
  });
  it("normalization can remove a node, lowering the threshold", () => {
    const q = qs(3, [ids[0]!, ids[1]!, ids[2]!, ids[3]!]);
    const n = normalizeQuorumSet(q, ids[2]!);
    expect(n.threshold).toBe(2);
    expect(n.validators).toEqual([ids[0]!, ids[1]!, ids[3]!].sort(compareBytes));
  });
  it("normalization is idempotent and order-independent", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(12).keys()], { minLength: 1 }), fc.nat(), (picked, t) => {
        const vs = picked.map((i) => ids[i]!);
        const half = Math.ceil(vs.length / 2);
        const q = qs(1 + (t % 2), vs.slice(0, half), half < vs.length ? [qs(1, vs.slice(half))] : []);
        const n = normalizeQuorumSet(q);
        expect(normalizeQuorumSet(n)).toEqual(n);
        const shuffled = qs(q.threshold, [...q.validators].reverse(), [...q.innerSets].reverse());
        expect(quorumSetHash(normalizeQuorumSet(shuffled))).toEqual(quorumSetHash(n));
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

describe("quorum-set hash and encoding", () => {
  it("round-trips and hashes canonically", () => {
    const q = qs(2, [ids[0]!, ids[1]!], [qs(1, [ids[2]!, ids[3]!])]);
    expect(decodeQuorumSet(encodeQuorumSet(q))).toEqual(q);
    expect(quorumSetHash(q)).toEqual(quorumSetHash(decodeQuorumSet(encodeQuorumSet(q))));
    expect(quorumSetHash(q)).not.toEqual(
      quorumSetHash(qs(1, [ids[0]!, ids[1]!], [qs(1, [ids[2]!, ids[3]!])])),
    );
  });
});

describe("nomination weight", () => {
  const near = (w: bigint, target: number) =>
    expect(Math.abs(Number(w) / Number(MAX_WEIGHT) - target)).toBeLessThan(0.01);
  it("3-of-4 weighs 0.75; absent nodes 0; nested 0.6 × 0.5", () => {
    const q = qs(3, [ids[0]!, ids[1]!, ids[2]!, ids[3]!]);
    near(nodeWeight(ids[2]!, q, false), 0.75);
    expect(nodeWeight(ids[4]!, q, false)).toBe(0n);
    const q2 = qs(3, [ids[0]!, ids[1]!, ids[2]!, ids[3]!], [qs(1, [ids[4]!, ids[5]!])]);
    near(nodeWeight(ids[4]!, q2, false), 0.6 * 0.5);
    expect(nodeWeight(ids[4]!, q2, true)).toBe(MAX_WEIGHT);
  });
});
