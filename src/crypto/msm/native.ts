/**
 * The optional native MSM backend: a small C N-API addon (native/msm.c, built into
 * native/build/Release/zkvm_msm.node by `npm run build:native` or on install) behind the
 * `MsmBackend` interface of `backend.ts`, with the pure-JS `JsMsmBackend` as the fallback.
 *
 * VARIABLE TIME, VERIFICATION ONLY. The addon branches and indexes memory on scalar digits and
 * point data. It must only see public values (verifier challenges, batch weights, public points);
 * never pass it secret scalars (blindings, keys, witnesses): provers use `mulSecret` and the
 * constant-time paths of src/bulletproofs.
 *
 * What the addon does: strict ristretto255 decoding (RFC 9496 §4.3.1, rejecting exactly what
 * `decodePoint` rejects), field arithmetic modulo 2^255 − 19 in radix 2^51, signed-digit Pippenger
 * for dynamic points, and per-point tables P·2^(10k) for registered `FixedBases` sets (built once
 * per set; a set that is a prefix of an already registered one shares its tables).
 *
 * Besides the MSM, the addon offers the verifier's hot scalar loops (`kernels`: R1CS generator
 * scalars with the constraint flattening, packed axpy, inversion; public data, variable time) and
 * one constant-time routine for the prover's secret scalars (`NativeSecretMsm`).
 *
 * Data crossing the boundary: scalars as BigInts (read as machine words, no byte conversion) or as
 * packed 32-byte words (`PackedScalars`, produced by the kernels and passed on as they are),
 * `CompressedPoint`s as their 32 bytes (decoded natively: this is a large part of the saving),
 * other points as their extended coordinates (X, Y, Z, T BigInts); the result comes back as
 * canonical extended coordinates, or null for the identity.
 *
 * This file is the one module of the pure core allowed to touch the outside world
 * (scripts/checkImports.mjs): it loads the addon with `createRequire` once, on demand.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { InvariantError } from "../../util/codedError.js";
import { BASEPOINT, CompressedPoint, IDENTITY, type Point } from "../ristretto.js";
import { L, mod } from "../scalar.js";
import {
  type BpScalarsInput,
  type FixedBases,
  type MsmBackend,
  type MsmInput,
  PackedScalars,
  type R1csScalarsInput,
  type ScalarKernels,
  type SecretMsmKernel,
  validateMsmInput,
} from "./backend.js";
import { JsMsmBackend } from "./jsBackend.js";

/**
 * Where the build puts the addon, relative to this file: from src/crypto/msm when running the
 * TypeScript sources, from dist/src/crypto/msm when running the compiled build (tried in order).
 */
const ADDON_URLS = [
  new URL("../../../native/build/Release/zkvm_msm.node", import.meta.url),
  new URL("../../../../native/build/Release/zkvm_msm.node", import.meta.url),
];

