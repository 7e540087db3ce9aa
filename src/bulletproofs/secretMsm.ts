/**
 * Multi-scalar multiplication for SECRET scalars (the prover's witness vectors, blinding factors
 * and t-polynomial coefficients). The variable-time MSM backends must never see these.
 *
 * Method: fixed-window Straus, 4-bit windows, shared doublings. Every point gets a table
 * [0·P, 1·P, …, 15·P]; the accumulator is doubled four times per window (64 windows cover every
 * scalar < 2^256) and receives exactly one table addition per point and window, digit 0 included
 * (it adds the identity entry; noble's addition formulas are complete, so the same operations run).
 * The table entry is picked by scanning the whole table, as noble's own constant-time kernel does.
 * The sequence of group operations therefore depends only on the number of points, never on the
 * scalars. As for every bigint-based JS code, timing is not guaranteed at the instruction level
 * (bigint arithmetic time varies with operand values); this is the same level of protection as
 * noble's `multiply` (`mulSecret`), at about a quarter of the cost per term, because the 252
 * doublings are shared by all terms and the tables of fixed generators are cached.
 */
import { type FixedBases, secretMsmKernel } from "../crypto/msm/index.js";
import { IDENTITY, type Point } from "../crypto/ristretto.js";
import { L } from "../crypto/scalar.js";

/** The 16 multiples 0·P … 15·P of a point. */
export type PointTable = readonly Point[];

const WINDOWS = 64;

/** Builds the table of multiples of `p` (14 additions and a doubling). */
export function pointTable(p: Point): PointTable {
  const t: Point[] = new Array(16);
  t[0] = IDENTITY;
  t[1] = p;
  t[2] = p.double();
  for (let k = 3; k < 16; k++) t[k] = t[k - 1]!.add(p);
  return t;
}

const fixedTables = new WeakMap<FixedBases, PointTable[]>();
const pointTables = new WeakMap<Point, PointTable>();

/** The cached table of generator `i` of a fixed set. */
export function fixedTable(bases: FixedBases, i: number): PointTable {
  let tables = fixedTables.get(bases);
  if (tables === undefined) {
    tables = [];
    fixedTables.set(bases, tables);
  }
  let t = tables[i];
  if (t === undefined) {
    const p = bases.points[i];
    if (p === undefined) throw new RangeError(`fixedTable: ${bases.name} has no generator ${i}`);
    t = pointTable(p);
    tables[i] = t;
  }
  return t;
}

/** The cached table of a long-lived point (e.g. a Pedersen base). */
export function cachedPointTable(p: Point): PointTable {
  let t = pointTables.get(p);
  if (t === undefined) {
    t = pointTable(p);
    pointTables.set(p, t);
  }
  return t;
}

function digitsOf(s: bigint): Uint8Array {
  if (typeof s !== "bigint" || s < 0n || s >= L)
    throw new RangeError("secretMsm: scalar out of range [0, ℓ)");
  const d = new Uint8Array(WINDOWS);
  let v = s;
  for (let w = 0; w < WINDOWS; w++) {
    d[w] = Number(v & 15n);
    v >>= 4n;
  }
  return d;
}

function select(t: PointTable, digit: number): Point {
  let sel = t[0]!;
  for (let k = 1; k < 16; k++) sel = k === digit ? t[k]! : sel;
  return sel;
}

/**
 * Σ scalarsᵢ · Pᵢ where Pᵢ is given by its table. Scalars must be in [0, ℓ). When a constant-time
 * native kernel is installed (`setSecretMsmKernel`: the addon's fixed-window MSM with masked table
 * scans, no secret-dependent branch or index) it does the work; otherwise the code below.
 */
export function secretMsm(tables: readonly PointTable[], scalars: readonly bigint[]): Point {
  if (tables.length !== scalars.length)
    throw new RangeError("secretMsm: tables and scalars differ in length");
  const kernel = secretMsmKernel();
  if (kernel !== undefined && tables.length > 0)
    return kernel.msm(
      tables.map((t) => t[1]!),
      scalars,
    );
  const digits = scalars.map(digitsOf);
  let acc = IDENTITY;
  for (let w = WINDOWS - 1; w >= 0; w--) {
    if (w !== WINDOWS - 1) acc = acc.double().double().double().double();
    for (let j = 0; j < tables.length; j++) acc = acc.add(select(tables[j]!, digits[j]![w]!));
  }
  return acc;
}
