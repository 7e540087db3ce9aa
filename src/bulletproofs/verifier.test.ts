/**
 * The verifier against the Rust reference's vectors: the three standalone proofs of
 * fixtures/r1cs_trace.json layer by layer (transcript operations, challenges, flattened weights,
 * inner-product scalars, every MSM term as c0 + r·c1) and the two ZkVM-shaped proofs of
 * fixtures/zkvm_trace.json (transcript replayed, weights taken from the vector).
 */
import { describe, expect, it } from "vitest";
import { checkStatement } from "../crypto/batch.js";
import { BulletproofGens, pedersenCommit, pedersenGens } from "../crypto/generators.js";
import { scalarArray } from "../crypto/msm/backend.js";
import { loadNativeBackend } from "../crypto/msm/native.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { bytesToBigintLE, encodeScalar } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { Reader } from "../util/reader.js";
import { seededRng } from "../util/rng.js";
import type { ConstraintSystem } from "./constraintSystem.js";
import { R1csCode } from "./errors.js";
import { productGadget, shuffleGadget } from "./examples.js";
import r1csTrace from "./fixtures/r1cs_trace.json" with { type: "json" };
import zkvmTrace from "./fixtures/zkvm_trace.json" with { type: "json" };
import type { Variable } from "./linearCombination.js";
import { decodeR1csProof, encodeR1csProof } from "./proof.js";
import {
  combineParts,
  finishVerification,
  type VerificationParts,
  Verifier,
  verificationMsmSize,
} from "./verifier.js";

const gens = BulletproofGens.withCapacity(r1csTrace.bulletproof_gens.gens_capacity);
const nativeBackend = loadNativeBackend();
const sc = (hex: string): bigint => bytesToBigintLE(fromHex(hex, 32));
const hexOf = (s: bigint): string => toHex(encodeScalar(s));

interface Op {
  op: string;
  label: string;
  hex: string;
}

/** Records every append and challenge made on `t` from now on. */
function record(t: Transcript): Op[] {
  const ops: Op[] = [];
  const append = t.appendMessage.bind(t);
  const challenge = t.challengeBytes.bind(t);
  const label = (l: string | Uint8Array): string => (typeof l === "string" ? l : new TextDecoder().decode(l));
  t.appendMessage = (l: string | Uint8Array, msg: Uint8Array) => {
    ops.push({ op: "append", label: label(l), hex: toHex(msg) });
    return append(l, msg);
  };
  t.challengeBytes = (l: string | Uint8Array, n: number) => {
    const out = challenge(l, n);
    ops.push({ op: "challenge", label: label(l), hex: toHex(out) });
    return out;
  };
  return ops;
}

/** The recorded ops of a vector, without the implicit first dom-sep and the final build_rng marker. */
function vectorOps(ops: readonly { op: string; label?: string; hex?: string }[]): Op[] {
  return ops
    .slice(1)
    .flatMap((o) => (o.op === "build_rng" ? [] : [{ op: o.op, label: o.label!, hex: o.hex! }]));
}

type Gadget = (cs: ConstraintSystem, v: readonly Variable[]) => void;
const GADGETS: Record<string, Gadget> = {
  mul: (cs, [x, y]) => productGadget(cs, x!, y!, 21n),
  shuffle2: (cs, [x0, x1, y0, y1]) => shuffleGadget(cs, [x0!, x1!], [y0!, y1!]),
  mixed: (cs, [a, b, c, d]) => {
    productGadget(cs, a!, b!, 21n);
    shuffleGadget(cs, [a!, b!], [c!, d!]);
  },
};

type TraceTerm = { name: string; index: number; c0: string; c1: string; point?: string };

