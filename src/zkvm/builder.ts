/**
 * The transaction-building SDK. `ProgramBuilder` is a fluent builder of bytecode that also collects
 * the prover's secrets (commitment openings, `alloc` values, signing keys) as instructions are added;
 * `TxBuilder` adds value-flow helpers (spend a utxo, issue, cloak into new outputs, fees) and proves
 * and signs the result with `proveTx`.
 */
import { pedersenCommit } from "../crypto/generators.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { encodeScalar, mod, randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { Transcript } from "../crypto/transcript.js";
import { le32, utf8 } from "../util/bytes.js";
import type { Rng } from "../util/rng.js";
import { Contract, type PortableItem } from "./contract.js";
import { LABEL } from "./labels.js";
import { encodeProgram, type Instruction, type SimpleOp } from "./ops.js";
import { type Opening, type ProvedTx, proveTx, type TxWitness } from "./prover.js";
import { CURRENT_TX_VERSION } from "./tx.js";
import type { TxHeader } from "./txlog.js";

/** Collects the secrets of a transaction while its program is built. */
export class WitnessCollector {
  readonly openings = new Map<string, Opening>();
  readonly allocs: bigint[] = [];
  readonly keys = new Map<string, bigint>();

  /** Records the opening of a commitment and returns the commitment. */
  commit(value: bigint, blinding: bigint): CompressedPoint {
    const point = CompressedPoint.fromPoint(pedersenCommit(mod(value), blinding));
    this.openings.set(point.toHex(), { value: mod(value), blinding });
    return point;
  }

  /**
   * Records a signing key; returns its public key (the predicate it signs for). A different secret
   * for a predicate that already has one is a mistake and throws a RangeError.
   */
  addKey(secret: bigint, predicate?: CompressedPoint): CompressedPoint {
    const pub = predicate ?? publicKey(secret);
    const known = this.keys.get(pub.toHex());
    if (known !== undefined && known !== secret)
      throw new RangeError(`WitnessCollector.addKey: another secret is already recorded for ${pub.toHex()}`);
    this.keys.set(pub.toHex(), secret);
    return pub;
  }

  toWitness(): TxWitness {
    return { openings: this.openings, allocs: this.allocs, keys: this.keys };
  }
}

/** Anything `push` accepts: raw bytes, text, a point, a contract (as its output structure). */
export type Pushable = Uint8Array | string | CompressedPoint | Contract;

function pushBytes(x: Pushable): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (typeof x === "string") return utf8(x);
  if (x instanceof CompressedPoint) return x.bytes;
  return x.encode();
}

/** A fluent bytecode builder. Every instruction of the spec has a method of the same name. */
export class ProgramBuilder {
  private readonly instructions: Instruction[] = [];
  readonly witness: WitnessCollector;

  constructor(witness: WitnessCollector = new WitnessCollector()) {
    this.witness = witness;
  }

  /** A nested builder sharing this one's witness (for `program`, `call`, `signid`, ...). */
  sub(): ProgramBuilder {
    return new ProgramBuilder(this.witness);
  }

  private op(op: SimpleOp): this {
    this.instructions.push({ op } as Instruction);
    return this;
  }

  push(x: Pushable): this {
    this.instructions.push({ op: "push", data: pushBytes(x) });
    return this;
  }

  /** Pushes a 32-byte scalar. */
  pushScalar(s: bigint): this {
    return this.push(encodeScalar(mod(s)));
  }

  /** Pushes a Pedersen commitment to `value` and records its opening; returns the builder. */
  pushCommitment(value: bigint, blinding: bigint): this {
    return this.push(this.witness.commit(value, blinding));
  }

  /** Pushes `value·B` (an unblinded commitment). */
  pushUnblinded(value: bigint): this {
    return this.pushCommitment(value, 0n);
  }

  program(code: Uint8Array | ProgramBuilder | ((b: ProgramBuilder) => void)): this {
    let bytes: Uint8Array;
    if (code instanceof Uint8Array) bytes = code;
    else if (code instanceof ProgramBuilder) bytes = code.toBytes();
    else {
      const b = this.sub();
      code(b);
      bytes = b.toBytes();
    }
    this.instructions.push({ op: "program", code: bytes });
    return this;
  }

