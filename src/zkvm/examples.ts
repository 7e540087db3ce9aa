/**
 * Example transactions built and proven by this implementation, one per feature of the VM
 * (zkvm-spec.md "Instructions" and "Examples"): spends and payments, issuance, retirement,
 * multi-flavor cloaks, borrowing (an offer lift), fees, Taproot calls, `signid`, `signtag`,
 * Musig keys, time bounds checked in the clear and in zero knowledge, and the contracts of
 * `src/zkvm/contracts`. Used by `zkvm-node tx examples` to write a file of valid transactions.
 *
 * Inputs are utxos made directly (`makeUtxo`), as a genesis would; every example draws its keys,
 * anchors and blindings from its own RNG, derived from 32 bytes of the caller's RNG and the
 * example's name, so the output is deterministic given the caller's seed.
 */
import { aggregateSecretKeys, Multikey } from "../crypto/musig.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { concatBytes, toHex, utf8 } from "../util/bytes.js";
import { type Rng, randomBytes, seededRng } from "../util/rng.js";
import { makeUtxo, type OwnedUtxo, ProgramBuilder, valueCommitments } from "./builder.js";
import { Contract } from "./contract.js";
import {
  assertNotAfterClear,
  assertNotBefore,
  assertNotBeforeClear,
  lockTop,
  signProgram,
  spendWithSignedProgram,
  ValueFlow,
} from "./contracts/common.js";
import { claimDefaultedLoan, Loan } from "./contracts/loan.js";
import { liftOffer, Offer } from "./contracts/offer.js";
import { forceClose, jointSecret, PaymentChannel } from "./contracts/paymentChannel.js";
import { PredicateTree, unsignableKey } from "./predicate.js";
import type { ProvedTx } from "./prover.js";
import { encodeTx } from "./tx.js";

/** One example transaction: its name, serialized bytes (hex) and what it shows. */
export interface ExampleTx {
  readonly name: string;
  readonly tx_hex: string;
  readonly description: string;
}

const USD = 0x5553n;
const EUR = 0x455552n;
const BTC = 0x425443n;
/** Fees are paid in flavor 0. */
const FEE_FLAVOR = 0n;
const T0 = 1_700_000_000_000n;

/** Keys, utxos and blindings of one example. */
class Ctx {
  readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  secret(): bigint {
    return randomScalar(this.rng);
  }

  /** A utxo of one value under `predicate` (anchor and blindings random). */
  utxo(predicate: CompressedPoint, qty: bigint, flavor: bigint): OwnedUtxo {
    return makeUtxo(randomBytes(this.rng, 32), predicate, {
      qty,
      flavor,
      qtyBlinding: randomScalar(this.rng),
      flvBlinding: randomScalar(this.rng),
    });
  }

  flow(mintime?: bigint, maxtime?: bigint): ValueFlow {
    return new ValueFlow({
      rng: this.rng,
      ...(mintime === undefined ? {} : { mintime }),
      ...(maxtime === undefined ? {} : { maxtime }),
    });
  }
}

interface ExampleDef {
  readonly name: string;
  readonly description: string;
  readonly build: (ctx: Ctx) => ProvedTx;
}

