/**
 * Differential tests of the native scalar kernels (native/msm.c: bpScalars, r1csScalars, axpy) and
 * of packed scalars (`PackedScalars`) through both MSM backends and `BatchVerifier`: native results
 * must equal the BigInt references bit for bit, on random inputs and edge cases (0, 1, ℓ − 1,
 * n = 0, n = padded, one-phase systems, a single round). The packed-scalar tests of the JS backend
 * always run; the native part is skipped, with the loader's reason, when the addon is not built.
 * The end-to-end check (R1CS statements of real transactions, native vs JS) is in
 * scripts/nativeZkvm.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes, seededRng } from "../../util/rng.js";
import { BatchVerifier } from "../batch.js";
import { BulletproofGens, pedersenGens } from "../generators.js";
import { fromUniformBytes, IDENTITY, type Point } from "../ristretto.js";
import { invert, L, randomScalar } from "../scalar.js";
import {
  type BpScalarsInput,
  type LcTerms,
  type MsmBackend,
  PackedScalars,
  type R1csScalarsInput,
  scalarArray,
} from "./backend.js";
import { secretMsmKernel, setSecretMsmKernel } from "./index.js";
import { JsMsmBackend } from "./jsBackend.js";
import { loadNativeBackend, loadNativeSecretMsm, selectMsmBackend } from "./native.js";

const rng = seededRng("kernels.test");
const js = new JsMsmBackend();
const native = loadNativeBackend();
const why = native === undefined ? ` — skipped: ${selectMsmBackend({}).reason}` : "";
const sc = (): bigint => randomScalar(rng);
const scs = (n: number): bigint[] => Array.from({ length: n }, sc);
const m = (a: bigint): bigint => ((a % L) + L) % L;

/** BigInt reference of `bpScalars` (the formula of `finishVerification`). */
function bpReference(inp: BpScalarsInput): { g: bigint[]; h: bigint[]; delta: bigint } {
  const { n1, n, padded, x, u, a, b } = inp;
  const k = inp.uSq.length;
  const s = new Array<bigint>(padded);
  s[0] = inp.sFirst;
  for (let i = 1; i < padded; i++) {
    const lg = 31 - Math.clz32(i);
    s[i] = m(s[i - (1 << lg)]! * inp.uSq[k - 1 - lg]!);
  }
  const g: bigint[] = [];
  const h: bigint[] = [];
  let delta = 0n;
  let yi = 1n;
  for (let i = 0; i < padded; i++) {
    const uOr1 = i < n1 ? 1n : u;
    const ynwr = i < n ? m(yi * inp.wR[i]!) : 0n;
    if (i < n) delta = m(delta + ynwr * inp.wL[i]!);
    const wl = i < n ? inp.wL[i]! : 0n;
    const wo = i < n ? inp.wO[i]! : 0n;
    g.push(m(uOr1 * (x * ynwr - a * s[i]!)));
    h.push(m(uOr1 * (yi * m(x * wl + wo - b * s[padded - 1 - i]!) - 1n)));
    yi = m(yi * inp.yInv);
  }
  return { g, h, delta };
}

/** BigInt reference of flattening (`flattenConstraints`). */
function flattenReference(cs: readonly LcTerms[], z: bigint, n: number, mm: number) {
  const wL = new Array<bigint>(n).fill(0n);
  const wR = new Array<bigint>(n).fill(0n);
  const wO = new Array<bigint>(n).fill(0n);
  const wV = new Array<bigint>(mm).fill(0n);
  let wc = 0n;
  let zp = z;
  for (const lc of cs) {
    for (const { variable, coeff } of lc.terms) {
      const c = m(zp * coeff);
      const i = variable.index;
      if (variable.kind === 0) wV[i] = m(wV[i]! - c);
      else if (variable.kind === 1) wL[i] = m(wL[i]! + c);
      else if (variable.kind === 2) wR[i] = m(wR[i]! + c);
      else if (variable.kind === 3) wO[i] = m(wO[i]! + c);
      else wc = m(wc - c);
    }
    zp = m(zp * z);
  }
  return { wL, wR, wO, wV, wc };
}

/** A random input of `bpScalars` with k rounds; `special` mixes in 0, 1 and ℓ − 1. */
function bpInput(k: number, n: number, n1: number, special = false): BpScalarsInput {
  const pick = (): bigint => (special ? [0n, 1n, L - 1n, sc()][Number(randomBytes(rng, 1)[0]! % 4)]! : sc());
  return {
    n1,
    n,
    padded: 1 << k,
    yInv: pick(),
    x: pick(),
    u: pick(),
    a: pick(),
    b: pick(),
    sFirst: pick(),
    uSq: Array.from({ length: k }, pick),
    wL: Array.from({ length: n }, pick),
    wR: Array.from({ length: n }, pick),
    wO: Array.from({ length: n }, pick),
  };
}

