/**
 * Shared harness of the SCP protocol tests (the shape of stellar-core's TestSCP and its helpers):
 * one real `Scp` instance driven by a `RecordingDriver`, peers simulated by injecting their
 * statements, and assertions on the exact statements the local node emits (they throw on mismatch, so
 * this file needs no test framework and is safe to compile with the module).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { compareBytes, utf8 } from "../../src/util/bytes.js";
import { Scp } from "./scp.js";
import {
  bal,
  describeStatement,
  makeConfirm,
  makeExternalize,
  makeNominate,
  makePrepare,
  RecordingDriver,
  sameStatement,
  type TestKey,
  type TestKeyring,
} from "./testKit.js";
import type { Ballot, Envelope, EnvelopeState, Hash, QuorumSet, Value } from "./types.js";

/** Test values with x < y < z < zz; k is unrelated to them. */
export const VALUES = (() => {
  const v = [0, 1, 2, 3].map((i) => sha256(utf8(`SEED_VALUE_DATA/${i}`))).sort(compareBytes);
  return { x: v[0]!, y: v[1]!, z: v[2]!, zz: v[3]!, k: sha256(utf8("SEED_VALUE_DATA")) };
})();

/** Timeout settings the scenarios run under (stellar-core runs its scenarios under three). */
export const TIMEOUT_CONFIGS = [
  { name: "short timeouts", initial: 750, increment: 750 },
  { name: "default timeouts", initial: 1000, increment: 1000 },
  { name: "long timeouts", initial: 2500, increment: 2000 },
] as const;

/** One SCP node under test. */
export class TestScp {
  readonly driver: RecordingDriver;
  readonly scp: Scp;

  constructor(keyring: TestKeyring, self: TestKey, qset: QuorumSet, isValidator = true) {
    this.driver = new RecordingDriver(keyring, self);
    this.scp = new Scp({ nodeId: self.nodeId, quorumSet: qset, isValidator }, this.driver);
    this.driver.storeQuorumSet(this.scp.local.qset);
  }

  /** Hash of the local (normalized) quorum set. */
  get qsetHash0(): Hash {
    return this.scp.local.qsetHash;
  }

  /** Emitted envelopes so far. */
  get envs(): Envelope[] {
    return this.driver.envs;
  }

  receive(e: Envelope): EnvelopeState {
    return this.scp.receiveEnvelope(e);
  }

  /** Forces the ballot protocol to the next counter with `v` (a ballot-timer style bump). */
  bumpState(slot: bigint, v: Value): boolean {
    return this.scp.bumpState(slot, v, true);
  }

  /** Nominates `v` (previous value = `v`, as stellar-core's TestSCP). */
  nominate(slot: bigint, v: Value, timedout: boolean): boolean {
    return this.scp.getSlot(slot, true)!.nominate(v, v, timedout);
  }

  /** The current envelope of node `key` in `slot` (the local node's included). */
  currentEnvelope(slot: bigint, key: string): Envelope {
    const st = this.scp.getSlot(slot)!;
    return st.ballot.latest.get(key)?.envelope ?? st.nomination.latest.get(key)!.envelope;
  }

  /** Nomination leaders of `slot` (keys, sorted). */
  leaders(slot: bigint): string[] {
    return this.scp.getSlot(slot)!.nominationLeaders();
  }

  /** Configures the timeout policy. */
  setTimeouts(initial: number, increment: number): void {
    const d = this.driver;
    d.initialBallotTimeoutMs = d.initialNominationTimeoutMs = initial;
    d.incrementBallotTimeoutMs = d.incrementNominationTimeoutMs = increment;
  }
}

/** Throws (failing the calling test) unless `actual` carries exactly the statement of `expected`. */
function expectSame(actual: Envelope | undefined, expected: Envelope): void {
  const want = describeStatement(expected.statement);
  if (!actual) throw new Error(`expected an envelope ${want}, got none`);
  const got = describeStatement(actual.statement);
  if (got !== want || !sameStatement(actual.statement, expected.statement))
    throw new Error(`statement mismatch:\n  expected ${want}\n  received ${got}`);
}

export function expectPrepare(
  actual: Envelope | undefined,
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  ballot: Ballot,
  prepared: Ballot | null = null,
  nC = 0,
  nH = 0,
  preparedPrime: Ballot | null = null,
): void {
  expectSame(actual, makePrepare(key, qsetHash, slot, ballot, prepared, nC, nH, preparedPrime));
}

export function expectConfirm(
  actual: Envelope | undefined,
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  nPrepared: number,
  ballot: Ballot,
  nC: number,
  nH: number,
): void {
  expectSame(actual, makeConfirm(key, qsetHash, slot, nPrepared, ballot, nC, nH));
}

export function expectExternalize(
  actual: Envelope | undefined,
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  commit: Ballot,
  nH: number,
): void {
  expectSame(actual, makeExternalize(key, qsetHash, slot, commit, nH));
}

export function expectNominate(
  actual: Envelope | undefined,
  key: TestKey,
  qsetHash: Hash,
  slot: bigint,
  votes: Value[],
  accepted: Value[],
): void {
  expectSame(actual, makeNominate(key, qsetHash, slot, votes, accepted));
}

export { bal };
