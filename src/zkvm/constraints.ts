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

type LcNode =
  | { readonly kind: "leaf"; readonly lc: LinearCombination }
  | { readonly kind: "sum"; readonly a: LcNode; readonly b: LcNode }
  | { readonly kind: "scale"; readonly a: LcNode; readonly k: bigint };

/**
 * A linear combination built lazily: `add`, `neg` and `mul` by a constant are O(1) tree nodes, and
 * the terms are produced once, iteratively, when the combination reaches the constraint system. This
 * keeps long `add`/`neg`/`and` chains linear in the size of the program (no term copying per step,
 * no recursion depth limit).
 */
export class LazyLc {
  private readonly node: LcNode;
  private cached: LinearCombination | undefined;

  private constructor(node: LcNode) {
    this.node = node;
  }

  static of(lc: LinearCombination): LazyLc {
    const l = new LazyLc({ kind: "leaf", lc });
    l.cached = lc;
    return l;
  }

  add(other: LazyLc): LazyLc {
    return new LazyLc({ kind: "sum", a: this.node, b: other.node });
  }

  mul(k: bigint): LazyLc {
    return new LazyLc({ kind: "scale", a: this.node, k });
  }

  neg(): LazyLc {
    return this.mul(L - 1n);
  }

  sub(other: LazyLc): LazyLc {
    return this.add(other.neg());
  }

  /** The terms, in order (left operand's terms first), with every scale applied. */
  materialize(): LinearCombination {
    if (this.cached !== undefined) return this.cached;
    const terms: { variable: Variable; coeff: bigint }[] = [];
    const stack: { node: LcNode; k: bigint }[] = [{ node: this.node, k: 1n }];
    while (stack.length > 0) {
      const { node, k } = stack.pop()!;
      if (node.kind === "leaf") {
        for (const t of node.lc.terms)
          terms.push({ variable: t.variable, coeff: k === 1n ? t.coeff : (t.coeff * k) % L });
      } else if (node.kind === "sum") {
        stack.push({ node: node.b, k }, { node: node.a, k });
      } else {
        stack.push({ node: node.a, k: (node.k * k) % L });
      }
    }
    this.cached = new LinearCombination(terms);
    return this.cached;
  }
}

/** A cleartext scalar expression (weight on the constant 1). */
export interface ConstantExpr {
  readonly kind: "constant";
  readonly value: bigint;
}

/** A linear combination over constraint-system variables, with the prover's value if known. */
export interface LcExpr {
  readonly kind: "lc";
  readonly lc: LazyLc;
  readonly assignment: bigint | undefined;
}

export type Expression = ConstantExpr | LcExpr;

export function constantExpr(value: bigint): ConstantExpr {
  return { kind: "constant", value };
}

export function variableExpr(v: Variable, assignment: bigint | undefined): LcExpr {
  return { kind: "lc", lc: LazyLc.of(v.toLc()), assignment };
}

/** The expression's linear combination (a constant becomes a weight on 1). */
export function exprToLc(e: Expression): LazyLc {
  return e.kind === "constant"
    ? LazyLc.of(new LinearCombination([{ variable: Variable.ONE, coeff: e.value }]))
    : e.lc;
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
  const [, , o] = cs.multiply(a.lc.materialize(), b.lc.materialize());
  return { kind: "lc", lc: LazyLc.of(o.toLc()), assignment: mapAssign(a.assignment, b.assignment, mul) };
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

interface Flat {
  readonly lc: LazyLc;
  readonly value: bigint | undefined;
}

function children(c: SecretConstraint): readonly SecretConstraint[] {
  switch (c.kind) {
    case "eq":
      return [];
    case "not":
      return [c.a];
    default:
      return [c.a, c.b];
  }
}

/**
 * Reduces a secret constraint to one linear combination that must be zero, allocating multipliers
 * for `or` and `not` and drawing the `and` challenge from the transcript, depth first, left before
 * right (the reference's order). Iterative, so arbitrarily deep constraints cannot exhaust the
 * call stack. Returns the combination and its value under the prover's assignment.
 */
export function flattenConstraint(root: SecretConstraint, cs: RandomizedConstraintSystem): Flat {
  const stack: { c: SecretConstraint; done: Flat[] }[] = [{ c: root, done: [] }];
  for (;;) {
    const frame = stack[stack.length - 1]!;
    const kids = children(frame.c);
    if (frame.done.length < kids.length) {
      stack.push({ c: kids[frame.done.length]!, done: [] });
      continue;
    }
    stack.pop();
    const result = combine(frame.c, frame.done, cs);
    if (stack.length === 0) return result;
    stack[stack.length - 1]!.done.push(result);
  }
}

function combine(c: SecretConstraint, done: readonly Flat[], cs: RandomizedConstraintSystem): Flat {
  switch (c.kind) {
    case "eq": {
      // The value of ex1 − ex2 (the reference prover negates it, which breaks `not(eq)`; see README).
      const value = mapAssign(exprValue(c.a), exprValue(c.b), sub);
      return { lc: exprToLc(c.a).sub(exprToLc(c.b)), value };
    }
    case "and": {
      const [x, y] = done as [Flat, Flat];
      const z = cs.challengeScalar(LABEL.VERIFY_AND_CHALLENGE);
      return { lc: x.lc.add(y.lc.mul(z)), value: mapAssign(x.value, y.value, (p, q) => add(p, mul(z, q))) };
    }
    case "or": {
      const [x, y] = done as [Flat, Flat];
      const [, , o] = cs.multiply(x.lc.materialize(), y.lc.materialize());
      return { lc: LazyLc.of(o.toLc()), value: mapAssign(x.value, y.value, mul) };
    }
    case "not": {
      // y = 1 if x == 0 else 0; w = 1/x (or 1 when x == 0):  x·y = 0,  x·w = 1 − y.
      const [x] = done as [Flat];
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
      cs.constrain(l1.sub(x.lc.materialize()));
      cs.constrain(l1.sub(l2));
      cs.constrain(o1.toLc());
      cs.constrain(o2.sub(1n).add(r1));
      return { lc: LazyLc.of(r1.toLc()), value: y };
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
