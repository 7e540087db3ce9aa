import { describe, expect, it } from "vitest";
import { MerklePath } from "../crypto/merkle.js";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { Reader } from "../util/reader.js";
import { seededRng } from "../util/rng.js";
import { committed, type Proof, proofToBytes, TRANSIENT } from "../utreexo/proof.js";
import { decodeTx } from "../zkvm/tx.js";
import {
  type Block,
  type BlockHeader,
  type BlockTx,
  blockTxWitnessHash,
  decodeBlockTx,
  decodeHeader,
  MAX_BLOCK_TXS,
  makeBlockTx,
  txRoot,
  withProofs,
} from "./block.js";
import { ChainCode, causedBy } from "./errors.js";
import v from "./fixtures/blockchain.json" with { type: "json" };
import invalid from "./fixtures/zkvm_tx_invalid.json" with { type: "json" };
import {
  applyBlock,
  type BlockchainState,
  checkBlock,
  checkTxHeader,
  decodeState,
  encodeState,
  makeGenesis,
  stateAfter,
  type TxLogRecord,
  utxoLeaf,
  validateBlock,
  verifyBlockTxs,
} from "./state.js";

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

const rng = seededRng("chain state test");

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

/** Replaces txs and recomputes the txroot, so only the tx-level rule under test fails. */
function withTxs(block: Block, txs: readonly BlockTx[]): Block {
  return { header: { ...block.header, txroot: txRoot(txs.map(blockTxWitnessHash)) }, txs };
}

function withHeader(block: Block, patch: Partial<BlockHeader>): Block {
  return { header: { ...block.header, ...patch }, txs: block.txs };
}

const genesis = vectorGenesis().state;
const block2 = vectorBlock2();
// Verified once; the apply-step twins reuse these records.
const records: TxLogRecord[] = verifyBlockTxs(checkBlock(genesis, block2), { rng });

function snapshot(s: BlockchainState): string {
  return `${toHex(s.tipId)}/${toHex(s.forest.root())}/${s.forest.count}`;
}

describe("block 2 (vectors) validates and applies", () => {
  it("reproduces the utxo root, roots and the new outputs' proofs", () => {
    const before = snapshot(genesis);
    const vb = validateBlock(genesis, block2, { rng });
    expect(snapshot(genesis)).toBe(before);
    expect(toHex(vb.id)).toBe(v.block2.header.block_id);
    expect(toHex(vb.forest.root())).toBe(v.block2.utreexo_after.root);
    expect(vb.forest.count).toBe(BigInt(v.block2.utreexo_after.count));
    const roots = vb.forest.roots().map((r) => ({ level: r.level, root: toHex(r.hash) }));
    expect(roots.sort((a, b) => a.level - b.level)).toEqual(v.block2.utreexo_after.perfect_roots);
    expect(vb.verifiedTxs.map((t) => toHex(t.txid))).toEqual(v.block2.txs.map((t) => t.txid));
    for (const o of v.block2.new_outputs) {
      const p = vb.catchup.update(utxoLeaf(fromHex(o.contract.contract_id, 32)), TRANSIENT);
      expect(toHex(proofToBytes(p))).toBe(toHex(proofToBytes(vectorProof(o.utreexo_proof))));
    }
    const next = stateAfter(vb);
    expect(next.tip.height).toBe(2n);
    expect(toHex(next.tipId)).toBe(v.block2.header.block_id);
  });

  it("round-trips the state's storage encoding", () => {
    const vb = applyBlock(genesis, checkBlock(genesis, block2), records);
    const s = stateAfter(vb);
    const back = decodeState(encodeState(s));
    expect(snapshot(back)).toBe(snapshot(s));
    expect(back.catchup).toBeUndefined();
    const bytes = encodeState(s);
    expect(
      hasCode(
        errorOf(() => decodeState(bytes.subarray(0, bytes.length - 1))),
        ChainCode.BLOCK_INVALID_FORMAT,
      ),
    ).toBe(true);
  });

  it("applies logs verified earlier without verifying again", () => {
    const checked = checkBlock(genesis, block2);
    const applied = applyBlock(genesis, checked, records);
    expect(toHex(applied.forest.root())).toBe(v.block2.header.utxoroot);
    // A tx with a broken signature passes only because the caller vouches for it: proof that the
    // verification step is skipped for preverified txs.
    const t = block2.txs[1]!;
    const bytes = t.txBytes.slice();
    const at = 28 + new DataView(bytes.buffer).getUint32(24, true) + 32;
    bytes[at] = bytes[at]! ^ 1;
    const bad = makeBlockTx(bytes, t.proofs);
    const block = withTxs(block2, [block2.txs[0]!, bad]);
    const vb = validateBlock(genesis, block, {
      rng,
      preverified: (b) => (b === bad ? records[1] : undefined),
    });
    expect(toHex(vb.forest.root())).toBe(v.block2.header.utxoroot);
  });
});

