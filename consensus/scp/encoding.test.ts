/**
 * Canonical encoding of statements, envelopes and quorum sets: round trips, strict decoding with
 * exact error codes, a decoder that only ever throws SCP_DECODE_* on random bytes, and the hashes.
 * (No stellar-core scenario: stellar-core uses XDR; this is our own format, see encoding.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../src/util/bytes.js";
import { CodedError, hasCode } from "../../src/util/codedError.js";
import {
  decodeEnvelope,
  decodeQuorumSet,
  decodeStatement,
  defaultHashNode,
  defaultHashValue,
  encodeEnvelope,
  encodeQuorumSet,
  encodeStatement,
  quorumSetHash,
} from "./encoding.js";
import { ScpCode } from "./errors.js";
import {
  type Ballot,
  type Envelope,
  MAX_VALUE_SIZE,
  type Pledges,
  type QuorumSet,
  type Statement,
} from "./types.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e.code;
    return `uncoded:${(e as Error).name}`;
  }
  return undefined;
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const value = fc.uint8Array({ minLength: 0, maxLength: 40 });
const u32 = fc.nat({ max: 0xffffffff });
const ballot: fc.Arbitrary<Ballot> = fc.record({ counter: u32, value });
const sortedValues = fc
  .uniqueArray(value, { maxLength: 5, selector: (v) => toHex(v) })
  .map((l) => l.sort((a, b) => (toHex(a) < toHex(b) ? -1 : toHex(a) > toHex(b) ? 1 : 0)));
const pledges: fc.Arbitrary<Pledges> = fc.oneof(
  fc.record({
    type: fc.constant("prepare" as const),
    quorumSetHash: bytes32,
    ballot,
    prepared: fc.option(ballot, { nil: null }),
    preparedPrime: fc.option(ballot, { nil: null }),
    nC: u32,
    nH: u32,
  }),
  fc.record({
    type: fc.constant("confirm" as const),
    quorumSetHash: bytes32,
    ballot,
    nPrepared: u32,
    nCommit: u32,
    nH: u32,
  }),
  fc.record({
    type: fc.constant("externalize" as const),
    commit: ballot,
    nH: u32,
    commitQuorumSetHash: bytes32,
  }),
  fc.record({
    type: fc.constant("nominate" as const),
    quorumSetHash: bytes32,
    votes: sortedValues,
    accepted: sortedValues,
  }),
);
const statement: fc.Arbitrary<Statement> = fc.record({
  nodeId: bytes32,
  slotIndex: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  pledges,
});

const sample: Statement = {
  nodeId: new Uint8Array(32).fill(7),
  slotIndex: 5n,
  pledges: {
    type: "prepare",
    quorumSetHash: new Uint8Array(32).fill(1),
    ballot: { counter: 2, value: utf8("x") },
    prepared: { counter: 1, value: utf8("x") },
    preparedPrime: null,
    nC: 0,
    nH: 1,
  },
};

describe("statement and envelope encoding", () => {
  it("round-trips every statement kind", () => {
    fc.assert(
      fc.property(statement, fc.uint8Array({ minLength: 64, maxLength: 64 }), (st, sig) => {
        expect(decodeStatement(encodeStatement(st))).toEqual(st);
        const env: Envelope = { statement: st, signature: sig };
        expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("has a fixed layout (tag, little-endian fields)", () => {
    const b = encodeStatement(sample);
    expect(b.length).toBe(32 + 8 + 1 + 32 + (4 + 4 + 1) + (1 + 4 + 4 + 1) + 1 + 4 + 4);
    expect(b[40]).toBe(0); // PREPARE tag
    expect(toHex(b.subarray(32, 40))).toBe("0500000000000000");
  });

  it("must-fail: trailing bytes", () => {
    const b = encodeStatement(sample);
    const bad = new Uint8Array(b.length + 1);
    bad.set(b);
    let err: unknown;
    try {
      decodeStatement(bad);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ScpCode.DECODE_FAILED)).toBe(true);
    expect((err as CodedError).meta["decodeCode"]).toBe("DECODE_TRAILING_BYTES");
  });

  it("must-fail: truncated input", () => {
    const b = encodeStatement(sample);
    for (let n = 0; n < b.length; n++)
      expect(codeOf(() => decodeStatement(b.subarray(0, n)))).toBe(ScpCode.DECODE_FAILED);
  });

  it("must-fail: unknown statement type and bad optional flag", () => {
    const b = encodeStatement(sample);
    const badType = b.slice();
    badType[40] = 4;
    expect(codeOf(() => decodeStatement(badType))).toBe(ScpCode.DECODE_BAD_TAG);
    const badFlag = b.slice();
    badFlag[32 + 8 + 1 + 32 + 9] = 2; // the `prepared` flag
    expect(codeOf(() => decodeStatement(badFlag))).toBe(ScpCode.DECODE_BAD_TAG);
  });

  it("must-fail: oversized value", () => {
    const big: Statement = {
      ...sample,
      pledges: {
        ...(sample.pledges as object),
        ballot: { counter: 1, value: new Uint8Array(MAX_VALUE_SIZE + 1) },
      } as Pledges,
    };
    expect(codeOf(() => decodeStatement(encodeStatement(big)))).toBe(ScpCode.DECODE_FAILED);
  });

  it("must-fail: envelope with a short signature", () => {
    const env = encodeEnvelope({ statement: sample, signature: new Uint8Array(64) });
    expect(codeOf(() => decodeEnvelope(env.subarray(0, env.length - 1)))).toBe(ScpCode.DECODE_FAILED);
    expect(() => encodeEnvelope({ statement: sample, signature: new Uint8Array(63) })).toThrow(RangeError);
  });

  it("never throws anything but SCP_DECODE_* on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        for (const f of [decodeStatement, decodeEnvelope, decodeQuorumSet]) {
          const c = codeOf(() => f(b));
          if (c !== undefined) expect(c.startsWith("SCP_DECODE_")).toBe(true);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("never throws anything but SCP_DECODE_* on mutated valid encodings", () => {
    fc.assert(
      fc.property(statement, fc.nat(), fc.nat({ max: 255 }), (st, pos, byte) => {
        const b = encodeStatement(st);
        b[pos % b.length] = byte;
        const c = codeOf(() => decodeStatement(b));
        if (c !== undefined) expect(c.startsWith("SCP_DECODE_")).toBe(true);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("quorum-set encoding", () => {
  const id = (i: number) => new Uint8Array(32).fill(i);
  it("must-fail: nesting beyond 4 levels", () => {
    let q: QuorumSet = { threshold: 1, validators: [id(9)], innerSets: [] };
    for (let i = 0; i < 4; i++) q = { threshold: 1, validators: [id(i)], innerSets: [q] };
    expect(decodeQuorumSet(encodeQuorumSet(q))).toEqual(q);
    const deeper: QuorumSet = { threshold: 1, validators: [id(20)], innerSets: [q] };
    expect(codeOf(() => decodeQuorumSet(encodeQuorumSet(deeper)))).toBe(ScpCode.DECODE_LIMIT);
  });
  it("must-fail: more than 1000 validators", () => {
    const many = Array.from({ length: 1001 }, (_, i) => {
      const b = new Uint8Array(32);
      b[0] = i & 255;
      b[1] = i >> 8;
      return b;
    });
    const ok: QuorumSet = { threshold: 1, validators: many.slice(0, 1000), innerSets: [] };
    expect(decodeQuorumSet(encodeQuorumSet(ok)).validators.length).toBe(1000);
    const tooMany: QuorumSet = {
      threshold: 1,
      validators: many.slice(0, 500),
      innerSets: [{ threshold: 1, validators: many.slice(500), innerSets: [] }],
    };
    expect(codeOf(() => decodeQuorumSet(encodeQuorumSet(tooMany)))).toBe(ScpCode.DECODE_LIMIT);
  });
  it("hashes differ by label-separated content and are stable", () => {
    const q: QuorumSet = { threshold: 1, validators: [id(1)], innerSets: [] };
    expect(quorumSetHash(q).length).toBe(32);
    expect(quorumSetHash(q)).toEqual(quorumSetHash({ threshold: 1, validators: [id(1)], innerSets: [] }));
  });
});

describe("nomination hashes", () => {
  it("separate neighbourhood and priority and depend on every input", () => {
    const n = new Uint8Array(32).fill(3);
    const prev = utf8("prev");
    const base = defaultHashNode(1n, prev, true, 1, n);
    expect(defaultHashNode(1n, prev, false, 1, n)).not.toBe(base);
    expect(defaultHashNode(2n, prev, true, 1, n)).not.toBe(base);
    expect(defaultHashNode(1n, prev, true, 2, n)).not.toBe(base);
    expect(defaultHashNode(1n, utf8("prev2"), true, 1, n)).not.toBe(base);
    expect(base < 1n << 64n).toBe(true);
    expect(defaultHashValue(1n, prev, 1, utf8("a"))).not.toBe(defaultHashValue(1n, prev, 1, utf8("b")));
  });
});
