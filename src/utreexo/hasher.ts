/**
 * Merkle hashing of the utreexo accumulator: Merlin transcripts labelled "ZkVM.utreexo", exactly as
 * src/crypto/merkle.ts (`MerkleHasher`) computes them, but specialised for speed.
 *
 *   leaf(item): Transcript("ZkVM.utreexo") + item.commit(t) → challenge "merkle.leaf" (32 bytes)
 *   utxo leaf:  the item is a ZkVM contract id, committed as append("contract", id)
 *   node(l, r): Transcript("ZkVM.utreexo") + append("L", l) + append("R", r) → challenge "merkle.node"
 *   empty:      Transcript("ZkVM.utreexo") → challenge "merkle.empty"
 *
 * Node and utxo-leaf hashes have a fixed byte layout: every STROBE framing byte and every offset is
 * the same for every call, and only the 32-byte inputs vary. At construction we trace that layout
 * once into a "plan" (constant bytes to XOR in, state offsets of each input byte, permutation
 * points, output offset), starting from the precomputed state after the label. A hash then costs a
 * 200-byte copy, 64 byte XORs and one Keccak-f[1600] call, with no allocation.
 * Spec: zkvm/docs/utreexo.md (stellar/slingshot) and merlin.cool.
 */

import { keccakF1600 } from "../crypto/keccak.js";
import { MerkleHasher, type MerkleItem } from "../crypto/merkle.js";
import { utf8 } from "../util/bytes.js";
import { assert } from "../util/codedError.js";

/** Merlin label of the utreexo hasher. */
export const UTREEXO_LABEL = "ZkVM.utreexo";
/** Transcript label under which a ZkVM utxo (its contract id) is committed as a leaf. */
export const UTXO_LEAF_LABEL = "contract";

const STROBE_R = 166;
const FLAG_I = 1;
const FLAG_A = 2;
const FLAG_C = 4;
const FLAG_M = 16;

/** One permutation's worth of a traced hash: constants to XOR in, then where each input byte goes. */
interface Phase {
  /** Nonzero framing bytes as (state offset, byte) pairs, flattened. */
  readonly consts: Uint8Array;
  /** For input bytes `inputFrom .. inputFrom + inputPos.length`: the state offset of each. */
  readonly inputFrom: number;
  readonly inputPos: Uint8Array;
}

interface Plan {
  /** Base state with the first phase's constants already XORed in. */
  readonly base: Uint32Array;
  readonly phases: readonly Phase[];
  /** Input bytes after the last permutation (must be none for a valid plan). */
  readonly outPos: number;
}

/**
 * A STROBE-128 duplex that can run concretely (numbers) or symbolically: a byte value below zero is
 * "input byte number -(v + 1)". Symbolic bytes are recorded per phase instead of being absorbed.
 */
class Tracer {
  readonly lanes = new Uint32Array(50);
  readonly st = new Uint8Array(this.lanes.buffer);
  pos = 0;
  posBegin = 0;
  curFlags = 0;
  tracing = false;
  private consts: number[] = [];
  private inputs: number[] = [];
  private inputFrom = 0;
  private inputCount = 0;
  readonly phases: Phase[] = [];
  baseForPlan: Uint32Array | null = null;

  static create(protocol: Uint8Array): Tracer {
    const t = new Tracer();
    t.st.set([1, STROBE_R + 2, 1, 0, 1, 96], 0);
    t.st.set(utf8("STROBEv1.0.2"), 6);
    keccakF1600(t.lanes);
    t.metaAd(Array.from(protocol), false);
    return t;
  }

  private xorByte(b: number): void {
    if (!this.tracing) this.st[this.pos]! ^= b;
    else if (b >= 0) this.consts.push(this.pos, b);
    else {
      assert(-(b + 1) === this.inputFrom + this.inputs.length, "utreexo hasher: inputs in order");
      this.inputs.push(this.pos);
      this.inputCount++;
    }
    if (++this.pos === STROBE_R) this.runF();
  }

