/**
 * Variables and linear combinations of a rank-1 constraint system (Bulletproofs R1CS,
 * dalek-cryptography/bulletproofs `develop`, docs/notes-r1cs.md "Constraint system").
 *
 * A variable is a committed (high-level) value Vᵢ, the left, right or output wire of the i-th
 * multiplier, or the constant one. A linear combination is a list of (variable, coefficient) terms;
 * a constraint states that its value is zero. Coefficients are scalars modulo ℓ; the helpers here
 * accept any integer (negative ones wrap) so gadget code can write `x.sub(z)` or `o.sub(21n)`.
 * Linear combinations are immutable: every operation returns a new one.
 */
import { L, mod } from "../crypto/scalar.js";

/** The kinds of variables. */
export const VariableKind = {
  /** A value committed by the prover before the proof (Pedersen commitment Vᵢ). */
  Committed: 0,
  /** The left input of multiplier i. */
  MultiplierLeft: 1,
  /** The right input of multiplier i. */
  MultiplierRight: 2,
  /** The output of multiplier i (left · right). */
  MultiplierOutput: 3,
  /** The constant 1. */
  One: 4,
} as const;
export type VariableKind = (typeof VariableKind)[keyof typeof VariableKind];

/** A scalar given as a bigint (any integer, reduced modulo ℓ) or a safe JS integer. */
export type ScalarLike = bigint | number;

/** Anything that converts to a linear combination. */
export type LcLike = LinearCombination | Variable | ScalarLike;

/** Reduces a scalar-like value into [0, ℓ). Throws a RangeError on a non-integer number. */
export function toScalar(s: ScalarLike): bigint {
  if (typeof s === "bigint") return s >= 0n && s < L ? s : mod(s);
  if (!Number.isSafeInteger(s)) throw new RangeError(`toScalar: ${s} is not a safe integer`);
  return mod(BigInt(s));
}

const KIND_PREFIX = ["V", "L", "R", "O", "1"] as const;

/** A variable of a constraint system. Create them through a constraint system, not directly. */
export class Variable {
  /** The constant one. */
  static readonly ONE: Variable = new Variable(VariableKind.One, 0);

  readonly kind: VariableKind;
  /** Index of the commitment or multiplier (0 for the constant). */
  readonly index: number;

  constructor(kind: VariableKind, index: number) {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Variable: bad index ${index}`);
    this.kind = kind;
    this.index = kind === VariableKind.One ? 0 : index;
  }

  /** This variable with coefficient 1. */
  toLc(): LinearCombination {
    return new LinearCombination([{ variable: this, coeff: 1n }]);
  }

  add(other: LcLike): LinearCombination {
    return this.toLc().add(other);
  }

  sub(other: LcLike): LinearCombination {
    return this.toLc().sub(other);
  }

  mul(s: ScalarLike): LinearCombination {
    return new LinearCombination([{ variable: this, coeff: toScalar(s) }]);
  }

  neg(): LinearCombination {
    return this.toLc().neg();
  }

  equals(other: Variable): boolean {
    return this.kind === other.kind && this.index === other.index;
  }

  /** A short name: V3 (committed), L2/R2/O2 (multiplier wires) or 1. */
  toString(): string {
    return this.kind === VariableKind.One ? "1" : `${KIND_PREFIX[this.kind]}${this.index}`;
  }
}

/** One term of a linear combination. */
export interface Term {
  readonly variable: Variable;
  /** Coefficient in [0, ℓ). */
  readonly coeff: bigint;
}

/** An immutable linear combination Σ coeffᵢ · variableᵢ (terms may repeat a variable). */
export class LinearCombination {
  readonly terms: readonly Term[];

  constructor(terms: readonly Term[] = []) {
    this.terms = terms;
  }

  /** The empty combination (value 0). */
  static zero(): LinearCombination {
    return EMPTY;
  }

  /** Converts a variable, a constant or a combination. */
  static from(x: LcLike): LinearCombination {
    if (x instanceof LinearCombination) return x;
    if (x instanceof Variable) return x.toLc();
    const c = toScalar(x);
    return c === 0n ? EMPTY : new LinearCombination([{ variable: Variable.ONE, coeff: c }]);
  }

  /** Σ of the items. */
  static sum(items: Iterable<LcLike>): LinearCombination {
    const terms: Term[] = [];
    for (const it of items) for (const t of LinearCombination.from(it).terms) terms.push(t);
    return new LinearCombination(terms);
  }

  add(other: LcLike): LinearCombination {
    const o = LinearCombination.from(other);
    if (o.terms.length === 0) return this;
    return new LinearCombination([...this.terms, ...o.terms]);
  }

  sub(other: LcLike): LinearCombination {
    const o = LinearCombination.from(other);
    if (o.terms.length === 0) return this;
    return new LinearCombination([...this.terms, ...o.neg().terms]);
  }

  neg(): LinearCombination {
    return new LinearCombination(
      this.terms.map((t) => ({ variable: t.variable, coeff: t.coeff === 0n ? 0n : L - t.coeff })),
    );
  }

  mul(s: ScalarLike): LinearCombination {
    const c = toScalar(s);
    return new LinearCombination(this.terms.map((t) => ({ variable: t.variable, coeff: (t.coeff * c) % L })));
  }

  toString(): string {
    if (this.terms.length === 0) return "0";
    return this.terms.map((t) => `${t.coeff}·${t.variable.toString()}`).join(" + ");
  }
}

const EMPTY = new LinearCombination([]);
