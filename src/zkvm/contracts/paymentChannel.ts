/**
 * Two-party payment channel (zkvm-spec.md "Payment channel example").
 *
 * Parties A and B lock `capacity` units of one flavor in a channel contract and exchange signed
 * states off chain; a state n says how the capacity splits between them.
 *
 * Contracts (all in the channel's flavor, the value is never re-blinded):
 * - Channel: predicate J = Musig aggregation of A and B (`Multikey`), payload
 *       [seq: C(0), value, tag]
 *   where `tag` identifies the channel and C(·) is a Pedersen commitment with a blinding derived
 *   from the parties' shared seed (so both rebuild every program and opening alone).
 * - Holding (after a force-close to state n): predicate H_n = Taproot(J; [Settle_n, Rewrap]),
 *   payload [closeTime: C(t), seq: C(n), value, tag].
 *
 * Programs:
 * - ForceClose_n (the spec's P1), signed by J with `signtag` over the channel tag — the "pre-signed
 *   authorization" of state n, valid on any contract of the channel (hence a tag, not a contract
 *   id). Called with a commitment to the close time under the contract, it
 *     1. checks n > seq in zero knowledge: range(C(n) − seq − 1) — the sequence number stays hidden;
 *     2. checks closeTime == tx.maxtime (a ZK equality; the closer picks maxtime close to now);
 *     3. locks [closeTime, C(n), value, tag] in a holding contract under H_n.
 * - Settle_n (the spec's P2; H_n's first branch, no signature needed): checks the contest period
 *   D in zero knowledge, range(tx.mintime − closeTime − D) with D committed (so it does not
 *   fingerprint the parties), then `cloak`s the value into the two payouts of state n (hidden
 *   amounts) locked by A's and B's keys.
 * - Rewrap (H_n's second branch): turns the holding contract back into a channel-shaped contract
 *   under J (`roll:3 drop <J> contract:3`) so that a newer ForceClose_m (m > n), a `signtag`
 *   program, can dispute the force-close; ForceClose_m's range check rejects m ≤ n. A contract
 *   made by Rewrap can only be opened by J's signatures, so this gives nobody else any power.
 * - Mutual close: `signtx` by J on the channel (or J + h on a holding contract, the key path), with
 *   outputs chosen freely.
 *
 * Differences from the spec's sketch: the period check is `mintime − closeTime − D ≥ 0` with the
 * close time fixed at force-close as tx.maxtime (instead of storing exptime = maxtime + D), and
 * range proofs are 64-bit (this VM's `range` has no bit-width argument). Signing by J uses one
 * aggregated secret (`aggregateSecretKeys`); real parties would run Musig for each state.
 */
import { aggregateSecretKeys, Multikey } from "../../crypto/musig.js";
import type { CompressedPoint } from "../../crypto/ristretto.js";
import { add } from "../../crypto/scalar.js";
import type { Signature } from "../../crypto/starsig.js";
import { bytesEqual } from "../../util/bytes.js";
import type { Rng } from "../../util/rng.js";
import { type OpenValue, ProgramBuilder } from "../builder.js";
import type { Contract } from "../contract.js";
import { PredicateTree } from "../predicate.js";
import {
  commitment,
  deriveBytes,
  deriveScalar,
  lockTop,
  type OutputRequest,
  pushConstant,
  signProgram,
  type ValueFlow,
} from "./common.js";

/** Label of the transcript deriving a channel's tag, blindings and tree keys from its seed. */
export const CHANNEL_DERIVE_LABEL = "ZkVM.contracts.payment-channel";

export interface ChannelParams {
  /** The keys of A and B (payouts go to them; J aggregates them). */
  readonly parties: readonly [CompressedPoint, CompressedPoint];
  readonly flavor: bigint;
  readonly capacity: bigint;
  /** Contest period D (same unit as tx time bounds: milliseconds). */
  readonly contestPeriod: bigint;
  /** A secret shared by A and B. */
  readonly seed: Uint8Array;
}

/** A channel state: sequence number and the balances of A and B (summing to the capacity). */
export interface ChannelState {
  readonly seq: bigint;
  readonly balances: readonly [bigint, bigint];
}

/** A payment channel's programs and contracts. */
export class PaymentChannel {
  readonly params: ChannelParams;
  /** J: the aggregation of A's and B's keys. */
  readonly jointKey: Multikey;
  /** The tag every contract of the channel carries on top of its payload. */
  readonly tag: Uint8Array;

