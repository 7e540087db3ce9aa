/**
 * Chain state and block validation (zkvm/docs/zkvm-blockchain.md "Blockchain state", "Validating a
 * block", stellar/slingshot). Validation runs in the reference's order, split into three steps so a
 * node can reuse verification done earlier (mempool, worker threads):
 *
 *   1. `checkBlock`      — limits; header against the parent (version, extension, height, strictly
 *                          increasing timestamp, previous id); every tx's time bounds and version;
 *                          the txroot over the witness hashes. Cheap; no proofs are checked.
 *   2. `verifyBlockTxs`  — runs every tx's VM and batch-verifies all of them (one MSM, bisection to
 *                          name the guilty tx). Txs the caller verified before are skipped.
 *   3. `applyBlock`      — applies each tx log to a work forest in block order (one atomic batch per
 *                          tx), normalizes, compares the utxoroot: the next state and its catchup.
 *
 * `validateBlock` runs all three. Nothing here mutates a state: a rejected block changes nothing.
 */
import type { BulletproofGens } from "../crypto/generators.js";
import type { MsmBackend } from "../crypto/msm/index.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import type { Rng } from "../util/rng.js";
import { Writer } from "../util/writer.js";
import { UtreexoError } from "../utreexo/errors.js";
import { type UtreexoHasher, utreexoHasher } from "../utreexo/hasher.js";
import { type Catchup, Forest, TRANSIENT, type WorkForest } from "../utreexo/index.js";
import type { Proof } from "../utreexo/proof.js";
import { VmError } from "../zkvm/errors.js";
import type { TxEntry, TxHeader } from "../zkvm/txlog.js";
import { type PrecomputedTx, precomputeTx, verifyBatch } from "../zkvm/verifier.js";
import {
  type Block,
  type BlockHeader,
  type BlockTx,
  blockId,
  blockSize,
  blockTxWitnessHash,
  genesisHeader,
  headerSize,
  MAX_BLOCK_SIZE,
  MAX_BLOCK_TXS,
  readHeader,
  txRoot,
  writeHeader,
} from "./block.js";
import { ChainCode, ChainError } from "./errors.js";

/** The chain state after a block: its header and id, the utreexo forest, and the block's catchup. */
export interface BlockchainState {
  readonly tip: BlockHeader;
  readonly tipId: Uint8Array;
  readonly forest: Forest;
  /**
   * Refreshes proofs made against the previous block's forest (or transient ones) to `forest`.
   * Undefined for a state restored from storage (catchups are not persisted).
   */
  readonly catchup: Catchup | undefined;
}

/** A block whose header, tx headers and txroot were checked against a parent state. */
export interface CheckedBlock extends Block {
  readonly id: Uint8Array;
  /** Id of the parent it was checked against. */
  readonly parentId: Uint8Array;
  readonly witnessHashes: readonly Uint8Array[];
}

/** What applying a tx needs: its id and log (a `VerifiedTx` fits). */
export interface TxLogRecord {
  readonly txid: Uint8Array;
  readonly txlog: readonly TxEntry[];
}

/** A fully validated block, with the state it leads to. */
export interface VerifiedBlock extends CheckedBlock {
  readonly verifiedTxs: readonly TxLogRecord[];
  /** The utreexo forest after the block. */
  readonly forest: Forest;
  /** Refreshes proofs from the parent's forest to `forest`. */
  readonly catchup: Catchup;
}

/** The state a verified block leads to. */
export function stateAfter(b: VerifiedBlock): BlockchainState {
  return { tip: b.header, tipId: b.id, forest: b.forest, catchup: b.catchup };
}

let hasher: UtreexoHasher | undefined;
/** The shared utreexo hasher. */
function uh(): UtreexoHasher {
  hasher ??= utreexoHasher();
  return hasher;
}

/** The utreexo leaf hash of a utxo (contract id). */
export function utxoLeaf(contractId: Uint8Array): Uint8Array {
  return uh().utxoLeaf(contractId);
}

/**
 * The genesis state: the initial utxos (contract ids, in order) in a fresh forest, the genesis
 * header (version 1, height 1) and a committed proof for each utxo.
 */
export function makeGenesis(
  timestampMs: bigint,
  utxos: readonly Uint8Array[],
): { state: BlockchainState; proofs: Proof[] } {
  const wf = Forest.empty(uh()).workForest();
  for (const id of utxos) wf.insert(utxoLeaf(id));
  const { forest, catchup } = wf.normalize();
  const proofs = utxos.map((id) => catchup.update(utxoLeaf(id), TRANSIENT));
  const tip = genesisHeader(timestampMs, forest.root());
  return { state: { tip, tipId: blockId(tip), forest, catchup }, proofs };
}

/** A state restored from a stored tip header and forest (no catchup). */
export function restoreState(tip: BlockHeader, forest: Forest): BlockchainState {
  return { tip, tipId: blockId(tip), forest, catchup: undefined };
}

