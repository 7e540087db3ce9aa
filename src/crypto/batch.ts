/**
 * Deferred point statements and their batch verification. A statement claims
 *     0 = b·B + b2·B2 + Σ fixedᵢ·Gᵢ + Σ sⱼ·Pⱼ
 * over the Pedersen bases, registered fixed sets (Bulletproofs G/H) and dynamic points. A batch
 * multiplies each statement by an independent random weight, sums the scalars of shared bases,
 * and checks everything with one MSM: a false statement makes the batch fail except with
 * probability ≈ 1/ℓ.
 */
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import type { Rng } from "../util/rng.js";
import { CryptoCode, CryptoError } from "./errors.js";
import { pedersenGens } from "./generators.js";
import {
  defaultMsmBackend,
  type FixedBases,
  type FixedTerm,
  type MsmBackend,
  PackedScalars,
  scalarArray,
} from "./msm/index.js";
import type { CompressedPoint, Point } from "./ristretto.js";
import { mod, randomScalar } from "./scalar.js";

export interface PointStatement {
  /** Scalar of the Pedersen base B. */
  readonly b?: bigint;
  /** Scalar of the Pedersen blinding base B2. */
  readonly b2?: bigint;
  /** Terms over fixed generator sets (e.g. Bulletproofs G and H). */
  readonly fixed?: readonly FixedTerm[];
  /** Scalars of the dynamic points. */
  readonly scalars: readonly bigint[];
  /** Dynamic points (compressed ones are decoded during verification). */
  readonly points: readonly (Point | CompressedPoint)[];
}

export interface BatchVerifierDeps {
  /** Source of the random weights. */
  readonly rng: Rng;
  /** MSM backend; the process default if omitted. */
  readonly backend?: MsmBackend;
}

/** Collects point statements and checks them all with one multi-scalar multiplication. */
export class BatchVerifier {
  private readonly rng: Rng;
  private readonly backend: MsmBackend;
  private b = 0n;
  private b2 = 0n;
  /** Weighted sums of the fixed-set scalars: BigInts, or packed words when native kernels sum them. */
  private readonly fixed = new Map<FixedBases, bigint[] | PackedScalars>();
  private readonly scalars: bigint[] = [];
  private readonly points: (Point | CompressedPoint)[] = [];
  private count = 0;

  constructor(deps: BatchVerifierDeps) {
    this.rng = deps.rng;
    this.backend = deps.backend ?? defaultMsmBackend();
  }

  /** Number of statements added. */
  get size(): number {
    return this.count;
  }

  /** Number of dynamic points collected so far. */
  get dynamicPoints(): number {
    return this.points.length;
  }

  /** Adds a statement with a fresh random weight. */
  add(stmt: PointStatement): void {
    if (stmt.scalars.length !== stmt.points.length)
      throw new RangeError("BatchVerifier.add: scalars and points differ in length");
    // A single statement needs no weight; later ones get independent non-zero weights.
    let w = 1n;
    if (this.count > 0) {
      do w = randomScalar(this.rng);
      while (w === 0n);
    }
    this.count++;
    if (stmt.b !== undefined) this.b = mod(this.b + w * stmt.b);
    if (stmt.b2 !== undefined) this.b2 = mod(this.b2 + w * stmt.b2);
    const kernels = this.backend.kernels;
    for (const term of stmt.fixed ?? []) {
      if (term.scalars.length > term.bases.points.length)
        throw new RangeError(`BatchVerifier.add: too many scalars for ${term.bases.name}`);
      let acc = this.fixed.get(term.bases);
      if (kernels !== undefined && term.scalars instanceof PackedScalars && !Array.isArray(acc)) {
        // Native path: packed words summed by the backend's kernel, no BigInt round trip.
        if (acc === undefined || acc.length < term.scalars.length) {
          const grown = new PackedScalars(new Uint8Array(term.scalars.bytes.length));
          if (acc !== undefined) grown.bytes.set(acc.bytes);
          acc = grown;
          this.fixed.set(term.bases, acc);
        }
        kernels.axpy(acc, w, term.scalars);
        continue;
      }
      let big: bigint[];
      if (acc === undefined) big = [];
      else if (Array.isArray(acc)) big = acc;
      else big = acc.toArray().slice();
      this.fixed.set(term.bases, big);
      const scalars = scalarArray(term.scalars);
      for (let i = 0; i < scalars.length; i++) big[i] = mod((big[i] ?? 0n) + w * scalars[i]!);
    }
    for (let i = 0; i < stmt.points.length; i++) {
      this.scalars.push(mod(w * stmt.scalars[i]!));
      this.points.push(stmt.points[i]!);
    }
  }

  /**
   * True iff every statement holds. Throws CRYPTO_INVALID_POINT if a compressed point is not a
   * valid encoding (the whole batch is then invalid).
   */
  check(): boolean {
    const gens = pedersenGens();
    const fixed: FixedTerm[] = [{ bases: gens.bases, scalars: [this.b, this.b2] }];
    for (const [bases, scalars] of this.fixed) fixed.push({ bases, scalars });
    try {
      return this.backend.msm({ fixed, scalars: this.scalars, points: this.points }).is0();
    } catch (e) {
      if (hasCode(e, DecodeCode.INVALID_POINT))
        throw new CryptoError(CryptoCode.INVALID_POINT, { what: "batch statement" }, { cause: e });
      throw e;
    }
  }

  /** Throws CRYPTO_BATCH_VERIFICATION_FAILED unless every statement holds. */
  verify(): void {
    if (!this.check()) throw new CryptoError(CryptoCode.BATCH_VERIFICATION_FAILED, { count: this.count });
  }
}

/** Checks one statement on its own (no random weight). */
export function checkStatement(stmt: PointStatement, backend?: MsmBackend): boolean {
  const bv = new BatchVerifier({ rng: NO_RNG, ...(backend ? { backend } : {}) });
  bv.add(stmt);
  return bv.check();
}

const NO_RNG: Rng = {
  fillBytes(): void {
    throw new Error("unreachable: a single statement draws no weight");
  },
};
