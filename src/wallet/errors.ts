/** Error codes of the wallet (key tree encodings, key manager look-ups, utxo tracking, payments). */
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
  /** The wallet's spendable (confirmed) utxos do not cover a payment, fee, retirement or issuance anchor. */
  INSUFFICIENT_FUNDS: "WALLET_INSUFFICIENT_FUNDS",
  /** The wallet does not track the requested utxo (or pending transaction). */
  UNKNOWN_UTXO: "WALLET_UNKNOWN_UTXO",
  /** The wallet already tracks this utxo. */
  DUPLICATE_UTXO: "WALLET_DUPLICATE_UTXO",
  /** Handed-over openings do not open the contract's value commitments (or their count differs). */
  OPENING_MISMATCH: "WALLET_OPENING_MISMATCH",
  /** A block's catchup could not refresh a stored proof (a block was missed or applied twice). */
  OUTDATED_PROOF: "WALLET_OUTDATED_PROOF",
  /** A block does not extend the wallet's tip (applied twice, skipped, or from another branch). */
  BLOCK_MISMATCH: "WALLET_BLOCK_MISMATCH",
  /** Encoded wallet state is malformed or inconsistent (the DecodeError, if any, is the cause). */
  INVALID_STATE: "WALLET_INVALID_STATE",
} as const;
export type WalletCode = (typeof WalletCode)[keyof typeof WalletCode];

export type WalletMeta = {
  /** What was being decoded or looked up. */
  what?: string;
  length?: number;
  needed?: number;
  /** Hex of the predicate involved, when there is one. */
  predicate?: string;
  /** The flavor involved (a scalar). */
  flavor?: bigint;
  /** Quantity asked for and quantity available (INSUFFICIENT_FUNDS). */
  requested?: bigint;
  available?: bigint;
  /** Hex of the contract id (utxo) or txid involved. */
  utxo?: string;
  txid?: string;
  /** Block ids (hex): the wallet's tip and the block's parent (BLOCK_MISMATCH). */
  expected?: string;
  actual?: string;
};

export class WalletError extends CodedError<WalletCode, WalletMeta> {}
