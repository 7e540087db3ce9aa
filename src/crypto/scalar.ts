/**
 * Scalars of the Ristretto255 group: integers modulo ℓ = 2^252 + 27742317777372353535851937790883648493,
 * represented as `bigint` in [0, ℓ) and encoded as 32 bytes little-endian (canonical encoding only).
 */
import { DecodeCode, DecodeError } from "../util/errors.js";
import type { Reader } from "../util/reader.js";
import type { Rng } from "../util/rng.js";

/** The prime order ℓ of the Ristretto255 group. */
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Reduces any bigint modulo ℓ into [0, ℓ). */
export function mod(a: bigint): bigint {
  const r = a % L;
  return r < 0n ? r + L : r;
}

export function add(a: bigint, b: bigint): bigint {
  const r = a + b;
  return r >= L ? r - L : r;
}

export function sub(a: bigint, b: bigint): bigint {
  const r = a - b;
  return r < 0n ? r + L : r;
}

export function neg(a: bigint): bigint {
  return a === 0n ? 0n : L - a;
}

export function mul(a: bigint, b: bigint): bigint {
  return (a * b) % L;
}

/** Modular inverse (variable time; verifier side). Throws a RangeError on zero. */
export function invert(a: bigint): bigint {
  if (a % L === 0n) throw new RangeError("scalar.invert: zero has no inverse");
  let t = 0n;
  let newT = 1n;
  let r = L;
  let newR = mod(a);
  while (newR !== 0n) {
    const q = r / newR;
    [t, newT] = [newT, t - q * newT];
    [r, newR] = [newR, r - q * newR];
  }
  return t < 0n ? t + L : t;
}

/**
 * Inverts every element with one inversion (Montgomery's trick). All inputs must be non-zero.
 */
export function batchInvert(xs: readonly bigint[]): bigint[] {
  const n = xs.length;
  const prefix = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = (acc * xs[i]!) % L;
  }
  let inv = invert(acc);
  const out = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]!) % L;
    inv = (inv * xs[i]!) % L;
  }
  return out;
}

/** Little-endian integer from bytes (any length). */
export function bytesToBigintLE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

/** 32-byte little-endian encoding of a scalar in [0, ℓ). */
export function encodeScalar(s: bigint): Uint8Array {
  if (s < 0n || s >= L) throw new RangeError("encodeScalar: scalar out of range [0, ℓ)");
  const out = new Uint8Array(32);
  let v = s;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Decodes a canonical 32-byte scalar; throws DECODE_NONCANONICAL_SCALAR if ≥ ℓ. */
export function decodeScalar(bytes: Uint8Array, what = "scalar"): bigint {
  if (bytes.length !== 32)
    throw new DecodeError(DecodeCode.INVALID_FORMAT, { what, length: bytes.length, needed: 32 });
  const v = bytesToBigintLE(bytes);
  if (v >= L) throw new DecodeError(DecodeCode.NONCANONICAL_SCALAR, { what });
  return v;
}

/** Reads a canonical scalar from a reader. */
export function readScalar(r: Reader, what = "scalar"): bigint {
  const at = r.offset;
  const bytes = r.read32(what);
  const v = bytesToBigintLE(bytes);
  if (v >= L) throw new DecodeError(DecodeCode.NONCANONICAL_SCALAR, { what, offset: at });
  return v;
}

/** Reduces 32 bytes modulo ℓ (`Scalar::from_bytes_mod_order`). */
export function fromBytesModOrder(bytes: Uint8Array): bigint {
  return bytesToBigintLE(bytes) % L;
}

/** Reduces 64 bytes modulo ℓ (`Scalar::from_bytes_mod_order_wide`). */
export function fromBytesModOrderWide(bytes: Uint8Array): bigint {
  if (bytes.length !== 64) throw new RangeError("fromBytesModOrderWide: need 64 bytes");
  return bytesToBigintLE(bytes) % L;
}

/** A uniformly random scalar drawn from `rng` (64 bytes reduced). */
export function randomScalar(rng: Rng): bigint {
  const buf = new Uint8Array(64);
  rng.fillBytes(buf);
  return fromBytesModOrderWide(buf);
}

/** A signed integer in (-ℓ, ℓ) mapped into the field: negative values wrap to ℓ - |v|. */
export function fromSigned(v: bigint): bigint {
  return mod(v);
}
