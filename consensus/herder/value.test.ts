/** Value and tx-set encodings: round trips, hash binding, strict decoders (must-fail twins). */
import { describe, expect, it } from "vitest";
import { blockId, makeGenesis } from "../../src/chain/index.js";
import { bytesEqual } from "../../src/util/bytes.js";
import { hasCode } from "../../src/util/codedError.js";
import { HerderCode } from "./errors.js";
import { T0 } from "./testNet.js";
import {
  decodeTxSet,
  decodeValue,
  encodeTxSet,
  encodeValue,
  headerTxSetHash,
  type TxSet,
  txSetHash,
  VALUE_LENGTH,
} from "./value.js";

const G = makeGenesis(T0, []).state;
const empty: TxSet = { version: 1n, height: 2n, prev: G.tipId, utxoroot: G.forest.root(), txs: [] };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    for (const c of Object.values(HerderCode)) if (hasCode(e, c)) return c;
    return "other";
  }
  return undefined;
}

describe("herder values and tx sets", () => {
  it("value round trip (72 bytes)", () => {
    const v = { prev: G.tipId, timestampMs: T0 + 5n, txSetHash: txSetHash(empty) };
    const bytes = encodeValue(v);
    expect(bytes.length).toBe(VALUE_LENGTH);
    const d = decodeValue(bytes);
    expect(d.timestampMs).toBe(T0 + 5n);
    expect(bytesEqual(d.prev, v.prev) && bytesEqual(d.txSetHash, v.txSetHash)).toBe(true);
  });

  it("must-fail: a value of the wrong length", () => {
    const bytes = encodeValue({ prev: G.tipId, timestampMs: 1n, txSetHash: G.tipId });
    expect(codeOf(() => decodeValue(bytes.subarray(0, 71)))).toBe(HerderCode.VALUE_DECODE_FAILED);
    expect(codeOf(() => decodeValue(new Uint8Array(73)))).toBe(HerderCode.VALUE_DECODE_FAILED);
  });

  it("tx set round trip; its hash is the one the block header implies", () => {
    const bytes = encodeTxSet(empty);
    const d = decodeTxSet(bytes);
    expect(encodeTxSet(d)).toEqual(bytes);
    const header = {
      version: 1n,
      height: 2n,
      prev: G.tipId,
      timestampMs: T0 + 9n,
      txroot: G.tip.txroot,
      utxoroot: empty.utxoroot,
      ext: new Uint8Array(0),
    };
    expect(headerTxSetHash(header)).toEqual(txSetHash(empty));
    expect(blockId(header).length).toBe(32);
  });

  it("must-fail: a different field changes the hash; malformed tx sets are rejected", () => {
    expect(txSetHash({ ...empty, height: 3n })).not.toEqual(txSetHash(empty));
    expect(txSetHash({ ...empty, utxoroot: new Uint8Array(32) })).not.toEqual(txSetHash(empty));
    const bytes = encodeTxSet(empty);
    expect(codeOf(() => decodeTxSet(bytes.subarray(0, bytes.length - 1)))).toBe(
      HerderCode.TXSET_DECODE_FAILED,
    );
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expect(codeOf(() => decodeTxSet(trailing))).toBe(HerderCode.TXSET_DECODE_FAILED);
    const many = bytes.slice();
    new DataView(many.buffer).setUint32(80, 1001, true);
    expect(codeOf(() => decodeTxSet(many))).toBe(HerderCode.TXSET_DECODE_FAILED);
  });
});