describe("header must-fail twins", () => {
  const cases: [string, Partial<BlockHeader>, string][] = [
    ["lower version", { version: 0n }, ChainCode.BLOCK_BAD_VERSION],
    ["extension in v1", { ext: new Uint8Array([1]) }, ChainCode.BLOCK_ILLEGAL_EXTENSION],
    ["wrong height", { height: 3n }, ChainCode.BLOCK_BAD_HEIGHT],
    ["equal timestamp", { timestampMs: BigInt(v.genesis.timestamp_ms) }, ChainCode.BLOCK_BAD_TIMESTAMP],
    [
      "earlier timestamp",
      { timestampMs: BigInt(v.genesis.timestamp_ms) - 1n },
      ChainCode.BLOCK_BAD_TIMESTAMP,
    ],
    ["wrong previous id", { prev: new Uint8Array(32) }, ChainCode.BLOCK_BAD_PREVIOUS],
    ["wrong txroot", { txroot: new Uint8Array(32) }, ChainCode.BLOCK_TXROOT_MISMATCH],
  ];
  for (const [name, patch, want] of cases)
    it(`rejects ${name} with ${want}`, () => {
      const e = errorOf(() => validateBlock(genesis, withHeader(block2, patch), { rng }));
      expect(hasCode(e, want)).toBe(true);
    });

  it("accepts a higher version with an extension (version > 1)", () => {
    expect(() =>
      checkBlock(genesis, withHeader(block2, { version: 2n, ext: new Uint8Array([1]) })),
    ).not.toThrow();
  });

  it("rejects txs in the wrong order (txroot)", () => {
    const swapped = { header: block2.header, txs: [...block2.txs].reverse() };
    expect(
      hasCode(
        errorOf(() => checkBlock(genesis, swapped)),
        ChainCode.BLOCK_TXROOT_MISMATCH,
      ),
    ).toBe(true);
  });

  it("rejects too many txs", () => {
    const txs = Array.from({ length: MAX_BLOCK_TXS + 1 }, () => block2.txs[0]!);
    expect(
      hasCode(
        errorOf(() => checkBlock(genesis, { header: block2.header, txs })),
        ChainCode.BLOCK_TOO_MANY_TXS,
      ),
    ).toBe(true);
  });
});

