/**
 * Ristretto255 group elements (RFC 9496) over @noble/curves. Points from untrusted input arrive as
 * `CompressedPoint`s (32 bytes) and are decoded strictly, once, when first needed.
 */
import { ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import type { Reader } from "../util/reader.js";
import { decodeRistretto, encodeRistretto } from "./msm/_ristretto.js";
import { L } from "./scalar.js";

/** A decoded Ristretto255 point. */
export type Point = InstanceType<typeof ristretto255.Point>;
export const RistrettoPoint: typeof ristretto255.Point = ristretto255.Point;

/** The standard Ristretto255 base point B. */
export const BASEPOINT: Point = ristretto255.Point.BASE;
/** The identity element. */
export const IDENTITY: Point = ristretto255.Point.ZERO;

/**
 * Decodes 32 bytes strictly (canonical field encoding, non-negative s, valid point).
 * Throws DECODE_INVALID_POINT otherwise.
 */
export function decodePoint(bytes: Uint8Array, what = "point"): Point {
  if (bytes.length !== 32) throw new DecodeError(DecodeCode.INVALID_POINT, { what, length: bytes.length });
  // The limb-based decoder (RFC 9496, checked against noble in msm/_ristretto.test.ts) is ~3× faster.
  const p = decodeRistretto(bytes);
  if (p === undefined) throw new DecodeError(DecodeCode.INVALID_POINT, { what });
  return p;
}

/** The canonical 32-byte encoding of a point. */
export function encodePoint(p: Point): Uint8Array {
  return encodeRistretto(p);
}

/**
 * A point in its 32-byte wire form. Holding a compressed point does not assert validity;
 * `decompress()` decodes it (once, cached) and throws DECODE_INVALID_POINT if it is not a point.
 */
export class CompressedPoint {
  readonly bytes: Uint8Array;
  private decoded: Point | undefined;

  constructor(bytes: Uint8Array, decoded?: Point) {
    if (bytes.length !== 32) throw new RangeError(`CompressedPoint: need 32 bytes, got ${bytes.length}`);
    this.bytes = bytes;
    this.decoded = decoded;
  }

  /** Wraps a decoded point, computing its encoding. */
  static fromPoint(p: Point): CompressedPoint {
    return new CompressedPoint(encodePoint(p), p);
  }

  /** Decodes the point (cached); throws DECODE_INVALID_POINT if the bytes are not a valid encoding. */
  decompress(what = "point"): Point {
    if (this.decoded === undefined) this.decoded = decodePoint(this.bytes, what);
    return this.decoded;
  }

  /** True if the point decoded before (or was built from a decoded point). */
  get isDecoded(): boolean {
    return this.decoded !== undefined;
  }

  equals(other: CompressedPoint): boolean {
    return bytesEqual(this.bytes, other.bytes);
  }

  toHex(): string {
    return toHex(this.bytes);
  }
}

/** Reads 32 bytes as a compressed point (validity is checked on decompression). */
export function readCompressedPoint(r: Reader, what = "point"): CompressedPoint {
  return new CompressedPoint(r.read32(what).slice());
}

/** Reads and strictly decodes a point. */
export function readPoint(r: Reader, what = "point"): Point {
  const at = r.offset;
  const p = decodeRistretto(r.read32(what));
  if (p === undefined) throw new DecodeError(DecodeCode.INVALID_POINT, { what, offset: at });
  return p;
}

/**
 * Constant-time scalar multiplication for secret scalars (noble's `multiply`); accepts 0.
 * `s` must be in [0, ℓ).
 */
export function mulSecret(p: Point, s: bigint): Point {
  if (s < 0n || s >= L) throw new RangeError("mulSecret: scalar out of range");
  return s === 0n ? IDENTITY : p.multiply(s);
}

/** Variable-time scalar multiplication: public scalars only. `s` must be in [0, ℓ). */
export function mulPublic(p: Point, s: bigint): Point {
  if (s < 0n || s >= L) throw new RangeError("mulPublic: scalar out of range");
  return p.multiplyUnsafe(s);
}

/** s·B with the base point, constant time (for secret keys and nonces). */
export function mulBase(s: bigint): Point {
  return mulSecret(BASEPOINT, s);
}

/**
 * Maps 64 uniformly random bytes to a point (RFC 9496 element derivation; dalek
 * `RistrettoPoint::from_uniform_bytes`).
 */
export function fromUniformBytes(bytes: Uint8Array): Point {
  if (bytes.length !== 64) throw new RangeError("fromUniformBytes: need 64 bytes");
  return ristretto255_hasher.deriveToCurve!(bytes);
}