/** Loads the first addon path that exists (a missing file falls through to the next one). */
function loadAddonFromCandidates(): NativeAddon {
  let first: unknown;
  for (const url of ADDON_URLS) {
    try {
      return loadAddon(url);
    } catch (e) {
      first ??= e;
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw first;
}

/** Opaque handle of a fixed-base table owned by the addon. */
type TableHandle = object;

/** The raw addon interface (native/msm.c). */
export interface NativeAddon {
  /** Builds the tables of n points given as 4n extended coordinates. */
  table(coords: readonly bigint[]): TableHandle;
  /**
   * Σ over fixed terms, compressed points and coordinate points. Returns null for the identity,
   * the canonical extended coordinates otherwise, or the index of the first invalid compressed point.
   */
  msm(
    tables: readonly TableHandle[],
    fixedScalars: readonly (readonly bigint[] | Uint8Array)[],
    compressed: Uint8Array,
    compressedScalars: readonly bigint[],
    coords: readonly bigint[],
    coordScalars: readonly bigint[],
  ): bigint[] | null | number;
  /** Strict RFC 9496 decoding: extended coordinates (Z = 1) or null. */
  decode(bytes: Uint8Array): bigint[] | null;
  /**
   * The R1CS verifier's g and h scalars (packed, g then h) and δ; `challenges` is
   * [y⁻¹, x, u, a, b, sFirst] (see `ScalarKernels.bpScalars`).
   */
  bpScalars(
    n1: number,
    n: number,
    padded: number,
    challenges: readonly bigint[],
    wL: readonly bigint[],
    wR: readonly bigint[],
    wO: readonly bigint[],
    uSq: readonly bigint[],
  ): [Uint8Array, bigint];
  /**
   * Flattening fused with `bpScalars`: sizes [n1, n, m, padded, q], challenges
   * [z, y⁻¹, x, u, a, b, sFirst], terms [code, index]… (code = kind | tag << 3, tag 0: next coeff,
   * 1: coefficient 1, 2: coefficient ℓ − 1), coeffs, ends (cumulative term count per constraint).
   */
  r1csScalars(
    sizes: Uint32Array,
    challenges: readonly bigint[],
    terms: Int32Array,
    coeffs: readonly bigint[],
    ends: Uint32Array,
    uSq: readonly bigint[],
  ): [Uint8Array, bigint, bigint[], bigint];
  /** acc ← acc + w·v over packed 32-byte words (RangeError on a word ≥ ℓ, before any write). */
  axpy(acc: Uint8Array, w: bigint, v: Uint8Array): null;
  /** 1/x mod ℓ for x in [1, ℓ) (RangeError otherwise). */
  invert(x: bigint): bigint;
  /** Constant-time Σ scalars·points (secret scalars, public points as 4n coordinates). */
  ctMsm(coords: readonly bigint[], scalars: readonly bigint[]): bigint[];
}

const TAG_GENERAL = 0;
const TAG_ONE = 1;
const TAG_MINUS_ONE = 2;
const MINUS_ONE = L - 1n;

/** The addon's scalar kernels behind the `ScalarKernels` interface. */
class NativeKernels implements ScalarKernels {
  private readonly addon: NativeAddon;

  constructor(addon: NativeAddon) {
    this.addon = addon;
  }

  bpScalars(inp: BpScalarsInput): { g: PackedScalars; h: PackedScalars; delta: bigint } {
    const [bytes, delta] = this.addon.bpScalars(
      inp.n1,
      inp.n,
      inp.padded,
      [inp.yInv, inp.x, inp.u, inp.a, inp.b, inp.sFirst],
      inp.wL,
      inp.wR,
      inp.wO,
      inp.uSq,
    );
    const half = 32 * inp.padded;
    return {
      g: new PackedScalars(bytes.subarray(0, half)),
      h: new PackedScalars(bytes.subarray(half)),
      delta,
    };
  }

  r1csScalars(inp: R1csScalarsInput): {
    g: PackedScalars;
    h: PackedScalars;
    delta: bigint;
    wV: bigint[];
    wc: bigint;
  } {
    const cs = inp.constraints;
    let count = 0;
    for (const lc of cs) count += lc.terms.length;
    const terms = new Int32Array(2 * count);
    const ends = new Uint32Array(cs.length);
    const coeffs: bigint[] = [];
    let t = 0;
    for (let j = 0; j < cs.length; j++) {
      for (const { variable, coeff } of cs[j]!.terms) {
        let tag = TAG_GENERAL;
        if (coeff === 1n) tag = TAG_ONE;
        else if (coeff === MINUS_ONE) tag = TAG_MINUS_ONE;
        else coeffs.push(coeff >= 0n && coeff < L ? coeff : mod(coeff));
        terms[2 * t] = variable.kind | (tag << 3);
        terms[2 * t + 1] = variable.index;
        t++;
      }
      ends[j] = t;
    }
    const sizes = new Uint32Array([inp.n1, inp.n, inp.m, inp.padded, cs.length]);
    const [bytes, delta, wV, wc] = this.addon.r1csScalars(
      sizes,
      [inp.z, inp.yInv, inp.x, inp.u, inp.a, inp.b, inp.sFirst],
      terms,
      coeffs,
      ends,
      inp.uSq,
    );
    const half = 32 * inp.padded;
    return {
      g: new PackedScalars(bytes.subarray(0, half)),
      h: new PackedScalars(bytes.subarray(half)),
      delta,
      wV,
      wc,
    };
  }

  invert(x: bigint): bigint {
    return this.addon.invert(x);
  }

  axpy(acc: PackedScalars, w: bigint, v: PackedScalars): void {
    this.addon.axpy(acc.bytes, w, v.bytes);
  }
}

interface EdwardsCoords {
  readonly X: bigint;
  readonly Y: bigint;
  readonly Z: bigint;
  readonly T: bigint;
}
const edwardsOf = (p: Point): EdwardsCoords => (p as unknown as { ep: EdwardsCoords }).ep;

/** A noble point from canonical extended coordinates. */
function fromCoords(c: readonly bigint[]): Point {
  return new ristretto255.Point(new ed25519.Point(c[0]!, c[1]!, c[2]!, c[3]!));
}

interface BuiltTable {
  readonly points: readonly Point[];
  readonly handle: TableHandle;
}

/**
 * The native backend. Variable time: public inputs only (see the module comment). Contract and
 * errors are those of `JsMsmBackend`: RangeError for scalars outside [0, ℓ) before any work,
 * DECODE_INVALID_POINT (as thrown by `CompressedPoint.decompress()`) for an invalid compressed point.
 */
export class NativeMsmBackend implements MsmBackend {
  readonly name = "native";
  /** Native scalar kernels (statement building), sharing the addon. */
  readonly kernels: ScalarKernels;
  private readonly addon: NativeAddon;
  private readonly bySet = new WeakMap<FixedBases, TableHandle>();
  private readonly built: BuiltTable[] = [];

  constructor(addon: NativeAddon) {
    this.addon = addon;
    this.kernels = new NativeKernels(addon);
  }

  /** Builds the set's tables now (about 26 doublings and 3.1 KB per point) instead of on first use. */
  prepare(bases: FixedBases): void {
    this.tableOf(bases);
  }

  private tableOf(bases: FixedBases): TableHandle {
    const known = this.bySet.get(bases);
    if (known !== undefined) return known;
    const pts = bases.points;
    // Reuse the tables of a registered set that starts with the same point objects.
    let handle: TableHandle | undefined;
    for (const t of this.built) {
      if (t.points.length < pts.length) continue;
      let same = true;
      for (let i = 0; i < pts.length && same; i++) same = t.points[i] === pts[i];
      if (same) {
        handle = t.handle;
        break;
      }
    }
    if (handle === undefined) {
      const coords: bigint[] = new Array(4 * pts.length);
      for (let i = 0; i < pts.length; i++) {
        const e = edwardsOf(pts[i]!);
        coords[4 * i] = e.X;
        coords[4 * i + 1] = e.Y;
        coords[4 * i + 2] = e.Z;
        coords[4 * i + 3] = e.T;
      }
      handle = this.addon.table(coords);
      this.built.push({ points: pts, handle });
    }
    this.bySet.set(bases, handle);
    return handle;
  }

  msm(input: MsmInput): Point {
    // Validate everything before doing any work.
    const fixedIn = validateMsmInput(input);

    const tables: TableHandle[] = [];
    const fixedScalars: (readonly bigint[] | Uint8Array)[] = [];
    for (const term of fixedIn) {
      if (term.scalars.length === 0) continue;
      tables.push(this.tableOf(term.bases));
      // Packed words go to the addon as they are (range-checked there).
      fixedScalars.push(term.scalars instanceof PackedScalars ? term.scalars.bytes : term.scalars);
    }

    const points = input.points;
    const n = points.length;
    let compressedCount = 0;
    for (let i = 0; i < n; i++) if (points[i] instanceof CompressedPoint) compressedCount++;
    const bytes = new Uint8Array(32 * compressedCount);
    const compressed: CompressedPoint[] = new Array(compressedCount);
    let compScalars: readonly bigint[];
    const coords: bigint[] = [];
    const coordScalars: bigint[] = [];
    if (compressedCount === n) {
      compScalars = input.scalars;
      for (let i = 0; i < n; i++) {
        const p = points[i] as CompressedPoint;
        compressed[i] = p;
        bytes.set(p.bytes, 32 * i);
      }
    } else {
      const cs: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const p = points[i]!;
        const s = input.scalars[i]!;
        if (p instanceof CompressedPoint) {
          bytes.set(p.bytes, 32 * cs.length);
          compressed[cs.length] = p;
          cs.push(s);
        } else {
          const e = edwardsOf(p);
          coords.push(e.X, e.Y, e.Z, e.T);
          coordScalars.push(s);
        }
      }
      compScalars = cs;
    }

    const r = this.addon.msm(tables, fixedScalars, bytes, compScalars, coords, coordScalars);
    if (r === null) return IDENTITY;
    if (typeof r === "number") {
      // Throws the very error the JS backend would (DECODE_INVALID_POINT).
      compressed[r]!.decompress();
      throw new InvariantError("native msm: rejected a point that decodes in JS");
    }
    return fromCoords(r);
  }

  /** @internal the loaded addon, shared with `NativeSecretMsm`. */
  addonForSecretMsm(): NativeAddon {
    return this.addon;
  }

  /**
   * Strict native decoding (for tests and diagnostics): the point, or undefined where
   * `decodePoint` would throw DECODE_INVALID_POINT.
   */
  decode(bytes: Uint8Array): Point | undefined {
    if (bytes.length !== 32) return undefined;
    const c = this.addon.decode(bytes);
    return c === null ? undefined : fromCoords(c);
  }
}

/**
 * The addon's constant-time MSM (`ctMsm`) for SECRET scalars over public points: fixed 4-bit
 * windows, shared doublings, one complete addition per point and window (digit 0 adds the
 * identity), table entries picked by a masked scan of all 16; no branch or memory index depends on
 * a scalar (native/msm.c `ct_msm`). Scalars cross the boundary as BigInts, as in the pure-JS
 * `secretMsm` (bigint handling in JS is itself not constant time at the instruction level).
 */
export class NativeSecretMsm implements SecretMsmKernel {
  readonly name = "native-ct";
  private readonly addon: NativeAddon;

  constructor(addon: NativeAddon) {
    this.addon = addon;
  }

  msm(points: readonly Point[], scalars: readonly bigint[]): Point {
    if (points.length !== scalars.length)
      throw new RangeError("secret msm: points and scalars differ in length");
    for (const s of scalars)
      if (typeof s !== "bigint" || s < 0n || s >= L)
        throw new RangeError("secret msm: scalar out of range [0, ℓ)");
    const coords: bigint[] = new Array(4 * points.length);
    for (let i = 0; i < points.length; i++) {
      const e = edwardsOf(points[i]!);
      coords[4 * i] = e.X;
      coords[4 * i + 1] = e.Y;
      coords[4 * i + 2] = e.Z;
      coords[4 * i + 3] = e.T;
    }
    return fromCoords(this.addon.ctMsm(coords, scalars));
  }
}

/**
 * The native constant-time MSM for secret scalars, or undefined if the addon is not built or fails
 * to load (callers then keep the pure-JS constant-time `secretMsm`).
 */
export function loadNativeSecretMsm(): SecretMsmKernel | undefined {
  const { backend } = loadNative();
  return backend === undefined ? undefined : new NativeSecretMsm(backend.addonForSecretMsm());
}

let loaded: { backend: NativeMsmBackend | undefined; error: string | undefined } | undefined;

/** Loads the addon from `url` and checks it against noble on a few values; throws on any problem. */
function loadAddon(url: URL): NativeAddon {
  const require = createRequire(import.meta.url);
  const addon = require(fileURLToPath(url)) as NativeAddon;
  for (const f of ["table", "msm", "decode", "bpScalars", "r1csScalars", "axpy", "invert", "ctMsm"] as const)
    if (typeof addon[f] !== "function") throw new Error(`addon lacks ${f}()`);
  // Self-test: decode the base point and compute 2·B + 3·B.
  const c = addon.decode(BASEPOINT.toBytes());
  if (c === null || !fromCoords(c).equals(BASEPOINT)) throw new Error("self-test: decode mismatch");
  const r = addon.msm([], [], BASEPOINT.toBytes(), [2n], [], []);
  const five = BASEPOINT.multiply(5n);
  const e = edwardsOf(BASEPOINT);
  const r2 = addon.msm([], [], new Uint8Array(0), [], [e.X, e.Y, e.Z, e.T], [3n]);
  if (!Array.isArray(r) || !Array.isArray(r2) || !fromCoords(r).add(fromCoords(r2)).equals(five))
    throw new Error("self-test: msm mismatch");
  return addon;
}

/**
 * The native backend, or undefined if the addon is not built or fails to load (or its self-test).
 * Loads once; later calls return the same instance.
 */
export function loadNativeBackend(): MsmBackend | undefined {
  return loadNative().backend;
}

function loadNative(): { backend: NativeMsmBackend | undefined; error: string | undefined } {
  if (loaded === undefined) {
    try {
      loaded = { backend: new NativeMsmBackend(loadAddonFromCandidates()), error: undefined };
    } catch (e) {
      loaded = { backend: undefined, error: e instanceof Error ? e.message : String(e) };
    }
  }
  return loaded;
}

/** The backend chosen by `selectMsmBackend`, with a one-line reason for logs and the CLI. */
export interface MsmBackendChoice {
  readonly backend: MsmBackend;
  readonly reason: string;
  /**
   * The addon's constant-time MSM for the prover's secret scalars, when the native backend is
   * chosen (install it with `setSecretMsmKernel`); undefined otherwise.
   */
  readonly secretMsm?: SecretMsmKernel;
}

/**
 * Chooses the MSM backend from the environment: `ZKVM_MSM=js` forces the pure-JS backend;
 * otherwise (unset, "auto" or "native") the native addon is used if it loads, else pure JS.
 * Unknown values fall back to the default choice, saying so in the reason.
 */
export function selectMsmBackend(env: Readonly<Record<string, string | undefined>>): MsmBackendChoice {
  const want = (env["ZKVM_MSM"] ?? "").trim().toLowerCase();
  if (want === "js") return { backend: new JsMsmBackend(), reason: "js (forced by ZKVM_MSM=js)" };
  const note = want === "" || want === "auto" || want === "native" ? "" : ` (ignored ZKVM_MSM=${want})`;
  const { backend, error } = loadNative();
  if (backend !== undefined)
    return {
      backend,
      reason: `native addon${note}`,
      secretMsm: new NativeSecretMsm(backend.addonForSecretMsm()),
    };
  return {
    backend: new JsMsmBackend(),
    reason: `js (native addon unavailable: ${error ?? "unknown"})${note}`,
  };
}
