import { describe, expect, it } from "vitest";
import { Mempool } from "../chain/mempool.js";
import {
  type BlockchainState,
  makeGenesis,
  stateAfter,
  utxoLeaf,
  type VerifiedBlock,
  validateBlock,
} from "../chain/state.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { toHex, utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { seededRng } from "../util/rng.js";
import type { Forest } from "../utreexo/forest.js";
import { TRANSIENT } from "../utreexo/proof.js";
import { issueFlavor, makeUtxo, type OwnedUtxo } from "../zkvm/builder.js";
import { WalletCode, type WalletError } from "./errors.js";
import { KeyManager } from "./keys.js";
import { Xprv } from "./keytree.js";
import { Wallet, type WalletBlock } from "./wallet.js";

const rng = seededRng("wallet test");
const root = Xprv.fromSeed(utf8("wallet tests: alice"));
const T0 = 1_700_000_000_000n;

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

function open(qty: bigint, flavor = 0n) {
  return { qty, flavor, qtyBlinding: randomScalar(rng), flvBlinding: randomScalar(rng) };
}

/** Every confirmed / spent-pending proof of the wallet holds against `forest`. */
function proofsHold(w: Wallet, forest: Forest): boolean {
  return w
    .utxos()
    .filter((u) => u.status !== "pending")
    .every((u) => u.proof.kind === "committed" && forest.verify(utxoLeaf(u.id), u.proof.path));
}

/** Mines the given txs on `state` through a mempool template and validates the block. */
function mine(
  state: BlockchainState,
  txs: readonly { btx: import("../chain/block.js").BlockTx }[],
  t: bigint,
): VerifiedBlock {
  const m = new Mempool(state);
  for (const tx of txs) m.add(tx.btx, t, rng);
  const vb = m.template(t);
  expect(vb.verifiedTxs.length).toBe(txs.length);
  return validateBlock(state, vb, { rng, preverified: (b) => m.verifiedFor(b) });
}

// A genesis with three native utxos for alice and one for a stranger.
const aliceKm = KeyManager.fromRoot(root);
const aliceKeys = [0, 1, 2].map(() => aliceKm.nextReceivingKey().predicate);
const stranger = publicKey(randomScalar(rng));
const G_UTXOS: OwnedUtxo[] = [
  makeUtxo(new Uint8Array(32).fill(1), aliceKeys[0]!, open(100n)),
  makeUtxo(new Uint8Array(32).fill(2), aliceKeys[1]!, open(50n)),
  makeUtxo(new Uint8Array(32).fill(3), aliceKeys[2]!, open(30n)),
  makeUtxo(new Uint8Array(32).fill(4), stranger, open(77n)),
];
const genesis = makeGenesis(
  T0,
  G_UTXOS.map((u) => u.contract.id()),
);
const alice = new Wallet(aliceKm, { tip: genesis.state.tipId });
for (let i = 0; i < 3; i++) alice.receive(G_UTXOS[i]!, genesis.proofs[i]!);

const bobWallet = new Wallet(KeyManager.fromRoot(Xprv.fromSeed(utf8("wallet tests: bob"))));
const bob = bobWallet.receivingKey();
const issuer = randomScalar(rng);
const metadata = utf8("wallet test token");
const TOKEN = issueFlavor(publicKey(issuer), metadata);

// The scenario runs once (each proof costs time); the tests below inspect its snapshots.
const s0 = { balance: alice.balance(), encoded: alice.encode() };
const payTx = alice.pay({ to: bob, qty: 60n, fee: 5 }, rng);
const s1 = {
  balance: alice.balance(),
  pendingBalance: alice.balance(0n, { pending: true }),
  utxos: alice.utxos(),
  encoded: alice.encode(),
};
const b2 = mine(genesis.state, [payTx], T0 + 1000n);
const r2 = alice.applyBlock(b2);
const bobResult = bobWallet.applyBlock(b2);
const s2 = { balance: alice.balance(), utxos: alice.utxos(), encoded: alice.encode() };
const issueTx = alice.issue({ qty: 1000n, metadata, issuerSecret: issuer }, rng);
const b3 = mine(stateAfter(b2), [issueTx], T0 + 2000n);
alice.applyBlock(b3);
bobWallet.applyBlock(b3);
const s3 = { native: alice.balance(), token: alice.balance(TOKEN) };
const retireTx = alice.retire({ qty: 400n, flavor: TOKEN, fee: 1 }, rng);
const b4 = mine(stateAfter(b3), [retireTx], T0 + 3000n);
alice.applyBlock(b4);
bobWallet.applyBlock(b4);

