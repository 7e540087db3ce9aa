import { describe, expect, it } from "vitest";
import { encodeScalar, L, randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import { makeUtxo, TxBuilder } from "../zkvm/builder.js";
import { PredicateTree } from "../zkvm/predicate.js";
import { encodeTx } from "../zkvm/tx.js";
import { precomputeTxBytes, verifyPrecomputed } from "../zkvm/verifier.js";
import { WalletCode } from "./errors.js";
import vectors from "./fixtures/keytree.json" with { type: "json" };
import {
  accountXprv,
  accountXpub,
  KeyManager,
  keyAtSequence,
  secretAtSequence,
  taprootSigningSecret,
  WALLET_LABEL,
} from "./keys.js";
import { u64Selector, Xprv, Xpub } from "./keytree.js";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded ${String(e)}`;
  }
  throw new Error("expected an error");
}

const rng = seededRng("wallet keys tests");
const root = Xprv.fromSeed(utf8("wallet keys tests"));

describe("account and receiving keys", () => {
  it("account derivation is the keytree vector's account_id step", () => {
    const seed = vectors.from_seed[0]!;
    const r = Xprv.fromSeed(fromHex(seed.seed_hex));
    const step = seed.paths.find((p) => p.path.startsWith("account_id=34"))!.steps[0]!;
    expect(step.append_u64.label).toBe(WALLET_LABEL.ACCOUNT);
    expect(accountXprv(r, 34).toHex()).toBe(step.xprv);
    expect(accountXpub(Xpub.fromHex(seed.root_xpub), 34n).toHex()).toBe(step.xpub);
  });

  it("receiving keys: leaf append_u64('sequence', i); xpub side matches xprv side", () => {
    const account = accountXprv(root, 0);
    for (const i of [0n, 1n, 7n, (1n << 64n) - 1n]) {
      const secret = secretAtSequence(account, i);
      expect(secret).toBe(account.deriveLeaf(u64Selector("sequence", i)));
      expect(keyAtSequence(account.xpub, i).equals(publicKey(secret))).toBe(true);
    }
    expect(secretAtSequence(account, 0)).not.toBe(secretAtSequence(account, 1));
    expect(() => secretAtSequence(account, -1)).toThrow(RangeError);
  });
});

describe("KeyManager", () => {
  it("hands out receiving keys in sequence and finds their secrets", () => {
    const km = KeyManager.fromRoot(root, 2);
    expect(km.xpub.equals(accountXprv(root, 2).xpub)).toBe(true);
    expect(km.nextSequence).toBe(0n);
    const a = km.nextReceivingKey();
    const b = km.nextReceivingKey();
    expect([a.sequence, b.sequence, km.nextSequence]).toEqual([0n, 1n, 2n]);
    expect(a.predicate.equals(keyAtSequence(km.xpub, 0))).toBe(true);
    expect(publicKey(km.secretFor(b.predicate)).equals(b.predicate)).toBe(true);
    expect(km.secretFor(b.predicate.toHex().toUpperCase())).toBe(km.secretFor(b.predicate));
    expect(km.sequenceOf(b.predicate)).toBe(1n);
    expect(km.has(a.predicate)).toBe(true);
    expect(km.size).toBe(2);
    const keys = km.signingKeys([a.predicate, b.predicate.toHex()]);
    expect([...keys.keys()]).toEqual([a.predicate.toHex(), b.predicate.toHex()]);
    expect(keys.get(a.predicate.toHex())).toBe(secretAtSequence(km.account, 0));
  });

  it("restores: nextSequence option, look-ahead range, explicit keyAt", () => {
    const km = new KeyManager(accountXprv(root, 0), { nextSequence: 5 });
    expect(km.nextReceivingKey().sequence).toBe(5n);
    const window = km.registerRange(0, 3);
    expect(window.map((k) => k.sequence)).toEqual([0n, 1n, 2n]);
    expect(km.nextSequence).toBe(6n);
    expect(km.keyAt(9).predicate.equals(keyAtSequence(km.xpub, 9))).toBe(true);
    expect(km.sequenceOf(keyAtSequence(km.xpub, 9))).toBe(9n);
    expect(km.sequenceOf(keyAtSequence(km.xpub, 10))).toBeUndefined();
    expect(() => new KeyManager(km.account, { nextSequence: -1 })).toThrow(RangeError);
    expect(() => km.registerRange(0, 1.5)).toThrow(RangeError);
  });

  it("extra secrets (e.g. issuance keys) are registered by their public key", () => {
    const km = KeyManager.fromRoot(root);
    const s = randomScalar(rng);
    const p = km.addSecret(s);
    expect(p.equals(publicKey(s))).toBe(true);
    expect(km.secretFor(p)).toBe(s);
    expect(km.sequenceOf(p)).toBeUndefined();
    expect(() => km.addSecret(L)).toThrow(RangeError);
  });

  it("must fail: an unknown predicate gives WALLET_UNKNOWN_KEY", () => {
    const km = KeyManager.fromRoot(root);
    const known = km.nextReceivingKey().predicate;
    const unknown = keyAtSequence(km.xpub, 1);
    expect(codeOf(() => km.secretFor(unknown))).toBe(WalletCode.UNKNOWN_KEY);
    expect(codeOf(() => km.signingKeys([known, unknown]))).toBe(WalletCode.UNKNOWN_KEY);
    expect(km.has(unknown)).toBe(false);
    // Another account's keys are not this manager's.
    const other = KeyManager.fromRoot(root, 1);
    expect(codeOf(() => other.secretFor(known))).toBe(WalletCode.UNKNOWN_KEY);
  });
});

describe("Taproot", () => {
  const km = KeyManager.fromRoot(root, 0);
  const inner = km.keyAt(3);
  const programs = [utf8("program one"), utf8("program two")];
  const tree = new PredicateTree(inner.predicate, programs, new Uint8Array(32).fill(9));

  it("signs for P = X + h·B with x + h", () => {
    const x = km.secretFor(inner.predicate);
    const s = taprootSigningSecret(tree, x);
    expect(s).toBe((x + tree.adjustmentFactor) % L);
    expect(publicKey(s).equals(tree.outerKey)).toBe(true);
    const outer = km.addTaprootAt(tree, 3);
    expect(outer.equals(tree.outerKey)).toBe(true);
    expect(km.secretFor(outer)).toBe(s);
    const km2 = KeyManager.fromRoot(root, 0);
    expect(km2.addTaproot(tree, x).equals(outer)).toBe(true);
    expect(km2.secretFor(outer)).toBe(s);
  });

  it("must fail: a secret that is not the inner key's gives WALLET_KEY_MISMATCH", () => {
    expect(codeOf(() => km.addTaprootAt(tree, 4))).toBe(WalletCode.KEY_MISMATCH);
    expect(codeOf(() => taprootSigningSecret(tree, randomScalar(rng)))).toBe(WalletCode.KEY_MISMATCH);
    // The unsignable key (no inner key) matches no secret.
    const unsignable = new PredicateTree(undefined, programs, new Uint8Array(32));
    expect(codeOf(() => km.addTaproot(unsignable, km.secretFor(inner.predicate)))).toBe(
      WalletCode.KEY_MISMATCH,
    );
    expect(() => taprootSigningSecret(tree, -1n)).toThrow(RangeError);
  });
});

describe("end to end with the ZkVM prover", () => {
  it("spends a receiving-key utxo and a Taproot utxo with the manager's secrets; a wrong secret fails", () => {
    const km = KeyManager.fromRoot(Xprv.random(rng), 0);
    const receive = km.nextReceivingKey();
    const inner = km.nextReceivingKey();
    const tree = new PredicateTree(inner.predicate, [utf8("unused program")], new Uint8Array(32).fill(3));
    const taproot = km.addTaproot(tree, km.secretFor(inner.predicate));
    const USD = 0x5553n;
    const open = (qty: bigint) => ({
      qty,
      flavor: USD,
      qtyBlinding: randomScalar(rng),
      flvBlinding: randomScalar(rng),
    });
    const u1 = makeUtxo(new Uint8Array(32).fill(1), receive.predicate, open(4n));
    const u2 = makeUtxo(new Uint8Array(32).fill(2), taproot, open(6n));
    const payee = keyAtSequence(accountXpub(root.xpub, 7), 0);

    const b = new TxBuilder({ rng });
    b.spend(u1, km.secretFor(u1.contract.predicate)).spend(u2, km.secretFor(u2.contract.predicate));
    b.cloakTo([{ qty: 10n, flavor: USD, predicate: payee }]);
    const proved = b.build();
    expect(Array.from(km.signingKeys([receive.predicate, taproot]).entries())).toEqual(
      Array.from(b.witness.keys.entries()),
    );
    const verified = verifyPrecomputed(precomputeTxBytes(encodeTx(proved.tx)), { rng });
    expect(toHex(verified.txid)).toBe(toHex(proved.txid));

    // Twin: signing the Taproot input with the inner secret alone (without h) does not verify.
    const bad = new TxBuilder({ rng });
    bad.spend(u2, km.secretFor(inner.predicate));
    bad.cloakTo([{ qty: 6n, flavor: USD, predicate: payee }]);
    expect(() => verifyPrecomputed(precomputeTxBytes(encodeTx(bad.build().tx)), { rng })).toThrowError(
      expect.objectContaining({ code: "VM_SIGNATURE_VERIFICATION_FAILED" }),
    );
    expect(toHex(encodeScalar(km.secretFor(taproot)))).not.toBe(
      toHex(encodeScalar(km.secretFor(inner.predicate))),
    );
  });
});
