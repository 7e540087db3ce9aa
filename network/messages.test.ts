/** Request/response codecs: round trips, exact bytes, and strict must-fail twins. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../src/util/bytes.js";
import { hasCode } from "../src/util/codedError.js";
import { DecodeCode } from "../src/util/errors.js";
import { NetworkCode } from "./errors.js";
import {
  decodeBlockRangeRequest,
  decodeBlockRangeResponse,
  decodeLightRequest,
  decodeLightResponse,
  decodeTxSetRequest,
  decodeTxSetResponse,
  encodeBlockRangeRequest,
  encodeBlockRangeResponse,
  encodeLightRequest,
  encodeLightResponse,
  encodeTxSetRequest,
  encodeTxSetResponse,
  type LightRequest,
  type LightResponse,
  MAX_HEADERS_COUNT,
  MAX_RANGE_COUNT,
  MAX_REASON_BYTES,
} from "./messages.js";

const h32 = (b: number) => new Uint8Array(32).fill(b);

/** Asserts NET_MESSAGE_INVALID whose cause has the given DecodeCode. */
function mustFail(f: () => unknown, cause: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(hasCode(err, NetworkCode.MESSAGE_INVALID)).toBe(true);
  expect(hasCode((err as Error).cause, cause)).toBe(true);
}

const withByte = (b: Uint8Array, x: number) => Uint8Array.of(...b, x);

