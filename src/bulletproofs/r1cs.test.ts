/**
 * Prover → verifier round trips on small circuits (one and two phases, padding, zero multipliers,
 * allocation styles) and the must-fail twins: tampered proof fields, wrong commitments, wrong
 * transcript, unsatisfied assignments, capacity, missing assignments.
 */
import { describe, expect, it } from "vitest";
import { checkStatement } from "../crypto/batch.js";
import { BulletproofGens, pedersenCommit } from "../crypto/generators.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { encodeScalar, L, randomScalar } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { concatBytes, toHex } from "../util/bytes.js";
import { DecodeCode } from "../util/errors.js";
import { seededRng } from "../util/rng.js";
import type { ConstraintSystem } from "./constraintSystem.js";
import { R1csCode } from "./errors.js";
import { productGadget, shuffleGadget } from "./examples.js";
import { Variable, VariableKind } from "./linearCombination.js";
import { decodeR1csProof, encodeR1csProof, type R1csProof, r1csProofSize } from "./proof.js";
import { Prover } from "./prover.js";
import { Verifier } from "./verifier.js";

const gens = BulletproofGens.withCapacity(64);

type Gadget = (cs: ConstraintSystem, vars: readonly Variable[]) => void;

interface Made {
  proof: R1csProof;
  bytes: Uint8Array;
  commitments: CompressedPoint[];
}

function blindingFor(label: string, i: number): bigint {
  return randomScalar(seededRng(`blinding ${label} ${i}`));
}

function prove(
  label: string,
  values: readonly bigint[],
  gadget: Gadget,
  opts: { seed?: string; check?: boolean } = {},
): Made {
  const p = new Prover(Transcript.create(label));
  const committed = values.map((v, i) => p.commit(v, blindingFor(label, i)));
  gadget(
    p,
    committed.map((c) => c.variable),
  );
  const proof = p.prove(gens, seededRng(opts.seed ?? `prove ${label}`), {
    checkConstraints: opts.check ?? true,
  });
  return { proof, bytes: encodeR1csProof(proof), commitments: committed.map((c) => c.commitment) };
}

function verify(
  label: string,
  commitments: readonly (CompressedPoint | Uint8Array)[],
  gadget: Gadget,
  proof: R1csProof | Uint8Array,
  bp: BulletproofGens = gens,
): void {
  const v = new Verifier(Transcript.create(label));
  const vars = commitments.map((c) => v.commit(c));
  gadget(v, vars);
  v.verify(proof instanceof Uint8Array ? decodeR1csProof(proof) : proof, bp, seededRng(`verify ${label}`));
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e && typeof e === "object" && "code" in e) return String(e.code);
    throw e;
  }
  return "NO ERROR";
}

