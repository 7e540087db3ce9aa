/**
 * Expressions and constraints of the VM (zkvm-spec.md "Expression type", "Constant expression",
 * "Constraint type", and the `add`, `mul`, `eq`, `and`, `or`, `not`, `verify` instructions).
 *
 * An expression is either a cleartext constant or a linear combination of constraint-system
 * variables; the prover also carries its value (the assignment). Constant folding is a *guaranteed*
 * optimization: it changes the constraint system, so verifier and prover must fold identically.
 */
import type { ConstraintSystem, RandomizedConstraintSystem } from "../bulletproofs/constraintSystem.js";
import { LinearCombination, Variable } from "../bulletproofs/linearCombination.js";
import { add, invert, L, mul, neg, sub } from "../crypto/scalar.js";
import { LABEL } from "./labels.js";

/** A cleartext scalar expression (weight on the constant 1). */
export interface ConstantExpr {
  readonly kind: "constant";
  readonly value: bigint;
}

/** A linear combination over constraint-system variables, with the prover's value if known. */
export interface LcExpr {
  readonly kind: "lc";
  readonly lc: LinearCombination;
  readonly assignment: bigint | undefined;
}

export type Expression = ConstantExpr | LcExpr;

export function constantExpr(value: bigint): ConstantExpr {
  return { kind: "constant", value };
}

export function variableExpr(v: Variable, assignment: bigint | undefined): LcExpr {
  return { kind: "lc", lc: v.toLc(), assignment };
}

/** The expression's linear combination (a constant becomes a weight on 1). */
export function exprToLc(e: Expression): LinearCombination {
  return e.kind === "constant" ? new LinearCombination([{ variable: Variable.ONE, coeff: e.value }]) : e.lc;
}

/** The expression's value, if known. */
export function exprValue(e: Expression): bigint | undefined {
  return e.kind === "constant" ? e.value : e.assignment;
}

function mapAssign(
  a: bigint | undefined,
  b: bigint | undefined,
  f: (x: bigint, y: bigint) => bigint,
): bigint | undefined {
  return a === undefined || b === undefined ? undefined : f(a, b);
}

export function negExpr(e: Expression): Expression {
  if (e.kind === "constant") return constantExpr(neg(e.value));
  return {
    kind: "lc",
    lc: e.lc.neg(),
    assignment: e.assignment === undefined ? undefined : neg(e.assignment),
  };
}

/** `add`: constants fold; otherwise the terms are concatenated (a constant term goes first or last). */
export function addExpr(a: Expression, b: Expression): Expression {
  if (a.kind === "constant" && b.kind === "constant") return constantExpr(add(a.value, b.value));
  if (a.kind === "constant") {
    const lc = exprToLc(a).add((b as LcExpr).lc);
    return { kind: "lc", lc, assignment: mapAssign(a.value, (b as LcExpr).assignment, add) };
  }
  if (b.kind === "constant") {
    return { kind: "lc", lc: a.lc.add(exprToLc(b)), assignment: mapAssign(a.assignment, b.value, add) };
  }
  return { kind: "lc", lc: a.lc.add(b.lc), assignment: mapAssign(a.assignment, b.assignment, add) };
}

/** `mul`: a constant factor scales the other side in place; two non-constants allocate a multiplier. */
export function mulExpr(a: Expression, b: Expression, cs: ConstraintSystem): Expression {
  if (a.kind === "constant" && b.kind === "constant") return constantExpr(mul(a.value, b.value));
  if (a.kind === "constant") {
    const e = b as LcExpr;
    return { kind: "lc", lc: e.lc.mul(a.value), assignment: mapAssign(e.assignment, a.value, mul) };
  }
  if (b.kind === "constant") {
    return { kind: "lc", lc: a.lc.mul(b.value), assignment: mapAssign(a.assignment, b.value, mul) };
  }
  const [, , o] = cs.multiply(a.lc, b.lc);
  return { kind: "lc", lc: o.toLc(), assignment: mapAssign(a.assignment, b.assignment, mul) };
}

/** A constraint over secret expressions, combined with and/or/not. */
export type SecretConstraint =
  | { readonly kind: "eq"; readonly a: Expression; readonly b: Expression }
  | { readonly kind: "and"; readonly a: SecretConstraint; readonly b: SecretConstraint }
  | { readonly kind: "or"; readonly a: SecretConstraint; readonly b: SecretConstraint }
  | { readonly kind: "not"; readonly a: SecretConstraint };

export type Constraint = { readonly kind: "cleartext"; readonly value: boolean } | SecretConstraint;

