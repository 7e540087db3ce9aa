/**
 * Differential tests of the native MSM backend (native.ts + native/msm.c) against noble and the
 * pure-JS backend, and of the backend selection with its JS fallback. The native-specific part is
 * skipped, with the loader's reason, when the addon is not built (e.g. ZKVM_SKIP_NATIVE=1 or no
 * C toolchain); the selection and fallback tests always run. ZkVM transaction verification with
 * the native backend is in scripts/nativeZkvm.test.ts (src/crypto may not import src/zkvm).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex } from "../../util/bytes.js";
import { hasCode } from "../../util/codedError.js";
import { DecodeCode } from "../../util/errors.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { BAD_ENCODINGS } from "../fixtures/rfc9496.js";
import { BulletproofGens, pedersenGens } from "../generators.js";
import {
  BASEPOINT,
  CompressedPoint,
  decodePoint,
  fromUniformBytes,
  IDENTITY,
  type Point,
} from "../ristretto.js";
import { L, randomScalar } from "../scalar.js";
import { type FixedTerm, fixedBases, type MsmInput } from "./backend.js";
import { JsMsmBackend } from "./jsBackend.js";
import { loadNativeBackend, NativeMsmBackend, selectMsmBackend } from "./native.js";
import { NobleMsmBackend } from "./nobleBackend.js";

const rng = seededRng("native.test");
const js = new JsMsmBackend();
const noble = new NobleMsmBackend();

/** Random points in the shapes the backends meet: decoded (Z = 1), hashed, and computed sums. */
function randomPoint(i: number): Point {
  const p = fromUniformBytes(randomBytes(rng, 64));
  if (i % 3 === 0) return decodePoint(p.toBytes());
  return i % 3 === 1 ? p : p.add(BASEPOINT);
}
const points = (n: number): Point[] => Array.from({ length: n }, (_, i) => randomPoint(i));
const scalars = (n: number): bigint[] => Array.from({ length: n }, () => randomScalar(rng));
const compress = (ps: readonly Point[]): CompressedPoint[] => ps.map((p) => new CompressedPoint(p.toBytes()));

function expectSame(got: Point, want: Point): void {
  expect(got.equals(want)).toBe(true);
  expect(got.toBytes()).toEqual(want.toBytes());
}

/** The error code (or constructor name) thrown by `f`, or "none". */
function outcome(f: () => unknown): string {
  try {
    f();
    return "none";
  } catch (e) {
    if (hasCode(e, DecodeCode.INVALID_POINT)) return DecodeCode.INVALID_POINT;
    return e instanceof Error ? e.constructor.name : "non-error";
  }
}