const mul: Gadget = (cs, [x, y]) => productGadget(cs, x!, y!, 21n);
const shuffle2: Gadget = (cs, [x0, x1, y0, y1]) => shuffleGadget(cs, [x0!, x1!], [y0!, y1!]);
const mixed: Gadget = (cs, [a, b, c, d]) => {
  productGadget(cs, a!, b!, 21n);
  shuffleGadget(cs, [a!, b!], [c!, d!]);
};
/** One phase, three multipliers (padded to 4), built with allocate / allocateMultiplier / multiply. */
const three: Gadget = (cs, [x, y]) => {
  const a = cs.allocate(cs.evaluate(x!));
  const b = cs.allocate(cs.evaluate(y!));
  cs.constrain(a.sub(x!));
  cs.constrain(b.sub(y!));
  const ab = new Variable(VariableKind.MultiplierOutput, a.index); // output of the multiplier holding a, b
  const xv = cs.evaluate(x!);
  const [l, r, o] = cs.allocateMultiplier(xv === undefined ? undefined : [xv, 2n]);
  cs.constrain(l.sub(x!));
  cs.constrain(r.sub(2));
  const [, , o2] = cs.multiply(ab, 1n);
  cs.constrain(o2.sub(21));
  cs.constrain(o.sub(6));
};
/** No multipliers at all: two commitments to equal values. */
const equal: Gadget = (cs, [x, y]) => cs.constrain(x!.sub(y!));
/** 32-bit range proof (32 multipliers, one phase): v = Σ 2^i·bᵢ with bᵢ·(1 − bᵢ) = 0. */
const range32: Gadget = (cs, [v]) => {
  const value = cs.evaluate(v!);
  let sum = v!.neg();
  for (let i = 0; i < 32; i++) {
    const bit = value === undefined ? undefined : (value >> BigInt(i)) & 1n;
    const [l, r, o] = cs.allocateMultiplier(bit === undefined ? undefined : [bit, 1n - bit]);
    cs.constrain(o);
    cs.constrain(l.add(r).sub(1));
    sum = sum.add(l.mul(1n << BigInt(i)));
  }
  cs.constrain(sum);
};
describe("R1CS prove → verify round trips", () => {
  const cases: { name: string; values: bigint[]; gadget: Gadget; size: number; version: number }[] = [
    { name: "x·y = 21 (n=1)", values: [3n, 7n], gadget: mul, size: 417, version: 0 },
    {
      name: "2-shuffle, phase 2 only (n=2)",
      values: [5n, 9n, 9n, 5n],
      gadget: shuffle2,
      size: 577,
      version: 1,
    },
    {
      name: "mixed 1+2 multipliers, padded 3→4",
      values: [3n, 7n, 7n, 3n],
      gadget: mixed,
      size: 641,
      version: 1,
    },
    { name: "one phase, 3 multipliers padded to 4", values: [3n, 7n], gadget: three, size: 545, version: 0 },
    { name: "zero multipliers (padded to 1)", values: [42n, 42n], gadget: equal, size: 417, version: 0 },
    { name: "32-bit range proof (n=32)", values: [0xdead_beefn], gadget: range32, size: 737, version: 0 },
  ];
  for (const c of cases) {
    it(`${c.name}: verifies, ${c.size} bytes, re-decodes byte for byte`, () => {
      const label = `rt ${c.name}`;
      const made = prove(label, c.values, c.gadget);
      expect(made.bytes.length).toBe(c.size);
      expect(r1csProofSize(made.proof)).toBe(c.size);
      expect(made.bytes[0]).toBe(c.version);
      expect(toHex(encodeR1csProof(decodeR1csProof(made.bytes)))).toBe(toHex(made.bytes));
      verify(label, made.commitments, c.gadget, made.bytes);
      if (c.gadget === equal) {
        // Same shape as the reference's zero-multiplier proofs (e.g. taproot_key_path in
        // zkvm_tx_valid.json): l = [0], r = [-1], so a = 0 and b = ℓ - 1.
        expect([made.proof.ipp.a, made.proof.ipp.b, made.proof.tX]).toEqual([0n, L - 1n, 0n]);
      }
      // must-fail twin: same proof, other commitments (first value + 1)
      const other = made.commitments.slice();
      other[0] = CompressedPoint.fromPoint(pedersenCommit(c.values[0]! + 1n, blindingFor(label, 0)));
      expect(codeOf(() => verify(label, other, c.gadget, made.bytes))).toBe(R1csCode.VERIFICATION_FAILED);
    });
  }

  it("the prover's transcript equals the verifier's, and seeded proofs are reproducible", () => {
    const label = "transcripts";
    const values = [3n, 7n, 7n, 3n];
    const logOf = (t: Transcript): string[] => {
      const log: string[] = [];
      const append = t.appendMessage.bind(t);
      const challenge = t.challengeBytes.bind(t);
      t.appendMessage = (l: string | Uint8Array, m: Uint8Array) => {
        log.push(`${String(l)}=${toHex(m)}`);
        return append(l, m);
      };
      t.challengeBytes = (l: string | Uint8Array, n: number) => {
        const out = challenge(l, n);
        log.push(`${String(l)}?${toHex(out)}`);
        return out;
      };
      return log;
    };
    const tp = Transcript.create(label);
    const pLog = logOf(tp);
    const p = new Prover(tp);
    const committed = values.map((v, i) => p.commit(v, blindingFor(label, i)));
    mixed(
      p,
      committed.map((c) => c.variable),
    );
    const proof = p.prove(gens, seededRng("seed A"));
    const tv = Transcript.create(label);
    const vLog = logOf(tv);
    const v = new Verifier(tv);
    mixed(
      v,
      committed.map((c) => v.commit(c.commitment)),
    );
    v.verify(proof, gens, seededRng("w"));
    expect(vLog).toEqual(pLog);
    expect(pLog.filter((s) => s.startsWith("u?")).length).toBe(1 + 2);
    expect(toHex(prove(label, values, mixed, { seed: "seed A" }).bytes)).toBe(toHex(encodeR1csProof(proof)));
    expect(toHex(prove(label, values, mixed, { seed: "seed B" }).bytes)).not.toBe(
      toHex(encodeR1csProof(proof)),
    );
  });

  it("the caller can append to the transcript between commitments and proving (ZkVM txid hook)", () => {
    const label = "hook";
    const txid = new Uint8Array(32).fill(7);
    const p = new Prover(Transcript.create(label));
    const vars = [3n, 7n].map((x, i) => p.commit(x, blindingFor(label, i)));
    mul(
      p,
      vars.map((c) => c.variable),
    );
    p.transcript.appendMessage("ZkVM.txid", txid);
    const proof = p.prove(gens, seededRng("hook"));
    const run = (extra: Uint8Array | undefined): void => {
      const v = new Verifier(Transcript.create(label));
      const vv = vars.map((c) => v.commit(c.commitment));
      mul(v, vv);
      if (extra) v.transcript.appendMessage("ZkVM.txid", extra);
      v.verify(proof, gens, seededRng("w"));
    };
    run(txid);
    expect(codeOf(() => run(undefined))).toBe(R1csCode.VERIFICATION_FAILED);
    expect(codeOf(() => run(new Uint8Array(32).fill(8)))).toBe(R1csCode.VERIFICATION_FAILED);
  });

  it("4-shuffle with nested randomized callbacks (n2=7, padded 8) verifies; a non-permutation fails", () => {
    const nested: Gadget = (cs, vars) => {
      shuffleGadget(cs, vars.slice(0, 4), vars.slice(4, 8));
      cs.specifyRandomizedConstraints((rcs) => {
        const c = rcs.challengeScalar("outer");
        rcs.specifyRandomizedConstraints((inner) => {
          // Registered during phase 2: runs at once and sees the later challenge.
          const d = inner.challengeScalar("inner");
          const [l, r, o] = inner.multiply(vars[0]!.mul(c), vars[1]!.mul(d));
          inner.constrain(o.sub(l).sub(r).sub(o).add(l).add(r)); // trivially true, exercises LC algebra
        });
        expect(rcs.metrics().pendingRandomizations).toBe(0);
      });
    };
    const values = [1n, 2n, 3n, 4n, 4n, 1n, 3n, 2n];
    const made = prove("shuffle4", values, nested);
    expect(made.proof.ipp.lVec.length).toBe(3);
    verify("shuffle4", made.commitments, nested, made.bytes);
    const bad = [1n, 2n, 3n, 4n, 4n, 1n, 3n, 3n];
    expect(codeOf(() => prove("shuffle4", bad, nested))).toBe(R1csCode.UNSATISFIED_CONSTRAINT);
    const forced = prove("shuffle4", bad, nested, { check: false });
    expect(codeOf(() => verify("shuffle4", forced.commitments, nested, forced.bytes))).toBe(
      R1csCode.VERIFICATION_FAILED,
    );
  });

  it("metrics count multipliers and constraints per phase", () => {
    const p = new Prover(Transcript.create("metrics"));
    const vars = [3n, 7n, 7n, 3n].map((x, i) => p.commit(x, BigInt(i + 1)).variable);
    mixed(p, vars);
    expect(p.metrics()).toEqual({
      multipliers: 1,
      phaseOneMultipliers: 1,
      phaseTwoMultipliers: 0,
      constraints: 3,
      phaseOneConstraints: 3,
      phaseTwoConstraints: 0,
      pendingRandomizations: 1,
    });
    p.prove(gens, seededRng("m"));
    expect(p.metrics()).toEqual({
      multipliers: 3,
      phaseOneMultipliers: 1,
      phaseTwoMultipliers: 2,
      constraints: 8,
      phaseOneConstraints: 3,
      phaseTwoConstraints: 5,
      pendingRandomizations: 0,
    });
    expect(() => p.prove(gens, seededRng("m"))).toThrow(TypeError);
    expect(() => p.constrain(1)).toThrow(TypeError);
  });
});

