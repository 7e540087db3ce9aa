/**
 * The ballot protocol of one slot: PREPARE → CONFIRM → EXTERNALIZE.
 * Spec: draft-mazieres-dinrg-scp §"Ballots", §"Prepare message", §"Commit message",
 * §"Externalize message"; step numbers [n] follow the rule list of the SCP white paper (Mazières 2015,
 * §6.5) as stellar-core's BallotProtocol does.
 *
 * State: phase φ; current ballot b; p and p′ the two highest accepted-prepared ballots (incompatible,
 * p′ < p); h the highest confirmed-prepared (PREPARE) / accepted-commit (CONFIRM) / confirmed-commit
 * (EXTERNALIZE) ballot; c the lowest ballot of the commit range; z the value locked by h or c.
 */
import { bytesEqual, compareBytes } from "../../src/util/bytes.js";
import { assert } from "../../src/util/codedError.js";
import { TimerId, ValidationLevel } from "./driver.js";
import type { LatestStatement, StatementPredicate } from "./federatedVoting.js";
import { federatedAccept, federatedRatify, isQuorumFor, isVBlockingFor } from "./federatedVoting.js";
import { isQuorumSetSane } from "./quorumSet.js";
import type { Slot } from "./slot.js";
import {
  type Ballot,
  type BallotPledge,
  type ConfirmPledge,
  type Envelope,
  type EnvelopeState,
  type ExternalizePledge,
  INFINITE_COUNTER,
  type PreparePledge,
  type QuorumSet,
  type Statement,
  type Value,
} from "./types.js";

/** Phases of the ballot protocol. */
export type Phase = "prepare" | "confirm" | "externalize";

/** A recorded envelope: the latest statement of one node, with the quorum set it declared. */
export interface RecordedEnvelope extends LatestStatement {
  readonly envelope: Envelope;
  /** Map key of the sender. */
  readonly key: string;
}

/** Nested `advanceSlot` calls beyond this are a bug (a transition loop). */
const MAX_ADVANCE_SLOT_RECURSION = 50;

const EMPTY_VALUE: Value = new Uint8Array(0);
const ZERO_BALLOT: Ballot = { counter: 0, value: EMPTY_VALUE };

// ------------------------------------------------------------------ ballot order

/** Ballot order: counter first, then value bytewise. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  const c = compareBytes(a.value, b.value);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** Ballot order extended to optional ballots (absent < present). */
export function compareOptBallots(a: Ballot | null, b: Ballot | null): number {
  if (a && b) return compareBallots(a, b);
  if (a) return 1;
  if (b) return -1;
  return 0;
}

/** Two ballots are compatible when they carry the same value. */
export function areBallotsCompatible(a: Ballot, b: Ballot): boolean {
  return bytesEqual(a.value, b.value);
}

/** a ≤ b and a ≁ b. */
export function lessAndIncompatible(a: Ballot, b: Ballot): boolean {
  return compareBallots(a, b) <= 0 && !areBallotsCompatible(a, b);
}

/** a ≤ b and a ∼ b. */
export function lessAndCompatible(a: Ballot, b: Ballot): boolean {
  return compareBallots(a, b) <= 0 && areBallotsCompatible(a, b);
}

function ballot(counter: number, value: Value): Ballot {
  return { counter, value };
}

// ------------------------------------------------------------------ statement rules

/** The ballot counter a statement stands for (EXTERNALIZE counts as ∞). */
export function statementBallotCounter(st: Statement<BallotPledge>): number {
  const p = st.pledges;
  return p.type === "externalize" ? INFINITE_COUNTER : p.ballot.counter;
}

/** The ballot whose value a statement works on (used once externalized to filter statements). */
export function workingBallot(p: BallotPledge): Ballot {
  switch (p.type) {
    case "prepare":
      return p.ballot;
    case "confirm":
      return ballot(p.nCommit, p.ballot.value);
    case "externalize":
      return p.commit;
  }
}

/** The distinct values a ballot statement mentions (the ones that must validate). */
export function ballotStatementValues(p: BallotPledge): Value[] {
  const out: Value[] = [];
  const add = (v: Value) => {
    if (!out.some((x) => bytesEqual(x, v))) out.push(v);
  };
  switch (p.type) {
    case "prepare":
      if (p.ballot.counter !== 0) add(p.ballot.value);
      if (p.prepared) add(p.prepared.value);
      if (p.preparedPrime) add(p.preparedPrime.value);
      break;
    case "confirm":
      add(p.ballot.value);
      break;
    case "externalize":
      add(p.commit.value);
      break;
  }
  return out;
}