/** Storage encoding of a state: the tip header, then the forest (LE64 count, roots high to low). */
export function encodeState(state: BlockchainState): Uint8Array {
  const w = new Writer(headerSize(state.tip) + 8 + 32 * 64);
  writeHeader(w, state.tip);
  state.forest.encode(w);
  return w.toBytes();
}

/** Decodes `encodeState` bytes (BLOCK_INVALID_FORMAT on malformed input); the catchup is not restored. */
export function decodeState(bytes: Uint8Array): BlockchainState {
  try {
    const r = new Reader(bytes);
    const tip = readHeader(r);
    const forest = Forest.decode(r, uh());
    r.end("chain state");
    return restoreState(tip, forest);
  } catch (e) {
    if (e instanceof DecodeError)
      throw new ChainError(ChainCode.BLOCK_INVALID_FORMAT, { what: "chain state" }, { cause: e });
    throw e;
  }
}

/** Checks a header against its parent's (BLOCK_BAD_VERSION, _ILLEGAL_EXTENSION, _BAD_HEIGHT, _BAD_TIMESTAMP, _BAD_PREVIOUS). */
export function checkHeader(
  header: BlockHeader,
  parent: BlockHeader,
  parentId: Uint8Array = blockId(parent),
): void {
  if (header.version < parent.version)
    throw new ChainError(ChainCode.BLOCK_BAD_VERSION, { expected: parent.version, actual: header.version });
  if (header.version === 1n && header.ext.length !== 0)
    throw new ChainError(ChainCode.BLOCK_ILLEGAL_EXTENSION, { actual: header.ext.length });
  if (header.height !== parent.height + 1n)
    throw new ChainError(ChainCode.BLOCK_BAD_HEIGHT, { expected: parent.height + 1n, actual: header.height });
  if (header.timestampMs <= parent.timestampMs)
    throw new ChainError(ChainCode.BLOCK_BAD_TIMESTAMP, {
      expected: parent.timestampMs + 1n,
      actual: header.timestampMs,
    });
  if (!bytesEqual(header.prev, parentId))
    throw new ChainError(ChainCode.BLOCK_BAD_PREVIOUS, {
      expected: toHex(parentId),
      actual: toHex(header.prev),
    });
}

/**
 * Checks a tx header against a block's timestamp and version: mintime ≤ timestamp ≤ maxtime
 * (BLOCK_TX_TIME_BOUNDS) and, in version-1 blocks, tx version 1 (BLOCK_TX_VERSION).
 */
export function checkTxHeader(tx: TxHeader, timestampMs: bigint, blockVersion: bigint): void {
  if (timestampMs < tx.mintime || timestampMs > tx.maxtime)
    throw new ChainError(ChainCode.BLOCK_TX_TIME_BOUNDS, {
      expected: `${tx.mintime}..${tx.maxtime}`,
      actual: timestampMs,
    });
  if (blockVersion === 1n && tx.version !== 1n)
    throw new ChainError(ChainCode.BLOCK_TX_VERSION, { expected: 1, actual: tx.version });
}

function withIndex(e: ChainError, index: number): ChainError {
  return new ChainError(e.code, { ...e.meta, index }, { cause: e.cause });
}

/** Step 1: limits, header vs parent, tx headers, txroot. Throws ChainError; returns the checked block. */
export function checkBlock(state: BlockchainState, block: Block): CheckedBlock {
  const { header, txs } = block;
  if (txs.length > MAX_BLOCK_TXS)
    throw new ChainError(ChainCode.BLOCK_TOO_MANY_TXS, { actual: txs.length, max: MAX_BLOCK_TXS });
  const size = blockSize(block);
  if (size > MAX_BLOCK_SIZE)
    throw new ChainError(ChainCode.BLOCK_TOO_LARGE, { actual: size, max: MAX_BLOCK_SIZE });
  checkHeader(header, state.tip, state.tipId);
  const witnessHashes: Uint8Array[] = [];
  txs.forEach((btx, index) => {
    try {
      checkTxHeader(btx.tx.header, header.timestampMs, header.version);
    } catch (e) {
      throw e instanceof ChainError ? withIndex(e, index) : e;
    }
    witnessHashes.push(blockTxWitnessHash(btx));
  });
  const root = txRoot(witnessHashes);
  if (!bytesEqual(root, header.txroot))
    throw new ChainError(ChainCode.BLOCK_TXROOT_MISMATCH, {
      expected: toHex(root),
      actual: toHex(header.txroot),
    });
  return { header, txs, id: blockId(header), parentId: state.tipId, witnessHashes };
}

export interface VerifyBlockOptions {
  /** Randomness for the batch weights. */
  readonly rng: Rng;
  readonly bpGens?: BulletproofGens;
  readonly backend?: MsmBackend;
  /**
   * Results of earlier verification (e.g. `Mempool.verifiedFor`): a tx for which this returns a
   * record is not verified again. It must only return records for these exact tx bytes.
   */
  readonly preverified?: (btx: BlockTx) => TxLogRecord | undefined;
}

