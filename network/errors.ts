/**
 * Error codes of the network layer (network/): framing, size caps, timeouts, identity files and the
 * request/response message codecs. Decoding problems of a message body travel as `cause` (DecodeError).
 * Design: /work/shared/DESIGN.md ("network/", "Limits").
 */
import { CodedError } from "../src/util/codedError.js";

export const NetworkCode = {
  /** A message body does not decode under the protocol's strict codec (cause: the DecodeError). */
  MESSAGE_INVALID: "NET_MESSAGE_INVALID",
  /** A gossip message is larger than the gossip cap (1 MiB). */
  GOSSIP_TOO_LARGE: "NET_GOSSIP_TOO_LARGE",
  /** A request is larger than the protocol's request cap. */
  REQUEST_TOO_LARGE: "NET_REQUEST_TOO_LARGE",
  /** A response is larger than the protocol's response cap. */
  RESPONSE_TOO_LARGE: "NET_RESPONSE_TOO_LARGE",
  /** A request did not complete within the protocol's timeout. */
  TIMEOUT: "NET_TIMEOUT",
  /** The stream failed or ended before a whole frame arrived. */
  STREAM_FAILED: "NET_STREAM_FAILED",
  /** The remote handler answered with an error (meta.remoteCode names it). */
  REMOTE_ERROR: "NET_REMOTE_ERROR",
  /** A local handler failed with an error that is not a CodedError. */
  HANDLER_FAILED: "NET_HANDLER_FAILED",
  /** The protocol is not known to this service. */
  UNKNOWN_PROTOCOL: "NET_UNKNOWN_PROTOCOL",
  /** A network id or protocol name has characters outside [a-z0-9._-] or a bad length. */
  BAD_NAME: "NET_BAD_NAME",
  /** The peer id string cannot be parsed. */
  BAD_PEER_ID: "NET_BAD_PEER_ID",
  /** The peer is banned (graylisted and disconnected) by this node. */
  PEER_BANNED: "NET_PEER_BANNED",
  /** The identity key file is unreadable, malformed or readable by group/others. */
  IDENTITY_INVALID: "NET_IDENTITY_INVALID",
  /** The service is not started (or already stopped). */
  NOT_STARTED: "NET_NOT_STARTED",
  /** Publishing a gossip message failed (meta.reason). */
  PUBLISH_FAILED: "NET_PUBLISH_FAILED",
} as const;
export type NetworkCode = (typeof NetworkCode)[keyof typeof NetworkCode];

export type NetworkMeta = Readonly<Record<string, string | number | boolean | bigint | null | undefined>>;

/** The single error class of network/. */
export class NetworkError extends CodedError<NetworkCode, NetworkMeta> {}
