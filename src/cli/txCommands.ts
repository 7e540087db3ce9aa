/**
 * `zkvm-node tx ...` commands: verify transaction files, decode one transaction, write examples.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { encodeR1csProof } from "../bulletproofs/proof.js";
import { BulletproofGens } from "../crypto/generators.js";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { disassemble } from "../zkvm/asm.js";
import { decodeTx } from "../zkvm/tx.js";
import { DEFAULT_BP_CAPACITY, precomputeTx, verifyPrecomputed } from "../zkvm/verifier.js";
import { systemRng } from "./systemRng.js";

/** A usage error: unusable input (exit code 2). */
export class UsageError extends Error {}

export interface TxInput {
  readonly name: string;
  readonly hex: string;
}

/** Parses a tx file: a JSON list of hex strings or {name, tx_hex} objects, or {"txs": [...]}. */
export function parseTxFile(text: string): TxInput[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError("the file is not JSON");
  }
  const list = Array.isArray(json) ? json : (json as { txs?: unknown })?.txs;
  if (!Array.isArray(list)) throw new UsageError('expected a JSON list or an object with a "txs" list');
  return list.map((entry, i) => {
    if (typeof entry === "string") return { name: `tx${i}`, hex: entry };
    if (
      entry !== null &&
      typeof entry === "object" &&
      typeof (entry as { tx_hex?: unknown }).tx_hex === "string"
    ) {
      const e = entry as { name?: unknown; tx_hex: string };
      return { name: typeof e.name === "string" ? e.name : `tx${i}`, hex: e.tx_hex };
    }
    throw new UsageError(`entry ${i} is neither a hex string nor an object with tx_hex`);
  });
}

export interface VerifyLine {
  name: string;
  valid: boolean;
  txid: string | null;
  error: string | null;
  fee?: string;
}

/** Verifies one hex-encoded tx; never throws for bad transactions. */
export function verifyOne(input: TxInput, bpGens: BulletproofGens): VerifyLine {
  let txid: string | null = null;
  try {
    const bytes = fromHex(input.hex.trim());
    const tx = decodeTx(bytes);
    const pre = precomputeTx(tx, bytes.length);
    txid = toHex(pre.txid);
    const v = verifyPrecomputed(pre, { rng: systemRng, bpGens });
    return { name: input.name, valid: true, txid, error: null, fee: v.fee.toString() };
  } catch (e) {
    if (e instanceof CodedError) return { name: input.name, valid: false, txid, error: e.code };
    throw e;
  }
}

export function cmdTxVerify(file: string, json: boolean, out: (s: string) => void): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const inputs = parseTxFile(text);
  const bpGens = BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
  for (const input of inputs) {
    const line = verifyOne(input, bpGens);
    if (json) out(JSON.stringify(line));
    else
      out(
        `${line.valid ? "valid  " : "INVALID"} ${line.name}  txid=${line.txid ?? "-"}${line.error ? `  error=${line.error}` : ""}`,
      );
  }
  return 0;
}

export function cmdTxDecode(arg: string, out: (s: string) => void): number {
  let hex = arg.trim();
  if (!/^[0-9a-fA-F]+$/.test(hex)) {
    try {
      hex = readFileSync(arg, "utf8").trim();
    } catch (e) {
      throw new UsageError(`not hex and not a readable file: ${(e as Error).message}`);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = fromHex(hex);
  } catch {
    throw new UsageError("the input is not valid hex");
  }
  let tx: ReturnType<typeof decodeTx>;
  try {
    tx = decodeTx(bytes);
  } catch (e) {
    throw new UsageError(`not a transaction: ${(e as Error).message}`);
  }
  out(`version   ${tx.header.version}`);
  out(`mintime   ${tx.header.mintime}`);
  out(`maxtime   ${tx.header.maxtime}`);
  out(
    `size      ${bytes.length} bytes (program ${tx.program.length}, signature 64, proof ${encodeR1csProof(tx.proof).length})`,
  );
  try {
    out(`program   ${disassemble(tx.program)}`);
  } catch {
    out(`program   (undecodable) ${toHex(tx.program)}`);
  }
  try {
    const pre = precomputeTx(tx, bytes.length);
    out(`txid      ${toHex(pre.txid)}`);
    out(`fee       ${pre.fee}`);
    for (const e of pre.txlog) {
      switch (e.type) {
        case "header":
          break;
        case "input":
          out(`log       input  ${toHex(e.contractId)}`);
          break;
        case "output":
          out(`log       output ${toHex(e.contract.id())}`);
          break;
        case "issue":
        case "retire":
          out(`log       ${e.type} qty=${e.qty.toHex()} flv=${e.flv.toHex()}`);
          break;
        case "fee":
          out(`log       fee ${e.fee}`);
          break;
        case "data":
          out(`log       data ${toHex(e.data)}`);
          break;
      }
    }
  } catch (e) {
    out(`vm        fails: ${e instanceof CodedError ? e.code : (e as Error).message}`);
  }
  return 0;
}

export function cmdTxExamples(
  outFile: string,
  out: (s: string) => void,
  build: () => { name: string; tx_hex: string }[],
): number {
  const txs = build();
  writeFileSync(outFile, `${JSON.stringify({ txs }, null, 2)}\n`);
  out(`wrote ${txs.length} transactions to ${outFile}`);
  return 0;
}