  constructor(params: ChannelParams) {
    if (params.seed.length !== 32) throw new RangeError("PaymentChannel: seed must be 32 bytes");
    this.params = params;
    this.jointKey = Multikey.create(params.parties);
    this.tag = deriveBytes(CHANNEL_DERIVE_LABEL, params.seed, "tag");
  }

  private blinding(name: string, index = 0n): bigint {
    return deriveScalar(CHANNEL_DERIVE_LABEL, this.params.seed, name, index);
  }

  /** The blinding of the sequence-number commitment C(seq). */
  seqBlinding(seq: bigint): bigint {
    return this.blinding("seq", seq);
  }

  /** The commitment C(seq) stored in the payload. */
  seqCommitment(seq: bigint): CompressedPoint {
    return commitment(seq, this.seqBlinding(seq));
  }

  /** The channel's value opening (the value moves unchanged from channel to holding contract). */
  fundingValue(): OpenValue {
    return {
      qty: this.params.capacity,
      flavor: this.params.flavor,
      qtyBlinding: this.blinding("funding-qty"),
      flvBlinding: this.blinding("funding-flv"),
    };
  }

  /** The cloak output that opens the channel: [C(0), value, tag] under J. */
  fundingOutput(): OutputRequest {
    const v = this.fundingValue();
    return {
      ...v,
      predicate: this.jointKey.aggregatedKey,
      before: [this.seqCommitment(0n)],
      after: [this.tag],
    };
  }

  /** The payouts of a state (A's, then B's), as their owners will spend them. */
  payouts(state: ChannelState): [OpenValue, OpenValue] {
    this.checkState(state);
    const one = (i: number): OpenValue => ({
      qty: state.balances[i]!,
      flavor: this.params.flavor,
      qtyBlinding: this.blinding(`payout-qty-${i}`, state.seq),
      flvBlinding: this.blinding(`payout-flv-${i}`, state.seq),
    });
    return [one(0), one(1)];
  }

  /** Settle_n (see the module comment). */
  settleProgram(state: ChannelState, b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
    const payouts = this.payouts(state);
    // [closeTime, seq, value, tag] → [value], after checking mintime − closeTime − D ≥ 0.
    b.drop().roll(1).drop();
    b.roll(1).commit().expr().neg().mintime().add();
    b.pushCommitment(this.params.contestPeriod, this.blinding("period")).commit().expr().neg().add();
    b.range().drop();
    for (const v of payouts) b.pushCommitment(v.qty, v.qtyBlinding).pushCommitment(v.flavor, v.flvBlinding);
    b.cloak(1, 2);
    for (const key of this.params.parties) lockTop(b, key);
    return b;
  }

  /** Rewrap: `roll:3 drop <J> contract:3`. */
  rewrapProgram(b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
    return b.roll(3).drop().push(this.jointKey.aggregatedKey).contract(3);
  }

  /** H_n: the holding contract's Taproot tree. */
  holdingTree(state: ChannelState): PredicateTree {
    return new PredicateTree(
      this.jointKey.aggregatedKey,
      [this.settleProgram(state).toBytes(), this.rewrapProgram().toBytes()],
      deriveBytes(CHANNEL_DERIVE_LABEL, this.params.seed, "holding", state.seq),
    );
  }

  /** ForceClose_n (see the module comment). */
  forceCloseProgram(state: ChannelState, b: ProgramBuilder = new ProgramBuilder()): ProgramBuilder {
    this.checkState(state);
    const n = state.seq;
    // [closeTime, seq, value, tag]: n − seq − 1 ≥ 0.
    b.roll(2).commit().expr();
    b.pushCommitment(n, this.seqBlinding(n)).commit().expr();
    b.roll(1).neg().add();
    pushConstant(b, 1n).neg().add().range().drop();
    // [closeTime, value, tag]: closeTime == tx.maxtime.
    b.roll(2).dup(0).commit().expr().maxtime().eq().verify();
    // [value, tag, closeTime] → [closeTime, C(n), value, tag] under H_n.
    b.push(this.seqCommitment(n)).roll(3).roll(3);
    return b.push(this.holdingTree(state).outerKey).output(4);
  }

  /** J's `signtag` signature on ForceClose_n (one aggregated secret; Musig in practice). */
  signState(state: ChannelState, jointSecret: bigint, rng: Rng): Signature {
    return signProgram({ tag: this.tag }, this.forceCloseProgram(state).toBytes(), jointSecret, rng);
  }

