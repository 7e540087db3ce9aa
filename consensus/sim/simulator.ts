/**
 * Deterministic network simulator for SCP: many nodes in one process, virtual time, a seeded PRNG.
 * The network loses, duplicates, delays and reorders messages, is partitioned and healed; nodes crash
 * and restart (with or without their persisted SCP state); byzantine nodes equivocate, send fake
 * EXTERNALIZEs, huge counters, replays and garbage, or stay silent. Invariants are checked at the moment
 * each relevant event happens (every emission, every externalization, every exception):
 *   - agreement: intact nodes never externalize different values for a slot;
 *   - validity: an externalized value was proposed for that slot by some node;
 *   - finality: a node externalizes at most once per slot (per SCP instance) and never changes a
 *     decided slot (across restarts);
 *   - monotonicity: an intact node's emitted statements per slot only move forward (no self-contradiction,
 *     also across a restart with persisted state);
 *   - liveness: after the global stabilization time (GST) every intact node externalizes every slot
 *     within a bounded virtual time.
 * "Intact" nodes are the honest ones and those that crash but restore their persisted state; nodes that
 * restart without state ("amnesiac") and byzantine nodes are not.
 */
import { compareBytes, toHex } from "../../src/util/bytes.js";
import { CodedError } from "../../src/util/codedError.js";
import { isNewerBallotStatement } from "../scp/ballot.js";
import type { ScpDriver, TimerId } from "../scp/driver.js";
import { ValidationLevel } from "../scp/driver.js";
import { decodeEnvelope, encodeEnvelope, quorumSetHash } from "../scp/encoding.js";
import { checkQuorumIntersection } from "../scp/intersection.js";
import { isNewerNomination } from "../scp/nomination.js";
import { isQuorumSlice, normalizeQuorumSet } from "../scp/quorumSet.js";
import { Scp } from "../scp/scp.js";
import { signTest, type TestKey, TestKeyring, testKey } from "../scp/testKit.js";
import {
  type BallotPledge,
  type Envelope,
  type Hash,
  INFINITE_COUNTER,
  type NominatePledge,
  type Pledges,
  type QuorumSet,
  type Value,
} from "../scp/types.js";
import { EventQueue } from "./eventQueue.js";
import { Prng } from "./prng.js";

/** What a byzantine node does. */
export type ByzantineBehavior =
  | "silent"
  | "equivocate"
  | "fakeExternalize"
  | "hugeCounters"
  | "replay"
  | "garbage";
export const BYZANTINE_BEHAVIORS: readonly ByzantineBehavior[] = [
  "silent",
  "equivocate",
  "fakeExternalize",
  "hugeCounters",
  "replay",
  "garbage",
];

/** Quorum configuration: one flat k-of-n set, or organisations of 3 as inner sets. */
export type Topology = "flat" | "orgs";

export interface SimConfig {
  readonly seed: string;
  /** Total number of validators (byzantine and faulty ones included). */
  readonly validators: number;
  /** Nodes that crash and restart with their persisted SCP state (they stay intact). */
  readonly faulty?: number;
  /** Nodes that crash and restart without SCP state (counted as faulty for safety). */
  readonly amnesiac?: number;
  /** Byzantine nodes. */
  readonly byzantine?: number;
  /** Behaviours byzantine nodes pick from (default: all). */
  readonly behaviors?: readonly ByzantineBehavior[];
  /** Slots to agree on (default 3). */
  readonly slots?: number;
  /** Probability that a message is lost (default 0). */
  readonly loss?: number;
  /** Probability that a message is delivered twice (default 0.05). */
  readonly duplicate?: number;
  /** Global stabilization time in virtual ms (default 10 000): chaos before, bounded delays after. */
  readonly gst?: number;
  /** Random partitions before GST (default true). */
  readonly partitions?: boolean;
  /** Explicit partitions (in addition to random ones): `side` is cut off from the rest during [start, end). */
  readonly partitionPlan?: readonly {
    readonly start: number;
    readonly end: number;
    readonly side: readonly number[];
  }[];
  /** Message delay bounds after GST (default 5..150 ms). */
  readonly minDelay?: number;
  readonly maxDelay?: number;
  /** Largest delay before GST (default 2500 ms: longer than the first timeouts). */
  readonly preGstMaxDelay?: number;
  readonly topology?: Topology;
  /** Flat topology threshold (default n − ⌊(n−1)/3⌋). */
  readonly threshold?: number;
  /** Period of the "rebroadcast my latest messages / ask a peer for state" tick (default 1500 ms). */
  readonly rebroadcastMs?: number;
  /** Abort after this many events (default 3 000 000). */
  readonly maxEvents?: number;
  /** Virtual time after GST within which all intact nodes must finish (default 60 s + 20 s per slot). */
  readonly livenessBudgetMs?: number;
}