/**
 * Shape rules of a ballot statement (stellar-core `isStatementSane`), given the quorum set it
 * declares. The local node may carry b.n = 0 before it has a ballot.
 */
export function isBallotStatementSane(p: BallotPledge, qset: QuorumSet, self: boolean): boolean {
  if (!isQuorumSetSane(qset)) return false;
  switch (p.type) {
    case "prepare": {
      // b.n > 0 (except the local node's pre-ballot state)
      if (!self && p.ballot.counter === 0) return false;
      // p′ < p and incompatible
      if (p.prepared && p.preparedPrime && !lessAndIncompatible(p.preparedPrime, p.prepared)) return false;
      // h.n ≤ p.n
      if (p.nH !== 0 && (!p.prepared || p.nH > p.prepared.counter)) return false;
      // c.n ≤ h.n ≤ b.n
      if (p.nC !== 0 && (p.nH === 0 || p.ballot.counter < p.nH || p.nH < p.nC)) return false;
      return true;
    }
    case "confirm":
      return p.ballot.counter > 0 && p.nH <= p.ballot.counter && p.nCommit <= p.nH;
    case "externalize":
      return p.commit.counter > 0 && p.nH >= p.commit.counter;
  }
}

/**
 * "Newer statement" order per sender: PREPARE < CONFIRM < EXTERNALIZE; PREPAREs by (b, p, p′, h.n);
 * CONFIRMs by (b, p.n, h.n); an EXTERNALIZE is never replaced.
 */
export function isNewerBallotStatement(oldP: BallotPledge, newP: BallotPledge): boolean {
  const rank = { prepare: 0, confirm: 1, externalize: 2 } as const;
  if (oldP.type !== newP.type) return rank[oldP.type] < rank[newP.type];
  if (newP.type === "externalize") return false;
  if (newP.type === "confirm") {
    const o = oldP as ConfirmPledge;
    const c = compareBallots(o.ballot, newP.ballot);
    if (c !== 0) return c < 0;
    if (o.nPrepared !== newP.nPrepared) return o.nPrepared < newP.nPrepared;
    return o.nH < newP.nH;
  }
  const o = oldP as PreparePledge;
  let c = compareBallots(o.ballot, newP.ballot);
  if (c !== 0) return c < 0;
  c = compareOptBallots(o.prepared, newP.prepared);
  if (c !== 0) return c < 0;
  c = compareOptBallots(o.preparedPrime, newP.preparedPrime);
  if (c !== 0) return c < 0;
  return o.nH < newP.nH;
}

/** Does `st` claim (accept) that `b` is prepared? */
function hasPreparedBallot(b: Ballot, st: Statement): boolean {
  const p = st.pledges;
  switch (p.type) {
    case "prepare":
      return (
        (p.prepared !== null && lessAndCompatible(b, p.prepared)) ||
        (p.preparedPrime !== null && lessAndCompatible(b, p.preparedPrime))
      );
    case "confirm":
      return lessAndCompatible(b, ballot(p.nPrepared, p.ballot.value));
    case "externalize":
      return areBallotsCompatible(b, p.commit);
    default:
      return false;
  }
}

/** Does `st` claim to have accepted commit for every counter of [lo, hi] with `b`'s value? */
function commitPredicate(b: Ballot, lo: number, hi: number, st: Statement): boolean {
  const p = st.pledges;
  switch (p.type) {
    case "confirm":
      return areBallotsCompatible(b, p.ballot) && p.nCommit <= lo && hi <= p.nH;
    case "externalize":
      return areBallotsCompatible(b, p.commit) && p.commit.counter <= lo;
    default:
      return false;
  }
}

/** Sorted (descending), deduplicated copy of a list of ballots. */
function sortDescUnique(list: Ballot[]): Ballot[] {
  list.sort((a, b) => compareBallots(b, a));
  const out: Ballot[] = [];
  for (const b of list) if (out.length === 0 || compareBallots(out[out.length - 1]!, b) !== 0) out.push(b);
  return out;
}

/**
 * Scans `boundaries` from the highest down for the widest interval [lo, hi] satisfying `pred`:
 * first the highest single boundary that works, then extend the low end while it keeps working.
 */