/** Compares every MSM term of the parts with the reference's list (same order, c0 and c1). */
function expectTerms(parts: VerificationParts, terms: readonly TraceTerm[], size: number): void {
  const mine: { name: string; index: number; c0: bigint; c1: bigint; point?: string }[] = [];
  const nDyn = parts.points.length;
  const nIpp = parts.names.filter((n) => n.startsWith("ipp")).length / 2;
  const dynamic = parts.names.map((name, i) => {
    const m = /^(?:ipp )?(\w+)(?:\[(\d+)\])?$/.exec(name)!;
    return {
      name: m[1]!,
      index: Number(m[2] ?? 0),
      c0: parts.c0[i]!,
      c1: parts.c1[i]!,
      point: parts.points[i]!.toHex(),
    };
  });
  // Reference order: A_I1..S2, V…, T…, B, B_blinding, G…, H…, L…, R….
  mine.push(...dynamic.slice(0, nDyn - 2 * nIpp));
  const pc = pedersenGens();
  mine.push({ name: "B", index: 0, c0: parts.b[0], c1: parts.b[1], point: toHex(pc.B.toBytes()) });
  mine.push({
    name: "B_blinding",
    index: 0,
    c0: parts.b2[0],
    c1: parts.b2[1],
    point: toHex(pc.B2.toBytes()),
  });
  for (const [index, c0] of parts.g.entries()) mine.push({ name: "G", index, c0, c1: 0n });
  for (const [index, c0] of parts.h.entries()) mine.push({ name: "H", index, c0, c1: 0n });
  mine.push(...dynamic.slice(nDyn - 2 * nIpp));
  expect(mine.length).toBe(terms.length);
  expect(mine.length).toBe(size);
  for (let i = 0; i < terms.length; i++) {
    const ref = terms[i]!;
    const got = mine[i]!;
    expect(`${got.name}[${got.index}]`).toBe(`${ref.name}[${ref.index}]`);
    expect(hexOf(got.c0)).toBe(ref.c0);
    expect(hexOf(got.c1)).toBe(ref.c1);
    if (ref.point !== undefined) expect(got.point).toBe(ref.point);
  }
}

interface Internals {
  y: string;
  z: string;
  u: string;
  x: string;
  w: string;
  delta: string;
  wL: string[];
  wR: string[];
  wO: string[];
  wV: string[];
  wc: string;
  ipp_u_sq: string[];
  ipp_u_inv_sq: string[];
  ipp_s: string[];
  g_scalars: string[];
  h_scalars: string[];
}

function expectInternals(parts: VerificationParts, ref: Internals): void {
  const i = parts.internals;
  expect([i.y, i.z, i.u, i.x, i.w, i.delta].map(hexOf)).toEqual([
    ref.y,
    ref.z,
    ref.u,
    ref.x,
    ref.w,
    ref.delta,
  ]);
  expect(i.weights.wL.map(hexOf)).toEqual(ref.wL);
  expect(i.weights.wR.map(hexOf)).toEqual(ref.wR);
  expect(i.weights.wO.map(hexOf)).toEqual(ref.wO);
  expect(i.weights.wV.map(hexOf)).toEqual(ref.wV);
  expect(hexOf(i.weights.wc)).toBe(ref.wc);
  expect(i.ipp.uSq.map(hexOf)).toEqual(ref.ipp_u_sq);
  expect(i.ipp.uInvSq.map(hexOf)).toEqual(ref.ipp_u_inv_sq);
  expect(i.ipp.s.map(hexOf)).toEqual(ref.ipp_s);
  expect(parts.g.map(hexOf)).toEqual(ref.g_scalars);
  expect(parts.h.map(hexOf)).toEqual(ref.h_scalars);
}

/** Builds the verifier of a trace proof up to (not including) verification. */
function traceVerifier(pv: (typeof r1csTrace.proofs)[number]): { t: Transcript; ops: Op[]; ver: Verifier } {
  const t = Transcript.create(pv.transcript_label);
  const ops = record(t);
  for (const a of pv.app_appends_before_cs) t.appendMessage(a.label, fromHex(a.hex));
  const ver = new Verifier(t);
  const vars = pv.inputs.map((inp) => ver.commit(fromHex(inp.commitment_V, 32)));
  GADGETS[pv.name]!(ver, vars);
  return { t, ops, ver };
}

