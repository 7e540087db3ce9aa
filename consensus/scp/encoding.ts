/**
 * Canonical binary encoding of quorum sets, statements and envelopes, their strict decoders, and the
 * hashes SCP derives from them. All integers are little-endian (src/util Writer/Reader).
 *
 *   QuorumSet  = u32 threshold ‖ u32 #validators ‖ validators (32 bytes each)
 *                ‖ u32 #innerSets ‖ innerSets (recursively; nesting ≤ MAX_QSET_DEPTH)
 *   Ballot     = u32 counter ‖ u32 len ‖ value
 *   OptBallot  = u8 0  |  u8 1 ‖ Ballot
 *   Statement  = nodeId (32) ‖ u64 slotIndex ‖ u8 type ‖ body
 *     type 0 PREPARE     : qsetHash (32) ‖ ballot ‖ OptBallot prepared ‖ OptBallot preparedPrime ‖ u32 nC ‖ u32 nH
 *     type 1 CONFIRM     : qsetHash (32) ‖ ballot ‖ u32 nPrepared ‖ u32 nCommit ‖ u32 nH
 *     type 2 EXTERNALIZE : commit ballot ‖ u32 nH ‖ commitQsetHash (32)
 *     type 3 NOMINATE    : qsetHash (32) ‖ u32 #votes ‖ values ‖ u32 #accepted ‖ values   (value = u32 len ‖ bytes)
 *   Envelope   = Statement ‖ signature (64)
 *
 * Hashes are SHA-256 over a length-prefixed ASCII domain label followed by the data:
 *   quorum-set hash  = SHA-256(u32 len ‖ "zkvm.scp.qset.v1" ‖ QuorumSet)
 *   node priority    = first 8 bytes (big-endian) of SHA-256(label "zkvm.scp.node.v1" ‖ u64 slot ‖ prev
 *                      ‖ u32 kind (1 = neighbourhood, 2 = priority) ‖ u32 round ‖ nodeId)
 *   value priority   = first 8 bytes (big-endian) of SHA-256(label "zkvm.scp.value.v1" ‖ u64 slot ‖ prev
 *                      ‖ u32 3 ‖ u32 round ‖ value)          (prev and value length-prefixed)
 * The decoders accept exactly the bytes the encoders produce (canonical): no trailing bytes, optional
 * flags only 0/1, lengths within the limits of types.ts. Semantic rules (sorted nomination lists,
 * ballot ordering, quorum-set sanity) are checked by the protocol, which answers "invalid".
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "../../src/util/bytes.js";
import { CodedError } from "../../src/util/codedError.js";
import { DecodeError } from "../../src/util/errors.js";
import { Reader } from "../../src/util/reader.js";
import { Writer } from "../../src/util/writer.js";
import { ScpCode, ScpError } from "./errors.js";
import {
  type Ballot,
  type Envelope,
  HASH_LENGTH,
  type Hash,
  MAX_NOMINATION_VALUES,
  MAX_QSET_DEPTH,
  MAX_QSET_NODES,
  MAX_VALUE_SIZE,
  NODE_ID_LENGTH,
  type NodeId,
  type Pledges,
  type QuorumSet,
  SIGNATURE_LENGTH,
  type Statement,
  type Value,
} from "./types.js";

/** Domain label of quorum-set hashes. */
export const QSET_HASH_LABEL = "zkvm.scp.qset.v1";
/** Domain label of node neighbourhood/priority hashes (nomination leaders). */
export const NODE_HASH_LABEL = "zkvm.scp.node.v1";
/** Domain label of value priority hashes (which of a leader's values to adopt). */
export const VALUE_HASH_LABEL = "zkvm.scp.value.v1";

/** Statement type tags on the wire (stellar-core's numbering). */
export const STATEMENT_TAG = { prepare: 0, confirm: 1, externalize: 2, nominate: 3 } as const;

const QSET_LABEL_BYTES = utf8(QSET_HASH_LABEL);
const NODE_LABEL_BYTES = utf8(NODE_HASH_LABEL);
const VALUE_LABEL_BYTES = utf8(VALUE_HASH_LABEL);

// ---------------------------------------------------------------- writers

function writeQuorumSet(w: Writer, q: QuorumSet): void {
  w.writeU32(q.threshold);
  w.writeU32(q.validators.length);
  for (const v of q.validators) w.write32(v);
  w.writeU32(q.innerSets.length);
  for (const inner of q.innerSets) writeQuorumSet(w, inner);
}

function writeBallot(w: Writer, b: Ballot): void {
  w.writeU32(b.counter);
  w.writeSizedBytes(b.value);
}

function writeOptBallot(w: Writer, b: Ballot | null): void {
  if (b === null) w.writeU8(0);
  else {
    w.writeU8(1);
    writeBallot(w, b);
  }
}

