/**
 * Test support for the contract SDK: prove-and-verify round trips and error-code capture. Not used
 * by the protocol code.
 */
import type { Rng } from "../../util/rng.js";
import type { ProvedTx } from "../prover.js";
import { encodeTx } from "../tx.js";
import { precomputeTxBytes, type VerifiedTx, verifyPrecomputed } from "../verifier.js";
import type { ValueFlow } from "./common.js";

/** The `code` of the error `fn` throws, or undefined if it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    throw e;
  }
  return undefined;
}

/** Where a VM failure happened: its code, the failing instruction's opcode and the cause's code. */
export interface Failure {
  readonly code: string;
  readonly opcode?: number;
  readonly cause?: string;
}

/** The failure `fn` throws (VmError metadata and cause), or undefined if it returns. */
export function failureOf(fn: () => unknown): Failure | undefined {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: unknown; meta?: { opcode?: number }; cause?: { code?: unknown } };
    if (typeof err.code !== "string") throw e;
    const out: { code: string; opcode?: number; cause?: string } = { code: err.code };
    if (err.meta?.opcode !== undefined) out.opcode = err.meta.opcode;
    if (typeof err.cause?.code === "string") out.cause = err.cause.code;
    return out;
  }
  return undefined;
}

/** Serializes, decodes, runs and verifies a proved tx. */
export function verifyProved(proved: ProvedTx, rng: Rng): VerifiedTx {
  return verifyPrecomputed(precomputeTxBytes(encodeTx(proved.tx)), { rng });
}

/** Builds (proves and signs) a flow and verifies the result. */
export function buildAndVerify(flow: ValueFlow, rng: Rng): { proved: ProvedTx; verified: VerifiedTx } {
  const proved = flow.build();
  return { proved, verified: verifyProved(proved, rng) };
}