  private runF(): void {
    if (!this.tracing) {
      this.st[this.pos]! ^= this.posBegin;
      this.st[this.pos + 1]! ^= 0x04;
      this.st[STROBE_R + 1]! ^= 0x80;
      keccakF1600(this.lanes);
    } else {
      this.consts.push(this.pos, this.posBegin, this.pos + 1, 0x04, STROBE_R + 1, 0x80);
      this.closePhase();
    }
    this.pos = 0;
    this.posBegin = 0;
  }

  private closePhase(): void {
    // Merge repeated offsets so each phase XORs one byte per offset.
    const merged = new Map<number, number>();
    for (let i = 0; i < this.consts.length; i += 2) {
      const p = this.consts[i]!;
      merged.set(p, (merged.get(p) ?? 0) ^ this.consts[i + 1]!);
    }
    const flat: number[] = [];
    for (const [p, b] of merged) if (b !== 0) flat.push(p, b);
    this.phases.push({
      consts: Uint8Array.from(flat),
      inputFrom: this.inputFrom,
      inputPos: Uint8Array.from(this.inputs),
    });
    this.consts = [];
    this.inputFrom = this.inputCount;
    this.inputs = [];
  }

  private absorb(data: readonly number[]): void {
    for (const b of data) this.xorByte(b);
  }

  private beginOp(flags: number, more: boolean): void {
    if (more) {
      assert(this.curFlags === flags, "utreexo hasher: continued op keeps flags");
      return;
    }
    const oldBegin = this.posBegin;
    this.posBegin = this.pos + 1;
    this.curFlags = flags;
    this.absorb([oldBegin, flags]);
    if ((flags & FLAG_C) !== 0 && this.pos !== 0) this.runF();
  }

  metaAd(data: readonly number[], more: boolean): void {
    this.beginOp(FLAG_M | FLAG_A, more);
    this.absorb(data);
  }

  ad(data: readonly number[], more: boolean): void {
    this.beginOp(FLAG_A, more);
    this.absorb(data);
  }

  appendMessage(label: string, data: readonly number[]): void {
    this.metaAd(Array.from(utf8(label)), false);
    this.metaAd(le32(data.length), true);
    this.ad(data, false);
  }

  /** Starts tracing: everything absorbed from now on is recorded into phases. */
  startTrace(): void {
    this.baseForPlan = this.lanes.slice();
    this.tracing = true;
  }

  /** Ends a trace with a 32-byte challenge; returns the plan. */
  finishChallenge(label: string): Plan {
    this.metaAd(Array.from(utf8(label)), false);
    this.metaAd(le32(32), true);
    // PRF: begin-op runs F (flag C) when pos ≠ 0, so the output is read right after a permutation.
    this.beginOp(FLAG_I | FLAG_A | FLAG_C, false);
    assert(this.pos + 32 <= STROBE_R, "utreexo hasher: output fits one block");
    assert(this.consts.length === 0 && this.inputs.length === 0, "utreexo hasher: nothing after F");
    const base = this.baseForPlan!;
    const first = this.phases[0]!;
    const bytes = new Uint8Array(base.buffer);
    for (let i = 0; i < first.consts.length; i += 2) bytes[first.consts[i]!]! ^= first.consts[i + 1]!;
    const phases = [{ ...first, consts: new Uint8Array(0) }, ...this.phases.slice(1)];
    return { base, phases, outPos: this.pos };
  }

  clone(): Tracer {
    const t = new Tracer();
    t.lanes.set(this.lanes);
    t.pos = this.pos;
    t.posBegin = this.posBegin;
    t.curFlags = this.curFlags;
    return t;
  }
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

const sym = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => -(from + i) - 1);

/**
 * The utreexo hasher. `node`/`nodeInto` and `utxoLeaf` use the traced fast path; `leaf` accepts any
 * `MerkleItem` (generic, slower). All outputs equal `new MerkleHasher("ZkVM.utreexo")`'s.
 */
export class UtreexoHasher {
  private readonly generic: MerkleHasher;
  private readonly nodePlan: Plan;
  private readonly utxoPlan: Plan;
  private readonly lanes = new Uint32Array(50);
  private readonly st = new Uint8Array(this.lanes.buffer);
  private readonly emptyHash: Uint8Array;
  /** Number of node hashes computed (for benchmarks and tests). */
  nodeCount = 0;