function findExtendedInterval(
  boundaries: readonly number[],
  pred: (lo: number, hi: number) => boolean,
): [number, number] | null {
  let cand: [number, number] | null = null;
  for (let i = boundaries.length - 1; i >= 0; i--) {
    const b = boundaries[i]!;
    let cur: [number, number];
    if (cand === null) cur = [b, b];
    else if (b > cand[1]) continue;
    else cur = [b, cand[1]];
    if (pred(cur[0], cur[1])) cand = cur;
    else if (cand !== null) break;
  }
  return cand;
}

// ------------------------------------------------------------------ the protocol

export class BallotProtocol {
  phase: Phase = "prepare";
  /** b */
  current: Ballot | null = null;
  /** p */
  prepared: Ballot | null = null;
  /** p′ */
  preparedPrime: Ballot | null = null;
  /** h */
  high: Ballot | null = null;
  /** c */
  commit: Ballot | null = null;
  /** z: the value locked in once something is confirmed prepared or accepted committed. */
  valueOverride: Value | null = null;
  /** Whether a quorum is at b.n or beyond (the ballot timer runs only then). */
  heardFromQuorum = false;
  /** Latest ballot statement of each node (the local node included). */
  readonly latest = new Map<string, RecordedEnvelope>();
  /** The local node's latest statement that may be emitted. */
  lastEnvelope: Envelope | null = null;
  /** The last envelope actually emitted. */
  lastEnvelopeEmit: Envelope | null = null;
  /** How many times the ballot timer fired. */
  timerExpCount = 0;
  private level = 0;

  constructor(private readonly slot: Slot) {}

  // ---------------------------------------------------------------- input

  /** Processes a ballot envelope (already signature-checked, qset resolved). */
  processEnvelope(rec: RecordedEnvelope, self: boolean): EnvelopeState {
    const st = rec.statement as Statement<BallotPledge>;
    const p = st.pledges;
    if (!isBallotStatementSane(p, rec.qset, self)) return "invalid";
    const old = this.latest.get(rec.key);
    if (old && !isNewerBallotStatement(old.statement.pledges as BallotPledge, p)) return "invalid";
    const level = this.validationLevel(p);
    if (level === ValidationLevel.Invalid) return "invalid";
    if (this.phase !== "externalize") {
      if (level === ValidationLevel.MaybeValid) this.slot.fullyValidated = false;
      this.record(rec);
      this.advanceSlot(st);
      return "valid";
    }
    // once externalized, only statements about the committed value are kept
    if (areBallotsCompatible(this.commit!, workingBallot(p))) {
      this.record(rec);
      return "valid";
    }
    return "invalid";
  }

  private validationLevel(p: BallotPledge): ValidationLevel {
    const values = ballotStatementValues(p);
    if (values.length === 0) return ValidationLevel.Invalid;
    let level: ValidationLevel = ValidationLevel.FullyValid;
    for (const v of values) {
      const l = this.slot.driver.validateValue(this.slot.index, v, false);
      if (l < level) level = l;
      if (level === ValidationLevel.Invalid) break;
    }
    return level;
  }

  private record(rec: RecordedEnvelope): void {
    this.latest.set(rec.key, rec);
    this.slot.statementCount++;
  }

  // ---------------------------------------------------------------- external triggers

  /**
   * Moves to a new ballot with `value` (or the locked value z): the first ballot if none yet, else,
   * with `force`, the next counter (the ballot-timer rule). Returns true if the ballot changed.
   */
  bumpState(value: Value, force: boolean): boolean {
    if (!force && this.current) return false;
    const n = this.current ? this.current.counter + 1 : 1;
    return this.bumpStateTo(value, n);
  }

  /** Moves to ballot counter `n` with `value` (or z). */
  bumpStateTo(value: Value, n: number): boolean {
    if (this.phase !== "prepare" && this.phase !== "confirm") return false;
    // the counter cannot go past "infinity"
    if (n > INFINITE_COUNTER) return false;
    const newb = ballot(n, this.valueOverride ?? value);
    const updated = this.updateCurrentValue(newb);
    if (updated) {
      this.emitCurrentStateStatement();
      this.checkHeardFromQuorum();
    }
    return updated;
  }