function writeValues(w: Writer, values: readonly Value[]): void {
  w.writeU32(values.length);
  for (const v of values) w.writeSizedBytes(v);
}

function writeStatement(w: Writer, st: Statement): void {
  w.write32(st.nodeId);
  w.writeU64(st.slotIndex);
  const p = st.pledges;
  w.writeU8(STATEMENT_TAG[p.type]);
  switch (p.type) {
    case "prepare":
      w.write32(p.quorumSetHash);
      writeBallot(w, p.ballot);
      writeOptBallot(w, p.prepared);
      writeOptBallot(w, p.preparedPrime);
      w.writeU32(p.nC);
      w.writeU32(p.nH);
      break;
    case "confirm":
      w.write32(p.quorumSetHash);
      writeBallot(w, p.ballot);
      w.writeU32(p.nPrepared);
      w.writeU32(p.nCommit);
      w.writeU32(p.nH);
      break;
    case "externalize":
      writeBallot(w, p.commit);
      w.writeU32(p.nH);
      w.write32(p.commitQuorumSetHash);
      break;
    case "nominate":
      w.write32(p.quorumSetHash);
      writeValues(w, p.votes);
      writeValues(w, p.accepted);
      break;
  }
}

/** Canonical encoding of a quorum set. */
export function encodeQuorumSet(q: QuorumSet): Uint8Array {
  const w = new Writer(64 + 32 * q.validators.length);
  writeQuorumSet(w, q);
  return w.toBytes();
}

/** Canonical encoding of a statement: the bytes an envelope signature covers. */
export function encodeStatement(st: Statement): Uint8Array {
  const w = new Writer(160);
  writeStatement(w, st);
  return w.toBytes();
}

/** Canonical encoding of an envelope (statement ‖ 64-byte signature). */
export function encodeEnvelope(env: Envelope): Uint8Array {
  if (env.signature.length !== SIGNATURE_LENGTH)
    throw new RangeError(`encodeEnvelope: signature must be ${SIGNATURE_LENGTH} bytes`);
  const w = new Writer(224);
  writeStatement(w, env.statement);
  w.writeBytes(env.signature);
  return w.toBytes();
}

// ---------------------------------------------------------------- readers

function copy(b: Uint8Array): Uint8Array {
  return b.slice();
}

function readQuorumSet(r: Reader, depth: number, count: { n: number }): QuorumSet {
  if (depth > MAX_QSET_DEPTH)
    throw new ScpError(ScpCode.DECODE_LIMIT, {
      what: "quorum set depth",
      offset: r.offset,
      max: MAX_QSET_DEPTH,
    });
  const threshold = r.readU32("qset threshold");
  const nv = r.readCount(MAX_QSET_NODES, NODE_ID_LENGTH, "qset validators");
  count.n += nv;
  if (count.n > MAX_QSET_NODES)
    throw new ScpError(ScpCode.DECODE_LIMIT, {
      what: "quorum set nodes",
      offset: r.offset,
      max: MAX_QSET_NODES,
    });
  const validators: NodeId[] = [];
  for (let i = 0; i < nv; i++) validators.push(copy(r.read32("qset validator")));
  const ni = r.readCount(MAX_QSET_NODES, 12, "qset inner sets");
  const innerSets: QuorumSet[] = [];
  for (let i = 0; i < ni; i++) innerSets.push(readQuorumSet(r, depth + 1, count));
  return { threshold, validators, innerSets };
}

function readValue(r: Reader, what: string): Value {
  return copy(r.readSizedBytes(MAX_VALUE_SIZE, what));
}

function readBallot(r: Reader, what: string): Ballot {
  const counter = r.readU32(`${what} counter`);
  return { counter, value: readValue(r, `${what} value`) };
}

function readOptBallot(r: Reader, what: string): Ballot | null {
  const at = r.offset;
  const flag = r.readU8(`${what} flag`);
  if (flag === 0) return null;
  if (flag !== 1) throw new ScpError(ScpCode.DECODE_BAD_TAG, { what: `${what} flag`, offset: at, tag: flag });
  return readBallot(r, what);
}

function readValues(r: Reader, what: string): Value[] {
  const n = r.readCount(MAX_NOMINATION_VALUES, 4, what);
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(readValue(r, what));
  return out;
}

function readHash(r: Reader, what: string): Hash {
  return copy(r.readBytes(HASH_LENGTH, what));
}

