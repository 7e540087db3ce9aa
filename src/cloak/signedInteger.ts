/**
 * Signed integers of Cloak: integers in [-(2^64-1), 2^64-1], i.e. a sign and a 64-bit magnitude
 * (stellar/slingshot `spacesuit/spec.md`, "Signed integer" and "Quantity"). Input quantities of a
 * cloak transaction may be negative (ZkVM "wide values"); outputs are range-proven to [0, 2^64).
 *
 * In the constraint system a signed integer is the scalar q mod ℓ, so a negative q becomes ℓ - |q|.
 * Arithmetic is checked: `add`/`mul` return undefined when the result leaves the range, which lets
 * callers (the ZkVM scalar witnesses) fall back to plain scalars.
 */
import { mod } from "../crypto/scalar.js";
import { CloakCode, CloakError } from "./errors.js";

/** Largest magnitude of a signed integer: 2^64 - 1. */
export const SIGNED_INTEGER_MAX = (1n << 64n) - 1n;

function inRange(x: bigint): boolean {
  return x >= -SIGNED_INTEGER_MAX && x <= SIGNED_INTEGER_MAX;
}

/** An immutable integer in [-(2^64-1), 2^64-1]. */
export class SignedInteger {
  static readonly ZERO: SignedInteger = new SignedInteger(0n);

  /** The integer value. */
  readonly value: bigint;

  private constructor(value: bigint) {
    this.value = value;
  }

  /**
   * The signed integer equal to `x`. Throws CLOAK_INTEGER_OVERFLOW if |x| ≥ 2^64, and a RangeError
   * if `x` is a number that is not a safe integer.
   */
  static from(x: bigint | number): SignedInteger {
    const v = toBigint(x, "SignedInteger.from");
    if (!inRange(v)) throw new CloakError(CloakCode.INTEGER_OVERFLOW, { what: "signed integer", value: v });
    return v === 0n ? SignedInteger.ZERO : new SignedInteger(v);
  }

  /** Like `from`, but returns undefined instead of throwing when |x| ≥ 2^64. */
  static tryFrom(x: bigint | number): SignedInteger | undefined {
    const v = toBigint(x, "SignedInteger.tryFrom");
    return inRange(v) ? new SignedInteger(v) : undefined;
  }

  /** The non-negative integer `u` (RangeError if `u` is not in [0, 2^64)). */
  static fromU64(u: bigint | number): SignedInteger {
    const v = toBigint(u, "SignedInteger.fromU64");
    if (v < 0n || v > SIGNED_INTEGER_MAX) throw new RangeError(`SignedInteger.fromU64: ${v} is not a u64`);
    return new SignedInteger(v);
  }

  /** The scalar q mod ℓ that stands for this integer in a constraint system. */
  toScalar(): bigint {
    return mod(this.value);
  }

  /** The value as a u64, or undefined if it is negative. */
  toU64(): bigint | undefined {
    return this.value < 0n ? undefined : this.value;
  }

  isNegative(): boolean {
    return this.value < 0n;
  }

  isZero(): boolean {
    return this.value === 0n;
  }

  /** this + other, or undefined if the sum leaves the range. */
  add(other: SignedInteger): SignedInteger | undefined {
    const s = this.value + other.value;
    return inRange(s) ? new SignedInteger(s) : undefined;
  }

  /** this - other, or undefined if the difference leaves the range. */
  sub(other: SignedInteger): SignedInteger | undefined {
    const s = this.value - other.value;
    return inRange(s) ? new SignedInteger(s) : undefined;
  }

  /** this · other, or undefined if the product leaves the range. */
  mul(other: SignedInteger): SignedInteger | undefined {
    const p = this.value * other.value;
    return inRange(p) ? new SignedInteger(p) : undefined;
  }

  /** -this (always in range). */
  neg(): SignedInteger {
    return this.value === 0n ? this : new SignedInteger(-this.value);
  }

  equals(other: SignedInteger): boolean {
    return this.value === other.value;
  }

  /** Negative, zero or positive as this is below, equal to or above `other`. */
  compare(other: SignedInteger): number {
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  toString(): string {
    return this.value.toString();
  }
}

function toBigint(x: bigint | number, what: string): bigint {
  if (typeof x === "bigint") return x;
  if (typeof x !== "number" || !Number.isSafeInteger(x))
    throw new RangeError(`${what}: ${String(x)} is not an integer`);
  return BigInt(x);
}