const EXAMPLES: readonly ExampleDef[] = [
  {
    name: "spend_1_1",
    description: "One utxo spent (input signtx) and re-locked to another key through cloak:1:1.",
    build: (c) => {
      const alice = c.secret();
      const f = c.flow();
      f.spend(c.utxo(publicKey(alice), 10n, USD), alice);
      f.cloakTo([{ qty: 10n, flavor: USD, predicate: publicKey(c.secret()) }]);
      return f.build();
    },
  },
  {
    name: "payment_2_2",
    description: "Two inputs (6 + 4 USD) pay 7 USD to Bob with 3 USD change (cloak:2:2), with a memo (log).",
    build: (c) => {
      const alice = c.secret();
      const f = c.flow();
      f.spend(c.utxo(publicKey(alice), 6n, USD), alice).spend(c.utxo(publicKey(alice), 4n, USD), alice);
      f.cloakTo([
        { qty: 7n, flavor: USD, predicate: publicKey(c.secret()) },
        { qty: 3n, flavor: USD, predicate: publicKey(alice) },
      ]);
      f.log(utf8("invoice #1234"));
      return f.build();
    },
  },
  {
    name: "issue",
    description:
      "Issues 1000 units of a new flavor (issue signtx by the issuer key); an input provides the anchor.",
    build: (c) => {
      const alice = c.secret();
      const issuer = c.secret();
      const f = c.flow();
      f.spend(c.utxo(publicKey(alice), 5n, USD), alice);
      const { flavor } = f.issue(1000n, utf8("example token"), issuer);
      f.cloakTo([
        { qty: 5n, flavor: USD, predicate: publicKey(alice) },
        { qty: 1000n, flavor, predicate: publicKey(alice) },
      ]);
      return f.build();
    },
  },
  {
    name: "retire",
    description: "Retires 4 of 10 USD (a cloak output consumed by retire) and keeps 6.",
    build: (c) => {
      const alice = c.secret();
      const f = c.flow();
      f.spend(c.utxo(publicKey(alice), 10n, USD), alice);
      f.cloakTo([
        { qty: 6n, flavor: USD, predicate: publicKey(alice) },
        { qty: 4n, flavor: USD, retire: true },
      ]);
      return f.build();
    },
  },
  {
    name: "cloak_3_4_two_flavors",
    description: "Three inputs of two flavors (5 USD, 7 USD, 3 EUR) become four outputs (8+4 USD, 2+1 EUR).",
    build: (c) => {
      const [a, b] = [c.secret(), c.secret()];
      const f = c.flow();
      f.spend(c.utxo(publicKey(a), 5n, USD), a);
      f.spend(c.utxo(publicKey(b), 7n, USD), b);
      f.spend(c.utxo(publicKey(a), 3n, EUR), a);
      f.cloakTo([
        { qty: 8n, flavor: USD, predicate: publicKey(b) },
        { qty: 2n, flavor: EUR, predicate: publicKey(b) },
        { qty: 4n, flavor: USD, predicate: publicKey(a) },
        { qty: 1n, flavor: EUR, predicate: publicKey(a) },
      ]);
      return f.build();
    },
  },
  {
    name: "offer_lift_borrow",
    description:
      "Lifts an offer (1 BTC for 3745 USD): call of the lift branch, whose borrow pays the maker; the taker repays -3745 USD through cloak.",
    build: (c) => {
      const [maker, taker] = [c.secret(), c.secret()];
      const offer = new Offer({
        maker: publicKey(maker),
        value: { qty: 1n, flavor: BTC },
        price: { qty: 3745n, flavor: USD },
        blindingKey: randomBytes(c.rng, 32),
      });
      const offerUtxo = makeUtxo(randomBytes(c.rng, 32), offer.predicate, offer.offeredValue());
      const f = c.flow();
      liftOffer(f, offer, offerUtxo.contract);
      f.spend(c.utxo(publicKey(taker), 4000n, USD), taker);
      f.cloakTo([
        { qty: 1n, flavor: BTC, predicate: publicKey(taker) },
        { qty: 255n, flavor: USD, predicate: publicKey(taker) },
      ]);
      return f.build();
    },
  },
  {
    name: "fee",
    description: "Pays a fee of 2 (flavor 0): the fee's wide value -2 is balanced in the cloak.",
    build: (c) => {
      const alice = c.secret();
      const f = c.flow();
      f.spend(c.utxo(publicKey(alice), 10n, FEE_FLAVOR), alice).fee(2);
      f.cloakTo([{ qty: 8n, flavor: FEE_FLAVOR, predicate: publicKey(alice) }]);
      return f.build();
    },
  },
  {
    name: "taproot_call",
    description:
      "Spends a Taproot predicate through its second program branch (call with a call proof), not the key path; the branch delegates to Carol's key (contract:1 signtx).",
    build: (c) => {
      const [alice, bob, carol] = [c.secret(), c.secret(), c.secret()];
      const branches = [publicKey(bob), publicKey(carol)].map((k) =>
        new ProgramBuilder().push(k).contract(1).signtx().toBytes(),
      );
      const tree = new PredicateTree(publicKey(alice), branches, randomBytes(c.rng, 32));
      const utxo = c.utxo(tree.outerKey, 20n, USD);
      const f = c.flow();
      const { proof, program } = tree.callProof(1);
      f.learn(utxo.values).witness.addKey(carol);
      f.program.push(utxo.contract).input().push(proof.encode()).program(program).call();
      f.addPending(1);
      f.cloakTo([{ qty: 20n, flavor: USD, predicate: publicKey(carol) }]);
      return f.build();
    },
  },
  {
    name: "signid",
    description:
      "Alice signs, over the contract id, a program that sends her utxo to Bob (signid); anyone can publish it. No cloak: the value moves unchanged.",
    build: (c) => {
      const alice = c.secret();
      const utxo = c.utxo(publicKey(alice), 10n, USD);
      const program = lockTop(new ProgramBuilder(), publicKey(c.secret())).toBytes();
      const sig = signProgram({ contractId: utxo.contract.id() }, program, alice, c.rng);
      return spendWithSignedProgram(c.flow(), "signid", utxo.contract, program, sig).build();
    },
  },
  {
    name: "signtag",
    description:
      "A contract [value, tag] opened with a program signed over its tag (signtag): the program drops the tag and locks the value to Bob.",
    build: (c) => {
      const alice = c.secret();
      const base = c.utxo(publicKey(alice), 10n, USD);
      const tag = utf8("invoice #42");
      const contract = new Contract(base.contract.anchor, publicKey(alice), [
        ...base.contract.payload,
        { kind: "string", bytes: tag },
      ]);
      const program = lockTop(new ProgramBuilder().drop(), publicKey(c.secret())).toBytes();
      const sig = signProgram({ tag }, program, alice, c.rng);
      return spendWithSignedProgram(c.flow(), "signtag", contract, program, sig).build();
    },
  },
  {
    name: "musig_key",
    description:
      "Spends a utxo locked by the Musig aggregation of two keys (one signtx key for both parties).",
    build: (c) => {
      const [a, b] = [c.secret(), c.secret()];
      const joint = Multikey.create([publicKey(a), publicKey(b)]).aggregatedKey;
      const f = c.flow();
      f.spend(c.utxo(joint, 10n, EUR), aggregateSecretKeys([a, b]));
      f.cloakTo([{ qty: 10n, flavor: EUR, predicate: publicKey(a) }]);
      return f.build();
    },
  },
  {
    name: "time_lock_zk",
    description:
      "A time-locked utxo: its only branch checks mintime >= T against a committed T (range proof in zero knowledge), then requires Alice's signature.",
    build: (c) => {
      const alice = c.secret();
      const lockUntil = { time: T0 + 86_400_000n, blinding: randomScalar(c.rng) };
      const branch = new ProgramBuilder();
      assertNotBefore(branch, lockUntil).push(publicKey(alice)).contract(1).signtx();
      const tree = new PredicateTree(unsignableKey(), [branch.toBytes()], randomBytes(c.rng, 32));
      const utxo = c.utxo(tree.outerKey, 10n, USD);
      const f = c.flow(lockUntil.time, lockUntil.time + 3_600_000n);
      const { proof, program } = tree.callProof(0);
      f.learn(utxo.values).witness.addKey(alice);
      f.witness.commit(lockUntil.time, lockUntil.blinding);
      f.program.push(utxo.contract).input().push(proof.encode()).program(program).call();
      f.addPending(1);
      f.cloakTo([{ qty: 10n, flavor: USD, predicate: publicKey(alice) }]);
      return f.build();
    },
  },
  {
    name: "time_bounds_clear",
    description:
      "A payment whose program checks its own time bounds in the clear (T0 <= mintime, maxtime <= T0 + 1h).",
    build: (c) => {
      const alice = c.secret();
      const f = c.flow(T0 + 60_000n, T0 + 3_600_000n);
      assertNotAfterClear(assertNotBeforeClear(f.program, T0), T0 + 3_600_000n);
      f.spend(c.utxo(publicKey(alice), 10n, USD), alice);
      f.cloakTo([{ qty: 10n, flavor: USD, predicate: publicKey(c.secret()) }]);
      return f.build();
    },
  },
  {
    name: "channel_force_close",
    description:
      "Force-closes a payment channel with a signtag-signed state: hidden sequence number checked by a range proof, close time == maxtime in zero knowledge, value moved to a holding contract.",
    build: (c) => {
      const [a, b] = [c.secret(), c.secret()];
      const channel = new PaymentChannel({
        parties: [publicKey(a), publicKey(b)],
        flavor: EUR,
        capacity: 100n,
        contestPeriod: 86_400_000n,
        seed: randomBytes(c.rng, 32),
      });
      // The channel contract as its funding tx would have made it: [C(0), value, tag] under J.
      const funding = new Contract(randomBytes(c.rng, 32), channel.jointKey.aggregatedKey, [
        { kind: "string", bytes: channel.seqCommitment(0n).bytes },
        { kind: "value", ...valueCommitments(channel.fundingValue()) },
        { kind: "string", bytes: channel.tag },
      ]);
      const state = { seq: 7n, balances: [30n, 70n] as const };
      const sig = channel.signState(state, jointSecret(a, b), c.rng);
      const f = c.flow(T0, T0 + 600_000n);
      return forceClose(f, channel, funding, state, sig).build();
    },
  },
  {
    name: "loan_default",
    description:
      "Claims the collateral of a defaulted loan for the lender: the Default branch checks mintime > deadline against a committed deadline.",
    build: (c) => {
      const [lender, borrower] = [c.secret(), c.secret()];
      const loan = new Loan({
        lender: publicKey(lender),
        borrower: publicKey(borrower),
        principal: { qty: 1000n, flavor: USD },
        interest: 50n,
        collateral: { qty: 1n, flavor: BTC },
        deadline: T0,
        seed: randomBytes(c.rng, 32),
      });
      const utxo = makeUtxo(randomBytes(c.rng, 32), loan.predicate, loan.collateralValue());
      const f = c.flow(T0 + 1n, T0 + 3_600_000n);
      return claimDefaultedLoan(f, loan, utxo.contract).build();
    },
  },
];

/** The names of the examples, in output order. */
export const EXAMPLE_NAMES: readonly string[] = EXAMPLES.map((e) => e.name);

/**
 * Builds and proves the example transactions (all of them, or those named in `names`, in the
 * canonical order). Deterministic given `rng`'s state: 32 bytes are drawn from it and each
 * example gets its own RNG from them and its name, so a subset gives the same bytes as the full set.
 */
export function buildExampleTxs(rng: Rng, names?: readonly string[]): ExampleTx[] {
  if (names !== undefined)
    for (const n of names)
      if (!EXAMPLE_NAMES.includes(n)) throw new RangeError(`buildExampleTxs: no example ${n}`);
  const master = randomBytes(rng, 32);
  const out: ExampleTx[] = [];
  for (const ex of EXAMPLES) {
    if (names !== undefined && !names.includes(ex.name)) continue;
    const ctx = new Ctx(seededRng(concatBytes(master, utf8(ex.name))));
    const proved = ex.build(ctx);
    out.push({ name: ex.name, tx_hex: toHex(encodeTx(proved.tx)), description: ex.description });
  }
  return out;
}
