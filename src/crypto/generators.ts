/**
 * Generators. Pedersen: B is the Ristretto255 base point and B2 (the blinding base) is
 * hash-to-ristretto255(SHA3-512(B compressed)), as ZkVM and dalek bulletproofs define them.
 * Bulletproofs: G and H vectors derived as dalek bulletproofs `develop` (`src/generators.rs`) does:
 * SHAKE256("GeneratorsChain" || kind || LE32(party)) read in 64-byte blocks, each mapped with
 * the RFC 9496 element derivation (`from_uniform_bytes`).
 *
 * Deriving costs one field square root per generator (~0.5 s for the 2 × 1024 of party 0 in noble
 * BigInt, paid by every process and worker thread), so the first `BP_GENS_TABLE_CAPACITY` of each
 * chain are embedded as affine coordinates (`data/bpGens1024.ts`, written by `scripts/genBpGens.ts`)
 * and rebuilt without any square root or inversion; the table's SHA-256 is checked at load.
 * `deriveGeneratorChain` remains the definition (tests compare the table against it).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { sha3_512, shake256 } from "@noble/hashes/sha3.js";
import { bytesEqual, concatBytes, fromHex, le32, utf8 } from "../util/bytes.js";
import { BP_GENS_1024_B64, BP_GENS_1024_COUNT } from "./data/bpGens1024.js";
import { CryptoCode, CryptoError } from "./errors.js";
import { type FixedBases, fixedBases } from "./msm/backend.js";
import { BASEPOINT, fromUniformBytes, mulSecret, type Point, RistrettoPoint } from "./ristretto.js";

export interface PedersenGens {
  /** The value base B. */
  readonly B: Point;
  /** The blinding base B2 (dalek `B_blinding`). */
  readonly B2: Point;
  /** [B, B2] as a fixed set for MSM backends. */
  readonly bases: FixedBases;
}

let pedersen: PedersenGens | undefined;

/** The default Pedersen generators (cached). */
export function pedersenGens(): PedersenGens {
  if (pedersen === undefined) {
    const B = BASEPOINT;
    const B2 = fromUniformBytes(sha3_512(B.toBytes()));
    pedersen = Object.freeze({ B, B2, bases: fixedBases("pedersen", [B, B2]) });
  }
  return pedersen;
}

/** The Pedersen commitment value·B + blinding·B2 (constant time in both secrets). */
export function pedersenCommit(value: bigint, blinding: bigint): Point {
  const g = pedersenGens();
  return mulSecret(g.B, value).add(mulSecret(g.B2, blinding));
}

/** The SHAKE256 stream of the chain labelled `kind || LE32(party)`. */
function chainXof(kind: "G" | "H", party: number): ReturnType<typeof shake256.create> {
  const xof = shake256.create({});
  xof.update(utf8("GeneratorsChain"));
  xof.update(concatBytes(utf8(kind), le32(party)));
  return xof;
}

/** Derives `n` generators of the chain labelled `kind || LE32(party)`. */
export function deriveGeneratorChain(kind: "G" | "H", party: number, n: number): Point[] {
  return deriveChainRange(kind, party, 0, n);
}

/** Generators `from`…`to − 1` of a chain (earlier blocks of the stream are read and skipped). */
function deriveChainRange(kind: "G" | "H", party: number, from: number, to: number): Point[] {
  const xof = chainXof(kind, party);
  const block = new Uint8Array(64);
  for (let i = 0; i < from; i++) xof.xofInto(block);
  const out: Point[] = [];
  for (let i = from; i < to; i++) {
    xof.xofInto(block);
    out.push(fromUniformBytes(block));
  }
  return out;
}

/**
 * The generators of the same chain as `deriveGeneratorChain` at the given indices only (the stream
 * is read up to the largest index, but only the listed blocks are mapped to points). Result order
 * follows `indices`; repeats are allowed.
 */
