/**
 * The pure-JS MSM backend (default). Variable time: public inputs only. Contract: `MsmBackend` in
 * `backend.ts`. Algorithms: Straus' interleaved method with wNAF digits, and Pippenger's bucket
 * method with signed digits and fixed-base tables.
 *
 * Arithmetic runs on float64 limb buffers (`_field.ts`, `_edwards.ts`) rather than on noble point
 * objects, about 3× cheaper per field multiplication than BigInt. Per call:
 *   - dynamic points are normalised to affine Niels form (one batched inversion; decoded points
 *     already have Z = 1), so each addition into a bucket or accumulator costs 7 multiplications;
 *   - every point of a `FixedBases` set has a table of P·2^(10·k), k = 0…25, built once (on first
 *     use or by `prepare()`) and cached per point object, so prefix sets such as the Bulletproofs
 *     generators of a smaller capacity share tables (9.4 KB per point). A fixed term then costs 26
 *     additions into one bucket set and no doublings;
 *   - a cost model picks Straus (wNAF, small inputs), or Pippenger with signed digits, its window
 *     width, and whether fixed terms use their tables or join the dynamic points.
 */
import { CompressedPoint, IDENTITY, type Point } from "../ristretto.js";
import { recode, windowCount } from "./_digits.js";
import {
  copyExt,
  dbl,
  EXT,
  extToNielsBatch,
  loadAffineNiels,
  loadPoint,
  NIELS,
  toRistretto,
} from "./_edwards.js";
import { Accumulator, type FixedPart, pippenger } from "./_pippenger.js";
import { STRAUS_W, straus } from "./_straus.js";
import { type FixedBases, type MsmBackend, type MsmInput, scalarArray, validateMsmInput } from "./backend.js";

/** Default window width of the fixed-base tables (26 entries, 9.4 KB per point). */
const DEFAULT_TABLE_WINDOW = 10;
/** Points per table-building chunk (bounds the temporary buffer to ~2.5 MB). */
const TABLE_CHUNK = 64;

/**
 * Fixed-base tables of one window width c: for each point P, windowCount(c) affine Niels points
 * P·2^(c·k). Cached per point object, so every set holding P (e.g. a prefix set) shares them.
 */
class TableCache {
  readonly c: number;
  readonly windows: number;
  private readonly tables = new WeakMap<Point, Float64Array>();

  constructor(c: number) {
    this.c = c;
    this.windows = windowCount(c);
  }

  /** The tables of the first `count` points of a set, building missing ones. */
  tablesOf(bases: FixedBases, count: number): Float64Array[] {
    const out: Float64Array[] = new Array(count);
    const missing: Point[] = [];
    for (let i = 0; i < count; i++) {
      const p = bases.points[i]!;
      const t = this.tables.get(p);
      if (t === undefined) missing.push(p);
      else out[i] = t;
    }
    if (missing.length > 0) {
      this.build(missing);
      for (let i = 0; i < count; i++) out[i] = this.tables.get(bases.points[i]!)!;
    }
    return out;
  }

  private build(points: readonly Point[]): void {
    const w = this.windows;
    const ext = new Float64Array(Math.min(points.length, TABLE_CHUNK) * w * EXT);
    const acc = new Float64Array(EXT);
    for (let start = 0; start < points.length; start += TABLE_CHUNK) {
      const chunk = points.slice(start, start + TABLE_CHUNK);
      for (let j = 0; j < chunk.length; j++) {
        loadPoint(acc, 0, chunk[j]!);
        for (let k = 0; k < w; k++) {
          copyExt(ext, (j * w + k) * EXT, acc, 0);
          // T is not needed: doubling ignores it and the affine conversion recomputes it.
          if (k + 1 < w) dbl(acc, 0, this.c, false);
        }
      }
      const niels = new Float64Array(chunk.length * w * NIELS);
      extToNielsBatch(ext, chunk.length * w, niels, 0);
      for (let j = 0; j < chunk.length; j++)
        this.tables.set(chunk[j]!, niels.slice(j * w * NIELS, (j + 1) * w * NIELS));
    }
  }
}

const tableCaches = new Map<number, TableCache>();
function tableCache(c: number): TableCache {
  let cache = tableCaches.get(c);
  if (cache === undefined) {
    cache = new TableCache(c);
    tableCaches.set(c, cache);
  }
  return cache;
}