/** Random constraints over n multipliers and mm commitments, coefficients 1, ℓ − 1, 0 and random. */
function randomConstraints(q: number, n: number, mm: number): LcTerms[] {
  const out: LcTerms[] = [];
  for (let j = 0; j < q; j++) {
    const count = Number(randomBytes(rng, 1)[0]! % 6);
    const terms = [];
    for (let t = 0; t < count; t++) {
      const r = randomBytes(rng, 3);
      let kind = r[0]! % 5;
      if (kind === 0 && mm === 0) kind = 4;
      if (kind >= 1 && kind <= 3 && n === 0) kind = 4;
      const index = kind === 4 ? 0 : kind === 0 ? r[1]! % mm : r[1]! % n;
      const coeff = [1n, L - 1n, 0n, sc(), sc()][r[2]! % 5]!;
      terms.push({ variable: { kind, index }, coeff });
    }
    out.push({ terms });
  }
  return out;
}

describe("PackedScalars (always runs)", () => {
  it("round-trips scalars, including 0 and ℓ − 1, and decodes through scalarArray", () => {
    const xs = [0n, 1n, L - 1n, ...scs(20)];
    const p = PackedScalars.from(xs);
    expect(p.length).toBe(xs.length);
    expect(p.toArray()).toEqual(xs);
    expect(scalarArray(p)).toEqual(xs);
    expect(scalarArray(xs)).toBe(xs);
  });

  it("rejects bad lengths and out-of-range words (must-fail twins)", () => {
    expect(() => new PackedScalars(new Uint8Array(31))).toThrow(RangeError);
    expect(() => PackedScalars.from([L])).toThrow(RangeError);
    const bad = new PackedScalars(new Uint8Array(32).fill(0xff));
    expect(() => bad.toArray()).toThrow(RangeError);
  });

  it("the JS backend accepts packed fixed scalars and equals the BigInt form", () => {
    const gens = BulletproofGens.withCapacity(16);
    const s = scs(16);
    const t = scs(16);
    const dyn = [fromUniformBytes(randomBytes(rng, 64))];
    const ds = scs(1);
    const a = js.msm({
      fixed: [
        { bases: gens.G, scalars: s },
        { bases: gens.H, scalars: t },
      ],
      scalars: ds,
      points: dyn,
    });
    const b = js.msm({
      fixed: [
        { bases: gens.G, scalars: PackedScalars.from(s) },
        { bases: gens.H, scalars: PackedScalars.from(t) },
      ],
      scalars: ds,
      points: dyn,
    });
    expect(b.equals(a)).toBe(true);
    const bad = new PackedScalars(new Uint8Array(32).fill(0xff));
    expect(() => js.msm({ fixed: [{ bases: gens.G, scalars: bad }], scalars: [], points: [] })).toThrow(
      RangeError,
    );
  });
});