  constructor() {
    this.generic = new MerkleHasher(UTREEXO_LABEL);
    const base = Tracer.create(utf8("Merlin v1.0"));
    base.appendMessage("dom-sep", Array.from(utf8(UTREEXO_LABEL)));

    const n = base.clone();
    n.startTrace();
    n.appendMessage("L", sym(0, 32));
    n.appendMessage("R", sym(32, 32));
    this.nodePlan = n.finishChallenge("merkle.node");

    const u = base.clone();
    u.startTrace();
    u.appendMessage(UTXO_LEAF_LABEL, sym(0, 32));
    this.utxoPlan = u.finishChallenge("merkle.leaf");

    this.emptyHash = this.generic.empty();
  }

  /** Runs a plan over `input` bytes `a[aOff..aOff+32)` then (if two inputs) `b[bOff..bOff+32)`. */
  private run(
    plan: Plan,
    out: Uint8Array,
    outOff: number,
    a: Uint8Array,
    aOff: number,
    b: Uint8Array,
    bOff: number,
  ): void {
    const lanes = this.lanes;
    const st = this.st;
    lanes.set(plan.base);
    const phases = plan.phases;
    for (let p = 0; p < phases.length; p++) {
      const ph = phases[p]!;
      const c = ph.consts;
      for (let i = 0; i < c.length; i += 2) st[c[i]!]! ^= c[i + 1]!;
      const ip = ph.inputPos;
      let k = ph.inputFrom;
      for (let i = 0; i < ip.length; i++, k++) {
        st[ip[i]!]! ^= k < 32 ? a[aOff + k]! : b[bOff + k - 32]!;
      }
      keccakF1600(lanes);
    }
    const o = plan.outPos;
    for (let i = 0; i < 32; i++) out[outOff + i] = st[o + i]!;
  }

  /**
   * Writes node(left, right) into `out[outOff..outOff+32)`, reading the children from
   * `l[lOff..]` and `r[rOff..]` (typed-array slabs; no allocation). `out` may alias the inputs.
   */
  nodeInto(out: Uint8Array, outOff: number, l: Uint8Array, lOff: number, r: Uint8Array, rOff: number): void {
    this.nodeCount++;
    this.run(this.nodePlan, out, outOff, l, lOff, r, rOff);
  }

  /** node(left, right) as a new 32-byte array. */
  node(left: Uint8Array, right: Uint8Array): Uint8Array {
    checkHash(left, "left");
    checkHash(right, "right");
    const out = new Uint8Array(32);
    this.nodeInto(out, 0, left, 0, right, 0);
    return out;
  }

  /** The leaf hash of a ZkVM utxo: its 32-byte contract id committed as "contract". */
  utxoLeaf(contractId: Uint8Array): Uint8Array {
    checkHash(contractId, "contractId");
    const out = new Uint8Array(32);
    this.run(this.utxoPlan, out, 0, contractId, 0, contractId, 0);
    return out;
  }

  /** The leaf hash of any merkle item (generic transcript path). */
  leaf(item: MerkleItem): Uint8Array {
    return this.generic.leaf(item);
  }

  /** The hash of an empty forest. */
  empty(): Uint8Array {
    return this.emptyHash.slice();
  }
}

/** Throws a TypeError/RangeError naming `what` unless `h` is a 32-byte Uint8Array. */
export function checkHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array`);
  if (h.length !== 32) throw new RangeError(`${what}: expected 32 bytes, got ${h.length}`);
}

let shared: UtreexoHasher | undefined;

/** The process-wide utreexo hasher (stateless apart from scratch space; not re-entrant). */
export function utreexoHasher(): UtreexoHasher {
  shared ??= new UtreexoHasher();
  return shared;
}

/** A ZkVM utxo as a generic merkle item (its contract id under "contract"). */
export function utxoItem(contractId: Uint8Array): MerkleItem {
  checkHash(contractId, "contractId");
  return { commit: (t) => t.appendMessage(UTXO_LEAF_LABEL, contractId) };
}
