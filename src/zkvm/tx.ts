/**
 * The serialized transaction (zkvm-spec.md "Transaction Encoding", with the proof length prefix the
 * reference writes):
 *
 *     LE64 version || LE64 mintime || LE64 maxtime || LE32 len || program || signature(64) || LE32 len || proof
 */
import { decodeR1csProof, encodeR1csProof, type R1csProof } from "../bulletproofs/proof.js";
import { Signature } from "../crypto/starsig.js";
import { Transcript } from "../crypto/transcript.js";
import { DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { VmCode, VmError } from "./errors.js";
import { LABEL } from "./labels.js";
import type { TxHeader } from "./txlog.js";

/** Largest serialized transaction accepted (DESIGN.md limits). */
export const MAX_TX_SIZE = 64 * 1024;
/** The current transaction version; higher versions run with the extension flag. */
export const CURRENT_TX_VERSION = 1n;

export interface Tx {
  readonly header: TxHeader;
  /** Program bytecode. */
  readonly program: Uint8Array;
  /** Aggregated `signtx` signature: R(32) || s(32). */
  readonly signature: Signature;
  /** The R1CS proof (decoded structurally; points are checked at verification). */
  readonly proof: R1csProof;
}

export function encodeTx(tx: Tx): Uint8Array {
  const proof = encodeR1csProof(tx.proof);
  const w = new Writer(24 + 4 + tx.program.length + 64 + 4 + proof.length);
  w.writeU64(tx.header.version).writeU64(tx.header.mintime).writeU64(tx.header.maxtime);
  w.writeSizedBytes(tx.program);
  w.writeBytes(tx.signature.encode());
  w.writeSizedBytes(proof);
  return w.toBytes();
}

/**
 * Strictly decodes a serialized transaction. Every malformed input (short, trailing bytes, over the
 * size cap, a non-canonical signature scalar, a malformed proof) throws VM_INVALID_FORMAT with the
 * underlying DECODE_* error as `cause`, as the reference's `Tx::from_bytes` does.
 */
export function decodeTx(bytes: Uint8Array, maxSize = MAX_TX_SIZE): Tx {
  if (bytes.length > maxSize)
    throw new VmError(VmCode.INVALID_FORMAT, { what: "tx size", length: bytes.length, max: maxSize });
  try {
    const r = new Reader(bytes);
    const version = r.readU64("version");
    const mintime = r.readU64("mintime");
    const maxtime = r.readU64("maxtime");
    const program = r.readSizedBytes(maxSize, "program").slice();
    const signature = Signature.read(r);
    const proof = decodeR1csProof(r.readSizedBytes(maxSize, "proof"));
    r.end("tx");
    return { header: { version, mintime, maxtime }, program, signature, proof };
  } catch (e) {
    if (e instanceof DecodeError)
      throw new VmError(
        VmCode.INVALID_FORMAT,
        { what: "tx", ...(e.meta.offset === undefined ? {} : { offset: e.meta.offset }) },
        { cause: e },
      );
    throw e;
  }
}

/**
 * The witness hash (zkvm-blockchain.md "Transaction witness hash"): commits to every byte of the
 * transaction as a block carries it — the serialized tx followed by its utreexo proofs (the block
 * layer passes that encoding). Transcript("ZkVM.tx_witness_hash") ← "tx" → 32 bytes "hash".
 */
export function witnessHash(blockTxBytes: Uint8Array): Uint8Array {
  return Transcript.create(LABEL.TX_WITNESS_HASH)
    .appendMessage("tx", blockTxBytes)
    .challengeBytes("hash", 32);
}