  /** The ballot timer fired: move to the next counter. */
  ballotTimerExpired(): void {
    this.timerExpCount++;
    this.abandonBallot(0);
  }

  /** Abandons the current ballot for counter `n` (0 = next counter). */
  abandonBallot(n: number): boolean {
    let v = this.slot.latestCompositeCandidate;
    if (!v || v.length === 0) v = this.current ? this.current.value : null;
    if (!v || v.length === 0) return false;
    return n === 0 ? this.bumpState(v, true) : this.bumpStateTo(v, n);
  }

  private updateCurrentValue(b: Ballot): boolean {
    if (this.phase !== "prepare" && this.phase !== "confirm") return false;
    let updated = false;
    if (!this.current) {
      this.bumpToBallot(b, true);
      updated = true;
    } else {
      // a ballot that contradicts the commit vote is never taken
      if (this.commit && !areBallotsCompatible(this.commit, b)) return false;
      const c = compareBallots(this.current, b);
      if (c < 0) {
        this.bumpToBallot(b, true);
        updated = true;
      } else if (c > 0) return false;
    }
    this.checkInvariants();
    return updated;
  }

  private bumpToBallot(b: Ballot, check: boolean): void {
    assert(this.phase !== "externalize", "bumpToBallot after externalize");
    if (check) assert(!this.current || compareBallots(b, this.current) >= 0, "ballot moves backwards");
    const gotBumped = !this.current || this.current.counter !== b.counter;
    if (!this.current) this.slot.event({ type: "ballotStarted", slot: this.slot.index, ballot: b });
    this.current = b;
    // h and c must stay compatible with b
    if (this.high && !areBallotsCompatible(this.current, this.high)) {
      this.high = null;
      this.commit = null;
    }
    if (gotBumped) this.heardFromQuorum = false;
  }

