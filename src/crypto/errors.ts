/** Error codes of the cryptographic core (signatures, batch verification). */
import { CodedError } from "../util/codedError.js";

export const CryptoCode = {
  /** A Schnorr/Musig signature does not verify. */
  INVALID_SIGNATURE: "CRYPTO_INVALID_SIGNATURE",
  /** A batch of deferred point statements does not sum to the identity. */
  BATCH_VERIFICATION_FAILED: "CRYPTO_BATCH_VERIFICATION_FAILED",
  /** A point inside a statement or signature is not a valid Ristretto255 encoding. */
  INVALID_POINT: "CRYPTO_INVALID_POINT",
  /** Musig: a party misbehaved (bad nonce reveal, bad share) or the protocol was driven out of order. */
  MUSIG_PROTOCOL: "CRYPTO_MUSIG_PROTOCOL",
  /** Musig: a key or message list is empty, too long or has duplicates where not allowed. */
  MUSIG_BAD_INPUT: "CRYPTO_MUSIG_BAD_INPUT",
  /** Generators: more generators requested than the configured capacity. */
  GENERATORS_CAPACITY: "CRYPTO_GENERATORS_CAPACITY",
  /** Generators: the embedded generator table is malformed or its SHA-256 does not match. */
  GENERATORS_DATA: "CRYPTO_GENERATORS_DATA",
} as const;
export type CryptoCode = (typeof CryptoCode)[keyof typeof CryptoCode];

export type CryptoMeta = {
  what?: string;
  index?: number;
  party?: number;
  needed?: number;
  capacity?: number;
  count?: number;
};

export class CryptoError extends CodedError<CryptoCode, CryptoMeta> {}
