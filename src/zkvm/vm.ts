/**
 * The ZkVM execution loop (zkvm-spec.md "VM operation" and "Instructions"), shared by the prover and
 * the verifier. The differences between the two live behind `VmDelegate`: how a commitment becomes
 * a constraint-system variable (the prover knows its opening), how `signtx` keys are collected, and
 * where deferred point statements go. Both sides run the same bytecode.
 */
import type { ConstraintSystem } from "../bulletproofs/constraintSystem.js";
import type { Variable } from "../bulletproofs/linearCombination.js";
import { cloak, rangeProof } from "../cloak/index.js";
import { type AllocatedValue, allocatedValue, allocateValue, makeValue } from "../cloak/value.js";
import type { PointStatement } from "../crypto/batch.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { decodeScalar, L, mod, neg } from "../crypto/scalar.js";
import { Signature, starsigChallenge } from "../crypto/starsig.js";
import { Transcript } from "../crypto/transcript.js";
import { CodedError } from "../util/codedError.js";
import { DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import {
  addExpr,
  andConstraint,
  constantExpr,
  type Expression,
  eqConstraint,
  flattenConstraint,
  mulExpr,
  negExpr,
  notConstraint,
  orConstraint,
  scalarToSignedInteger,
  variableExpr,
} from "./constraints.js";
import { type Anchor, Contract, type ContractId, type PortableItem, ratchetAnchor } from "./contract.js";
import { VmCode, VmError, type VmMeta } from "./errors.js";
import { LABEL } from "./labels.js";
import { type Instruction, readInstruction } from "./ops.js";
import { CallProof } from "./predicate.js";
import { CURRENT_TX_VERSION } from "./tx.js";
import type { TxEntry, TxHeader } from "./txlog.js";
import { type Item, type ItemType, isCopyable, isDroppable } from "./types.js";

/** Maximum total fee of a transaction (zkvm-spec.md `fee`). */
export const MAX_FEE = 1n << 24n;
/** Nesting limit of `eval`/`call`/`signid`/`signtag` programs (bounded by tx size anyway). */
export const MAX_PROGRAM_DEPTH = 1024;

/** What differs between proving and verifying. */
export interface VmDelegate {
  /** The R1CS constraint system (prover or verifier). */
  readonly cs: ConstraintSystem;
  /**
   * Commits `point` as a high-level variable. The prover looks up the opening and returns its value;
   * the verifier returns undefined.
   */
  commitVariable(point: CompressedPoint): { variable: Variable; assignment: bigint | undefined };
  /** The prover's value for the next `alloc` (undefined on the verifier). */
  allocAssignment(index: number): bigint | undefined;
  /** Records a `signtx` key and the id of the contract it unlocks. */
  processTxSignature(predicate: CompressedPoint, contractId: ContractId): void;
  /** Collects a deferred point statement. */
  defer(stmt: PointStatement): void;
}

export interface VmResult {
  readonly txlog: TxEntry[];
  readonly fee: bigint;
}

interface Run {
  readonly code: Uint8Array;
  readonly reader: Reader;
}

/** The VM of one transaction. Create, `run()` once. */
export class Vm {
  private readonly header: TxHeader;
  private readonly extension: boolean;
  private readonly delegate: VmDelegate;
  private readonly stack: Item[] = [];
  private readonly runStack: Run[] = [];
  private current: Run;
  private lastAnchor: Anchor | undefined;
  private readonly txlog: TxEntry[];
  private totalFee = 0n;
  private allocCount = 0;
  /** Offset and opcode of the instruction being executed (error metadata). */
  private pc = 0;
  private opcode = -1;

  constructor(header: TxHeader, program: Uint8Array, delegate: VmDelegate) {
    this.header = header;
    this.extension = header.version > CURRENT_TX_VERSION;
    this.delegate = delegate;
    this.current = { code: program, reader: new Reader(program) };
    this.txlog = [{ type: "header", header }];
  }

  /** Runs the program and nested programs to completion; returns the txlog (header first) and fee. */
  run(): VmResult {
    for (;;) {
      if (this.current.reader.remaining === 0) {
        const next = this.runStack.pop();
        if (next === undefined) break;
        this.current = next;
        continue;
      }
      this.step();
    }
    if (this.stack.length > 0) throw this.error(VmCode.STACK_NOT_CLEAN, { count: this.stack.length });
    if (this.lastAnchor === undefined) throw this.error(VmCode.ANCHOR_MISSING, {});
    return { txlog: this.txlog, fee: this.totalFee };
  }

  private error(code: VmCode, meta: VmMeta, cause?: unknown): VmError {
    const full: VmMeta = { ...meta, pc: this.pc, depth: this.runStack.length };
    if (this.opcode >= 0) full.opcode = this.opcode;
    return new VmError(code, full, cause === undefined ? undefined : { cause });
  }

  private step(): void {
    const r = this.current.reader;
    this.pc = r.offset;
    this.opcode = this.current.code[r.offset]!;
    let instr: Instruction;
    try {
      instr = readInstruction(r);
    } catch (e) {
      throw this.error(VmCode.INVALID_FORMAT, { what: "instruction" }, e);
    }
    try {
      const out = this.execute(instr);
      if (out !== undefined) this.push(out);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** Maps errors of lower layers to VM errors, keeping the original as `cause`. */
  private wrap(e: unknown): unknown {
    if (e instanceof VmError) return e;
    if (e instanceof DecodeError)
      return this.error(VmCode.INVALID_FORMAT, { what: e.meta.what ?? "data" }, e);
    if (e instanceof CodedError) {
      if (e.code === "R1CS_MISSING_ASSIGNMENT") return this.error(VmCode.WITNESS_MISSING, {}, e);
      if (e.code === "R1CS_GENERATORS_CAPACITY") return this.error(VmCode.TOO_MANY_MULTIPLIERS, {}, e);
      if (e.code === "R1CS_GADGET" || e.code === "CLOAK_BAD_GADGET_INPUT")
        return this.error(VmCode.INVALID_FORMAT, { what: "gadget" }, e);
      return this.error(VmCode.R1CS_INCONSISTENCY, {}, e);
    }
    return e;
  }

  /** Executes one instruction; returns the item to push, if any. */
  private execute(i: Instruction): Item | undefined {
    switch (i.op) {
      case "push":
        return { type: "string", bytes: i.data.slice() };
      case "program":
        return { type: "program", code: i.code.slice() };
      case "drop": {
        const item = this.pop();
        if (!isDroppable(item)) throw this.error(VmCode.TYPE_NOT_DROPPABLE, { actual: item.type });
        return;
      }
      case "dup": {
        if (i.k >= this.stack.length) throw this.error(VmCode.STACK_UNDERFLOW, {});
        const item = this.stack[this.stack.length - 1 - i.k]!;
        if (!isCopyable(item)) throw this.error(VmCode.TYPE_NOT_COPYABLE, { actual: item.type });
        return item;
      }
      case "roll": {
        if (i.k >= this.stack.length) throw this.error(VmCode.STACK_UNDERFLOW, {});
        const [item] = this.stack.splice(this.stack.length - 1 - i.k, 1);
        return item!;
      }
      case "scalar":
        return { type: "expression", expr: constantExpr(this.popScalar()) };
      case "commit":
        return { type: "variable", commitment: this.popPoint("commitment") };
      case "alloc": {
        const assignment = this.delegate.allocAssignment(this.allocCount++);
        const v = this.delegate.cs.allocate(assignment);
        return { type: "expression", expr: variableExpr(v, assignment) };
      }
      case "mintime":
        return { type: "expression", expr: constantExpr(this.header.mintime) };
      case "maxtime":
        return { type: "expression", expr: constantExpr(this.header.maxtime) };
      case "expr": {
        const commitment = this.popType("variable").commitment;
        return { type: "expression", expr: this.variableToExpression(commitment) };
      }
      case "neg":
        return { type: "expression", expr: negExpr(this.popType("expression").expr) };
      case "add": {
        const b = this.popType("expression").expr;
        const a = this.popType("expression").expr;
        return { type: "expression", expr: addExpr(a, b) };
      }
      case "mul": {
        const b = this.popType("expression").expr;
        const a = this.popType("expression").expr;
        return { type: "expression", expr: mulExpr(a, b, this.delegate.cs) };
      }
      case "eq": {
        const b = this.popType("expression").expr;
        const a = this.popType("expression").expr;
        return { type: "constraint", constraint: eqConstraint(a, b) };
      }
      case "range": {
        const e = this.popType("expression").expr;
        this.rangeProof(e);
        return { type: "expression", expr: e };
      }
      case "and": {
        const b = this.popType("constraint").constraint;
        const a = this.popType("constraint").constraint;
        return { type: "constraint", constraint: andConstraint(a, b) };
      }
      case "or": {
        const b = this.popType("constraint").constraint;
        const a = this.popType("constraint").constraint;
        return { type: "constraint", constraint: orConstraint(a, b) };
      }
      case "not":
        return {
          type: "constraint",
          constraint: notConstraint(this.popType("constraint").constraint),
        };
      case "verify":
        this.verify();
        return;
      case "unblind":
        this.unblind();
        return;
      case "issue":
        this.issue();
        return;
      case "borrow":
        this.borrow();
        return;
      case "retire": {
        const v = this.popType("value");
        this.txlog.push({ type: "retire", qty: v.qty, flv: v.flv });
        return;
      }
      case "cloak":
        this.cloak(i.m, i.n);
        return;
      case "fee":
        this.fee();
        return;
      case "input":
        this.input();
        return;
      case "output": {
        const contract = this.popContract(i.k);
        this.txlog.push({ type: "output", contract });
        return;
      }
      case "contract":
        return { type: "contract", contract: this.popContract(i.k) };
      case "log":
        this.txlog.push({ type: "data", data: this.popType("string").bytes });
        return;
      case "eval":
        this.continueWith(this.popType("program").code);
        return;
      case "call":
        this.call();
        return;
      case "signtx": {
        const contract = this.popType("contract").contract;
        this.delegate.processTxSignature(contract.predicate, contract.id());
        this.pushPayload(contract);
        return;
      }
      case "signid":
      case "signtag":
        this.signProgram(i.op);
        return;
      case "ext":
        if (!this.extension) throw this.error(VmCode.EXTENSIONS_NOT_ALLOWED, {});
        return;
    }
  }

  // ---- stack helpers ----

  private push(item: Item): void {
    this.stack.push(item);
  }

  private pop(): Item {
    const item = this.stack.pop();
    if (item === undefined) throw this.error(VmCode.STACK_UNDERFLOW, {});
    return item;
  }

  private popType<T extends ItemType>(type: T): Extract<Item, { type: T }> {
    const item = this.pop();
    if (item.type !== type) throw this.error(VmCode.TYPE_MISMATCH, { expected: type, actual: item.type });
    return item as Extract<Item, { type: T }>;
  }

  /** A 32-byte string read as a point (decoded later, when used). */
  private popPoint(what: string): CompressedPoint {
    const bytes = this.popType("string").bytes;
    if (bytes.length !== 32) throw this.error(VmCode.INVALID_FORMAT, { what, length: bytes.length });
    return new CompressedPoint(bytes);
  }

  /** A 32-byte string read as a canonical scalar. */
  private popScalar(): bigint {
    const bytes = this.popType("string").bytes;
    if (bytes.length !== 32)
      throw this.error(VmCode.INVALID_FORMAT, { what: "scalar", length: bytes.length });
    try {
      return decodeScalar(bytes);
    } catch (e) {
      throw this.error(VmCode.INVALID_FORMAT, { what: "scalar" }, e);
    }
  }

  private pushPayload(contract: Contract): void {
    for (const p of contract.payload) {
      if (p.kind === "string") this.push({ type: "string", bytes: p.bytes });
      else if (p.kind === "program") this.push({ type: "program", code: p.bytes });
      else this.push({ type: "value", qty: p.qty, flv: p.flv });
    }
  }

  private continueWith(code: Uint8Array): void {
    if (this.runStack.length >= MAX_PROGRAM_DEPTH)
      throw this.error(VmCode.LIMIT_EXCEEDED, { what: "program depth" });
    this.runStack.push(this.current);
    this.current = { code, reader: new Reader(code) };
  }

  // ---- constraint system helpers ----

  private variableToExpression(commitment: CompressedPoint): Expression {
    const { variable, assignment } = this.delegate.commitVariable(commitment);
    return variableExpr(variable, assignment);
  }

  /** 64-bit range proof of an expression; a constant is checked in the clear. */
  private rangeProof(e: Expression): void {
    if (e.kind === "constant") {
      if (e.value >= 1n << 64n) throw this.error(VmCode.INVALID_BITRANGE, {});
      return;
    }
    rangeProof(this.delegate.cs, e.lc.materialize(), this.integerAssignment(e.assignment));
  }

  /** The prover's value as a signed integer (WITNESS_MISSING-like failure if it is not one). */
  private integerAssignment(a: bigint | undefined): bigint | undefined {
    if (a === undefined) return undefined;
    const i = scalarToSignedInteger(a);
    if (i === undefined) throw this.error(VmCode.INCONSISTENT_WITNESS, { what: "integer witness" });
    return i;
  }

  private verify(): void {
    const c = this.popType("constraint").constraint;
    if (c.kind === "cleartext") {
      if (!c.value) throw this.error(VmCode.CLEARTEXT_CONSTRAINT_FALSE, {});
      return;
    }
    this.delegate.cs.specifyRandomizedConstraints((rcs) => {
      const { lc } = flattenConstraint(c, rcs);
      rcs.constrain(lc.materialize());
    });
  }

  // ---- value instructions ----

  private unblind(): void {
    const v = this.popScalar();
    const V = this.popPoint("commitment");
    // V == v·B  →  0 = −v·B + 1·V
    this.delegate.defer({ b: neg(v), scalars: [1n], points: [V] });
    this.push({ type: "string", bytes: V.bytes });
  }

  private issue(): void {
    const predicate = this.popPoint("predicate");
    const metadata = this.popType("string").bytes;
    const flv = this.popType("variable").commitment;
    const qty = this.popType("variable").commitment;
    this.delegate.commitVariable(flv);
    this.delegate.commitVariable(qty);
    const t = Transcript.create(LABEL.ISSUE);
    t.appendMessage("predicate", predicate.bytes);
    t.appendMessage("metadata", metadata);
    const flavor = t.challengeScalar("flavor");
    // flv == flavor·B  →  0 = flavor·B − 1·flv
    this.delegate.defer({ b: flavor, scalars: [L - 1n], points: [flv] });
    this.rangeProof(this.variableToExpression(qty));
    this.txlog.push({ type: "issue", qty, flv });
    const contract = this.makeContract(predicate, [{ kind: "value", qty, flv }]);
    this.push({ type: "contract", contract });
  }

  private borrow(): void {
    const flvPoint = this.popType("variable").commitment;
    const qtyPoint = this.popType("variable").commitment;
    const flv = this.delegate.commitVariable(flvPoint);
    const qty = this.delegate.commitVariable(qtyPoint);
    const q = this.integerAssignment(qty.assignment);
    const cs = this.delegate.cs;
    rangeProof(cs, qty.variable.toLc(), q);
    const negQ = q === undefined ? undefined : -q;
    const negQtyVar = cs.allocate(negQ === undefined ? undefined : mod(negQ));
    cs.constrain(qty.variable.add(negQtyVar));
    const assignment =
      negQ === undefined || flv.assignment === undefined ? undefined : makeValue(negQ, flv.assignment);
    this.push({ type: "widevalue", vars: allocatedValue(negQtyVar, flv.variable, assignment) });
    this.push({ type: "value", qty: qtyPoint, flv: flvPoint });
  }

  private valueVars(qty: CompressedPoint, flv: CompressedPoint): AllocatedValue {
    const q = this.delegate.commitVariable(qty);
    const f = this.delegate.commitVariable(flv);
    const qi = this.integerAssignment(q.assignment);
    const assignment =
      qi === undefined || f.assignment === undefined ? undefined : makeValue(qi, f.assignment);
    return allocatedValue(q.variable, f.variable, assignment);
  }

  private cloak(m: number, n: number): void {
    if (m > this.stack.length || n > this.stack.length || m + 2 * n > this.stack.length)
      throw this.error(VmCode.STACK_UNDERFLOW, {});
    const outputs: { qty: CompressedPoint; flv: CompressedPoint }[] = [];
    const outVars: AllocatedValue[] = [];
    for (let k = 0; k < n; k++) {
      const flv = this.popPoint("flavor commitment");
      const qty = this.popPoint("quantity commitment");
      outputs.push({ qty, flv });
      outVars.unshift(this.valueVars(qty, flv));
    }
    const inVars: AllocatedValue[] = [];
    for (let k = 0; k < m; k++) {
      const item = this.pop();
      if (item.type === "value") inVars.unshift(this.valueVars(item.qty, item.flv));
      else if (item.type === "widevalue") inVars.unshift(item.vars);
      else throw this.error(VmCode.TYPE_MISMATCH, { expected: "widevalue", actual: item.type });
    }
    cloak(this.delegate.cs, inVars, outVars);
    for (const v of outputs) this.push({ type: "value", qty: v.qty, flv: v.flv });
  }

  private fee(): void {
    const bytes = this.popType("string").bytes;
    if (bytes.length !== 4) throw this.error(VmCode.INVALID_FORMAT, { what: "fee", length: bytes.length });
    const fee = BigInt(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true));
    const total = this.totalFee + fee;
    if (total > MAX_FEE) throw this.error(VmCode.FEE_TOO_HIGH, {});
    this.totalFee = total;
    const cs = this.delegate.cs;
    // A wide value −fee of flavor 0, both wires of one multiplier.
    const vars = allocateValue(cs, makeValue(-fee, 0n));
    cs.constrain(vars.q.add(fee));
    cs.constrain(vars.f.toLc());
    this.push({ type: "widevalue", vars });
    this.txlog.push({ type: "fee", fee });
  }

  // ---- contract instructions ----

  private input(): void {
    const bytes = this.popType("string").bytes;
    let contract: Contract;
    try {
      contract = Contract.decode(bytes);
    } catch (e) {
      throw this.error(VmCode.INVALID_FORMAT, { what: "output structure" }, e);
    }
    const id = contract.id();
    this.txlog.push({ type: "input", contractId: id });
    this.push({ type: "contract", contract });
    this.lastAnchor = ratchetAnchor(id);
  }

  private popContract(k: number): Contract {
    const predicate = this.popPoint("predicate");
    if (k > this.stack.length) throw this.error(VmCode.STACK_UNDERFLOW, {});
    const items = this.stack.splice(this.stack.length - k, k);
    const payload: PortableItem[] = items.map((item) => {
      switch (item.type) {
        case "string":
          return { kind: "string", bytes: item.bytes };
        case "program":
          return { kind: "program", bytes: item.code };
        case "value":
          return { kind: "value", qty: item.qty, flv: item.flv };
        default:
          throw this.error(VmCode.TYPE_NOT_PORTABLE, { actual: item.type });
      }
    });
    return this.makeContract(predicate, payload);
  }

  private makeContract(predicate: CompressedPoint, payload: PortableItem[]): Contract {
    const anchor = this.lastAnchor;
    if (anchor === undefined) throw this.error(VmCode.ANCHOR_MISSING, {});
    const contract = new Contract(anchor, predicate, payload);
    this.lastAnchor = contract.id();
    return contract;
  }

  private call(): void {
    const code = this.popType("program").code;
    const proofBytes = this.popType("string").bytes;
    let proof: CallProof;
    try {
      proof = CallProof.decode(proofBytes);
    } catch (e) {
      throw this.error(VmCode.INVALID_FORMAT, { what: "call proof" }, e);
    }
    const contract = this.popType("contract").contract;
    this.delegate.defer(proof.statement(contract.predicate, code));
    this.pushPayload(contract);
    this.continueWith(code);
  }

  /** `signid` / `signtag`: a Schnorr signature by the predicate over the contract id or tag, and the program. */
  private signProgram(op: "signid" | "signtag"): void {
    const sigBytes = this.popType("string").bytes;
    if (sigBytes.length !== 64)
      throw this.error(VmCode.INVALID_FORMAT, { what: "signature", length: sigBytes.length });
    let sig: Signature;
    try {
      sig = Signature.decode(sigBytes);
    } catch (e) {
      throw this.error(VmCode.INVALID_FORMAT, { what: "signature" }, e);
    }
    const code = this.popType("program").code;
    const contract = this.popType("contract").contract;
    this.pushPayload(contract);
    const t = Transcript.create(op === "signid" ? LABEL.SIGNID : LABEL.SIGNTAG);
    if (op === "signid") t.appendMessage("contract", contract.id());
    else {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) throw this.error(VmCode.STACK_UNDERFLOW, {});
      if (top.type !== "string")
        throw this.error(VmCode.TYPE_MISMATCH, { expected: "string", actual: top.type });
      t.appendMessage("tag", top.bytes);
    }
    t.appendMessage("prog", code);
    const c = starsigChallenge(t, contract.predicate, sig.R);
    // s·B == R + c·P  →  0 = −s·B + R + c·P
    this.delegate.defer({ b: neg(sig.s), scalars: [1n, c], points: [sig.R, contract.predicate] });
    this.continueWith(code);
  }
}
