/**
 * The multi-scalar multiplication (MSM) backend interface: the one place where verification spends
 * its time. Backends compute Σ sᵢ·Pᵢ over public data only (variable time); secret scalars never
 * reach them. Fixed generator sets (B/B2, Bulletproofs G/H) are passed as `FixedBases` objects so a
 * backend can build tables for them once and reuse them in every MSM.
 */
import type { CompressedPoint, Point } from "../ristretto.js";
import { L } from "../scalar.js";

/**
 * A set of generators that recur in many MSMs. Create one per set and keep it: backends key their
 * precomputed tables on the object identity.
 */
export interface FixedBases {
  /** A short name for diagnostics, e.g. "pedersen" or "bp-G". */
  readonly name: string;
  readonly points: readonly Point[];
}

/** Creates a frozen `FixedBases` set. */
export function fixedBases(name: string, points: readonly Point[]): FixedBases {
  return Object.freeze({ name, points: Object.freeze(points.slice()) });
}

/**
 * A vector of scalars packed as consecutive 32-byte little-endian words, as produced by native
 * scalar kernels (`ScalarKernels`): it reaches a native MSM without any BigInt conversion. Backends
 * that want BigInts call `toArray()` (which checks every word is below ℓ).
 */
export class PackedScalars {
  /** The words; the length is a multiple of 32. */
  readonly bytes: Uint8Array;
  private cache: bigint[] | undefined;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array) || bytes.length % 32 !== 0)
      throw new RangeError("PackedScalars: bytes must be a Uint8Array of 32-byte words");
    this.bytes = bytes;
  }

  /** Packs scalars in [0, ℓ) (RangeError otherwise). */
  static from(scalars: readonly bigint[]): PackedScalars {
    const bytes = new Uint8Array(32 * scalars.length);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < scalars.length; i++) {
      const s = scalars[i]!;
      checkMsmScalar(s);
      for (let j = 0; j < 4; j++)
        view.setBigUint64(32 * i + 8 * j, BigInt.asUintN(64, s >> BigInt(64 * j)), true);
    }
    return new PackedScalars(bytes);
  }

  /** Number of scalars. */
  get length(): number {
    return this.bytes.length / 32;
  }

  /** The scalars as BigInts (decoded once, then cached). RangeError if a word is not below ℓ. */
  toArray(): readonly bigint[] {
    if (this.cache !== undefined) return this.cache;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    const out = new Array<bigint>(this.length);
    for (let i = 0; i < out.length; i++) {
      const o = 32 * i;
      const s =
        view.getBigUint64(o, true) |
        (view.getBigUint64(o + 8, true) << 64n) |
        (view.getBigUint64(o + 16, true) << 128n) |
        (view.getBigUint64(o + 24, true) << 192n);
      checkMsmScalar(s);
      out[i] = s;
    }
    this.cache = out;
    return out;
  }
}

/** A list of scalars: BigInts, or packed words from a native kernel. */
export type ScalarList = readonly bigint[] | PackedScalars;

/** The scalars of a list as BigInts. */
export function scalarArray(list: ScalarList): readonly bigint[] {
  return list instanceof PackedScalars ? list.toArray() : list;
}

/** Scalars for a prefix of a fixed set: term i multiplies `bases.points[i]`. */
export interface FixedTerm {
  readonly bases: FixedBases;
  readonly scalars: ScalarList;
}

/** Input of `ScalarKernels.bpScalars` (see `finishVerification` in src/bulletproofs/verifier.ts). */
export interface BpScalarsInput {
  /** Phase-1 multipliers, all multipliers, and the padded (power of two) count. */
  readonly n1: number;
  readonly n: number;
  readonly padded: number;
  /** Challenges and proof values: y⁻¹, x, u, the inner-product proof's a and b. */
  readonly yInv: bigint;
  readonly x: bigint;
  readonly u: bigint;
  readonly a: bigint;
  readonly b: bigint;
  /** 1 / (u₁…u_k) over the inner-product challenges. */
  readonly sFirst: bigint;
  /** Squares of the inner-product challenges, in round order (k = log2(padded) of them). */
  readonly uSq: readonly bigint[];
  /** Flattened constraint weights over the n multipliers. */
  readonly wL: readonly bigint[];
  readonly wR: readonly bigint[];
  readonly wO: readonly bigint[];
}

/** A linear combination as `r1csScalars` reads it (structurally a bulletproofs LinearCombination). */
export interface LcTerms {
  readonly terms: readonly {
    /** kind: 0 committed, 1 left, 2 right, 3 output, 4 the constant one (bulletproofs VariableKind). */
    readonly variable: { readonly kind: number; readonly index: number };
    readonly coeff: bigint;
  }[];
}

