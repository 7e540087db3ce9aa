import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BulletproofGens } from "../crypto/generators.js";
import { L } from "../crypto/scalar.js";
import { Transcript } from "../crypto/transcript.js";
import { seededRng } from "../util/rng.js";
import { LinearCombination, toScalar, Variable, VariableKind } from "./linearCombination.js";
import { Prover } from "./prover.js";

describe("variables and linear combinations", () => {
  it("build terms with reduced coefficients and evaluate on the prover", () => {
    const p = new Prover(Transcript.create("lc"));
    const x = p.commit(3n, 1n).variable;
    const y = p.commit(7n, 2n).variable;
    const [l, r, o] = p.multiply(x.add(1), y.sub(2n));
    expect([x, y, l, r, o].map(String)).toEqual(["V0", "V1", "L0", "R0", "O0"]);
    expect(p.evaluate(o)).toBe(20n);
    expect(p.evaluate(x.sub(y))).toBe(L - 4n);
    expect(p.evaluate(x.mul(-2).add(y.neg()).add(13))).toBe(0n);
    expect(p.evaluate(LinearCombination.sum([x, y, 5, -15n]))).toBe(0n);
    expect(p.evaluate(LinearCombination.from(Variable.ONE).mul(L + 5n))).toBe(5n);
    expect(p.evaluate(0)).toBe(0n);
    expect(x.sub(y).toString()).toBe(`1·V0 + ${L - 1n}·V1`);
    expect(LinearCombination.zero().terms.length).toBe(0);
    expect(new Variable(VariableKind.One, 9).equals(Variable.ONE)).toBe(true);
    // must-fail twins: bad scalar-likes and unknown variables
    expect(() => toScalar(1.5)).toThrow(RangeError);
    expect(() => new Variable(VariableKind.Committed, -1)).toThrow(RangeError);
    expect(() => p.evaluate(new Variable(VariableKind.Committed, 2))).toThrow(RangeError);
    expect(() => p.evaluate(new Variable(VariableKind.MultiplierLeft, 1))).toThrow(RangeError);
  });

  it("a constraint on an unknown variable is a RangeError at proving time", () => {
    const p = new Prover(Transcript.create("lc"));
    p.constrain(new Variable(VariableKind.MultiplierOutput, 3));
    expect(() => p.prove(BulletproofGens.withCapacity(8), seededRng("x"))).toThrow(RangeError);
  });

  it("property: evaluation is linear", () => {
    const p = new Prover(Transcript.create("lc prop"));
    const a = p.commit(11n, 1n).variable;
    const b = p.commit(L - 3n, 2n).variable;
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt(), fc.integer(), (s, t, k) => {
        const lc = a.mul(s).add(b.mul(t)).sub(k);
        const expected = (((toScalar(s) * 11n + toScalar(t) * (L - 3n) - BigInt(k)) % L) + L) % L;
        expect(p.evaluate(lc)).toBe(expected);
        expect(p.evaluate(lc.neg().add(lc))).toBe(0n);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
