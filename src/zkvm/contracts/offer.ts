/**
 * Offer contract (zkvm-spec.md "Offer example"): a value for sale that the maker can cancel and
 * anyone can lift by paying the price to the maker.
 *
 * Design, following the spec's `contract Offer(value, price, maker) { OR(maker, lift) }`:
 * - The OR is a Taproot predicate (zkvm-spec.md "Taproot"): inner key = the maker's key, one
 *   program = the lift clause, blinded by a blinding key published with the offer.
 * - Cancel: the key path. The maker signs the tx with `signtx` using the tweaked secret
 *   x + h(X, M) (`cancelOffer`), or signs a program over the offer's contract id for `signid`
 *   (`signOfferCancel` / `cancelOfferDelegated`), so anyone can broadcast the cancellation.
 * - Lift: `call` of the lift program with its call proof. The program is the spec's bytecode
 *       <price qty> commit <price flavor> commit borrow <maker> output:1
 *   `borrow` makes the payment +P out of nothing and leaves −P (a wide value); +P goes to the
 *   maker. The taker is left with the offered value and −P, adds their own payment and `cloak`s
 *   everything into their outputs: the cloak balances only if they really pay the price
 *   (otherwise the prover refuses with VM_R1CS_INCONSISTENCY). A taker who rewrites the lift
 *   program with a lower price gets a call proof that does not match the predicate
 *   (VM_SIGNATURE_VERIFICATION_FAILED at verification).
 * - Optional expiry (not in the spec's sketch): the lift clause then starts with a cleartext check
 *   `push:expiry scalar maxtime neg add range drop` (tx.maxtime ≤ expiry), so a late lift fails
 *   with VM_INVALID_BITRANGE; the maker's cancel path is not limited.
 * - The offer is a cleartext contract: the offered value and the price are unblinded commitments
 *   (v·B), and the tx that places the offer logs a data entry describing it (the spec's
 *   "Offer: 1 BTC for 3745 USD" entry, in binary), from which any taker rebuilds the Taproot tree
 *   and the openings it needs:
 *       "zkvm-offer:v1" || LE64 value qty || value flavor(32) || LE64 price qty || price flavor(32)
 *                      || LE64 expiry (2^64−1: none) || maker key(32) || blinding key(32)
 */
import { type CompressedPoint, readCompressedPoint } from "../../crypto/ristretto.js";
import { add, readScalar } from "../../crypto/scalar.js";
import type { Signature } from "../../crypto/starsig.js";
import { bytesEqual, concatBytes, le64, utf8 } from "../../util/bytes.js";
import { DecodeCode, DecodeError } from "../../util/errors.js";
import { Reader } from "../../util/reader.js";
import type { Rng } from "../../util/rng.js";
import { type OpenValue, ProgramBuilder } from "../builder.js";
import type { Contract } from "../contract.js";
import { PredicateTree } from "../predicate.js";
import type { TxEntry } from "../txlog.js";
import {
  type Amount,
  assertNotAfterClear,
  type CloakRequest,
  encodeQtyFlavor,
  lockTop,
  MAX_TIME,
  type OutputRequest,
  outputsOf,
  signProgram,
  spendWithSignedProgram,
  type ValueFlow,
} from "./common.js";

/** Prefix of the data entry describing an offer. */
export const OFFER_MAGIC = utf8("zkvm-offer:v1");
/** Length of an offer description. */
export const OFFER_DESCRIPTION_LENGTH = OFFER_MAGIC.length + 2 * (8 + 32) + 8 + 32 + 32;

export interface OfferTerms {
  /** The maker's key: cancels the offer and receives the payment. */
  readonly maker: CompressedPoint;
  /** What is for sale. */
  readonly value: Amount;
  /** What the taker pays. */
  readonly price: Amount;
  /** Last moment (tx maxtime) of a lift; no expiry if absent. */
  readonly expires?: bigint;
  /** Blinding key of the Taproot tree (published with the offer). */
  readonly blindingKey: Uint8Array;
}

/** An unblinded open value (both blinding factors zero). */
function unblinded(a: Amount): OpenValue {
  return { qty: a.qty, flavor: a.flavor, qtyBlinding: 0n, flvBlinding: 0n };
}

/** An offer: its terms and the Taproot predicate that locks the offered value. */
export class Offer {
  readonly terms: OfferTerms;
  readonly tree: PredicateTree;

  constructor(terms: OfferTerms) {
    this.terms = terms;
    this.tree = new PredicateTree(terms.maker, [liftProgram(terms).toBytes()], terms.blindingKey);
  }

  /** The predicate of the offer contract. */
  get predicate(): CompressedPoint {
    return this.tree.outerKey;
  }

  /** The offered value's opening (unblinded). */
  offeredValue(): OpenValue {
    return unblinded(this.terms.value);
  }

  /** The opening of the payment the maker receives (unblinded). */
  paymentValue(): OpenValue {
    return unblinded(this.terms.price);
  }

  /** The secret that signs for the offer predicate (key path): maker secret + h(X, M). */
  keyPathSecret(makerSecret: bigint): bigint {
    return add(makerSecret, this.tree.adjustmentFactor);
  }

  /** The cloak output that places the offer (unblinded value under the offer predicate). */
  outputRequest(): OutputRequest {
    const v = this.terms.value;
    return { qty: v.qty, flavor: v.flavor, predicate: this.predicate, qtyBlinding: 0n, flvBlinding: 0n };
  }

