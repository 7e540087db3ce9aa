/**
 * Test kit for SCP: a keyring of deterministic node keys with a cheap stand-in signature, a recording
 * driver with a virtual clock (stellar-core's TestSCP: it records emitted envelopes, holds timers until
 * a test fires them, and lets tests fix priorities, value hashes, validity and candidate combination),
 * and builders for peers' statements. Used by the tests and by the simulator; never by a real node.
 */
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { fromBytesModOrderWide } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { bytesEqual, compareBytes, concatBytes, toHex, utf8 } from "../../src/util/bytes.js";
import { type ScpDriver, type TimerId, ValidationLevel } from "./driver.js";
import { encodeStatement, quorumSetHash } from "./encoding.js";
import type { Ballot, Envelope, Hash, NodeId, Pledges, QuorumSet, Statement, Value } from "./types.js";
import { nodeKey } from "./types.js";

/** Domain label of the test stand-in signature. */
export const TEST_SIGNATURE_LABEL = "zkvm.scp.test-signature.v1";
const SIG_LABEL = utf8(TEST_SIGNATURE_LABEL);

/** A deterministic test identity: a Starsig secret scalar, its public key as node id, and raw key bytes. */
export interface TestKey {
  readonly name: string;
  readonly secret: bigint;
  readonly nodeId: NodeId;
  readonly key: string;
  /** Key bytes of the stand-in signature. */
  readonly mac: Uint8Array;
}

/** Builds the test identity named `name` (same name, same key). */
export function testKey(name: string): TestKey {
  const wide = sha512(utf8(`zkvm.scp.test-key/${name}`));
  const secret = fromBytesModOrderWide(wide);
  const nodeId = publicKey(secret).bytes.slice();
  const mac = sha256(concatBytes(SIG_LABEL, wide));
  return { name, secret, nodeId, key: nodeKey(nodeId), mac };
}

/**
 * A fast keyed 64-byte tag standing in for a signature: four independent multiply-xorshift lanes
 * over the message, keyed by the node's `mac` key and the domain label, expanded to 64 bytes. NOT a
 * cryptographic MAC: it only has to make accidental or bit-flipped "signatures" fail, quickly, in tests
 * and in the simulator (where byzantine nodes never try to compute another node's tag).
 */
function fastTag(key: Uint8Array, message: Uint8Array): Uint8Array {
  const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
  let h0 = dv.getUint32(0, true) ^ 0x9e3779b9;
  let h1 = dv.getUint32(4, true) ^ 0x85ebca6b;
  let h2 = dv.getUint32(8, true) ^ 0xc2b2ae35;
  let h3 = dv.getUint32(12, true) ^ 0x27d4eb2f;
  const n = message.length;
  for (let i = 0; i < n; i++) {
    const b = message[i]!;
    h0 = Math.imul(h0 ^ b, 0x01000193);
    h1 = Math.imul(h1 ^ b, 0x5bd1e995) ^ (h1 >>> 15);
    h2 = Math.imul(h2 + b, 0x27d4eb2d) ^ (h2 >>> 13);
    h3 = Math.imul(h3 ^ (b << ((i & 3) * 8)), 0x165667b1) ^ (h3 >>> 16);
  }
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  const k4 = dv.getUint32(16, true);
  for (let j = 0; j < 16; j++) {
    h0 = Math.imul(h0 ^ (h3 >>> 11) ^ j, 0x85ebca6b) ^ k4;
    h1 = Math.imul(h1 ^ (h0 >>> 13), 0xc2b2ae35);
    h2 = Math.imul(h2 ^ (h1 >>> 16) ^ n, 0x9e3779b1);
    h3 = Math.imul(h3 ^ (h2 >>> 15), 0x01000193);
    ov.setUint32(j * 4, (h0 ^ h1 ^ h2 ^ h3) >>> 0, true);
  }
  return out;
}

/**
 * Stand-in signatures (64 bytes) keyed by each test identity's `mac` key (see `fastTag`). Anyone
 * holding the keyring can verify; only tests and the simulator use them. Real nodes use Starsig.
 */
export class TestKeyring {
  private readonly byKey = new Map<string, TestKey>();

  /** Registers (and returns) the identity `name`. */
  add(name: string): TestKey {
    const k = testKey(name);
    this.byKey.set(k.key, k);
    return k;
  }

  /** Registers an existing identity. */
  addKey(k: TestKey): TestKey {
    this.byKey.set(k.key, k);
    return k;
  }

  /** The identity of a node id, if registered. */
  get(nodeId: NodeId): TestKey | undefined {
    return this.byKey.get(nodeKey(nodeId));
  }

