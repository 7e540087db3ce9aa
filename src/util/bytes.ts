/** Byte helpers: hex, concatenation, comparison, little-endian integers. Bytes are always `Uint8Array`. */
import { DecodeCode, DecodeError } from "./errors.js";

const HEX = "0123456789abcdef";
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX_TABLE[bytes[i]!]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses hex (either case, no prefix). Throws DECODE_INVALID_FORMAT on odd length or a bad digit. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== "string") throw new TypeError("fromHex: hex must be a string");
  if (hex.length % 2 !== 0)
    throw new DecodeError(DecodeCode.INVALID_FORMAT, { what: "hex", length: hex.length });
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new DecodeError(DecodeCode.INVALID_FORMAT, { what: "hex", offset: 2 * i });
    out[i] = (hi << 4) | lo;
  }
  if (expectedLength !== undefined && out.length !== expectedLength)
    throw new DecodeError(DecodeCode.INVALID_FORMAT, {
      what: "hex",
      length: out.length,
      needed: expectedLength,
    });
  return out;
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise equality (not constant-time; do not use on secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** UTF-8 encoding of a string (labels are ASCII). */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export const U32_MAX = 0xffff_ffff;
export const U64_MAX = (1n << 64n) - 1n;

/** 4-byte little-endian encoding of an unsigned 32-bit integer. */
export function le32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) throw new RangeError(`le32: ${n} is not a u32`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** 8-byte little-endian encoding of an unsigned 64-bit integer. */
export function le64(n: bigint | number): Uint8Array {
  const v = BigInt(n);
  if (v < 0n || v > U64_MAX) throw new RangeError(`le64: ${v} is not a u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}
