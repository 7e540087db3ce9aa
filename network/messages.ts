/**
 * Request/response message codecs of the node's protocols (see protocols.ts for the protocol ids).
 * Every decoder is strict: exact tags, 0/1 booleans, capped lengths and counts, valid UTF-8, no
 * trailing bytes; failures throw NetworkError NET_MESSAGE_INVALID with the DecodeError as `cause`.
 * Integers are little-endian; "sized" bytes are a LE32 length followed by the bytes.
 * Design: /work/shared/DESIGN.md ("network/", "Limits").
 */

import { CodedError } from "../src/util/codedError.js";
import { DecodeCode, DecodeError } from "../src/util/errors.js";
import { Reader } from "../src/util/reader.js";
import { Writer } from "../src/util/writer.js";
import { NetworkCode, NetworkError } from "./errors.js";
import {
  MAX_BLOCK_BYTES,
  MAX_CERTIFICATE_BYTES,
  MAX_GOSSIP_BYTES,
  MAX_TX_BYTES,
  MAX_TXSET_BYTES,
} from "./protocols.js";

/** Most blocks one block-range request may ask for. */
export const MAX_RANGE_COUNT = 128;
/** Most headers one light-client headers request may ask for. */
export const MAX_HEADERS_COUNT = 1024;
/** Largest encoded block header. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Largest utreexo forest snapshot. */
export const MAX_FOREST_BYTES = 4 * 1024 * 1024;
/** Largest utreexo proof. */
export const MAX_PROOF_BYTES = 64 * 1024;
/** Largest rejection reason (UTF-8 bytes). */
export const MAX_REASON_BYTES = 256;

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function invalid(what: string, cause: unknown): NetworkError {
  return new NetworkError(NetworkCode.MESSAGE_INVALID, { what }, { cause });
}

