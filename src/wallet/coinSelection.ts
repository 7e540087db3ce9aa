/**
 * Deterministic coin selection for the wallet (issue 6; no spec prescribes an algorithm).
 *
 * A coin is a utxo seen as an amount per flavor (a received contract may hold several values). Given
 * targets (flavor → quantity), the selection is:
 *   1. an exact single coin, if one holds exactly the targets and nothing else (no change needed);
 *   2. otherwise largest-first per target flavor (flavors in ascending order; ties by coin id), then a
 *      trimming pass that drops selected coins (smallest contribution first) the targets do not need.
 * The result never depends on the candidates' order. Shortfalls throw WALLET_INSUFFICIENT_FUNDS with
 * the flavor, the quantity requested and the quantity available.
 */
import { WalletCode, WalletError } from "./errors.js";

/** A candidate coin: a stable id (e.g. contract id hex) and its quantity per flavor. */
export interface Coin {
  readonly id: string;
  readonly amounts: ReadonlyMap<bigint, bigint>;
}

/** What a selection picked: the coins (in id order) and the change per flavor (positive only). */
export interface Selection {
  readonly coins: readonly Coin[];
  readonly change: ReadonlyMap<bigint, bigint>;
}

export interface SelectOptions {
  /** Select at least this many coins even if the targets need fewer (e.g. 1 for an issuance anchor). */
  readonly minCoins?: number;
}

function amountOf(c: Coin, flavor: bigint): bigint {
  return c.amounts.get(flavor) ?? 0n;
}

function byId(a: Coin, b: Coin): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function covers(coins: readonly Coin[], targets: ReadonlyMap<bigint, bigint>): boolean {
  for (const [flavor, qty] of targets) {
    let sum = 0n;
    for (const c of coins) sum += amountOf(c, flavor);
    if (sum < qty) return false;
  }
  return true;
}

function changeOf(coins: readonly Coin[], targets: ReadonlyMap<bigint, bigint>): Map<bigint, bigint> {
  const totals = new Map<bigint, bigint>();
  for (const c of coins)
    for (const [flavor, qty] of c.amounts) totals.set(flavor, (totals.get(flavor) ?? 0n) + qty);
  const change = new Map<bigint, bigint>();
  for (const flavor of [...totals.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const left = totals.get(flavor)! - (targets.get(flavor) ?? 0n);
    if (left > 0n) change.set(flavor, left);
  }
  return change;
}

function isExact(c: Coin, targets: ReadonlyMap<bigint, bigint>): boolean {
  for (const [flavor, qty] of c.amounts) if (qty !== 0n && targets.get(flavor) !== qty) return false;
  for (const [flavor, qty] of targets) if (amountOf(c, flavor) !== qty) return false;
  return true;
}

/**
 * Selects coins covering `targets` (flavor → quantity; zero targets are ignored).
 * WALLET_INSUFFICIENT_FUNDS (meta: flavor, requested, available) if the candidates cannot cover a
 * flavor, or (meta.what "coins") if fewer than `minCoins` candidates exist.
 */
export function selectCoins(
  candidates: readonly Coin[],
  targetsIn: ReadonlyMap<bigint, bigint>,
  opts: SelectOptions = {},
): Selection {
  const minCoins = opts.minCoins ?? 0;
  if (!Number.isInteger(minCoins) || minCoins < 0) throw new RangeError("selectCoins: minCoins must be ≥ 0");
  const targets = new Map<bigint, bigint>();
  const flavors = [...targetsIn.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const f of flavors) {
    const q = targetsIn.get(f)!;
    if (q < 0n) throw new RangeError("selectCoins: targets must be non-negative");
    if (q > 0n) targets.set(f, q);
  }
  const pool = candidates.slice().sort(byId);
  if (pool.length < minCoins)
    throw new WalletError(WalletCode.INSUFFICIENT_FUNDS, {
      what: "coins",
      requested: BigInt(minCoins),
      available: BigInt(pool.length),
    });
  for (const [flavor, qty] of targets) {
    let available = 0n;
    for (const c of pool) available += amountOf(c, flavor);
    if (available < qty)
      throw new WalletError(WalletCode.INSUFFICIENT_FUNDS, {
        what: "flavor",
        flavor,
        requested: qty,
        available,
      });
  }
  if (targets.size > 0 && minCoins <= 1) {
    const exact = pool.find((c) => isExact(c, targets));
    if (exact !== undefined) return { coins: [exact], change: new Map() };
  }
  const chosen = new Set<Coin>();
  for (const [flavor, qty] of targets) {
    let have = 0n;
    for (const c of chosen) have += amountOf(c, flavor);
    const order = pool
      .filter((c) => !chosen.has(c) && amountOf(c, flavor) > 0n)
      .sort((a, b) => {
        const x = amountOf(a, flavor);
        const y = amountOf(b, flavor);
        return x > y ? -1 : x < y ? 1 : byId(a, b);
      });
    for (const c of order) {
      if (have >= qty) break;
      chosen.add(c);
      have += amountOf(c, flavor);
    }
  }
  // Trim: drop coins whose removal keeps every target covered, smallest total first.
  const total = (c: Coin): bigint => {
    let s = 0n;
    for (const q of c.amounts.values()) s += q;
    return s;
  };
  const trimOrder = [...chosen].sort((a, b) => {
    const x = total(a);
    const y = total(b);
    return x < y ? -1 : x > y ? 1 : byId(a, b);
  });
  for (const c of trimOrder) {
    if (chosen.size <= minCoins) break;
    chosen.delete(c);
    if (!covers([...chosen], targets)) chosen.add(c);
  }
  // Pad up to minCoins with the smallest remaining coins.
  if (chosen.size < minCoins) {
    const rest = pool
      .filter((c) => !chosen.has(c))
      .sort((a, b) => {
        const x = total(a);
        const y = total(b);
        return x < y ? -1 : x > y ? 1 : byId(a, b);
      });
    for (const c of rest) {
      if (chosen.size >= minCoins) break;
      chosen.add(c);
    }
  }
  const coins = [...chosen].sort(byId);
  return { coins, change: changeOf(coins, targets) };
}