describe("R1CS must-fail cases", () => {
  const label = "tamper";
  const values = [3n, 7n, 7n, 3n];
  const made = prove(label, values, mixed); // two phases, n=3 → 2 IPP rounds
  const check = (bytes: Uint8Array): string => codeOf(() => verify(label, made.commitments, mixed, bytes));
  const B = new CompressedPoint(
    Uint8Array.from([
      0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f, 0x58,
      0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76,
    ]),
  );
  const badPoint = new Uint8Array(32).fill(0xff); // not a canonical field element
  const pointFields: { name: string; index: number; validated: boolean }[] = [
    ["A_I1", true],
    ["A_O1", true],
    ["S1", true],
    ["A_I2", false],
    ["A_O2", false],
    ["S2", false],
    ["T_1", true],
    ["T_3", true],
    ["T_4", true],
    ["T_5", true],
    ["T_6", true],
  ].map(([name, validated], i) => ({ name: name as string, index: i, validated: validated as boolean }));
  for (const k of [0, 1]) {
    pointFields.push({ name: `ipp L[${k}]`, index: 14 + 2 * k, validated: true });
    pointFields.push({ name: `ipp R[${k}]`, index: 15 + 2 * k, validated: true });
  }
  const scalarFields = [
    { name: "t_x", index: 11 },
    { name: "t_x_blinding", index: 12 },
    { name: "e_blinding", index: 13 },
    { name: "ipp a", index: 18 },
    { name: "ipp b", index: 19 },
  ];
  const withElement = (index: number, el: Uint8Array): Uint8Array => {
    const out = made.bytes.slice();
    out.set(el, 1 + 32 * index);
    return out;
  };

  it("the untampered proof verifies", () => {
    expect(made.bytes.length).toBe(1 + 32 * 20);
    expect(check(made.bytes)).toBe("NO ERROR");
  });

  for (const f of pointFields) {
    it(`${f.name}: another valid point, the identity, an invalid encoding, a flipped bit`, () => {
      expect(check(withElement(f.index, B.bytes))).toBe(R1csCode.VERIFICATION_FAILED);
      const identityCode = f.validated ? R1csCode.INVALID_POINT : R1csCode.VERIFICATION_FAILED;
      expect(check(withElement(f.index, new Uint8Array(32)))).toBe(identityCode);
      expect(check(withElement(f.index, badPoint))).toBe(R1csCode.INVALID_POINT);
      const flipped = made.bytes.slice();
      flipped[1 + 32 * f.index + 5]! ^= 0x10;
      expect([R1csCode.INVALID_POINT, R1csCode.VERIFICATION_FAILED]).toContain(check(flipped));
    });
  }

  for (const f of scalarFields) {
    it(`${f.name}: +1 fails verification, ℓ is a non-canonical scalar`, () => {
      const orig = made.bytes.slice(1 + 32 * f.index, 1 + 32 * f.index + 32);
      let v = 0n;
      for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(orig[i]!);
      expect(check(withElement(f.index, encodeScalar((v + 1n) % L)))).toBe(R1csCode.VERIFICATION_FAILED);
      const ell = new Uint8Array(32);
      let x = L;
      for (let i = 0; i < 32; i++, x >>= 8n) ell[i] = Number(x & 0xffn);
      expect(check(withElement(f.index, ell))).toBe(DecodeCode.NONCANONICAL_SCALAR);
    });
  }

  it("a proof checked against another transcript label fails", () => {
    expect(codeOf(() => verify("tamper?", made.commitments, mixed, made.bytes))).toBe(
      R1csCode.VERIFICATION_FAILED,
    );
  });

  it("an undecodable commitment V is R1CS_INVALID_POINT", () => {
    const cs = [...made.commitments];
    cs[2] = new CompressedPoint(badPoint);
    const err = (() => {
      try {
        verify(label, cs, mixed, made.bytes);
      } catch (e) {
        return e as { code: string; meta: { what: string } };
      }
      return undefined;
    })();
    expect(err?.code).toBe(R1csCode.INVALID_POINT);
    expect(err?.meta.what).toBe("V[2]");
  });

  it("extra or missing inner-product rounds fail verification; partial elements fail decoding", () => {
    const extra = concatBytes(made.bytes.subarray(0, made.bytes.length - 64), made.bytes.subarray(-128));
    expect(decodeR1csProof(extra).ipp.lVec.length).toBe(3);
    expect(check(extra)).toBe(R1csCode.VERIFICATION_FAILED);
    const fewer = concatBytes(made.bytes.subarray(0, made.bytes.length - 128), made.bytes.subarray(-64));
    expect(check(fewer)).toBe(R1csCode.VERIFICATION_FAILED);
    expect(check(concatBytes(made.bytes, new Uint8Array(1)))).toBe(DecodeCode.INVALID_FORMAT);
    expect(check(concatBytes(made.bytes, new Uint8Array(32)))).toBe(DecodeCode.INVALID_FORMAT);
    expect(check(made.bytes.subarray(0, made.bytes.length - 1))).toBe(DecodeCode.INVALID_FORMAT);
    expect(check(made.bytes.subarray(0, 1 + 32 * 15))).toBe(DecodeCode.UNEXPECTED_END);
  });

  it("unsatisfied assignment: the prover refuses (coded), or with checks off makes a failing proof", () => {
    const err = (() => {
      try {
        prove("unsat", [3n, 8n], mul);
      } catch (e) {
        return e as { code: string; meta: { index: number; phase: number } };
      }
      return undefined;
    })();
    expect(err?.code).toBe(R1csCode.UNSATISFIED_CONSTRAINT);
    expect(err?.meta).toEqual({ index: 2, phase: 1 });
    const forced = prove("unsat", [3n, 8n], mul, { check: false });
    expect(codeOf(() => verify("unsat", forced.commitments, mul, forced.bytes))).toBe(
      R1csCode.VERIFICATION_FAILED,
    );
  });

  it("generator capacity: prover and verifier refuse more padded multipliers than the capacity", () => {
    const small = BulletproofGens.withCapacity(2);
    const p1 = new Prover(Transcript.create("cap"));
    three(
      p1,
      [3n, 7n].map((x, i) => p1.commit(x, BigInt(i + 5)).variable),
    );
    expect(codeOf(() => p1.prove(small, seededRng("cap")))).toBe(R1csCode.GENERATORS_CAPACITY);
    // phase-1 count alone over capacity
    const p2 = new Prover(Transcript.create("cap"));
    for (let i = 0; i < 3; i++) p2.allocateMultiplier([1n, 1n]);
    expect(codeOf(() => p2.prove(small, seededRng("cap")))).toBe(R1csCode.GENERATORS_CAPACITY);
    expect(codeOf(() => verify(label, made.commitments, mixed, made.bytes, small))).toBe(
      R1csCode.GENERATORS_CAPACITY,
    );
    verify(label, made.commitments, mixed, made.bytes, BulletproofGens.withCapacity(4));
  });

  it("gadget misuse and reuse of a consumed verifier are refused", () => {
    const p = new Prover(Transcript.create("misuse"));
    const x = p.commit(1n, 2n).variable;
    expect(codeOf(() => shuffleGadget(p, [x], []))).toBe(R1csCode.GADGET);
    const v = new Verifier(Transcript.create(label));
    mixed(
      v,
      made.commitments.map((c) => v.commit(c)),
    );
    v.verify(made.proof, gens, seededRng("once"));
    expect(() => v.verify(made.proof, gens, seededRng("twice"))).toThrow(TypeError);
    expect(() => v.commit(made.commitments[0]!)).toThrow(TypeError);
  });

  it("missing assignments are refused by the prover only", () => {
    const p = new Prover(Transcript.create("missing"));
    expect(codeOf(() => p.allocate())).toBe(R1csCode.MISSING_ASSIGNMENT);
    expect(codeOf(() => p.allocateMultiplier())).toBe(R1csCode.MISSING_ASSIGNMENT);
    const left = p.allocate(5n);
    expect(codeOf(() => p.allocate())).toBe(R1csCode.MISSING_ASSIGNMENT);
    const right = p.allocate(6n);
    expect([left.toString(), right.toString()]).toEqual(["L0", "R0"]);
    expect(p.evaluate(new Variable(VariableKind.MultiplierOutput, 0))).toBe(30n);
    const v = new Verifier(Transcript.create("missing"));
    expect(v.allocate().toString()).toBe("L0");
    expect(v.allocate().toString()).toBe("R0");
    expect(v.allocateMultiplier().map(String)).toEqual(["L1", "R1", "O1"]);
    expect(v.evaluate(Variable.ONE)).toBeUndefined();
  });

  it("a statement batched with a false one fails; the true one alone holds", () => {
    const v = new Verifier(Transcript.create(label));
    mixed(
      v,
      made.commitments.map((c) => v.commit(c)),
    );
    const stmt = v.verificationStatement(decodeR1csProof(made.bytes), gens, seededRng("r"));
    expect(checkStatement(stmt)).toBe(true);
    expect(checkStatement({ ...stmt, b: ((stmt.b ?? 0n) + 1n) % L })).toBe(false);
  });
});