  /** Stand-in signature of `message` by `key`. */
  static sign(key: TestKey, message: Uint8Array): Uint8Array {
    return fastTag(key.mac, message);
  }

  /** Verifies a stand-in signature. */
  verify(nodeId: NodeId, message: Uint8Array, signature: Uint8Array): boolean {
    const k = this.byKey.get(nodeKey(nodeId));
    return k !== undefined && signature.length === 64 && bytesEqual(TestKeyring.sign(k, message), signature);
  }
}

/** Signs a statement with a test key into an envelope. */
export function signTest(key: TestKey, statement: Statement): Envelope {
  return { statement, signature: TestKeyring.sign(key, encodeStatement(statement)) };
}

// ------------------------------------------------------------------ statement builders

/** Ballot ⟨n, x⟩. */
export function bal(counter: number, value: Value): Ballot {
  return { counter, value };
}

function env(key: TestKey, slot: bigint, pledges: Pledges): Envelope {
  return signTest(key, { nodeId: key.nodeId, slotIndex: slot, pledges });
}

/** PREPARE(b | p, p′, c.n, h.n) signed by `key`. */
export function makePrepare(
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  ballot: Ballot,
  prepared: Ballot | null = null,
  nC = 0,
  nH = 0,
  preparedPrime: Ballot | null = null,
): Envelope {
  return env(key, slot, {
    type: "prepare",
    quorumSetHash: qsetHash,
    ballot,
    prepared,
    preparedPrime,
    nC,
    nH,
  });
}

/** CONFIRM(b | p.n, c.n, h.n) signed by `key`. */
export function makeConfirm(
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  nPrepared: number,
  ballot: Ballot,
  nCommit: number,
  nH: number,
): Envelope {
  return env(key, slot, { type: "confirm", quorumSetHash: qsetHash, ballot, nPrepared, nCommit, nH });
}

/** EXTERNALIZE(c | h.n) signed by `key`. */
export function makeExternalize(
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  commit: Ballot,
  nH: number,
): Envelope {
  return env(key, slot, { type: "externalize", commit, nH, commitQuorumSetHash: qsetHash });
}

/** NOMINATE(X | Y) signed by `key` (lists sorted here). */
export function makeNominate(
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  votes: readonly Value[],
  accepted: readonly Value[],
): Envelope {
  const sort = (l: readonly Value[]) => [...l].sort(compareBytes);
  return env(key, slot, {
    type: "nominate",
    quorumSetHash: qsetHash,
    votes: sort(votes),
    accepted: sort(accepted),
  });
}

/** True if two statements are identical (canonical encodings equal). */
export function sameStatement(a: Statement, b: Statement): boolean {
  return bytesEqual(encodeStatement(a), encodeStatement(b));
}

/** A short human form of a statement, for test failure messages. */
export function describeStatement(st: Statement): string {
  const v = (x: Value) => toHex(x).slice(0, 6);
  const b = (x: Ballot | null) => (x ? `(${x.counter},${v(x.value)})` : "-");
  const p = st.pledges;
  switch (p.type) {
    case "prepare":
      return `PREP ${b(p.ballot)} p=${b(p.prepared)} p'=${b(p.preparedPrime)} c=${p.nC} h=${p.nH}`;
    case "confirm":
      return `CONF ${b(p.ballot)} p=${p.nPrepared} c=${p.nCommit} h=${p.nH}`;
    case "externalize":
      return `EXT ${b(p.commit)} h=${p.nH}`;
    case "nominate":
      return `NOM X=[${p.votes.map(v).join(",")}] Y=[${p.accepted.map(v).join(",")}]`;
  }
}

// ------------------------------------------------------------------ recording driver

interface TimerData {
  at: number;
  callback: () => void;
}

/**
 * A driver that records what SCP does. Priorities default to "the local node is the top leader"
 * (1000 for self, 1 for others) and every value hashes to 0, as in stellar-core's TestSCP.
 */
export class RecordingDriver implements ScpDriver {
  /** Emitted envelopes, in order. */
  readonly envs: Envelope[] = [];
  /** Envelopes handed to `persistEnvelope`, in order. */
  readonly persisted: Envelope[] = [];
  readonly externalized = new Map<bigint, Value>();
  readonly heardFromQuorums = new Map<bigint, Ballot[]>();
  readonly qsets = new Map<string, QuorumSet>();
  readonly timers = new Map<TimerId, TimerData>();
  /** Virtual time (ms). */
  now = 0;
  initialBallotTimeoutMs = 1000;
  incrementBallotTimeoutMs = 1000;
  initialNominationTimeoutMs = 1000;
  incrementNominationTimeoutMs = 1000;
  /** Priority of a node (by key) in leader election. */
  priorityLookup: (key: string) => bigint;
  /** Hash of a value when picking a leader's value. */
  hashValueCalculator: (v: Value) => bigint = () => 0n;
  /** Validity override (default: everything fully valid). */
  validateOverride: ((slot: bigint, v: Value, nomination: boolean) => ValidationLevel) | null = null;
  /** Candidates `combineCandidates` expects (checked) and the composite it returns. */
  expectedCandidates: Value[] = [];
  compositeValue: Value | null = null;
  /** Set when combineCandidates got unexpected input. */
  combineError: string | null = null;

