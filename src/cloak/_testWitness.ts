/**
 * Test and benchmark support: deterministic random cloak witnesses (M inputs, N outputs, balanced
 * per flavor) from an injected `Rng`. Not used by the protocol code.
 */
import { randomScalar } from "../crypto/scalar.js";
import { type Rng, randomBytes } from "../util/rng.js";
import { makeValue, type Value } from "./value.js";

/** A uniformly random integer in [0, bound) (bound ≤ 2^64; slight modulo bias is fine for tests). */
function below(rng: Rng, bound: bigint): bigint {
  let x = 0n;
  for (const b of randomBytes(rng, 9)) x = (x << 8n) | BigInt(b);
  return x % bound;
}

/** A permutation of `items` (Fisher–Yates). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Number(below(rng, BigInt(i + 1)));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface RandomWitnessOptions {
  /** Number of distinct flavors (default: random in [1, min(M, N)]). Must be ≤ min(M, N). */
  readonly flavors?: number;
  /** Allow negative input quantities (wide values). Default true. */
  readonly negativeInputs?: boolean;
  /** Upper bound of a flavor's total (default 2^62). */
  readonly maxTotal?: bigint;
}

/**
 * Random inputs and outputs, balanced per flavor, each list in random order. Every flavor appears on
 * both sides (as the cloak gadget requires); output quantities are in [0, maxTotal]; input quantities
 * may be negative but each flavor's inputs sum to its total.
 */
export function randomWitness(
  rng: Rng,
  m: number,
  n: number,
  opts: RandomWitnessOptions = {},
): { inputs: Value[]; outputs: Value[] } {
  const maxD = Math.min(m, n);
  const d = opts.flavors ?? 1 + Number(below(rng, BigInt(maxD)));
  if (d < 1 || d > maxD) throw new RangeError(`randomWitness: flavors must be in [1, ${maxD}]`);
  const maxTotal = opts.maxTotal ?? 1n << 62n;
  const flavors = Array.from({ length: d }, () => randomScalar(rng));
  const totals = flavors.map(() => below(rng, maxTotal + 1n));
  // Each side: slot i < d gets flavor i, the rest random flavors.
  const slots = (k: number) =>
    Array.from({ length: k }, (_, i) => (i < d ? i : Number(below(rng, BigInt(d)))));
  const inSlots = slots(m);
  const outSlots = slots(n);
  const inputs: Value[] = [];
  const outputs: Value[] = [];
  for (let f = 0; f < d; f++) {
    const total = totals[f]!;
    // Outputs: non-negative parts, the first slot takes the rest.
    const outCount = outSlots.filter((s) => s === f).length;
    let left = total;
    const outParts: bigint[] = [];
    for (let i = 1; i < outCount; i++) {
      const part = below(rng, left + 1n);
      outParts.push(part);
      left -= part;
    }
    outParts.unshift(left);
    for (const q of outParts) outputs.push(makeValue(q, flavors[f]!));
    // Inputs: arbitrary parts (negative allowed), the first slot balances.
    const inCount = inSlots.filter((s) => s === f).length;
    let sum = 0n;
    const inParts: bigint[] = [];
    for (let i = 1; i < inCount; i++) {
      const neg = (opts.negativeInputs ?? true) && below(rng, 3n) === 0n;
      const part = neg ? -below(rng, 1n << 40n) : below(rng, (total >> 3n) + 1n);
      inParts.push(part);
      sum += part;
    }
    inParts.unshift(total - sum);
    for (const q of inParts) inputs.push(makeValue(q, flavors[f]!));
  }
  return { inputs: shuffled(rng, inputs), outputs: shuffled(rng, outputs) };
}