describe("R1CS verifier: reference standalone proofs (r1cs_trace.json)", () => {
  it("uses the reference's Pedersen generators and commitments", () => {
    const pc = pedersenGens();
    expect(toHex(pc.B.toBytes())).toBe(r1csTrace.pedersen_gens.B);
    expect(toHex(pc.B2.toBytes())).toBe(r1csTrace.pedersen_gens.B_blinding);
    for (const pv of r1csTrace.proofs)
      for (const inp of pv.inputs)
        expect(toHex(pedersenCommit(BigInt(inp.value), sc(inp.blinding)).toBytes())).toBe(inp.commitment_V);
  });

  for (const pv of r1csTrace.proofs) {
    it(`${pv.name}: decodes field by field and re-encodes byte for byte`, () => {
      const bytes = fromHex(pv.proof_hex);
      expect(bytes.length).toBe(pv.proof_len);
      expect(bytes[0]).toBe(pv.proof_parsed.version_byte);
      const p = decodeR1csProof(bytes);
      const f = pv.proof_parsed.fields as Record<string, string | string[]>;
      const zero = "00".repeat(32);
      expect(p.aI1.toHex()).toBe(f.A_I1);
      expect(p.aO1.toHex()).toBe(f.A_O1);
      expect(p.s1.toHex()).toBe(f.S1);
      expect(p.aI2.toHex()).toBe(f.A_I2 ?? zero);
      expect(p.aO2.toHex()).toBe(f.A_O2 ?? zero);
      expect(p.s2.toHex()).toBe(f.S2 ?? zero);
      expect([p.t1, p.t3, p.t4, p.t5, p.t6].map((x) => x.toHex())).toEqual([
        f.T_1,
        f.T_3,
        f.T_4,
        f.T_5,
        f.T_6,
      ]);
      expect([p.tX, p.tXBlinding, p.eBlinding].map(hexOf)).toEqual([f.t_x, f.t_x_blinding, f.e_blinding]);
      expect(p.ipp.lVec.map((x) => x.toHex())).toEqual(f.ipp_L);
      expect(p.ipp.rVec.map((x) => x.toHex())).toEqual(f.ipp_R);
      expect([p.ipp.a, p.ipp.b].map(hexOf)).toEqual([f.ipp_a, f.ipp_b]);
      expect(toHex(encodeR1csProof(p))).toBe(pv.proof_hex);
    });

    it(`${pv.name}: reproduces every transcript operation, the internals and each MSM term`, () => {
      const { ops, ver } = traceVerifier(pv);
      const parts = ver.verificationParts(decodeR1csProof(fromHex(pv.proof_hex)), gens);
      expect(ops).toEqual(vectorOps(pv.verifier_transcript.ops));
      const challenges = ops.filter((o) => o.op === "challenge").map((o) => o.label);
      expect(challenges).toEqual(pv.challenges_in_order.map((c) => c.label));
      expectInternals(parts, pv.verifier_internals);
      expect(parts.paddedN).toBe(pv.sizes.padded_n);
      expectTerms(parts, pv.final_msm.terms, pv.sizes.final_msm_size);
      expect(verificationMsmSize(pv.sizes.m_committed_variables, pv.sizes.padded_n)).toBe(
        pv.sizes.final_msm_size,
      );
      const metrics = ver.metrics();
      expect([metrics.phaseOneMultipliers, metrics.phaseTwoMultipliers]).toEqual([
        pv.sizes.n1_phase1_multipliers,
        pv.sizes.n2_phase2_multipliers,
      ]);
      expect([metrics.phaseOneConstraints, metrics.constraints]).toEqual([
        pv.sizes.phase1_linear_constraints,
        pv.sizes.total_linear_constraints,
      ]);
      // Both halves hold on their own, so any weight works: r = 1 and a seeded random r.
      expect(checkStatement(combineParts(parts, 1n, gens))).toBe(true);
    });

    it(`${pv.name}: verifies; a flipped bit of t_x does not (must-fail twin)`, () => {
      const bytes = fromHex(pv.proof_hex);
      traceVerifier(pv).ver.verify(decodeR1csProof(bytes), gens, seededRng(`verify ${pv.name}`));
      expect(pv.tampered_t_x_bit_verifies).toBe(false);
      const tampered = bytes.slice();
      const tXOffset = 1 + 32 * (bytes[0] === 0 ? 8 : 11);
      tampered[tXOffset]! ^= 1;
      const err = captureError(() =>
        traceVerifier(pv).ver.verify(decodeR1csProof(tampered), gens, seededRng(`verify ${pv.name}`)),
      );
      expect(hasCode(err, R1csCode.VERIFICATION_FAILED)).toBe(true);
    });
  }

  it.skipIf(nativeBackend === undefined)(
    "with the native backend's kernels: the same statement as the JS path; verify accepts and rejects alike",
    () => {
      const backend = nativeBackend!;
      for (const pv of r1csTrace.proofs) {
        const bytes = fromHex(pv.proof_hex);
        const plain = traceVerifier(pv).ver.verificationStatement(
          decodeR1csProof(bytes),
          gens,
          seededRng("same"),
        );
        const fast = traceVerifier(pv).ver.verificationStatement(
          decodeR1csProof(bytes),
          gens,
          seededRng("same"),
          backend.kernels,
        );
        expect(fast.b).toBe(plain.b);
        expect(fast.b2).toBe(plain.b2);
        expect(fast.scalars).toEqual(plain.scalars);
        expect(fast.fixed!.map((t) => scalarArray(t.scalars))).toEqual(
          plain.fixed!.map((t) => scalarArray(t.scalars)),
        );
        traceVerifier(pv).ver.verify(decodeR1csProof(bytes), gens, seededRng("v"), { backend });
        const tampered = bytes.slice();
        tampered[1 + 32 * (bytes[0] === 0 ? 8 : 11)]! ^= 1;
        const err = captureError(() =>
          traceVerifier(pv).ver.verify(decodeR1csProof(tampered), gens, seededRng("v"), { backend }),
        );
        expect(hasCode(err, R1csCode.VERIFICATION_FAILED)).toBe(true);
      }
    },
  );

  it("a statement from a wrong gadget (constant 22 instead of 21) does not hold (must-fail twin)", () => {
    const pv = r1csTrace.proofs[0]!;
    const ver = new Verifier(Transcript.create(pv.transcript_label));
    const [x, y] = pv.inputs.map((inp) => ver.commit(fromHex(inp.commitment_V, 32)));
    productGadget(ver, x!, y!, 22n);
    const stmt = ver.verificationStatement(decodeR1csProof(fromHex(pv.proof_hex)), gens, seededRng("r"));
    expect(checkStatement(stmt)).toBe(false);
  });
});