  constructor(
    readonly keyring: TestKeyring,
    readonly self: TestKey,
  ) {
    this.priorityLookup = (key) => (key === self.key ? 1000n : 1n);
  }

  /** Makes `q` known by its hash. Returns the hash. */
  storeQuorumSet(q: QuorumSet): Hash {
    const h = quorumSetHash(q);
    this.qsets.set(toHex(h), q);
    return h;
  }

  sign(statementBytes: Uint8Array): Uint8Array {
    return TestKeyring.sign(this.self, statementBytes);
  }

  verify(nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array): boolean {
    return this.keyring.verify(nodeId, statementBytes, signature);
  }

  persistEnvelope(envelope: Envelope): void {
    this.persisted.push(envelope);
  }

  emitEnvelope(envelope: Envelope): void {
    this.envs.push(envelope);
  }

  getQuorumSet(hash: Uint8Array): QuorumSet | undefined {
    return this.qsets.get(toHex(hash));
  }

  validateValue(slot: bigint, value: Value, nomination: boolean): ValidationLevel {
    return this.validateOverride
      ? this.validateOverride(slot, value, nomination)
      : ValidationLevel.FullyValid;
  }

  combineCandidates(_slot: bigint, candidates: readonly Value[]): Value | undefined {
    const exp = [...this.expectedCandidates].sort(compareBytes);
    if (candidates.length !== exp.length || candidates.some((c, i) => !bytesEqual(c, exp[i]!)))
      this.combineError = `unexpected candidates: ${candidates.map(toHex).join(",")}`;
    if (!this.compositeValue) this.combineError = "no composite value set";
    return this.compositeValue ?? undefined;
  }

  hashNode(_slot: bigint, _prev: Value, isPriority: boolean, _round: number, nodeId: NodeId): bigint {
    return isPriority ? this.priorityLookup(nodeKey(nodeId)) : 0n;
  }

  hashValue(_slot: bigint, _prev: Value, _round: number, value: Value): bigint {
    return this.hashValueCalculator(value);
  }

  setupTimer(_slot: bigint, timer: TimerId, delayMs: number, callback: () => void): void {
    this.timers.set(timer, { at: this.now + delayMs, callback });
  }

  stopTimer(_slot: bigint, timer: TimerId): void {
    this.timers.delete(timer);
  }

  computeTimeout(round: number, isNomination: boolean): number {
    const init = isNomination ? this.initialNominationTimeoutMs : this.initialBallotTimeoutMs;
    const inc = isNomination ? this.incrementNominationTimeoutMs : this.incrementBallotTimeoutMs;
    return Math.min(init + (round - 1) * inc, 30 * 60 * 1000);
  }

  valueExternalized(slot: bigint, value: Value): void {
    if (this.externalized.has(slot)) throw new Error(`slot ${slot} externalized twice`);
    this.externalized.set(slot, value);
  }

  onEvent(e: Parameters<NonNullable<ScpDriver["onEvent"]>>[0]): void {
    if (e.type === "heardFromQuorum") {
      const l = this.heardFromQuorums.get(e.slot) ?? [];
      l.push(e.ballot);
      this.heardFromQuorums.set(e.slot, l);
    }
  }

  /** Pretends time moved past every possible timeout (5 hours). */
  bumpTimerOffset(): void {
    this.now += 5 * 3600 * 1000;
  }

  /** True if a ballot timer is armed (in the past or the future). */
  hasBallotTimer(): boolean {
    return this.timers.has(1 as TimerId);
  }

  /** True if the ballot timer is armed for the future (it would fire later). */
  hasBallotTimerUpcoming(): boolean {
    const t = this.timers.get(1 as TimerId);
    if (!t) throw new Error("no ballot timer armed");
    return this.now < t.at;
  }

  /** Fires an armed timer by hand. */
  fireTimer(timer: TimerId): void {
    const t = this.timers.get(timer);
    if (!t) throw new Error(`timer ${timer} not armed`);
    this.timers.delete(timer);
    t.callback();
  }
}
