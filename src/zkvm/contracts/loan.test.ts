import { describe, expect, it } from "vitest";
import { randomScalar } from "../../crypto/scalar.js";
import { publicKey } from "../../crypto/starsig.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { makeUtxo, type OwnedUtxo, valueCommitments } from "../builder.js";
import type { Contract } from "../contract.js";
import { VmCode } from "../errors.js";
import { Opcode } from "../ops.js";
import { buildAndVerify, codeOf, failureOf, verifyProved } from "./_testUtil.js";
import { MAX_TIME, outputsOf, ValueFlow } from "./common.js";
import { claimDefaultedLoan, Loan, repayLoan } from "./loan.js";

const rng = seededRng("loan contract tests");
const [lender, borrower] = [randomScalar(rng), randomScalar(rng)];
const USD = 0x5553n;
const BTC = 0xb7cn;
const DEADLINE = 1_750_000_000_000n;
const loan = new Loan({
  lender: publicKey(lender),
  borrower: publicKey(borrower),
  principal: { qty: 1000n, flavor: USD },
  interest: 50n,
  collateral: { qty: 1n, flavor: BTC },
  deadline: DEADLINE,
  seed: randomBytes(rng, 32),
});

function utxo(seed: number, secret: bigint, qty: bigint, flavor: bigint): OwnedUtxo {
  return makeUtxo(new Uint8Array(32).fill(seed), publicKey(secret), {
    qty,
    flavor,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });
}

const RANGE_FAILS = {
  code: VmCode.R1CS_INCONSISTENCY,
  opcode: Opcode.range,
  cause: "CLOAK_QUANTITY_OUT_OF_RANGE",
};

/**
 * A repayment tx by the holder of `secret` (the borrower unless testing a wrong signer), paying
 * from their utxo of `pay` USD and keeping the collateral and the change.
 */
function repayment(contract: Contract, pay: bigint, maxtime: bigint, secret = borrower): ValueFlow {
  const flow = new ValueFlow({ rng, mintime: DEADLINE - 3_600_000n, maxtime });
  repayLoan(flow, loan, contract, secret);
  flow.spend(utxo(3, secret, pay, USD), secret);
  flow.cloakTo([
    { qty: 1n, flavor: BTC, predicate: publicKey(secret) },
    { qty: pay - 1050n > 0n ? pay - 1050n : 0n, flavor: USD, predicate: publicKey(secret) },
  ]);
  return flow;
}

describe("collateralized loan", () => {
  let contract: Contract;

  it("origination: the lender's 1000 USD go to the borrower, 1 of the borrower's 2 BTC is locked", () => {
    const flow = new ValueFlow({ rng });
    flow.spend(utxo(1, lender, 1000n, USD), lender).spend(utxo(2, borrower, 2n, BTC), borrower);
    flow.cloakTo([
      loan.outputRequest(),
      { qty: 1000n, flavor: USD, predicate: publicKey(borrower) },
      { qty: 1n, flavor: BTC, predicate: publicKey(borrower) },
    ]);
    contract = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    expect(contract.predicate.equals(loan.predicate)).toBe(true);
  });

  it("the borrower repays 1050 USD before the deadline and gets the collateral back", () => {
    const { verified } = buildAndVerify(repayment(contract, 1100n, DEADLINE), rng);
    const outs = outputsOf(verified.txlog);
    const r = valueCommitments(loan.repaymentValue());
    // First output: the repayment to the lender, made inside the Repay clause.
    expect(outs[0]!.predicate.equals(publicKey(lender))).toBe(true);
    const v = outs[0]!.payload[0]!;
    expect(v.kind === "value" && v.qty.equals(r.qty) && v.flv.equals(r.flv)).toBe(true);
  });

  it("too little: repaying the principal without the interest is refused by the cloak", () => {
    expect(failureOf(() => repayment(contract, 1000n, DEADLINE).build())).toEqual({
      code: VmCode.R1CS_INCONSISTENCY,
      opcode: Opcode.cloak,
      cause: "CLOAK_UNBALANCED",
    });
  });

  it("too late: a repayment valid after the deadline fails the hidden deadline check", () => {
    expect(failureOf(() => repayment(contract, 1100n, DEADLINE + 1n).build())).toEqual(RANGE_FAILS);
  });

  it("wrong signer: the lender cannot repay in the borrower's name and take the collateral", () => {
    const proved = repayment(contract, 1100n, DEADLINE, lender).build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("too early: the lender cannot claim the collateral until after the deadline", () => {
    const flow = new ValueFlow({ rng, mintime: DEADLINE, maxtime: MAX_TIME });
    claimDefaultedLoan(flow, loan, contract);
    expect(failureOf(() => flow.build())).toEqual(RANGE_FAILS);
  });

  it("after the deadline anyone can send the collateral to the lender", () => {
    const flow = new ValueFlow({ rng, mintime: DEADLINE + 1n, maxtime: MAX_TIME });
    claimDefaultedLoan(flow, loan, contract);
    const outs = outputsOf(buildAndVerify(flow, rng).verified.txlog);
    expect(outs).toHaveLength(1);
    expect(outs[0]!.predicate.equals(publicKey(lender))).toBe(true);
    const c = valueCommitments(loan.collateralValue());
    const v = outs[0]!.payload[0]!;
    expect(v.kind === "value" && v.qty.equals(c.qty) && v.flv.equals(c.flv)).toBe(true);
  });
});