function captureError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

/** The R1CS proof inside a serialized ZkVM tx (header, program, signature, proof). */
function txProof(txHex: string): Uint8Array {
  const r = new Reader(fromHex(txHex));
  r.readU64("version");
  r.readU64("mintime");
  r.readU64("maxtime");
  r.readSizedBytes(1 << 20, "program");
  r.readBytes(64, "signature");
  const proof = r.readSizedBytes(1 << 20, "proof");
  r.end("tx");
  return proof;
}

describe("R1CS verifier: ZkVM-shaped proofs (zkvm_trace.json)", () => {
  const zkGens = BulletproofGens.withCapacity(zkvmTrace.bulletproof_gens.gens_capacity);
  for (const tx of zkvmTrace.txs) {
    it(`${tx.name}: replays the transcript, reproduces the internals and MSM terms, and verifies`, () => {
      const r1cs = tx.r1cs;
      const proof = decodeR1csProof(txProof(tx.tx_hex));
      expect(toHex(encodeR1csProof(proof))).toBe(toHex(txProof(tx.tx_hex)));
      const refOps = vectorOps(r1cs.transcript.ops);
      const t = Transcript.create(r1cs.transcript.label);
      const ops = record(t);
      // Replay the VM's part (V's, txid, m, phase-1 points, gadget challenges) up to A_I2.
      const V: CompressedPoint[] = [];
      let k = 0;
      for (; refOps[k]!.label !== "A_I2"; k++) {
        const o = refOps[k]!;
        if (o.op === "append") t.appendMessage(o.label, fromHex(o.hex));
        else t.challengeBytes(o.label, o.hex.length / 2);
        if (o.label === "V") V.push(new CompressedPoint(fromHex(o.hex, 32)));
      }
      const ref = r1cs.verifier_internals;
      const weights = {
        wL: ref.wL.map(sc),
        wR: ref.wR.map(sc),
        wO: ref.wO.map(sc),
        wV: ref.wV.map(sc),
        wc: sc(ref.wc),
      };
      const parts = finishVerification({
        transcript: t,
        proof,
        V,
        n1: r1cs.sizes.n1_phase1_multipliers,
        n: r1cs.sizes.n_multipliers,
        bpGens: zkGens,
        flatten: () => weights,
      });
      expect(ops).toEqual(refOps);
      expectInternals(parts, ref);
      expect(parts.paddedN).toBe(r1cs.sizes.padded_n);
      expectTerms(parts, r1cs.final_msm.terms, r1cs.sizes.final_msm_size);
      expect(verificationMsmSize(V.length, parts.paddedN)).toBe(r1cs.sizes.final_msm_size);
      expect(checkStatement(combineParts(parts, 0x1234_5678n, zkGens))).toBe(true);
    });
  }

  it("the 150-multiplier proof needs capacity 256: capacity 128 is refused (must-fail twin)", () => {
    const tx = zkvmTrace.txs[1]!;
    const proof = decodeR1csProof(txProof(tx.tx_hex));
    const err = captureError(() =>
      finishVerification({
        transcript: Transcript.create("x"),
        proof,
        V: [],
        n1: 136,
        n: 150,
        bpGens: BulletproofGens.withCapacity(128),
        flatten: () => {
          throw new Error("unreachable");
        },
      }),
    );
    expect(hasCode(err, R1csCode.GENERATORS_CAPACITY)).toBe(true);
  });
});
