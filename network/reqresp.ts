/**
 * Generic request/response over libp2p streams: one stream per exchange, one length-prefixed request
 * frame and one length-prefixed response frame (`status ‖ body`: status 0 = ok, 1 = error whose body
 * is the remote error code in ASCII). Size caps apply to both frames on both sides, and the whole
 * exchange runs under the protocol's timeout. Handlers are injected as
 * `(request bytes, peer id) => Promise<response bytes>`; they decide nothing here.
 * Design: /work/shared/DESIGN.md ("network/").
 */

import * as lp from "it-length-prefixed";
import type { Libp2p } from "libp2p";
import { CodedError } from "../src/util/codedError.js";
import { NetworkCode, NetworkError } from "./errors.js";
import type { ProtocolLimits } from "./protocols.js";

/** A request handler: answers the request bytes of `peer` (a peer id string). */
export type RequestHandler = (request: Uint8Array, peer: string) => Promise<Uint8Array>;

type Stream = Awaited<ReturnType<Libp2p["dialProtocol"]>>;
type PeerIdLike = Parameters<Libp2p["dialProtocol"]>[0];

const STATUS_OK = 0;
const STATUS_ERROR = 1;
/** Longest error code carried in an error frame. */
const MAX_CODE_BYTES = 64;
const CODE_RE = /^[A-Z0-9_]{1,64}$/;

/** Resolves with `p`, or rejects with NET_TIMEOUT when `signal` aborts first. */
function withSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new NetworkError(NetworkCode.TIMEOUT, {}));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NetworkError(NetworkCode.TIMEOUT, {}));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Reads one length-prefixed frame of at most `max` bytes; `tooLarge` is the code if it is longer. */
async function readFrame(
  stream: Stream,
  max: number,
  signal: AbortSignal,
  tooLarge: NetworkCode,
): Promise<Uint8Array> {
  const onAbort = () => stream.abort(new NetworkError(NetworkCode.TIMEOUT, {}));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const frames = lp.decode(stream, { maxDataLength: max });
    const first = await frames.next();
    if (first.done) throw new NetworkError(NetworkCode.STREAM_FAILED, { reason: "stream ended" });
    const b = first.value.subarray();
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if (signal.aborted) throw new NetworkError(NetworkCode.TIMEOUT, {}, { cause: e });
    if (e instanceof NetworkError) throw e;
    if (e instanceof Error && e.name === "InvalidDataLengthError")
      throw new NetworkError(tooLarge, { max }, { cause: e });
    throw new NetworkError(NetworkCode.STREAM_FAILED, { reason: "read failed" }, { cause: e });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Writes one length-prefixed frame, waiting for the stream to drain when its buffer is full. */
async function writeFrame(stream: Stream, body: Uint8Array, signal: AbortSignal): Promise<void> {
  if (!stream.send(lp.encode.single(body))) await stream.onDrain({ signal });
}

function errorFrame(code: string): Uint8Array {
  const text = CODE_RE.test(code) ? code : NetworkCode.HANDLER_FAILED;
  const out = new Uint8Array(1 + text.length);
  out[0] = STATUS_ERROR;
  for (let i = 0; i < text.length; i++) out[1 + i] = text.charCodeAt(i);
  return out;
}

function okFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = STATUS_OK;
  out.set(body, 1);
  return out;
}

/**
 * Serves one inbound stream: reads the request (capped), runs the handler, writes the response
 * (capped) or an error frame, and closes. Never throws.
 */
export async function serveStream(
  stream: Stream,
  peer: string,
  limits: ProtocolLimits,
  handler: RequestHandler,
): Promise<void> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    let frame: Uint8Array;
    try {
      frame = await readFrame(stream, limits.maxRequestBytes, signal, NetworkCode.REQUEST_TOO_LARGE);
    } catch (e) {
      if (e instanceof NetworkError && e.code === NetworkCode.REQUEST_TOO_LARGE) {
        await writeFrame(stream, errorFrame(e.code), signal);
        await stream.close({ signal });
      } else stream.abort(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    let out: Uint8Array;
    try {
      const res = await withSignal(handler(frame, peer), signal);
      if (!(res instanceof Uint8Array)) throw new TypeError("handler must return a Uint8Array");
      out = res.length > limits.maxResponseBytes ? errorFrame(NetworkCode.RESPONSE_TOO_LARGE) : okFrame(res);
    } catch (e) {
      if (signal.aborted) {
        stream.abort(new NetworkError(NetworkCode.TIMEOUT, {}));
        return;
      }
      out = errorFrame(e instanceof CodedError ? e.code : NetworkCode.HANDLER_FAILED);
    }
    await writeFrame(stream, out, signal);
    await stream.close({ signal });
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * Sends `body` to `peer` on `protocol` and returns the response body. Throws NetworkError:
 * NET_REQUEST_TOO_LARGE (before sending), NET_RESPONSE_TOO_LARGE, NET_TIMEOUT, NET_STREAM_FAILED, or
 * NET_REMOTE_ERROR (meta.remoteCode = the code the remote answered with).
 */
export async function sendRequest(
  node: Libp2p,
  peer: PeerIdLike,
  protocol: string,
  body: Uint8Array,
  limits: ProtocolLimits,
): Promise<Uint8Array> {
  if (!(body instanceof Uint8Array)) throw new TypeError("request body must be a Uint8Array");
  if (body.length > limits.maxRequestBytes)
    throw new NetworkError(NetworkCode.REQUEST_TOO_LARGE, {
      protocol,
      length: body.length,
      max: limits.maxRequestBytes,
    });
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let stream: Stream;
  try {
    stream = await node.dialProtocol(peer, protocol, { signal });
  } catch (e) {
    if (signal.aborted) throw new NetworkError(NetworkCode.TIMEOUT, { protocol }, { cause: e });
    throw new NetworkError(NetworkCode.STREAM_FAILED, { protocol, reason: "dial failed" }, { cause: e });
  }
  try {
    try {
      await writeFrame(stream, body, signal);
    } catch (e) {
      if (signal.aborted) throw new NetworkError(NetworkCode.TIMEOUT, { protocol }, { cause: e });
      throw new NetworkError(NetworkCode.STREAM_FAILED, { protocol, reason: "write failed" }, { cause: e });
    }
    const cap = Math.max(limits.maxResponseBytes, MAX_CODE_BYTES) + 1;
    const frame = await readFrame(stream, cap, signal, NetworkCode.RESPONSE_TOO_LARGE);
    if (frame.length === 0)
      throw new NetworkError(NetworkCode.STREAM_FAILED, { protocol, reason: "empty response frame" });
    if (frame[0] === STATUS_OK) {
      if (frame.length - 1 > limits.maxResponseBytes)
        throw new NetworkError(NetworkCode.RESPONSE_TOO_LARGE, { protocol, max: limits.maxResponseBytes });
      void stream.close({ signal }).catch(() => {});
      return frame.slice(1);
    }
    if (frame[0] === STATUS_ERROR && frame.length - 1 <= MAX_CODE_BYTES) {
      const remoteCode = String.fromCharCode(...frame.subarray(1));
      if (CODE_RE.test(remoteCode)) {
        void stream.close({ signal }).catch(() => {});
        throw new NetworkError(NetworkCode.REMOTE_ERROR, { protocol, remoteCode });
      }
    }
    throw new NetworkError(NetworkCode.STREAM_FAILED, { protocol, reason: "malformed response frame" });
  } catch (e) {
    if (!(e instanceof NetworkError && e.code === NetworkCode.REMOTE_ERROR))
      stream.abort(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}
