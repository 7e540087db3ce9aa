/**
 * Items of the VM stack (zkvm-spec.md "Types"): strings, programs, contracts, variables,
 * expressions, constraints, values and wide values, with their copy/drop/port rules.
 */
import type { AllocatedValue } from "../cloak/value.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import type { Constraint, Expression } from "./constraints.js";
import type { Contract } from "./contract.js";

export type Item =
  | { readonly type: "string"; readonly bytes: Uint8Array }
  | { readonly type: "program"; readonly code: Uint8Array }
  | { readonly type: "contract"; readonly contract: Contract }
  | { readonly type: "variable"; readonly commitment: CompressedPoint }
  | { readonly type: "expression"; readonly expr: Expression }
  | { readonly type: "constraint"; readonly constraint: Constraint }
  | { readonly type: "value"; readonly qty: CompressedPoint; readonly flv: CompressedPoint }
  /** A value with a signed 65-bit quantity: its variables and (prover) assignment, ready for `cloak`. */
  | { readonly type: "widevalue"; readonly vars: AllocatedValue };

export type ItemType = Item["type"];

/** String and Variable can be copied with `dup`. */
export function isCopyable(i: Item): boolean {
  return i.type === "string" || i.type === "variable";
}

/** String, Program, Variable, Expression and Constraint can be dropped. */
export function isDroppable(i: Item): boolean {
  return (
    i.type === "string" ||
    i.type === "program" ||
    i.type === "variable" ||
    i.type === "expression" ||
    i.type === "constraint"
  );
}