/** Input of `ScalarKernels.r1csScalars`: `BpScalarsInput` with the constraints instead of weights. */
export interface R1csScalarsInput extends Omit<BpScalarsInput, "wL" | "wR" | "wO"> {
  /** Number of commitments. */
  readonly m: number;
  /** The flattening challenge: constraint j is weighted by z^(j+1). */
  readonly z: bigint;
  readonly constraints: readonly LcTerms[];
}

/**
 * Hot scalar loops of verification, offered by a backend that can run them faster than BigInt code
 * (the native addon). Public data only, like the MSM itself. Every kernel has a pure-JS reference
 * it must agree with exactly (differential tests in native.test.ts).
 */
export interface ScalarKernels {
  /**
   * The Bulletproofs R1CS verifier's per-generator scalars g (for G) and h (for H), padded long each,
   * and δ(y, z) = Σ y⁻ⁱ·wRᵢ·wLᵢ.
   */
  bpScalars(input: BpScalarsInput): { g: PackedScalars; h: PackedScalars; delta: bigint };
  /**
   * `bpScalars` fused with flattening the constraints (`flattenConstraints`): also returns the
   * commitment weights wV and the constant weight wc. RangeError on a variable out of range.
   */
  r1csScalars(input: R1csScalarsInput): {
    g: PackedScalars;
    h: PackedScalars;
    delta: bigint;
    wV: bigint[];
    wc: bigint;
  };
  /** 1/x mod ℓ for x in [1, ℓ) (RangeError for 0 or out of range), like `invert` of scalar.ts. */
  invert(x: bigint): bigint;
  /** acc ← acc + w·v elementwise (mod ℓ) over the first v.length words; acc must be at least as long. */
  axpy(acc: PackedScalars, w: bigint, v: PackedScalars): void;
}

export interface MsmInput {
  /** Terms over registered fixed sets (each scalar list at most as long as its set). */
  readonly fixed?: readonly FixedTerm[];
  /** Scalars of the dynamic points, same length as `points`. */
  readonly scalars: readonly bigint[];
  /** Dynamic points; compressed ones are decoded by the backend (DECODE_INVALID_POINT on failure). */
  readonly points: readonly (Point | CompressedPoint)[];
}

export interface MsmBackend {
  /** "js" for the pure-JS default, "native" for the addon. */
  readonly name: string;
  /** Faster scalar loops for statement building, if this backend has them (native addon). */
  readonly kernels?: ScalarKernels;
  /** Optionally builds the tables of a fixed set ahead of its first use. */
  prepare(bases: FixedBases): void;
  /**
   * Σ scalars·points over fixed and dynamic terms. Every scalar must be in [0, ℓ) (RangeError
   * otherwise); an empty input gives the identity.
   */
  msm(input: MsmInput): Point;
}

/** RangeError unless `s` is a bigint in [0, ℓ). */
export function checkMsmScalar(s: bigint): void {
  if (typeof s !== "bigint" || s < 0n || s >= L) throw new RangeError("msm: scalar out of range [0, ℓ)");
}

/**
 * Validates an MSM input before any work (the shared contract of every backend): equal lengths, no
 * more fixed scalars than bases, every scalar in [0, ℓ). Returns the fixed terms (possibly empty).
 */
export function validateMsmInput(input: MsmInput): readonly FixedTerm[] {
  if (input.scalars.length !== input.points.length)
    throw new RangeError("msm: scalars and points differ in length");
  const fixed = input.fixed ?? [];
  for (const term of fixed) {
    if (term.scalars.length > term.bases.points.length)
      throw new RangeError(
        `msm: ${term.scalars.length} scalars for ${term.bases.points.length} ${term.bases.name} bases`,
      );
    // Packed words are range-checked where they are read (natively, or by `toArray`).
    if (!(term.scalars instanceof PackedScalars)) for (const s of term.scalars) checkMsmScalar(s);
  }
  for (const s of input.scalars) checkMsmScalar(s);
  return fixed;
}

/**
 * A CONSTANT-TIME multi-scalar multiplication for secret scalars over public points (the prover's
 * commitments). Unlike `MsmBackend`, it may be given witnesses and blindings: the sequence of
 * operations and memory accesses depends only on the number of terms (native/msm.c `ct_msm`).
 */
export interface SecretMsmKernel {
  readonly name: string;
  /** Σ scalars·points; RangeError unless every scalar is a bigint in [0, ℓ) and lengths agree. */
  msm(points: readonly Point[], scalars: readonly bigint[]): Point;
}
