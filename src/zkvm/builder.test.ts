import { describe, expect, it } from "vitest";
import { signMultiMessage } from "../crypto/musig.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { toHex, utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { makeUtxo, ownedOutput, TxBuilder } from "./builder.js";
import { VmCode } from "./errors.js";
import { attachSignature, proveTxUnsigned, signtxTranscript } from "./prover.js";
import { encodeTx } from "./tx.js";
import { precomputeTxBytes, verifyPrecomputed } from "./verifier.js";

const rng = seededRng("builder tests");
const alice = randomScalar(rng);
const bob = randomScalar(rng);
const USD = 0x5553n;

function verifyBytes(bytes: Uint8Array) {
  return verifyPrecomputed(precomputeTxBytes(bytes), { rng });
}

describe("TxBuilder end to end (build, prove, verify)", () => {
  const utxo = makeUtxo(new Uint8Array(32).fill(1), publicKey(alice), {
    qty: 10n,
    flavor: USD,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });

  it("pays 7 to bob with 3 change, then bob spends his output", () => {
    const b = new TxBuilder({ rng });
    b.spend(utxo, alice);
    const open = b.cloakTo([
      { qty: 7n, flavor: USD, predicate: publicKey(bob) },
      { qty: 3n, flavor: USD, predicate: publicKey(alice) },
    ]);
    const proved = b.build();
    const verified = verifyBytes(encodeTx(proved.tx));
    expect(toHex(verified.txid)).toBe(toHex(proved.txid));
    expect(verified.txlog.map((e) => e.type)).toEqual(["header", "input", "output", "output"]);

    // Fees are paid in the fee flavor (zero): bob adds a utxo of it.
    const bobs = ownedOutput(proved, 0, [open[0]!]);
    const feeUtxo = makeUtxo(new Uint8Array(32).fill(2), publicKey(bob), {
      qty: 5n,
      flavor: 0n,
      qtyBlinding: randomScalar(rng),
      flvBlinding: randomScalar(rng),
    });
    const b2 = new TxBuilder({ rng });
    b2.spend(bobs, bob).spend(feeUtxo, bob).fee(1);
    b2.cloakTo([
      { qty: 7n, flavor: USD, predicate: publicKey(alice) },
      { qty: 4n, flavor: 0n, predicate: publicKey(bob) },
    ]);
    const p2 = b2.build();
    const v2 = verifyBytes(encodeTx(p2.tx));
    expect(v2.fee).toBe(1n);
  });

  it("issues a new flavor and retires part of it", () => {
    const b = new TxBuilder({ rng });
    b.spend(utxo, alice);
    const { flavor } = b.issue(50n, utf8("GOLD"), bob);
    b.cloakTo([
      { qty: 10n, flavor: USD, predicate: publicKey(alice) },
      { qty: 45n, flavor, predicate: publicKey(bob) },
      { qty: 5n, flavor, retire: true },
    ]);
    const v = verifyBytes(encodeTx(b.build().tx));
    expect(v.txlog.map((e) => e.type)).toEqual(["header", "input", "issue", "output", "output", "retire"]);
  });

  it("refuses to build an unbalanced or flavor-changing cloak (must-fail twins)", () => {
    for (const outs of [
      [{ qty: 11n, flavor: USD, predicate: publicKey(bob) }],
      [{ qty: 10n, flavor: USD + 1n, predicate: publicKey(bob) }],
    ]) {
      const b = new TxBuilder({ rng });
      b.spend(utxo, alice);
      b.cloakTo(outs);
      let err: unknown;
      try {
        b.build();
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, VmCode.R1CS_INCONSISTENCY)).toBe(true);
    }
  });

  it("proving and signing can be split (signature made elsewhere)", () => {
    const b = new TxBuilder({ rng });
    b.spend(utxo, alice);
    b.cloakTo([{ qty: 10n, flavor: USD, predicate: publicKey(bob) }]);
    const unsigned = proveTxUnsigned(
      b.header,
      b.program.toBytes(),
      { ...b.witness.toWitness(), keys: new Map() },
      { rng },
    );
    expect(unsigned.signtx.map((p) => p.pubkey.toHex())).toEqual([publicKey(alice).toHex()]);
    const sig = signMultiMessage(
      signtxTranscript(unsigned.txid),
      [{ secret: alice, message: unsigned.signtx[0]!.message }],
      rng,
    );
    expect(toHex(verifyBytes(encodeTx(attachSignature(unsigned, sig).tx)).txid)).toBe(toHex(unsigned.txid));
    const wrong = signMultiMessage(
      signtxTranscript(unsigned.txid),
      [{ secret: bob, message: unsigned.signtx[0]!.message }],
      rng,
    );
    expect(() => verifyBytes(encodeTx(attachSignature(unsigned, wrong).tx))).toThrowError(
      expect.objectContaining({ code: VmCode.SIGNATURE_VERIFICATION_FAILED }),
    );
    expect(() => b.witness.addKey(bob, publicKey(alice))).toThrow(RangeError);
  });

  it("a tx signed by the wrong key does not verify", () => {
    const b = new TxBuilder({ rng });
    b.spend(utxo, alice);
    b.cloakTo([{ qty: 10n, flavor: USD, predicate: publicKey(bob) }]);
    // Replace alice's key by bob's for alice's predicate: the signature is made with the wrong secret.
    b.witness.keys.set(publicKey(alice).toHex(), bob);
    const proved = b.build();
    let err: unknown;
    try {
      verifyBytes(encodeTx(proved.tx));
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, VmCode.SIGNATURE_VERIFICATION_FAILED)).toBe(true);
  });
});
