/**
 * Musig: Schnorr multi-signatures over Ristretto255 (stellar/slingshot `musig/docs/musig-spec.md`).
 * Labels follow the reference code and `fixtures/musig.json`, which differ from the spec text.
 *
 * Two signing contexts share one multi-party protocol:
 * - Aggregated key (`Multikey`): n keys X_i fold into one key X = Σ a_i·X_i with delinearization
 *   factors a_i; the result is an ordinary Starsig signature for X (dom-sep "starsig v1").
 *   For n = 1 the key is used as-is (a_0 = 1). For n ≥ 2:
 *       T = Transcript("Musig.aggregated-key"); T.append_u64("n", n); T.append("X", X_j) for all j
 *       a_i = clone(T).append_u64("i", i).challenge_scalar("a_i")
 *   Party i's challenge is c_i = c·a_i where c is the Starsig challenge for (X, R).
 * - Multi-message (`Multimessage`, used by ZkVM `signtx`): each key signs its own message, no key
 *   aggregation. Onto the caller's transcript go
 *       dom-sep = "musig-multimessage v1", n (u64), then X_i, m_i for each pair, then R,
 *   and c_i = clone(T).append_u64("i", i).challenge_scalar("c"). Valid iff s·B = R + Σ c_i·X_i.
 *
 * Multi-party signing (both contexts): each party draws a nonce r_i, publishes a precommitment
 * H(R_i), then reveals R_i = r_i·B once all precommitments are in, then publishes its share
 * s_i = r_i + c_i·x_i once all reveals are checked. R = Σ R_i, s = Σ s_i. The precommitment hash is
 * the reference's: Transcript("Musig.nonce-precommit").append("R", R_i).challenge_bytes("precommitment", 32).
 */
