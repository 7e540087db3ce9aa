/**
 * Collateralized loan with interest and a deadline (zkvm-spec.md "Loan example" / "Loan with
 * interest", which the spec leaves TBD; built from the same pieces as the "Offer example").
 *
 * A lender lends `principal` to a borrower, who locks `collateral` in a loan contract. Before the
 * deadline the borrower gets the collateral back by repaying principal + interest to the lender;
 * after the deadline the lender can take the collateral.
 *
 * Design:
 * - Predicate: Taproot(inner = Musig aggregation of lender and borrower keys; [Repay, Default]).
 *   The key path lets both parties renegotiate (extend, refinance) with a plain `signtx`.
 * - Repay (the borrower's clause), called with `call`:
 *       <C(deadline)> commit expr maxtime neg add range drop     deadline − tx.maxtime ≥ 0 (ZK)
 *       <borrower> contract:1 signtx                             the borrower signs the tx
 *       <C(principal+interest)> commit <C(flavor)> commit borrow <lender> output:1
 *   As in the offer, `borrow` pays the lender and leaves −(principal + interest) with the
 *   collateral for the borrower's `cloak`; it balances only with a full repayment
 *   (VM_R1CS_INCONSISTENCY otherwise). The deadline is a commitment: its value stays hidden and
 *   a too-late repayment fails the range proof (prover refusal, VM_R1CS_INCONSISTENCY). The nested
 *   `contract:1 signtx` makes the borrower's key sign the whole tx, so nobody else can repay and
 *   walk away with the collateral (VM_SIGNATURE_VERIFICATION_FAILED).
 * - Default (the lender's clause), callable by anyone:
 *       <C(deadline+1)> commit expr neg mintime add range drop   tx.mintime > deadline (ZK)
 *       <lender> output:1                                        collateral to the lender
 *   It moves the collateral unchanged (no cloak), so it needs no opening of the collateral.
 * - Amounts are committed with blinding factors derived from a seed both parties share, so both can
 *   rebuild the programs and the tree; the tree's blinding key comes from the same seed.
 */
import { aggregateSecretKeys, Multikey } from "../../crypto/musig.js";
import type { CompressedPoint } from "../../crypto/ristretto.js";
import { add } from "../../crypto/scalar.js";
import { bytesEqual } from "../../util/bytes.js";
import { type OpenValue, ProgramBuilder } from "../builder.js";
import type { Contract } from "../contract.js";
import { PredicateTree } from "../predicate.js";
import {
  type Amount,
  assertNotAfter,
  assertNotBefore,
  deriveBytes,
  deriveScalar,
  lockTop,
  type OutputRequest,
  type ValueFlow,
} from "./common.js";

/** Label of the transcript deriving a loan's blindings and tree key from its seed. */
export const LOAN_DERIVE_LABEL = "ZkVM.contracts.loan";

export interface LoanTerms {
  readonly lender: CompressedPoint;
  readonly borrower: CompressedPoint;
  /** What the lender lends. */
  readonly principal: Amount;
  /** Interest due, in the principal's flavor. */
  readonly interest: bigint;
  /** What the borrower locks. */
  readonly collateral: Amount;
  /** Last moment (tx maxtime) of a repayment; the lender may claim strictly after it. */
  readonly deadline: bigint;
  /** A secret shared by lender and borrower. */
  readonly seed: Uint8Array;
}

/** A loan contract's programs and predicate. */
export class Loan {
  readonly terms: LoanTerms;
  /** The aggregated key of lender and borrower (Taproot inner key). */
  readonly jointKey: Multikey;
  readonly tree: PredicateTree;

  constructor(terms: LoanTerms) {
    if (terms.seed.length !== 32) throw new RangeError("Loan: seed must be 32 bytes");
    if (terms.interest < 0n) throw new RangeError("Loan: negative interest");
    this.terms = terms;
    this.jointKey = Multikey.create([terms.lender, terms.borrower]);
    this.tree = new PredicateTree(
      this.jointKey.aggregatedKey,
      [this.repayProgram().toBytes(), this.defaultProgram().toBytes()],
      deriveBytes(LOAN_DERIVE_LABEL, terms.seed, "tree"),
    );
  }

  private blinding(name: string): bigint {
    return deriveScalar(LOAN_DERIVE_LABEL, this.terms.seed, name);
  }

  get predicate(): CompressedPoint {
    return this.tree.outerKey;
  }

  /** The collateral locked in the loan contract. */
  collateralValue(): OpenValue {
    const c = this.terms.collateral;
    return {
      qty: c.qty,
      flavor: c.flavor,
      qtyBlinding: this.blinding("collateral-qty"),
      flvBlinding: this.blinding("collateral-flv"),
    };
  }

  /** The repayment the lender receives: principal + interest. */
  repaymentValue(): OpenValue {
    const p = this.terms.principal;
    return {
      qty: p.qty + this.terms.interest,
      flavor: p.flavor,
      qtyBlinding: this.blinding("repayment-qty"),
      flvBlinding: this.blinding("repayment-flv"),
    };
  }

  /** The origination output that locks the collateral. */
  outputRequest(): OutputRequest {
    return { ...this.collateralValue(), predicate: this.predicate };
  }

  /** Repay clause (see the module comment). */
  repayProgram(b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
    const t = this.terms;
    assertNotAfter(b, { time: t.deadline, blinding: this.blinding("deadline") });
    b.push(t.borrower).contract(1).signtx();
    const r = this.repaymentValue();
    b.pushCommitment(r.qty, r.qtyBlinding).commit().pushCommitment(r.flavor, r.flvBlinding).commit().borrow();
    return lockTop(b, t.lender);
  }

  /** Default clause (see the module comment). */
  defaultProgram(b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
    const t = this.terms;
    assertNotBefore(b, { time: t.deadline + 1n, blinding: this.blinding("after-deadline") });
    return lockTop(b, t.lender);
  }

  /** The key-path secret (renegotiation by both): aggregated secret + h. */
  keyPathSecret(lenderSecret: bigint, borrowerSecret: bigint): bigint {
    return add(aggregateSecretKeys([lenderSecret, borrowerSecret]), this.tree.adjustmentFactor);
  }
}

function callInto(flow: ValueFlow, loan: Loan, contract: Contract, index: number, code: Uint8Array): void {
  const { proof, program } = loan.tree.callProof(index);
  if (!bytesEqual(code, program)) throw new RangeError("Loan: program differs from the tree");
  flow.program.push(contract).input().push(proof.encode()).program(code).call();
}

/**
 * Repays the loan: `push:loan input push:proof program:Repay call`, the borrower signing the tx.
 * Leaves the collateral and −(principal + interest) (2 pending values): the borrower adds a
 * payment and cloaks. The tx's maxtime must not exceed the deadline.
 */
export function repayLoan(
  flow: ValueFlow,
  loan: Loan,
  contract: Contract,
  borrowerSecret: bigint,
): ValueFlow {
  flow.learn([loan.collateralValue()]);
  flow.witness.addKey(borrowerSecret, loan.terms.borrower);
  callInto(flow, loan, contract, 0, loan.repayProgram(flow.program.sub()).toBytes());
  return flow.addPending(2);
}

/**
 * Claims the collateral for the lender after the deadline (tx mintime > deadline):
 * `push:loan input push:proof program:Default call`. Leaves nothing on the stack.
 */
export function claimDefaultedLoan(flow: ValueFlow, loan: Loan, contract: Contract): ValueFlow {
  callInto(flow, loan, contract, 1, loan.defaultProgram(flow.program.sub()).toBytes());
  return flow;
}
