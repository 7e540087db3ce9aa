/**
 * Generators. Pedersen: B is the Ristretto255 base point and B2 (the blinding base) is
 * hash-to-ristretto255(SHA3-512(B compressed)), as ZkVM and dalek bulletproofs define them.
 * Bulletproofs: G and H vectors derived as dalek bulletproofs `develop` (`src/generators.rs`) does:
 * SHAKE256("GeneratorsChain" || kind || LE32(party)) read in 64-byte blocks, each mapped with
 * the RFC 9496 element derivation (`from_uniform_bytes`).
 */
import { sha3_512, shake256 } from "@noble/hashes/sha3.js";
import { concatBytes, le32, utf8 } from "../util/bytes.js";
import { CryptoCode, CryptoError } from "./errors.js";
import { type FixedBases, fixedBases } from "./msm/backend.js";
import { BASEPOINT, fromUniformBytes, mulSecret, type Point } from "./ristretto.js";

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

/** Derives `n` generators of the chain labelled `kind || LE32(party)`. */
export function deriveGeneratorChain(kind: "G" | "H", party: number, n: number): Point[] {
  const xof = shake256.create({});
  xof.update(utf8("GeneratorsChain"));
  xof.update(concatBytes(utf8(kind), le32(party)));
  const out: Point[] = new Array(n);
  const block = new Uint8Array(64);
  for (let i = 0; i < n; i++) {
    xof.xofInto(block);
    out[i] = fromUniformBytes(block);
  }
  return out;
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

  /** The (cached) generator set of the given capacity. */
  static withCapacity(capacity: number): BulletproofGens {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20)
      throw new RangeError(`BulletproofGens: bad capacity ${capacity}`);
    let gens = BulletproofGens.cache.get(capacity);
    if (gens === undefined) {
      let larger: BulletproofGens | undefined;
      for (const g of BulletproofGens.cache.values()) if (g.capacity >= capacity) larger = g;
      const G = larger ? larger.G.points.slice(0, capacity) : deriveGeneratorChain("G", 0, capacity);
      const H = larger ? larger.H.points.slice(0, capacity) : deriveGeneratorChain("H", 0, capacity);
      gens = new BulletproofGens(capacity, G, H);
      BulletproofGens.cache.set(capacity, gens);
    }
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
