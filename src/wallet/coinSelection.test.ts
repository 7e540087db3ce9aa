import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasCode } from "../util/codedError.js";
import { type Coin, selectCoins } from "./coinSelection.js";
import { WalletCode, type WalletError } from "./errors.js";

const F = 7n; // a non-native flavor

function coin(id: string, ...amounts: [bigint, bigint][]): Coin {
  return { id, amounts: new Map(amounts) };
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

const ids = (cs: readonly Coin[]) => cs.map((c) => c.id);

describe("selectCoins", () => {
  const pool = [coin("a", [0n, 100n]), coin("b", [0n, 50n]), coin("c", [0n, 30n]), coin("d", [F, 40n])];

  it("prefers an exact single coin (no change)", () => {
    const s = selectCoins(pool, new Map([[0n, 50n]]));
    expect(ids(s.coins)).toEqual(["b"]);
    expect([...s.change]).toEqual([]);
  });

  it("takes the largest first, trims what is not needed, and computes change", () => {
    const s = selectCoins(pool, new Map([[0n, 120n]]));
    expect(ids(s.coins)).toEqual(["a", "b"]);
    expect([...s.change]).toEqual([[0n, 30n]]);
    const two = selectCoins(
      pool,
      new Map([
        [0n, 10n],
        [F, 25n],
      ]),
    );
    expect(ids(two.coins)).toEqual(["a", "d"]);
    expect([...two.change]).toEqual([
      [0n, 90n],
      [F, 15n],
    ]);
  });

  it("trims a coin made redundant by a later flavor's pick", () => {
    const multi = [coin("x", [0n, 10n]), coin("y", [0n, 20n], [F, 5n]), coin("z", [F, 1n])];
    const s = selectCoins(
      multi,
      new Map([
        [0n, 15n],
        [F, 5n],
      ]),
    );
    expect(ids(s.coins)).toEqual(["y"]);
    expect([...s.change]).toEqual([[0n, 5n]]);
  });

  it("pads to minCoins with the smallest coins (issuance anchor) and ignores zero targets", () => {
    const s = selectCoins(pool, new Map([[0n, 0n]]), { minCoins: 1 });
    expect(ids(s.coins)).toEqual(["c"]);
    expect([...s.change]).toEqual([[0n, 30n]]);
    expect(selectCoins(pool, new Map()).coins).toEqual([]);
  });

  it("WALLET_INSUFFICIENT_FUNDS with flavor, requested and available", () => {
    const e = errorOf(() => selectCoins(pool, new Map([[0n, 181n]]))) as WalletError;
    expect(hasCode(e, WalletCode.INSUFFICIENT_FUNDS)).toBe(true);
    expect(e.meta).toMatchObject({ flavor: 0n, requested: 181n, available: 180n });
    expect(selectCoins(pool, new Map([[0n, 180n]])).coins.length).toBe(3);
    const g = errorOf(() => selectCoins(pool, new Map([[9n, 1n]]))) as WalletError;
    expect(g.meta).toMatchObject({ flavor: 9n, requested: 1n, available: 0n });
    const none = errorOf(() => selectCoins([], new Map(), { minCoins: 1 })) as WalletError;
    expect(hasCode(none, WalletCode.INSUFFICIENT_FUNDS)).toBe(true);
    expect(none.meta).toMatchObject({ what: "coins", requested: 1n, available: 0n });
  });

  it("rejects misuse with RangeError", () => {
    expect(() => selectCoins(pool, new Map([[0n, -1n]]))).toThrow(RangeError);
    expect(() => selectCoins(pool, new Map(), { minCoins: -1 })).toThrow(RangeError);
  });

  it("property: covers the targets, change balances, independent of candidate order", () => {
    const arbCoin = fc.record({
      native: fc.bigInt({ min: 0n, max: 1000n }),
      other: fc.bigInt({ min: 0n, max: 1000n }),
    });
    fc.assert(
      fc.property(
        fc.array(arbCoin, { minLength: 0, maxLength: 8 }),
        fc.bigInt({ min: 0n, max: 3000n }),
        fc.bigInt({ min: 0n, max: 3000n }),
        fc.nat(),
        (raw, t0, tf, shift) => {
          const coins = raw.map((c, i) =>
            coin(
              `c${i}`,
              ...(
                [
                  [0n, c.native],
                  [F, c.other],
                ] as [bigint, bigint][]
              ).filter(([, q]) => q > 0n),
            ),
          );
          const targets = new Map([
            [0n, t0],
            [F, tf],
          ]);
          const sum = (f: bigint, cs: readonly Coin[]) =>
            cs.reduce((s, c) => s + (c.amounts.get(f) ?? 0n), 0n);
          if (sum(0n, coins) < t0 || sum(F, coins) < tf) {
            expect(
              hasCode(
                errorOf(() => selectCoins(coins, targets)),
                WalletCode.INSUFFICIENT_FUNDS,
              ),
            ).toBe(true);
            return;
          }
          const s = selectCoins(coins, targets);
          for (const f of [0n, F])
            expect(sum(f, s.coins) - (targets.get(f) ?? 0n)).toBe(s.change.get(f) ?? 0n);
          const k = coins.length === 0 ? 0 : shift % coins.length;
          const rotated = [...coins.slice(k), ...coins.slice(0, k)].reverse();
          expect(ids(selectCoins(rotated, targets).coins)).toEqual(ids(s.coins));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
