/**
 * Finality certificates: the signed SCP statements of a quorum that accepted the commit of a block's
 * value. Anyone holding the signers' quorum sets can check that a block was externalized.
 *
 * ```
 * Certificate = BlockHeader ‖ u32 n ‖ (u32 len ‖ Envelope)*      (envelopes sorted by node id, distinct)
 * ```
 *
 * Each envelope is a CONFIRM (accepts commit ⟨n, x⟩ for c.n ≤ n ≤ h.n) or an EXTERNALIZE (accepts
 * commit ⟨n, x⟩ for every n ≥ c.n) of slot = header height and ballot value x = the value the header
 * implies (`valueOfHeader`: prev, timestamp, tx-set hash over the other header fields). The
 * certificate is valid when, for some counter n, the signers accepting commit ⟨n, x⟩ contain a quorum
 * (transitively, with the verifier's quorum sets) — what a node needs to externalize x. A node
 * building the certificate right when it externalizes usually holds CONFIRMs of its peers, not yet
 * their EXTERNALIZEs, so both kinds are accepted.
 */
import { type BlockHeader, blockId, headerSize, readHeader, writeHeader } from "../../src/chain/index.js";
import { bytesEqual, compareBytes, toHex } from "../../src/util/bytes.js";
import { CodedError } from "../../src/util/codedError.js";
import { Reader } from "../../src/util/reader.js";
import { Writer } from "../../src/util/writer.js";
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  encodeStatement,
  INFINITE_COUNTER,
  isQuorum,
  MAX_QSET_NODES,
  type NodeId,
  nodeKey,
  type QuorumSet,
} from "../scp/index.js";
import { HerderCode, HerderError } from "./errors.js";
import { encodeValue, valueOfHeader } from "./value.js";

/** A block header with the envelopes that finalize it. */
export interface FinalityCertificate {
  readonly header: BlockHeader;
  readonly envelopes: readonly Envelope[];
}

/** Looks up the quorum set the verifier attributes to a node (undefined: the node is not counted). */
export type QuorumSetLookup = (nodeId: NodeId) => QuorumSet | undefined;
/** Verifies an envelope signature over the canonical statement bytes (must not throw). */
export type SignatureCheck = (nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array) => boolean;

/** The commit counters an envelope accepts for `value` at `slot` ([lo, hi]), or undefined. */
function acceptedCommit(env: Envelope, slot: bigint, value: Uint8Array): [number, number] | undefined {
  const st = env.statement;
  if (st.slotIndex !== slot) return undefined;
  const p = st.pledges;
  if (p.type === "confirm") {
    if (!bytesEqual(p.ballot.value, value) || p.nCommit === 0 || p.nCommit > p.nH) return undefined;
    return [p.nCommit, p.nH];
  }
  if (p.type === "externalize") {
    if (!bytesEqual(p.commit.value, value) || p.commit.counter === 0) return undefined;
    return [p.commit.counter, INFINITE_COUNTER];
  }
  return undefined;
}

/**
 * Builds the certificate of `header` from a slot's externalizing state: keeps the CONFIRM /
 * EXTERNALIZE envelopes accepting the commit of the header's value, one per node, sorted by node id.
 */
export function makeCertificate(header: BlockHeader, envelopes: readonly Envelope[]): FinalityCertificate {
  const value = encodeValue(valueOfHeader(header));
  const byNode = new Map<string, Envelope>();
  for (const e of envelopes)
    if (acceptedCommit(e, header.height, value)) byNode.set(nodeKey(e.statement.nodeId), e);
  const list = [...byNode.values()].sort((a, b) => compareBytes(a.statement.nodeId, b.statement.nodeId));
  return { header, envelopes: list };
}

/** Canonical certificate encoding. */
export function encodeCertificate(c: FinalityCertificate): Uint8Array {
  const envs = c.envelopes.map(encodeEnvelope);
  const w = new Writer(headerSize(c.header) + 4 + envs.reduce((n, e) => n + 4 + e.length, 0));
  writeHeader(w, c.header);
  w.writeU32(envs.length);
  for (const e of envs) w.writeSizedBytes(e);
  return w.toBytes();
}

/** Decodes a certificate strictly (HERDER_CERT_DECODE_FAILED, cause: the DecodeError / ScpError). */
export function decodeCertificate(bytes: Uint8Array): FinalityCertificate {
  try {
    const r = new Reader(bytes);
    const header = readHeader(r);
    const n = r.readCount(MAX_QSET_NODES, 4 + 100, "certificate envelope count");
    const envelopes: Envelope[] = [];
    for (let i = 0; i < n; i++) envelopes.push(decodeEnvelope(r.readSizedBytes(64 * 1024, "envelope")));
    r.end("certificate");
    return { header, envelopes };
  } catch (e) {
    if (e instanceof CodedError)
      throw new HerderError(HerderCode.CERT_DECODE_FAILED, { what: "certificate" }, { cause: e });
    throw e;
  }
}

/**
 * Checks that `cert` finalizes the block `expectedBlockId`: its header has that id; every envelope is
 * a validly signed CONFIRM / EXTERNALIZE, from a distinct node, accepting the commit of the header's
 * value at the header's height; and for some ballot counter the signers (with the quorum sets
 * `qsets` gives; unknown nodes do not count) contain a quorum — a slice of `trusted` too when given.
 * Throws HERDER_CERT_WRONG_BLOCK, _BAD_STATEMENT, _BAD_SIGNATURE or _NO_QUORUM.
 */
export function verifyCertificate(
  cert: FinalityCertificate,
  expectedBlockId: Uint8Array,
  qsets: QuorumSetLookup,
  verifySig: SignatureCheck,
  trusted?: QuorumSet,
): void {
  const id = blockId(cert.header);
  if (!bytesEqual(id, expectedBlockId))
    throw new HerderError(HerderCode.CERT_WRONG_BLOCK, {
      expected: toHex(expectedBlockId),
      actual: toHex(id),
    });
  const slot = cert.header.height;
  const value = encodeValue(valueOfHeader(cert.header));
  const seen = new Set<string>();
  const ranges: { key: string; qset: QuorumSet; lo: number; hi: number }[] = [];
  cert.envelopes.forEach((env, index) => {
    const range = acceptedCommit(env, slot, value);
    if (!range) throw new HerderError(HerderCode.CERT_BAD_STATEMENT, { index, slot });
    const key = nodeKey(env.statement.nodeId);
    if (seen.has(key))
      throw new HerderError(HerderCode.CERT_BAD_SIGNATURE, { index, reason: "duplicate signer" });
    seen.add(key);
    let ok = false;
    try {
      ok = verifySig(env.statement.nodeId, encodeStatement(env.statement), env.signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new HerderError(HerderCode.CERT_BAD_SIGNATURE, { index, reason: "signature" });
    const qset = qsets(env.statement.nodeId);
    if (qset) ranges.push({ key, qset, lo: range[0], hi: range[1] });
  });
  for (const { lo: n } of ranges) {
    const members = new Map<string, QuorumSet>();
    for (const r of ranges) if (r.lo <= n && n <= r.hi) members.set(r.key, r.qset);
    if (trusted ? isQuorum(trusted, members) : [...members.values()].some((q) => isQuorum(q, members)))
      return;
  }
  throw new HerderError(HerderCode.CERT_NO_QUORUM, { slot, actual: ranges.length });
}
