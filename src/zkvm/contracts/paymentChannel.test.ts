import { describe, expect, it } from "vitest";
import { randomScalar } from "../../crypto/scalar.js";
import { publicKey } from "../../crypto/starsig.js";
import { randomBytes, seededRng } from "../../util/rng.js";
import { makeUtxo, type OpenValue, valueCommitments } from "../builder.js";
import type { Contract } from "../contract.js";
import { VmCode } from "../errors.js";
import { Opcode } from "../ops.js";
import { buildAndVerify, codeOf, failureOf, verifyProved } from "./_testUtil.js";
import { MAX_TIME, outputsOf, ValueFlow } from "./common.js";
import {
  type ChannelState,
  closeMutually,
  dispute,
  forceClose,
  jointSecret,
  PaymentChannel,
  settle,
} from "./paymentChannel.js";

const rng = seededRng("payment channel tests");
const [alice, bob] = [randomScalar(rng), randomScalar(rng)];
const joint = jointSecret(alice, bob);
const EUR = 0xe0e0n;
const D = 86_400_000n; // one day
const channel = new PaymentChannel({
  parties: [publicKey(alice), publicKey(bob)],
  flavor: EUR,
  capacity: 100n,
  contestPeriod: D,
  seed: randomBytes(rng, 32),
});
const s1: ChannelState = { seq: 1n, balances: [70n, 30n] };
const s2: ChannelState = { seq: 2n, balances: [40n, 60n] };
const sig1 = channel.signState(s1, joint, rng);
const sig2 = channel.signState(s2, joint, rng);
const T1 = 1_700_000_000_000n;
const T2 = T1 + 3_600_000n;

/** The prover refuses at a `range` instruction whose expression is negative. */
const RANGE_FAILS = {
  code: VmCode.R1CS_INCONSISTENCY,
  opcode: Opcode.range,
  cause: "CLOAK_QUANTITY_OUT_OF_RANGE",
};
/** The prover refuses after the VM ran: a (ZK) `eq` constraint does not hold. */
const UNSATISFIED = { code: VmCode.R1CS_INCONSISTENCY, cause: "R1CS_UNSATISFIED_CONSTRAINT" };

function funder(seed: number, secret: bigint, qty: bigint) {
  return makeUtxo(new Uint8Array(32).fill(seed), publicKey(secret), {
    qty,
    flavor: EUR,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });
}

function valueHex(v: OpenValue): string {
  const { qty, flv } = valueCommitments(v);
  return qty.toHex() + flv.toHex();
}

function payloadHex(c: Contract): string[] {
  return c.payload.map((p) => (p.kind === "value" ? p.qty.toHex() + p.flv.toHex() : p.kind));
}

describe("payment channel", () => {
  let funding: Contract;
  let holding1: Contract;
  let holding2: Contract;

  it("A (60) and B (40) open a channel: [C(0), value, tag] under their aggregated key", () => {
    const flow = new ValueFlow({ rng });
    flow.spend(funder(1, alice, 60n), alice).spend(funder(2, bob, 40n), bob);
    flow.cloakTo([channel.fundingOutput()]);
    funding = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    expect(funding.predicate.equals(channel.jointKey.aggregatedKey)).toBe(true);
    expect(funding.payload.map((p) => p.kind)).toEqual(["string", "value", "string"]);
  });

  it("A force-closes with the stale state 1 (signtag): the value moves to a holding contract", () => {
    const flow = new ValueFlow({ rng, mintime: T1 - 60_000n, maxtime: T1 });
    forceClose(flow, channel, funding, s1, sig1);
    holding1 = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    expect(holding1.predicate.equals(channel.holdingTree(s1).outerKey)).toBe(true);
  });

  it("the close time must be the tx maxtime (checked in zero knowledge)", () => {
    const flow = new ValueFlow({ rng, mintime: T1 - 60_000n, maxtime: T1 });
    forceClose(flow, channel, funding, s1, sig1, T1 - 50_000n);
    expect(failureOf(() => flow.build())).toEqual(UNSATISFIED);
  });

  it("B disputes with the newer state 2 (higher sequence number)", () => {
    const flow = new ValueFlow({ rng, mintime: T2 - 60_000n, maxtime: T2 });
    dispute(flow, channel, holding1, s1, s2, sig2);
    holding2 = outputsOf(buildAndVerify(flow, rng).verified.txlog)[0]!;
    expect(holding2.predicate.equals(channel.holdingTree(s2).outerKey)).toBe(true);
  });

  it("a stale or equal state cannot dispute state 2 (range proof of n − seq − 1 fails)", () => {
    for (const [state, sig] of [
      [s1, sig1],
      [s2, sig2],
    ] as const) {
      const flow = new ValueFlow({ rng, mintime: T2, maxtime: T2 + 1000n });
      dispute(flow, channel, holding2, s2, state, sig);
      expect(failureOf(() => flow.build())).toEqual(RANGE_FAILS);
    }
  });

  it("too early: settling before closeTime + D is refused", () => {
    const flow = new ValueFlow({ rng, mintime: T2 + D - 1n, maxtime: MAX_TIME });
    settle(flow, channel, holding2, s2, T2);
    expect(failureOf(() => flow.build())).toEqual(RANGE_FAILS);
  });

  it("after the contest period anyone settles state 2: A gets 40, B gets 60", () => {
    const flow = new ValueFlow({ rng, mintime: T2 + D, maxtime: MAX_TIME });
    settle(flow, channel, holding2, s2, T2);
    const outs = outputsOf(buildAndVerify(flow, rng).verified.txlog);
    const [pa, pb] = channel.payouts(s2);
    expect(outs.map((c) => c.predicate.toHex())).toEqual([publicKey(alice).toHex(), publicKey(bob).toHex()]);
    expect(outs.map((c) => payloadHex(c))).toEqual([[valueHex(pa)], [valueHex(pb)]]);
  });

  it("wrong signer: a state signed by A alone does not verify", () => {
    const flow = new ValueFlow({ rng, mintime: T1 - 60_000n, maxtime: T1 });
    forceClose(flow, channel, funding, s2, channel.signState(s2, alice, rng));
    const proved = flow.build();
    expect(codeOf(() => verifyProved(proved, rng))).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("mutual close of a holding contract (key path by A and B together), outputs chosen freely", () => {
    const flow = new ValueFlow({ rng });
    closeMutually(flow, channel, holding1, joint, s1);
    flow.cloakTo([
      { qty: 55n, flavor: EUR, predicate: publicKey(alice) },
      { qty: 45n, flavor: EUR, predicate: publicKey(bob) },
    ]);
    expect(outputsOf(buildAndVerify(flow, rng).verified.txlog)).toHaveLength(2);
  });

  it("states must balance to the capacity", () => {
    expect(() => channel.payouts({ seq: 3n, balances: [50n, 49n] })).toThrow(RangeError);
  });
});
