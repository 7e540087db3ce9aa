/**
 * R1CS proofs and their byte encoding, identical to dalek-cryptography/bulletproofs `develop`
 * (src/r1cs/proof.rs, src/inner_product_proof.rs):
 *
 *     version(1) || A_I1 || A_O1 || S1 || [A_I2 || A_O2 || S2] || T_1 || T_3 || T_4 || T_5 || T_6
 *       || t_x || t_x_blinding || e_blinding || (L_j || R_j) for each IPP round || a || b
 *
 * Version 0 (one phase) omits A_I2, A_O2, S2, which then are the identity; version 1 carries them.
 * The encoder writes version 0 exactly when all three are the identity, as dalek does; so a version-1
 * encoding whose phase-2 points are all the identity (which dalek also accepts) re-encodes as
 * version 0 — the only accepted input that does not round-trip byte for byte. Points are kept
 * compressed: the decoder checks lengths and scalars only; the verifier decodes the points.
 * Decoding errors are `DecodeError`s (see errors.ts for the codes).
 */
import { CompressedPoint } from "../crypto/ristretto.js";
import { bytesToBigintLE, encodeScalar, L } from "../crypto/scalar.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Writer } from "../util/writer.js";

/** Inner-product argument: one (L, R) pair per round, then the final scalars a and b. */
export interface InnerProductProof {
  readonly lVec: readonly CompressedPoint[];
  readonly rVec: readonly CompressedPoint[];
  readonly a: bigint;
  readonly b: bigint;
}

/** An R1CS proof (field names follow dalek's A_I1 → aI1, T_1 → t1, t_x → tX). */
export interface R1csProof {
  /** Commitment to the phase-1 multiplier inputs. */
  readonly aI1: CompressedPoint;
  /** Commitment to the phase-1 multiplier outputs. */
  readonly aO1: CompressedPoint;
  /** Commitment to the phase-1 blinding vectors. */
  readonly s1: CompressedPoint;
  /** Phase-2 counterparts (the identity when there are no phase-2 multipliers). */
  readonly aI2: CompressedPoint;
  readonly aO2: CompressedPoint;
  readonly s2: CompressedPoint;
  /** Commitments to the coefficients t₁, t₃..t₆ of t(x). */
  readonly t1: CompressedPoint;
  readonly t3: CompressedPoint;
  readonly t4: CompressedPoint;
  readonly t5: CompressedPoint;
  readonly t6: CompressedPoint;
  /** t(x) at the challenge x. */
  readonly tX: bigint;
  /** Blinding of the synthetic commitment to t(x). */
  readonly tXBlinding: bigint;
  /** Synthetic blinding of the vector commitment to l(x), r(x). */
  readonly eBlinding: bigint;
  readonly ipp: InnerProductProof;
}

/** Version byte of a proof without phase-2 commitments. */
export const ONE_PHASE_VERSION = 0;
/** Version byte of a proof with phase-2 commitments. */
export const TWO_PHASE_VERSION = 1;
/** dalek rejects inner-product proofs of 32 or more rounds. */
export const MAX_IPP_ROUNDS = 31;

const IDENTITY_BYTES = new Uint8Array(32);

/** The compressed identity (32 zero bytes). */
export function identityCompressed(): CompressedPoint {
  return new CompressedPoint(IDENTITY_BYTES.slice());
}

/** True if the compressed point is the identity encoding (all zero bytes). */
export function isIdentityEncoding(p: CompressedPoint): boolean {
  for (let i = 0; i < 32; i++) if (p.bytes[i] !== 0) return false;
  return true;
}

/** True if the proof carries no phase-2 commitments (it is then encoded with version 0). */
export function isOnePhase(proof: R1csProof): boolean {
  return isIdentityEncoding(proof.aI2) && isIdentityEncoding(proof.aO2) && isIdentityEncoding(proof.s2);
}

/** Encoded size in bytes: 1 + 32·(11 or 14) + 32·(2k + 2) for k IPP rounds. */
export function r1csProofSize(proof: R1csProof): number {
  return 1 + 32 * (isOnePhase(proof) ? 11 : 14) + 32 * (2 * proof.ipp.lVec.length + 2);
}

