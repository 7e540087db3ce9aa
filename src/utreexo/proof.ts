/**
 * Utreexo inclusion proofs and their wire encoding (as inside a ZkVM BlockTx):
 *   transient: 0x00                      (item inserted since the last normalization, no path yet)
 *   committed: 0x01 ‖ LE64 position ‖ LE32 n ‖ n × 32-byte neighbours (leaf level first)
 * A committed proof for an item in a level-d tree has exactly d neighbours (13 + 32·d bytes).
 * Spec: zkvm/docs/utreexo.md and zkvm-blockchain.md (stellar/slingshot); bytes settled by the vectors.
 */
import { MerklePath } from "../crypto/merkle.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";

/** Proof of an item inserted since the last normalization: it has no merkle path yet. */
export interface TransientProof {
  readonly kind: "transient";
}

/** Proof of an item stored in the normalized forest: its merkle path up to its tree's root. */
export interface CommittedProof {
  readonly kind: "committed";
  readonly path: MerklePath;
}

export type Proof = TransientProof | CommittedProof;

/** The (only) transient proof. */
export const TRANSIENT: TransientProof = Object.freeze({ kind: "transient" });

/** Wraps a merkle path as a committed proof. */
export function committed(path: MerklePath): CommittedProof {
  if (!(path instanceof MerklePath)) throw new TypeError("committed: path must be a MerklePath");
  return { kind: "committed", path };
}

const TAG_TRANSIENT = 0;
const TAG_COMMITTED = 1;

/** Encoded size in bytes: 1 for transient, 13 + 32·d for committed. */
export function proofEncodedSize(p: Proof): number {
  return p.kind === "transient" ? 1 : 1 + 8 + 4 + 32 * p.path.neighbors.length;
}

/** Appends the proof's wire encoding to `w`. */
export function encodeProof(w: Writer, p: Proof): void {
  if (p.kind === "transient") {
    w.writeU8(TAG_TRANSIENT);
  } else {
    w.writeU8(TAG_COMMITTED);
    p.path.encode(w);
  }
}

/** Reads one proof; throws DecodeError on a bad tag, a too-long path or truncated input. */
export function decodeProof(r: Reader): Proof {
  const at = r.offset;
  const tag = r.readU8("utreexo proof type");
  if (tag === TAG_TRANSIENT) return TRANSIENT;
  if (tag === TAG_COMMITTED) return { kind: "committed", path: MerklePath.decode(r) };
  throw new DecodeError(DecodeCode.INVALID_TAG, { what: "utreexo proof type", offset: at, tag });
}

/** The proof's encoding as bytes. */
export function proofToBytes(p: Proof): Uint8Array {
  const w = new Writer(proofEncodedSize(p));
  encodeProof(w, p);
  return w.toBytes();
}

/** Decodes exactly one proof from `bytes` (no trailing bytes). */
export function proofFromBytes(bytes: Uint8Array): Proof {
  const r = new Reader(bytes);
  const p = decodeProof(r);
  r.end("utreexo proof");
  return p;
}
