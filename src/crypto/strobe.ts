/**
 * The subset of STROBE-128 (v1.0.2) that Merlin uses: meta-AD, AD, PRF and KEY operations over
 * Keccak-f[1600] (our unrolled permutation, tested against noble's `keccakP`). Internal to the
 * transcript module.
 */

import { assert } from "../util/codedError.js";
import { keccakF1600 } from "./keccak.js";

const STROBE_R = 166;
const FLAG_I = 1;
const FLAG_A = 1 << 1;
const FLAG_C = 1 << 2;
const FLAG_M = 1 << 4;
const FLAG_K = 1 << 5;

// The permutation works on 32-bit lanes in platform order; the byte view below assumes little-endian.
assert(new Uint8Array(new Uint32Array([1]).buffer)[0] === 1, "strobe needs a little-endian platform");

export class Strobe128 {
  private readonly lanes: Uint32Array;
  private readonly st: Uint8Array;
  private pos = 0;
  private posBegin = 0;
  private curFlags = 0;

  private constructor(lanes: Uint32Array) {
    this.lanes = lanes;
    this.st = new Uint8Array(lanes.buffer);
  }

  static create(protocolLabel: Uint8Array): Strobe128 {
    const s = new Strobe128(new Uint32Array(50));
    s.st.set([1, STROBE_R + 2, 1, 0, 1, 96], 0);
    s.st.set(new TextEncoder().encode("STROBEv1.0.2"), 6);
    keccakF1600(s.lanes);
    s.metaAd(protocolLabel, false);
    return s;
  }

  clone(): Strobe128 {
    const c = new Strobe128(this.lanes.slice());
    c.pos = this.pos;
    c.posBegin = this.posBegin;
    c.curFlags = this.curFlags;
    return c;
  }

  metaAd(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_M | FLAG_A, more);
    this.absorb(data);
  }

  ad(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_A, more);
    this.absorb(data);
  }

  prf(out: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_I | FLAG_A | FLAG_C, more);
    this.squeeze(out);
  }

  key(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_A | FLAG_C, more);
    this.overwrite(data);
  }

  private runF(): void {
    this.st[this.pos]! ^= this.posBegin;
    this.st[this.pos + 1]! ^= 0x04;
    this.st[STROBE_R + 1]! ^= 0x80;
    keccakF1600(this.lanes);
    this.pos = 0;
    this.posBegin = 0;
  }

  private absorb(data: Uint8Array): void {
    const st = this.st;
    for (let i = 0; i < data.length; i++) {
      st[this.pos]! ^= data[i]!;
      if (++this.pos === STROBE_R) this.runF();
    }
  }

  private overwrite(data: Uint8Array): void {
    const st = this.st;
    for (let i = 0; i < data.length; i++) {
      st[this.pos] = data[i]!;
      if (++this.pos === STROBE_R) this.runF();
    }
  }

  private squeeze(out: Uint8Array): void {
    const st = this.st;
    for (let i = 0; i < out.length; i++) {
      out[i] = st[this.pos]!;
      st[this.pos] = 0;
      if (++this.pos === STROBE_R) this.runF();
    }
  }

  private beginOp(flags: number, more: boolean): void {
    if (more) {
      assert(this.curFlags === flags, "strobe: continued operation changed flags");
      return;
    }
    const oldBegin = this.posBegin;
    this.posBegin = this.pos + 1;
    this.curFlags = flags;
    this.absorb(Uint8Array.of(oldBegin, flags));
    if ((flags & (FLAG_C | FLAG_K)) !== 0 && this.pos !== 0) this.runF();
  }
}