export type Role = "honest" | "crash" | "amnesiac" | "byzantine";

export interface SimResult {
  readonly seed: string;
  readonly validators: number;
  readonly slots: number;
  readonly roles: readonly Role[];
  readonly behaviors: readonly (ByzantineBehavior | null)[];
  readonly intersects: boolean | null;
  /** Faults within SCP's tolerance (null above 20 nodes, where it is not checked). */
  readonly withinTolerance: boolean | null;
  readonly safetyViolations: readonly string[];
  readonly livenessFailure: string | null;
  /** Hex of the value decided per slot (1-based slots; null if no intact node decided it). */
  readonly decided: readonly (string | null)[];
  /** Ballot counter c.n of every intact externalization. */
  readonly ballotRounds: readonly number[];
  /** Nomination round at every intact externalization. */
  readonly nominationRounds: readonly number[];
  /** Time from a node starting a slot to externalizing it (intact nodes, ms). */
  readonly timesToExternalizeMs: readonly number[];
  /** Virtual time when the last intact node finished (or the run stopped). */
  readonly endTimeMs: number;
  readonly events: number;
  readonly messages: { sent: number; delivered: number; lost: number; duplicated: number };
  readonly verdicts: { valid: number; invalid: number; malformed: number };
  /** Emissions that did not move forward: by intact nodes (a violation) and by amnesiac ones (expected). */
  readonly selfContradictions: { intact: number; amnesiac: number };
}

const GENESIS: Value = new Uint8Array(32);
const VALUE_TAG = 0x76; // "v"
const BRACKET = 6n;
const NEXT_SLOT_DELAY = 50;

const keyCache = new Map<string, TestKey>();
function simKey(name: string): TestKey {
  let k = keyCache.get(name);
  if (!k) {
    k = testKey(name);
    keyCache.set(name, k);
  }
  return k;
}

/** The quorum set with nodes `bad` deleted from every slice (thresholds lowered, never below 0). */
function deleteNodes(q: QuorumSet, bad: ReadonlySet<string>): QuorumSet {
  const validators = q.validators.filter((v) => !bad.has(toHex(v)));
  const removed = q.validators.length - validators.length;
  return {
    threshold: Math.max(0, q.threshold - removed),
    validators,
    innerSets: q.innerSets.map((i) => deleteNodes(i, bad)),
  };
}

/** A proposal: tag ‖ u64 slot ‖ u32 nonce ‖ u16 proposer ‖ u8 persona. */
function makeProposal(slot: bigint, nonce: number, proposer: number, persona: number): Value {
  const v = new Uint8Array(16);
  const dv = new DataView(v.buffer);
  v[0] = VALUE_TAG;
  dv.setBigUint64(1, slot, false);
  dv.setUint32(9, nonce, false);
  dv.setUint16(13, proposer, false);
  v[15] = persona;
  return v;
}

