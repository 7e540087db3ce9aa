/**
 * Shared pieces of the contract SDK (zkvm-spec.md "Examples"):
 *
 * - `ValueFlow`, a transaction builder that counts the values a transaction has put on the VM
 *   stack — from spent utxos, issuances and fees, and from contract programs run by `call`,
 *   `signid` or `signtag` (which `TxBuilder` cannot see) — and cloaks them into outputs whose
 *   payload may carry strings around the value;
 * - program snippets for time bounds: `assertNotBefore`/`assertNotAfter` check the tx time bounds
 *   against a committed time in zero knowledge (one 64-bit range proof each), the `Clear` variants
 *   check them in the clear against a constant;
 * - `signProgram` for the `signid`/`signtag` delegation signatures, and key/blinding helpers.
 */
import { pedersenCommit } from "../../crypto/generators.js";
import { CompressedPoint } from "../../crypto/ristretto.js";
import { encodeScalar, mod } from "../../crypto/scalar.js";
import { type Signature, sign } from "../../crypto/starsig.js";
import { Transcript } from "../../crypto/transcript.js";
import { concatBytes, le64, utf8 } from "../../util/bytes.js";
import type { Rng } from "../../util/rng.js";
import {
  type OpenValue,
  type OwnedUtxo,
  type ProgramBuilder,
  type Pushable,
  signidTranscript,
  signtagTranscript,
  TxBuilder,
  type TxBuilderOptions,
  type WitnessCollector,
} from "../builder.js";
import type { Contract } from "../contract.js";
import type { ProvedTx } from "../prover.js";
import type { TxEntry, TxHeader } from "../txlog.js";

/** The largest u64: the default `maxtime` (no upper bound). */
export const MAX_TIME = (1n << 64n) - 1n;

/** A cleartext quantity of a flavor. */
export interface Amount {
  readonly qty: bigint;
  readonly flavor: bigint;
}

/** An output made by `ValueFlow.cloakTo`: a value (and optional strings around it) locked by a predicate. */
export interface OutputRequest {
  readonly qty: bigint;
  readonly flavor: bigint;
  readonly predicate: CompressedPoint;
  /** Blinding of the quantity commitment (random by default; 0n makes it readable by anyone). */
  readonly qtyBlinding?: bigint;
  /** Blinding of the flavor commitment (random by default). */
  readonly flvBlinding?: bigint;
  /** Payload items placed below the value (bottom first). */
  readonly before?: readonly Pushable[];
  /** Payload items placed above the value (the last one ends on top, e.g. a `signtag` tag). */
  readonly after?: readonly Pushable[];
}

/** A cloak output that is retired instead of locked. */
export interface RetireRequest {
  readonly qty: bigint;
  readonly flavor: bigint;
  readonly retire: true;
}

export type CloakRequest = OutputRequest | RetireRequest;

/**
 * A transaction builder for contract flows. It wraps `TxBuilder` (proving, signing, the witness)
 * and keeps its own count of the values waiting for the next `cloak`, so that values pushed by
 * contract programs can be declared with `addPending`.
 */
export class ValueFlow {
  readonly tx: TxBuilder;
  readonly rng: Rng;
  private pending = 0;

  constructor(opts: TxBuilderOptions) {
    this.tx = new TxBuilder(opts);
    this.rng = opts.rng;
  }

  /** The bytecode being built. */
  get program(): ProgramBuilder {
    return this.tx.program;
  }

  get witness(): WitnessCollector {
    return this.tx.witness;
  }

  get header(): TxHeader {
    return this.tx.header;
  }

  /** Values on the stack that the next `cloakTo` consumes. */
  get pendingValues(): number {
    return this.pending;
  }

  /** Records the openings of values this tx will commit (contract payloads, borrowed values). */
  learn(values: readonly OpenValue[]): this {
    for (const v of values) {
      this.witness.commit(v.qty, v.qtyBlinding);
      this.witness.commit(v.flavor, v.flvBlinding);
    }
    return this;
  }

