/**
 * Contracts and the output structure (zkvm-spec.md "Output structure", "Contract ID", "Anchor"):
 *
 *     Output    = Anchor(32) || Predicate(32) || LE32(k) || Item[0] || ... || Item[k-1]
 *     Item      = 0x00 || LE32(len) || bytes      (String)
 *               | 0x01 || LE32(len) || bytes      (Program)
 *               | 0x02 || qty(32) || flv(32)      (Value: two Pedersen commitments)
 *
 * The contract id is the labelled encoding committed to Transcript("ZkVM.contractid"), then
 * challenge "id"; an input ratchets its id into the next anchor with Transcript("ZkVM.ratchet-anchor").
 */
import { type CompressedPoint, readCompressedPoint } from "../crypto/ristretto.js";
import { Transcript } from "../crypto/transcript.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { type Sink, transcriptSink, writerSink, writeU8, writeU32 } from "./encoding.js";
import { LABEL } from "./labels.js";

export const ITEM_STRING = 0x00;
export const ITEM_PROGRAM = 0x01;
export const ITEM_VALUE = 0x02;

/** A payload item in its portable (serialized) form. */
export type PortableItem =
  | { readonly kind: "string"; readonly bytes: Uint8Array }
  | { readonly kind: "program"; readonly bytes: Uint8Array }
  | { readonly kind: "value"; readonly qty: CompressedPoint; readonly flv: CompressedPoint };

/** A 32-byte contract id. */
export type ContractId = Uint8Array;
/** A 32-byte anchor. */
export type Anchor = Uint8Array;

/** The contract in its output form: anchor, predicate point and portable payload. */
export class Contract {
  readonly anchor: Anchor;
  readonly predicate: CompressedPoint;
  readonly payload: readonly PortableItem[];
  private cachedId: ContractId | undefined;

  constructor(anchor: Anchor, predicate: CompressedPoint, payload: readonly PortableItem[]) {
    if (anchor.length !== 32) throw new RangeError("Contract: anchor must be 32 bytes");
    this.anchor = anchor;
    this.predicate = predicate;
    this.payload = payload;
  }

  /** Writes the output structure, labelled for transcript commitments. */
  encodeTo(s: Sink): void {
    s.write("anchor", this.anchor);
    s.write("predicate", this.predicate.bytes);
    writeU32(s, "k", this.payload.length);
    for (const item of this.payload) encodeItem(s, item);
  }

  /** The output structure bytes. */
  encode(): Uint8Array {
    const w = new Writer(this.encodedSize());
    this.encodeTo(writerSink(w));
    return w.toBytes();
  }

  encodedSize(): number {
    let n = 68;
    for (const item of this.payload) n += item.kind === "value" ? 65 : 5 + item.bytes.length;
    return n;
  }

  /** The contract id (cached). */
  id(): ContractId {
    if (this.cachedId === undefined) {
      const t = Transcript.create(LABEL.CONTRACT_ID);
      this.encodeTo(transcriptSink(t));
      this.cachedId = t.challengeBytes("id", 32);
    }
    return this.cachedId;
  }

  /** Strictly decodes a complete output structure (no trailing bytes). */
  static decode(bytes: Uint8Array): Contract {
    const r = new Reader(bytes);
    const c = Contract.read(r);
    r.end("output structure");
    return c;
  }

  /** Reads an output structure from a reader. Throws DECODE_* errors. */
  static read(r: Reader): Contract {
    const anchor = r.read32("anchor").slice();
    const predicate = readCompressedPoint(r, "predicate");
    const k = r.readCount(0xffff_ffff, 5, "payload count");
    const payload: PortableItem[] = [];
    for (let i = 0; i < k; i++) payload.push(readItem(r));
    return new Contract(anchor, predicate, payload);
  }

  equals(other: Contract): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  toString(): string {
    return `Contract(${toHex(this.id())})`;
  }
}

function encodeItem(s: Sink, item: PortableItem): void {
  switch (item.kind) {
    case "string":
      writeU8(s, "type", ITEM_STRING);
      writeU32(s, "n", item.bytes.length);
      s.write("string", item.bytes);
      break;
    case "program":
      writeU8(s, "type", ITEM_PROGRAM);
      writeU32(s, "n", item.bytes.length);
      s.write("program", item.bytes);
      break;
    case "value":
      writeU8(s, "type", ITEM_VALUE);
      s.write("qty", item.qty.bytes);
      s.write("flv", item.flv.bytes);
      break;
  }
}

function readItem(r: Reader): PortableItem {
  const at = r.offset;
  const tag = r.readU8("item type");
  switch (tag) {
    case ITEM_STRING: {
      const len = r.readU32("string length");
      return { kind: "string", bytes: r.readBytes(len, "string").slice() };
    }
    case ITEM_PROGRAM: {
      const len = r.readU32("program length");
      return { kind: "program", bytes: r.readBytes(len, "program").slice() };
    }
    case ITEM_VALUE: {
      const qty = readCompressedPoint(r, "value qty");
      const flv = readCompressedPoint(r, "value flv");
      return { kind: "value", qty, flv };
    }
    default:
      throw new DecodeError(DecodeCode.INVALID_TAG, { what: "payload item type", offset: at, tag });
  }
}

/** The anchor an input sets: Transcript("ZkVM.ratchet-anchor"), "old" = id, challenge "new". */
export function ratchetAnchor(contractId: ContractId): Anchor {
  const t = Transcript.create(LABEL.RATCHET_ANCHOR);
  t.appendMessage("old", contractId);
  return t.challengeBytes("new", 32);
}
