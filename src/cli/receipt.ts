/**
 * Payment receipts: ZkVM outputs are confidential (Pedersen commitments), so a payee cannot see
 * what it was paid; the payer hands over the output and its openings as a receipt, and the payee's
 * `zkvm-node wallet receive RECEIPT` imports it. JSON:
 *
 *     { "format": "zkvm-receipt", "version": 1,
 *       "txid": "<32-byte hex>",                    // the paying transaction
 *       "contract": "<hex of the output structure>",
 *       "values": [ { "qty": "<u64 decimal>", "flavor": "<32-byte hex scalar>",
 *                     "qty_blinding": "<32-byte hex>", "flv_blinding": "<32-byte hex>" } ] }
 *
 * A receipt is a secret between payer and payee (the blinding factors open the commitments).
 */
import { decodeScalar, encodeScalar } from "../crypto/scalar.js";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import type { OpenValue, OwnedUtxo } from "../zkvm/builder.js";
import { Contract } from "../zkvm/contract.js";
import { CliCode, CliError } from "./errors.js";

export const RECEIPT_FORMAT = "zkvm-receipt";
export const RECEIPT_VERSION = 1;

/** A decoded receipt. */
export interface Receipt {
  readonly txid: Uint8Array;
  readonly utxo: OwnedUtxo;
}

/** The receipt of output `utxo` of transaction `txid`, as JSON text. */
export function encodeReceipt(txid: Uint8Array, utxo: OwnedUtxo): string {
  return `${JSON.stringify(
    {
      format: RECEIPT_FORMAT,
      version: RECEIPT_VERSION,
      txid: toHex(txid),
      contract: toHex(utxo.contract.encode()),
      values: utxo.values.map((v) => ({
        qty: v.qty.toString(),
        flavor: toHex(encodeScalar(v.flavor)),
        qty_blinding: toHex(encodeScalar(v.qtyBlinding)),
        flv_blinding: toHex(encodeScalar(v.flvBlinding)),
      })),
    },
    null,
    2,
  )}\n`;
}

/** Parses receipt text; CLI_BAD_RECEIPT (meta.field) if malformed. Openings are checked by the wallet. */
export function decodeReceipt(text: string): Receipt {
  const bad = (field: string, cause?: unknown): never => {
    throw new CliError(CliCode.BAD_RECEIPT, { field }, cause === undefined ? undefined : { cause });
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    bad("(receipt)");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) bad("(receipt)");
  const o = data as Record<string, unknown>;
  if (o["format"] !== RECEIPT_FORMAT) bad("format");
  if (o["version"] !== RECEIPT_VERSION) bad("version");
  const hexOf = (v: unknown, field: string, len?: number): Uint8Array => {
    if (typeof v !== "string" || !/^([0-9a-fA-F]{2})+$/.test(v)) bad(field);
    const b = fromHex((v as string).toLowerCase());
    if (len !== undefined && b.length !== len) bad(field);
    return b;
  };
  const scalarOf = (v: unknown, field: string): bigint => {
    try {
      return decodeScalar(hexOf(v, field, 32), field);
    } catch (e) {
      if (e instanceof CliError) throw e;
      return bad(field, e);
    }
  };
  const txid = hexOf(o["txid"], "txid", 32);
  const contractBytes = hexOf(o["contract"], "contract");
  const contract = ((): Contract => {
    try {
      return Contract.decode(contractBytes);
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      return bad("contract", e);
    }
  })();
  const vals = o["values"];
  if (!Array.isArray(vals) || vals.length === 0 || vals.length > 64) bad("values");
  const values: OpenValue[] = (vals as unknown[]).map((v, i) => {
    if (typeof v !== "object" || v === null) bad(`values[${i}]`);
    const e = v as Record<string, unknown>;
    const q = e["qty"];
    if (typeof q !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(q) || BigInt(q) >= 1n << 64n)
      bad(`values[${i}].qty`);
    return {
      qty: BigInt(q as string),
      flavor: scalarOf(e["flavor"], `values[${i}].flavor`),
      qtyBlinding: scalarOf(e["qty_blinding"], `values[${i}].qty_blinding`),
      flvBlinding: scalarOf(e["flv_blinding"], `values[${i}].flv_blinding`),
    };
  });
  return { txid, utxo: { contract, values } };
}