describe("Wallet: payments", () => {
  it("starts from the genesis utxos", () => {
    expect(s0.balance).toBe(180n);
    expect(alice.keys.nextSequence).toBeGreaterThanOrEqual(3n);
  });

  it("pays with coin selection and change to a fresh key; inputs are spent-pending", () => {
    expect(payTx.inputs.map((u) => u.values[0]!.qty)).toEqual([100n]);
    expect(payTx.payment.contract.predicate.equals(bob)).toBe(true);
    expect(payTx.payment.values[0]!.qty).toBe(60n);
    expect(payTx.change.map((u) => u.values[0]!.qty)).toEqual([35n]);
    expect(alice.keys.has(payTx.change[0]!.contract.predicate)).toBe(true);
    expect(aliceKeys.some((k) => k.equals(payTx.change[0]!.contract.predicate))).toBe(false);
    expect(payTx.btx.proofs.length).toBe(1);
    expect(payTx.btx.proofs[0]!.kind).toBe("committed");
    expect(s1.balance).toBe(80n);
    expect(s1.pendingBalance).toBe(115n);
    expect(s1.utxos.map((u) => u.status).sort()).toEqual([
      "confirmed",
      "confirmed",
      "pending",
      "spent-pending",
    ]);
  });

  it("applies the block: spent removed, change confirmed, proofs refreshed and valid", () => {
    expect(r2.spent).toEqual([toHex(G_UTXOS[0]!.contract.id())]);
    expect(r2.confirmed).toEqual([toHex(payTx.change[0]!.contract.id())]);
    expect(r2.unopened).toEqual([]);
    expect(s2.balance).toBe(115n);
    expect(s2.utxos.every((u) => u.status === "confirmed" && u.proof.kind === "committed")).toBe(true);
    expect(s2.utxos.length).toBe(3);
    expect(alice.pendingTxs()).toEqual([]);
    // Block 2's forest held these proofs when they were made: check the snapshot against it.
    for (const u of s2.utxos)
      expect(u.proof.kind === "committed" && b2.forest.verify(utxoLeaf(u.id), u.proof.path)).toBe(true);
    // Genesis proofs are no longer valid against block 2's forest, the refreshed ones are.
    const g1 = genesis.proofs[1]!;
    expect(g1.kind === "committed" && b2.forest.verify(utxoLeaf(G_UTXOS[1]!.contract.id()), g1.path)).toBe(
      false,
    );
  });

  it("keeps refreshing through later blocks (proofs valid against the newest forest)", () => {
    expect(proofsHold(alice, b4.forest)).toBe(true);
    expect(alice.utxos().every((u) => u.status === "confirmed")).toBe(true);
    // proofsFor gives what a BlockTx needs.
    const us = alice.utxos();
    expect(alice.proofsFor(us)).toEqual(us.map((u) => u.proof));
    expect(alice.proofsFor([toHex(us[0]!.id)])).toEqual([us[0]!.proof]);
    expect(
      hasCode(
        errorOf(() => alice.proofsFor([new Uint8Array(32)])),
        WalletCode.UNKNOWN_UTXO,
      ),
    ).toBe(true);
  });

  it("the payee sees an unopened output and opens it with the payer's openings", () => {
    expect(bobResult.unopened.map((c) => toHex(c.id()))).toEqual([toHex(payTx.payment.contract.id())]);
    expect(bobWallet.balance()).toBe(0n);
    expect(bobWallet.unopened().length).toBe(1);
    const bad = { contract: payTx.payment.contract, values: [{ ...payTx.payment.values[0]!, qty: 61n }] };
    expect(
      hasCode(
        errorOf(() => bobWallet.receive(bad)),
        WalletCode.OPENING_MISMATCH,
      ),
    ).toBe(true);
    expect(
      hasCode(
        errorOf(() => alice.receive(payTx.payment)),
        WalletCode.UNKNOWN_KEY,
      ),
    ).toBe(true);
    // Announced before any block shows it: pending, and forgettable.
    const early = new Wallet(KeyManager.fromRoot(Xprv.fromSeed(utf8("wallet tests: bob"))));
    early.receivingKey();
    expect(early.receive(payTx.payment).status).toBe("pending");
    expect(early.balance(0n, { pending: true })).toBe(60n);
    early.forget(payTx.payment.contract.id());
    expect(early.utxos()).toEqual([]);
    expect(
      hasCode(
        errorOf(() => early.forget(payTx.payment.contract.id())),
        WalletCode.UNKNOWN_UTXO,
      ),
    ).toBe(true);
    const got = bobWallet.receive(payTx.payment);
    expect(got.status).toBe("confirmed");
    expect(bobWallet.balance()).toBe(60n);
    expect(bobWallet.unopened()).toEqual([]);
    expect(proofsHold(bobWallet, b4.forest)).toBe(true);
    expect(
      hasCode(
        errorOf(() => bobWallet.receive(payTx.payment)),
        WalletCode.DUPLICATE_UTXO,
      ),
    ).toBe(true);
  });
});

