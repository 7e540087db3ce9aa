/** Error codes of the byte-level decoders (`Reader`) and encoders. */
import { CodedError } from "./codedError.js";

export const DecodeCode = {
  /** The input ended before the value being read. */
  UNEXPECTED_END: "DECODE_UNEXPECTED_END",
  /** Bytes remained after the last field. */
  TRAILING_BYTES: "DECODE_TRAILING_BYTES",
  /** A length prefix or count exceeds the configured cap. */
  LENGTH_TOO_LARGE: "DECODE_LENGTH_TOO_LARGE",
  /** A 32-byte scalar is not reduced modulo the group order ℓ. */
  NONCANONICAL_SCALAR: "DECODE_NONCANONICAL_SCALAR",
  /** 32 bytes that are not the canonical encoding of a Ristretto255 point. */
  INVALID_POINT: "DECODE_INVALID_POINT",
  /** A tag, version or enumerated byte has no meaning here. */
  INVALID_TAG: "DECODE_INVALID_TAG",
  /** Input of the wrong shape (hex with odd length, bad characters, wrong fixed length). */
  INVALID_FORMAT: "DECODE_INVALID_FORMAT",
} as const;
export type DecodeCode = (typeof DecodeCode)[keyof typeof DecodeCode];

export type DecodeMeta = {
  /** Byte offset where the problem was found, if known. */
  offset?: number;
  /** What was being decoded. */
  what?: string;
  needed?: number;
  available?: number;
  length?: number;
  max?: number;
  tag?: number;
};

export class DecodeError extends CodedError<DecodeCode, DecodeMeta> {}
