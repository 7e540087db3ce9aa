import { describe, expect, it } from "vitest";
import { MerklePath } from "../crypto/merkle.js";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { Reader } from "../util/reader.js";
import { committed, type Proof, proofToBytes, TRANSIENT } from "../utreexo/proof.js";
import {
  blockId,
  blockTxWitnessHash,
  decodeBlock,
  decodeBlockTx,
  decodeHeader,
  encodeBlock,
  encodeBlockTx,
  encodeHeader,
  MAX_BLOCK_SIZE,
  MAX_BLOCK_TXS,
  txRoot,
} from "./block.js";
import v from "./fixtures/blockchain.json" with { type: "json" };
import { type Block, type BlockchainState, ChainCode, makeGenesis } from "./index.js";

// The reference chain vectors as chain types.
interface JsonProof {
  readonly type: string;
  readonly path?: { readonly path_hex: string };
}

/** A vector proof as a utreexo proof. */
function vectorProof(p: JsonProof): Proof {
  if (p.type !== "committed" || p.path === undefined) return TRANSIENT;
  const r = new Reader(fromHex(p.path.path_hex));
  const path = MerklePath.decode(r);
  r.end("path");
  return committed(path);
}

/** The genesis state of the vectors. */
function vectorGenesis(): { state: BlockchainState; proofs: Proof[] } {
  return makeGenesis(
    BigInt(v.genesis.timestamp_ms),
    v.genesis.initial_utxos.map((u) => fromHex(u.contract_id, 32)),
  );
}

/** Block 2 of the vectors (decoded from its header and block-tx bytes). */
function vectorBlock2(): Block {
  return {
    header: decodeHeader(fromHex(v.block2.header.header_hex)),
    txs: v.block2.txs.map((t) => decodeBlockTx(fromHex(t.block_tx_hex))),
  };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("genesis (vectors)", () => {
  it("reproduces the genesis header, id, roots and initial proofs", () => {
    const { state, proofs } = vectorGenesis();
    const g = v.genesis;
    expect(toHex(encodeHeader(state.tip))).toBe(g.header.header_hex);
    expect(toHex(state.tipId)).toBe(g.header.block_id);
    expect(toHex(state.tip.txroot)).toBe(g.header.txroot);
    expect(toHex(txRoot([]))).toBe(g.header.txroot);
    expect(toHex(state.forest.root())).toBe(g.utreexo.root);
    expect(state.forest.count).toBe(BigInt(g.utreexo.count));
    expect(proofs.map((p) => toHex(proofToBytes(p)))).toEqual(
      g.initial_utxo_proofs.map((p) => toHex(proofToBytes(vectorProof(p)))),
    );
  });
});

describe("block 2 (vectors)", () => {
  const h = v.block2.header;

  it("decodes and re-encodes the header; reproduces the id", () => {
    const header = decodeHeader(fromHex(h.header_hex));
    expect(header.version).toBe(1n);
    expect(header.height).toBe(2n);
    expect(header.timestampMs).toBe(BigInt(h.timestamp_ms));
    expect(toHex(header.prev)).toBe(h.prev);
    expect(toHex(header.txroot)).toBe(h.txroot);
    expect(toHex(header.utxoroot)).toBe(h.utxoroot);
    expect(toHex(encodeHeader(header))).toBe(h.header_hex);
    expect(toHex(blockId(header))).toBe(h.block_id);
    expect(h.prev).toBe(v.genesis.header.block_id);
  });

  it("decodes block txs; reproduces witness hashes and the txroot", () => {
    const block = vectorBlock2();
    block.txs.forEach((btx, i) => {
      const t = v.block2.txs[i]!;
      expect(toHex(btx.txBytes)).toBe(t.tx_hex);
      expect(btx.proofs.map((p) => toHex(proofToBytes(p)))).toEqual(
        t.utreexo_proofs.map((p) => toHex(proofToBytes(vectorProof(p)))),
      );
      expect(toHex(encodeBlockTx(btx))).toBe(t.block_tx_hex);
      expect(toHex(blockTxWitnessHash(btx))).toBe(t.witness_hash);
    });
    expect(toHex(txRoot(block.txs.map(blockTxWitnessHash)))).toBe(h.txroot);
  });

  it("round-trips the block encoding", () => {
    const block = vectorBlock2();
    const bytes = encodeBlock(block);
    const back = decodeBlock(bytes);
    expect(toHex(encodeBlock(back))).toBe(toHex(bytes));
    expect(toHex(blockId(back.header))).toBe(h.block_id);
  });
});

describe("decoding must-fail twins", () => {
  it("rejects truncated or trailing header bytes", () => {
    const bytes = fromHex(v.block2.header.header_hex);
    expect(code(() => decodeHeader(bytes.subarray(0, bytes.length - 1)))).toBe(
      ChainCode.BLOCK_INVALID_FORMAT,
    );
    const long = new Uint8Array(bytes.length + 1);
    long.set(bytes);
    expect(code(() => decodeHeader(long))).toBe(ChainCode.BLOCK_INVALID_FORMAT);
  });

  it("rejects a bad proof tag, truncation and trailing bytes in a block tx", () => {
    const bytes = fromHex(v.block2.txs[0]!.block_tx_hex);
    expect(code(() => decodeBlockTx(bytes.subarray(0, bytes.length - 3)))).toBe(
      ChainCode.BLOCK_INVALID_FORMAT,
    );
    const txLen = v.block2.txs[0]!.tx_hex.length / 2;
    const badTag = bytes.slice();
    badTag[txLen + 4] = 7;
    let err: unknown;
    try {
      decodeBlockTx(badTag);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ChainCode.BLOCK_INVALID_FORMAT)).toBe(true);
    expect(hasCode((err as Error).cause, "DECODE_INVALID_TAG")).toBe(true);
    const long = new Uint8Array(bytes.length + 1);
    long.set(bytes);
    expect(code(() => decodeBlockTx(long))).toBe(ChainCode.BLOCK_INVALID_FORMAT);
  });

  it("rejects a tx whose own encoding is bad (cause: the VmError)", () => {
    const bytes = fromHex(v.block2.txs[0]!.block_tx_hex);
    // The signature scalar sits just before the proof length; make it non-canonical.
    const bad = bytes.slice();
    const r = new DataView(bad.buffer);
    const progLen = r.getUint32(24, true);
    const sAt = 28 + progLen + 32;
    bad.fill(0xff, sAt, sAt + 32);
    let err: unknown;
    try {
      decodeBlockTx(bad);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ChainCode.BLOCK_INVALID_FORMAT)).toBe(true);
    expect(hasCode((err as Error).cause, "VM_INVALID_FORMAT")).toBe(true);
  });

  it("enforces the block size and tx count limits", () => {
    expect(code(() => decodeBlock(new Uint8Array(MAX_BLOCK_SIZE + 1)))).toBe(ChainCode.BLOCK_TOO_LARGE);
    const block = vectorBlock2();
    const head = encodeBlock({ header: block.header, txs: [] });
    const many = head.slice();
    new DataView(many.buffer).setUint32(many.length - 4, MAX_BLOCK_TXS + 1, true);
    expect(code(() => decodeBlock(many))).toBe(ChainCode.BLOCK_TOO_MANY_TXS);
    const lying = head.slice();
    new DataView(lying.buffer).setUint32(lying.length - 4, 5, true);
    expect(code(() => decodeBlock(lying))).toBe(ChainCode.BLOCK_INVALID_FORMAT);
  });
});