  private updateCurrentIfNeeded(h: Ballot): boolean {
    if (!this.current || compareBallots(this.current, h) < 0) {
      this.bumpToBallot(h, true);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- the steps

  private advanceSlot(hint: Statement<BallotPledge>): void {
    this.level++;
    assert(this.level < MAX_ADVANCE_SLOT_RECURSION, "too many nested transitions in advanceSlot");
    let didWork = false;
    didWork = this.attemptAcceptPrepared(hint) || didWork;
    didWork = this.attemptConfirmPrepared(hint) || didWork;
    didWork = this.attemptAcceptCommit(hint) || didWork;
    didWork = this.attemptConfirmCommit(hint) || didWork;
    // only the outermost call bumps counters [9] and re-evaluates the timer rule
    if (this.level === 1) {
      while (this.attemptBump()) didWork = true;
      this.checkHeardFromQuorum();
    }
    this.level--;
    if (didWork) this.sendLatestEnvelope();
  }

  /** Ballots that `hint` might let us accept or confirm as prepared, from the statements we hold. */
  private prepareCandidates(hint: Statement<BallotPledge>): Ballot[] {
    const hintBallots: Ballot[] = [];
    const h = hint.pledges;
    switch (h.type) {
      case "prepare":
        hintBallots.push(h.ballot);
        if (h.prepared) hintBallots.push(h.prepared);
        if (h.preparedPrime) hintBallots.push(h.preparedPrime);
        break;
      case "confirm":
        hintBallots.push(ballot(h.nPrepared, h.ballot.value), ballot(INFINITE_COUNTER, h.ballot.value));
        break;
      case "externalize":
        hintBallots.push(ballot(INFINITE_COUNTER, h.commit.value));
        break;
    }
    const candidates: Ballot[] = [];
    for (const top of hintBallots) {
      for (const rec of this.latest.values()) {
        const p = rec.statement.pledges;
        switch (p.type) {
          case "prepare":
            if (lessAndCompatible(p.ballot, top)) candidates.push(p.ballot);
            if (p.prepared && lessAndCompatible(p.prepared, top)) candidates.push(p.prepared);
            if (p.preparedPrime && lessAndCompatible(p.preparedPrime, top)) candidates.push(p.preparedPrime);
            break;
          case "confirm":
            if (areBallotsCompatible(top, p.ballot)) {
              candidates.push(top);
              if (p.nPrepared < top.counter) candidates.push(ballot(p.nPrepared, top.value));
            }
            break;
          case "externalize":
            if (areBallotsCompatible(top, p.commit)) candidates.push(top);
            break;
          default:
            break;
        }
      }
    }
    return sortDescUnique(candidates);
  }

  private accept(voted: StatementPredicate, accepted: StatementPredicate): boolean {
    return federatedAccept(this.slot.local.qset, this.latest, voted, accepted);
  }

  private ratify(accepted: StatementPredicate): boolean {
    return federatedRatify(this.slot.local.qset, this.latest, accepted);
  }

  /** [1, 5] accept a ballot as prepared. */
  private attemptAcceptPrepared(hint: Statement<BallotPledge>): boolean {
    if (this.phase !== "prepare" && this.phase !== "confirm") return false;
    for (const b of this.prepareCandidates(hint)) {
      if (this.phase === "confirm") {
        // only ballots that raise p compatibly with the commit
        if (!lessAndCompatible(this.prepared!, b)) continue;
        assert(areBallotsCompatible(this.commit!, b), "confirm phase prepares another value");
      }
      // nothing to learn from ballots at or below p′, or covered by p
      if (this.preparedPrime && compareBallots(b, this.preparedPrime) <= 0) continue;
      if (this.prepared && lessAndCompatible(b, this.prepared)) continue;
      const accepted = this.accept(
        (st) => {
          const p = st.pledges;
          switch (p.type) {
            case "prepare":
              return lessAndCompatible(b, p.ballot);
            case "confirm":
              return areBallotsCompatible(b, p.ballot);
            case "externalize":
              return areBallotsCompatible(b, p.commit);
            default:
              return false;
          }
        },
        (st) => hasPreparedBallot(b, st),
      );
      if (accepted) return this.setAcceptPrepared(b);
    }
    return false;
  }

  private setAcceptPrepared(b: Ballot): boolean {
    let didWork = this.setPrepared(b);
    // a commit vote must not contradict what we now accept as aborted
    if (this.commit && this.high) {
      if (
        (this.prepared && lessAndIncompatible(this.high, this.prepared)) ||
        (this.preparedPrime && lessAndIncompatible(this.high, this.preparedPrime))
      ) {
        assert(this.phase === "prepare", "commit cleared outside PREPARE");
        this.commit = null;
        didWork = true;
      }
    }
    if (didWork) {
      this.slot.event({ type: "acceptedPrepared", slot: this.slot.index, ballot: b });
      this.emitCurrentStateStatement();
    }
    return didWork;
  }

  /** Updates p / p′ with a newly accepted-prepared ballot. */
  private setPrepared(b: Ballot): boolean {
    if (!this.prepared) {
      this.prepared = b;
      return true;
    }
    const c = compareBallots(this.prepared, b);
    if (c < 0) {
      if (!areBallotsCompatible(this.prepared, b)) this.preparedPrime = this.prepared;
      this.prepared = b;
      return true;
    }
    if (c > 0) {
      // b < p: it may become p′ if it is incompatible with p and above the current p′
      if (
        !this.preparedPrime ||
        (compareBallots(this.preparedPrime, b) < 0 && !areBallotsCompatible(this.prepared, b))
      ) {
        this.preparedPrime = b;
        return true;
      }
    }
    return false;
  }

  /** [2, 3, 8] confirm a ballot as prepared: raise h, maybe start voting commit from c. */
  private attemptConfirmPrepared(hint: Statement<BallotPledge>): boolean {
    if (this.phase !== "prepare" || !this.prepared) return false;
    const candidates = this.prepareCandidates(hint);
    let i = 0;
    let newH: Ballot | null = null;
    for (; i < candidates.length; i++) {
      const b = candidates[i]!;
      if (this.high && compareBallots(this.high, b) >= 0) break;
      if (this.ratify((st) => hasPreparedBallot(b, st))) {
        newH = b;
        break;
      }
    }
    if (!newH) return false;
    let newC: Ballot = ZERO_BALLOT;
    const cur = this.current ?? ZERO_BALLOT;
    if (
      !this.commit &&
      (!this.prepared || !lessAndIncompatible(newH, this.prepared)) &&
      (!this.preparedPrime || !lessAndIncompatible(newH, this.preparedPrime))
    ) {
      // lowest ballot of the contiguous confirmed-prepared range below h, not below b
      for (; i < candidates.length; i++) {
        const b = candidates[i]!;
        if (compareBallots(b, cur) < 0) break;
        if (!lessAndCompatible(b, newH)) continue;
        if (this.ratify((st) => hasPreparedBallot(b, st))) newC = b;
        else break;
      }
    }
    return this.setConfirmPrepared(newC, newH);
  }

  private setConfirmPrepared(newC: Ballot, newH: Ballot): boolean {
    let didWork = false;
    this.valueOverride = newH.value;
    if (!this.current || areBallotsCompatible(this.current, newH)) {
      if (!this.high || compareBallots(newH, this.high) > 0) {
        didWork = true;
        this.high = newH;
      }
      if (newC.counter !== 0) {
        assert(!this.commit, "commit already set");
        this.commit = newC;
        didWork = true;
      }
      if (didWork) this.slot.event({ type: "confirmedPrepared", slot: this.slot.index, ballot: newH });
    }
    didWork = this.updateCurrentIfNeeded(newH) || didWork;
    if (didWork) this.emitCurrentStateStatement();
    return didWork;
  }

  /** Counters at which statements compatible with `b` start or stop a commit range. */
  private commitBoundaries(b: Ballot): number[] {
    const res = new Set<number>();
    for (const rec of this.latest.values()) {
      const p = rec.statement.pledges;
      switch (p.type) {
        case "prepare":
          if (areBallotsCompatible(b, p.ballot) && p.nC !== 0) {
            res.add(p.nC);
            res.add(p.nH);
          }
          break;
        case "confirm":
          if (areBallotsCompatible(b, p.ballot)) {
            res.add(p.nCommit);
            res.add(p.nH);
          }
          break;
        case "externalize":
          if (areBallotsCompatible(b, p.commit)) {
            res.add(p.commit.counter);
            res.add(p.nH);
            res.add(INFINITE_COUNTER);
          }
          break;
        default:
          break;
      }
    }
    return [...res].sort((x, y) => x - y);
  }

  /** [4, 6] accept commit for a range of ballots. */
  private attemptAcceptCommit(hint: Statement<BallotPledge>): boolean {
    if (this.phase !== "prepare" && this.phase !== "confirm") return false;
    const h = hint.pledges;
    let b: Ballot;
    switch (h.type) {
      case "prepare":
        if (h.nC === 0) return false;
        b = ballot(h.nH, h.ballot.value);
        break;
      case "confirm":
        b = ballot(h.nH, h.ballot.value);
        break;
      case "externalize":
        b = ballot(h.nH, h.commit.value);
        break;
    }
    if (this.phase === "confirm" && !areBallotsCompatible(b, this.high!)) return false;
    const boundaries = this.commitBoundaries(b);
    if (boundaries.length === 0) return false;
    const interval = findExtendedInterval(boundaries, (lo, hi) =>
      this.accept(
        (st) => {
          const p = st.pledges;
          switch (p.type) {
            case "prepare":
              return areBallotsCompatible(b, p.ballot) && p.nC !== 0 && p.nC <= lo && hi <= p.nH;
            case "confirm":
              return areBallotsCompatible(b, p.ballot) && p.nCommit <= lo;
            case "externalize":
              return areBallotsCompatible(b, p.commit) && p.commit.counter <= lo;
            default:
              return false;
          }
        },
        (st) => commitPredicate(b, lo, hi, st),
      ),
    );
    if (!interval || interval[0] === 0) return false;
    if (this.phase === "confirm" && interval[1] <= this.high!.counter) return false;
    return this.setAcceptCommit(ballot(interval[0], b.value), ballot(interval[1], b.value));
  }

  private setAcceptCommit(c: Ballot, h: Ballot): boolean {
    let didWork = false;
    this.valueOverride = h.value;
    if (
      !this.high ||
      !this.commit ||
      compareBallots(this.high, h) !== 0 ||
      compareBallots(this.commit, c) !== 0
    ) {
      this.commit = c;
      this.high = h;
      didWork = true;
    }
    if (this.phase === "prepare") {
      this.phase = "confirm";
      if (this.current && !lessAndCompatible(h, this.current)) this.bumpToBallot(h, false);
      this.preparedPrime = null;
      didWork = true;
    }
    if (didWork) {
      this.updateCurrentIfNeeded(this.high!);
      this.slot.event({ type: "acceptedCommit", slot: this.slot.index, ballot: h });
      this.emitCurrentStateStatement();
    }
    return didWork;
  }

  /** [7] confirm commit for a range: externalize. */
  private attemptConfirmCommit(hint: Statement<BallotPledge>): boolean {
    if (this.phase !== "confirm" || !this.high || !this.commit) return false;
    const h = hint.pledges;
    let b: Ballot;
    switch (h.type) {
      case "prepare":
        return false;
      case "confirm":
        b = ballot(h.nH, h.ballot.value);
        break;
      case "externalize":
        b = ballot(h.nH, h.commit.value);
        break;
    }
    if (!areBallotsCompatible(b, this.commit)) return false;
    const boundaries = this.commitBoundaries(b);
    const interval = findExtendedInterval(boundaries, (lo, hi) =>
      this.ratify((st) => commitPredicate(b, lo, hi, st)),
    );
    if (!interval || interval[0] === 0) return false;
    return this.setConfirmCommit(ballot(interval[0], b.value), ballot(interval[1], b.value));
  }

  private setConfirmCommit(c: Ballot, h: Ballot): boolean {
    assert(
      this.slot.driver.validateValue(this.slot.index, c.value, false) !== ValidationLevel.Invalid,
      "confirmed commit of an invalid value",
    );
    this.commit = c;
    this.high = h;
    this.updateCurrentIfNeeded(h);
    this.phase = "externalize";
    this.emitCurrentStateStatement();
    this.slot.stopNomination();
    this.slot.externalize(c.value);
    return true;
  }

  /** [9] if a v-blocking set is ahead of our counter, jump to the lowest counter where it no longer is. */
  private attemptBump(): boolean {
    if (this.phase !== "prepare" && this.phase !== "confirm") return false;
    const local = this.current ? this.current.counter : 0;
    if (!this.vBlockingAheadOf(local)) return false;
    const counters = new Set<number>();
    for (const rec of this.latest.values()) {
      const c = statementBallotCounter(rec.statement as Statement<BallotPledge>);
      if (c > local) counters.add(c);
    }
    for (const n of [...counters].sort((x, y) => x - y)) {
      if (!this.vBlockingAheadOf(n)) return this.abandonBallot(n);
    }
    return false;
  }

  private vBlockingAheadOf(n: number): boolean {
    return isVBlockingFor(
      this.slot.local.qset,
      this.latest,
      (st) => statementBallotCounter(st as Statement<BallotPledge>) > n,
    );
  }

  /** Timer rule: arm the ballot timer when a quorum reaches b.n; cancel it when none does. */
  private checkHeardFromQuorum(): void {
    if (!this.current) return;
    const cur = this.current;
    const heard = isQuorumFor(this.slot.local.qset, this.latest, (st) => {
      const p = st.pledges;
      return p.type === "prepare" ? cur.counter <= p.ballot.counter : true;
    });
    if (heard) {
      const old = this.heardFromQuorum;
      this.heardFromQuorum = true;
      if (!old) {
        this.slot.event({ type: "heardFromQuorum", slot: this.slot.index, ballot: cur });
        if (this.phase !== "externalize") this.startBallotTimer();
      }
      if (this.phase === "externalize") this.stopBallotTimer();
    } else {
      this.heardFromQuorum = false;
      this.stopBallotTimer();
    }
  }

  private startBallotTimer(): void {
    const timeout = this.slot.driver.computeTimeout(this.current!.counter, false);
    this.slot.driver.setupTimer(this.slot.index, TimerId.Ballot, timeout, () => this.ballotTimerExpired());
  }

  private stopBallotTimer(): void {
    this.slot.driver.stopTimer(this.slot.index, TimerId.Ballot);
  }

  // ---------------------------------------------------------------- output

  private createStatement(): BallotPledge {
    this.checkInvariants();
    const qsetHash = this.slot.local.qsetHash;
    switch (this.phase) {
      case "prepare":
        return {
          type: "prepare",
          quorumSetHash: qsetHash,
          ballot: this.current ?? ZERO_BALLOT,
          prepared: this.prepared,
          preparedPrime: this.preparedPrime,
          nC: this.commit ? this.commit.counter : 0,
          nH: this.high ? this.high.counter : 0,
        };
      case "confirm":
        return {
          type: "confirm",
          quorumSetHash: qsetHash,
          ballot: this.current!,
          nPrepared: this.prepared!.counter,
          nCommit: this.commit!.counter,
          nH: this.high!.counter,
        } satisfies ConfirmPledge;
      case "externalize":
        return {
          type: "externalize",
          commit: this.commit!,
          nH: this.high!.counter,
          commitQuorumSetHash: qsetHash,
        } satisfies ExternalizePledge;
    }
  }

  /** Feeds the local node's current statement through processing and queues it for emission. */
  private emitCurrentStateStatement(): void {
    const pledges = this.createStatement();
    const canEmit = this.current !== null;
    const mine = this.latest.get(this.slot.local.key);
    if (mine && this.slot.samePledges(mine.statement.pledges, pledges)) return;
    const env = this.slot.signPledges(pledges);
    if (this.slot.processEnvelope(env, true) !== "valid")
      assert(false, "the local node moved to a state it rejects (ballot protocol)");
    if (
      canEmit &&
      (!this.lastEnvelope ||
        isNewerBallotStatement(this.lastEnvelope.statement.pledges as BallotPledge, pledges))
    ) {
      this.lastEnvelope = env;
      this.sendLatestEnvelope();
    }
  }

  private sendLatestEnvelope(): void {
    // emission is deferred to the end of the outermost transition
    if (this.level !== 0 || !this.lastEnvelope || !this.slot.fullyValidated) return;
    if (this.lastEnvelopeEmit !== this.lastEnvelope) {
      this.lastEnvelopeEmit = this.lastEnvelope;
      this.slot.emit(this.lastEnvelope);
    }
  }

  /** Local invariants (a bug if any fails). */
  checkInvariants(): void {
    if (this.phase !== "prepare") {
      assert(
        this.current && this.prepared && this.commit && this.high,
        "CONFIRM/EXTERNALIZE without b, p, c, h",
      );
    }
    if (this.current) assert(this.current.counter !== 0, "b.n = 0");
    if (this.prepared && this.preparedPrime)
      assert(
        lessAndIncompatible(this.preparedPrime, this.prepared),
        "p′ must be below and incompatible with p",
      );
    if (this.high) {
      assert(this.current, "h without b");
      assert(lessAndCompatible(this.high, this.current!), "h must be below and compatible with b");
    }
    if (this.commit) {
      assert(this.current && this.high, "c without b and h");
      assert(lessAndCompatible(this.commit, this.high!), "c must be below and compatible with h");
      assert(lessAndCompatible(this.high!, this.current!), "h must be below and compatible with b");
    }
  }

  // ---------------------------------------------------------------- restore and queries

  /** Restores the local node's state from its own persisted ballot envelope (before any ballot). */
  setStateFromEnvelope(rec: RecordedEnvelope): void {
    this.record(rec);
    this.lastEnvelope = rec.envelope;
    this.lastEnvelopeEmit = rec.envelope;
    const p = rec.statement.pledges as BallotPledge;
    switch (p.type) {
      case "prepare":
        this.bumpToBallot(p.ballot, true);
        this.prepared = p.prepared;
        this.preparedPrime = p.preparedPrime;
        if (p.nH) this.high = ballot(p.nH, p.ballot.value);
        if (p.nC) this.commit = ballot(p.nC, p.ballot.value);
        this.phase = "prepare";
        break;
      case "confirm": {
        const v = p.ballot.value;
        this.bumpToBallot(p.ballot, true);
        this.prepared = ballot(p.nPrepared, v);
        this.high = ballot(p.nH, v);
        this.commit = ballot(p.nCommit, v);
        this.phase = "confirm";
        break;
      }
      case "externalize": {
        const v = p.commit.value;
        this.bumpToBallot(ballot(INFINITE_COUNTER, v), true);
        this.prepared = ballot(INFINITE_COUNTER, v);
        this.high = ballot(p.nH, v);
        this.commit = p.commit;
        this.phase = "externalize";
        break;
      }
    }
    if (this.high || this.commit) this.valueOverride = (this.high ?? this.commit)!.value;
  }

  /** The envelopes proving the externalized value: peers' compatible statements, plus ours if validated. */
  externalizingState(): Envelope[] {
    if (this.phase !== "externalize") return [];
    const out: Envelope[] = [];
    for (const [k, rec] of this.latest) {
      if (k !== this.slot.local.key) {
        if (areBallotsCompatible(workingBallot(rec.statement.pledges as BallotPledge), this.commit!))
          out.push(rec.envelope);
      } else if (this.slot.fullyValidated) out.push(rec.envelope);
    }
    return out;
  }
}