describe("Wallet: issuance and retirement", () => {
  it("issues a new flavor, anchored on the smallest utxo", () => {
    expect(issueTx.flavor).toBe(TOKEN);
    expect(issueTx.inputs.map((u) => u.values[0]!.qty)).toEqual([30n]);
    expect(issueTx.issued.values[0]).toMatchObject({ qty: 1000n, flavor: TOKEN });
    expect(issueTx.change.map((u) => u.values[0]!.qty)).toEqual([30n]);
    expect(s3).toEqual({ native: 115n, token: 1000n });
  });

  it("retires part of it, paying the fee from native utxos", () => {
    expect(retireTx.proved.txlog.filter((e) => e.type === "retire").length).toBe(1);
    expect(retireTx.proved.fee).toBe(1n);
    expect(alice.balance(TOKEN)).toBe(600n);
    expect(alice.balance()).toBe(114n);
    expect([...alice.balances()]).toEqual([
      [0n, 114n],
      [TOKEN, 600n],
    ]);
  });

  it("WALLET_INSUFFICIENT_FUNDS with exact meta, and nothing changes", () => {
    const before = toHex(alice.encode());
    const e = errorOf(() => alice.pay({ to: bob, qty: 114n, fee: 1 }, rng)) as WalletError;
    expect(hasCode(e, WalletCode.INSUFFICIENT_FUNDS)).toBe(true);
    expect(e.meta).toMatchObject({ flavor: 0n, requested: 115n, available: 114n });
    const r = errorOf(() => alice.retire({ qty: 601n, flavor: TOKEN }, rng)) as WalletError;
    expect(r.meta).toMatchObject({ flavor: TOKEN, requested: 601n, available: 600n });
    const nobody = new Wallet(KeyManager.fromRoot(root, 9));
    const none = errorOf(() => nobody.issue({ qty: 1n, metadata, issuerSecret: issuer }, rng)) as WalletError;
    expect(hasCode(none, WalletCode.INSUFFICIENT_FUNDS)).toBe(true);
    expect(none.meta.what).toBe("coins");
    expect(toHex(alice.encode())).toBe(before);
    expect(() => alice.pay({ to: bob, qty: 0n }, rng)).toThrow(RangeError);
    expect(() => alice.pay({ to: bob, qty: 1n, fee: -1 }, rng)).toThrow(RangeError);
  });
});

