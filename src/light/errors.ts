/**
 * Error codes of the light client (src/light): every failure of a relay answer or of its verification
 * is a {@link LightError} with a `LIGHT_*` code; lower-layer errors travel as `cause`.
 * Design: /work/shared/DESIGN.md ("network/": light-client protocol).
 */
import { CodedError } from "../util/codedError.js";

export const LightCode = {
  /** The transport failed (dial, stream, timeout, size caps); cause: the NetworkError. */
  TRANSPORT_FAILED: "LIGHT_TRANSPORT_FAILED",
  /** The relay answered with an error code (meta.remoteCode). */
  REMOTE_ERROR: "LIGHT_REMOTE_ERROR",
  /** The response does not decode, or is of another kind than the request. */
  BAD_RESPONSE: "LIGHT_BAD_RESPONSE",
  /** A header does not decode, has an unexpected height, or does not chain to its predecessor. */
  BAD_HEADER: "LIGHT_BAD_HEADER",
  /** A header's finality certificate is missing, malformed or does not verify (cause: HerderError). */
  BAD_CERTIFICATE: "LIGHT_BAD_CERTIFICATE",
  /** The forest does not decode, or disagrees with a verified header of its height. */
  BAD_FOREST: "LIGHT_BAD_FOREST",
  /** A refreshed proof does not decode, or does not hold in the verified forest of its height. */
  BAD_PROOF: "LIGHT_BAD_PROOF",
  /** A watch answer names another contract. */
  BAD_WATCH: "LIGHT_BAD_WATCH",
  /** The relay's address has no `/p2p/<peer id>`, or the relay could not be reached in time. */
  CONNECT_FAILED: "LIGHT_CONNECT_FAILED",
} as const;
export type LightCode = (typeof LightCode)[keyof typeof LightCode];

export type LightMeta = Readonly<Record<string, string | number | bigint | boolean | undefined>>;

/** The single error class of src/light. */
export class LightError extends CodedError<LightCode, LightMeta> {}