  drop(): this {
    return this.op("drop");
  }
  dup(k: number): this {
    this.instructions.push({ op: "dup", k });
    return this;
  }
  roll(k: number): this {
    this.instructions.push({ op: "roll", k });
    return this;
  }
  scalar(): this {
    return this.op("scalar");
  }
  commit(): this {
    return this.op("commit");
  }
  /** `alloc` with the prover's value for the new variable. */
  alloc(value: bigint): this {
    this.witness.allocs.push(mod(value));
    return this.op("alloc");
  }
  mintime(): this {
    return this.op("mintime");
  }
  maxtime(): this {
    return this.op("maxtime");
  }
  expr(): this {
    return this.op("expr");
  }
  neg(): this {
    return this.op("neg");
  }
  add(): this {
    return this.op("add");
  }
  mul(): this {
    return this.op("mul");
  }
  eq(): this {
    return this.op("eq");
  }
  range(): this {
    return this.op("range");
  }
  and(): this {
    return this.op("and");
  }
  or(): this {
    return this.op("or");
  }
  not(): this {
    return this.op("not");
  }
  verify(): this {
    return this.op("verify");
  }
  unblind(): this {
    return this.op("unblind");
  }
  issue(): this {
    return this.op("issue");
  }
  borrow(): this {
    return this.op("borrow");
  }
  retire(): this {
    return this.op("retire");
  }
  cloak(m: number, n: number): this {
    this.instructions.push({ op: "cloak", m, n });
    return this;
  }
  /** Pushes the fee as a 4-byte string and runs `fee`. */
  fee(amount: number): this {
    return this.push(le32(amount)).op("fee");
  }
  input(): this {
    return this.op("input");
  }
  output(k: number): this {
    this.instructions.push({ op: "output", k });
    return this;
  }
  contract(k: number): this {
    this.instructions.push({ op: "contract", k });
    return this;
  }
  log(): this {
    return this.op("log");
  }
  eval(): this {
    return this.op("eval");
  }
  call(): this {
    return this.op("call");
  }
  signtx(): this {
    return this.op("signtx");
  }
  signid(): this {
    return this.op("signid");
  }
  signtag(): this {
    return this.op("signtag");
  }
  ext(opcode: number): this {
    this.instructions.push({ op: "ext", opcode });
    return this;
  }

  /** Appends raw instructions (e.g. decoded from bytecode). */
  append(instructions: readonly Instruction[]): this {
    this.instructions.push(...instructions);
    return this;
  }

  toBytes(): Uint8Array {
    return encodeProgram(this.instructions);
  }
}

/** The flavor of values issued under `predicate` with `metadata` (zkvm-spec.md `issue`). */
export function issueFlavor(predicate: CompressedPoint, metadata: Uint8Array): bigint {
  const t = Transcript.create(LABEL.ISSUE);
  t.appendMessage("predicate", predicate.bytes);
  t.appendMessage("metadata", metadata);
  return t.challengeScalar("flavor");
}

/** The message of a `signid` signature: the contract id and the program. */
export function signidTranscript(contractId: Uint8Array, program: Uint8Array): Transcript {
  return Transcript.create(LABEL.SIGNID).appendMessage("contract", contractId).appendMessage("prog", program);
}

/** The message of a `signtag` signature: the tag and the program. */
export function signtagTranscript(tag: Uint8Array, program: Uint8Array): Transcript {
  return Transcript.create(LABEL.SIGNTAG).appendMessage("tag", tag).appendMessage("prog", program);
}

/** A value as its owner knows it: quantity, flavor and the blinding factors of both commitments. */
export interface OpenValue {
  readonly qty: bigint;
  readonly flavor: bigint;
  readonly qtyBlinding: bigint;
  readonly flvBlinding: bigint;
}

/** The two commitments of an open value. */
export function valueCommitments(v: OpenValue): { qty: CompressedPoint; flv: CompressedPoint } {
  return {
    qty: CompressedPoint.fromPoint(pedersenCommit(v.qty, v.qtyBlinding)),
    flv: CompressedPoint.fromPoint(pedersenCommit(v.flavor, v.flvBlinding)),
  };
}

/** An unspent output known to its owner: the contract, and the openings of its values. */
export interface OwnedUtxo {
  readonly contract: Contract;
  /** Openings of the contract's value items, in payload order (strings/programs are skipped). */
  readonly values: readonly OpenValue[];
}

/** A requested output: quantity and flavor, locked by `predicate`. */
export interface OutputSpec {
  readonly qty: bigint;
  readonly flavor: bigint;
  readonly predicate: CompressedPoint;
}

export interface TxBuilderOptions {
  readonly rng: Rng;
  readonly version?: bigint;
  readonly mintime?: bigint;
  readonly maxtime?: bigint;
}

/**
 * Builds a value-moving transaction: the caller adds inputs (and issuances), then `cloak`s every
 * value on the stack into new outputs; `build` proves and signs.
 */
