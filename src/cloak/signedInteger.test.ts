import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { L, mod } from "../crypto/scalar.js";
import { hasCode } from "../util/codedError.js";
import { CloakCode } from "./errors.js";
import { SIGNED_INTEGER_MAX, SignedInteger } from "./signedInteger.js";
import { makeValue, valuesEqual } from "./value.js";

const MAX = SIGNED_INTEGER_MAX;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("SignedInteger", () => {
  it("accepts exactly [-(2^64-1), 2^64-1]", () => {
    expect(SignedInteger.from(MAX).value).toBe(MAX);
    expect(SignedInteger.from(-MAX).value).toBe(-MAX);
    expect(SignedInteger.from(0).isZero()).toBe(true);
    expect(codeOf(() => SignedInteger.from(MAX + 1n))).toBe(CloakCode.INTEGER_OVERFLOW);
    expect(codeOf(() => SignedInteger.from(-MAX - 1n))).toBe(CloakCode.INTEGER_OVERFLOW);
    expect(SignedInteger.tryFrom(MAX + 1n)).toBeUndefined();
    expect(SignedInteger.tryFrom(-7)?.value).toBe(-7n);
  });

  it("rejects non-integers and non-u64 with RangeError", () => {
    expect(() => SignedInteger.from(1.5)).toThrow(RangeError);
    expect(() => SignedInteger.fromU64(-1n)).toThrow(RangeError);
    expect(() => SignedInteger.fromU64(MAX + 1n)).toThrow(RangeError);
    expect(SignedInteger.fromU64(MAX).toU64()).toBe(MAX);
  });

  it("maps to scalars: negatives wrap to ℓ - |q|", () => {
    expect(SignedInteger.from(5).toScalar()).toBe(5n);
    expect(SignedInteger.from(-5).toScalar()).toBe(L - 5n);
    expect(SignedInteger.from(-MAX).toScalar()).toBe(L - MAX);
    expect(SignedInteger.from(-1).toU64()).toBeUndefined();
  });

  it("checked arithmetic returns undefined on overflow (must-fail twins of the sums)", () => {
    const max = SignedInteger.from(MAX);
    const one = SignedInteger.from(1);
    expect(max.add(SignedInteger.ZERO)?.value).toBe(MAX);
    expect(max.add(one)).toBeUndefined();
    expect(max.neg().sub(one)).toBeUndefined();
    expect(max.mul(one)?.value).toBe(MAX);
    expect(max.mul(one.neg())?.value).toBe(-MAX);
    expect(max.mul(SignedInteger.from(2))).toBeUndefined();
    expect(max.mul(SignedInteger.from(-2))).toBeUndefined();
    expect(max.mul(max)).toBeUndefined();
    expect(max.neg().neg().equals(max)).toBe(true);
    expect(one.compare(max)).toBe(-1);
    expect(max.compare(one)).toBe(1);
    expect(one.compare(SignedInteger.from(1))).toBe(0);
  });

  it("property: in-range sums and products agree with scalar arithmetic", () => {
    const arb = fc.bigInt({ min: -MAX, max: MAX });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const x = SignedInteger.from(a);
        const y = SignedInteger.from(b);
        const s = x.add(y);
        const inRange = a + b >= -MAX && a + b <= MAX;
        expect(s === undefined).toBe(!inRange);
        if (s !== undefined) expect(s.toScalar()).toBe(mod(x.toScalar() + y.toScalar()));
        const p = x.mul(y);
        if (p !== undefined) expect(p.toScalar()).toBe(mod(x.toScalar() * y.toScalar()));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("Value", () => {
  it("makeValue reduces flavors modulo ℓ and checks quantities", () => {
    const v = makeValue(3, L + 2n);
    expect(v.f).toBe(2n);
    expect(valuesEqual(v, makeValue(3n, 2n))).toBe(true);
    expect(valuesEqual(v, makeValue(3n, 3n))).toBe(false);
    expect(valuesEqual(v, makeValue(4n, 2n))).toBe(false);
    expect(makeValue(-1n, -1n).f).toBe(L - 1n);
    let err: unknown;
    try {
      makeValue(MAX + 1n, 0n);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CloakCode.INTEGER_OVERFLOW)).toBe(true);
  });
});