import { bytesEqual, utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import type { Rng } from "../util/rng.js";
import { type BatchVerifier, checkStatement, type PointStatement } from "./batch.js";
import { CryptoCode, CryptoError } from "./errors.js";
import { defaultMsmBackend } from "./msm/index.js";
import { BASEPOINT, CompressedPoint, IDENTITY, mulPublic, type Point } from "./ristretto.js";
import { add, L, mul, neg, randomScalar } from "./scalar.js";
import { decompressOrThrow, publicKey, Signature, STARSIG_DOMAIN_SEP } from "./starsig.js";
import { Transcript } from "./transcript.js";

/** Label of the key-aggregation transcript. */
export const AGGREGATED_KEY_TRANSCRIPT_LABEL = "Musig.aggregated-key";
/** Value of the `dom-sep` entry of a multi-message signature (reference code's label). */
export const MULTIMESSAGE_DOMAIN_SEP = "musig-multimessage v1";
/** Label of the transcript hashing a nonce commitment into its precommitment. */
export const NONCE_PRECOMMIT_TRANSCRIPT_LABEL = "Musig.nonce-precommit";
/** Label under which a signer's secret key is bound into its nonce RNG. */
export const MUSIG_WITNESS_LABEL = "x_i";
/** Length of a nonce precommitment. */
export const PRECOMMITMENT_LENGTH = 32;

const STARSIG_DOM_SEP_BYTES = utf8(STARSIG_DOMAIN_SEP);
const MULTIMESSAGE_DOM_SEP_BYTES = utf8(MULTIMESSAGE_DOMAIN_SEP);

/**
 * What the signers sign: the keys in party order, how the context enters the transcript, and how
 * each party's challenge follows from it.
 */
export interface MusigContext {
  /** Number of keys (= parties). */
  readonly size: number;
  /** The verification key of party `i`. */
  key(i: number): CompressedPoint;
  /** Appends the context (keys, messages) to the transcript; R is appended after it. */
  commit(transcript: Transcript): void;
  /**
   * Every party's challenge c_i from a transcript holding the context and R. Leaves `transcript`
   * in the state a verifier leaves its copy in.
   */
  challenges(transcript: Transcript): bigint[];
}

// ---------------------------------------------------------------------------------------------
// Key aggregation

/** The delinearization factors a_i of `pubkeys` (n ≥ 2; see the module comment). */
function aggregationFactors(pubkeys: readonly CompressedPoint[]): bigint[] {
  if (pubkeys.length === 1) return [1n];
  const t = Transcript.create(AGGREGATED_KEY_TRANSCRIPT_LABEL);
  t.appendU64("n", pubkeys.length);
  for (const X of pubkeys) t.appendPoint("X", X);
  return pubkeys.map((_, i) => t.clone().appendU64("i", i).challengeScalar("a_i"));
}

/** An aggregated key: X = Σ a_i·X_i (the single key itself when n = 1). */
export class Multikey implements MusigContext {
  /** The component keys, in party order. */
  readonly pubkeys: readonly CompressedPoint[];
  /** The delinearization factor a_i of each component key. */
  readonly factors: readonly bigint[];
  /** The aggregated verification key. */
  readonly aggregatedKey: CompressedPoint;

  private constructor(pubkeys: readonly CompressedPoint[], factors: readonly bigint[], key: CompressedPoint) {
    this.pubkeys = pubkeys;
    this.factors = factors;
    this.aggregatedKey = key;
  }

  /**
   * Aggregates `pubkeys`. Throws CRYPTO_MUSIG_BAD_INPUT for an empty list and CRYPTO_INVALID_POINT
   * (meta.index) for a key that is not a valid point.
   */
  static create(pubkeys: readonly CompressedPoint[]): Multikey {
    if (pubkeys.length === 0)
      throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no keys", count: 0 });
    pubkeys.forEach((X, i) => {
      decompressOrThrow(X, "pubkey", i);
    });
    const keys = [...pubkeys];
    const factors = aggregationFactors(keys);
    if (keys.length === 1) return new Multikey(keys, factors, keys[0]!);
    const sum = defaultMsmBackend().msm({ scalars: factors, points: keys });
    return new Multikey(keys, factors, CompressedPoint.fromPoint(sum));
  }

  get size(): number {
    return this.pubkeys.length;
  }

  key(i: number): CompressedPoint {
    return keyAt(this.pubkeys, i);
  }

  /** Appends the Starsig entries for the aggregated key: dom-sep "starsig v1", X. */
  commit(transcript: Transcript): void {
    transcript.appendMessage("dom-sep", STARSIG_DOM_SEP_BYTES);
    transcript.appendPoint("X", this.aggregatedKey);
  }

  /** c_i = c·a_i with c = challenge_scalar("c") taken from `transcript` itself. */
  challenges(transcript: Transcript): bigint[] {
    const c = transcript.challengeScalar("c");
    return this.factors.map((a) => mul(c, a));
  }
}

/**
 * The aggregated secret key Σ a_i·x_i matching `Multikey.create(secrets.map(publicKey))`.
 * Real parties never pool their keys; this is for tests and for one signer holding every key.
 * Throws CRYPTO_MUSIG_BAD_INPUT for an empty list.
 */
export function aggregateSecretKeys(secrets: readonly bigint[]): bigint {
  if (secrets.length === 0) throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no keys", count: 0 });
  secrets.forEach((x, i) => {
    checkScalarArg(x, `secrets[${i}]`);
  });
  const factors = aggregationFactors(secrets.map(publicKey));
  return secrets.reduce((acc, x, i) => add(acc, mul(factors[i]!, x)), 0n);
}

// ---------------------------------------------------------------------------------------------
// Multi-message signatures (ZkVM signtx)

/** A verification key with the message it signs. */
export interface KeyMessage {
  readonly pubkey: CompressedPoint;
  readonly message: Uint8Array;
}

/** A secret key with the message it signs (the signer's side of `KeyMessage`). */
export interface SecretMessage {
  readonly secret: bigint;
  readonly message: Uint8Array;
}

/** The multi-message context: one (key, message) pair per party, no key aggregation. */
export class Multimessage implements MusigContext {
  readonly pairs: readonly KeyMessage[];

  private constructor(pairs: readonly KeyMessage[]) {
    this.pairs = pairs;
  }

  /** Throws CRYPTO_MUSIG_BAD_INPUT for an empty list. Keys may repeat (one per signed message). */
  static create(pairs: readonly KeyMessage[]): Multimessage {
    if (pairs.length === 0) throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no pairs", count: 0 });
    pairs.forEach((p, i) => {
      if (!(p.pubkey instanceof CompressedPoint))
        throw new TypeError(`pairs[${i}].pubkey: expected a CompressedPoint`);
      if (!(p.message instanceof Uint8Array))
        throw new TypeError(`pairs[${i}].message: expected a Uint8Array`);
    });
    return new Multimessage([...pairs]);
  }

  get size(): number {
    return this.pairs.length;
  }

  key(i: number): CompressedPoint {
    const p = this.pairs[i];
    if (!Number.isInteger(i) || p === undefined)
      throw new RangeError(`key index ${i} out of range [0, ${this.pairs.length})`);
    return p.pubkey;
  }

  /** Appends dom-sep "musig-multimessage v1", n, then X_i and m_i for each pair. */
  commit(transcript: Transcript): void {
    transcript.appendMessage("dom-sep", MULTIMESSAGE_DOM_SEP_BYTES);
    transcript.appendU64("n", this.pairs.length);
    for (const p of this.pairs) {
      transcript.appendPoint("X", p.pubkey);
      transcript.appendMessage("m", p.message);
    }
  }

  /** c_i = clone(T).append_u64("i", i).challenge_scalar("c"); `transcript` is not changed. */
  challenges(transcript: Transcript): bigint[] {
    return this.pairs.map((_, i) => transcript.clone().appendU64("i", i).challengeScalar("c"));
  }
}

/**
 * Signs a multi-message context when one signer holds every secret key (the ZkVM prover's case).
 * The nonce comes from the transcript RNG bound to the transcript so far and to the first secret
 * key, finalized with `rng`. Mutates the transcript like the verifier (context, then R).
 * Throws CRYPTO_MUSIG_BAD_INPUT for an empty list.
 */
export function signMultiMessage(
  transcript: Transcript,
  pairs: readonly SecretMessage[],
  rng: Rng,
): Signature {
  if (pairs.length === 0) throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no pairs", count: 0 });
  checkScalarArg(pairs[0]!.secret, "pairs[0].secret");
  const nonceRng = transcript
    .buildRng()
    .rekeyWithWitnessScalar(MUSIG_WITNESS_LABEL, pairs[0]!.secret)
    .finalize(rng);
  return signMultiMessageWithNonce(transcript, pairs, randomScalar(nonceRng));
}

/**
 * Multi-message signing with an explicit nonce r: R = r·B, s = r + Σ c_i·x_i.
 * FOR TESTS AND KNOWN-ANSWER VECTORS ONLY: reusing a nonce for a different challenge reveals the keys.
 */
export function signMultiMessageWithNonce(
  transcript: Transcript,
  pairs: readonly SecretMessage[],
  nonce: bigint,
): Signature {
  if (pairs.length === 0) throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no pairs", count: 0 });
  checkScalarArg(nonce, "nonce");
  pairs.forEach((p, i) => {
    checkScalarArg(p.secret, `pairs[${i}].secret`);
  });
  const context = Multimessage.create(
    pairs.map((p) => ({ pubkey: publicKey(p.secret), message: p.message })),
  );
  const R = publicKey(nonce);
  context.commit(transcript);
  transcript.appendPoint("R", R);
  const c = context.challenges(transcript);
  const s = pairs.reduce((acc, p, i) => add(acc, mul(c[i]!, p.secret)), nonce);
  return new Signature(R, s);
}

/**
 * The deferred check of a multi-message signature: 0 = (−s)·B + 1·R + Σ c_i·X_i.
 * Mutates the transcript (context, then R). Throws CRYPTO_MUSIG_BAD_INPUT for an empty list.
 */
export function multiMessageStatement(
  sig: Signature,
  transcript: Transcript,
  pairs: readonly KeyMessage[],
): PointStatement {
  const context = Multimessage.create(pairs);
  context.commit(transcript);
  transcript.appendPoint("R", sig.R);
  const c = context.challenges(transcript);
  return { b: neg(sig.s), scalars: [1n, ...c], points: [sig.R, ...pairs.map((p) => p.pubkey)] };
}

/** Adds the check of a multi-message signature to an existing batch. */
export function addMultiMessageToBatch(
  batch: BatchVerifier,
  sig: Signature,
  transcript: Transcript,
  pairs: readonly KeyMessage[],
): void {
  batch.add(multiMessageStatement(sig, transcript, pairs));
}

/**
 * Verifies a multi-message signature (mutating the transcript). Throws CRYPTO_MUSIG_BAD_INPUT for
 * an empty list, CRYPTO_INVALID_POINT for an undecodable R or key (meta.index = pair index),
 * CRYPTO_INVALID_SIGNATURE if it does not verify.
 */
export function verifyMultiMessage(
  sig: Signature,
  transcript: Transcript,
  pairs: readonly KeyMessage[],
): void {
  const stmt = multiMessageStatement(sig, transcript, pairs);
  decompressOrThrow(sig.R, "signature R");
  pairs.forEach((p, i) => {
    decompressOrThrow(p.pubkey, "pubkey", i);
  });
  if (!checkStatement(stmt))
    throw new CryptoError(CryptoCode.INVALID_SIGNATURE, { what: "musig multi-message" });
}

// ---------------------------------------------------------------------------------------------
// Multi-party signing

/** The precommitment H(R_i) to a nonce commitment. */
export function noncePrecommitment(R: CompressedPoint): Uint8Array {
  return Transcript.create(NONCE_PRECOMMIT_TRANSCRIPT_LABEL)
    .appendPoint("R", R)
    .challengeBytes("precommitment", PRECOMMITMENT_LENGTH);
}

/** Protocol round a session is waiting for. */
export type MusigRound = "precommitments" | "commitments" | "shares" | "done" | "failed";

/**
 * Collects the parties' messages round by round and checks them: each reveal against its
 * precommitment, each share against its key (s_i·B = R_i + c_i·X_i). Holds no secret: any party,
 * or a separate coordinator, can run it. Misbehaviour throws CRYPTO_MUSIG_PROTOCOL with meta.party
 * and ends the session; calls out of order throw CRYPTO_MUSIG_PROTOCOL; lists of the wrong length
 * throw CRYPTO_MUSIG_BAD_INPUT.
 */
export class MusigCoordinator {
  readonly context: MusigContext;
  private readonly transcript: Transcript;
  private state: MusigRound = "precommitments";
  private precommitments: Uint8Array[] = [];
  private commitments: Point[] = [];
  private nonceSum: CompressedPoint | undefined;
  private partyChallenges: bigint[] = [];

  /**
   * `transcript` must already hold the message; it is mutated when the commitments arrive (context,
   * R and, for an aggregated key, the challenge), exactly as the verifier mutates its copy.
   */
  constructor(transcript: Transcript, context: MusigContext) {
    if (context.size === 0) throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what: "no keys", count: 0 });
    this.transcript = transcript;
    this.context = context;
  }

  /** The round the session is waiting for. */
  get round(): MusigRound {
    return this.state;
  }

  /** The nonce commitment R = Σ R_i (after the commitments round). */
  get R(): CompressedPoint {
    this.expectPast("commitments", "R");
    return this.nonceSum!;
  }

  /** Every party's challenge c_i (after the commitments round). */
  get challenges(): readonly bigint[] {
    this.expectPast("commitments", "challenges");
    return this.partyChallenges;
  }

  /** Round 1: stores every party's precommitment H(R_i). */
  receivePrecommitments(precommitments: readonly Uint8Array[]): void {
    this.expectRound("precommitments", "receivePrecommitments");
    this.checkCount(precommitments.length, "precommitments");
    precommitments.forEach((p, i) => {
      if (!(p instanceof Uint8Array) || p.length !== PRECOMMITMENT_LENGTH)
        this.fail(i, "precommitment is not 32 bytes");
    });
    this.precommitments = precommitments.map((p) => p.slice());
    this.state = "commitments";
  }

  /**
   * Round 2: checks every reveal R_i against its precommitment, forms R = Σ R_i, commits the
   * context and R to the transcript and derives each party's challenge.
   */
  receiveCommitments(commitments: readonly CompressedPoint[]): void {
    this.expectRound("commitments", "receiveCommitments");
    this.checkCount(commitments.length, "commitments");
    const points: Point[] = [];
    commitments.forEach((Ri, i) => {
      if (!bytesEqual(noncePrecommitment(Ri), this.precommitments[i]!))
        this.fail(i, "nonce reveal does not match its precommitment");
      try {
        points.push(Ri.decompress("nonce commitment"));
      } catch (e) {
        if (hasCode(e, DecodeCode.INVALID_POINT)) this.fail(i, "nonce commitment is not a valid point", e);
        throw e;
      }
    });
    this.commitments = points;
    this.nonceSum = CompressedPoint.fromPoint(points.reduce((acc, p) => acc.add(p), IDENTITY));
    this.context.commit(this.transcript);
    this.transcript.appendPoint("R", this.nonceSum);
    this.partyChallenges = this.context.challenges(this.transcript);
    this.state = "shares";
  }

  /** Round 3: checks every share s_i·B = R_i + c_i·X_i and assembles the signature (R, Σ s_i). */
  receiveShares(shares: readonly bigint[]): Signature {
    this.expectRound("shares", "receiveShares");
    this.checkCount(shares.length, "shares");
    let s = 0n;
    shares.forEach((si, i) => {
      if (typeof si !== "bigint" || si < 0n || si >= L) this.fail(i, "share is not a canonical scalar");
      const Xi = this.decodeKey(i);
      const rhs = this.commitments[i]!.add(mulPublic(Xi, this.partyChallenges[i]!));
      if (!mulPublic(BASEPOINT, si).equals(rhs)) this.fail(i, "share does not match its key and nonce");
      s = add(s, si);
    });
    this.state = "done";
    return new Signature(this.nonceSum!, s);
  }

  /** Round 3 without share checks, for shares that all come from one trusted signer. */
  receiveTrustedShares(shares: readonly bigint[]): Signature {
    this.expectRound("shares", "receiveTrustedShares");
    this.checkCount(shares.length, "shares");
    shares.forEach((si, i) => {
      checkScalarArg(si, `shares[${i}]`);
    });
    this.state = "done";
    return new Signature(
      this.nonceSum!,
      shares.reduce((acc, si) => add(acc, si), 0n),
    );
  }

  /**
   * Ends the session as failed, blaming `party` (e.g. a party that timed out or sent garbage the
   * caller detected). Always throws CRYPTO_MUSIG_PROTOCOL with meta.party.
   */
  abort(party: number, what: string): never {
    return this.fail(party, what);
  }

  private decodeKey(i: number): Point {
    try {
      return this.context.key(i).decompress("pubkey");
    } catch (e) {
      if (hasCode(e, DecodeCode.INVALID_POINT)) this.fail(i, "key is not a valid point", e);
      throw e;
    }
  }

  private expectRound(round: MusigRound, call: string): void {
    if (this.state !== round)
      throw new CryptoError(CryptoCode.MUSIG_PROTOCOL, { what: `${call} called in round ${this.state}` });
  }

  private expectPast(round: "commitments", call: string): void {
    if (this.state !== "shares" && this.state !== "done")
      throw new CryptoError(CryptoCode.MUSIG_PROTOCOL, {
        what: `${call} is not available before the ${round} round (round ${this.state})`,
      });
  }

  private checkCount(count: number, what: string): void {
    if (count !== this.context.size)
      throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, { what, count, needed: this.context.size });
  }

  private fail(party: number, what: string, cause?: unknown): never {
    this.state = "failed";
    throw new CryptoError(
      CryptoCode.MUSIG_PROTOCOL,
      { what, party },
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * One party of a multi-party signing session. Its rounds mirror the coordinator's:
 *   1. publish `precommitment`;
 *   2. `receivePrecommitments(all)` → publish the returned nonce commitment R_i;
 *   3. `receiveCommitments(all)` → checks every reveal, publish the returned share s_i;
 *   4. `receiveShares(all)` → the checked signature.
 * The party's own entries in each list must be the ones it published (else CRYPTO_MUSIG_PROTOCOL).
 */
export class MusigSigner {
  /** This party's index in the context. */
  readonly position: number;
  /** Round-1 message: H(R_i). */
  readonly precommitment: Uint8Array;
  private readonly secret: bigint;
  private readonly nonce: bigint;
  private readonly nonceCommitment: CompressedPoint;
  private readonly session: MusigCoordinator;

  private constructor(
    transcript: Transcript,
    position: number,
    secret: bigint,
    context: MusigContext,
    nonce: bigint,
  ) {
    if (!Number.isInteger(position) || position < 0 || position >= context.size)
      throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, {
        what: "position",
        index: position,
        count: context.size,
      });
    if (!publicKey(secret).equals(context.key(position)))
      throw new CryptoError(CryptoCode.MUSIG_BAD_INPUT, {
        what: "secret key does not match the context key",
        party: position,
      });
    this.position = position;
    this.secret = secret;
    this.nonce = nonce;
    this.nonceCommitment = publicKey(nonce);
    this.precommitment = noncePrecommitment(this.nonceCommitment);
    this.session = new MusigCoordinator(transcript, context);
  }

  /**
   * Starts a session for party `position` holding `secret` (the key `context.key(position)`).
   * The nonce is drawn from the transcript RNG bound to the message and `secret`, finalized with
   * `rng`. `transcript` must hold the message; it is mutated as in `MusigCoordinator`.
   */
  static create(
    transcript: Transcript,
    position: number,
    secret: bigint,
    context: MusigContext,
    rng: Rng,
  ): MusigSigner {
    checkScalarArg(secret, "secret");
    const nonceRng = transcript.buildRng().rekeyWithWitnessScalar(MUSIG_WITNESS_LABEL, secret).finalize(rng);
    return new MusigSigner(transcript, position, secret, context, randomScalar(nonceRng));
  }

  /**
   * Starts a session with an explicit nonce r_i. FOR TESTS AND KNOWN-ANSWER VECTORS ONLY: a nonce
   * used in two sessions with different challenges reveals the secret key.
   */
  static createWithNonce(
    transcript: Transcript,
    position: number,
    secret: bigint,
    context: MusigContext,
    nonce: bigint,
  ): MusigSigner {
    checkScalarArg(secret, "secret");
    checkScalarArg(nonce, "nonce");
    return new MusigSigner(transcript, position, secret, context, nonce);
  }

  /** The round the party is waiting for. */
  get round(): MusigRound {
    return this.session.round;
  }

  /** The session's signature nonce R and challenges (after the commitments round). */
  get coordinator(): MusigCoordinator {
    return this.session;
  }

  /** Round 2: takes every precommitment and returns this party's nonce commitment R_i. */
  receivePrecommitments(precommitments: readonly Uint8Array[]): CompressedPoint {
    this.session.receivePrecommitments(precommitments);
    if (!bytesEqual(precommitments[this.position]!, this.precommitment))
      this.session.abort(this.position, "own precommitment was replaced");
    return this.nonceCommitment;
  }

  /** Round 3: checks every reveal and returns this party's share s_i = r_i + c_i·x_i. */
  receiveCommitments(commitments: readonly CompressedPoint[]): bigint {
    this.session.receiveCommitments(commitments);
    const ci = this.session.challenges[this.position]!;
    return add(this.nonce, mul(ci, this.secret));
  }

  /** Round 4: checks every share and returns the signature. */
  receiveShares(shares: readonly bigint[]): Signature {
    return this.session.receiveShares(shares);
  }

  /** Round 4 without share checks (every share comes from a trusted source). */
  receiveTrustedShares(shares: readonly bigint[]): Signature {
    return this.session.receiveTrustedShares(shares);
  }
}

function keyAt(keys: readonly CompressedPoint[], i: number): CompressedPoint {
  const k = keys[i];
  if (!Number.isInteger(i) || k === undefined)
    throw new RangeError(`key index ${i} out of range [0, ${keys.length})`);
  return k;
}

function checkScalarArg(x: bigint, name: string): void {
  if (typeof x !== "bigint" || x < 0n || x >= L) throw new RangeError(`${name}: scalar out of range [0, ℓ)`);
}
