/**
 * The SCP facade: one instance per node, many slots. Peer envelopes enter through `receiveEnvelope`,
 * which screens them (sender, slot window, transitive quorum, quorum-set sanity, signature) and hands
 * the survivors to the slot's protocols; the verdict is "valid" or "invalid" and an invalid envelope
 * changes nothing. Spec: draft-mazieres-dinrg-scp; structure as stellar-core's SCP / Slot classes.
 */
import { bytesEqual, U64_MAX } from "../../src/util/bytes.js";
import type { ScpDriver } from "./driver.js";
import { encodeStatement } from "./encoding.js";
import { ScpCode, ScpError } from "./errors.js";
import { LocalNode } from "./localNode.js";
import { isQuorumSetSane, singletonQuorumSet } from "./quorumSet.js";
import { QuorumTracker } from "./quorumTracker.js";
import { Slot, type SlotHost } from "./slot.js";
import {
  companionQuorumSetHash,
  type Envelope,
  type EnvelopeState,
  NODE_ID_LENGTH,
  type NodeId,
  nodeKey,
  type QuorumSet,
  SIGNATURE_LENGTH,
  type Statement,
  type Value,
} from "./types.js";

export interface ScpOptions {
  /** The local node's id (its 32-byte public key). */
  readonly nodeId: NodeId;
  /** The local quorum set (normalized on construction; must be sane). */
  readonly quorumSet: QuorumSet;
  /** Validators vote and emit; watchers (false) only follow. Default true. */
  readonly isValidator?: boolean;
}

/** Why `receiveEnvelope` said "invalid" (for metrics and tests; see `lastRejection`). */
export type RejectionReason =
  | "malformed"
  | "own envelope"
  | "slot out of range"
  | "sender outside transitive quorum"
  | "unknown quorum set"
  | "insane quorum set"
  | "bad signature"
  | "rejected by protocol";

export class Scp implements SlotHost {
  readonly local: LocalNode;
  readonly driver: ScpDriver;
  private readonly slots = new Map<bigint, Slot>();
  private readonly tracker: QuorumTracker;
  private readonly singletons = new Map<string, QuorumSet>();
  private minSlot = 0n;
  private maxSlot = U64_MAX;
  /** The reason of the last "invalid" verdict of `receiveEnvelope`. */
  lastRejection: RejectionReason | null = null;

  constructor(opts: ScpOptions, driver: ScpDriver) {
    this.local = new LocalNode(opts.nodeId, opts.quorumSet, opts.isValidator ?? true);
    this.driver = driver;
    this.tracker = new QuorumTracker(this.local.key, this.local.qset);
  }

  // ---------------------------------------------------------------- SlotHost

  /** @internal */
  quorumSetOf(st: Statement): QuorumSet | undefined {
    const key = nodeKey(st.nodeId);
    if (st.pledges.type === "externalize") {
      let q = this.singletons.get(key);
      if (!q) {
        q = singletonQuorumSet(st.nodeId);
        this.singletons.set(key, q);
      }
      return q;
    }
    const h = st.pledges.quorumSetHash;
    if (key === this.local.key && bytesEqual(h, this.local.qsetHash)) return this.local.qset;
    return this.driver.getQuorumSet(h);
  }

  // ---------------------------------------------------------------- input

  /**
   * Screens and processes a peer's envelope. "invalid" means the envelope was rejected and changed
   * nothing: malformed, our own, slot outside the window, sender outside the transitive quorum, unknown
   * or insane quorum set, bad signature, or refused by the protocol (stale, insane, invalid value).
   */
  receiveEnvelope(env: Envelope): EnvelopeState {
    const r = this.screen(env);
    this.lastRejection = r;
    return r === null ? "valid" : "invalid";
  }

  private screen(env: Envelope): RejectionReason | null {
    const st = env?.statement;
    if (!st || !(st.nodeId instanceof Uint8Array) || st.nodeId.length !== NODE_ID_LENGTH) return "malformed";
    if (!(env.signature instanceof Uint8Array) || env.signature.length !== SIGNATURE_LENGTH)
      return "malformed";
    if (typeof st.slotIndex !== "bigint") return "malformed";
    let bytes: Uint8Array;
    try {
      bytes = encodeStatement(st);
    } catch {
      return "malformed";
    }
    const key = nodeKey(st.nodeId);
    if (key === this.local.key) return "own envelope";
    if (st.slotIndex < this.minSlot || st.slotIndex > this.maxSlot) return "slot out of range";
    if (!this.tracker.has(key)) return "sender outside transitive quorum";
    const declared = this.driver.getQuorumSet(companionQuorumSetHash(st.pledges));
    if (!declared) return "unknown quorum set";
    if (!isQuorumSetSane(declared)) return "insane quorum set";
    if (!this.driver.verify(st.nodeId, bytes, env.signature)) return "bad signature";
    const existed = this.slots.has(st.slotIndex);
    const slot = this.getSlot(st.slotIndex, true)!;
    if (slot.processEnvelope(env, false) !== "valid") {
      if (!existed) this.slots.delete(st.slotIndex);
      return "rejected by protocol";
    }
    this.tracker.update(key, declared);
    return null;
  }

