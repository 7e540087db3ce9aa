/** Error codes of the utreexo accumulator (src/utreexo). */
import { CodedError } from "../util/codedError.js";

export const UtreexoCode = {
  /** A committed proof does not lead to the forest: wrong length, position or neighbour hashes. */
  INVALID_PROOF: "UTREEXO_INVALID_PROOF",
  /** A catchup could not bring a committed proof forward: the item was deleted or the proof is older than one generation. */
  OUTDATED_PROOF: "UTREEXO_OUTDATED_PROOF",
  /** A transient delete found no pending level-0 item with this leaf hash. */
  ITEM_NOT_FOUND: "UTREEXO_ITEM_NOT_FOUND",
  /** The item was already deleted in this work forest (a double spend). */
  ALREADY_DELETED: "UTREEXO_ALREADY_DELETED",
} as const;
export type UtreexoCode = (typeof UtreexoCode)[keyof typeof UtreexoCode];

export type UtreexoMeta = {
  /** Why the proof was rejected (short, stable words). */
  reason?: string;
  /** The proof's position, if it had one. */
  position?: bigint;
  /** Neighbours expected (tree level) and given. */
  expected?: number;
  given?: number;
};

export class UtreexoError extends CodedError<UtreexoCode, UtreexoMeta> {}