/** Relative costs, in field multiplications, for choosing the algorithm and window width. */
const COST_MADD = 7.6; // bucket or accumulator += affine Niels point
const COST_ADD = 9.2; // extended + extended
const COST_DBL = 7.4; // doubling without T
const COST_DBL_T = 8.1; // doubling with T
const COST_NORM = 11; // share of a batched inversion + affine Niels conversion, per point
const COST_INV = 170; // one field inversion
const STRAUS_ENTRIES = 1 << (STRAUS_W - 2);
const STRAUS_TABLE = COST_DBL_T + (STRAUS_ENTRIES - 1) * COST_ADD + STRAUS_ENTRIES * COST_NORM;
const STRAUS_ADDS = 253 / (STRAUS_W + 1);

/** Cost of Pippenger with window c over n dynamic points (0 if n = 0). */
function pippengerCost(n: number, c: number): number {
  return n === 0 ? 0 : windowCount(c) * (n * COST_MADD + 2 ** c * COST_ADD + c * COST_DBL);
}

/**
 * Cost of Straus over n points (fixed ones included as ordinary points). The factor is calibrated
 * so that the two methods meet where measured (about 96 dynamic points).
 */
function strausCost(n: number): number {
  return 1.12 * (254 * COST_DBL_T + n * (STRAUS_TABLE + STRAUS_ADDS * COST_MADD) + COST_INV);
}

/** How fixed terms with tables are processed. */
enum FixedMode {
  /** No fixed terms, or no tables. */
  None,
  /** Table digits in a bucket set of their own (or sharing the lowest dynamic window if c ≥ c_f). */
  Tables,
  /** Fixed points treated as ordinary points (their table's first entry is the point itself). */
  AsDynamic,
}

interface Plan {
  readonly straus: boolean;
  readonly c: number;
  readonly fixed: FixedMode;
}

/** Picks the cheapest algorithm, window and treatment of the fixed terms. */
function plan(nDyn: number, nFix: number, tableC: number, tableW: number): Plan {
  const none = nFix === 0 ? FixedMode.None : FixedMode.AsDynamic;
  let best: Plan = { straus: true, c: 0, fixed: none };
  let bestCost = strausCost(nDyn + nFix);
  const consider = (cost: number, c: number, fixed: FixedMode): void => {
    if (cost < bestCost) {
      bestCost = cost;
      best = { straus: false, c, fixed };
    }
  };
  const tableAdds = nFix * tableW * COST_MADD;
  for (let c = 1; c <= 16; c++) {
    consider(pippengerCost(nDyn + nFix, c), c, none);
    if (nFix > 0) {
      const shared = nDyn > 0 && c >= tableC;
      consider(
        pippengerCost(nDyn, c) + tableAdds + (shared ? 0 : 2 ** tableC * COST_ADD),
        c,
        FixedMode.Tables,
      );
    }
  }
  return best;
}

/** Options of the pure-JS backend (for benchmarks and tests). */
export interface JsMsmOptions {
  /** Use the per-point tables for fixed sets (default true); false treats them as dynamic points. */
  readonly fixedTables?: boolean;
  /** Window width of the fixed-base tables (2…16, default 10). */
  readonly tableWindow?: number;
  /**
   * Forces Pippenger with this window width for the dynamic points (1…16), with fixed terms on
   * their tables; by default the algorithm and window are chosen from the input size.
   */
  readonly window?: number;
  /** Forces Straus' method (all points as ordinary points). */
  readonly straus?: boolean;
}

function checkWidth(what: string, w: number | undefined, min: number): void {
  if (w !== undefined && (!Number.isInteger(w) || w < min || w > 16))
    throw new RangeError(`JsMsmBackend: ${what} must be an integer in [${min}, 16], got ${w}`);
}

/**
 * The pure-JS backend. Instances share the fixed-base tables of their table window (module-level
 * caches keyed by point object), so creating several backends costs nothing extra.
 */
export class JsMsmBackend implements MsmBackend {
  readonly name = "js";
  private readonly tables: TableCache | undefined;
  private readonly window: number | undefined;
  private readonly straus: boolean;

  constructor(options: JsMsmOptions = {}) {
    checkWidth("tableWindow", options.tableWindow, 2);
    checkWidth("window", options.window, 1);
    if (options.window !== undefined && options.straus === true)
      throw new RangeError("JsMsmBackend: window and straus exclude each other");
    this.tables =
      (options.fixedTables ?? true) ? tableCache(options.tableWindow ?? DEFAULT_TABLE_WINDOW) : undefined;
    this.window = options.window;
    this.straus = options.straus ?? false;
  }

  /**
   * Builds the tables of every point of the set now (with the default window: about 0.25 ms and
   * 9.4 KB per point), instead of on first use.
   */
  prepare(bases: FixedBases): void {
    this.tables?.tablesOf(bases, bases.points.length);
  }

