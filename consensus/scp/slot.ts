/**
 * One consensus slot: its nomination and ballot protocols, the statements received for it, and the
 * plumbing both protocols share (signing, emission, quorum-set resolution, externalization).
 */
import { bytesEqual } from "../../src/util/bytes.js";
import { BallotProtocol, isBallotStatementSane, type RecordedEnvelope } from "./ballot.js";
import type { ScpDriver, ScpEvent } from "./driver.js";
import { encodeStatement } from "./encoding.js";
import { ScpCode, ScpError } from "./errors.js";
import type { LocalNode } from "./localNode.js";
import { isNominationSane, NominationProtocol } from "./nomination.js";
import { forAllNodes, isVBlocking } from "./quorumSet.js";
import type {
  BallotPledge,
  Envelope,
  EnvelopeState,
  NominatePledge,
  Pledges,
  QuorumSet,
  Statement,
  Value,
} from "./types.js";
import { nodeKey } from "./types.js";

/** What a slot needs from its SCP instance. */
export interface SlotHost {
  readonly local: LocalNode;
  readonly driver: ScpDriver;
  /** Quorum set declared by a statement (singleton of the sender for EXTERNALIZE); undefined if unknown. */
  quorumSetOf(st: Statement): QuorumSet | undefined;
}

export class Slot {
  readonly index: bigint;
  readonly ballot: BallotProtocol;
  readonly nomination: NominationProtocol;
  /** False once a statement carried a value that could not be fully validated: the slot stops emitting. */
  fullyValidated: boolean;
  /** True once the nodes heard from (any statement) form a v-blocking set. */
  gotVBlocking = false;
  /** Number of statements recorded (monitoring). */
  statementCount = 0;
  /** The externalized value, once there is one. */
  externalizedValue: Value | null = null;
  private readonly host: SlotHost;

  constructor(index: bigint, host: SlotHost) {
    this.index = index;
    this.host = host;
    this.fullyValidated = host.local.isValidator;
    this.ballot = new BallotProtocol(this);
    this.nomination = new NominationProtocol(this);
  }

  get local(): LocalNode {
    return this.host.local;
  }

  get driver(): ScpDriver {
    return this.host.driver;
  }

  /** The composite candidate value nomination produced last, if any. */
  get latestCompositeCandidate(): Value | null {
    return this.nomination.latestCompositeCandidate;
  }

  /** Monitoring notification. */
  event(e: ScpEvent): void {
    this.host.driver.onEvent?.(e);
  }

  /** Builds the record of an envelope (sender key, declared quorum set); undefined if the qset is unknown. */
  recordOf(env: Envelope): RecordedEnvelope | undefined {
    const qset = this.host.quorumSetOf(env.statement);
    if (!qset) return undefined;
    return { envelope: env, statement: env.statement, qset, key: nodeKey(env.statement.nodeId) };
  }

  /**
   * Processes an envelope for this slot. `self` is true for the local node's own statements, which
   * the protocols feed back through here before emitting them.
   */
  processEnvelope(env: Envelope, self: boolean): EnvelopeState {
    const rec = this.recordOf(env);
    if (!rec) return "invalid";
    const hadMessage = this.latestMessage(rec.key) !== undefined;
    const res =
      env.statement.pledges.type === "nominate"
        ? this.nomination.processEnvelope(rec)
        : this.ballot.processEnvelope(rec, self);
    if (!hadMessage && res === "valid") this.maybeSetGotVBlocking();
    return res;
  }

  /** Signs a statement of the local node about this slot. */
  signPledges(pledges: Pledges): Envelope {
    const statement: Statement = { nodeId: this.local.id, slotIndex: this.index, pledges };
    const signature = this.driver.sign(encodeStatement(statement));
    return { statement, signature };
  }

  /** Structural equality of two pledges (same canonical encoding). */
  samePledges(a: Pledges, b: Pledges): boolean {
    if (a.type !== b.type) return false;
    const sa = encodeStatement({ nodeId: this.local.id, slotIndex: this.index, pledges: a });
    const sb = encodeStatement({ nodeId: this.local.id, slotIndex: this.index, pledges: b });
    return bytesEqual(sa, sb);
  }

  /** Persists, then broadcasts, one of the local node's envelopes. */
  emit(env: Envelope): void {
    this.driver.persistEnvelope?.(env);
    this.driver.emitEnvelope(env);
  }

