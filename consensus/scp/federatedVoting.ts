/**
 * Federated voting over the latest statement of each node.
 *   accept(a)  ⇐ a v-blocking set claims to have accepted a, or a quorum claims to have voted or accepted a;
 *   confirm(a) ⇐ a quorum claims to have accepted a ("ratify").
 * Spec: draft-mazieres-dinrg-scp §"Federated voting"; Mazières 2015 §5.
 */
import { isQuorum, isVBlocking } from "./quorumSet.js";
import type { QuorumSet, Statement } from "./types.js";

/** A node's latest statement together with the quorum set it declared (singleton for EXTERNALIZE). */
export interface LatestStatement {
  readonly statement: Statement;
  readonly qset: QuorumSet;
}

/** A predicate on one statement: "this statement claims X". */
export type StatementPredicate = (st: Statement) => boolean;

/** True if the nodes whose latest statement satisfies `pred` form a v-blocking set for `local`. */
export function isVBlockingFor(
  local: QuorumSet,
  latest: ReadonlyMap<string, LatestStatement>,
  pred: StatementPredicate,
): boolean {
  const nodes = new Set<string>();
  for (const [k, l] of latest) if (pred(l.statement)) nodes.add(k);
  return isVBlocking(local, nodes);
}

/** True if the nodes whose latest statement satisfies `pred` contain a transitive quorum for `local`. */
export function isQuorumFor(
  local: QuorumSet,
  latest: ReadonlyMap<string, LatestStatement>,
  pred: StatementPredicate,
): boolean {
  const members = new Map<string, QuorumSet>();
  for (const [k, l] of latest) if (pred(l.statement)) members.set(k, l.qset);
  return isQuorum(local, members);
}

/** Federated accept: v-blocking set accepted, or quorum voted-or-accepted. */
export function federatedAccept(
  local: QuorumSet,
  latest: ReadonlyMap<string, LatestStatement>,
  voted: StatementPredicate,
  accepted: StatementPredicate,
): boolean {
  if (isVBlockingFor(local, latest, accepted)) return true;
  return isQuorumFor(local, latest, (st) => accepted(st) || voted(st));
}

/** Federated ratify (confirm): a quorum accepted. */
export function federatedRatify(
  local: QuorumSet,
  latest: ReadonlyMap<string, LatestStatement>,
  accepted: StatementPredicate,
): boolean {
  return isQuorumFor(local, latest, accepted);
}
