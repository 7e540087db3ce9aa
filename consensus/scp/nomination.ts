/**
 * The nomination protocol of one slot: vote for values (X), accept them (Y) by federated voting,
 * confirm candidates (Z); the composite of the candidates starts the ballot protocol.
 * Spec: draft-mazieres-dinrg-scp §"Nominate message"; round leaders by priority hashing with a leader
 * set that only grows, "fast timeouts" over rounds that would add no leader (as stellar-core).
 * Unlike the draft, Y ⊆ X (an accepted value stays in the vote list), as in stellar-core.
 */
import { compareBytes } from "../../src/util/bytes.js";
import { assert } from "../../src/util/codedError.js";
import type { RecordedEnvelope } from "./ballot.js";
import { TimerId, ValidationLevel } from "./driver.js";
import { defaultHashNode, defaultHashValue } from "./encoding.js";
import { federatedAccept, federatedRatify } from "./federatedVoting.js";
import { forAllNodes, nodeWeight, normalizeQuorumSet } from "./quorumSet.js";
import type { Slot } from "./slot.js";
import {
  type Envelope,
  type EnvelopeState,
  type NodeId,
  type NominatePledge,
  nodeKey,
  type QuorumSet,
  type Statement,
  type Value,
} from "./types.js";
import { ValueSet } from "./valueSet.js";

/** Leader selection gives up after this many rounds that add no leader (a bug if reached). */
const MAX_FAST_TIMEOUTS = 1000;

const withoutSelfCache = new WeakMap<QuorumSet, QuorumSet>();

/** The local quorum set normalized without the local node (cached per quorum-set object). */
function withoutSelf(q: QuorumSet, self: NodeId): QuorumSet {
  let r = withoutSelfCache.get(q);
  if (!r) {
    r = normalizeQuorumSet(q, self);
    withoutSelfCache.set(q, r);
  }
  return r;
}