function readStatement(r: Reader): Statement {
  const nodeId = copy(r.read32("node id"));
  const slotIndex = r.readU64("slot index");
  const at = r.offset;
  const tag = r.readU8("statement type");
  let pledges: Pledges;
  switch (tag) {
    case STATEMENT_TAG.prepare: {
      const quorumSetHash = readHash(r, "qset hash");
      const ballot = readBallot(r, "ballot");
      const prepared = readOptBallot(r, "prepared");
      const preparedPrime = readOptBallot(r, "prepared prime");
      const nC = r.readU32("nC");
      const nH = r.readU32("nH");
      pledges = { type: "prepare", quorumSetHash, ballot, prepared, preparedPrime, nC, nH };
      break;
    }
    case STATEMENT_TAG.confirm: {
      const quorumSetHash = readHash(r, "qset hash");
      const ballot = readBallot(r, "ballot");
      const nPrepared = r.readU32("nPrepared");
      const nCommit = r.readU32("nCommit");
      const nH = r.readU32("nH");
      pledges = { type: "confirm", quorumSetHash, ballot, nPrepared, nCommit, nH };
      break;
    }
    case STATEMENT_TAG.externalize: {
      const commit = readBallot(r, "commit");
      const nH = r.readU32("nH");
      const commitQuorumSetHash = readHash(r, "commit qset hash");
      pledges = { type: "externalize", commit, nH, commitQuorumSetHash };
      break;
    }
    case STATEMENT_TAG.nominate: {
      const quorumSetHash = readHash(r, "qset hash");
      const votes = readValues(r, "votes");
      const accepted = readValues(r, "accepted");
      pledges = { type: "nominate", quorumSetHash, votes, accepted };
      break;
    }
    default:
      throw new ScpError(ScpCode.DECODE_BAD_TAG, { what: "statement type", offset: at, tag });
  }
  return { nodeId, slotIndex, pledges };
}

/** Runs a decoder, turning the reader's DECODE_* errors into SCP_DECODE_FAILED (cause kept). */
function decodeWith<T>(bytes: Uint8Array, what: string, f: (r: Reader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decode ${what}: bytes must be a Uint8Array`);
  try {
    const r = new Reader(bytes);
    const out = f(r);
    r.end(what);
    return out;
  } catch (e) {
    if (e instanceof ScpError) throw e;
    if (e instanceof DecodeError)
      throw new ScpError(
        ScpCode.DECODE_FAILED,
        { what, decodeCode: e.code, ...(e.meta.offset === undefined ? {} : { offset: e.meta.offset }) },
        { cause: e },
      );
    if (e instanceof CodedError) throw e;
    throw new ScpError(ScpCode.DECODE_FAILED, { what }, { cause: e });
  }
}

/** Strictly decodes a quorum set (depth and size limits enforced; sanity is a separate check). */
export function decodeQuorumSet(bytes: Uint8Array): QuorumSet {
  return decodeWith(bytes, "quorum set", (r) => readQuorumSet(r, 0, { n: 0 }));
}

/** Strictly decodes a statement. */
export function decodeStatement(bytes: Uint8Array): Statement {
  return decodeWith(bytes, "statement", readStatement);
}

/** Strictly decodes an envelope (statement ‖ 64-byte signature). */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return decodeWith(bytes, "envelope", (r) => {
    const statement = readStatement(r);
    const signature = copy(r.readBytes(SIGNATURE_LENGTH, "signature"));
    return { statement, signature };
  });
}

// ---------------------------------------------------------------- hashes

function labelled(label: Uint8Array, size: number): Writer {
  const w = new Writer(size + label.length + 4);
  w.writeSizedBytes(label);
  return w;
}

const qsetHashCache = new WeakMap<QuorumSet, Hash>();

/** SHA-256 of the labelled canonical encoding of `q` (cached per object: treat quorum sets as immutable). */
export function quorumSetHash(q: QuorumSet): Hash {
  const cached = qsetHashCache.get(q);
  if (cached) return cached;
  const w = labelled(QSET_LABEL_BYTES, 64 + 32 * q.validators.length);
  writeQuorumSet(w, q);
  const h = sha256(w.toBytes());
  qsetHashCache.set(q, h);
  return h;
}

function top64(h: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < 8; i++) x = (x << 8n) | BigInt(h[i]!);
  return x;
}

/** Default node hash for nomination: neighbourhood test (`isPriority` false) or priority (true). */
export function defaultHashNode(
  slotIndex: bigint,
  prev: Value,
  isPriority: boolean,
  round: number,
  nodeId: NodeId,
): bigint {
  const w = labelled(NODE_LABEL_BYTES, 64 + prev.length);
  w.writeU64(slotIndex)
    .writeSizedBytes(prev)
    .writeU32(isPriority ? 2 : 1)
    .writeU32(round)
    .write32(nodeId);
  return top64(sha256(w.toBytes()));
}

/** Default value hash for nomination: which of a leader's values to adopt first (highest wins). */
export function defaultHashValue(slotIndex: bigint, prev: Value, round: number, value: Value): bigint {
  const w = labelled(VALUE_LABEL_BYTES, 32 + prev.length + value.length);
  w.writeU64(slotIndex).writeSizedBytes(prev).writeU32(3).writeU32(round).writeSizedBytes(value);
  return top64(sha256(w.toBytes()));
}