/**
 * Step 2: runs the VM of every tx and batch-verifies them. A failing tx gives BLOCK_TX_INVALID with
 * its index and the VmError as cause (the first failing tx in block order).
 */
export function verifyBlockTxs(block: CheckedBlock, opts: VerifyBlockOptions): TxLogRecord[] {
  const out: (TxLogRecord | undefined)[] = block.txs.map((btx) => opts.preverified?.(btx));
  const unverified: number[] = [];
  const pre: PrecomputedTx[] = [];
  for (let i = 0; i < block.txs.length; i++) {
    if (out[i] !== undefined) continue;
    const btx = block.txs[i]!;
    try {
      pre.push(precomputeTx(btx.tx, btx.txBytes.length));
    } catch (e) {
      if (e instanceof VmError) throw new ChainError(ChainCode.BLOCK_TX_INVALID, { index: i }, { cause: e });
      throw e;
    }
    unverified.push(i);
  }
  if (pre.length > 0) {
    const results = verifyBatch(pre, {
      rng: opts.rng,
      ...(opts.bpGens === undefined ? {} : { bpGens: opts.bpGens }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    });
    results.forEach((r, k) => {
      const index = unverified[k]!;
      if (!r.ok)
        throw new ChainError(
          ChainCode.BLOCK_TX_INVALID,
          { index, txid: toHex(pre[k]!.txid) },
          { cause: r.error },
        );
      out[index] = r.tx;
    });
  }
  return out as TxLogRecord[];
}

/**
 * Applies one tx log to a work forest atomically: inputs are deleted with the tx's proofs in order,
 * outputs inserted. BLOCK_UTXO_PROOF_COUNT if the proofs do not match the inputs one to one;
 * BLOCK_UTXO_INVALID (cause: the UtreexoError) if a proof does not hold or the utxo is spent.
 * On error the work forest is unchanged.
 */
export function applyTxLog(wf: WorkForest, txlog: readonly TxEntry[], proofs: readonly Proof[]): void {
  let inputs = 0;
  for (const e of txlog) if (e.type === "input") inputs++;
  if (inputs !== proofs.length)
    throw new ChainError(ChainCode.BLOCK_UTXO_PROOF_COUNT, { expected: inputs, actual: proofs.length });
  wf.batch((f) => {
    let k = 0;
    for (const e of txlog) {
      if (e.type === "input") {
        try {
          f.delete(utxoLeaf(e.contractId), proofs[k]!);
        } catch (err) {
          if (err instanceof UtreexoError)
            throw new ChainError(ChainCode.BLOCK_UTXO_INVALID, { what: `input ${k}` }, { cause: err });
          throw err;
        }
        k++;
      } else if (e.type === "output") {
        f.insert(utxoLeaf(e.contract.id()));
      }
    }
  });
}

/**
 * Step 3: applies the tx logs (block order) to the parent's forest, normalizes and compares the
 * utxoroot (BLOCK_UTXOROOT_MISMATCH). `verified[i]` must be the log of `block.txs[i]` as a verifier
 * computed it from these exact tx bytes (the output of `verifyBlockTxs`, of worker threads, or of the
 * mempool); it is trusted, not recomputed.
 */
export function applyBlock(
  state: BlockchainState,
  block: CheckedBlock,
  verified: readonly TxLogRecord[],
): VerifiedBlock {
  if (!bytesEqual(block.parentId, state.tipId))
    throw new ChainError(ChainCode.BLOCK_BAD_PREVIOUS, {
      expected: toHex(state.tipId),
      actual: toHex(block.parentId),
    });
  if (verified.length !== block.txs.length)
    throw new ChainError(ChainCode.BLOCK_RESULTS_MISMATCH, {
      expected: block.txs.length,
      actual: verified.length,
    });
  const wf = state.forest.workForest();
  block.txs.forEach((btx, index) => {
    try {
      applyTxLog(wf, verified[index]!.txlog, btx.proofs);
    } catch (e) {
      throw e instanceof ChainError ? withIndex(e, index) : e;
    }
  });
  const { forest, catchup } = wf.normalize();
  const root = forest.root();
  if (!bytesEqual(root, block.header.utxoroot))
    throw new ChainError(ChainCode.BLOCK_UTXOROOT_MISMATCH, {
      expected: toHex(root),
      actual: toHex(block.header.utxoroot),
    });
  return { ...block, verifiedTxs: verified.slice(), forest, catchup };
}

/** All three steps: check, batch-verify, apply. Throws ChainError; the state is never changed. */
export function validateBlock(state: BlockchainState, block: Block, opts: VerifyBlockOptions): VerifiedBlock {
  const checked = checkBlock(state, block);
  const verified = verifyBlockTxs(checked, opts);
  return applyBlock(state, checked, verified);
}