describe("Wallet: pending transactions and blocks", () => {
  it("cancelPending restores the inputs; unknown txids fail", () => {
    const w = Wallet.decode(s2.encoded, KeyManager.fromRoot(root));
    const tx = w.retire({ qty: 1n, flavor: 0n }, rng);
    expect(w.balance()).toBeLessThan(115n);
    expect(w.pendingTxs()).toEqual([toHex(tx.txid)]);
    w.cancelPending(tx.txid);
    expect(w.balance()).toBe(115n);
    expect(w.pendingTxs()).toEqual([]);
    expect(w.utxos().every((u) => u.status === "confirmed")).toBe(true);
    expect(
      hasCode(
        errorOf(() => w.cancelPending(tx.txid)),
        WalletCode.UNKNOWN_UTXO,
      ),
    ).toBe(true);
    const tx2 = w.retire({ qty: 1n, flavor: 0n }, rng);
    // A pending output of a wallet tx is not forgettable: cancel the tx instead.
    expect(
      hasCode(
        errorOf(() => w.forget(tx2.change[0]!.contract.id())),
        WalletCode.UNKNOWN_UTXO,
      ),
    ).toBe(true);
  });

  it("drops a pending tx whose input a block spent elsewhere", () => {
    // Restore the pre-block-2 wallet with the pay tx pending; a rival spend of the same input confirms.
    const w = Wallet.decode(s1.encoded, KeyManager.fromRoot(root));
    const rival = Wallet.decode(s0.encoded, KeyManager.fromRoot(root));
    const rivalTx = rival.pay({ to: bob, qty: 90n, fee: 1 }, rng);
    const blk = mine(genesis.state, [rivalTx], T0 + 1000n);
    const res = w.applyBlock(blk);
    expect(res.dropped).toEqual([toHex(payTx.txid)]);
    expect(res.spent).toEqual([toHex(G_UTXOS[0]!.contract.id())]);
    // The rival's change is to a key this wallet also holds: it shows up unopened.
    expect(res.unopened.map((c) => toHex(c.id()))).toEqual([toHex(rivalTx.change[0]!.contract.id())]);
    expect(w.pendingTxs()).toEqual([]);
    expect(w.balance()).toBe(80n);
    expect(w.utxos().every((u) => u.status === "confirmed")).toBe(true);
    w.receive(rivalTx.change[0]!);
    expect(w.balance()).toBe(89n);
    expect(proofsHold(w, blk.forest)).toBe(true);
  });

  it("a block applied twice or skipped gives WALLET_BLOCK_MISMATCH and changes nothing", () => {
    const w = Wallet.decode(s2.encoded, KeyManager.fromRoot(root));
    expect(toHex(w.tip!)).toBe(toHex(b2.id));
    const before = toHex(w.encode());
    const twice = errorOf(() => w.applyBlock(b2)) as WalletError;
    expect(hasCode(twice, WalletCode.BLOCK_MISMATCH)).toBe(true);
    expect(twice.meta).toEqual({ expected: toHex(b2.id), actual: toHex(genesis.state.tipId) });
    expect(
      hasCode(
        errorOf(() => w.applyBlock(b4)),
        WalletCode.BLOCK_MISMATCH,
      ),
    ).toBe(true);
    expect(toHex(w.encode())).toBe(before);
  });

  it("without block ids, a skipped block shows as WALLET_OUTDATED_PROOF and changes nothing", () => {
    // Block 3's catchup expects proofs of block 2's forest; genesis proofs are a generation too old.
    const old = Wallet.decode(s0.encoded, KeyManager.fromRoot(root));
    const bare: WalletBlock = { verifiedTxs: b3.verifiedTxs, catchup: b3.catchup };
    const e = errorOf(() => old.applyBlock(bare)) as WalletError;
    expect(hasCode(e, WalletCode.OUTDATED_PROOF)).toBe(true);
    expect(hasCode(e.cause, "UTREEXO_OUTDATED_PROOF")).toBe(true);
    expect(toHex(old.encode())).toBe(toHex(s0.encoded));
  });

  it("a tracked pending output with a transient proof stays pending across an unrelated block", () => {
    const w = Wallet.decode(s1.encoded, KeyManager.fromRoot(root));
    const empty = mine(genesis.state, [], T0 + 1000n);
    w.applyBlock(empty);
    expect(w.pendingTxs()).toEqual([toHex(payTx.txid)]);
    const change = w.utxo(payTx.change[0]!.contract.id())!;
    expect(change.status).toBe("pending");
    expect(change.proof).toBe(TRANSIENT);
    expect(proofsHold(w, empty.forest)).toBe(true);
  });
});