describe("backend selection and JS fallback (always runs)", () => {
  it("ZKVM_MSM=js forces the pure-JS backend", () => {
    const c = selectMsmBackend({ ZKVM_MSM: "js" });
    expect(c.backend.name).toBe("js");
    expect(c.reason).toContain("ZKVM_MSM=js");
    expect(c.backend.msm({ scalars: [3n], points: [BASEPOINT] }).equals(BASEPOINT.multiply(3n))).toBe(true);
  });

  it("the default choice is native when the addon loads and js (with the reason) otherwise", () => {
    const c = selectMsmBackend({});
    const n = loadNativeBackend();
    expect(c.backend.name).toBe(n === undefined ? "js" : "native");
    if (n === undefined) expect(c.reason).toMatch(/^js \(native addon unavailable: /);
    else expect(c.backend).toBe(n);
    // Unknown values do not disable anything but are reported.
    expect(selectMsmBackend({ ZKVM_MSM: "gpu" }).reason).toContain("ignored ZKVM_MSM=gpu");
    expect(selectMsmBackend({ ZKVM_MSM: "gpu" }).backend.name).toBe(c.backend.name);
  });

  it("whichever backend is selected computes Σ sᵢ·Pᵢ and rejects bad input", () => {
    const { backend } = selectMsmBackend({});
    const ps = points(5);
    const ss = scalars(5);
    expectSame(backend.msm({ scalars: ss, points: compress(ps) }), js.msm({ scalars: ss, points: ps }));
    expect(() => backend.msm({ scalars: [L], points: [BASEPOINT] })).toThrow(RangeError);
    expect(
      outcome(() =>
        backend.msm({ scalars: [1n], points: [new CompressedPoint(fromHex(BAD_ENCODINGS[0]!))] }),
      ),
    ).toBe(DecodeCode.INVALID_POINT);
  });
});

const native = loadNativeBackend() as NativeMsmBackend | undefined;
const skipReason = native === undefined ? selectMsmBackend({}).reason : "";

describe.skipIf(native === undefined)(
  `native backend differential tests${skipReason ? ` — skipped: ${skipReason}` : ""}`,
  () => {
    const nat = native!;

    it("is named native and survives the load self-test", () => {
      expect(nat.name).toBe("native");
      expect(nat).toBeInstanceOf(NativeMsmBackend);
    });

    it("decodes exactly as decodePoint: RFC 9496 bad encodings rejected, valid points equal", () => {
      for (const hex of BAD_ENCODINGS) {
        const bytes = fromHex(hex);
        expect(nat.decode(bytes), hex).toBeUndefined();
        expect(
          outcome(() => decodePoint(bytes)),
          hex,
        ).toBe(DecodeCode.INVALID_POINT);
      }
      expect(nat.decode(new Uint8Array(33))).toBeUndefined();
      for (const p of [IDENTITY, BASEPOINT, ...points(30)]) {
        const got = nat.decode(p.toBytes());
        expect(got).toBeDefined();
        expectSame(got!, p);
      }
    });

    it("decodes random 32-byte strings as decodePoint does (valid and invalid alike)", () => {
      let validCount = 0;
      for (let i = 0; i < 400; i++) {
        const b = randomBytes(rng, 32);
        if (i % 2 === 0) b[31]! &= 0x7f; // half of them pass the top-bit check
        if (i % 4 === 0) b[0]! &= 0xfe; // and a quarter the sign check
        const want = outcome(() => decodePoint(b));
        const got = nat.decode(b);
        expect(got === undefined ? DecodeCode.INVALID_POINT : "none", toHexShort(b)).toBe(want);
        if (got !== undefined) {
          validCount++;
          expectSame(got, decodePoint(b));
        }
      }
      expect(validCount).toBeGreaterThan(5);
    });

    it("equals the JS and noble backends on random inputs, n = 0…300", () => {
      for (const n of [0, 1, 2, 3, 7, 16, 33, 64, 150, 300]) {
        const ps = points(n);
        const ss = scalars(n);
        const want = js.msm({ scalars: ss, points: ps });
        if (n <= 33) expectSame(noble.msm({ scalars: ss, points: ps }), want);
        expectSame(nat.msm({ scalars: ss, points: ps }), want); // decoded points (coordinates)
        expectSame(nat.msm({ scalars: ss, points: compress(ps) }), want); // compressed points
        // Mixed: alternate compressed and decoded points.
        const mixed = ps.map((p, i) => (i % 2 === 0 ? new CompressedPoint(p.toBytes()) : p));
        expectSame(nat.msm({ scalars: ss, points: mixed }), want);
      }
    });

    it("property: native equals JS for arbitrary scalars (fast-check, seeded)", () => {
      const ps = compress(points(6));
      const decoded = ps.map((c) => c.decompress());
      const scalarArb = fc.bigInt({ min: 0n, max: L - 1n });
      fc.assert(
        fc.property(fc.array(scalarArb, { minLength: 6, maxLength: 6 }), (ss) => {
          expectSame(nat.msm({ scalars: ss, points: ps }), js.msm({ scalars: ss, points: decoded }));
        }),
        { seed: 42, numRuns: 40 },
      );
    });

    it("edge cases: empty input, identical points, zero scalars, the identity, ℓ − 1, cancellation", () => {
      expect(nat.msm({ scalars: [], points: [] }).is0()).toBe(true);
      const p = randomPoint(1);
      const same = Array.from({ length: 40 }, () => p);
      const ss = scalars(40);
      expectSame(nat.msm({ scalars: ss, points: same }), js.msm({ scalars: ss, points: same }));
      expectSame(nat.msm({ scalars: ss, points: compress(same) }), js.msm({ scalars: ss, points: same }));
      const zeros = new Array<bigint>(10).fill(0n);
      expect(nat.msm({ scalars: zeros, points: compress(points(10)) }).is0()).toBe(true);
      expect(
        nat.msm({ scalars: [5n, 7n], points: [IDENTITY, new CompressedPoint(IDENTITY.toBytes())] }).is0(),
      ).toBe(true);
      expectSame(nat.msm({ scalars: [L - 1n], points: [p] }), p.negate());
      expectSame(nat.msm({ scalars: [1n, L - 1n, 1n], points: [p, BASEPOINT, BASEPOINT] }), p);
      // s·P + (ℓ − s)·P = 0 through the identity fast path.
      const s = randomScalar(rng);
      expect(nat.msm({ scalars: [s, L - s], points: compress([p, p]) }).is0()).toBe(true);
      // Must-fail twin: a non-cancelling pair is not the identity.
      expect(nat.msm({ scalars: [s, L - s + 1n], points: compress([p, p]) }).is0()).toBe(false);
    });

    it("rejects scalars outside [0, ℓ) with RangeError before decoding anything", () => {
      const bad = new CompressedPoint(fromHex(BAD_ENCODINGS[3]!));
      for (const s of [L, L + 1n, -1n, 1n << 256n]) {
        expect(() => nat.msm({ scalars: [s, 1n], points: [BASEPOINT, bad] })).toThrow(RangeError);
        expect(() => js.msm({ scalars: [s, 1n], points: [BASEPOINT, bad] })).toThrow(RangeError);
      }
      const fx = fixedBases("t", points(3));
      expect(() => nat.msm({ fixed: [{ bases: fx, scalars: [1n, L] }], scalars: [], points: [] })).toThrow(
        RangeError,
      );
      expect(() =>
        nat.msm({ fixed: [{ bases: fx, scalars: [1n, 1n, 1n, 1n] }], scalars: [], points: [] }),
      ).toThrow(RangeError);
      expect(() => nat.msm({ scalars: [1n], points: [] })).toThrow(RangeError);
    });

    it("rejects invalid compressed points exactly as the JS backend (DECODE_INVALID_POINT), even under 0", () => {
      const good = compress(points(4));
      for (const hex of BAD_ENCODINGS) {
        const bad = new CompressedPoint(fromHex(hex));
        for (const scalar of [0n, 1n]) {
          const input: MsmInput = {
            scalars: [1n, 2n, scalar, 3n],
            points: [good[0]!, good[1]!, bad, good[2]!],
          };
          expect(
            outcome(() => nat.msm(input)),
            hex,
          ).toBe(DecodeCode.INVALID_POINT);
          expect(
            outcome(() => js.msm(input)),
            hex,
          ).toBe(DecodeCode.INVALID_POINT);
        }
      }
      // Must-pass twin: the same shape with valid points succeeds.
      expect(outcome(() => nat.msm({ scalars: [1n, 0n], points: [good[0]!, good[3]!] }))).toBe("none");
    });

    it("fixed terms (tables) plus dynamic terms equal JS, including prefix sets and zero scalars", () => {
      const big = fixedBases("big", points(40));
      const prefix = fixedBases("prefix", big.points.slice(0, 12));
      const ped = pedersenGens();
      for (const [nd, nf] of [
        [0, 1],
        [0, 40],
        [5, 12],
        [70, 40],
      ] as const) {
        const fs = scalars(nf);
        if (nf > 3) fs[2] = 0n;
        const fixed: FixedTerm[] = [
          { bases: big, scalars: fs },
          { bases: prefix, scalars: scalars(Math.min(nf, 12)) },
          { bases: ped.bases, scalars: [randomScalar(rng), 0n] },
        ];
        const ps = points(nd);
        const ss = scalars(nd);
        const want = js.msm({ fixed, scalars: ss, points: ps });
        expectSame(nat.msm({ fixed, scalars: ss, points: compress(ps) }), want);
        if (nd <= 5) expectSame(noble.msm({ fixed, scalars: ss, points: ps }), want);
      }
      // Bulletproofs generators: a prefix term of the real capacity-1024 sets.
      const gens = BulletproofGens.withCapacity(1024);
      nat.prepare(gens.G);
      const fixed: FixedTerm[] = [
        { bases: gens.G, scalars: scalars(64) },
        { bases: gens.H, scalars: scalars(64) },
      ];
      expectSame(nat.msm({ fixed, scalars: [], points: [] }), js.msm({ fixed, scalars: [], points: [] }));
    });
  },
);

function toHexShort(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join("");
}
