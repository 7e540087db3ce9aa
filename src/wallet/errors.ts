/** Error codes of the wallet (key tree encodings, key manager look-ups). */
import { CodedError } from "../util/codedError.js";

export const WalletCode = {
  /** An encoded key (xprv, xpub, secret, public key) does not have the required length. */
  INVALID_LENGTH: "WALLET_INVALID_LENGTH",
  /** A secret scalar in an encoded key is not reduced modulo ℓ. */
  NONCANONICAL_SCALAR: "WALLET_NONCANONICAL_SCALAR",
  /** 32 bytes that should be a public key are not a valid Ristretto255 encoding. */
  INVALID_POINT: "WALLET_INVALID_POINT",
  /** Text that should be hex is not (odd length, bad digit). */
  INVALID_HEX: "WALLET_INVALID_HEX",
  /** The key manager holds no secret for the requested predicate. */
  UNKNOWN_KEY: "WALLET_UNKNOWN_KEY",
  /** A secret does not belong to the public key it is used for (e.g. a Taproot inner key). */
  KEY_MISMATCH: "WALLET_KEY_MISMATCH",
} as const;
export type WalletCode = (typeof WalletCode)[keyof typeof WalletCode];

export type WalletMeta = {
  /** What was being decoded or looked up. */
  what?: string;
  length?: number;
  needed?: number;
  /** Hex of the predicate involved, when there is one. */
  predicate?: string;
};

export class WalletError extends CodedError<WalletCode, WalletMeta> {}