/** Encodes a proof as dalek does. */
export function encodeR1csProof(proof: R1csProof): Uint8Array {
  if (proof.ipp.lVec.length !== proof.ipp.rVec.length)
    throw new RangeError("encodeR1csProof: IPP L and R vectors differ in length");
  const w = new Writer(r1csProofSize(proof));
  const onePhase = isOnePhase(proof);
  w.writeU8(onePhase ? ONE_PHASE_VERSION : TWO_PHASE_VERSION);
  w.write32(proof.aI1.bytes).write32(proof.aO1.bytes).write32(proof.s1.bytes);
  if (!onePhase) w.write32(proof.aI2.bytes).write32(proof.aO2.bytes).write32(proof.s2.bytes);
  w.write32(proof.t1.bytes).write32(proof.t3.bytes).write32(proof.t4.bytes);
  w.write32(proof.t5.bytes).write32(proof.t6.bytes);
  w.write32(encodeScalar(proof.tX))
    .write32(encodeScalar(proof.tXBlinding))
    .write32(encodeScalar(proof.eBlinding));
  for (let i = 0; i < proof.ipp.lVec.length; i++)
    w.write32(proof.ipp.lVec[i]!.bytes).write32(proof.ipp.rVec[i]!.bytes);
  w.write32(encodeScalar(proof.ipp.a)).write32(encodeScalar(proof.ipp.b));
  return w.toBytes();
}

export interface DecodeR1csProofOptions {
  /** Largest accepted number of inner-product rounds (default and maximum: 31, as dalek). */
  readonly maxIppRounds?: number;
}

/** Decodes a proof strictly (lengths, version, canonical scalars), in dalek's order of checks. */
export function decodeR1csProof(bytes: Uint8Array, opts: DecodeR1csProofOptions = {}): R1csProof {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeR1csProof: bytes must be a Uint8Array");
  const maxRounds = Math.min(opts.maxIppRounds ?? MAX_IPP_ROUNDS, MAX_IPP_ROUNDS);
  if (bytes.length < 1)
    throw new DecodeError(DecodeCode.UNEXPECTED_END, { what: "r1cs proof version", offset: 0, needed: 1 });
  const bodyLen = bytes.length - 1;
  if (bodyLen % 32 !== 0)
    throw new DecodeError(DecodeCode.INVALID_FORMAT, { what: "r1cs proof length", length: bytes.length });
  const version = bytes[0]!;
  if (version !== ONE_PHASE_VERSION && version !== TWO_PHASE_VERSION)
    throw new DecodeError(DecodeCode.INVALID_TAG, { what: "r1cs proof version", offset: 0, tag: version });
  const minElements = version === ONE_PHASE_VERSION ? 11 : 14;
  if (bodyLen < minElements * 32)
    throw new DecodeError(DecodeCode.UNEXPECTED_END, {
      what: "r1cs proof",
      needed: 1 + minElements * 32,
      available: bytes.length,
    });

  let pos = 1;
  const point = (): CompressedPoint => {
    const p = new CompressedPoint(bytes.slice(pos, pos + 32));
    pos += 32;
    return p;
  };
  const scalar = (what: string): bigint => {
    const v = bytesToBigintLE(bytes.subarray(pos, pos + 32));
    if (v >= L) throw new DecodeError(DecodeCode.NONCANONICAL_SCALAR, { what, offset: pos });
    pos += 32;
    return v;
  };

  const aI1 = point();
  const aO1 = point();
  const s1 = point();
  let aI2: CompressedPoint;
  let aO2: CompressedPoint;
  let s2: CompressedPoint;
  if (version === ONE_PHASE_VERSION) {
    aI2 = identityCompressed();
    aO2 = identityCompressed();
    s2 = identityCompressed();
  } else {
    aI2 = point();
    aO2 = point();
    s2 = point();
  }
  const t1 = point();
  const t3 = point();
  const t4 = point();
  const t5 = point();
  const t6 = point();
  const tX = scalar("t_x");
  const tXBlinding = scalar("t_x_blinding");
  const eBlinding = scalar("e_blinding");

  // Inner-product proof: 2k points and two scalars.
  const elements = (bytes.length - pos) / 32;
  if (elements < 2)
    throw new DecodeError(DecodeCode.UNEXPECTED_END, {
      what: "inner-product proof",
      offset: pos,
      needed: 64,
      available: bytes.length - pos,
    });
  if ((elements - 2) % 2 !== 0)
    throw new DecodeError(DecodeCode.INVALID_FORMAT, {
      what: "inner-product proof length",
      offset: pos,
      length: elements,
    });
  const rounds = (elements - 2) / 2;
  if (rounds > maxRounds)
    throw new DecodeError(DecodeCode.LENGTH_TOO_LARGE, {
      what: "inner-product rounds",
      offset: pos,
      length: rounds,
      max: maxRounds,
    });
  const lVec: CompressedPoint[] = [];
  const rVec: CompressedPoint[] = [];
  for (let i = 0; i < rounds; i++) {
    lVec.push(point());
    rVec.push(point());
  }
  const a = scalar("ipp a");
  const b = scalar("ipp b");
  return {
    aI1,
    aO1,
    s1,
    aI2,
    aO2,
    s2,
    t1,
    t3,
    t4,
    t5,
    t6,
    tX,
    tXBlinding,
    eBlinding,
    ipp: { lVec, rVec, a, b },
  };
}