describe("tx-set fetch", () => {
  it("round trips", () => {
    expect(decodeTxSetRequest(encodeTxSetRequest(h32(9)))).toEqual(h32(9));
    expect(toHex(encodeTxSetResponse(null))).toBe("00");
    expect(decodeTxSetResponse(encodeTxSetResponse(null))).toBeNull();
    expect(toHex(encodeTxSetResponse(Uint8Array.of(0xab)))).toBe("0101000000ab");
    expect(decodeTxSetResponse(encodeTxSetResponse(Uint8Array.of(0xab)))).toEqual(Uint8Array.of(0xab));
  });

  it("must-fail twins", () => {
    mustFail(() => decodeTxSetRequest(new Uint8Array(31)), DecodeCode.UNEXPECTED_END);
    mustFail(() => decodeTxSetRequest(new Uint8Array(33)), DecodeCode.TRAILING_BYTES);
    mustFail(() => decodeTxSetResponse(Uint8Array.of(2)), DecodeCode.INVALID_TAG);
    mustFail(() => decodeTxSetResponse(Uint8Array.of(0, 0)), DecodeCode.TRAILING_BYTES);
    mustFail(() => decodeTxSetResponse(Uint8Array.of(1, 2, 0, 0, 0, 0xab)), DecodeCode.UNEXPECTED_END);
    mustFail(
      () => decodeTxSetResponse(Uint8Array.of(1, 0xff, 0xff, 0xff, 0x7f)),
      DecodeCode.LENGTH_TOO_LARGE,
    );
    expect(() => encodeTxSetRequest(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe("block range sync", () => {
  it("round trips", () => {
    const req = { from: 2n ** 64n - 1n, maxCount: MAX_RANGE_COUNT };
    expect(toHex(encodeBlockRangeRequest({ from: 5n, maxCount: 2 }))).toBe("050000000000000002000000");
    expect(decodeBlockRangeRequest(encodeBlockRangeRequest(req))).toEqual(req);
    const items = [
      { block: Uint8Array.of(1, 2), certificate: Uint8Array.of(3) },
      { block: new Uint8Array(0), certificate: new Uint8Array(0) },
    ];
    expect(decodeBlockRangeResponse(encodeBlockRangeResponse(items))).toEqual(items);
    expect(decodeBlockRangeResponse(encodeBlockRangeResponse([]))).toEqual([]);
  });

  it("must-fail twins", () => {
    const ok = encodeBlockRangeRequest({ from: 1n, maxCount: 1 });
    mustFail(() => decodeBlockRangeRequest(withByte(ok, 0)), DecodeCode.TRAILING_BYTES);
    mustFail(() => decodeBlockRangeRequest(ok.subarray(0, 11)), DecodeCode.UNEXPECTED_END);
    const zero = ok.slice();
    zero[8] = 0;
    mustFail(() => decodeBlockRangeRequest(zero), DecodeCode.LENGTH_TOO_LARGE);
    const many = ok.slice();
    many[8] = MAX_RANGE_COUNT + 1;
    mustFail(() => decodeBlockRangeRequest(many), DecodeCode.LENGTH_TOO_LARGE);
    // A count larger than the bytes left could hold.
    mustFail(
      () => decodeBlockRangeResponse(Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
      DecodeCode.LENGTH_TOO_LARGE,
    );
    mustFail(
      () => decodeBlockRangeResponse(Uint8Array.of(MAX_RANGE_COUNT + 1, 0, 0, 0)),
      DecodeCode.LENGTH_TOO_LARGE,
    );
    mustFail(
      () => decodeBlockRangeResponse(Uint8Array.of(1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0)),
      DecodeCode.UNEXPECTED_END,
    );
    const oversized = Uint8Array.of(1, 0, 0, 0, 1, 0, 0x40, 0, 0, 0, 0, 0); // block length 4 MiB + 1
    mustFail(() => decodeBlockRangeResponse(oversized), DecodeCode.LENGTH_TOO_LARGE);
    expect(() => encodeBlockRangeRequest({ from: 0n, maxCount: 0 })).toThrow(RangeError);
  });
});

describe("light client", () => {
  const requests: LightRequest[] = [
    { kind: "headers", from: 7n, maxCount: MAX_HEADERS_COUNT },
    { kind: "forest" },
    { kind: "proof", utxoId: h32(1), proof: Uint8Array.of(4, 5) },
    { kind: "submit", tx: Uint8Array.of(6) },
    { kind: "watch", contractId: h32(2) },
  ];
  const responses: LightResponse[] = [
    { kind: "headers", headers: [{ header: Uint8Array.of(1), certificate: Uint8Array.of(2, 3) }] },
    { kind: "forest", height: 3n, forest: Uint8Array.of(9, 9) },
    { kind: "proof", found: false },
    { kind: "proof", found: true, height: 4n, proof: Uint8Array.of(1) },
    { kind: "submit", accepted: true },
    { kind: "submit", accepted: false, reason: "fee too low ✗" },
    { kind: "watch", contractId: h32(3), event: "spent", height: 10n, txId: h32(4) },
  ];

  it("round trips", () => {
    for (const r of requests) expect(decodeLightRequest(encodeLightRequest(r))).toEqual(r);
    for (const r of responses) expect(decodeLightResponse(encodeLightResponse(r))).toEqual(r);
    expect(toHex(encodeLightRequest({ kind: "forest" }))).toBe("02");
    expect(toHex(encodeLightResponse({ kind: "submit", accepted: true }))).toBe("0401");
  });

  it("must-fail twins", () => {
    mustFail(() => decodeLightRequest(Uint8Array.of(0)), DecodeCode.INVALID_TAG);
    mustFail(() => decodeLightRequest(Uint8Array.of(6)), DecodeCode.INVALID_TAG);
    mustFail(() => decodeLightRequest(new Uint8Array(0)), DecodeCode.UNEXPECTED_END);
    mustFail(() => decodeLightRequest(Uint8Array.of(2, 0)), DecodeCode.TRAILING_BYTES);
    const headers = encodeLightRequest({ kind: "headers", from: 0n, maxCount: 1 });
    headers[9] = 0;
    mustFail(() => decodeLightRequest(headers), DecodeCode.LENGTH_TOO_LARGE);
    mustFail(() => decodeLightRequest(Uint8Array.of(5, ...new Uint8Array(31))), DecodeCode.UNEXPECTED_END);
    mustFail(() => decodeLightRequest(Uint8Array.of(4, 1, 0, 1, 0)), DecodeCode.LENGTH_TOO_LARGE);
    mustFail(() => decodeLightResponse(Uint8Array.of(3, 2)), DecodeCode.INVALID_TAG);
    mustFail(
      () => decodeLightResponse(Uint8Array.of(4, 0, 2, 0, 0, 0, 0xc3, 0x28)),
      DecodeCode.INVALID_FORMAT,
    );
    mustFail(
      () => decodeLightResponse(Uint8Array.of(4, 0, MAX_REASON_BYTES + 1, 1, 0, 0)),
      DecodeCode.LENGTH_TOO_LARGE,
    );
    const watch = encodeLightResponse(responses[6]!);
    watch[33] = 2;
    mustFail(() => decodeLightResponse(watch), DecodeCode.INVALID_TAG);
    expect(() =>
      encodeLightResponse({ kind: "submit", accepted: false, reason: "x".repeat(MAX_REASON_BYTES + 1) }),
    ).toThrow(RangeError);
  });

  it("decoders fail only with NET_MESSAGE_INVALID on arbitrary bytes", () => {
    const decoders = [
      decodeTxSetRequest,
      decodeTxSetResponse,
      decodeBlockRangeRequest,
      decodeBlockRangeResponse,
      decodeLightRequest,
      decodeLightResponse,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const d of decoders) {
          try {
            d(bytes);
          } catch (e) {
            if (!hasCode(e, NetworkCode.MESSAGE_INVALID)) throw e;
          }
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
