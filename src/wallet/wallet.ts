/**
 * The wallet (issue 6): tracked utxos with their openings and utreexo proofs, balances per flavor,
 * payments with coin selection and change, issuance and retirement, built on the ZkVM prover
 * (src/zkvm/builder.ts) and kept current by applying each block's tx logs and catchup
 * (zkvm/docs/zkvm-blockchain.md, zkvm/docs/utreexo.md, stellar/slingshot).
 *
 * ZkVM values are encrypted: an output's quantity and flavor are Pedersen commitments, so a payee
 * cannot read what it was paid from the chain. Outputs the wallet creates itself (change, payments
 * to its own keys, issuance) are tracked with their openings automatically; for a payment from
 * someone else, the payer must hand the openings over out of band and the payee calls `receive`.
 * Outputs to the wallet's keys that appear in a block without openings are kept as "unopened" (with
 * their proofs refreshed) until `receive` supplies the openings.
 *
 * Utxo states: `pending` (created by a wallet tx or announced by `receive`, not yet in a block; its
 * proof is transient), `confirmed` (in the utxo set; committed proof), `spent-pending` (confirmed,
 * but an input of a wallet tx not yet in a block). Only confirmed utxos are selected for spending.
 *
 * Pure and deterministic: randomness comes from the injected `Rng`; no I/O, no clock.
 */