describe("Wallet: state encoding", () => {
  it("round-trips (with pending, spent-pending, unopened and confirmed entries)", () => {
    for (const bytes of [s0.encoded, s1.encoded, s2.encoded, alice.encode()]) {
      const w = Wallet.decode(bytes, KeyManager.fromRoot(root));
      expect(toHex(w.encode())).toBe(toHex(bytes));
    }
    const b = Wallet.decode(
      bobWallet.encode(),
      KeyManager.fromRoot(Xprv.fromSeed(utf8("wallet tests: bob"))),
    );
    expect(toHex(b.encode())).toBe(toHex(bobWallet.encode()));
    expect(b.balance()).toBe(60n);
    const w = Wallet.decode(s1.encoded, KeyManager.fromRoot(root));
    expect(w.balance(0n, { pending: true })).toBe(115n);
    expect(w.keys.nextSequence).toBe(4n); // three genesis keys and the change key
    expect(alice.keys.nextSequence).toBe(8n); // + issued output, issuance change, two retirement changes
  });

  it("must-fail twins: version, truncation, trailing bytes, other account, bad status, bad opening", () => {
    const bytes = s2.encoded;
    const code = (b: Uint8Array, keys = KeyManager.fromRoot(root)) => {
      const e = errorOf(() => Wallet.decode(b, keys)) as WalletError;
      return e.code;
    };
    const v = bytes.slice();
    v[0] = 2;
    expect(code(v)).toBe(WalletCode.INVALID_STATE);
    const cut = errorOf(() => Wallet.decode(bytes.subarray(0, bytes.length - 1), KeyManager.fromRoot(root)));
    expect(hasCode(cut, WalletCode.INVALID_STATE)).toBe(true);
    expect(hasCode((cut as WalletError).cause, DecodeCode.UNEXPECTED_END)).toBe(true);
    const long = new Uint8Array(bytes.length + 1);
    long.set(bytes);
    expect(code(long)).toBe(WalletCode.INVALID_STATE);
    expect(code(bytes, KeyManager.fromRoot(root, 1))).toBe(WalletCode.KEY_MISMATCH);
    const flag = bytes.slice();
    flag[73] = 2; // tip flag after version, xpub and next sequence
    expect(code(flag)).toBe(WalletCode.INVALID_STATE);
    // First utxo (after the tip and the count): status, LE32 contract length, contract, LE32 value count, value.
    const at = 74 + 32 + 4;
    const st = bytes.slice();
    st[at] = 7;
    expect(code(st)).toBe(WalletCode.INVALID_STATE);
    const pend = bytes.slice();
    pend[at] = 0; // pending with a committed proof
    expect(code(pend)).toBe(WalletCode.INVALID_STATE);
    const clen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 1, true);
    const valueAt = at + 5 + clen + 4;
    const qty = bytes.slice();
    qty[valueAt] = qty[valueAt]! ^ 1;
    expect(code(qty)).toBe(WalletCode.OPENING_MISMATCH);
    const blinding = bytes.slice();
    blinding[valueAt + 8 + 32 + 31] = 0xff; // non-canonical scalar
    const be = errorOf(() => Wallet.decode(blinding, KeyManager.fromRoot(root))) as WalletError;
    expect(be.code).toBe(WalletCode.INVALID_STATE);
    expect(hasCode(be.cause, DecodeCode.NONCANONICAL_SCALAR)).toBe(true);
  });

  it("must-fail twins: pending-tx records must match the utxos' statuses", () => {
    // s1 ends with one pending tx: txid, 1 input, 1 output (the change).
    const bytes = s1.encoded;
    const tail = bytes.length - (32 + 4 + 32 + 4 + 32);
    const noTx = bytes.slice(0, tail - 4);
    const withZero = new Uint8Array(noTx.length + 4);
    withZero.set(noTx);
    // Zero pending txs while a utxo is spent-pending.
    const e = errorOf(() => Wallet.decode(withZero, KeyManager.fromRoot(root))) as WalletError;
    expect(e.code).toBe(WalletCode.INVALID_STATE);
    expect(e.meta.what).toBe("spent-pending utxo without tx");
    // The input id replaced by the output id.
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(tail + 32 + 4 + 32 + 4, tail + 32 + 4 + 32 + 4 + 32), tail + 32 + 4);
    expect(errorOf(() => Wallet.decode(swapped, KeyManager.fromRoot(root)))).toMatchObject({
      code: WalletCode.INVALID_STATE,
    });
  });
});
