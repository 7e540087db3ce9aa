/**
 * Transaction verification in two stages (zkvm-spec.md "VM execution"):
 *   precompute — decode, run the VM: txid, txlog, fee and the deferred statements (cheap);
 *   verify     — bind the txid into the R1CS transcript, build the R1CS verification statement,
 *                the aggregated `signtx` statement and the deferred point operations, and check
 *                them all with one multi-scalar multiplication (or many txs in one batch).
 */
import { Verifier as R1csVerifier } from "../bulletproofs/verifier.js";
import { BatchVerifier, checkStatement, type PointStatement } from "../crypto/batch.js";
import { BulletproofGens } from "../crypto/generators.js";
import { defaultMsmBackend, type MsmBackend, type ScalarKernels } from "../crypto/msm/index.js";
import { multiMessageStatement } from "../crypto/musig.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import { Transcript } from "../crypto/transcript.js";
import { CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import type { ContractId } from "./contract.js";
import { VmCode, VmError } from "./errors.js";
import { LABEL } from "./labels.js";
import { decodeTx, encodeTx, type Tx } from "./tx.js";
import { computeTxid, type TxEntry } from "./txlog.js";
import { Vm, type VmDelegate } from "./vm.js";

/** Default generator capacity for verification (DESIGN.md limits). */
export const DEFAULT_BP_CAPACITY = 1024;

/** A transaction whose VM ran: its id, log and fee are known; proofs and signatures are not checked. */
export interface PrecomputedTx {
  readonly tx: Tx;
  readonly txid: Uint8Array;
  /** The transaction log, header entry first. */
  readonly txlog: readonly TxEntry[];
  readonly fee: bigint;
  /** Serialized size in bytes. */
  readonly size: number;
  /** @internal verifier state consumed by `txStatements`. */
  readonly pending: PendingChecks;
}

/** @internal */
export interface PendingChecks {
  cs: R1csVerifier | undefined;
  readonly signtx: { readonly pubkey: CompressedPoint; readonly message: ContractId }[];
  readonly deferred: PointStatement[];
}

/** A fully verified transaction. */
export interface VerifiedTx {
  readonly tx: Tx;
  readonly txid: Uint8Array;
  readonly txlog: readonly TxEntry[];
  readonly fee: bigint;
  readonly size: number;
}

export interface VerifyOptions {
  /** Randomness for the batch weights. */
  readonly rng: Rng;
  /** Generators (capacity 1024 by default); larger proofs are rejected. */
  readonly bpGens?: BulletproofGens;
  readonly backend?: MsmBackend;
}

/**
 * Runs the VM of a decoded transaction (throws VmError). The constraint system may not exceed
 * `capacity` multipliers (VM_TOO_MANY_MULTIPLIERS as soon as it does).
 */
export function precomputeTx(tx: Tx, size?: number, capacity = DEFAULT_BP_CAPACITY): PrecomputedTx {
  const cs = new R1csVerifier(Transcript.create(LABEL.R1CS));
  cs.limitMultipliers(capacity);
  const pending: PendingChecks = { cs, signtx: [], deferred: [] };
  const delegate: VmDelegate = {
    cs,
    commitVariable: (point) => ({ variable: cs.commit(point), assignment: undefined }),
    allocAssignment: () => undefined,
    processTxSignature: (pubkey, message) => void pending.signtx.push({ pubkey, message }),
    defer: (stmt) => void pending.deferred.push(stmt),
  };
  const { txlog, fee } = new Vm(tx.header, tx.program, delegate).run();
  const txid = computeTxid(txlog);
  return { tx, txid, txlog, fee, size: size ?? encodeTx(tx).length, pending };
}

/** Decodes and precomputes serialized transaction bytes. */
export function precomputeTxBytes(bytes: Uint8Array): PrecomputedTx {
  return precomputeTx(decodeTx(bytes), bytes.length);
}

/**
 * The statements that verify a precomputed tx: [R1CS proof, signtx signature (if any keys), deferred
 * point operations...]. Consumes the tx's verifier state (a tx is verified once). Throws
 * VM_INVALID_R1CS_PROOF if the proof is malformed for this constraint system (identity points,
 * wrong number of rounds, over capacity).
 */
export function txStatements(
  p: PrecomputedTx,
  bpGens: BulletproofGens,
  rng: Rng,
  kernels?: ScalarKernels,
): { r1cs: PointStatement; others: PointStatement[] } {
  const cs = p.pending.cs;
  if (cs === undefined) throw new TypeError("txStatements: this transaction was already verified");
  p.pending.cs = undefined;
  cs.transcript.appendMessage(LABEL.TXID, p.txid);
  let r1cs: PointStatement;
  try {
    cs.limitMultipliers(bpGens.capacity);
    r1cs = cs.verificationStatement(p.tx.proof, bpGens, rng, kernels);
  } catch (e) {
    if (e instanceof CodedError) {
      const code =
        e.code === "R1CS_GENERATORS_CAPACITY" ? VmCode.TOO_MANY_MULTIPLIERS : VmCode.INVALID_R1CS_PROOF;
      throw new VmError(code, { what: e.code }, { cause: e });
    }
    throw e;
  }
  const others: PointStatement[] = [];
  if (p.pending.signtx.length > 0) {
    const t = Transcript.create(LABEL.SIGNTX);
    t.appendMessage("txid", p.txid);
    try {
      others.push(multiMessageStatement(p.tx.signature, t, p.pending.signtx));
    } catch (e) {
      if (e instanceof CodedError)
        throw new VmError(VmCode.SIGNATURE_VERIFICATION_FAILED, { what: e.code }, { cause: e });
      throw e;
    }
  }
  others.push(...p.pending.deferred);
  return { r1cs, others };
}

function checkGroup(stmts: readonly PointStatement[], rng: Rng, backend: MsmBackend): boolean {
  const bv = new BatchVerifier({ rng, backend });
  for (const s of stmts) bv.add(s);
  try {
    return bv.check();
  } catch {
    return false;
  }
}

/**
 * Verifies one precomputed transaction with a single MSM. On failure, says which part failed:
 * VM_INVALID_R1CS_PROOF or VM_SIGNATURE_VERIFICATION_FAILED (signatures and point operations).
 */
export function verifyPrecomputed(p: PrecomputedTx, opts: VerifyOptions): VerifiedTx {
  const bpGens = opts.bpGens ?? BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
  const backend = opts.backend ?? defaultMsmBackend();
  const { r1cs, others } = txStatements(p, bpGens, opts.rng, backend.kernels);
  if (!checkGroup([r1cs, ...others], opts.rng, backend)) {
    // Failure path only: find the part to blame.
    if (!safeCheck(r1cs, backend)) throw new VmError(VmCode.INVALID_R1CS_PROOF, {});
    throw new VmError(VmCode.SIGNATURE_VERIFICATION_FAILED, {});
  }
  return { tx: p.tx, txid: p.txid, txlog: p.txlog, fee: p.fee, size: p.size };
}

function safeCheck(stmt: PointStatement, backend: MsmBackend): boolean {
  try {
    return checkStatement(stmt, backend);
  } catch {
    return false;
  }
}

/** Decodes, runs and verifies serialized transaction bytes. */
export function verifyTx(bytes: Uint8Array, opts: VerifyOptions): VerifiedTx {
  return verifyPrecomputed(precomputeTxBytes(bytes), opts);
}

export type BatchOutcome =
  | { readonly ok: true; readonly tx: VerifiedTx }
  | { readonly ok: false; readonly error: VmError };

/**
 * Verifies many precomputed transactions with one MSM. If the batch fails, the guilty transactions
 * are found by bisection, so one bad transaction does not reject the honest ones. Results are in
 * input order.
 */
export function verifyBatch(txs: readonly PrecomputedTx[], opts: VerifyOptions): BatchOutcome[] {
  const bpGens = opts.bpGens ?? BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
  const backend = opts.backend ?? defaultMsmBackend();
  const out: BatchOutcome[] = new Array(txs.length);
  const groups: { index: number; stmts: PointStatement[]; r1cs: PointStatement }[] = [];
  txs.forEach((p, index) => {
    try {
      const { r1cs, others } = txStatements(p, bpGens, opts.rng, backend.kernels);
      groups.push({ index, stmts: [r1cs, ...others], r1cs });
    } catch (e) {
      if (!(e instanceof VmError)) throw e;
      out[index] = { ok: false, error: e };
    }
  });
  const bisect = (part: typeof groups): void => {
    if (part.length === 0) return;
    if (
      checkGroup(
        part.flatMap((g) => g.stmts),
        opts.rng,
        backend,
      )
    ) {
      for (const g of part) {
        const p = txs[g.index]!;
        out[g.index] = { ok: true, tx: { tx: p.tx, txid: p.txid, txlog: p.txlog, fee: p.fee, size: p.size } };
      }
      return;
    }
    if (part.length === 1) {
      const g = part[0]!;
      const code = safeCheck(g.r1cs, backend)
        ? VmCode.SIGNATURE_VERIFICATION_FAILED
        : VmCode.INVALID_R1CS_PROOF;
      out[g.index] = { ok: false, error: new VmError(code, {}) };
      return;
    }
    const mid = part.length >> 1;
    bisect(part.slice(0, mid));
    bisect(part.slice(mid));
  };
  bisect(groups);
  return out;
}