import { type BlockTx, makeBlockTx } from "../chain/block.js";
import { type TxLogRecord, utxoLeaf } from "../chain/state.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import { encodeScalar, L, readScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { bytesEqual, fromHex, toHex } from "../util/bytes.js";
import { DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import type { Rng } from "../util/rng.js";
import { Writer } from "../util/writer.js";
import { UtreexoError } from "../utreexo/errors.js";
import type { Catchup } from "../utreexo/forest.js";
import { decodeProof, encodeProof, type Proof, TRANSIENT } from "../utreexo/proof.js";
import {
  issueFlavor,
  type OpenValue,
  type OutputSpec,
  type OwnedUtxo,
  TxBuilder,
  valueCommitments,
} from "../zkvm/builder.js";
import { Contract } from "../zkvm/contract.js";
import type { ProvedTx } from "../zkvm/prover.js";
import { encodeTx } from "../zkvm/tx.js";
import { type Coin, selectCoins } from "./coinSelection.js";
import { WalletCode, WalletError } from "./errors.js";
import type { KeyManager } from "./keys.js";
import { Xpub } from "./keytree.js";

/** The native flavor (fees are paid in it). */
export const NATIVE_FLAVOR = 0n;
/** Most receiving keys a decoded state may have handed out (decoding registers each of them). */
export const MAX_DECODED_SEQUENCE = 1n << 20n;
/** Version byte of the wallet state encoding. */
export const WALLET_STATE_VERSION = 1;

/** Where a tracked utxo stands. */
export type UtxoStatus = "pending" | "confirmed" | "spent-pending";

/** A utxo the wallet tracks: contract, openings, current proof and status. */
export interface WalletUtxo extends OwnedUtxo {
  /** The contract id. */
  readonly id: Uint8Array;
  readonly proof: Proof;
  readonly status: UtxoStatus;
}

/**
 * A block as the wallet needs it: the tx logs in block order and the catchup (a `VerifiedBlock`
 * fits). With `id` and `parentId`, the wallet checks the block extends its tip and moves the tip.
 */
export interface WalletBlock {
  readonly verifiedTxs: readonly TxLogRecord[];
  readonly catchup: Catchup;
  readonly id?: Uint8Array;
  readonly parentId?: Uint8Array;
}

/** Options of a new wallet. */
export interface WalletOptions {
  /** Id of the last block the wallet's state reflects (e.g. the genesis id); unknown if absent. */
  readonly tip?: Uint8Array;
}

/** What applying a block changed. Ids are contract ids / txids as hex. */
export interface ApplyBlockResult {
  /** Tracked utxos spent by the block. */
  readonly spent: readonly string[];
  /** Pending utxos the block created. */
  readonly confirmed: readonly string[];
  /** New outputs to the wallet's keys whose openings it lacks (see `receive`). */
  readonly unopened: readonly Contract[];
  /** Wallet txs of which the block included a conflicting spend; their pending outputs are dropped. */
  readonly dropped: readonly string[];
}

/** Header options of a wallet transaction. */
export interface TxOptions {
  /** Fee in the native flavor (u32; default 0). */
  readonly fee?: number;
  readonly mintime?: bigint;
  readonly maxtime?: bigint;
}

/** A payment request. */
export interface PayRequest extends TxOptions {
  /** The payee's predicate. */
  readonly to: CompressedPoint;
  readonly qty: bigint;
  /** Default: the native flavor. */
  readonly flavor?: bigint;
}

/** An issuance request. */
export interface IssueRequest extends TxOptions {
  readonly qty: bigint;
  readonly metadata: Uint8Array;
  /** The issuing key's secret: the flavor is defined by its public key and `metadata`. */
  readonly issuerSecret: bigint;
  /** Receiver of the issued value (default: a fresh receiving key of this wallet). */
  readonly to?: CompressedPoint;
}

/** A retirement request. */
export interface RetireRequest extends TxOptions {
  readonly qty: bigint;
  readonly flavor: bigint;
}

/** A transaction the wallet built and proved. */
export interface WalletTx {
  readonly proved: ProvedTx;
  readonly txid: Uint8Array;
  /** The serialized tx. */
  readonly txBytes: Uint8Array;
  /** Ready for a block or mempool: the tx with the inputs' current proofs. */
  readonly btx: BlockTx;
  /** The spent utxos, in input order. */
  readonly inputs: readonly OwnedUtxo[];
  /** Every output with its openings, in tx log order (hand the payee's to the payee). */
  readonly outputs: readonly OwnedUtxo[];
  /** Change outputs (to fresh receiving keys of this wallet). */
  readonly change: readonly OwnedUtxo[];
}

/** A payment: the tx and the payee's output (whose openings the payee needs). */
export interface PaymentTx extends WalletTx {
  readonly payment: OwnedUtxo;
}

/** An issuance: the tx, the new flavor and the issued output. */
export interface IssueTx extends WalletTx {
  readonly flavor: bigint;
  readonly issued: OwnedUtxo;
}

interface Entry {
  readonly utxo: OwnedUtxo;
  readonly proof: Proof;
  readonly status: UtxoStatus;
}

interface Unopened {
  readonly contract: Contract;
  readonly proof: Proof;
}

interface PendingTx {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

const STATUS_TAG: Record<UtxoStatus, number> = { pending: 0, confirmed: 1, "spent-pending": 2 };
const STATUS_OF: readonly UtxoStatus[] = ["pending", "confirmed", "spent-pending"];
const U64_LIMIT = 1n << 64n;

function cmpHex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkQty(q: unknown, name: string, allowZero = false): asserts q is bigint {
  if (typeof q !== "bigint" || q < (allowZero ? 0n : 1n) || q >= U64_LIMIT)
    throw new RangeError(`${name} must be a bigint in [${allowZero ? 0 : 1}, 2^64)`);
}

function checkFlavor(f: unknown, name: string): asserts f is bigint {
  if (typeof f !== "bigint" || f < 0n || f >= L) throw new RangeError(`${name} must be a scalar in [0, ℓ)`);
}

function checkFee(fee: unknown): number {
  if (fee === undefined) return 0;
  if (typeof fee !== "number" || !Number.isInteger(fee) || fee < 0 || fee > 0xffff_ffff)
    throw new RangeError("fee must be an integer in [0, 2^32)");
  return fee;
}

/**
 * Checks that `values` open the value items of `contract`, one to one in payload order, and that
 * the payload holds only values (the wallet spends with `input signtx` and cloaks everything).
 */
function checkOpenings(contract: Contract, values: readonly OpenValue[], utxo: string): void {
  const items = contract.payload;
  if (items.some((p) => p.kind !== "value"))
    throw new WalletError(WalletCode.OPENING_MISMATCH, { what: "non-value payload item", utxo });
  if (items.length !== values.length)
    throw new WalletError(WalletCode.OPENING_MISMATCH, {
      what: "value count",
      utxo,
      length: values.length,
      needed: items.length,
    });
  values.forEach((v, i) => {
    const item = items[i]!;
    if (item.kind !== "value") return;
    if (typeof v.qty !== "bigint" || v.qty < 0n || v.qty >= U64_LIMIT)
      throw new WalletError(WalletCode.OPENING_MISMATCH, { what: "quantity out of range", utxo });
    for (const s of [v.flavor, v.qtyBlinding, v.flvBlinding])
      if (typeof s !== "bigint" || s < 0n || s >= L)
        throw new WalletError(WalletCode.OPENING_MISMATCH, { what: "scalar out of range", utxo });
    const c = valueCommitments(v);
    if (!c.qty.equals(item.qty) || !c.flv.equals(item.flv))
      throw new WalletError(WalletCode.OPENING_MISMATCH, { what: `value ${i} commitments`, utxo });
  });
}

function toWalletUtxo(e: Entry): WalletUtxo {
  return {
    contract: e.utxo.contract,
    values: e.utxo.values,
    id: e.utxo.contract.id(),
    proof: e.proof,
    status: e.status,
  };
}

/** The wallet. Mutating methods change the state only when they succeed. */
export class Wallet {
  readonly keys: KeyManager;
  #utxos = new Map<string, Entry>();
  #unopened = new Map<string, Unopened>();
  #pending = new Map<string, PendingTx>();
  #tip: Uint8Array | undefined;

  constructor(keys: KeyManager, opts: WalletOptions = {}) {
    this.keys = keys;
    if (opts.tip !== undefined) {
      if (!(opts.tip instanceof Uint8Array) || opts.tip.length !== 32)
        throw new RangeError("Wallet: tip must be a 32-byte block id");
      this.#tip = opts.tip.slice();
    }
  }

  /** Id of the last block applied (or given at construction), if known. */
  get tip(): Uint8Array | undefined {
    return this.#tip?.slice();
  }

  /** A fresh receiving key's predicate, to give to a payer. */
  receivingKey(): CompressedPoint {
    return this.keys.nextReceivingKey().predicate;
  }

  /** The tracked utxos (every status), ordered by contract id. */
  utxos(): WalletUtxo[] {
    return [...this.#utxos.keys()].sort(cmpHex).map((k) => toWalletUtxo(this.#utxos.get(k)!));
  }

  /** The tracked utxo with contract id `id` (bytes or hex), if any. */
  utxo(id: Uint8Array | string): WalletUtxo | undefined {
    const e = this.#utxos.get(typeof id === "string" ? id.toLowerCase() : toHex(id));
    return e === undefined ? undefined : toWalletUtxo(e);
  }

  /** Outputs to the wallet's keys seen in blocks without openings (contract and current proof). */
  unopened(): { contract: Contract; proof: Proof }[] {
    return [...this.#unopened.keys()].sort(cmpHex).map((k) => ({ ...this.#unopened.get(k)! }));
  }

  /** Txids (hex) of wallet transactions not yet seen in a block. */
  pendingTxs(): string[] {
    return [...this.#pending.keys()].sort(cmpHex);
  }

  /**
   * The balance of `flavor` (default native): confirmed utxos not being spent; with `pending`, also
   * the outputs of pending transactions (what the balance will be once they confirm).
   */
  balance(flavor: bigint = NATIVE_FLAVOR, opts: { pending?: boolean } = {}): bigint {
    checkFlavor(flavor, "Wallet.balance: flavor");
    return this.balances(opts).get(flavor) ?? 0n;
  }

  /** Balances of every flavor held (ascending flavor), as in `balance`. */
  balances(opts: { pending?: boolean } = {}): Map<bigint, bigint> {
    const totals = new Map<bigint, bigint>();
    for (const e of this.#utxos.values()) {
      if (e.status === "spent-pending" || (e.status === "pending" && opts.pending !== true)) continue;
      for (const v of e.utxo.values) totals.set(v.flavor, (totals.get(v.flavor) ?? 0n) + v.qty);
    }
    const out = new Map<bigint, bigint>();
    for (const f of [...totals.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      out.set(f, totals.get(f)!);
    return out;
  }

  /**
   * Tracks a utxo to one of the wallet's keys, with its openings (handed over by the payer, or made
   * at genesis). If a block already showed the output (see `unopened`), it is confirmed with the
   * refreshed proof. Otherwise a committed `proof` (e.g. from `makeGenesis`) makes it confirmed, and
   * no proof (or a transient one) makes it pending until a block creates it.
   * WALLET_UNKNOWN_KEY (foreign predicate), WALLET_OPENING_MISMATCH, WALLET_DUPLICATE_UTXO.
   */
  receive(utxo: OwnedUtxo, proof?: Proof): WalletUtxo {
    const id = toHex(utxo.contract.id());
    if (this.#utxos.has(id)) throw new WalletError(WalletCode.DUPLICATE_UTXO, { utxo: id });
    if (!this.keys.has(utxo.contract.predicate))
      throw new WalletError(WalletCode.UNKNOWN_KEY, {
        what: "utxo predicate",
        predicate: utxo.contract.predicate.toHex(),
      });
    checkOpenings(utxo.contract, utxo.values, id);
    const seen = this.#unopened.get(id);
    let entry: Entry;
    if (seen !== undefined) entry = { utxo, proof: seen.proof, status: "confirmed" };
    else if (proof !== undefined && proof.kind === "committed") entry = { utxo, proof, status: "confirmed" };
    else entry = { utxo, proof: TRANSIENT, status: "pending" };
    this.#unopened.delete(id);
    this.#utxos.set(id, entry);
    return toWalletUtxo(entry);
  }

  /** The current proofs of the given utxos (ids or utxos), in order. WALLET_UNKNOWN_UTXO if one is not tracked. */
  proofsFor(utxos: readonly (Uint8Array | string | OwnedUtxo)[]): Proof[] {
    return utxos.map((u) => {
      const id =
        typeof u === "string" ? u.toLowerCase() : u instanceof Uint8Array ? toHex(u) : toHex(u.contract.id());
      const e = this.#utxos.get(id);
      if (e === undefined) throw new WalletError(WalletCode.UNKNOWN_UTXO, { utxo: id });
      return e.proof;
    });
  }

  /**
   * Pays `qty` of `flavor` to `to`, plus `fee` in the native flavor. Selects confirmed utxos
   * (coinSelection.ts), returns change to fresh receiving keys (one output per flavor). Inputs become
   * spent-pending; outputs to the wallet's own keys are tracked as pending.
   * WALLET_INSUFFICIENT_FUNDS (meta: flavor, requested, available).
   */
  pay(req: PayRequest, rng: Rng): PaymentTx {
    checkQty(req.qty, "Wallet.pay: qty");
    const flavor = req.flavor ?? NATIVE_FLAVOR;
    checkFlavor(flavor, "Wallet.pay: flavor");
    const fee = checkFee(req.fee);
    const targets = new Map<bigint, bigint>([[flavor, req.qty]]);
    targets.set(NATIVE_FLAVOR, (targets.get(NATIVE_FLAVOR) ?? 0n) + BigInt(fee));
    const built = this.#build(rng, req, fee, targets, 0, undefined, [
      { qty: req.qty, flavor, predicate: req.to },
    ]);
    return { ...built.tx, payment: built.main[0]! };
  }

  /**
   * Issues `qty` of the flavor of `issuerSecret`'s key and `metadata`. The issuance needs an anchor,
   * so one confirmed utxo (the smallest that covers the fee) is spent and returned as change.
   * WALLET_INSUFFICIENT_FUNDS (meta.what "coins") if the wallet has no confirmed utxo.
   */
  issue(req: IssueRequest, rng: Rng): IssueTx {
    checkQty(req.qty, "Wallet.issue: qty");
    if (!(req.metadata instanceof Uint8Array)) throw new TypeError("Wallet.issue: metadata must be bytes");
    const fee = checkFee(req.fee);
    if (typeof req.issuerSecret !== "bigint" || req.issuerSecret <= 0n || req.issuerSecret >= L)
      throw new RangeError("Wallet.issue: issuerSecret must be a non-zero scalar");
    const flavor = issueFlavor(publicKey(req.issuerSecret), req.metadata);
    const targets = new Map<bigint, bigint>([[NATIVE_FLAVOR, BigInt(fee)]]);
    const issue = (b: TxBuilder): void => {
      b.issue(req.qty, req.metadata, req.issuerSecret);
    };
    // The receiving key is taken only once the anchor is known to exist.
    const built = this.#build(rng, req, fee, targets, 1, issue, () => [
      { qty: req.qty, flavor, predicate: req.to ?? this.receivingKey() },
    ]);
    return { ...built.tx, flavor, issued: built.main[0]! };
  }

  /** Retires `qty` of `flavor` (plus `fee`), with change. WALLET_INSUFFICIENT_FUNDS as in `pay`. */
  retire(req: RetireRequest, rng: Rng): WalletTx {
    checkQty(req.qty, "Wallet.retire: qty");
    checkFlavor(req.flavor, "Wallet.retire: flavor");
    const fee = checkFee(req.fee);
    const targets = new Map<bigint, bigint>([[req.flavor, req.qty]]);
    targets.set(NATIVE_FLAVOR, (targets.get(NATIVE_FLAVOR) ?? 0n) + BigInt(fee));
    return this.#build(rng, req, fee, targets, 0, undefined, [
      { qty: req.qty, flavor: req.flavor, retire: true },
    ]).tx;
  }

  #build(
    rng: Rng,
    hdr: TxOptions,
    fee: number,
    targets: Map<bigint, bigint>,
    minCoins: number,
    issue: ((b: TxBuilder) => void) | undefined,
    mainIn:
      | readonly (OutputSpec | { qty: bigint; flavor: bigint; retire: true })[]
      | (() => readonly (OutputSpec | { qty: bigint; flavor: bigint; retire: true })[]),
  ): { tx: WalletTx; main: OwnedUtxo[] } {
    const coins: Coin[] = [];
    for (const [id, e] of this.#utxos) {
      if (e.status !== "confirmed") continue;
      const amounts = new Map<bigint, bigint>();
      for (const v of e.utxo.values) amounts.set(v.flavor, (amounts.get(v.flavor) ?? 0n) + v.qty);
      coins.push({ id, amounts });
    }
    const selection = selectCoins(coins, targets, { minCoins });
    const inputs = selection.coins.map((c) => this.#utxos.get(c.id)!);
    const secrets = inputs.map((e) => this.keys.secretFor(e.utxo.contract.predicate));
    const b = new TxBuilder({
      rng,
      ...(hdr.mintime === undefined ? {} : { mintime: hdr.mintime }),
      ...(hdr.maxtime === undefined ? {} : { maxtime: hdr.maxtime }),
    });
    inputs.forEach((e, i) => {
      b.spend(e.utxo, secrets[i]!);
    });
    issue?.(b);
    if (fee > 0) b.fee(fee);
    const main = typeof mainIn === "function" ? mainIn() : mainIn;
    // Change: the selected values beyond the targets (an issued value goes entirely to `main`).
    const change = selection.change;
    const changeSpecs: OutputSpec[] = [];
    for (const f of [...change.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
      const q = change.get(f)!;
      if (q > 0n) changeSpecs.push({ qty: q, flavor: f, predicate: this.keys.nextReceivingKey().predicate });
    }
    const specs = [...main, ...changeSpecs];
    const open = b.cloakTo(specs);
    const proved = b.build();
    const outs = proved.txlog.filter((e) => e.type === "output");
    const outputs: OwnedUtxo[] = [];
    specs.forEach((s, i) => {
      if ("retire" in s) return;
      const entry = outs[outputs.length];
      if (entry === undefined || entry.type !== "output")
        throw new RangeError("Wallet: output missing from tx log");
      outputs.push({ contract: entry.contract, values: [open[i]!] });
    });
    const mainOuts = outputs.slice(0, outputs.length - changeSpecs.length);
    const changeOuts = outputs.slice(outputs.length - changeSpecs.length);
    const txBytes = encodeTx(proved.tx);
    const btx = makeBlockTx(
      txBytes,
      inputs.map((e) => e.proof),
    );
    // Commit the state change.
    const inIds = selection.coins.map((c) => c.id);
    for (const [k, e] of inputs.entries()) this.#utxos.set(inIds[k]!, { ...e, status: "spent-pending" });
    const outIds: string[] = [];
    for (const o of outputs) {
      if (!this.keys.has(o.contract.predicate)) continue;
      const id = toHex(o.contract.id());
      this.#utxos.set(id, { utxo: o, proof: TRANSIENT, status: "pending" });
      outIds.push(id);
    }
    this.#pending.set(toHex(proved.txid), { inputs: inIds, outputs: outIds });
    return {
      tx: {
        proved,
        txid: proved.txid,
        txBytes,
        btx,
        inputs: inputs.map((e) => e.utxo),
        outputs,
        change: changeOuts,
      },
      main: mainOuts,
    };
  }

  /**
   * Stops tracking a pending utxo announced by `receive` (e.g. a payment the payer never broadcast).
   * WALLET_UNKNOWN_UTXO unless it is tracked, pending, and not an output of a pending wallet tx
   * (use `cancelPending` for those).
   */
  forget(id: Uint8Array | string): void {
    const key = typeof id === "string" ? id.toLowerCase() : toHex(id);
    const e = this.#utxos.get(key);
    const ownTx = [...this.#pending.values()].some((p) => p.outputs.includes(key));
    if (e === undefined || e.status !== "pending" || ownTx)
      throw new WalletError(WalletCode.UNKNOWN_UTXO, { what: "pending received utxo", utxo: key });
    this.#utxos.delete(key);
  }

  /**
   * Forgets a pending wallet tx (e.g. one the mempool refused): its inputs are confirmed again and
   * its pending outputs dropped. WALLET_UNKNOWN_UTXO (meta.txid) if it is not pending.
   */
  cancelPending(txid: Uint8Array | string): void {
    const key = typeof txid === "string" ? txid.toLowerCase() : toHex(txid);
    const p = this.#pending.get(key);
    if (p === undefined) throw new WalletError(WalletCode.UNKNOWN_UTXO, { what: "pending tx", txid: key });
    for (const id of p.inputs) {
      const e = this.#utxos.get(id);
      if (e !== undefined) this.#utxos.set(id, { ...e, status: "confirmed" });
    }
    for (const id of p.outputs) this.#utxos.delete(id);
    this.#pending.delete(key);
  }

  /**
   * Applies a validated block: removes tracked utxos it spends, confirms pending outputs it creates,
   * notes new unopened outputs to the wallet's keys, drops wallet txs it conflicts with, and
   * refreshes every stored proof through the block's catchup. Blocks must be applied in order, each
   * exactly once: WALLET_BLOCK_MISMATCH if the block's `parentId` is not the wallet's known tip; a
   * proof the catchup cannot refresh gives WALLET_OUTDATED_PROOF. On error nothing changes.
   */
  applyBlock(block: WalletBlock): ApplyBlockResult {
    if (this.#tip !== undefined && block.parentId !== undefined && !bytesEqual(block.parentId, this.#tip))
      throw new WalletError(WalletCode.BLOCK_MISMATCH, {
        expected: toHex(this.#tip),
        actual: toHex(block.parentId),
      });
    const spentIds = new Set<string>();
    const created = new Map<string, Contract>();
    const txids = new Set<string>();
    for (const rec of block.verifiedTxs) {
      txids.add(toHex(rec.txid));
      for (const e of rec.txlog) {
        if (e.type === "input") {
          const id = toHex(e.contractId);
          if (created.has(id)) created.delete(id);
          spentIds.add(id);
        } else if (e.type === "output") created.set(toHex(e.contract.id()), e.contract);
      }
    }
    const { catchup } = block;
    const refresh = (id: string, proof: Proof): Proof => {
      try {
        return catchup.update(utxoLeaf(fromHex(id, 32)), proof);
      } catch (err) {
        if (err instanceof UtreexoError)
          throw new WalletError(WalletCode.OUTDATED_PROOF, { utxo: id }, { cause: err });
        throw err;
      }
    };
    const mustCommit = (id: string, p: Proof): Proof => {
      if (p.kind !== "committed")
        throw new WalletError(WalletCode.OUTDATED_PROOF, { what: "created output not committed", utxo: id });
      return p;
    };
    const utxos = new Map<string, Entry>();
    const spent: string[] = [];
    const confirmed: string[] = [];
    for (const [id, e] of this.#utxos) {
      if (spentIds.has(id)) {
        spent.push(id);
        continue;
      }
      if (created.has(id)) {
        const proof = mustCommit(id, refresh(id, TRANSIENT));
        if (e.status === "pending") confirmed.push(id);
        utxos.set(id, { ...e, proof, status: e.status === "pending" ? "confirmed" : e.status });
      } else if (e.status === "pending") utxos.set(id, e);
      else utxos.set(id, { ...e, proof: refresh(id, e.proof) });
    }
    const pending = new Map<string, PendingTx>();
    const dropped: string[] = [];
    for (const [txid, p] of this.#pending) {
      if (txids.has(txid)) continue;
      if (!p.inputs.some((i) => spentIds.has(i))) {
        pending.set(txid, p);
        continue;
      }
      dropped.push(txid);
      for (const id of p.inputs) {
        const e = utxos.get(id);
        if (e !== undefined && e.status === "spent-pending") utxos.set(id, { ...e, status: "confirmed" });
      }
      for (const id of p.outputs) {
        const e = utxos.get(id);
        if (e !== undefined && e.status === "pending") utxos.delete(id);
      }
    }
    const unopened = new Map<string, Unopened>();
    for (const [id, u] of this.#unopened)
      if (!spentIds.has(id)) unopened.set(id, { contract: u.contract, proof: refresh(id, u.proof) });
    const fresh: Contract[] = [];
    for (const [id, contract] of created) {
      if (utxos.has(id) || spent.includes(id) || !this.keys.has(contract.predicate)) continue;
      unopened.set(id, { contract, proof: mustCommit(id, refresh(id, TRANSIENT)) });
      fresh.push(contract);
    }
    this.#utxos = utxos;
    this.#pending = pending;
    this.#unopened = unopened;
    if (block.id !== undefined) this.#tip = block.id.slice();
    return {
      spent: spent.sort(cmpHex),
      confirmed: confirmed.sort(cmpHex),
      unopened: fresh,
      dropped: dropped.sort(cmpHex),
    };
  }

  /**
   * Storage encoding of the wallet state (no secrets other than the openings):
   *
   *     u8 version(1) || xpub(64) || LE64 nextSequence || u8 hasTip(0|1) || [tip(32)]
   *     || LE32 n || n × (u8 status || LE32 len || contract || LE32 k || k × value || proof)   ids ascending
   *     || LE32 m || m × (LE32 len || contract || proof)                                     ids ascending
   *     || LE32 t || t × (txid(32) || LE32 i || i × id(32) || LE32 o || o × id(32))         txids ascending
   *     value = LE64 qty || flavor(32) || qty blinding(32) || flavor blinding(32)
   */
  encode(): Uint8Array {
    const w = new Writer(1024);
    w.writeU8(WALLET_STATE_VERSION);
    w.writeBytes(this.keys.xpub.toBytes());
    w.writeU64(this.keys.nextSequence);
    w.writeU8(this.#tip === undefined ? 0 : 1);
    if (this.#tip !== undefined) w.write32(this.#tip);
    const ids = [...this.#utxos.keys()].sort(cmpHex);
    w.writeU32(ids.length);
    for (const id of ids) {
      const e = this.#utxos.get(id)!;
      w.writeU8(STATUS_TAG[e.status]);
      w.writeSizedBytes(e.utxo.contract.encode());
      w.writeU32(e.utxo.values.length);
      for (const v of e.utxo.values) {
        w.writeU64(v.qty);
        w.write32(encodeScalar(v.flavor));
        w.write32(encodeScalar(v.qtyBlinding));
        w.write32(encodeScalar(v.flvBlinding));
      }
      encodeProof(w, e.proof);
    }
    const un = [...this.#unopened.keys()].sort(cmpHex);
    w.writeU32(un.length);
    for (const id of un) {
      const u = this.#unopened.get(id)!;
      w.writeSizedBytes(u.contract.encode());
      encodeProof(w, u.proof);
    }
    const txs = [...this.#pending.keys()].sort(cmpHex);
    w.writeU32(txs.length);
    for (const txid of txs) {
      const p = this.#pending.get(txid)!;
      w.write32(fromHex(txid, 32));
      w.writeU32(p.inputs.length);
      for (const id of p.inputs) w.write32(fromHex(id, 32));
      w.writeU32(p.outputs.length);
      for (const id of p.outputs) w.write32(fromHex(id, 32));
    }
    return w.toBytes();
  }

  /**
   * Decodes `encode` bytes for the wallet whose keys are `keys` (same account; receiving keys up to
   * the stored next sequence are registered and handed-out keys are not reused). Extra secrets
   * (issuer keys, Taproot) must be registered on `keys` before decoding if utxos are locked by them.
   * Decoding registers receiving keys on `keys` as it goes (also when it then fails); at most
   * `MAX_DECODED_SEQUENCE` handed-out keys are accepted.
   * Strict: WALLET_INVALID_STATE (malformed bytes as cause, or an inconsistency), WALLET_KEY_MISMATCH
   * (another account), WALLET_UNKNOWN_KEY (a utxo locked by a key `keys` does not hold),
   * WALLET_OPENING_MISMATCH (stored openings do not open the contract).
   */
  static decode(bytes: Uint8Array, keys: KeyManager): Wallet {
    try {
      const parts = decodeParts(bytes, keys);
      const w = new Wallet(keys, parts.tip === undefined ? {} : { tip: parts.tip });
      w.#utxos = parts.utxos;
      w.#unopened = parts.unopened;
      w.#pending = parts.pending;
      return w;
    } catch (e) {
      if (e instanceof DecodeError)
        throw new WalletError(
          WalletCode.INVALID_STATE,
          { what: e.meta.what ?? "wallet state" },
          { cause: e },
        );
      throw e;
    }
  }
}

function invalid(what: string, extra: { utxo?: string; txid?: string } = {}): WalletError {
  return new WalletError(WalletCode.INVALID_STATE, { what, ...extra });
}

function decodeParts(
  bytes: Uint8Array,
  keys: KeyManager,
): {
  tip: Uint8Array | undefined;
  utxos: Map<string, Entry>;
  unopened: Map<string, Unopened>;
  pending: Map<string, PendingTx>;
} {
  const r = new Reader(bytes);
  const version = r.readU8("wallet state version");
  if (version !== WALLET_STATE_VERSION) throw invalid("wallet state version");
  const xpub = Xpub.fromBytes(r.readBytes(64, "wallet xpub"));
  if (!xpub.equals(keys.xpub))
    throw new WalletError(WalletCode.KEY_MISMATCH, { what: "wallet account xpub" });
  const next = r.readU64("wallet next sequence");
  if (next > MAX_DECODED_SEQUENCE) throw invalid("wallet next sequence");
  keys.registerRange(0n, next);
  while (keys.nextSequence < next) keys.nextReceivingKey();
  const hasTip = r.readU8("wallet tip flag");
  if (hasTip > 1) throw invalid("wallet tip flag");
  const tip = hasTip === 1 ? r.read32("wallet tip").slice() : undefined;
  const utxos = new Map<string, Entry>();
  const n = r.readCount(0xffff_ffff, 1 + 4 + 68 + 4 + 1, "wallet utxo count");
  let last = "";
  for (let i = 0; i < n; i++) {
    const tag = r.readU8("utxo status");
    const status = STATUS_OF[tag];
    if (status === undefined) throw invalid("utxo status");
    const contract = Contract.decode(r.readSizedBytes(0xffff_ffff, "utxo contract"));
    const id = toHex(contract.id());
    if (cmpHex(id, last) <= 0) throw invalid("utxo order", { utxo: id });
    last = id;
    const k = r.readCount(0xffff_ffff, 8 + 96, "utxo value count");
    const values: OpenValue[] = [];
    for (let j = 0; j < k; j++) {
      const qty = r.readU64("value qty");
      const flavor = readScalar(r, "value flavor");
      const qtyBlinding = readScalar(r, "value qty blinding");
      const flvBlinding = readScalar(r, "value flavor blinding");
      values.push({ qty, flavor, qtyBlinding, flvBlinding });
    }
    const proof = decodeProof(r);
    if ((status === "pending") !== (proof.kind === "transient"))
      throw invalid("utxo proof kind", { utxo: id });
    if (!keys.has(contract.predicate))
      throw new WalletError(WalletCode.UNKNOWN_KEY, {
        what: "utxo predicate",
        predicate: contract.predicate.toHex(),
      });
    checkOpenings(contract, values, id);
    utxos.set(id, { utxo: { contract, values }, proof, status });
  }
  const unopened = new Map<string, Unopened>();
  const m = r.readCount(0xffff_ffff, 4 + 68 + 1, "wallet unopened count");
  last = "";
  for (let i = 0; i < m; i++) {
    const contract = Contract.decode(r.readSizedBytes(0xffff_ffff, "unopened contract"));
    const id = toHex(contract.id());
    if (cmpHex(id, last) <= 0 || utxos.has(id)) throw invalid("unopened order", { utxo: id });
    last = id;
    const proof = decodeProof(r);
    if (proof.kind !== "committed") throw invalid("unopened proof kind", { utxo: id });
    if (!keys.has(contract.predicate))
      throw new WalletError(WalletCode.UNKNOWN_KEY, {
        what: "unopened predicate",
        predicate: contract.predicate.toHex(),
      });
    unopened.set(id, { contract, proof });
  }
  const pending = new Map<string, PendingTx>();
  const t = r.readCount(0xffff_ffff, 32 + 8, "wallet pending tx count");
  last = "";
  const usedIn = new Set<string>();
  const usedOut = new Set<string>();
  const readIds = (what: string, used: Set<string>, status: UtxoStatus, txid: string): string[] => {
    const c = r.readCount(0xffff_ffff, 32, what);
    const out: string[] = [];
    for (let j = 0; j < c; j++) {
      const id = toHex(r.read32(what));
      if (used.has(id) || utxos.get(id)?.status !== status) throw invalid(what, { utxo: id, txid });
      used.add(id);
      out.push(id);
    }
    return out;
  };
  for (let i = 0; i < t; i++) {
    const txid = toHex(r.read32("pending txid"));
    if (cmpHex(txid, last) <= 0) throw invalid("pending tx order", { txid });
    last = txid;
    const inputs = readIds("pending tx input", usedIn, "spent-pending", txid);
    const outputs = readIds("pending tx output", usedOut, "pending", txid);
    pending.set(txid, { inputs, outputs });
  }
  r.end("wallet state");
  for (const [id, e] of utxos)
    if (e.status === "spent-pending" && !usedIn.has(id))
      throw invalid("spent-pending utxo without tx", { utxo: id });
  return { tip, utxos, unopened, pending };
}