/** Runs a decoder over `bytes`, requires it to consume everything, and wraps failures. */
function decodeWith<T>(bytes: Uint8Array, what: string, body: (r: Reader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: bytes must be a Uint8Array`);
  try {
    const r = new Reader(bytes);
    const out = body(r);
    r.end(what);
    return out;
  } catch (e) {
    if (e instanceof CodedError) throw invalid(what, e);
    throw e;
  }
}

function readBool(r: Reader, what: string): boolean {
  const at = r.offset;
  const b = r.readU8(what);
  if (b > 1) throw new DecodeError(DecodeCode.INVALID_TAG, { what, offset: at, tag: b });
  return b === 1;
}

function readTag(r: Reader, what: string, allowed: readonly number[]): number {
  const at = r.offset;
  const t = r.readU8(what);
  if (!allowed.includes(t)) throw new DecodeError(DecodeCode.INVALID_TAG, { what, offset: at, tag: t });
  return t;
}

function copy(b: Uint8Array): Uint8Array {
  return b.slice();
}

function check32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new RangeError(`${what} must be 32 bytes`);
}

function checkMax(b: Uint8Array, max: number, what: string): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (b.length > max) throw new RangeError(`${what} is longer than ${max} bytes`);
}

function checkCount(n: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`${what} must be in 1..${max}`);
}

function readCountIn(r: Reader, lo: number, max: number, minItem: number, what: string): number {
  const at = r.offset;
  const n = r.readCount(max, minItem, what);
  if (n < lo) throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, { what, offset: at, length: n, max });
  return n;
}

// ---------------------------------------------------------------------------------------------
// Tx-set fetch

/** Tx-set fetch request: the 32-byte tx-set hash. */
export function encodeTxSetRequest(hash: Uint8Array): Uint8Array {
  check32(hash, "tx-set hash");
  return hash.slice();
}

/** Decodes a tx-set fetch request (exactly 32 bytes). */
export function decodeTxSetRequest(bytes: Uint8Array): Uint8Array {
  return decodeWith(bytes, "txset request", (r) => copy(r.read32("tx-set hash")));
}

/** Tx-set fetch response: the tx set's bytes, or null when the peer does not have it. */
export type TxSetResponse = Uint8Array | null;

/** Encodes `0` (not found) or `1 ‖ sized txset`. */
export function encodeTxSetResponse(txSet: TxSetResponse): Uint8Array {
  const w = new Writer();
  if (txSet === null) return w.writeU8(0).toBytes();
  checkMax(txSet, MAX_TXSET_BYTES, "tx set");
  return w.writeU8(1).writeSizedBytes(txSet).toBytes();
}

/** Decodes a tx-set fetch response. */
export function decodeTxSetResponse(bytes: Uint8Array): TxSetResponse {
  return decodeWith(bytes, "txset response", (r) =>
    readBool(r, "found") ? copy(r.readSizedBytes(MAX_TXSET_BYTES, "tx set")) : null,
  );
}

// ---------------------------------------------------------------------------------------------
// Block range sync

/** Ask for up to `maxCount` blocks starting at height `from`. */
export interface BlockRangeRequest {
  readonly from: bigint;
  readonly maxCount: number;
}

/** One block with its finality certificate. */
export interface BlockWithCertificate {
  readonly block: Uint8Array;
  readonly certificate: Uint8Array;
}

/** Encodes `u64 from ‖ u32 maxCount` (maxCount in 1..MAX_RANGE_COUNT). */
export function encodeBlockRangeRequest(req: BlockRangeRequest): Uint8Array {
  checkCount(req.maxCount, MAX_RANGE_COUNT, "maxCount");
  return new Writer(12).writeU64(req.from).writeU32(req.maxCount).toBytes();
}

/** Decodes a block-range request. */
export function decodeBlockRangeRequest(bytes: Uint8Array): BlockRangeRequest {
  return decodeWith(bytes, "block range request", (r) => {
    const from = r.readU64("from");
    const at = r.offset;
    const maxCount = r.readU32("maxCount");
    if (maxCount < 1 || maxCount > MAX_RANGE_COUNT)
      throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, {
        what: "maxCount",
        offset: at,
        length: maxCount,
        max: MAX_RANGE_COUNT,
      });
    return { from, maxCount };
  });
}

function writePairs(w: Writer, items: readonly BlockWithCertificate[], maxFirst: number, first: string) {
  w.writeU32(items.length);
  for (const it of items) {
    checkMax(it.block, maxFirst, first);
    checkMax(it.certificate, MAX_CERTIFICATE_BYTES, "certificate");
    w.writeSizedBytes(it.block).writeSizedBytes(it.certificate);
  }
}

function readPairs(r: Reader, maxCount: number, maxFirst: number, first: string): BlockWithCertificate[] {
  const n = readCountIn(r, 0, maxCount, 8, "count");
  const out: BlockWithCertificate[] = [];
  for (let i = 0; i < n; i++) {
    const block = copy(r.readSizedBytes(maxFirst, first));
    const certificate = copy(r.readSizedBytes(MAX_CERTIFICATE_BYTES, "certificate"));
    out.push({ block, certificate });
  }
  return out;
}

/** Encodes `u32 n ‖ (sized block ‖ sized certificate)ⁿ`, n ≤ MAX_RANGE_COUNT (0 = none known). */
export function encodeBlockRangeResponse(items: readonly BlockWithCertificate[]): Uint8Array {
  if (items.length > MAX_RANGE_COUNT) throw new RangeError(`at most ${MAX_RANGE_COUNT} blocks`);
  const w = new Writer();
  writePairs(w, items, MAX_BLOCK_BYTES, "block");
  return w.toBytes();
}

/** Decodes a block-range response. */
export function decodeBlockRangeResponse(bytes: Uint8Array): BlockWithCertificate[] {
  return decodeWith(bytes, "block range response", (r) =>
    readPairs(r, MAX_RANGE_COUNT, MAX_BLOCK_BYTES, "block"),
  );
}

// ---------------------------------------------------------------------------------------------
// Light client

/** Light-client request tags. */
export const LightTag = {
  HEADERS: 1,
  FOREST: 2,
  PROOF: 3,
  SUBMIT: 4,
  WATCH: 5,
} as const;

/** A light-client request. */
export type LightRequest =
  /** Headers with certificates from height `from` (at most `maxCount`). */
  | { readonly kind: "headers"; readonly from: bigint; readonly maxCount: number }
  /** The current utreexo forest. */
  | { readonly kind: "forest" }
  /** A fresh proof for utxo `utxoId`, given the stale `proof` the client holds. */
  | { readonly kind: "proof"; readonly utxoId: Uint8Array; readonly proof: Uint8Array }
  /** Submit a transaction. */
  | { readonly kind: "submit"; readonly tx: Uint8Array }
  /** Be notified when contract `contractId` is created or spent (answered when it happens). */
  | { readonly kind: "watch"; readonly contractId: Uint8Array };

/** What happened to a watched contract. */
export type WatchEvent = "created" | "spent";

/** A light-client response (the kind matches the request's). */
export type LightResponse =
  | { readonly kind: "headers"; readonly headers: readonly { header: Uint8Array; certificate: Uint8Array }[] }
  | { readonly kind: "forest"; readonly height: bigint; readonly forest: Uint8Array }
  | { readonly kind: "proof"; readonly found: false }
  | { readonly kind: "proof"; readonly found: true; readonly height: bigint; readonly proof: Uint8Array }
  | { readonly kind: "submit"; readonly accepted: true }
  | { readonly kind: "submit"; readonly accepted: false; readonly reason: string }
  | {
      readonly kind: "watch";
      readonly contractId: Uint8Array;
      readonly event: WatchEvent;
      readonly height: bigint;
      readonly txId: Uint8Array;
    };

const ALL_TAGS = Object.values(LightTag);

/** Encodes a light-client request: `tag ‖ body`. */
export function encodeLightRequest(req: LightRequest): Uint8Array {
  const w = new Writer();
  switch (req.kind) {
    case "headers":
      checkCount(req.maxCount, MAX_HEADERS_COUNT, "maxCount");
      return w.writeU8(LightTag.HEADERS).writeU64(req.from).writeU32(req.maxCount).toBytes();
    case "forest":
      return w.writeU8(LightTag.FOREST).toBytes();
    case "proof":
      check32(req.utxoId, "utxoId");
      checkMax(req.proof, MAX_PROOF_BYTES, "proof");
      return w.writeU8(LightTag.PROOF).write32(req.utxoId).writeSizedBytes(req.proof).toBytes();
    case "submit":
      checkMax(req.tx, MAX_TX_BYTES, "tx");
      return w.writeU8(LightTag.SUBMIT).writeSizedBytes(req.tx).toBytes();
    case "watch":
      check32(req.contractId, "contractId");
      return w.writeU8(LightTag.WATCH).write32(req.contractId).toBytes();
  }
}

/** Decodes a light-client request. */
export function decodeLightRequest(bytes: Uint8Array): LightRequest {
  return decodeWith(bytes, "light request", (r): LightRequest => {
    const tag = readTag(r, "tag", ALL_TAGS);
    switch (tag) {
      case LightTag.HEADERS: {
        const from = r.readU64("from");
        const maxCount = readCountIn(r, 1, MAX_HEADERS_COUNT, 0, "maxCount");
        return { kind: "headers", from, maxCount };
      }
      case LightTag.FOREST:
        return { kind: "forest" };
      case LightTag.PROOF: {
        const utxoId = copy(r.read32("utxoId"));
        return { kind: "proof", utxoId, proof: copy(r.readSizedBytes(MAX_PROOF_BYTES, "proof")) };
      }
      case LightTag.SUBMIT:
        return { kind: "submit", tx: copy(r.readSizedBytes(MAX_TX_BYTES, "tx")) };
      default:
        return { kind: "watch", contractId: copy(r.read32("contractId")) };
    }
  });
}

const EVENTS: readonly WatchEvent[] = ["created", "spent"];

/** Encodes a light-client response: `tag ‖ body`. */
export function encodeLightResponse(res: LightResponse): Uint8Array {
  const w = new Writer();
  switch (res.kind) {
    case "headers":
      if (res.headers.length > MAX_HEADERS_COUNT)
        throw new RangeError(`at most ${MAX_HEADERS_COUNT} headers`);
      w.writeU8(LightTag.HEADERS);
      writePairs(
        w,
        res.headers.map((h) => ({ block: h.header, certificate: h.certificate })),
        MAX_HEADER_BYTES,
        "header",
      );
      return w.toBytes();
    case "forest":
      checkMax(res.forest, MAX_FOREST_BYTES, "forest");
      return w.writeU8(LightTag.FOREST).writeU64(res.height).writeSizedBytes(res.forest).toBytes();
    case "proof":
      w.writeU8(LightTag.PROOF);
      if (!res.found) return w.writeU8(0).toBytes();
      checkMax(res.proof, MAX_PROOF_BYTES, "proof");
      return w.writeU8(1).writeU64(res.height).writeSizedBytes(res.proof).toBytes();
    case "submit": {
      w.writeU8(LightTag.SUBMIT);
      if (res.accepted) return w.writeU8(1).toBytes();
      const reason = new TextEncoder().encode(res.reason);
      checkMax(reason, MAX_REASON_BYTES, "reason");
      return w.writeU8(0).writeSizedBytes(reason).toBytes();
    }
    case "watch":
      check32(res.contractId, "contractId");
      check32(res.txId, "txId");
      return w
        .writeU8(LightTag.WATCH)
        .write32(res.contractId)
        .writeU8(EVENTS.indexOf(res.event))
        .writeU64(res.height)
        .write32(res.txId)
        .toBytes();
  }
}

/** Decodes a light-client response. */
export function decodeLightResponse(bytes: Uint8Array): LightResponse {
  return decodeWith(bytes, "light response", (r): LightResponse => {
    const tag = readTag(r, "tag", ALL_TAGS);
    switch (tag) {
      case LightTag.HEADERS: {
        const pairs = readPairs(r, MAX_HEADERS_COUNT, MAX_HEADER_BYTES, "header");
        return {
          kind: "headers",
          headers: pairs.map((p) => ({ header: p.block, certificate: p.certificate })),
        };
      }
      case LightTag.FOREST: {
        const height = r.readU64("height");
        return { kind: "forest", height, forest: copy(r.readSizedBytes(MAX_FOREST_BYTES, "forest")) };
      }
      case LightTag.PROOF: {
        if (!readBool(r, "found")) return { kind: "proof", found: false };
        const height = r.readU64("height");
        return {
          kind: "proof",
          found: true,
          height,
          proof: copy(r.readSizedBytes(MAX_PROOF_BYTES, "proof")),
        };
      }
      case LightTag.SUBMIT: {
        if (readBool(r, "accepted")) return { kind: "submit", accepted: true };
        const at = r.offset;
        const raw = r.readSizedBytes(MAX_REASON_BYTES, "reason");
        let reason: string;
        try {
          reason = utf8Strict.decode(raw);
        } catch {
          throw new DecodeError(DecodeCode.INVALID_FORMAT, { what: "reason (UTF-8)", offset: at });
        }
        return { kind: "submit", accepted: false, reason };
      }
      default: {
        const contractId = copy(r.read32("contractId"));
        const event = EVENTS[readTag(r, "event", [0, 1])]!;
        const height = r.readU64("height");
        return { kind: "watch", contractId, event, height, txId: copy(r.read32("txId")) };
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Block announcements (gossip topic "block")

/** Largest certificate carried in a block announcement (the whole message fits one gossip message). */
export const MAX_ANNOUNCEMENT_CERTIFICATE_BYTES = MAX_GOSSIP_BYTES - MAX_HEADER_BYTES - 8;

/** A committed block's header with its finality certificate, gossiped when a node commits it. */
export interface BlockAnnouncement {
  readonly header: Uint8Array;
  readonly certificate: Uint8Array;
}

/** Encodes `sized header ‖ sized certificate` (at most MAX_GOSSIP_BYTES in all). */
export function encodeBlockAnnouncement(a: BlockAnnouncement): Uint8Array {
  checkMax(a.header, MAX_HEADER_BYTES, "header");
  checkMax(a.certificate, MAX_ANNOUNCEMENT_CERTIFICATE_BYTES, "certificate");
  return new Writer(8 + a.header.length + a.certificate.length)
    .writeSizedBytes(a.header)
    .writeSizedBytes(a.certificate)
    .toBytes();
}

/** Decodes a block announcement. */
export function decodeBlockAnnouncement(bytes: Uint8Array): BlockAnnouncement {
  return decodeWith(bytes, "block announcement", (r) => {
    const header = copy(r.readSizedBytes(MAX_HEADER_BYTES, "header"));
    const certificate = copy(r.readSizedBytes(MAX_ANNOUNCEMENT_CERTIFICATE_BYTES, "certificate"));
    return { header, certificate };
  });
}

// ---------------------------------------------------------------------------------------------
// Snapshot bootstrap (protocol "snapshot")

/** Largest encoded chain state in a snapshot (tip header + utreexo forest). */
export const MAX_SNAPSHOT_STATE_BYTES = MAX_HEADER_BYTES + MAX_FOREST_BYTES;
/** The only snapshot request version: "the current tip". */
export const SNAPSHOT_REQUEST_TIP = 1;

/** A node's tip as a bootstrap snapshot: header, certificate, chain state and the tip block. */
export interface Snapshot {
  /** Encoded tip header. */
  readonly header: Uint8Array;
  /** Encoded finality certificate of the tip (empty for the genesis block). */
  readonly certificate: Uint8Array;
  /** Encoded chain state (src/chain encodeState: tip header ‖ forest). */
  readonly state: Uint8Array;
  /** Encoded tip block. */
  readonly block: Uint8Array;
}

/** Encodes a snapshot request: the single byte SNAPSHOT_REQUEST_TIP. */
export function encodeSnapshotRequest(): Uint8Array {
  return Uint8Array.of(SNAPSHOT_REQUEST_TIP);
}

/** Decodes a snapshot request (exactly the byte SNAPSHOT_REQUEST_TIP). */
export function decodeSnapshotRequest(bytes: Uint8Array): typeof SNAPSHOT_REQUEST_TIP {
  return decodeWith(bytes, "snapshot request", (r) => {
    readTag(r, "snapshot request", [SNAPSHOT_REQUEST_TIP]);
    return SNAPSHOT_REQUEST_TIP;
  });
}

/** Encodes `0` (none) or `1 ‖ sized header ‖ sized certificate ‖ sized state ‖ sized block`. */
export function encodeSnapshotResponse(s: Snapshot | null): Uint8Array {
  const w = new Writer();
  if (s === null) return w.writeU8(0).toBytes();
  checkMax(s.header, MAX_HEADER_BYTES, "header");
  checkMax(s.certificate, MAX_CERTIFICATE_BYTES, "certificate");
  checkMax(s.state, MAX_SNAPSHOT_STATE_BYTES, "state");
  checkMax(s.block, MAX_BLOCK_BYTES, "block");
  return w
    .writeU8(1)
    .writeSizedBytes(s.header)
    .writeSizedBytes(s.certificate)
    .writeSizedBytes(s.state)
    .writeSizedBytes(s.block)
    .toBytes();
}

/** Decodes a snapshot response. */
export function decodeSnapshotResponse(bytes: Uint8Array): Snapshot | null {
  return decodeWith(bytes, "snapshot response", (r) => {
    if (!readBool(r, "found")) return null;
    const header = copy(r.readSizedBytes(MAX_HEADER_BYTES, "header"));
    const certificate = copy(r.readSizedBytes(MAX_CERTIFICATE_BYTES, "certificate"));
    const state = copy(r.readSizedBytes(MAX_SNAPSHOT_STATE_BYTES, "state"));
    const block = copy(r.readSizedBytes(MAX_BLOCK_BYTES, "block"));
    return { header, certificate, state, block };
  });
}