function proposalSlot(v: Value): bigint | null {
  if (v.length !== 16 || v[0] !== VALUE_TAG) return null;
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(1, false);
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export { median };

type Message = { kind: "scp"; bytes: Uint8Array } | { kind: "stateRequest"; fromSlot: bigint };

interface TimerEntry {
  token: number;
}

/** One SCP instance of a node (byzantine equivocators run two), with its application state. */
class Persona {
  scp!: Scp;
  driver!: SimDriver;
  /** Decided values (the "chain": survives restarts). */
  readonly ledger = new Map<bigint, Value>();
  /** Persisted own envelopes per slot (survive restarts unless amnesiac). */
  readonly persisted = new Map<bigint, { nom?: Envelope; ballot?: Envelope }>();
  /** Per decided slot, the envelopes that proved it (served to lagging peers; part of the "chain"). */
  readonly certificates = new Map<bigint, Envelope[]>();
  /** Lowest undecided slot. */
  current = 1n;
  readonly slotStart = new Map<bigint, number>();
  /** Indices of the nodes this persona sends to. */
  targets: number[] = [];

  constructor(
    readonly node: SimNode,
    readonly index: number,
  ) {}
}

class SimNode {
  up = true;
  incarnation = 0;
  readonly personas: Persona[] = [];
  /** Envelopes seen (replay/garbage material). */
  readonly seen: Uint8Array[] = [];

  constructor(
    readonly index: number,
    readonly key: TestKey,
    readonly role: Role,
    readonly behavior: ByzantineBehavior | null,
  ) {}

  get intact(): boolean {
    return this.role === "honest" || this.role === "crash";
  }
}

class SimDriver implements ScpDriver {
  private readonly timers = new Map<string, TimerEntry>();
  private tokens = 0;
  readonly incarnation: number;

  constructor(
    private readonly sim: Simulation,
    private readonly p: Persona,
  ) {
    this.incarnation = p.node.incarnation;
  }

  private alive(): boolean {
    return this.p.node.up && this.p.node.incarnation === this.incarnation;
  }

  sign(statementBytes: Uint8Array): Uint8Array {
    return TestKeyring.sign(this.p.node.key, statementBytes);
  }

  verify(nodeId: Uint8Array, statementBytes: Uint8Array, signature: Uint8Array): boolean {
    return this.sim.keyring.verify(nodeId, statementBytes, signature);
  }

  persistEnvelope(env: Envelope): void {
    const slot = env.statement.slotIndex;
    const entry = this.p.persisted.get(slot) ?? {};
    if (env.statement.pledges.type === "nominate") entry.nom = env;
    else entry.ballot = env;
    this.p.persisted.set(slot, entry);
  }

  emitEnvelope(env: Envelope): void {
    if (this.alive()) this.sim.onEmit(this.p, env);
  }

  getQuorumSet(hash: Uint8Array): QuorumSet | undefined {
    return this.sim.qsets.get(toHex(hash));
  }

  validateValue(slot: bigint, value: Value): ValidationLevel {
    return this.sim.isProposal(slot, value) ? ValidationLevel.FullyValid : ValidationLevel.Invalid;
  }

  combineCandidates(_slot: bigint, candidates: readonly Value[]): Value | undefined {
    let best: Value | undefined;
    for (const c of candidates) if (!best || compareBytes(c, best) > 0) best = c;
    return best;
  }

  setupTimer(slot: bigint, timer: TimerId, delayMs: number, callback: () => void): void {
    const key = `${slot}:${timer}`;
    const token = ++this.tokens;
    this.timers.set(key, { token });
    this.sim.queue.after(delayMs, () => {
      if (!this.alive() || this.timers.get(key)?.token !== token) return;
      this.timers.delete(key);
      callback();
    });
  }

  stopTimer(slot: bigint, timer: TimerId): void {
    this.timers.delete(`${slot}:${timer}`);
  }

  computeTimeout(round: number): number {
    return Math.min(1000 + (round - 1) * 1000, 30 * 60 * 1000);
  }

  valueExternalized(slot: bigint, value: Value): void {
    this.sim.onExternalized(this.p, slot, value);
  }
}

/** One simulation run. Build it, then `run()`. */
export class Simulation {
  readonly queue = new EventQueue();
  readonly keyring = new TestKeyring();
  readonly qsets = new Map<string, QuorumSet>();
  readonly nodes: SimNode[] = [];
  private readonly rng: Prng;
  private readonly cfg: Required<
    Omit<SimConfig, "threshold" | "behaviors" | "topology" | "partitionPlan">
  > & {
    partitionPlan: NonNullable<SimConfig["partitionPlan"]>;
    threshold: number;
    behaviors: readonly ByzantineBehavior[];
    topology: Topology;
  };
  private readonly qset: QuorumSet;
  private readonly qsetHash: Hash;
  private readonly insaneHash: Hash;
  private readonly proposals = new Set<string>();
  private readonly cut = new Set<string>();
  private readonly decided = new Map<bigint, Value>();
  private readonly lastEmitted = new Map<string, Pledges>();
  private readonly phaseRank = new Map<string, number>();
  private readonly violations: string[] = [];
  private readonly ballotRounds: number[] = [];
  private readonly nominationRounds: number[] = [];
  private readonly times: number[] = [];
  private readonly messages = { sent: 0, delivered: 0, lost: 0, duplicated: 0 };
  private readonly verdicts = { valid: 0, invalid: 0, malformed: 0 };
  private readonly contradictions = { intact: 0, amnesiac: 0 };
  private intersects: boolean | null = null;
  private withinTolerance: boolean | null = null;
  readonly rejections: Record<string, number> = {};
  private events = 0;
  private stopped = false;

  constructor(config: SimConfig) {
    const n = config.validators;
    if (!Number.isInteger(n) || n < 1 || n > 200) throw new RangeError("validators must be in 1..200");
    const slots = config.slots ?? 3;
    this.cfg = {
      seed: config.seed,
      validators: n,
      faulty: config.faulty ?? 0,
      amnesiac: config.amnesiac ?? 0,
      byzantine: config.byzantine ?? 0,
      behaviors: config.behaviors ?? BYZANTINE_BEHAVIORS,
      slots,
      loss: config.loss ?? 0,
      duplicate: config.duplicate ?? 0.05,
      gst: config.gst ?? 10_000,
      partitions: config.partitions ?? true,
      partitionPlan: config.partitionPlan ?? [],
      minDelay: config.minDelay ?? 5,
      maxDelay: config.maxDelay ?? 150,
      preGstMaxDelay: config.preGstMaxDelay ?? 2500,
      topology: config.topology ?? "flat",
      threshold: config.threshold ?? n - Math.floor((n - 1) / 3),
      rebroadcastMs: config.rebroadcastMs ?? 1500,
      maxEvents: config.maxEvents ?? 3_000_000,
      livenessBudgetMs: config.livenessBudgetMs ?? 60_000 + 20_000 * slots,
    };
    const c = this.cfg;
    if (c.faulty + c.amnesiac + c.byzantine > n) throw new RangeError("more faulty nodes than validators");
    if (c.behaviors.length === 0) throw new RangeError("behaviors must not be empty");
    this.rng = new Prng(`sim/${c.seed}`);

    // roles
    const order = this.rng.shuffle([...Array(n).keys()]);
    const roles: Role[] = Array(n).fill("honest");
    let at = 0;
    for (let i = 0; i < c.byzantine; i++) roles[order[at++]!] = "byzantine";
    for (let i = 0; i < c.faulty; i++) roles[order[at++]!] = "crash";
    for (let i = 0; i < c.amnesiac; i++) roles[order[at++]!] = "amnesiac";
    for (let i = 0; i < n; i++) {
      const behavior = roles[i] === "byzantine" ? this.rng.pick(c.behaviors) : null;
      this.nodes.push(new SimNode(i, simKey(`sim-node-${i}`), roles[i]!, behavior));
    }
    for (const node of this.nodes) this.keyring.addKey(node.key);

    // quorum sets
    const ids = this.nodes.map((x) => x.key.nodeId);
    if (c.topology === "flat") this.qset = { threshold: c.threshold, validators: ids, innerSets: [] };
    else {
      // organisations of 3 (the first n mod 3 of them of 4), majority inside, 2f+1-style on top
      const k = Math.max(1, Math.floor(n / 3));
      const orgs: QuorumSet[] = [];
      let next = 0;
      for (let i = 0; i < k; i++) {
        const size = n < 3 ? n : 3 + (i < n % 3 ? 1 : 0);
        const members = ids.slice(next, next + size);
        next += size;
        orgs.push({ threshold: Math.floor(members.length / 2) + 1, validators: members, innerSets: [] });
      }
      this.qset =
        k === 1 ? orgs[0]! : { threshold: k - Math.floor((k - 1) / 3), validators: [], innerSets: orgs };
    }
    // nodes normalize their quorum set: register (and use) the normalized form
    this.qset = normalizeQuorumSet(this.qset);
    this.qsetHash = this.register(this.qset);
    this.insaneHash = this.register({ threshold: n + 5, validators: ids, innerSets: [] });
    if (n <= 20) {
      this.intersects = checkQuorumIntersection(
        this.nodes.map((x) => ({ nodeId: x.key.nodeId, qset: this.qset })),
      ).intersects;
      this.withinTolerance = this.toleranceHolds();
    }
  }

  /**
   * Whether the faults of this run are within what SCP tolerates: with the byzantine and amnesiac nodes
   * B deleted from every slice, the other nodes still enjoy quorum intersection, and they form a quorum
   * (so B is not v-blocking for them).
   */
  private toleranceHolds(): boolean {
    const bad = new Set(this.nodes.filter((x) => !x.intact).map((x) => x.key.key));
    const intact = this.nodes.filter((x) => x.intact);
    if (intact.length === 0) return false;
    const keys = new Set(intact.map((x) => x.key.key));
    if (!isQuorumSlice(this.qset, keys)) return false;
    const deleted = deleteNodes(this.qset, bad);
    return checkQuorumIntersection(intact.map((x) => ({ nodeId: x.key.nodeId, qset: deleted }))).intersects;
  }

  private register(q: QuorumSet): Hash {
    const h = quorumSetHash(q);
    this.qsets.set(toHex(h), q);
    return h;
  }

  /** Is `v` a value some node proposed for `slot`? */
  isProposal(slot: bigint, v: Value): boolean {
    return proposalSlot(v) === slot && this.proposals.has(toHex(v));
  }

  private propose(p: Persona, slot: bigint): Value {
    const v = makeProposal(slot, this.rng.next(), p.node.index, p.index);
    this.proposals.add(toHex(v));
    return v;
  }

  private violation(what: string): void {
    this.violations.push(`t=${this.queue.now}: ${what}`);
  }

  // ------------------------------------------------------------------ node lifecycle

  private bootPersona(p: Persona, restore: boolean): void {
    p.driver = new SimDriver(this, p);
    p.scp = new Scp({ nodeId: p.node.key.nodeId, quorumSet: this.qset }, p.driver);
    p.scp.setSlotRange(p.current, p.current + BRACKET);
    if (restore) {
      for (const [slot, entry] of [...p.persisted].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        if (slot < p.current) continue;
        if (entry.nom) p.scp.setStateFromEnvelope(entry.nom);
        if (entry.ballot) p.scp.setStateFromEnvelope(entry.ballot);
      }
    } else p.persisted.clear();
  }

  private startSlot(p: Persona): void {
    const slot = p.current;
    if (slot > BigInt(this.cfg.slots)) return;
    const prev = slot === 1n ? GENESIS : p.ledger.get(slot - 1n)!;
    if (!p.slotStart.has(slot)) p.slotStart.set(slot, this.queue.now);
    p.scp.nominate(slot, this.propose(p, slot), prev);
  }

  private scheduleStart(p: Persona, delay: number): void {
    const inc = p.node.incarnation;
    const slot = p.current;
    this.queue.after(delay, () => {
      if (!p.node.up || p.node.incarnation !== inc || p.current !== slot) return;
      this.guard(() => this.startSlot(p));
    });
  }

  private crash(node: SimNode): void {
    if (!node.up) return;
    node.up = false;
    node.incarnation++;
  }

  private restart(node: SimNode): void {
    if (node.up) return;
    node.up = true;
    node.incarnation++;
    for (const p of node.personas) {
      this.guard(() => this.bootPersona(p, node.role === "crash"));
      this.scheduleStart(p, this.rng.range(0, 100));
    }
    this.scheduleTick(node);
  }

  // ------------------------------------------------------------------ network

  private linkCut(a: number, b: number): boolean {
    return this.cut.has(`${a}:${b}`);
  }

  private send(from: number, to: number, msg: Message): void {
    if (from === to) return;
    this.messages.sent++;
    if (this.linkCut(from, to) || this.rng.chance(this.cfg.loss)) {
      this.messages.lost++;
      return;
    }
    const copies = this.rng.chance(this.cfg.duplicate) ? 2 : 1;
    if (copies === 2) this.messages.duplicated++;
    for (let i = 0; i < copies; i++) {
      const beforeGst = this.queue.now < this.cfg.gst;
      const hi = beforeGst ? this.cfg.preGstMaxDelay : this.cfg.maxDelay;
      const delay = this.rng.range(this.cfg.minDelay, Math.max(this.cfg.minDelay, hi));
      this.queue.after(delay, () => this.deliver(to, from, msg));
    }
  }

  private broadcastFrom(p: Persona, env: Envelope): void {
    const bytes = encodeEnvelope(env);
    for (const t of p.targets) this.send(p.node.index, t, { kind: "scp", bytes });
  }

  private deliver(to: number, from: number, msg: Message): void {
    const node = this.nodes[to]!;
    if (!node.up) {
      this.messages.lost++;
      return;
    }
    this.messages.delivered++;
    if (msg.kind === "stateRequest") {
      this.answerStateRequest(node, from, msg.fromSlot);
      return;
    }
    if (node.behavior === "replay" || node.behavior === "garbage") {
      if (node.seen.length < 400) node.seen.push(msg.bytes);
      else node.seen[this.rng.int(node.seen.length)] = msg.bytes;
    }
    if (node.personas.length === 0) return;
    let env: Envelope;
    try {
      env = decodeEnvelope(msg.bytes);
    } catch (e) {
      if (e instanceof CodedError && e.code.startsWith("SCP_DECODE")) {
        this.verdicts.malformed++;
        return;
      }
      throw e;
    }
    for (const p of node.personas) {
      const verdict = p.scp.receiveEnvelope(env);
      if (verdict === "valid") this.verdicts.valid++;
      else {
        this.verdicts.invalid++;
        const r = p.scp.lastRejection ?? "?";
        this.rejections[r] = (this.rejections[r] ?? 0) + 1;
      }
    }
  }

  private answerStateRequest(node: SimNode, from: number, fromSlot: bigint): void {
    const p = node.personas[0];
    if (!p || node.behavior === "silent") return;
    const out: Envelope[] = [];
    for (let s = fromSlot; s < fromSlot + 3n && s <= p.current; s++) {
      if (p.ledger.has(s)) out.push(...(p.certificates.get(s) ?? []));
      else out.push(...p.scp.getLatestMessagesSend(s));
    }
    for (const e of out) this.send(node.index, from, { kind: "scp", bytes: encodeEnvelope(e) });
  }

  private scheduleTick(node: SimNode): void {
    const inc = node.incarnation;
    const period = this.cfg.rebroadcastMs;
    this.queue.after(this.rng.range(period >> 1, period), () => {
      if (this.stopped || !node.up || node.incarnation !== inc) return;
      this.guard(() => this.tick(node));
      this.scheduleTick(node);
    });
  }

  private tick(node: SimNode): void {
    for (const p of node.personas) {
      for (const s of [p.current - 1n, p.current]) {
        if (s < 1n) continue;
        for (const e of p.scp.getLatestMessagesSend(s)) this.broadcastFrom(p, e);
      }
      if (p.current <= BigInt(this.cfg.slots)) {
        const peer = this.rng.pick(p.targets.length > 0 ? p.targets : [node.index]);
        this.send(node.index, peer, { kind: "stateRequest", fromSlot: p.current });
      }
    }
    if (node.role === "byzantine") this.attack(node);
  }

  // ------------------------------------------------------------------ byzantine behaviours

  private attack(node: SimNode): void {
    const p = node.personas[0];
    if (!p) return;
    const others = this.nodes.filter((x) => x !== node).map((x) => x.index);
    const slot = p.current > BigInt(this.cfg.slots) ? BigInt(this.cfg.slots) : p.current;
    const sendAll = (e: Envelope | Uint8Array) => {
      const bytes = e instanceof Uint8Array ? e : encodeEnvelope(e);
      for (const t of others) this.send(node.index, t, { kind: "scp", bytes });
    };
    const st = (s: bigint, pledges: Pledges) =>
      signTest(node.key, { nodeId: node.key.nodeId, slotIndex: s, pledges });
    switch (node.behavior) {
      case "fakeExternalize": {
        // a valid value of its own, or an unregistered (invalid) one
        const v = this.rng.chance(0.7)
          ? this.propose(p, slot)
          : makeProposal(slot, this.rng.next(), node.index, 9);
        sendAll(
          st(slot, {
            type: "externalize",
            commit: { counter: 1, value: v },
            nH: 1,
            commitQuorumSetHash: this.qsetHash,
          }),
        );
        break;
      }
      case "hugeCounters": {
        const v = this.propose(p, slot);
        const big = INFINITE_COUNTER - this.rng.int(3);
        sendAll(
          st(slot, {
            type: "prepare",
            quorumSetHash: this.qsetHash,
            ballot: { counter: big, value: v },
            prepared: { counter: big, value: v },
            preparedPrime: null,
            nC: 0,
            nH: 0,
          }),
        );
        sendAll(
          st(slot, {
            type: "confirm",
            quorumSetHash: this.qsetHash,
            ballot: { counter: big, value: v },
            nPrepared: big,
            nCommit: 1,
            nH: big,
          }),
        );
        break;
      }
      case "replay": {
        for (let i = 0; i < 3 && node.seen.length > 0; i++) {
          const bytes = this.rng.pick(node.seen);
          this.send(node.index, this.rng.pick(others), { kind: "scp", bytes });
        }
        break;
      }
      case "garbage": {
        const v = this.propose(p, slot);
        const prep = (qh: Hash): Pledges => ({
          type: "prepare",
          quorumSetHash: qh,
          ballot: { counter: 1, value: v },
          prepared: null,
          preparedPrime: null,
          nC: 0,
          nH: 0,
        });
        switch (this.rng.int(6)) {
          case 0: // unknown quorum set
            sendAll(st(slot, prep(new Uint8Array(32).fill(7))));
            break;
          case 1: // insane quorum set
            sendAll(st(slot, prep(this.insaneHash)));
            break;
          case 2: // far-future slot
            sendAll(st(slot + 1000n, prep(this.qsetHash)));
            break;
          case 3: {
            // a statement in another node's name, signed with our key
            const victim = this.nodes[this.rng.pick(others)]!;
            const forged = signTest(node.key, {
              nodeId: victim.key.nodeId,
              slotIndex: slot,
              pledges: prep(this.qsetHash),
            });
            sendAll(forged);
            break;
          }
          case 4: {
            // bit flips in something seen
            if (node.seen.length === 0) break;
            const b = this.rng.pick(node.seen).slice();
            b[this.rng.int(b.length)]! ^= 1 << this.rng.int(8);
            sendAll(b);
            break;
          }
          default: {
            // truncated bytes
            if (node.seen.length === 0) break;
            const b = this.rng.pick(node.seen);
            sendAll(b.subarray(0, this.rng.int(b.length)));
          }
        }
        break;
      }
      default:
        break;
    }
  }

  // ------------------------------------------------------------------ invariant hooks

  /** Called for every envelope a persona emits (after it was persisted). */
  onEmit(p: Persona, env: Envelope): void {
    const node = p.node;
    if (node.role !== "byzantine") {
      const pl = env.statement.pledges;
      const key = `${node.index}:${env.statement.slotIndex}:${pl.type === "nominate" ? "n" : "b"}`;
      const prev = this.lastEmitted.get(key);
      if (prev) {
        const newer =
          pl.type === "nominate"
            ? isNewerNomination(prev as NominatePledge, pl)
            : isNewerBallotStatement(prev as BallotPledge, pl as BallotPledge);
        if (!newer) {
          if (node.intact) {
            this.contradictions.intact++;
            this.violation(
              `node ${node.index} emitted a statement that does not move forward (slot ${env.statement.slotIndex})`,
            );
          } else this.contradictions.amnesiac++;
        }
      }
      this.lastEmitted.set(key, pl);
    }
    this.broadcastFrom(p, env);
  }

  /** Called when a persona's SCP externalizes `value` for `slot`. */
  onExternalized(p: Persona, slot: bigint, value: Value): void {
    const node = p.node;
    const hex = toHex(value);
    if (node.intact && !this.isProposal(slot, value))
      this.violation(`node ${node.index} externalized an unproposed value in slot ${slot}`);
    const old = p.ledger.get(slot);
    if (old) {
      if (toHex(old) !== hex && node.intact)
        this.violation(`node ${node.index} changed its decision for slot ${slot}`);
      return;
    }
    p.ledger.set(slot, value);
    p.certificates.set(slot, p.scp.getExternalizingState(slot));
    if (node.intact) {
      const d = this.decided.get(slot);
      if (!d) this.decided.set(slot, value);
      else if (toHex(d) !== hex)
        this.violation(`agreement: slot ${slot} decided ${toHex(d).slice(0, 16)} and ${hex.slice(0, 16)}`);
      const s = p.scp.getSlot(slot);
      const c = s?.ballot.commit?.counter;
      if (c !== undefined) this.ballotRounds.push(c);
      if (s) this.nominationRounds.push(s.nomination.roundNumber);
      const started = p.slotStart.get(slot);
      if (started !== undefined) this.times.push(this.queue.now - started);
    }
    const before = p.current;
    while (p.ledger.has(p.current)) p.current++;
    if (p.current !== before) {
      p.scp.setSlotRange(p.current, p.current + BRACKET);
      p.scp.purgeSlots(p.current - 3n);
      this.scheduleStart(p, NEXT_SLOT_DELAY);
    }
  }

  /**
   * Per-event state check of intact nodes, over the slots each still holds: SCP's externalized value
   * matches the ledger (nothing externalized silently or changed), and the ballot phase never regresses
   * (also across restarts with persisted state).
   */
  private checkAfterEvent(): void {
    const rank = { prepare: 0, confirm: 1, externalize: 2 } as const;
    for (const node of this.nodes) {
      if (!node.intact || !node.up) continue;
      const p = node.personas[0]!;
      for (const slot of p.scp.knownSlots()) {
        const s = p.scp.getSlot(slot)!;
        const v = s.externalizedValue;
        const l = p.ledger.get(slot);
        if (v && (!l || toHex(v) !== toHex(l)))
          this.violation(`node ${node.index} slot ${slot}: SCP externalized without telling the application`);
        const key = `${node.index}:${slot}`;
        const r = rank[s.ballot.phase];
        const before = this.phaseRank.get(key) ?? 0;
        if (r < before) this.violation(`node ${node.index} slot ${slot}: ballot phase went backwards`);
        else this.phaseRank.set(key, r);
      }
    }
  }

  /** Runs `f`, turning an unexpected exception (an SCP invariant failure) into a safety violation. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.violation(`exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      this.stopped = true;
    }
  }

  // ------------------------------------------------------------------ run

  private intactDone(): boolean {
    const k = BigInt(this.cfg.slots);
    return this.nodes.every((n) => !n.intact || n.personas[0]!.current > k);
  }

  /** Runs the simulation to completion and returns its result. */
  run(): SimResult {
    const c = this.cfg;
    const n = this.nodes.length;
    // personas and targets
    for (const node of this.nodes) {
      const others = this.nodes.filter((x) => x !== node).map((x) => x.index);
      if (node.behavior === "silent") continue;
      if (node.behavior === "equivocate") {
        const shuffled = this.rng.shuffle([...others]);
        const half = Math.ceil(shuffled.length / 2);
        for (const [i, targets] of [shuffled.slice(0, half), shuffled.slice(half)].entries()) {
          const p = new Persona(node, i);
          p.targets = targets;
          node.personas.push(p);
        }
      } else {
        const p = new Persona(node, 0);
        p.targets = others;
        node.personas.push(p);
      }
    }
    for (const node of this.nodes) {
      for (const p of node.personas) {
        this.bootPersona(p, false);
        this.scheduleStart(p, this.rng.range(0, 200));
      }
      if (node.behavior !== "silent") this.scheduleTick(node);
    }
    // crashes
    for (const node of this.nodes) {
      if (node.role !== "crash" && node.role !== "amnesiac") continue;
      const crashes = this.rng.range(1, 2);
      const times = Array.from({ length: crashes }, () => this.rng.range(0, Math.floor(c.gst * 0.8))).sort(
        (a, b) => a - b,
      );
      times.forEach((t, i) => {
        const next = times[i + 1] ?? c.gst;
        const up = Math.min(t + this.rng.range(300, Math.max(300, Math.floor(c.gst * 0.3))), next - 1, c.gst);
        this.queue.at(t, () => this.crash(node));
        this.queue.at(Math.max(up, t + 1), () => this.restart(node));
      });
    }
    // partitions
    const plan: { start: number; end: number; side: Set<number> }[] = c.partitionPlan.map((x) => ({
      start: x.start,
      end: x.end,
      side: new Set(x.side),
    }));
    if (c.partitions && n > 1) {
      const count = this.rng.range(0, 3);
      for (let i = 0; i < count; i++) {
        const start = this.rng.range(0, Math.floor(c.gst * 0.7));
        const end = Math.min(start + this.rng.range(1000, 8000), c.gst);
        plan.push({
          start,
          end,
          side: new Set(this.rng.shuffle([...Array(n).keys()]).slice(0, this.rng.range(1, n - 1))),
        });
      }
    }
    for (const { start, end, side } of plan) {
      const links: string[] = [];
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) if (side.has(a) !== side.has(b)) links.push(`${a}:${b}`);
      this.queue.at(start, () => {
        for (const l of links) this.cut.add(l);
      });
      this.queue.at(end, () => {
        for (const l of links) this.cut.delete(l);
      });
    }
    this.queue.at(c.gst, () => this.cut.clear());
    const deadline = c.gst + c.livenessBudgetMs;
    let livenessFailure: string | null = null;
    for (;;) {
      if (this.intactDone()) break;
      const e = this.queue.pop();
      if (!e) {
        livenessFailure = "no events left";
        break;
      }
      if (e.at > deadline) {
        livenessFailure = `intact nodes did not finish within ${c.livenessBudgetMs} ms after GST`;
        break;
      }
      if (++this.events > c.maxEvents) {
        livenessFailure = `event budget of ${c.maxEvents} exhausted`;
        break;
      }
      this.guard(e.run);
      this.checkAfterEvent();
      if (this.stopped) break;
    }
    this.stopped = true;
    if (livenessFailure) {
      const behind = this.nodes
        .filter((x) => x.intact && x.personas[0]!.current <= BigInt(c.slots))
        .map((x) => x.index);
      livenessFailure += ` (behind: ${behind.join(",")})`;
    }
    const decided: (string | null)[] = [];
    for (let s = 1n; s <= BigInt(c.slots); s++) {
      const d = this.decided.get(s);
      decided.push(d ? toHex(d) : null);
    }
    return {
      seed: c.seed,
      validators: n,
      slots: c.slots,
      roles: this.nodes.map((x) => x.role),
      behaviors: this.nodes.map((x) => x.behavior),
      intersects: this.intersects,
      withinTolerance: this.withinTolerance,
      safetyViolations: [...this.violations],
      livenessFailure,
      decided,
      ballotRounds: this.ballotRounds,
      nominationRounds: this.nominationRounds,
      timesToExternalizeMs: this.times,
      endTimeMs: this.queue.now,
      events: this.events,
      messages: { ...this.messages },
      verdicts: { ...this.verdicts },
      selfContradictions: { ...this.contradictions },
    };
  }
}

/** Builds and runs one simulation. */
export function simulate(config: SimConfig): SimResult {
  return new Simulation(config).run();
}
