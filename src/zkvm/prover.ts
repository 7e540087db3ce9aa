/**
 * The transaction prover: runs the same VM as the verifier over the same bytecode, with a delegate
 * that knows the secrets (a `TxWitness`): openings of the commitments it uses, the values of
 * `alloc`, and the secret keys of the predicates it signs with `signtx`. It then proves the
 * constraint system and signs the txid (Musig multi-message signature, zkvm-spec.md "Transaction
 * signature").
 */
import { Prover as R1csProver } from "../bulletproofs/prover.js";
import { BulletproofGens } from "../crypto/generators.js";
import { type KeyMessage, signMultiMessage } from "../crypto/musig.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { Signature } from "../crypto/starsig.js";
import { Transcript } from "../crypto/transcript.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import type { ContractId } from "./contract.js";
import { VmCode, VmError } from "./errors.js";
import { LABEL } from "./labels.js";
import type { Tx } from "./tx.js";
import { computeTxid, type TxEntry, type TxHeader } from "./txlog.js";
import { DEFAULT_BP_CAPACITY } from "./verifier.js";
import { Vm, type VmDelegate } from "./vm.js";

/** An opening of a Pedersen commitment: value·B + blinding·B2. */
export interface Opening {
  readonly value: bigint;
  readonly blinding: bigint;
}

/** The secrets a prover needs for one transaction. */
export interface TxWitness {
  /** Openings of the commitments the program commits, keyed by the commitment's hex. */
  readonly openings: ReadonlyMap<string, Opening>;
  /** Values of the `alloc` instructions, in execution order. */
  readonly allocs: readonly bigint[];
  /** Secret keys of `signtx` predicates, keyed by the predicate's hex (Taproot: inner key + h). May be empty with `proveTxUnsigned`. */
  readonly keys: ReadonlyMap<string, bigint>;
}

export interface ProveTxOptions {
  readonly rng: Rng;
  readonly bpGens?: BulletproofGens;
}

export interface ProvedTx {
  readonly tx: Tx;
  readonly txid: Uint8Array;
  readonly txlog: readonly TxEntry[];
  readonly fee: bigint;
}

/** The signature placed in a transaction that has no `signtx` keys (identity R, zero s). */
export function emptySignature(): Signature {
  return new Signature(new CompressedPoint(new Uint8Array(32)), 0n);
}

/** A proven transaction still to be signed: the txid and the (key, contract id) pairs `signtx` needs. */
export interface UnsignedTx {
  readonly header: TxHeader;
  readonly program: Uint8Array;
  readonly proof: Tx["proof"];
  readonly txid: Uint8Array;
  readonly txlog: readonly TxEntry[];
  readonly fee: bigint;
  /** What the multi-message signature must cover, in `signtx` order. */
  readonly signtx: readonly KeyMessage[];
}

/** The transcript a `signtx` signature is made on: Transcript("ZkVM.signtx") with the txid. */
export function signtxTranscript(txid: Uint8Array): Transcript {
  return Transcript.create(LABEL.SIGNTX).appendMessage("txid", txid);
}

/**
 * Signs an unsigned tx with the secret of each `signtx` key (one signer holding all keys). Parties
 * holding their keys apart run the Musig rounds on `signtxTranscript(txid)` over `unsigned.signtx`
 * (src/crypto/musig.ts) and call `attachSignature`.
 */
export function signTx(unsigned: UnsignedTx, keys: ReadonlyMap<string, bigint>, rng: Rng): ProvedTx {
  if (unsigned.signtx.length === 0) return attachSignature(unsigned, emptySignature());
  const pairs = unsigned.signtx.map(({ pubkey, message }) => {
    const secret = keys.get(pubkey.toHex());
    if (secret === undefined)
      throw new VmError(VmCode.WITNESS_MISSING, { what: `key of ${toHex(pubkey.bytes)}` });
    return { secret, message };
  });
  return attachSignature(unsigned, signMultiMessage(signtxTranscript(unsigned.txid), pairs, rng));
}

/** Completes an unsigned tx with a signature made elsewhere. */
export function attachSignature(unsigned: UnsignedTx, signature: Signature): ProvedTx {
  const { header, program, proof, txid, txlog, fee } = unsigned;
  return { tx: { header, program, signature, proof }, txid, txlog, fee };
}

/** Runs, proves and signs a transaction. Throws VmError (e.g. VM_WITNESS_MISSING, VM_INCONSISTENT_WITNESS). */
export function proveTx(
  header: TxHeader,
  program: Uint8Array,
  witness: TxWitness,
  opts: ProveTxOptions,
): ProvedTx {
  return signTx(proveTxUnsigned(header, program, witness, opts), witness.keys, opts.rng);
}

/** Runs the VM and proves the constraint system; the signature is left to `signTx`/`attachSignature`. */
export function proveTxUnsigned(
  header: TxHeader,
  program: Uint8Array,
  witness: TxWitness,
  opts: ProveTxOptions,
): UnsignedTx {
  const bpGens = opts.bpGens ?? BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
  const cs = new R1csProver(Transcript.create(LABEL.R1CS));
  cs.limitMultipliers(bpGens.capacity);
  const signtx: { pubkey: CompressedPoint; message: ContractId }[] = [];
  const delegate: VmDelegate = {
    cs,
    commitVariable(point) {
      const opening = witness.openings.get(point.toHex());
      if (opening === undefined)
        throw new VmError(VmCode.WITNESS_MISSING, { what: `opening of ${point.toHex()}` });
      const { commitment, variable } = cs.commit(opening.value, opening.blinding);
      if (!bytesEqual(commitment.bytes, point.bytes))
        throw new VmError(VmCode.INCONSISTENT_WITNESS, { what: `opening of ${point.toHex()}` });
      return { variable, assignment: opening.value };
    },
    allocAssignment(index) {
      const v = witness.allocs[index];
      if (v === undefined) throw new VmError(VmCode.WITNESS_MISSING, { what: "alloc", count: index });
      return v;
    },
    processTxSignature: (pubkey, message) => void signtx.push({ pubkey, message }),
    // The prover does not check deferred point operations: the verifier does.
    defer: () => {},
  };
  const { txlog, fee } = new Vm(header, program, delegate).run();
  const txid = computeTxid(txlog);
  cs.transcript.appendMessage(LABEL.TXID, txid);
  let proof: Tx["proof"];
  try {
    proof = cs.prove(bpGens, opts.rng);
  } catch (e) {
    if (e instanceof CodedError && !(e instanceof VmError)) {
      const code =
        e.code === "R1CS_GENERATORS_CAPACITY" ? VmCode.TOO_MANY_MULTIPLIERS : VmCode.R1CS_INCONSISTENCY;
      throw new VmError(code, { what: e.code }, { cause: e });
    }
    throw e;
  }
  return { header, program, proof, txid, txlog, fee, signtx };
}
