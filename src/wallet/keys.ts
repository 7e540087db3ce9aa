/**
 * Wallet key manager on top of the key tree (slingshot `keytree/keytree.md`; the ZkVM predicate and
 * Taproot rules of `zkvm/docs/zkvm-spec.md`).
 *
 * Layout (path labels as in the reference's tests and `accounts` crate):
 *     root Xprv ── intermediate append_u64("account_id", n) ──> account Xprv
 *     account  ── leaf append_u64("sequence", i) ──> receiving key i (secret s_i, predicate s_i·B)
 *
 * The manager maps predicates (compressed verification keys, as lower-case hex) to the secret that
 * signs for them, in the form the ZkVM prover takes (`TxWitness.keys`). A Taproot predicate
 * P = X + h·B is signed for with x + h, where x is the inner secret of X and h the tree's
 * adjustment factor.
 */
import type { CompressedPoint } from "../crypto/ristretto.js";
import { add, L } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import type { PredicateTree } from "../zkvm/predicate.js";
import { WalletCode, WalletError } from "./errors.js";
import { type Selector, u64Selector, type Xprv, type Xpub } from "./keytree.js";

/** Path labels of the wallet's key layout. */
export const WALLET_LABEL = {
  /** Intermediate step from a root key to an account key. */
  ACCOUNT: "account_id",
  /** Leaf step from an account key to a receiving key. */
  SEQUENCE: "sequence",
} as const;

/** The selector of account `accountId` (a u64). */
export function accountSelector(accountId: bigint | number): Selector {
  return u64Selector(WALLET_LABEL.ACCOUNT, accountId);
}

/** The selector of receiving key `sequence` (a u64). */
export function sequenceSelector(sequence: bigint | number): Selector {
  return u64Selector(WALLET_LABEL.SEQUENCE, sequence);
}

/** The account Xprv `accountId` under `root`. */
export function accountXprv(root: Xprv, accountId: bigint | number): Xprv {
  return root.deriveIntermediate(accountSelector(accountId));
}

/** The account Xpub `accountId` under `root` (equals `accountXprv(rootXprv, id).xpub`). */
export function accountXpub(root: Xpub, accountId: bigint | number): Xpub {
  return root.deriveIntermediate(accountSelector(accountId));
}

/** The secret of receiving key `sequence` of an account. */
export function secretAtSequence(account: Xprv, sequence: bigint | number): bigint {
  return account.deriveLeaf(sequenceSelector(sequence));
}

/** The predicate (verification key) of receiving key `sequence`, from the account Xpub alone. */
export function keyAtSequence(account: Xpub, sequence: bigint | number): CompressedPoint {
  return account.deriveLeaf(sequenceSelector(sequence));
}

function checkSecret(secret: unknown, name: string): asserts secret is bigint {
  if (typeof secret !== "bigint" || secret < 0n || secret >= L)
    throw new RangeError(`${name}: secret must be a bigint in [0, ℓ)`);
}

/**
 * The secret that signs for a Taproot predicate: `innerSecret + tree.adjustmentFactor`.
 * WALLET_KEY_MISMATCH if `innerSecret` is not the secret of the tree's inner key (the unsignable
 * key never matches).
 */
export function taprootSigningSecret(tree: PredicateTree, innerSecret: bigint): bigint {
  checkSecret(innerSecret, "taprootSigningSecret");
  if (!publicKey(innerSecret).equals(tree.innerKey))
    throw new WalletError(WalletCode.KEY_MISMATCH, {
      what: "taproot inner key",
      predicate: tree.innerKey.toHex(),
    });
  const secret = add(innerSecret, tree.adjustmentFactor);
  // P = X + h·B holds by construction of the tree; a failure here would be a bug, still reported.
  if (!publicKey(secret).equals(tree.outerKey))
    throw new WalletError(WalletCode.KEY_MISMATCH, {
      what: "taproot outer key",
      predicate: tree.outerKey.toHex(),
    });
  return secret;
}

/** A receiving key handed out by the manager. */
export interface ReceivingKey {
  readonly sequence: bigint;
  readonly predicate: CompressedPoint;
}

/** Options of a `KeyManager`. */
export interface KeyManagerOptions {
  /** The first sequence number `nextReceivingKey` hands out (default 0, e.g. restored from storage). */
  readonly nextSequence?: bigint | number;
}

function predicateHex(predicate: CompressedPoint | string): string {
  if (typeof predicate === "string") return predicate.toLowerCase();
  return predicate.toHex();
}

function toU64(v: bigint | number, name: string): bigint {
  if (typeof v !== "bigint" && !Number.isSafeInteger(v)) throw new RangeError(`${name} must be an integer`);
  const b = BigInt(v);
  if (b < 0n || b >= 1n << 64n) throw new RangeError(`${name} must be a u64`);
  return b;
}