export function cleartext(value: boolean): Constraint {
  return { kind: "cleartext", value };
}

/**
 * `eq`: two constants compare as scalars (the spec's rule). The reference verifier also compares
 * the *kind* of constant (integer vs scalar) and so rejects e.g. `mintime` == pushed scalar; we
 * follow the spec (see README "Reference quirks").
 */
export function eqConstraint(a: Expression, b: Expression): Constraint {
  if (a.kind === "constant" && b.kind === "constant") return cleartext(a.value === b.value);
  return { kind: "eq", a, b };
}

export function andConstraint(a: Constraint, b: Constraint): Constraint {
  if (a.kind === "cleartext") return a.value ? b : a;
  if (b.kind === "cleartext") return b.value ? a : b;
  return { kind: "and", a, b };
}

export function orConstraint(a: Constraint, b: Constraint): Constraint {
  if (a.kind === "cleartext") return a.value ? a : b;
  if (b.kind === "cleartext") return b.value ? b : a;
  return { kind: "or", a, b };
}

export function notConstraint(a: Constraint): Constraint {
  if (a.kind === "cleartext") return cleartext(!a.value);
  return { kind: "not", a };
}

/**
 * Reduces a secret constraint to one linear combination that must be zero, allocating multipliers
 * for `or` and `not` and drawing the `and` challenge from the transcript. Returns the combination
 * and its value under the prover's assignment.
 */
export function flattenConstraint(
  c: SecretConstraint,
  cs: RandomizedConstraintSystem,
): { lc: LinearCombination; value: bigint | undefined } {
  switch (c.kind) {
    case "eq": {
      // The value of ex1 − ex2 (the reference prover negates it, which breaks `not(eq)`; see README).
      const value = mapAssign(exprValue(c.a), exprValue(c.b), sub);
      return { lc: exprToLc(c.a).sub(exprToLc(c.b)), value };
    }
    case "and": {
      const x = flattenConstraint(c.a, cs);
      const y = flattenConstraint(c.b, cs);
      const z = cs.challengeScalar(LABEL.VERIFY_AND_CHALLENGE);
      return { lc: x.lc.add(y.lc.mul(z)), value: mapAssign(x.value, y.value, (p, q) => add(p, mul(z, q))) };
    }
    case "or": {
      const x = flattenConstraint(c.a, cs);
      const y = flattenConstraint(c.b, cs);
      const [, , o] = cs.multiply(x.lc, y.lc);
      return { lc: o.toLc(), value: mapAssign(x.value, y.value, mul) };
    }
    case "not": {
      // y = 1 if x == 0 else 0; w = 1/x (or 1 when x == 0):  x·y = 0,  x·w = 1 − y.
      const x = flattenConstraint(c.a, cs);
      let xy: [bigint, bigint] | undefined;
      let xw: [bigint, bigint] | undefined;
      let y: bigint | undefined;
      if (x.value !== undefined) {
        const isZero = x.value === 0n;
        y = isZero ? 1n : 0n;
        xy = [x.value, y];
        xw = [x.value, isZero ? 1n : invert(x.value)];
      }
      const [l1, r1, o1] = cs.allocateMultiplier(xy);
      const [l2, , o2] = cs.allocateMultiplier(xw);
      cs.constrain(l1.sub(x.lc));
      cs.constrain(l1.sub(l2));
      cs.constrain(o1.toLc());
      cs.constrain(o2.sub(1n).add(r1));
      return { lc: r1.toLc(), value: y };
    }
  }
}

/** True if the constraint holds under the prover's assignment (undefined on the verifier). */
export function evalConstraint(c: Constraint): boolean | undefined {
  switch (c.kind) {
    case "cleartext":
      return c.value;
    case "eq": {
      const a = exprValue(c.a);
      const b = exprValue(c.b);
      return a === undefined || b === undefined ? undefined : a === b;
    }
    case "and":
    case "or": {
      const a = evalConstraint(c.a);
      const b = evalConstraint(c.b);
      if (a === undefined || b === undefined) return undefined;
      return c.kind === "and" ? a && b : a || b;
    }
    case "not": {
      const a = evalConstraint(c.a);
      return a === undefined ? undefined : !a;
    }
  }
}

/** Interprets a scalar as a signed integer in (−2^64, 2^64), or undefined if it is not one. */
export function scalarToSignedInteger(s: bigint): bigint | undefined {
  const LIMIT = 1n << 64n;
  if (s < LIMIT) return s;
  if (s > L - LIMIT) return s - L;
  return undefined;
}
