/**
 * Starsig: Schnorr signatures over Ristretto255 with Merlin transcripts.
 * Spec: stellar/slingshot `starsig/docs/spec.md`; exact labels settled by `fixtures/starsig.json`.
 *
 * The message is whatever the caller has already appended to the transcript. Signing and verifying
 * then append, in this order:
 *     dom-sep = "starsig v1",  X = pubkey,  R = nonce commitment,  c = challenge_scalar("c")
 * and the signature (R, s) satisfies  s·B = R + c·X,  with s = r + c·x.
 * Verification is expressed as a deferred point statement  0 = (−s)·B + 1·R + c·X  so that it can be
 * checked alone or batched with other signatures and proofs in one multi-scalar multiplication.
 */
import { concatBytes, utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import type { Reader } from "../util/reader.js";
import type { Rng } from "../util/rng.js";
import { BatchVerifier, checkStatement, type PointStatement } from "./batch.js";
import { CryptoCode, CryptoError } from "./errors.js";
import { CompressedPoint, mulBase, readCompressedPoint } from "./ristretto.js";
import { add, decodeScalar, encodeScalar, L, mul, neg, randomScalar, readScalar } from "./scalar.js";
import { Transcript } from "./transcript.js";

/** A transcript label or message label: UTF-8 text or raw bytes. */
export type Label = string | Uint8Array;

/** Value of the `dom-sep` entry appended before the key (the reference code's label, not the spec's). */
export const STARSIG_DOMAIN_SEP = "starsig v1";
/** Label of the transcript created by the message-oriented API. */
export const SIGN_MESSAGE_TRANSCRIPT_LABEL = "Starsig.sign_message";
/** Label under which the signer's secret key is bound into the transcript RNG. */
export const STARSIG_WITNESS_LABEL = "x";
const DOM_SEP_BYTES = utf8(STARSIG_DOMAIN_SEP);
/** Encoded length of a signature: R (32) || s (32). */
export const SIGNATURE_LENGTH = 64;

/** A Schnorr signature (R, s). R is kept in wire form and only decoded when verified. */
export class Signature {
  /** Nonce commitment R = r·B (not checked for validity until verification). */
  readonly R: CompressedPoint;
  /** Response s = r + c·x, a canonical scalar. */
  readonly s: bigint;

  constructor(R: CompressedPoint, s: bigint) {
    if (s < 0n || s >= L) throw new RangeError("Signature: s out of range [0, ℓ)");
    this.R = R;
    this.s = s;
  }

  /**
   * Decodes 64 bytes R || s. Throws DECODE_INVALID_FORMAT on a wrong length and
   * DECODE_NONCANONICAL_SCALAR if s ≥ ℓ. R is not decoded here.
   */
  static decode(bytes: Uint8Array): Signature {
    if (bytes.length !== SIGNATURE_LENGTH)
      throw new DecodeError(DecodeCode.INVALID_FORMAT, {
        what: "signature",
        length: bytes.length,
        needed: SIGNATURE_LENGTH,
      });
    const R = new CompressedPoint(bytes.slice(0, 32));
    const s = decodeScalar(bytes.subarray(32, 64), "signature s");
    return new Signature(R, s);
  }

  /** Reads a 64-byte signature from `r` (errors carry the byte offset). */
  static read(r: Reader): Signature {
    const R = readCompressedPoint(r, "signature R");
    const s = readScalar(r, "signature s");
    return new Signature(R, s);
  }

  /** The 64-byte encoding R || s. */
  encode(): Uint8Array {
    return concatBytes(this.R.bytes, encodeScalar(this.s));
  }
}

/** The verification key X = x·B of a secret scalar x ∈ [0, ℓ). */
export function publicKey(secret: bigint): CompressedPoint {
  return CompressedPoint.fromPoint(mulBase(secret));
}

/**
 * Appends the Starsig protocol entries (dom-sep, X, R) and returns the challenge c.
 * Shared by signer, verifier and Musig's aggregated-key mode.
 */
export function starsigChallenge(
  transcript: Transcript,
  pubkey: CompressedPoint,
  R: CompressedPoint,
): bigint {
  transcript.appendMessage("dom-sep", DOM_SEP_BYTES);
  transcript.appendPoint("X", pubkey);
  transcript.appendPoint("R", R);
  return transcript.challengeScalar("c");
}

/**
 * Signs the message already bound into `transcript` with secret key `secret`. The nonce comes from
 * the transcript RNG (bound to the transcript so far and to the secret key, finalized with `rng`).
 * The transcript is mutated exactly as the verifier will mutate its copy.
 */
export function sign(transcript: Transcript, secret: bigint, rng: Rng): Signature {
  checkSecret(secret, "secret");
  const nonceRng = transcript.buildRng().rekeyWithWitnessScalar(STARSIG_WITNESS_LABEL, secret).finalize(rng);
  return signWithNonce(transcript, secret, randomScalar(nonceRng));
}

/**
 * Deterministic signing with an explicit nonce `r`. FOR TESTS AND KNOWN-ANSWER VECTORS ONLY:
 * reusing a nonce for two different challenges reveals the secret key.
 */
export function signWithNonce(transcript: Transcript, secret: bigint, nonce: bigint): Signature {
  checkSecret(secret, "secret");
  checkSecret(nonce, "nonce");
  const R = publicKey(nonce);
  const c = starsigChallenge(transcript, publicKey(secret), R);
  return new Signature(R, add(nonce, mul(c, secret)));
}

/**
 * The deferred check of `sig` for `pubkey` over `transcript`: 0 = (−s)·B + 1·R + c·X.
 * Mutates the transcript (dom-sep, X, R, challenge c). Points stay compressed; an invalid encoding
 * makes the statement's check throw CRYPTO_INVALID_POINT.
 */
export function verificationStatement(
  sig: Signature,
  transcript: Transcript,
  pubkey: CompressedPoint,
): PointStatement {
  const c = starsigChallenge(transcript, pubkey, sig.R);
  return { b: neg(sig.s), scalars: [1n, c], points: [sig.R, pubkey] };
}

/**
 * Verifies `sig` for `pubkey` over the message bound into `transcript` (mutating it).
 * Throws CRYPTO_INVALID_POINT if R or the key is not a valid point, CRYPTO_INVALID_SIGNATURE if the
 * signature does not verify.
 */
export function verify(sig: Signature, transcript: Transcript, pubkey: CompressedPoint): void {
  decompressOrThrow(sig.R, "signature R");
  decompressOrThrow(pubkey, "pubkey");
  if (!checkStatement(verificationStatement(sig, transcript, pubkey)))
    throw new CryptoError(CryptoCode.INVALID_SIGNATURE, { what: "starsig" });
}

/** Adds the check of one signature to an existing batch (e.g. next to a ZkVM proof). */
export function addToBatch(
  batch: BatchVerifier,
  sig: Signature,
  transcript: Transcript,
  pubkey: CompressedPoint,
): void {
  batch.add(verificationStatement(sig, transcript, pubkey));
}

/** One entry of a signature batch. */
export interface SignatureItem {
  readonly sig: Signature;
  readonly transcript: Transcript;
  readonly pubkey: CompressedPoint;
}

/**
 * Verifies many signatures with one multi-scalar multiplication (random weights from `rng`).
 * Throws CRYPTO_BATCH_VERIFICATION_FAILED if any signature is invalid (without saying which) and
 * CRYPTO_INVALID_POINT if a point does not decode. Each transcript is mutated.
 */
export function verifyBatch(items: readonly SignatureItem[], rng: Rng): void {
  const batch = new BatchVerifier({ rng });
  for (const it of items) addToBatch(batch, it.sig, it.transcript, it.pubkey);
  batch.verify();
}

/** The transcript of the message API: Transcript("Starsig.sign_message") with `label: message`. */
export function messageTranscript(label: Label, message: Uint8Array): Transcript {
  return Transcript.create(SIGN_MESSAGE_TRANSCRIPT_LABEL).appendMessage(label, message);
}

/** Signs a byte message under a domain-separation label (reference `Signature::sign_message`). */
export function signMessage(label: Label, message: Uint8Array, secret: bigint, rng: Rng): Signature {
  return sign(messageTranscript(label, message), secret, rng);
}

/** Verifies a signature made by `signMessage`; throws like `verify`. */
export function verifyMessage(
  sig: Signature,
  label: Label,
  message: Uint8Array,
  pubkey: CompressedPoint,
): void {
  verify(sig, messageTranscript(label, message), pubkey);
}

/** Decodes a compressed point, mapping a bad encoding to CRYPTO_INVALID_POINT naming `what`. */
export function decompressOrThrow(p: CompressedPoint, what: string, index?: number): void {
  try {
    p.decompress(what);
  } catch (e) {
    if (hasCode(e, DecodeCode.INVALID_POINT))
      throw new CryptoError(CryptoCode.INVALID_POINT, index === undefined ? { what } : { what, index }, {
        cause: e,
      });
    throw e;
  }
}

function checkSecret(x: bigint, name: string): void {
  if (typeof x !== "bigint" || x < 0n || x >= L) throw new RangeError(`${name}: scalar out of range [0, ℓ)`);
}