  /** The data entry that makes the offer discoverable. */
  describe(): Uint8Array {
    const t = this.terms;
    return concatBytes(
      OFFER_MAGIC,
      encodeQtyFlavor(t.value.qty, t.value.flavor),
      encodeQtyFlavor(t.price.qty, t.price.flavor),
      le64(t.expires ?? MAX_TIME),
      t.maker.bytes,
      t.blindingKey,
    );
  }

  /** Parses an offer description. Throws DECODE_INVALID_TAG (not an offer) or other DECODE_* errors. */
  static fromDescription(bytes: Uint8Array): Offer {
    if (bytes.length < OFFER_MAGIC.length || !bytesEqual(bytes.subarray(0, OFFER_MAGIC.length), OFFER_MAGIC))
      throw new DecodeError(DecodeCode.INVALID_TAG, { what: "offer description" });
    const r = new Reader(bytes);
    r.readBytes(OFFER_MAGIC.length, "offer magic");
    const value = { qty: r.readU64("value qty"), flavor: readScalar(r, "value flavor") };
    const price = { qty: r.readU64("price qty"), flavor: readScalar(r, "price flavor") };
    const expires = r.readU64("expiry");
    const maker = readCompressedPoint(r, "maker key");
    const blindingKey = r.read32("blinding key").slice();
    r.end("offer description");
    maker.decompress("maker key");
    return new Offer({ maker, value, price, blindingKey, ...(expires === MAX_TIME ? {} : { expires }) });
  }

  /** This offer's output in a tx log, if the tx placed it. */
  findIn(txlog: readonly TxEntry[]): Contract | undefined {
    return outputsOf(txlog).find((c) => c.predicate.equals(this.predicate));
  }
}

/**
 * The lift clause: `<price qty> commit <price flavor> commit borrow <maker> output:1`, after the
 * expiry check if the offer expires.
 */
export function liftProgram(terms: OfferTerms, b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
  if (terms.expires !== undefined) assertNotAfterClear(b, terms.expires);
  b.pushCommitment(terms.price.qty, 0n).commit();
  b.pushCommitment(terms.price.flavor, 0n).commit();
  return b.borrow().push(terms.maker).output(1);
}

/** Offers placed by a tx: every offer data entry whose output is in the same log. */
export function discoverOffers(txlog: readonly TxEntry[]): { offer: Offer; contract: Contract }[] {
  const found: { offer: Offer; contract: Contract }[] = [];
  for (const e of txlog) {
    if (e.type !== "data" || e.data.length !== OFFER_DESCRIPTION_LENGTH) continue;
    if (!bytesEqual(e.data.subarray(0, OFFER_MAGIC.length), OFFER_MAGIC)) continue;
    let offer: Offer;
    try {
      offer = Offer.fromDescription(e.data);
    } catch (err) {
      if (err instanceof DecodeError) continue;
      throw err;
    }
    const contract = offer.findIn(txlog);
    if (contract !== undefined) found.push({ offer, contract });
  }
  return found;
}

/**
 * Places the offer: cloaks the pending values into the offer output (first) and `others`, then
 * logs the offer description. Returns the open values of all outputs.
 */
export function placeOffer(flow: ValueFlow, offer: Offer, others: readonly CloakRequest[]): OpenValue[] {
  const open = flow.cloakTo([offer.outputRequest(), ...others]);
  flow.log(offer.describe());
  return open;
}

/**
 * Lifts the offer: `push:offer input push:proof program:lift call`. Leaves the offered value and
 * the negative payment on the stack (2 pending values); the taker then adds a payment of at least
 * the price and cloaks.
 */
export function liftOffer(flow: ValueFlow, offer: Offer, contract: Contract): ValueFlow {
  flow.learn([offer.offeredValue()]);
  const { proof, program } = offer.tree.callProof(0);
  const lift = liftProgram(offer.terms, flow.program.sub()).toBytes();
  if (!bytesEqual(lift, program)) throw new RangeError("liftOffer: lift program differs from the tree");
  flow.program.push(contract).input().push(proof.encode()).program(lift).call();
  return flow.addPending(2);
}

/** Cancels the offer with the maker's signature on the tx (key path); leaves the value (1 pending). */
export function cancelOffer(
  flow: ValueFlow,
  offer: Offer,
  contract: Contract,
  makerSecret: bigint,
): ValueFlow {
  return flow.spend({ contract, values: [offer.offeredValue()] }, offer.keyPathSecret(makerSecret));
}

/**
 * A delegated cancellation: the maker signs, over the offer's contract id, a program that sends the
 * offered value to `destination` (`push:destination output:1`). Anyone can broadcast it.
 */
export function signOfferCancel(
  offer: Offer,
  contract: Contract,
  makerSecret: bigint,
  destination: CompressedPoint,
  rng: Rng,
): { program: Uint8Array; signature: Signature } {
  const program = lockTop(new ProgramBuilder(), destination).toBytes();
  const signature = signProgram(
    { contractId: contract.id() },
    program,
    offer.keyPathSecret(makerSecret),
    rng,
  );
  return { program, signature };
}

/** Runs a delegated cancellation (`push:offer input program:P push:sig signid`); no pending values. */
export function cancelOfferDelegated(
  flow: ValueFlow,
  contract: Contract,
  signed: { readonly program: Uint8Array; readonly signature: Signature },
): ValueFlow {
  return spendWithSignedProgram(flow, "signid", contract, signed.program, signed.signature);
}
