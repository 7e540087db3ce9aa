/**
 * Bounded reader over untrusted bytes. Every read checks the remaining length and throws only
 * `DecodeError`s (never a `RangeError` from a typed array), with the offset of the problem.
 */
import { DecodeCode, DecodeError } from "./errors.js";

export class Reader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("Reader: bytes must be a Uint8Array");
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Current offset from the start of the input. */
  get offset(): number {
    return this.pos;
  }

  /** Number of unread bytes. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos)
      throw new DecodeError(DecodeCode.UNEXPECTED_END, {
        what,
        offset: this.pos,
        needed: n,
        available: this.buf.length - this.pos,
      });
  }

  readU8(what = "u8"): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  /** Unsigned 32-bit little-endian. */
  readU32(what = "u32"): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit little-endian. */
  readU64(what = "u64"): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as a view into the input (copy it if you keep it beyond the input's lifetime). */
  readBytes(n: number, what = "bytes"): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Reader.readBytes: bad length ${n}`);
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** 32 raw bytes (a compressed point or a scalar before its canonical check). */
  read32(what = "32 bytes"): Uint8Array {
    return this.readBytes(32, what);
  }

  /** A LE32 length prefix followed by that many bytes; the length must not exceed `max`. */
  readSizedBytes(max: number, what = "sized bytes"): Uint8Array {
    const at = this.pos;
    const len = this.readU32(`${what} length`);
    if (len > max) throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, { what, offset: at, length: len, max });
    return this.readBytes(len, what);
  }

  /** A LE32 count, checked against `max` and against the bytes left (each item ≥ `minItemSize` bytes). */
  readCount(max: number, minItemSize: number, what = "count"): number {
    const at = this.pos;
    const n = this.readU32(what);
    if (n > max || n * minItemSize > this.remaining)
      throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, { what, offset: at, length: n, max });
    return n;
  }

  /** Throws DECODE_TRAILING_BYTES unless every byte was read. */
  end(what = "input"): void {
    if (this.pos !== this.buf.length)
      throw new DecodeError(DecodeCode.TRAILING_BYTES, {
        what,
        offset: this.pos,
        length: this.buf.length - this.pos,
      });
  }
}
