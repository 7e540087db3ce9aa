import { describe, expect, it } from "vitest";
import { randomScalar } from "../../crypto/scalar.js";
import { publicKey } from "../../crypto/starsig.js";
import { DecodeCode } from "../../util/errors.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { makeUtxo, type OwnedUtxo } from "../builder.js";
import type { Contract } from "../contract.js";
import { VmCode } from "../errors.js";
import { Opcode } from "../ops.js";
import { buildAndVerify, codeOf, failureOf, verifyProved } from "./_testUtil.js";
import { commitment, outputsOf, ValueFlow } from "./common.js";
import {
  cancelOffer,
  cancelOfferDelegated,
  discoverOffers,
  liftOffer,
  liftProgram,
  Offer,
  placeOffer,
  signOfferCancel,
} from "./offer.js";

const rng = seededRng("offer contract tests");
const maker = randomScalar(rng);
const taker = randomScalar(rng);
const BTC = 0xb7cn;
const USD = 0x5553n;
const EXPIRY = 1_760_000_000_000n;

function utxo(seed: number, secret: bigint, qty: bigint, flavor: bigint): OwnedUtxo {
  return makeUtxo(new Uint8Array(32).fill(seed), publicKey(secret), {
    qty,
    flavor,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });
}

const offer = new Offer({
  maker: publicKey(maker),
  value: { qty: 1n, flavor: BTC },
  price: { qty: 3745n, flavor: USD },
  expires: EXPIRY,
  blindingKey: randomBytes(rng, 32),
});

/** A taker's tx, valid until the offer expires. */
function liftFlow(maxtime = EXPIRY): ValueFlow {
  return new ValueFlow({ rng, mintime: EXPIRY - 3_600_000n, maxtime });
}

