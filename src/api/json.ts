/**
 * JSON encoding for API answers (DESIGN.md, "src/api"): bigints become decimal strings and byte arrays
 * become lowercase hex, so every u64 survives a JavaScript client without loss of precision.
 */
import { toHex } from "../util/bytes.js";

/** Serialises `value` to JSON text, writing bigint as a decimal string and Uint8Array as hex. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return toHex(v);
    if (v instanceof Map) return Object.fromEntries(v);
    return v;
  });
}