/** True if sorted list `list` contains `v` (binary search). */
export function sortedHas(list: readonly Value[], v: Value): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(list[mid]!, v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Is sorted `small` a subset of sorted `big`? Also reports whether `big` is strictly larger. */
function subset(small: readonly Value[], big: readonly Value[]): { sub: boolean; grew: boolean } {
  if (small.length > big.length) return { sub: false, grew: true };
  let j = 0;
  for (const v of small) {
    while (j < big.length && compareBytes(big[j]!, v) < 0) j++;
    if (j >= big.length || compareBytes(big[j]!, v) !== 0) return { sub: false, grew: true };
    j++;
  }
  return { sub: true, grew: small.length !== big.length };
}

/** A NOMINATE is newer if both its lists are supersets of the old ones and at least one grew. */
export function isNewerNomination(oldP: NominatePledge, newP: NominatePledge): boolean {
  const v = subset(oldP.votes, newP.votes);
  if (!v.sub) return false;
  const a = subset(oldP.accepted, newP.accepted);
  if (!a.sub) return false;
  return v.grew || a.grew;
}

function strictlyIncreasing(list: readonly Value[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareBytes(list[i - 1]!, list[i]!) >= 0) return false;
  return true;
}

/** Shape rules: at least one value, each list strictly increasing bytewise. */
export function isNominationSane(p: NominatePledge): boolean {
  return (
    p.votes.length + p.accepted.length > 0 && strictlyIncreasing(p.votes) && strictlyIncreasing(p.accepted)
  );
}

export class NominationProtocol {
  /** Current round (0 before nomination starts). */
  roundNumber = 0;
  /** X */
  readonly votes = new ValueSet();
  /** Y */
  readonly accepted = new ValueSet();
  /** Z */
  readonly candidates = new ValueSet();
  /** Latest NOMINATE of each node (the local node included). */
  readonly latest = new Map<string, RecordedEnvelope>();
  /** Keys of every round's leaders so far (only grows). */
  readonly roundLeaders = new Set<string>();
  nominationStarted = false;
  /** The composite of the candidates, last computed. */
  latestCompositeCandidate: Value | null = null;
  /** The local node's latest NOMINATE. */
  lastEnvelope: Envelope | null = null;
  /** How many times the nomination timer fired. */
  timerExpCount = 0;
  /** The previous slot's value (input of the leader and value hashes). */
  previousValue: Value = new Uint8Array(0);

  constructor(private readonly slot: Slot) {}

  // ---------------------------------------------------------------- input

  /** Processes a NOMINATE envelope (already signature-checked, qset resolved). */
  processEnvelope(rec: RecordedEnvelope): EnvelopeState {
    const st = rec.statement as Statement<NominatePledge>;
    const nom = st.pledges;
    const old = this.latest.get(rec.key);
    if (old && !isNewerNomination(old.statement.pledges as NominatePledge, nom)) return "invalid";
    if (!isNominationSane(nom)) return "invalid";
    this.latest.set(rec.key, rec);
    this.slot.statementCount++;
    if (!this.nominationStarted) return "valid";

    this.update(nom.votes, this.roundLeaders.has(rec.key) ? nom : null, false);
    return "valid";
  }

  /**
   * Federated voting on nomination: accept the values of `values` that a v-blocking set accepted or a
   * quorum voted for; confirm as candidates the accepted values a quorum accepted; while there is no
   * candidate, adopt a value from `leaderNom` (a leader's statement). Emits if anything changed
   * (or `modified` already), and starts/updates balloting on new candidates.
   */
  private update(values: readonly Value[], leaderNom: NominatePledge | null, modified0: boolean): boolean {
    const local = this.slot.local.qset;
    let modified = modified0;
    let newCandidates = false;
    for (const v of values) {
      if (this.accepted.has(v)) continue;
      const ok = federatedAccept(
        local,
        this.latest,
        (s) => sortedHas((s.pledges as NominatePledge).votes, v),
        (s) => sortedHas((s.pledges as NominatePledge).accepted, v),
      );
      if (!ok) continue;
      if (this.validate(v) === ValidationLevel.FullyValid) {
        this.accepted.add(v);
        this.votes.add(v);
        modified = true;
      } else {
        const toVote = this.slot.driver.extractValidValue?.(this.slot.index, v);
        if (toVote && this.votes.add(toVote)) modified = true;
      }
    }
    // confirm: a quorum accepted a ⇒ candidate
    for (const a of this.accepted.values()) {
      if (this.candidates.has(a)) continue;
      if (federatedRatify(local, this.latest, (s) => sortedHas((s.pledges as NominatePledge).accepted, a))) {
        this.candidates.add(a);
        newCandidates = true;
        this.slot.driver.stopTimer(this.slot.index, TimerId.Nomination);
      }
    }
    // until a candidate exists, echo the leaders
    if (this.candidates.size === 0 && leaderNom) {
      const v = this.newValueFromNomination(leaderNom);
      if (v) {
        this.votes.add(v);
        modified = true;
        this.slot.event({ type: "nominating", slot: this.slot.index, value: v });
      }
    }
    if (modified) this.emitNomination();
    if (newCandidates) {
      const composite = this.slot.driver.combineCandidates(this.slot.index, this.candidates.values());
      if (composite) {
        this.latestCompositeCandidate = composite;
        this.slot.event({ type: "candidateUpdated", slot: this.slot.index, value: composite });
        this.slot.bumpState(composite, false);
      }
    }
    return modified;
  }

  private validate(v: Value): ValidationLevel {
    return this.slot.driver.validateValue(this.slot.index, v, true);
  }

  // ---------------------------------------------------------------- rounds

  /**
   * Starts or continues nomination with the local `value` (`timedout`: called by the nomination timer).
   * Returns true if the vote list grew. No-op once a candidate exists.
   */
  nominate(value: Value, previousValue: Value, timedout: boolean): boolean {
    if (this.candidates.size > 0) return false;
    if (timedout) this.timerExpCount++;
    if (timedout && !this.nominationStarted) return false;
    this.nominationStarted = true;
    this.previousValue = previousValue;
    this.roundNumber++;
    this.updateRoundLeaders();
    const timeout = this.slot.driver.computeTimeout(this.roundNumber, true);
    let updated = false;
    // adopt one new value from each leader heard from
    for (const leader of [...this.roundLeaders].sort()) {
      const rec = this.latest.get(leader);
      if (!rec) continue;
      const v = this.newValueFromNomination(rec.statement.pledges as NominatePledge);
      if (v) {
        this.votes.add(v);
        updated = true;
        this.slot.event({ type: "nominating", slot: this.slot.index, value: v });
      }
    }
    // a leader with nothing to echo votes for its own value
    if (this.roundLeaders.has(this.slot.local.key) && this.votes.size === 0) {
      if (this.votes.add(value)) {
        updated = true;
        this.slot.event({ type: "nominating", slot: this.slot.index, value });
      }
    }
    const prev = previousValue;
    this.slot.driver.setupTimer(this.slot.index, TimerId.Nomination, timeout, () =>
      this.slot.nominate(value, prev, true),
    );
    // Statements recorded before nomination started were not voted on: do it now (an addition to
    // stellar-core, whose herder delays such envelopes instead; without it a node restarted mid-slot
    // can wait forever for a peer that only re-sends the same statement).
    const recorded = new ValueSet();
    for (const rec of this.latest.values())
      for (const v of (rec.statement.pledges as NominatePledge).votes) recorded.add(v);
    this.update(recorded.values(), null, updated);
    return updated;
  }

  /** Stops nomination (the timer's next firing does nothing). */
  stopNomination(): void {
    this.nominationStarted = false;
    this.slot.driver.stopTimer(this.slot.index, TimerId.Nomination);
  }

  private weight(id: NodeId, qset: QuorumSet, isLocal: boolean): bigint {
    const d = this.slot.driver;
    return d.nodeWeight ? d.nodeWeight(id, qset, isLocal) : nodeWeight(id, qset, isLocal);
  }

  private hashNode(isPriority: boolean, id: NodeId): bigint {
    const d = this.slot.driver;
    const slot = this.slot.index;
    return d.hashNode
      ? d.hashNode(slot, this.previousValue, isPriority, this.roundNumber, id)
      : defaultHashNode(slot, this.previousValue, isPriority, this.roundNumber, id);
  }

  private hashValue(v: Value): bigint {
    const d = this.slot.driver;
    const slot = this.slot.index;
    return d.hashValue
      ? d.hashValue(slot, this.previousValue, this.roundNumber, v)
      : defaultHashValue(slot, this.previousValue, this.roundNumber, v);
  }

  /** Priority of a node this round: 0 unless it is a neighbour (hash below its weight). */
  nodePriority(id: NodeId, qset: QuorumSet): bigint {
    const w = this.weight(id, qset, nodeKey(id) === this.slot.local.key);
    if (w > 0n && this.hashNode(false, id) <= w) return this.hashNode(true, id);
    return 0n;
  }

  /**
   * Adds this round's highest-priority nodes to the leader set. Rounds that would add nobody are
   * skipped at once (the round number moves on), as long as some node with weight could still lead.
   */
  updateRoundLeaders(): void {
    const local = this.slot.local;
    const myQSet = withoutSelf(local.qset, local.id);
    let maxLeaders = 0;
    if (this.weight(local.id, myQSet, true) > 0n) maxLeaders++;
    forAllNodes(myQSet, (id) => {
      if (this.weight(id, myQSet, false) > 0n) maxLeaders++;
    });
    let iterations = MAX_FAST_TIMEOUTS;
    while (this.roundLeaders.size < maxLeaders) {
      let newLeaders = new Set<string>([local.key]);
      let top = this.nodePriority(local.id, myQSet);
      forAllNodes(myQSet, (id) => {
        const w = this.nodePriority(id, myQSet);
        if (w > top) {
          top = w;
          newLeaders = new Set();
        }
        if (w === top && w > 0n) newLeaders.add(nodeKey(id));
      });
      if (top === 0n) newLeaders.clear();
      const before = this.roundLeaders.size;
      for (const k of newLeaders) this.roundLeaders.add(k);
      if (this.roundLeaders.size !== before) return;
      this.roundNumber++;
      assert(--iterations > 0, "updateRoundLeaders does not terminate");
    }
  }

  /**
   * The value to adopt from a leader's NOMINATE: among its accepted values (or, if none of them is
   * usable, its votes), the usable one not yet voted with the highest value hash.
   */
  private newValueFromNomination(nom: NominatePledge): Value | null {
    let best: Value | null = null;
    let bestHash = 0n;
    let foundValid = false;
    const pick = (value: Value) => {
      let v: Value | undefined;
      if (this.validate(value) === ValidationLevel.FullyValid) v = value;
      else v = this.slot.driver.extractValidValue?.(this.slot.index, value);
      if (!v) return;
      foundValid = true;
      if (this.votes.has(v)) return;
      const h = this.hashValue(v);
      if (h >= bestHash) {
        bestHash = h;
        best = v;
      }
    };
    for (const v of nom.accepted) pick(v);
    if (!foundValid) for (const v of nom.votes) pick(v);
    return best;
  }

  // ---------------------------------------------------------------- output

  private emitNomination(): void {
    const pledges: NominatePledge = {
      type: "nominate",
      quorumSetHash: this.slot.local.qsetHash,
      votes: this.votes.values(),
      accepted: this.accepted.values(),
    };
    const env = this.slot.signPledges(pledges);
    if (this.slot.processEnvelope(env, true) !== "valid")
      assert(false, "the local node moved to a state it rejects (nomination)");
    if (
      !this.lastEnvelope ||
      isNewerNomination(this.lastEnvelope.statement.pledges as NominatePledge, pledges)
    ) {
      this.lastEnvelope = env;
      if (this.slot.fullyValidated) this.slot.emit(env);
    }
  }

  // ---------------------------------------------------------------- restore

  /** Restores X and Y from the local node's own persisted NOMINATE (before nomination starts). */
  setStateFromEnvelope(rec: RecordedEnvelope): void {
    this.latest.set(rec.key, rec);
    this.slot.statementCount++;
    const nom = rec.statement.pledges as NominatePledge;
    for (const a of nom.accepted) this.accepted.add(a);
    for (const v of nom.votes) this.votes.add(v);
    this.lastEnvelope = rec.envelope;
  }
}