describe("tx-level must-fail twins", () => {
  it("rejects a block time outside a tx's time bounds", () => {
    const maxtime = block2.txs[0]!.tx.header.maxtime;
    const e = errorOf(() => checkBlock(genesis, withHeader(block2, { timestampMs: maxtime + 1n })));
    expect(hasCode(e, ChainCode.BLOCK_TX_TIME_BOUNDS)).toBe(true);
    expect((e as { meta: { index?: number } }).meta.index).toBe(0);
  });

  it("rejects a tx version other than 1 in a version-1 block", () => {
    const t = block2.txs[1]!;
    const bumped: BlockTx = { ...t, tx: { ...t.tx, header: { ...t.tx.header, version: 2n } } };
    const e = errorOf(() => checkBlock(genesis, withTxs(block2, [block2.txs[0]!, bumped])));
    expect(hasCode(e, ChainCode.BLOCK_TX_VERSION)).toBe(true);
    expect((e as { meta: { index?: number } }).meta.index).toBe(1);
  });

  it("matches the reference's blockchain-level time-bound checks", () => {
    for (const entry of invalid.blockchain_level) {
      const header = decodeTx(fromHex(entry.tx_hex)).header;
      for (const c of entry.checks) {
        const h =
          "tx_header_version_override" in c
            ? { ...header, version: BigInt(c.tx_header_version_override) }
            : header;
        const run = () => checkTxHeader(h, BigInt(c.block_timestamp_ms), BigInt(c.block_version));
        if (c.expected === "ok") expect(run).not.toThrow();
        else {
          const want =
            c.expected === "BadTxTimestamp" ? ChainCode.BLOCK_TX_TIME_BOUNDS : ChainCode.BLOCK_TX_VERSION;
          expect(hasCode(errorOf(run), want)).toBe(true);
        }
      }
    }
  });

  it("rejects a tx whose signature does not verify (cause: the VmError), after batch verification", () => {
    const t = block2.txs[1]!;
    const bytes = t.txBytes.slice();
    const progLen = new DataView(bytes.buffer).getUint32(24, true);
    bytes[28 + progLen + 32] = bytes[28 + progLen + 32]! ^ 1; // low byte of the signature scalar: still canonical
    const bad = makeBlockTx(bytes, t.proofs);
    const block = withTxs(block2, [block2.txs[0]!, bad]);
    const e = errorOf(() => validateBlock(genesis, block, { rng }));
    expect(hasCode(e, ChainCode.BLOCK_TX_INVALID)).toBe(true);
    expect((e as { meta: { index?: number } }).meta.index).toBe(1);
    expect(causedBy(e, "VM_SIGNATURE_VERIFICATION_FAILED")).toBe(true);
  });

  it("rejects a missing or an extra utreexo proof", () => {
    const t = block2.txs[0]!;
    for (const proofs of [[], [...t.proofs, TRANSIENT]]) {
      const block = withTxs(block2, [withProofs(t, proofs), block2.txs[1]!]);
      const e = errorOf(() => applyBlock(genesis, checkBlock(genesis, block), records));
      expect(hasCode(e, ChainCode.BLOCK_UTXO_PROOF_COUNT)).toBe(true);
    }
  });

  it("rejects a utreexo proof that does not hold (cause: the UtreexoError)", () => {
    const t = block2.txs[0]!;
    const p = t.proofs[0]!;
    if (p.kind !== "committed") throw new Error("vector proof should be committed");
    const wrong = committed(
      new MerklePath(
        p.path.position,
        p.path.neighbors.map(() => new Uint8Array(32)),
      ),
    );
    const block = withTxs(block2, [withProofs(t, [wrong]), block2.txs[1]!]);
    const e = errorOf(() => applyBlock(genesis, checkBlock(genesis, block), records));
    expect(hasCode(e, ChainCode.BLOCK_UTXO_INVALID)).toBe(true);
    expect(causedBy(e, "UTREEXO_INVALID_PROOF")).toBe(true);
  });

  it("rejects a double spend within the block", () => {
    const t = block2.txs[0]!;
    const block = withTxs(block2, [t, t]);
    const e = errorOf(() => applyBlock(genesis, checkBlock(genesis, block), [records[0]!, records[0]!]));
    expect(hasCode(e, ChainCode.BLOCK_UTXO_INVALID)).toBe(true);
  });

  it("rejects the tampered utxoroot header (vectors)", () => {
    const header = decodeHeader(fromHex(v.block2.tampered_utxoroot_header.header_hex));
    const block = { header, txs: block2.txs };
    const before = snapshot(genesis);
    const e = errorOf(() => applyBlock(genesis, checkBlock(genesis, block), records));
    expect(hasCode(e, ChainCode.BLOCK_UTXOROOT_MISMATCH)).toBe(true);
    expect(snapshot(genesis)).toBe(before);
  });

  it("rejects results that do not belong to the block, or a block checked against another parent", () => {
    const checked = checkBlock(genesis, block2);
    expect(
      hasCode(
        errorOf(() => applyBlock(genesis, checked, records.slice(1))),
        ChainCode.BLOCK_RESULTS_MISMATCH,
      ),
    ).toBe(true);
    const other = stateAfter(applyBlock(genesis, checked, records));
    expect(
      hasCode(
        errorOf(() => applyBlock(other, checked, records)),
        ChainCode.BLOCK_BAD_PREVIOUS,
      ),
    ).toBe(true);
  });
});
