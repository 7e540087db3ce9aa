/** Growable little-endian writer for encodings (the counterpart of `Reader`). */
import { U32_MAX, U64_MAX } from "./bytes.js";

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  writeU8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`Writer.writeU8: ${v}`);
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  writeU32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw new RangeError(`Writer.writeU32: ${v}`);
    this.reserve(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
    return this;
  }

  writeU64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b > U64_MAX) throw new RangeError(`Writer.writeU64: ${b}`);
    this.reserve(8);
    this.view.setBigUint64(this.len, b, true);
    this.len += 8;
    return this;
  }

  writeBytes(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** Exactly 32 bytes (a compressed point or an encoded scalar). */
  write32(bytes: Uint8Array): this {
    if (bytes.length !== 32) throw new RangeError(`Writer.write32: length ${bytes.length}`);
    return this.writeBytes(bytes);
  }

  /** LE32 length prefix followed by the bytes. */
  writeSizedBytes(bytes: Uint8Array): this {
    this.writeU32(bytes.length);
    return this.writeBytes(bytes);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