export function deriveGeneratorsAt(kind: "G" | "H", party: number, indices: readonly number[]): Point[] {
  for (const i of indices)
    if (!Number.isInteger(i) || i < 0) throw new RangeError(`deriveGeneratorsAt: bad index ${i}`);
  const wanted = new Set(indices);
  let last = -1;
  for (const i of indices) if (i > last) last = i;
  const xof = chainXof(kind, party);
  const found = new Map<number, Point>();
  const block = new Uint8Array(64);
  for (let i = 0; i <= last; i++) {
    xof.xofInto(block);
    if (wanted.has(i)) found.set(i, fromUniformBytes(block));
  }
  return indices.map((i) => found.get(i)!);
}

/** How many generators of each chain (party 0) the embedded table holds. */
export const BP_GENS_TABLE_CAPACITY = 1024;

/**
 * SHA-256 (hex) of the embedded table's bytes. The generators are fixed by the specification, so
 * this never changes; `scripts/genBpGens.ts` recomputes the table and checks it against this value.
 */
export const BP_GENS_TABLE_SHA256 = "cd16170797bbdcb4fabc7f7acd4554260e7a1d002ca09fd27407fdf8dc1dae86";

/** Bytes per table entry: affine x then y, each 32 bytes little-endian. */
const ENTRY_BYTES = 64;

/**
 * Serialises two equally long generator lists as a table: G_0…G_{n−1} then H_0…H_{n−1}, each the
 * affine (x, y) of the point's Edwards representative as two 32-byte little-endian field elements.
 * Costs one inversion per point (for the generator script and tests).
 */
export function encodeGeneratorTable(G: readonly Point[], H: readonly Point[]): Uint8Array {
  if (G.length !== H.length) throw new RangeError("encodeGeneratorTable: G and H differ in length");
  const out = new Uint8Array((G.length + H.length) * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const p of [...G, ...H]) {
    const { x, y } = p.toAffine();
    for (const c of [x, y]) {
      for (let w = 0; w < 4; w++)
        view.setBigUint64(off + 8 * w, (c >> BigInt(64 * w)) & 0xffffffffffffffffn, true);
      off += 32;
    }
  }
  return out;
}

/** A 32-byte little-endian integer at `off`. */
function readLe256(view: DataView, off: number): bigint {
  return (
    view.getBigUint64(off, true) |
    (view.getBigUint64(off + 8, true) << 64n) |
    (view.getBigUint64(off + 16, true) << 128n) |
    (view.getBigUint64(off + 24, true) << 192n)
  );
}

/**
 * Rebuilds the generator lists from a table (see `encodeGeneratorTable`) whose SHA-256 must equal
 * `expectedSha256` (hex); throws CRYPTO_GENERATORS_DATA otherwise (or if the length is not a whole
 * number of G/H pairs). No square root or inversion: each point is (x, y, 1, x·y).
 */
export function decodeGeneratorTable(
  bytes: Uint8Array,
  expectedSha256: string = BP_GENS_TABLE_SHA256,
): { G: Point[]; H: Point[] } {
  const what = "bulletproofs generator table";
  if (bytes.length === 0 || bytes.length % (2 * ENTRY_BYTES) !== 0)
    throw new CryptoError(CryptoCode.GENERATORS_DATA, { what, count: bytes.length });
  if (!bytesEqual(sha256(bytes), fromHex(expectedSha256, 32)))
    throw new CryptoError(CryptoCode.GENERATORS_DATA, { what, count: bytes.length });
  const n = bytes.length / (2 * ENTRY_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const points: Point[] = new Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    const off = i * ENTRY_BYTES;
    points[i] = RistrettoPoint.fromAffine({ x: readLe256(view, off), y: readLe256(view, off + 32) });
  }
  return { G: points.slice(0, n), H: points.slice(n) };
}

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Strict standard base64 (with padding); throws CRYPTO_GENERATORS_DATA on any malformed input. */
function decodeBase64(s: string): Uint8Array {
  const bad = (): CryptoError =>
    new CryptoError(CryptoCode.GENERATORS_DATA, { what: "generator table base64", count: s.length });
  if (s.length % 4 !== 0) throw bad();
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      const last = i + 4 === s.length;
      if (c === 61 && last && j >= 4 - pad) {
        v <<= 6;
        continue;
      }
      const d = c < 128 ? B64_INDEX[c]! : -1;
      if (d < 0) throw bad();
      v = (v << 6) | d;
    }
    out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}