export class TxBuilder {
  readonly program: ProgramBuilder;
  private readonly rng: Rng;
  readonly header: TxHeader;
  /** Values on the VM stack that the next `cloak` consumes (wide values included). */
  private pendingValues = 0;

  constructor(opts: TxBuilderOptions) {
    this.rng = opts.rng;
    this.header = {
      version: opts.version ?? CURRENT_TX_VERSION,
      mintime: opts.mintime ?? 0n,
      maxtime: opts.maxtime ?? (1n << 64n) - 1n,
    };
    this.program = new ProgramBuilder();
  }

  get witness(): WitnessCollector {
    return this.program.witness;
  }

  /** A fresh random blinding factor. */
  blinding(): bigint {
    return randomScalar(this.rng);
  }

  /**
   * Counts `n` more values on the VM stack for the next `cloakTo` (values that programs put there,
   * e.g. the payload of a contract opened by `call`, `signid` or `signtag`).
   */
  addPending(n: number): this {
    this.pendingValues += n;
    return this;
  }

  /** Registers the openings of values (so the VM can commit them on the prover side). */
  learn(values: readonly OpenValue[]): this {
    for (const v of values) {
      this.witness.commit(v.qty, v.qtyBlinding);
      this.witness.commit(v.flavor, v.flvBlinding);
    }
    return this;
  }

  /** Spends a utxo locked by a key: `push:utxo input signtx` (payload values go to the stack). */
  spend(utxo: OwnedUtxo, secret: bigint): this {
    this.learn(utxo.values);
    this.witness.addKey(secret, utxo.contract.predicate);
    this.program.push(utxo.contract).input().signtx();
    this.pendingValues += utxo.contract.payload.filter((p) => p.kind === "value").length;
    return this;
  }

  /**
   * Issues `qty` of the flavor defined by `issuerSecret`'s key and `metadata`, signing with the
   * issuer key (`issue signtx`). Needs an anchor: add an input first.
   */
  issue(qty: bigint, metadata: Uint8Array, issuerSecret: bigint): { flavor: bigint } {
    const pred = this.witness.addKey(issuerSecret);
    const flavor = issueFlavor(pred, metadata);
    this.program.pushCommitment(qty, this.blinding()).commit();
    this.program.pushCommitment(flavor, 0n).commit();
    this.program.push(metadata).push(pred).issue().signtx();
    this.pendingValues++;
    return { flavor };
  }

  /** Adds a fee (a wide value of −fee that the next cloak must balance). */
  fee(amount: number): this {
    this.program.fee(amount);
    this.pendingValues++;
    return this;
  }

  /**
   * Cloaks every pending value into the given outputs (same flavors and totals, or the prover
   * refuses) and locks each with `output:1` under its predicate. Values to retire are listed with
   * `retire: true` and are retired instead of output. Returns the new outputs' open values in order.
   */
  cloakTo(
    outputs: readonly (OutputSpec | (Omit<OutputSpec, "predicate"> & { retire: true }))[],
  ): OpenValue[] {
    const open: OpenValue[] = outputs.map((o) => ({
      qty: o.qty,
      flavor: o.flavor,
      qtyBlinding: this.blinding(),
      flvBlinding: this.blinding(),
    }));
    for (const v of open) {
      this.program.pushCommitment(v.qty, v.qtyBlinding);
      this.program.pushCommitment(v.flavor, v.flvBlinding);
    }
    this.program.cloak(this.pendingValues, outputs.length);
    this.pendingValues = 0;
    // After `cloak`, the first output's value is on top of the stack.
    for (const o of outputs) {
      if ("retire" in o) this.program.retire();
      else this.program.push(o.predicate).output(1);
    }
    return open;
  }

  /** Proves and signs. */
  build(): ProvedTx {
    return proveTx(this.header, this.program.toBytes(), this.witness.toWitness(), { rng: this.rng });
  }
}

/** The utxo created by `output` at `index` in a proved tx, with the owner's openings. */
export function ownedOutput(proved: ProvedTx, index: number, values: readonly OpenValue[]): OwnedUtxo {
  const outs = proved.txlog.filter((e) => e.type === "output");
  const entry = outs[index];
  if (entry === undefined || entry.type !== "output") throw new RangeError(`ownedOutput: no output ${index}`);
  return { contract: entry.contract, values };
}

/** A utxo made directly (tests, genesis): a contract holding one value, anchored on `anchor`. */
export function makeUtxo(anchor: Uint8Array, predicate: CompressedPoint, value: OpenValue): OwnedUtxo {
  const { qty, flv } = valueCommitments(value);
  const payload: PortableItem[] = [{ kind: "value", qty, flv }];
  return { contract: new Contract(anchor, predicate, payload), values: [value] };
}