describe("offer: place, discover, lift, cancel", () => {
  let offerContract: Contract;

  it("the maker places an offer (1 of 3 BTC for 3745 USD) that takers can discover from the log", () => {
    const flow = new ValueFlow({ rng });
    flow.spend(utxo(1, maker, 3n, BTC), maker);
    placeOffer(flow, offer, [{ qty: 2n, flavor: BTC, predicate: publicKey(maker) }]);
    const { verified } = buildAndVerify(flow, rng);
    const found = discoverOffers(verified.txlog);
    expect(found).toHaveLength(1);
    expect(found[0]!.offer.predicate.equals(offer.predicate)).toBe(true);
    expect(found[0]!.offer.terms.price).toEqual({ qty: 3745n, flavor: USD });
    offerContract = found[0]!.contract;
  });

  it("a taker lifts it: borrow pays the maker, cloak repays the borrow from the taker's 5000 USD", () => {
    const flow = liftFlow();
    liftOffer(flow, offer, offerContract);
    flow.spend(utxo(2, taker, 5000n, USD), taker);
    flow.cloakTo([
      { qty: 1n, flavor: BTC, predicate: publicKey(taker) },
      { qty: 1255n, flavor: USD, predicate: publicKey(taker) },
    ]);
    const { verified } = buildAndVerify(flow, rng);
    const outs = outputsOf(verified.txlog);
    // The maker's payment is the first output (made inside the lift program), in the clear.
    expect(outs[0]!.predicate.equals(publicKey(maker))).toBe(true);
    const pay = outs[0]!.payload[0]!;
    expect(pay.kind === "value" && pay.qty.equals(commitment(3745n, 0n))).toBe(true);
    expect(pay.kind === "value" && pay.flv.equals(commitment(USD, 0n))).toBe(true);
    expect(outs).toHaveLength(3);
  });

  it("too little: paying 3000 USD for a 3745 USD price is refused by the prover's cloak", () => {
    const flow = liftFlow();
    liftOffer(flow, offer, offerContract);
    flow.spend(utxo(3, taker, 3000n, USD), taker);
    flow.cloakTo([{ qty: 1n, flavor: BTC, predicate: publicKey(taker) }]);
    expect(failureOf(() => flow.build())).toEqual({
      code: VmCode.R1CS_INCONSISTENCY,
      opcode: Opcode.cloak,
      cause: "CLOAK_UNBALANCED",
    });
  });

  it("too late: lifting after the expiry fails the cleartext time check", () => {
    const flow = liftFlow(EXPIRY + 1n);
    liftOffer(flow, offer, offerContract);
    flow.spend(utxo(5, taker, 5000n, USD), taker);
    flow.cloakTo([
      { qty: 1n, flavor: BTC, predicate: publicKey(taker) },
      { qty: 1255n, flavor: USD, predicate: publicKey(taker) },
    ]);
    expect(failureOf(() => flow.build())).toEqual({ code: VmCode.INVALID_BITRANGE, opcode: Opcode.range });
  });

  it("a taker who rewrites the lift clause with a lower price fails the call proof at verification", () => {
    const flow = liftFlow();
    flow.learn([offer.offeredValue()]);
    const cheap = liftProgram({ ...offer.terms, price: { qty: 3000n, flavor: USD } }, flow.program.sub());
    flow.program
      .push(offerContract)
      .input()
      .push(offer.tree.callProof(0).proof.encode())
      .program(cheap)
      .call();
    flow.addPending(2);
    flow.spend(utxo(4, taker, 3000n, USD), taker);
    // A flavor that nets to zero still needs a (zero) output of its own in the cloak.
    flow.cloakTo([
      { qty: 1n, flavor: BTC, predicate: publicKey(taker) },
      { qty: 0n, flavor: USD, predicate: publicKey(taker) },
    ]);
    const proved = flow.build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("the maker cancels with the key path (signtx); anyone else signing is rejected (wrong signer)", () => {
    const ok = new ValueFlow({ rng });
    cancelOffer(ok, offer, offerContract, maker);
    ok.cloakTo([{ qty: 1n, flavor: BTC, predicate: publicKey(maker) }]);
    expect(outputsOf(buildAndVerify(ok, rng).verified.txlog)).toHaveLength(1);

    const bad = new ValueFlow({ rng });
    cancelOffer(bad, offer, offerContract, taker);
    bad.cloakTo([{ qty: 1n, flavor: BTC, predicate: publicKey(taker) }]);
    const proved = bad.build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("a delegated cancel (signid by the maker) can be broadcast by anyone; a taker's signature fails", () => {
    const signed = signOfferCancel(offer, offerContract, maker, publicKey(maker), rng);
    const ok = new ValueFlow({ rng });
    cancelOfferDelegated(ok, offerContract, signed);
    const outs = outputsOf(buildAndVerify(ok, rng).verified.txlog);
    expect(outs[0]!.predicate.equals(publicKey(maker))).toBe(true);

    const forged = signOfferCancel(offer, offerContract, taker, publicKey(taker), rng);
    const bad = new ValueFlow({ rng });
    cancelOfferDelegated(bad, offerContract, forged);
    const proved = bad.build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });
});

describe("offer description", () => {
  it("round-trips and rejects malformed descriptions", () => {
    const bytes = offer.describe();
    const back = Offer.fromDescription(bytes);
    expect(back.predicate.equals(offer.predicate)).toBe(true);
    expect(back.terms.expires).toBe(EXPIRY);
    const { expires: _, ...forever } = offer.terms;
    const noExpiry = Offer.fromDescription(new Offer(forever).describe());
    expect(noExpiry.terms.expires).toBeUndefined();
    expect(noExpiry.predicate.equals(offer.predicate)).toBe(false);
    expect(codeOf(() => Offer.fromDescription(bytes.slice(0, bytes.length - 1)))).toBe(
      DecodeCode.UNEXPECTED_END,
    );
    expect(codeOf(() => Offer.fromDescription(Uint8Array.of(...bytes, 0)))).toBe(DecodeCode.TRAILING_BYTES);
    const wrongMagic = bytes.slice();
    wrongMagic[0]! ^= 1;
    expect(codeOf(() => Offer.fromDescription(wrongMagic))).toBe(DecodeCode.INVALID_TAG);
    const badKey = bytes.slice();
    badKey.fill(0xff, bytes.length - 64, bytes.length - 32);
    expect(codeOf(() => Offer.fromDescription(badKey))).toBe(DecodeCode.INVALID_POINT);
  });
});
