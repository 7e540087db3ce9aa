/**
 * Key tree: hierarchical key blinding (slingshot `keytree/keytree.md`).
 *
 * An extended private key (`Xprv`) is a secret scalar s and a 32-byte derivation key dk; its
 * extended public key (`Xpub`) is the point s·B with the same dk. Children are derived from the
 * public half only, so an Xpub alone yields the same public keys as its Xprv:
 *
 *     prf  = Transcript("Keytree.derivation") ← "pt": compressed parent key, "dk": parent dk,
 *            then the caller's selector (e.g. append_u64("account_id", 34))
 *     intermediate: f = prf.challenge_scalar("f.intermediate"); dk' = prf.challenge_bytes("dk", 32)
 *                   child = (s + f, dk')  |  (P + f·B, dk')
 *     leaf:         f = prf.challenge_scalar("f.leaf");  leaf = s + f  |  P + f·B
 *
 * A root key from a seed: Transcript("Keytree.from_seed") ← "seed": seed; s = challenge_scalar
 * ("scalar"), dk = challenge_bytes("dk", 32). Wire forms: Xprv = LE32(s) ‖ dk, Xpub = P ‖ dk
 * (64 bytes each). As in the reference, the zero scalar and the identity point are accepted (the
 * reference's own vectors start from them).
 */
import { CompressedPoint, decodePoint, mulBase, type Point } from "../crypto/ristretto.js";
import { add, bytesToBigintLE, encodeScalar, L, randomScalar } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import { WalletCode, WalletError } from "./errors.js";

/** Domain-separation labels of the key tree (keytree.md; exact bytes settled by the vectors). */
export const KEYTREE_LABEL = {
  /** Transcript label of root derivation from a seed. */
  FROM_SEED: "Keytree.from_seed",
  SEED: "seed",
  SCALAR: "scalar",
  /** Label of the derivation key, both when squeezed and when committed. */
  DK: "dk",
  /** Transcript label of the derivation PRF. */
  DERIVATION: "Keytree.derivation",
  /** The parent public key committed to the PRF. */
  PT: "pt",
  F_INTERMEDIATE: "f.intermediate",
  F_LEAF: "f.leaf",
} as const;

/** Length of an encoded Xprv or Xpub. */
export const EXTENDED_KEY_LENGTH = 64;
/** Length of a derivation key. */
export const DK_LENGTH = 32;

/**
 * A caller's customization of the derivation PRF: appends the path element or selector (e.g.
 * `prf.appendU64("account_id", 34n)`). It must only append; it runs on a fresh transcript per call.
 */
export type Selector = (prf: Transcript) => void;

/** A selector that appends `value` as a little-endian u64 under `label`. */
export function u64Selector(label: string, value: bigint | number): Selector {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`u64Selector: ${label}=${v} is not a u64`);
  return (prf) => {
    prf.appendU64(label, v);
  };
}

/** A selector that appends `message` (bytes, or text as UTF-8) under `label`. */
export function messageSelector(label: string, message: Uint8Array | string): Selector {
  const bytes = typeof message === "string" ? utf8(message) : message.slice();
  return (prf) => {
    prf.appendMessage(label, bytes);
  };
}