  msm(input: MsmInput): Point {
    // Validate everything before doing any work.
    const fixedIn = validateMsmInput(input);
    // Packed scalars are decoded (and range-checked) before any work.
    const fixedScalars = fixedIn.map((t) => scalarArray(t.scalars));

    // Dynamic points (every compressed point is decoded, even under a zero scalar).
    const dynPoints: Point[] = [];
    const dynScalars: bigint[] = [];
    for (let i = 0; i < input.points.length; i++) {
      const p = input.points[i]!;
      const point = p instanceof CompressedPoint ? p.decompress() : p;
      const s = input.scalars[i]!;
      if (s !== 0n) {
        dynPoints.push(point);
        dynScalars.push(s);
      }
    }
    // Fixed terms: tables and scalars of the non-zero terms (or more dynamic points without tables).
    const cache = this.tables;
    const fixTables: Float64Array[] = [];
    const fixScalars: bigint[] = [];
    for (let t = 0; t < fixedIn.length; t++) {
      const term = fixedIn[t]!;
      const termScalars = fixedScalars[t]!;
      let used = termScalars.length;
      while (used > 0 && termScalars[used - 1] === 0n) used--;
      if (used === 0) continue;
      const tables = cache?.tablesOf(term.bases, used);
      for (let i = 0; i < used; i++) {
        const s = termScalars[i]!;
        if (s === 0n) continue;
        if (tables === undefined) {
          dynPoints.push(term.bases.points[i]!);
          dynScalars.push(s);
        } else {
          fixTables.push(tables[i]!);
          fixScalars.push(s);
        }
      }
    }
    const nDyn = dynPoints.length;
    const nFix = fixTables.length;
    if (nDyn === 0 && nFix === 0) return IDENTITY;

    const tableC = cache?.c ?? DEFAULT_TABLE_WINDOW;
    const tableW = cache?.windows ?? 0;
    const none = nFix === 0 ? FixedMode.None : FixedMode.AsDynamic;
    let how: Plan;
    if (this.window !== undefined)
      how = { straus: false, c: this.window, fixed: nFix === 0 ? FixedMode.None : FixedMode.Tables };
    else if (this.straus) how = { straus: true, c: 0, fixed: none };
    else how = plan(nDyn, nFix, tableC, tableW);

    let niels = loadDynamic(dynPoints, dynScalars);
    let scalars = dynScalars;
    let fixed: FixedPart | undefined;
    if (how.fixed === FixedMode.AsDynamic) {
      // The first table entry of a fixed point is the point itself, in affine Niels form.
      const all = new Float64Array((nDyn + nFix) * NIELS);
      all.set(niels);
      for (let j = 0; j < nFix; j++) all.set(fixTables[j]!.subarray(0, NIELS), (nDyn + j) * NIELS);
      niels = all;
      scalars = dynScalars.concat(fixScalars);
    } else if (how.fixed === FixedMode.Tables) {
      const digits = new Int16Array(nFix * tableW);
      for (let j = 0; j < nFix; j++) recode(fixScalars[j]!, tableC, digits, j * tableW, 1);
      fixed = { tables: fixTables, digits, c: tableC, windows: tableW };
    }
    const acc = new Accumulator();
    if (how.straus) straus(acc, niels, scalars);
    else pippenger(acc, niels, scalars, how.c, fixed);
    return acc.set ? toRistretto(acc.p, 0) : IDENTITY;
  }
}

/**
 * The affine Niels forms of the points (stride NIELS). Points whose representative has Z = 1 come
 * first, then the others, normalised together with one inversion; `scalars` is reordered to match.
 */
function loadDynamic(points: Point[], scalars: bigint[]): Float64Array {
  const n = points.length;
  const niels = new Float64Array(n * NIELS);
  const tmp = new Float64Array(2 * NIELS);
  const projective: number[] = [];
  let next = 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (loadAffineNiels(niels, next * NIELS, points[i]!, tmp)) {
      order.push(i);
      next++;
    } else projective.push(i);
  }
  if (projective.length > 0) {
    const ext = new Float64Array(projective.length * EXT);
    for (let j = 0; j < projective.length; j++) {
      loadPoint(ext, j * EXT, points[projective[j]!]!);
      order.push(projective[j]!);
    }
    extToNielsBatch(ext, projective.length, niels, next * NIELS);
    const reordered = order.map((i) => scalars[i]!);
    for (let i = 0; i < n; i++) scalars[i] = reordered[i]!;
  }
  return niels;
}
