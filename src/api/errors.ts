/**
 * Error codes of the HTTP API (DESIGN.md, "src/api"). An API answer that fails carries one of these in its
 * JSON body as `{ "error": CODE }`; clients and tests match on the code, never on text.
 */
import { CodedError } from "../util/codedError.js";

export const ApiCode = {
  /** No route matches the method and path. */
  NOT_FOUND: "API_NOT_FOUND",
  /** The path matches a route but not with this method. */
  METHOD_NOT_ALLOWED: "API_METHOD_NOT_ALLOWED",
  /** A path or query parameter is malformed (bad hex, wrong length, not a number, out of range). */
  BAD_PARAM: "API_BAD_PARAM",
  /** The request body is malformed (not hex, not JSON, missing `tx_hex`). */
  BAD_BODY: "API_BAD_BODY",
  /** The request body exceeds the size cap. */
  BODY_TOO_LARGE: "API_BODY_TOO_LARGE",
  /** The requested block, transaction or proof does not exist. */
  UNKNOWN_BLOCK: "API_UNKNOWN_BLOCK",
  UNKNOWN_TX: "API_UNKNOWN_TX",
  UNKNOWN_UTXO: "API_UNKNOWN_UTXO",
  /** The node rejected a submitted transaction (the body also carries the node's reason). */
  TX_REJECTED: "API_TX_REJECTED",
  /** The node view threw: an internal error, reported without details. */
  INTERNAL: "API_INTERNAL",
  /** The server options are invalid (host, port, limits). */
  BAD_OPTIONS: "API_BAD_OPTIONS",
} as const;
export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

export type ApiMeta = { what?: string; status?: number; limit?: number; reason?: string };

/** An API failure with the HTTP status it maps to. */
export class ApiError extends CodedError<ApiCode, ApiMeta> {
  /** HTTP status code sent with this error. */
  get status(): number {
    return this.meta.status ?? 400;
  }
}