  /** The blinding of the close-time commitment of a force-close to `state` (derived, so either party can settle). */
  closeTimeBlinding(state: ChannelState): bigint {
    return this.blinding("close-time", state.seq);
  }

  private checkState(state: ChannelState): void {
    const [a, b] = state.balances;
    if (state.seq < 0n || a < 0n || b < 0n || a + b !== this.params.capacity)
      throw new RangeError("PaymentChannel: balances must be non-negative and sum to the capacity");
  }
}

/** The aggregated secret of J from A's and B's secrets (a single signer holding both). */
export function jointSecret(secretA: bigint, secretB: bigint): bigint {
  return aggregateSecretKeys([secretA, secretB]);
}

/** Builds the signed program into the flow's witness and checks it is the one that was signed. */
function forceCloseInto(flow: ValueFlow, channel: PaymentChannel, state: ChannelState): Uint8Array {
  const code = channel.forceCloseProgram(state, flow.program.sub()).toBytes();
  if (!bytesEqual(code, channel.forceCloseProgram(state).toBytes()))
    throw new RangeError("forceClose: program mismatch");
  return code;
}

/**
 * Force-closes the channel contract to `state`: `push:C(closeTime) push:channel input
 * program:ForceClose_n push:sig signtag`. `closeTime` must be the tx's maxtime (the default).
 */
export function forceClose(
  flow: ValueFlow,
  channel: PaymentChannel,
  contract: Contract,
  state: ChannelState,
  sig: Signature,
  closeTime: bigint = flow.header.maxtime,
): ValueFlow {
  const code = forceCloseInto(flow, channel, state);
  flow.witness.commit(0n, channel.seqBlinding(0n));
  flow.program.pushCommitment(closeTime, channel.closeTimeBlinding(state));
  flow.program.push(contract).input().program(code).push(sig.encode()).signtag();
  return flow;
}

/**
 * Disputes a force-close to `old` with the newer `state`: `push:C(closeTime) push:holding input
 * push:proof program:Rewrap call program:ForceClose_m push:sig signtag`.
 */
export function dispute(
  flow: ValueFlow,
  channel: PaymentChannel,
  holding: Contract,
  old: ChannelState,
  state: ChannelState,
  sig: Signature,
  closeTime: bigint = flow.header.maxtime,
): ValueFlow {
  const { proof, program } = channel.holdingTree(old).callProof(1);
  const code = forceCloseInto(flow, channel, state);
  flow.witness.commit(old.seq, channel.seqBlinding(old.seq));
  flow.program.pushCommitment(closeTime, channel.closeTimeBlinding(state));
  flow.program.push(holding).input().push(proof.encode()).program(program).call();
  flow.program.program(code).push(sig.encode()).signtag();
  return flow;
}

/**
 * Settles a holding contract of `state` after the contest period: `push:holding input
 * push:proof program:Settle_n call`. `closeTime` is the maxtime of the tx that made it.
 */
export function settle(
  flow: ValueFlow,
  channel: PaymentChannel,
  holding: Contract,
  state: ChannelState,
  closeTime: bigint,
): ValueFlow {
  const { proof } = channel.holdingTree(state).callProof(0);
  const code = channel.settleProgram(state, flow.program.sub()).toBytes();
  flow.learn([channel.fundingValue()]);
  flow.witness.commit(closeTime, channel.closeTimeBlinding(state));
  flow.program.push(holding).input().push(proof.encode()).program(code).call();
  return flow;
}

/**
 * Mutual close of the channel contract (`signtx` by J) or of a holding contract of `state` (key
 * path, J + h). Drops the payload strings and leaves the value (1 pending) for the parties' cloak.
 */
export function closeMutually(
  flow: ValueFlow,
  channel: PaymentChannel,
  contract: Contract,
  jointSecretKey: bigint,
  state?: ChannelState,
): ValueFlow {
  const secret =
    state === undefined ? jointSecretKey : add(jointSecretKey, channel.holdingTree(state).adjustmentFactor);
  flow.spend({ contract, values: [channel.fundingValue()] }, secret);
  // The value is the second item from the top: drop the tag, then everything below the value.
  flow.program.drop();
  for (let i = 0; i < contract.payload.length - 2; i++) flow.program.roll(1).drop();
  return flow;
}
