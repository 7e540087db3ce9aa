import { describe, expect, it } from "vitest";
import { randomScalar } from "../../crypto/scalar.js";
import { publicKey } from "../../crypto/starsig.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { makeUtxo, type OpenValue } from "../builder.js";
import type { Contract } from "../contract.js";
import { VmCode } from "../errors.js";
import { buildAndVerify, codeOf, verifyProved } from "./_testUtil.js";
import { outputsOf, ValueFlow } from "./common.js";
import { branchProgram, Escrow, pairSecret, spendEscrowByAll, spendEscrowByPair } from "./escrow.js";

const rng = seededRng("escrow contract tests");
const [buyer, seller, arbiter] = [randomScalar(rng), randomScalar(rng), randomScalar(rng)];
const secrets = [buyer, seller, arbiter];
const USD = 0x5553n;
const escrow = new Escrow(secrets.map(publicKey), randomBytes(rng, 32));

describe("2-of-3 escrow", () => {
  let contract: Contract;
  let value: OpenValue;

  it("the buyer funds the escrow: it looks like any output", () => {
    const flow = new ValueFlow({ rng });
    flow.spend(
      makeUtxo(new Uint8Array(32).fill(7), publicKey(buyer), {
        qty: 100n,
        flavor: USD,
        qtyBlinding: randomScalar(rng),
        flvBlinding: randomScalar(rng),
      }),
      buyer,
    );
    [value] = flow.cloakTo([escrow.outputRequest(100n, USD)]) as [OpenValue];
    contract = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    expect(contract.predicate.equals(escrow.predicate)).toBe(true);
  });

  it("happy path: all three sign with the aggregated key (Taproot key path)", () => {
    const flow = new ValueFlow({ rng });
    spendEscrowByAll(flow, escrow, contract, value, secrets);
    flow.cloakTo([{ qty: 100n, flavor: USD, predicate: publicKey(seller) }]);
    buildAndVerify(flow, rng);
  });

  it("dispute: buyer and arbiter refund through their branch with a 2-party aggregated signature", () => {
    const flow = new ValueFlow({ rng });
    spendEscrowByPair(flow, escrow, contract, value, [0, 2], pairSecret(buyer, arbiter));
    flow.cloakTo([{ qty: 100n, flavor: USD, predicate: publicKey(buyer) }]);
    const { verified } = buildAndVerify(flow, rng);
    expect(verified.txlog.map((e) => e.type)).toEqual(["header", "input", "output"]);
  });

  it("wrong signers: one party alone on a pair branch, two parties on the 3-key path", () => {
    const alone = new ValueFlow({ rng });
    spendEscrowByPair(alone, escrow, contract, value, [0, 1], buyer);
    alone.cloakTo([{ qty: 100n, flavor: USD, predicate: publicKey(buyer) }]);
    const p1 = alone.build();
    expect(codeOf(() => verifyProved(p1, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);

    const two = new ValueFlow({ rng });
    two.spend({ contract, values: [value] }, pairSecret(buyer, seller));
    two.cloakTo([{ qty: 100n, flavor: USD, predicate: publicKey(buyer) }]);
    const p2 = two.build();
    expect(codeOf(() => verifyProved(p2, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("a made-up branch (the buyer's own key) fails the Taproot call proof", () => {
    const flow = new ValueFlow({ rng });
    flow.learn([value]);
    flow.witness.addKey(buyer);
    const forged = branchProgram(publicKey(buyer)).toBytes();
    const { proof } = escrow.tree.callProof(0);
    flow.program.push(contract).input().push(proof.encode()).program(forged).call();
    flow.addPending(1);
    flow.cloakTo([{ qty: 100n, flavor: USD, predicate: publicKey(buyer) }]);
    const proved = flow.build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("branch index lookup is symmetric and rejects non-pairs", () => {
    expect(escrow.branchIndex(2, 1)).toBe(escrow.branchIndex(1, 2));
    expect(() => escrow.branchIndex(1, 1)).toThrow(RangeError);
  });
});