  /** Records the externalized value and tells the driver (exactly once per slot). */
  externalize(value: Value): void {
    if (this.externalizedValue !== null) return;
    this.externalizedValue = value;
    this.driver.valueExternalized(this.index, value);
  }

  /** Starts or continues nomination (see NominationProtocol.nominate). */
  nominate(value: Value, previousValue: Value, timedout: boolean): boolean {
    return this.nomination.nominate(value, previousValue, timedout);
  }

  /** Stops nomination for this slot. */
  stopNomination(): void {
    this.nomination.stopNomination();
  }

  /** Moves the ballot protocol (see BallotProtocol.bumpState). */
  bumpState(value: Value, force: boolean): boolean {
    return this.ballot.bumpState(value, force);
  }

  /** Leaders of nomination so far (node keys). */
  nominationLeaders(): string[] {
    return [...this.nomination.roundLeaders].sort();
  }

  /** The latest envelope of node `key` (ballot statement first, else NOMINATE). */
  latestMessage(key: string): Envelope | undefined {
    return this.ballot.latest.get(key)?.envelope ?? this.nomination.latest.get(key)?.envelope;
  }

  /** The local node's latest NOMINATE and ballot envelopes (only if the slot is fully validated). */
  latestMessagesSend(): Envelope[] {
    if (!this.fullyValidated) return [];
    const out: Envelope[] = [];
    if (this.nomination.lastEnvelope) out.push(this.nomination.lastEnvelope);
    if (this.ballot.lastEnvelope) out.push(this.ballot.lastEnvelope);
    return out;
  }

  /**
   * Calls `f` on the latest NOMINATE, then ballot, envelope of every node (the local node's only if the
   * slot is fully validated or `forceSelf`); stops when `f` returns false.
   */
  processCurrentState(f: (env: Envelope) => boolean, forceSelf: boolean): void {
    const self = this.local.key;
    for (const latest of [this.nomination.latest, this.ballot.latest]) {
      for (const [k, rec] of latest) {
        if (forceSelf || k !== self || this.fullyValidated) {
          if (!f(rec.envelope)) return;
        }
      }
    }
  }

  /** Peers' statements compatible with the externalized value, plus ours: a proof of the outcome. */
  externalizingState(): Envelope[] {
    return this.ballot.externalizingState();
  }

  /**
   * Restores the local node's own persisted envelope after a restart. Throws SCP_RESTORE_REJECTED if
   * the envelope is not the local node's for this slot, is malformed, or the protocol already started.
   */
  setStateFromEnvelope(env: Envelope): void {
    const st = env.statement;
    const reject = (reason: string): never => {
      throw new ScpError(ScpCode.RESTORE_REJECTED, { reason, slot: this.index });
    };
    if (nodeKey(st.nodeId) !== this.local.key) reject("not the local node's envelope");
    if (st.slotIndex !== this.index) reject("wrong slot");
    const rec = this.recordOf(env);
    if (!rec) {
      reject("unknown quorum set");
      return;
    }
    const hadMessage = this.latestMessage(rec.key) !== undefined;
    if (st.pledges.type === "nominate") {
      if (this.nomination.nominationStarted || this.nomination.lastEnvelope)
        reject("nomination already started");
      if (!isNominationSane(st.pledges as NominatePledge)) reject("insane NOMINATE");
      this.nomination.setStateFromEnvelope(rec);
    } else {
      if (this.ballot.current || this.ballot.lastEnvelope) reject("ballot protocol already started");
      if (!isBallotStatementSane(st.pledges as BallotPledge, rec.qset, false))
        reject("insane ballot statement");
      this.ballot.setStateFromEnvelope(rec);
      if (this.ballot.phase === "externalize") this.externalizedValue = this.ballot.commit!.value;
    }
    if (!hadMessage) this.maybeSetGotVBlocking();
  }

  private maybeSetGotVBlocking(): void {
    if (this.gotVBlocking) return;
    const q = this.local.qset;
    const heard = new Set<string>();
    forAllNodes(q, (id) => {
      const k = nodeKey(id);
      if (this.latestMessage(k)) heard.add(k);
    });
    this.gotVBlocking = isVBlocking(q, heard);
  }
}