  /** Declares `n` values (or wide values) pushed by a contract program. */
  addPending(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new RangeError("ValueFlow.addPending: n must be a count");
    this.pending += n;
    return this;
  }

  /** Spends a key-locked utxo (`input signtx`); `secret` signs for its predicate. */
  spend(utxo: OwnedUtxo, secret: bigint): this {
    this.tx.spend(utxo, secret);
    return this.addPending(utxo.values.length);
  }

  /** Issues a new flavor (`issue signtx`); needs an input first for the anchor. */
  issue(qty: bigint, metadata: Uint8Array, issuerSecret: bigint): { flavor: bigint } {
    const out = this.tx.issue(qty, metadata, issuerSecret);
    this.addPending(1);
    return out;
  }

  /** Pays a fee (flavor 0) that the next cloak must balance. */
  fee(amount: number): this {
    this.tx.fee(amount);
    return this.addPending(1);
  }

  /** Adds a data entry to the tx log. */
  log(data: Uint8Array): this {
    this.program.push(data).log();
    return this;
  }

  /**
   * Cloaks every pending value into `outputs` (per-flavor totals must match, or the prover refuses
   * with VM_R1CS_INCONSISTENCY) and locks or retires each. Returns the open values in order.
   * A flavor whose inputs net to zero (say a borrowed −P repaid by exactly +P) still needs an output
   * of its own, of quantity zero: the cloak gadget matches one merged total per input flavor with
   * one per output flavor (only flavor 0, the fee flavor, may be absorbed by the zero pads).
   */
  cloakTo(outputs: readonly CloakRequest[]): OpenValue[] {
    if (outputs.length === 0) throw new RangeError("ValueFlow.cloakTo: at least one output");
    if (this.pending === 0) throw new RangeError("ValueFlow.cloakTo: no pending values");
    const open: OpenValue[] = outputs.map((o) => ({
      qty: o.qty,
      flavor: o.flavor,
      qtyBlinding: "qtyBlinding" in o && o.qtyBlinding !== undefined ? o.qtyBlinding : this.tx.blinding(),
      flvBlinding: "flvBlinding" in o && o.flvBlinding !== undefined ? o.flvBlinding : this.tx.blinding(),
    }));
    for (const v of open)
      this.program.pushCommitment(v.qty, v.qtyBlinding).pushCommitment(v.flavor, v.flvBlinding);
    this.program.cloak(this.pending, outputs.length);
    this.pending = 0;
    // `cloak` leaves the first output's value on top: lock them in order.
    for (const o of outputs) {
      if ("retire" in o) this.program.retire();
      else lockTop(this.program, o.predicate, o.before ?? [], o.after ?? []);
    }
    return open;
  }

  /** Proves and signs. */
  build(): ProvedTx {
    return this.tx.build();
  }
}

/**
 * Locks the value on top of the stack with `predicate`, with strings `before` it (bottom first) and
 * `after` it in the payload: `(push:b roll:1)* (push:a)* push:predicate output:k`.
 */
export function lockTop(
  b: ProgramBuilder,
  predicate: CompressedPoint,
  before: readonly Pushable[] = [],
  after: readonly Pushable[] = [],
): ProgramBuilder {
  for (const item of before) b.push(item).roll(1);
  for (const item of after) b.push(item);
  return b.push(predicate).output(before.length + 1 + after.length);
}

/** Pushes the constant scalar `s` as an expression (`push:s scalar`). */
export function pushConstant(b: ProgramBuilder, s: bigint): ProgramBuilder {
  return b.pushScalar(s).scalar();
}

/** A time committed in a program, with the blinding its provers must know. */
export interface CommittedTime {
  readonly time: bigint;
  readonly blinding: bigint;
}