function checkBytes(bytes: unknown, name: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

function checkDk(dk: unknown, name: string): asserts dk is Uint8Array {
  checkBytes(dk, name);
  if (dk.length !== DK_LENGTH) throw new RangeError(`${name}: derivation key must be ${DK_LENGTH} bytes`);
}

/** Hex → bytes with the wallet's error codes. */
function hexToBytes(hex: string, what: string): Uint8Array {
  if (typeof hex !== "string") throw new TypeError(`${what}: hex must be a string`);
  try {
    return fromHex(hex);
  } catch (e) {
    if (e instanceof CodedError) throw new WalletError(WalletCode.INVALID_HEX, { what }, { cause: e });
    throw e;
  }
}

function checkLength(bytes: Uint8Array, what: string): void {
  if (bytes.length !== EXTENDED_KEY_LENGTH)
    throw new WalletError(WalletCode.INVALID_LENGTH, {
      what,
      length: bytes.length,
      needed: EXTENDED_KEY_LENGTH,
    });
}

/** Result of the intermediate derivation on the public side; the Xprv side adds `f` to its scalar. */
export interface IntermediateStep {
  readonly f: bigint;
  readonly child: Xpub;
}

/** An extended public key: a public key and a derivation key. Immutable. */
export class Xpub {
  /** The public key P (compressed, decoded). */
  readonly key: CompressedPoint;
  readonly #dk: Uint8Array;

  private constructor(key: CompressedPoint, dk: Uint8Array) {
    this.key = key;
    this.#dk = dk;
  }

  /** Builds an Xpub from a decoded point and a 32-byte derivation key (copied). */
  static fromParts(point: Point, dk: Uint8Array): Xpub {
    checkDk(dk, "Xpub.fromParts");
    return new Xpub(CompressedPoint.fromPoint(point), dk.slice());
  }

  /**
   * Strictly decodes 64 bytes: the compressed public key, then the derivation key.
   * WALLET_INVALID_LENGTH if not 64 bytes, WALLET_INVALID_POINT if the key is not a valid encoding.
   */
  static fromBytes(bytes: Uint8Array): Xpub {
    checkBytes(bytes, "Xpub.fromBytes: bytes");
    checkLength(bytes, "xpub");
    const keyBytes = bytes.slice(0, 32);
    let point: Point;
    try {
      point = decodePoint(keyBytes, "xpub key");
    } catch (e) {
      if (e instanceof CodedError)
        throw new WalletError(WalletCode.INVALID_POINT, { what: "xpub key" }, { cause: e });
      throw e;
    }
    return new Xpub(new CompressedPoint(keyBytes, point), bytes.slice(32));
  }

  /** `fromBytes` of hex text (WALLET_INVALID_HEX if not hex). */
  static fromHex(hex: string): Xpub {
    return Xpub.fromBytes(hexToBytes(hex, "xpub"));
  }

  /** The decoded public key P. */
  get point(): Point {
    return this.key.decompress();
  }

  /** A copy of the derivation key. */
  get dk(): Uint8Array {
    return this.#dk.slice();
  }

  /** The 64-byte encoding P ‖ dk. */
  toBytes(): Uint8Array {
    return concatBytes(this.key.bytes, this.#dk);
  }

  toHex(): string {
    return toHex(this.toBytes());
  }

  equals(other: Xpub): boolean {
    return this.key.equals(other.key) && bytesEqual(this.#dk, other.#dk);
  }

  /**
   * The derivation PRF of this key before the caller's selector: Transcript("Keytree.derivation")
   * with "pt" and "dk" appended. Exposed for tests and for protocols that extend the key tree.
   */
  prf(): Transcript {
    const t = Transcript.create(KEYTREE_LABEL.DERIVATION);
    t.appendMessage(KEYTREE_LABEL.PT, this.key.bytes);
    t.appendMessage(KEYTREE_LABEL.DK, this.#dk);
    return t;
  }

  /** @internal Shared by Xpub and Xprv: the blinding factor and the child Xpub. */
  intermediateStep(selector: Selector): IntermediateStep {
    const prf = this.prf();
    selector(prf);
    const f = prf.challengeScalar(KEYTREE_LABEL.F_INTERMEDIATE);
    const dk = prf.challengeBytes(KEYTREE_LABEL.DK, DK_LENGTH);
    // f is a function of the (semi-private) xpub, so it is multiplied in constant time.
    const child = new Xpub(CompressedPoint.fromPoint(this.point.add(mulBase(f))), dk);
    return { f, child };
  }

  /** @internal Shared by Xpub and Xprv: the leaf blinding factor. */
  leafFactor(selector: Selector): bigint {
    const prf = this.prf();
    selector(prf);
    return prf.challengeScalar(KEYTREE_LABEL.F_LEAF);
  }

  /** Derives an intermediate child Xpub (same result as the child Xprv's `xpub`). */
  deriveIntermediate(selector: Selector): Xpub {
    return this.intermediateStep(selector).child;
  }

  /** Derives a leaf public key P + f·B (the public key of the matching Xprv's leaf secret). */
  deriveLeaf(selector: Selector): CompressedPoint {
    return CompressedPoint.fromPoint(this.point.add(mulBase(this.leafFactor(selector))));
  }
}

/** An extended private key: a secret scalar and a derivation key, with its Xpub. Immutable. */
export class Xprv {
  /** The secret scalar s ∈ [0, ℓ). */
  readonly scalar: bigint;
  /** The extended public key (s·B, dk). */
  readonly xpub: Xpub;

  private constructor(scalar: bigint, xpub: Xpub) {
    this.scalar = scalar;
    this.xpub = xpub;
  }

  /** Builds an Xprv from a scalar in [0, ℓ) and a 32-byte derivation key (copied). */
  static fromParts(scalar: bigint, dk: Uint8Array): Xprv {
    if (typeof scalar !== "bigint" || scalar < 0n || scalar >= L)
      throw new RangeError("Xprv.fromParts: scalar must be a bigint in [0, ℓ)");
    checkDk(dk, "Xprv.fromParts");
    return new Xprv(scalar, Xpub.fromParts(mulBase(scalar), dk));
  }

  /** The root key of a seed (any bytes, including empty): keytree `Xprv::from_seed`. */
  static fromSeed(seed: Uint8Array): Xprv {
    checkBytes(seed, "Xprv.fromSeed: seed");
    const t = Transcript.create(KEYTREE_LABEL.FROM_SEED);
    t.appendMessage(KEYTREE_LABEL.SEED, seed);
    const scalar = t.challengeScalar(KEYTREE_LABEL.SCALAR);
    const dk = t.challengeBytes(KEYTREE_LABEL.DK, DK_LENGTH);
    return Xprv.fromParts(scalar, dk);
  }

  /** A fresh random key: 64 bytes reduced modulo ℓ for the scalar, then 32 bytes of dk. */
  static random(rng: Rng): Xprv {
    const scalar = randomScalar(rng);
    const dk = new Uint8Array(DK_LENGTH);
    rng.fillBytes(dk);
    return Xprv.fromParts(scalar, dk);
  }

  /**
   * Strictly decodes 64 bytes: the canonical scalar (LE), then the derivation key.
   * WALLET_INVALID_LENGTH if not 64 bytes, WALLET_NONCANONICAL_SCALAR if the scalar is ≥ ℓ.
   */
  static fromBytes(bytes: Uint8Array): Xprv {
    checkBytes(bytes, "Xprv.fromBytes: bytes");
    checkLength(bytes, "xprv");
    const scalarBytes = bytes.subarray(0, 32);
    if (bytesToBigintLE(scalarBytes) >= L)
      throw new WalletError(WalletCode.NONCANONICAL_SCALAR, { what: "xprv scalar" });
    return Xprv.fromParts(bytesToBigintLE(scalarBytes), bytes.slice(32));
  }

  /** `fromBytes` of hex text (WALLET_INVALID_HEX if not hex). */
  static fromHex(hex: string): Xprv {
    return Xprv.fromBytes(hexToBytes(hex, "xprv"));
  }

  /** A copy of the derivation key. */
  get dk(): Uint8Array {
    return this.xpub.dk;
  }

  /** The 64-byte encoding LE32(s) ‖ dk. Secret material: handle with care. */
  toBytes(): Uint8Array {
    return concatBytes(encodeScalar(this.scalar), this.xpub.dk);
  }

  toHex(): string {
    return toHex(this.toBytes());
  }

  equals(other: Xprv): boolean {
    return this.scalar === other.scalar && this.xpub.equals(other.xpub);
  }

  /** Derives an intermediate child Xprv (s + f, dk'); its `xpub` equals the parent Xpub's child. */
  deriveIntermediate(selector: Selector): Xprv {
    const { f, child } = this.xpub.intermediateStep(selector);
    return new Xprv(add(this.scalar, f), child);
  }

  /** Derives a leaf secret s + f, whose public key is the Xpub's `deriveLeaf` with the same selector. */
  deriveLeaf(selector: Selector): bigint {
    return add(this.scalar, this.xpub.leafFactor(selector));
  }
}