describe.skipIf(native === undefined)(`native scalar kernels${why}`, () => {
  const backend = native!;
  const kernels = backend.kernels!;

  it("the native backend offers kernels; the JS backend does not", () => {
    expect(kernels).toBeDefined();
    expect((js as MsmBackend).kernels).toBeUndefined();
  });

  it("bpScalars equals the BigInt reference on random and edge-case shapes", () => {
    const shapes: [number, number, number][] = [
      [0, 0, 0],
      [0, 1, 1],
      [1, 0, 0],
      [1, 2, 1],
      [3, 5, 2],
      [3, 8, 8],
      [4, 16, 0],
      [6, 37, 20],
      [8, 200, 100],
    ];
    for (const [k, n, n1] of shapes)
      for (const special of [false, true]) {
        const inp = bpInput(k, n, n1, special);
        const got = kernels.bpScalars(inp);
        const want = bpReference(inp);
        expect(got.g.toArray()).toEqual(want.g);
        expect(got.h.toArray()).toEqual(want.h);
        expect(got.delta).toBe(want.delta);
      }
  });

  it("property: bpScalars equals the reference (fast-check, seeded)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.nat(), fc.nat(), (k, a, b) => {
        const padded = 1 << k;
        const n = a % (padded + 1);
        const n1 = b % (n + 1);
        const inp = bpInput(k, n, n1);
        const got = kernels.bpScalars(inp);
        const want = bpReference(inp);
        return (
          got.delta === want.delta &&
          got.g.toArray().every((x, i) => x === want.g[i]) &&
          got.h.toArray().every((x, i) => x === want.h[i])
        );
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it("bpScalars rejects inconsistent sizes and out-of-range scalars (must-fail twins)", () => {
    const inp = bpInput(3, 5, 2);
    expect(() => kernels.bpScalars({ ...inp, padded: 4 })).toThrow(RangeError);
    expect(() => kernels.bpScalars({ ...inp, n1: 6 })).toThrow(RangeError);
    expect(() => kernels.bpScalars({ ...inp, wL: inp.wL.slice(1) })).toThrow(RangeError);
    expect(() => kernels.bpScalars({ ...inp, x: L })).toThrow(RangeError);
    expect(() => kernels.bpScalars({ ...inp, wO: [...inp.wO.slice(1), L] })).toThrow(RangeError);
  });

  it("r1csScalars equals flattening + bpScalars references, with wV and wc", () => {
    for (const [k, n, n1, mm, q] of [
      [0, 0, 0, 0, 0],
      [0, 1, 0, 1, 3],
      [2, 3, 1, 2, 9],
      [5, 30, 12, 4, 70],
      [8, 200, 100, 6, 500],
    ] as const) {
      const base = bpInput(k, n, n1);
      const constraints = randomConstraints(q, n, mm);
      const z = sc();
      const inp: R1csScalarsInput = { ...base, m: mm, z, constraints };
      const flat = flattenReference(constraints, z, n, mm);
      const want = bpReference({ ...base, wL: flat.wL, wR: flat.wR, wO: flat.wO });
      const got = kernels.r1csScalars(inp);
      expect(got.g.toArray()).toEqual(want.g);
      expect(got.h.toArray()).toEqual(want.h);
      expect(got.delta).toBe(want.delta);
      expect(got.wV).toEqual(flat.wV);
      expect(got.wc).toBe(flat.wc);
    }
  });

  it("r1csScalars rejects unknown variables (must-fail twin)", () => {
    const base = bpInput(2, 3, 1);
    const ok: R1csScalarsInput = {
      ...base,
      m: 1,
      z: sc(),
      constraints: [{ terms: [{ variable: { kind: 1, index: 2 }, coeff: 5n }] }],
    };
    expect(() => kernels.r1csScalars(ok)).not.toThrow();
    for (const variable of [
      { kind: 1, index: 3 },
      { kind: 0, index: 1 },
      { kind: 5, index: 0 },
    ])
      expect(() =>
        kernels.r1csScalars({ ...ok, constraints: [{ terms: [{ variable, coeff: 5n }] }] }),
      ).toThrow(RangeError);
  });

  it("invert equals scalar.ts invert (1, 2, ℓ − 1, random); 0 and ℓ are rejected (must-fail twins)", () => {
    for (const x of [1n, 2n, L - 1n, ...scs(30)]) {
      const r = kernels.invert(x);
      expect(r).toBe(invert(x));
      expect((r * x) % L).toBe(1n);
    }
    expect(() => kernels.invert(0n)).toThrow(RangeError);
    expect(() => kernels.invert(L)).toThrow(RangeError);
  });

  it("axpy: acc + w·v equals BigInt arithmetic; a longer acc keeps its tail; w = 1 and 0", () => {
    for (const w of [0n, 1n, L - 1n, sc()]) {
      const a = [...scs(10), L - 1n];
      const v = [...scs(7), L - 1n];
      const acc = PackedScalars.from(a);
      kernels.axpy(acc, w, PackedScalars.from(v));
      expect(acc.toArray()).toEqual(a.map((x, i) => (i < v.length ? m(x + w * v[i]!) : x)));
    }
  });

  it("axpy rejects a short acc and out-of-range words without writing (must-fail twins)", () => {
    const acc = PackedScalars.from(scs(2));
    const before = acc.bytes.slice();
    expect(() => kernels.axpy(acc, 1n, PackedScalars.from(scs(3)))).toThrow(RangeError);
    const bad = new PackedScalars(new Uint8Array(64).fill(0xff));
    expect(() => kernels.axpy(acc, 1n, bad)).toThrow(RangeError);
    expect(() => kernels.axpy(acc, L, PackedScalars.from(scs(2)))).toThrow(RangeError);
    expect(acc.bytes).toEqual(before);
  });

  it("the native MSM takes packed fixed scalars, equal to BigInt ones; rejects words ≥ ℓ", () => {
    const gens = BulletproofGens.withCapacity(64);
    const s = [...scs(60), 0n, L - 1n];
    const dyn = [fromUniformBytes(randomBytes(rng, 64))];
    const ds = scs(1);
    const want = js.msm({ fixed: [{ bases: gens.G, scalars: s }], scalars: ds, points: dyn });
    const got = backend.msm({
      fixed: [{ bases: gens.G, scalars: PackedScalars.from(s) }],
      scalars: ds,
      points: dyn,
    });
    expect(got.equals(want)).toBe(true);
    const bad = new PackedScalars(new Uint8Array(64).fill(0xff));
    expect(() => backend.msm({ fixed: [{ bases: gens.G, scalars: bad }], scalars: [], points: [] })).toThrow(
      RangeError,
    );
  });

  it("BatchVerifier sums packed statements natively, mixed with BigInt ones, with the JS verdicts", () => {
    const gens = BulletproofGens.withCapacity(32);
    const pc = pedersenGens();
    // Statements 0 = s·G + t·H - P with P computed, in packed and BigInt forms; one false twin.
    const mk = (packed: boolean, ok: boolean) => {
      const s = scs(32);
      const t = scs(32);
      let p = js.msm({
        fixed: [
          { bases: gens.G, scalars: s },
          { bases: gens.H, scalars: t },
        ],
        scalars: [],
        points: [],
      });
      if (!ok) p = p.add(pc.B);
      return {
        fixed: [
          { bases: gens.G, scalars: packed ? PackedScalars.from(s) : s },
          { bases: gens.H, scalars: packed ? PackedScalars.from(t) : t },
        ],
        scalars: [L - 1n],
        points: [p],
      };
    };
    const cases: [ReturnType<typeof mk>[], boolean][] = [
      [[mk(true, true), mk(true, true), mk(false, true)], true],
      [[mk(false, true), mk(true, true)], true],
      [[mk(true, true), mk(true, false)], false],
      [[mk(true, false), mk(false, true)], false],
    ];
    for (const [stmts, want] of cases) {
      for (const b of [backend, js]) {
        const bv = new BatchVerifier({ rng: seededRng("bv"), backend: b });
        for (const st of stmts) bv.add(st);
        expect(bv.check()).toBe(want);
      }
    }
    const good = new BatchVerifier({ rng: seededRng("bv2"), backend });
    good.add(mk(true, true));
    good.add(mk(true, true));
    expect(good.check()).toBe(true);
    const bad = new BatchVerifier({ rng: seededRng("bv3"), backend });
    bad.add(mk(true, true));
    bad.add(mk(true, false));
    expect(bad.check()).toBe(false);
  });
});

describe.skipIf(native === undefined)(`native constant-time secret MSM${why}`, () => {
  const ct = loadNativeSecretMsm()!;
  const naive = (ps: readonly Point[], ss: readonly bigint[]): Point =>
    ps.reduce((acc, p, i) => (ss[i] === 0n ? acc : acc.add(p.multiply(ss[i]!))), IDENTITY);

  it("equals Σ sᵢ·Pᵢ (noble) for n = 0…20 with random, 0, 1 and ℓ − 1 scalars", () => {
    expect(ct.name).toBe("native-ct");
    for (let n = 0; n <= 20; n++) {
      const ps = Array.from({ length: n }, () => fromUniformBytes(randomBytes(rng, 64)));
      const ss = Array.from({ length: n }, (_, i) => [0n, 1n, L - 1n, sc()][i % 4]!);
      const got = ct.msm(ps, ss);
      expect(got.equals(naive(ps, ss))).toBe(true);
    }
    expect(ct.msm([], []).equals(IDENTITY)).toBe(true);
  });

  it("property: equals noble on arbitrary scalars and repeated points (fast-check, seeded)", () => {
    const base = fromUniformBytes(randomBytes(rng, 64));
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: L - 1n }), { maxLength: 6 }), (ss) => {
        const ps = ss.map((_, i) => (i % 2 === 0 ? base : base.double()));
        return ct.msm(ps, ss).equals(naive(ps, ss));
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it("is offered with the native backend choice (not with ZKVM_MSM=js) and installs process-wide", () => {
    expect(selectMsmBackend({}).secretMsm?.name).toBe("native-ct");
    expect(selectMsmBackend({ ZKVM_MSM: "js" }).secretMsm).toBeUndefined();
    expect(secretMsmKernel()).toBeUndefined();
    setSecretMsmKernel(ct);
    expect(secretMsmKernel()).toBe(ct);
    setSecretMsmKernel(undefined);
    expect(secretMsmKernel()).toBeUndefined();
  });

  it("rejects out-of-range scalars and length mismatches (must-fail twins)", () => {
    const p = fromUniformBytes(randomBytes(rng, 64));
    expect(() => ct.msm([p], [L])).toThrow(RangeError);
    expect(() => ct.msm([p], [-1n])).toThrow(RangeError);
    expect(() => ct.msm([p, p], [1n])).toThrow(RangeError);
    expect(ct.msm([p], [L - 1n]).equals(p.negate())).toBe(true);
  });
});