/**
 * Holds an account Xprv and the secrets of the predicates it can sign for: receiving keys derived by
 * sequence number, extra keys, and Taproot predicates. Pure and deterministic; persistence of
 * `nextSequence` and of Taproot trees is the caller's.
 */
export class KeyManager {
  readonly account: Xprv;
  readonly #secrets = new Map<string, bigint>();
  readonly #sequences = new Map<string, bigint>();
  #next: bigint;

  constructor(account: Xprv, opts: KeyManagerOptions = {}) {
    this.account = account;
    this.#next = toU64(opts.nextSequence ?? 0n, "KeyManager: nextSequence");
  }

  /** The manager of account `accountId` (default 0) under `root`. */
  static fromRoot(root: Xprv, accountId: bigint | number = 0n, opts?: KeyManagerOptions): KeyManager {
    return new KeyManager(accountXprv(root, accountId), opts);
  }

  /** The account Xpub (shareable with parties allowed to link this account's payments). */
  get xpub(): Xpub {
    return this.account.xpub;
  }

  /** The sequence number the next `nextReceivingKey` uses. */
  get nextSequence(): bigint {
    return this.#next;
  }

  /** Number of predicates the manager can sign for. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Derives receiving key `sequence` and registers its secret (does not move `nextSequence`). */
  keyAt(sequence: bigint | number): ReceivingKey {
    const seq = toU64(sequence, "KeyManager.keyAt: sequence");
    const secret = secretAtSequence(this.account, seq);
    const predicate = publicKey(secret);
    this.#secrets.set(predicate.toHex(), secret);
    this.#sequences.set(predicate.toHex(), seq);
    return { sequence: seq, predicate };
  }

  /** Hands out a fresh receiving key at `nextSequence` and advances it. */
  nextReceivingKey(): ReceivingKey {
    const key = this.keyAt(this.#next);
    this.#next += 1n;
    return key;
  }

  /**
   * Registers receiving keys `from` … `to - 1` (e.g. a look-ahead window when restoring a wallet and
   * scanning the chain for its outputs). Returns them in order.
   */
  registerRange(from: bigint | number, to: bigint | number): ReceivingKey[] {
    const a = toU64(from, "KeyManager.registerRange: from");
    const b = toU64(to, "KeyManager.registerRange: to");
    const out: ReceivingKey[] = [];
    for (let i = a; i < b; i++) out.push(this.keyAt(i));
    return out;
  }

  /** Registers a secret that is not a receiving key (e.g. an issuance key); returns its predicate. */
  addSecret(secret: bigint): CompressedPoint {
    checkSecret(secret, "KeyManager.addSecret");
    const predicate = publicKey(secret);
    this.#secrets.set(predicate.toHex(), secret);
    return predicate;
  }

  /**
   * Registers a Taproot predicate whose inner key is `innerSecret`'s (WALLET_KEY_MISMATCH if not);
   * returns the outer key P, which signs with `innerSecret + h`.
   */
  addTaproot(tree: PredicateTree, innerSecret: bigint): CompressedPoint {
    const secret = taprootSigningSecret(tree, innerSecret);
    this.#secrets.set(tree.outerKey.toHex(), secret);
    return tree.outerKey;
  }

  /**
   * Registers a Taproot predicate built on receiving key `sequence` (its inner key must be that
   * key's predicate, else WALLET_KEY_MISMATCH). Returns the outer key.
   */
  addTaprootAt(tree: PredicateTree, sequence: bigint | number): CompressedPoint {
    const seq = toU64(sequence, "KeyManager.addTaprootAt: sequence");
    return this.addTaproot(tree, secretAtSequence(this.account, seq));
  }

  /** True if the manager can sign for `predicate` (a point or its hex). */
  has(predicate: CompressedPoint | string): boolean {
    return this.#secrets.has(predicateHex(predicate));
  }

  /** The receiving-key sequence number of `predicate`, if it is one of the registered receiving keys. */
  sequenceOf(predicate: CompressedPoint | string): bigint | undefined {
    return this.#sequences.get(predicateHex(predicate));
  }

  /** The secret that signs for `predicate`; WALLET_UNKNOWN_KEY if the manager does not hold it. */
  secretFor(predicate: CompressedPoint | string): bigint {
    const hex = predicateHex(predicate);
    const secret = this.#secrets.get(hex);
    if (secret === undefined)
      throw new WalletError(WalletCode.UNKNOWN_KEY, { what: "predicate", predicate: hex });
    return secret;
  }

  /**
   * The prover's key map (`TxWitness.keys`: predicate hex → secret) for the given predicates;
   * WALLET_UNKNOWN_KEY if any is unknown.
   */
  signingKeys(predicates: Iterable<CompressedPoint | string>): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const p of predicates) out.set(predicateHex(p), this.secretFor(p));
    return out;
  }

  /** A copy of every registered predicate → secret. */
  allKeys(): Map<string, bigint> {
    return new Map(this.#secrets);
  }
}
