/**
 * Merlin transcripts (merlin 2.0): Fiat–Shamir transcripts built on STROBE-128. All protocol labels
 * are byte strings; string arguments are taken as UTF-8 (labels are ASCII).
 * See https://merlin.cool and `dalek-cryptography/merlin`.
 */
import { le32, le64, utf8 } from "../util/bytes.js";
import type { Rng } from "../util/rng.js";
import { encodePoint, type Point } from "./ristretto.js";
import { encodeScalar, fromBytesModOrderWide } from "./scalar.js";
import { Strobe128 } from "./strobe.js";

type Label = string | Uint8Array;

const labelCache = new Map<string, Uint8Array>();
function labelBytes(label: Label): Uint8Array {
  if (typeof label !== "string") return label;
  let b = labelCache.get(label);
  if (b === undefined) {
    b = utf8(label);
    if (labelCache.size < 4096) labelCache.set(label, b);
  }
  return b;
}

const MERLIN_PROTOCOL = utf8("Merlin v1.0");
const DOM_SEP = utf8("dom-sep");
const RNG_LABEL = utf8("rng");

export class Transcript {
  private strobe: Strobe128;

  private constructor(strobe: Strobe128) {
    this.strobe = strobe;
  }

  /** A new transcript for the application protocol `label` (appended as `dom-sep`). */
  static create(label: Label): Transcript {
    const t = new Transcript(Strobe128.create(MERLIN_PROTOCOL));
    t.appendMessage(DOM_SEP, labelBytes(label));
    return t;
  }

  /** An independent copy (Rust `clone()`). */
  clone(): Transcript {
    return new Transcript(this.strobe.clone());
  }

  appendMessage(label: Label, message: Uint8Array): this {
    this.strobe.metaAd(labelBytes(label), false);
    this.strobe.metaAd(le32(message.length), true);
    this.strobe.ad(message, false);
    return this;
  }

  /** Appends a u64 as 8 bytes little-endian. */
  appendU64(label: Label, x: bigint | number): this {
    return this.appendMessage(label, le64(x));
  }

  /** Appends a point's 32-byte compressed encoding. */
  appendPoint(label: Label, p: Point | { readonly bytes: Uint8Array }): this {
    return this.appendMessage(label, "bytes" in p ? p.bytes : encodePoint(p));
  }

  /** Appends a scalar's 32-byte encoding. */
  appendScalar(label: Label, s: bigint): this {
    return this.appendMessage(label, encodeScalar(s));
  }

  /** Fills `out` with challenge bytes bound to everything appended so far. */
  challengeBytesInto(label: Label, out: Uint8Array): void {
    this.strobe.metaAd(labelBytes(label), false);
    this.strobe.metaAd(le32(out.length), true);
    this.strobe.prf(out, false);
  }

  challengeBytes(label: Label, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.challengeBytesInto(label, out);
    return out;
  }

  /** A challenge scalar: 64 challenge bytes reduced modulo ℓ. */
  challengeScalar(label: Label): bigint {
    return fromBytesModOrderWide(this.challengeBytes(label, 64));
  }

  /**
   * Starts a transcript-bound RNG for a prover: rekey with secret witnesses, then finalize with
   * external randomness. The transcript itself is not modified.
   */
  buildRng(): TranscriptRngBuilder {
    return new TranscriptRngBuilder(this.strobe.clone());
  }
}

export class TranscriptRngBuilder {
  private readonly strobe: Strobe128;

  constructor(strobe: Strobe128) {
    this.strobe = strobe;
  }

  /** Binds the RNG to secret witness bytes. */
  rekeyWithWitnessBytes(label: Label, witness: Uint8Array): this {
    this.strobe.metaAd(labelBytes(label), false);
    this.strobe.metaAd(le32(witness.length), true);
    this.strobe.key(witness, false);
    return this;
  }

  /** Binds the RNG to a secret scalar witness. */
  rekeyWithWitnessScalar(label: Label, s: bigint): this {
    return this.rekeyWithWitnessBytes(label, encodeScalar(s));
  }

  /** Mixes 32 bytes of external randomness and returns the RNG. */
  finalize(rng: Rng): TranscriptRng {
    const seed = new Uint8Array(32);
    rng.fillBytes(seed);
    this.strobe.metaAd(RNG_LABEL, false);
    this.strobe.key(seed, false);
    return new TranscriptRng(this.strobe);
  }
}

export class TranscriptRng implements Rng {
  private readonly strobe: Strobe128;

  constructor(strobe: Strobe128) {
    this.strobe = strobe;
  }

  fillBytes(dest: Uint8Array): void {
    this.strobe.metaAd(le32(dest.length), false);
    this.strobe.prf(dest, false);
  }
}