  // ---------------------------------------------------------------- local actions

  /**
   * Nominates `value` for `slot` (`prevValue`: the previous slot's value, used in leader hashing).
   * Returns true if the local vote list grew. Throws SCP_NOT_VALIDATOR on a watcher.
   */
  nominate(slot: bigint, value: Value, prevValue: Value): boolean {
    if (!this.local.isValidator) throw new ScpError(ScpCode.NOT_VALIDATOR, { what: "nominate", slot });
    return this.getSlot(slot, true)!.nominate(value, prevValue, false);
  }

  /** Stops nomination for `slot`. */
  stopNomination(slot: bigint): void {
    this.slots.get(slot)?.stopNomination();
  }

  /**
   * Drives the ballot protocol directly: starts balloting on `value` (or, with `force`, moves to the
   * next counter). Normally nomination does this; tests and recovery tools use it.
   */
  bumpState(slot: bigint, value: Value, force = true): boolean {
    return this.getSlot(slot, true)!.bumpState(value, force);
  }

  /** Replaces the local quorum set (normalized; SCP_QSET_INSANE if not sane). */
  updateLocalQuorumSet(qset: QuorumSet): void {
    this.local.updateQuorumSet(qset);
    this.tracker.setLocalQuorumSet(this.local.qset);
  }

  /**
   * Only envelopes for slots in [min, max] are accepted (the herder keeps this window around the
   * slot it tracks: stale and far-future slots are rejected).
   */
  setSlotRange(min: bigint, max: bigint): void {
    if (typeof min !== "bigint" || typeof max !== "bigint" || min < 0n || max > U64_MAX || min > max)
      throw new RangeError("setSlotRange: need 0 ≤ min ≤ max < 2^64");
    this.minSlot = min;
    this.maxSlot = max;
  }

  /** Forgets every slot below `min` (except `keep`, if given). */
  purgeSlots(min: bigint, keep?: bigint): void {
    for (const k of [...this.slots.keys()]) if (k < min && k !== keep) this.slots.delete(k);
  }

  /**
   * Restores the local node's own persisted envelope (NOMINATE or ballot statement) after a restart,
   * before the slot runs again. Throws SCP_RESTORE_REJECTED if it cannot be restored.
   */
  setStateFromEnvelope(env: Envelope): void {
    this.getSlot(env.statement.slotIndex, true)!.setStateFromEnvelope(env);
  }

  // ---------------------------------------------------------------- queries

  /** The slot object (created on demand with `create`). */
  getSlot(index: bigint, create = false): Slot | undefined {
    let s = this.slots.get(index);
    if (!s && create) {
      s = new Slot(index, this);
      this.slots.set(index, s);
    }
    return s;
  }

  /** Indices of the slots held, ascending. */
  knownSlots(): bigint[] {
    return [...this.slots.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The local node's latest emitted-worthy envelopes for `slot` (NOMINATE, ballot). */
  getLatestMessagesSend(slot: bigint): Envelope[] {
    return this.slots.get(slot)?.latestMessagesSend() ?? [];
  }

  /** The envelopes backing the externalized value of `slot` (empty unless externalized). */
  getExternalizingState(slot: bigint): Envelope[] {
    return this.slots.get(slot)?.externalizingState() ?? [];
  }

  /** Every node's latest envelopes for `slot` (see Slot.processCurrentState). */
  getCurrentState(slot: bigint, forceSelf = false): Envelope[] {
    const out: Envelope[] = [];
    this.slots.get(slot)?.processCurrentState((e) => {
      out.push(e);
      return true;
    }, forceSelf);
    return out;
  }

  /** The value externalized for `slot`, if any. */
  externalizedValue(slot: bigint): Value | undefined {
    return this.slots.get(slot)?.externalizedValue ?? undefined;
  }

  /** Whether `slot` still emits (no "maybe valid" value seen). */
  isSlotFullyValidated(slot: bigint): boolean {
    return this.slots.get(slot)?.fullyValidated ?? false;
  }

  /** Whether a v-blocking set has spoken for `slot`. */
  gotVBlocking(slot: bigint): boolean {
    return this.slots.get(slot)?.gotVBlocking ?? false;
  }

  /** The latest envelope of `nodeId` in the highest slot that has one. */
  getLatestMessage(nodeId: NodeId): Envelope | undefined {
    const key = nodeKey(nodeId);
    for (const s of this.knownSlots().reverse()) {
      const e = this.slots.get(s)!.latestMessage(key);
      if (e) return e;
    }
    return undefined;
  }

  /** Whether `nodeId` is in the local node's transitive quorum (senders outside it are rejected). */
  isInTransitiveQuorum(nodeId: NodeId): boolean {
    return this.tracker.has(nodeKey(nodeId));
  }
}