/** A fresh copy of the embedded table's bytes (not yet checked; `decodeGeneratorTable` checks). */
export function generatorTableBytes(): Uint8Array {
  return decodeBase64(BP_GENS_1024_B64);
}

/** The embedded capacity-1024 generators of party 0, checked against `BP_GENS_TABLE_SHA256`. */
function loadGeneratorTable(): { G: Point[]; H: Point[] } {
  const t = decodeGeneratorTable(generatorTableBytes());
  if (BP_GENS_1024_COUNT !== BP_GENS_TABLE_CAPACITY || t.G.length !== BP_GENS_TABLE_CAPACITY)
    throw new CryptoError(CryptoCode.GENERATORS_DATA, {
      what: "bulletproofs generator table",
      count: t.G.length,
      capacity: BP_GENS_TABLE_CAPACITY,
    });
  return t;
}

/**
 * Bulletproofs generators of party 0 with a fixed capacity (the number of multipliers a proof may
 * use after padding). A capacity-64 set is a prefix of a capacity-1024 set.
 */
export class BulletproofGens {
  readonly capacity: number;
  /** G_0..G_{capacity-1}. */
  readonly G: FixedBases;
  /** H_0..H_{capacity-1}. */
  readonly H: FixedBases;

  private constructor(capacity: number, G: readonly Point[], H: readonly Point[]) {
    this.capacity = capacity;
    this.G = fixedBases("bp-G", G);
    this.H = fixedBases("bp-H", H);
  }

  private static readonly cache = new Map<number, BulletproofGens>();

  /**
   * The (cached) generator set of the given capacity: sliced from the embedded table up to
   * `BP_GENS_TABLE_CAPACITY`; beyond it, the table followed by the derived rest of each chain.
   */
  static withCapacity(capacity: number): BulletproofGens {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20)
      throw new RangeError(`BulletproofGens: bad capacity ${capacity}`);
    let gens = BulletproofGens.cache.get(capacity);
    if (gens !== undefined) return gens;
    let larger: BulletproofGens | undefined;
    for (const g of BulletproofGens.cache.values()) if (g.capacity >= capacity) larger = g;
    if (larger === undefined) {
      // The embedded set is rebuilt once (cheap); smaller capacities are sliced from it and larger
      // ones extend the largest set held with the derived rest of the same chains.
      let table = BulletproofGens.cache.get(BP_GENS_TABLE_CAPACITY);
      if (table === undefined) {
        const t = loadGeneratorTable();
        table = new BulletproofGens(BP_GENS_TABLE_CAPACITY, t.G, t.H);
        BulletproofGens.cache.set(BP_GENS_TABLE_CAPACITY, table);
      }
      if (capacity === BP_GENS_TABLE_CAPACITY) return table;
      larger = table;
      for (const g of BulletproofGens.cache.values()) if (g.capacity > larger.capacity) larger = g;
    }
    let G = larger.G.points.slice(0, capacity);
    let H = larger.H.points.slice(0, capacity);
    if (capacity > larger.capacity) {
      G = G.concat(deriveChainRange("G", 0, larger.capacity, capacity));
      H = H.concat(deriveChainRange("H", 0, larger.capacity, capacity));
    }
    gens = new BulletproofGens(capacity, G, H);
    BulletproofGens.cache.set(capacity, gens);
    return gens;
  }

  /** Throws CRYPTO_GENERATORS_CAPACITY if `n` generators exceed the capacity. */
  checkCapacity(n: number): void {
    if (n > this.capacity)
      throw new CryptoError(CryptoCode.GENERATORS_CAPACITY, {
        what: "bulletproofs",
        needed: n,
        capacity: this.capacity,
      });
  }
}