/** Checks `tx.mintime ≥ t` in zero knowledge: `push:C(t) commit expr neg mintime add range drop`. */
export function assertNotBefore(b: ProgramBuilder, t: CommittedTime): ProgramBuilder {
  return b.pushCommitment(t.time, t.blinding).commit().expr().neg().mintime().add().range().drop();
}

/** Checks `tx.maxtime ≤ t` in zero knowledge: `push:C(t) commit expr maxtime neg add range drop`. */
export function assertNotAfter(b: ProgramBuilder, t: CommittedTime): ProgramBuilder {
  return b.pushCommitment(t.time, t.blinding).commit().expr().maxtime().neg().add().range().drop();
}

/**
 * Checks `tx.mintime ≥ t` in the clear: `mintime push:t scalar neg add range drop`; the range of
 * a constant is checked by the VM directly (VM_INVALID_BITRANGE if it is negative).
 */
export function assertNotBeforeClear(b: ProgramBuilder, t: bigint): ProgramBuilder {
  return pushConstant(b.mintime(), t).neg().add().range().drop();
}

/** Checks `tx.maxtime ≤ t` in the clear: `push:t scalar maxtime neg add range drop`. */
export function assertNotAfterClear(b: ProgramBuilder, t: bigint): ProgramBuilder {
  return pushConstant(b, t).maxtime().neg().add().range().drop();
}

/** Signs a program for `signid` (over a contract id) or `signtag` (over a tag). */
export function signProgram(
  kind: { readonly contractId: Uint8Array } | { readonly tag: Uint8Array },
  program: Uint8Array,
  secret: bigint,
  rng: Rng,
): Signature {
  const t =
    "contractId" in kind ? signidTranscript(kind.contractId, program) : signtagTranscript(kind.tag, program);
  return sign(t, secret, rng);
}

/**
 * Opens `contract` with a program signed by its predicate's key (`push:contract input program:P
 * push:sig signid` or `signtag`). The program's openings must be in the flow's witness (build it
 * with `flow.program.sub()`). The caller declares the values the program leaves with `addPending`.
 */
export function spendWithSignedProgram(
  flow: ValueFlow,
  op: "signid" | "signtag",
  contract: Contract,
  program: Uint8Array,
  sig: Signature,
): ValueFlow {
  flow.program.push(contract).input().program(program).push(sig.encode());
  if (op === "signid") flow.program.signid();
  else flow.program.signtag();
  return flow;
}

/** The outputs of a proved or verified tx, in log order. */
export function outputsOf(txlog: readonly TxEntry[]): Contract[] {
  const out: Contract[] = [];
  for (const e of txlog) if (e.type === "output") out.push(e.contract);
  return out;
}

/** A Pedersen commitment (value·B + blinding·B2) in wire form. */
export function commitment(value: bigint, blinding: bigint): CompressedPoint {
  return CompressedPoint.fromPoint(pedersenCommit(mod(value), blinding));
}

/**
 * Deterministic secret scalars shared by the parties of a contract (blinding factors both need to
 * rebuild the same programs): Transcript(label) ← seed, name, index → challenge scalar.
 */
export function deriveScalar(label: string, seed: Uint8Array, name: string, index = 0n): bigint {
  const t = Transcript.create(label);
  t.appendMessage("seed", seed);
  t.appendMessage("name", utf8(name));
  t.appendU64("index", index);
  return t.challengeScalar("scalar");
}

/** Deterministic 32 bytes, like `deriveScalar`. */
export function deriveBytes(label: string, seed: Uint8Array, name: string, index = 0n): Uint8Array {
  const t = Transcript.create(label);
  t.appendMessage("seed", seed);
  t.appendMessage("name", utf8(name));
  t.appendU64("index", index);
  return t.challengeBytes("bytes", 32);
}

/** A cleartext u64 || scalar encoding used in contract descriptions. */
export function encodeQtyFlavor(qty: bigint, flavor: bigint): Uint8Array {
  return concatBytes(le64(qty), encodeScalar(mod(flavor)));
}
