/**
 * Predicates and Taproot (zkvm-spec.md "Predicate", "Taproot", "Call proof", "Blinded program").
 * A predicate is a point. A Taproot predicate commits a signing key X and a merkle tree of programs
 * (each paired with a blinding leaf) into P = X + h(X, M)·B, with
 *     h = Transcript("ZkVM.taproot") ← key X, merkle M → challenge scalar "h".
 * The call proof follows the reference encoding: X(32) || LE64 position || LE32 n || n neighbours.
 */
import type { PointStatement } from "../crypto/batch.js";
import { pedersenGens } from "../crypto/generators.js";
import { type Hash, MerkleHasher, type MerkleItem, MerklePath } from "../crypto/merkle.js";
import { CompressedPoint, mulPublic, readCompressedPoint } from "../crypto/ristretto.js";
import { L } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { LABEL } from "./labels.js";

/** A leaf of a Taproot tree: a program or its blinding neighbour. */
export type TaprootLeaf =
  | { readonly kind: "program"; readonly code: Uint8Array }
  | { readonly kind: "blinding"; readonly bytes: Uint8Array };

function leafItem(leaf: TaprootLeaf): MerkleItem {
  return leaf.kind === "program"
    ? { commit: (t) => t.appendMessage("program", leaf.code) }
    : { commit: (t) => t.appendMessage("blinding", leaf.bytes) };
}

let hasher: MerkleHasher | undefined;
/** The merkle hasher of Taproot trees ("ZkVM.taproot"). */
export function taprootHasher(): MerkleHasher {
  hasher ??= new MerkleHasher(LABEL.TAPROOT);
  return hasher;
}

/** The Taproot adjustment factor h(X, M). */
export function taprootCommitment(key: CompressedPoint, root: Hash): bigint {
  const t = Transcript.create(LABEL.TAPROOT);
  t.appendMessage("key", key.bytes);
  t.appendMessage("merkle", root);
  return t.challengeScalar("h");
}

/** The merkle leaf hash of a program (as `call` recomputes it). */
export function programLeafHash(code: Uint8Array): Hash {
  return taprootHasher().leaf(leafItem({ kind: "program", code }));
}

/** The key nobody can sign for (B2, whose discrete log with respect to B is unknown). */
export function unsignableKey(): CompressedPoint {
  return CompressedPoint.fromPoint(pedersenGens().B2);
}

/** The call proof: the inner key X and the merkle path from the program leaf to the root. */
export class CallProof {
  readonly key: CompressedPoint;
  readonly path: MerklePath;

  constructor(key: CompressedPoint, path: MerklePath) {
    this.key = key;
    this.path = path;
  }

  encode(): Uint8Array {
    const w = new Writer();
    w.write32(this.key.bytes);
    this.path.encode(w);
    return w.toBytes();
  }

  /** Strictly decodes a call proof (DECODE_* errors; no trailing bytes). */
  static decode(bytes: Uint8Array): CallProof {
    const r = new Reader(bytes);
    const key = readCompressedPoint(r, "call proof key");
    const path = MerklePath.decode(r);
    r.end("call proof");
    return new CallProof(key, path);
  }

  /**
   * The deferred statement that `predicate` commits to this key and the tree containing `program`:
   *     0 = −P + X + h(X, M)·B
   */
  statement(predicate: CompressedPoint, program: Uint8Array): PointStatement {
    const root = this.path.rootFromLeaf(taprootHasher(), programLeafHash(program));
    const h = taprootCommitment(this.key, root);
    return { b: h, scalars: [L - 1n, 1n], points: [predicate, this.key] };
  }
}

/**
 * A Taproot tree built by a prover: an inner key (or the unsignable key) and programs, each paired
 * with a blinding leaf derived from `blindingKey`.
 */
export class PredicateTree {
  readonly innerKey: CompressedPoint;
  readonly programs: readonly Uint8Array[];
  readonly blindingKey: Uint8Array;
  readonly leaves: readonly TaprootLeaf[];
  readonly root: Hash;
  /** h(X, M): the signer adds it to the inner secret key. */
  readonly adjustmentFactor: bigint;
  /** P = X + h·B. */
  readonly outerKey: CompressedPoint;

  constructor(
    innerKey: CompressedPoint | undefined,
    programs: readonly Uint8Array[],
    blindingKey: Uint8Array,
  ) {
    if (blindingKey.length !== 32) throw new RangeError("PredicateTree: blinding key must be 32 bytes");
    if (programs.length > 1 << 30) throw new RangeError("PredicateTree: too many programs");
    this.innerKey = innerKey ?? unsignableKey();
    this.programs = programs;
    this.blindingKey = blindingKey;
    this.leaves = deriveLeaves(programs, blindingKey);
    this.root = taprootHasher().rootOfLeaves(this.leaves.map((l) => taprootHasher().leaf(leafItem(l))));
    this.adjustmentFactor = taprootCommitment(this.innerKey, this.root);
    const X = this.innerKey.decompress("taproot inner key");
    this.outerKey = CompressedPoint.fromPoint(X.add(mulPublic(pedersenGens().B, this.adjustmentFactor)));
  }

  /** The call proof and program for the program at `index`. */
  callProof(index: number): { proof: CallProof; program: Uint8Array } {
    if (!Number.isInteger(index) || index < 0 || index >= this.programs.length)
      throw new RangeError(`PredicateTree.callProof: no program ${index}`);
    const leafIndex = this.leaves[2 * index]!.kind === "program" ? 2 * index : 2 * index + 1;
    const path = MerklePath.build(taprootHasher(), this.leaves.map(leafItem), leafIndex);
    return { proof: new CallProof(this.innerKey, path), program: this.programs[index]! };
  }
}

/**
 * Blinding leaves: Transcript("ZkVM.taproot-derive-blinding") ← n, key, every program; then one
 * 32-byte challenge "blinding" per program. The low bit of the blinding places the program on the
 * left (bit 1) or the right (bit 0) of its pair.
 */
function deriveLeaves(programs: readonly Uint8Array[], blindingKey: Uint8Array): TaprootLeaf[] {
  const t = Transcript.create(LABEL.TAPROOT_DERIVE_BLINDING);
  t.appendU64("n", programs.length);
  t.appendMessage("key", blindingKey);
  for (const p of programs) t.appendMessage("prog", p);
  const leaves: TaprootLeaf[] = [];
  for (const code of programs) {
    const bytes = t.challengeBytes("blinding", 32);
    const blinding: TaprootLeaf = { kind: "blinding", bytes };
    const program: TaprootLeaf = { kind: "program", code };
    if ((bytes[0]! & 1) === 0) leaves.push(blinding, program);
    else leaves.push(program, blinding);
  }
  return leaves;
}
