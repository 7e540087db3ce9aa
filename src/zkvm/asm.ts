/**
 * Text form of ZkVM programs, as the reference vectors print them (`program_asm`):
 *
 *     push:0x<hex>   push:"text"   push:Contract{predicate:0x..,anchor:0x..,payload:[Value{0x..,0x..}]}
 *     [Bytecode([0, 32, ...])]  or  [nested instructions]   (the `program` instruction)
 *     dup:k  roll:k  output:k  contract:k  cloak:m:n  ext:0xNN  and bare names (drop, signtx, ...)
 *
 * `assemble` accepts every form; `disassemble` prints a canonical form that assembles back to the
 * same bytes (contract-shaped pushes as Contract{...}, printable text in quotes, nested programs as
 * instructions when they decode).
 */
import { CompressedPoint } from "../crypto/ristretto.js";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Contract, type PortableItem } from "./contract.js";
import { decodeProgram, encodeProgram, type Instruction, MAX_OPCODE, Opcode, type OpName } from "./ops.js";

function fail(what: string, offset?: number): never {
  throw new DecodeError(DecodeCode.INVALID_FORMAT, offset === undefined ? { what } : { what, offset });
}

/** Splits on whitespace outside brackets, braces and quotes. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      if (start < 0) start = i;
    } else if (c === "[" || c === "{" || c === "(") {
      depth++;
      if (start < 0) start = i;
    } else if (c === "]" || c === "}" || c === ")") {
      depth--;
      if (depth < 0) fail(`unbalanced '${c}'`, i);
    } else if (/\s/.test(c)) {
      if (depth === 0 && start >= 0) {
        tokens.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (inQuote) fail("unterminated string");
  if (depth !== 0) fail("unbalanced brackets");
  if (start >= 0) tokens.push(text.slice(start));
  return tokens;
}

function parseIndex(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d+$/.test(s)) fail(what);
  const n = Number(s);
  if (n > 0xffff_ffff) fail(what);
  return n;
}

function parseHex(s: string, what: string, length?: number): Uint8Array {
  if (!s.startsWith("0x")) fail(what);
  return fromHex(s.slice(2), length);
}

function parseQuoted(s: string): Uint8Array {
  if (!s.endsWith('"') || s.length < 2) fail("string literal");
  const body = s.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next === '"' || next === "\\") out += next;
    else fail("string escape");
  }
  return utf8(out);
}

/** Splits `a,b,c` at top-level commas. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "[" || c === "{" || c === "(") depth++;
    else if (c === "]" || c === "}" || c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last.length > 0 || parts.length > 0) parts.push(last);
  return parts;
}

function parseContract(s: string): Uint8Array {
  const m = /^Contract\{(.*)\}$/s.exec(s);
  if (!m) fail("contract literal");
  let predicate: Uint8Array | undefined;
  let anchor: Uint8Array | undefined;
  let payload: PortableItem[] | undefined;
  for (const field of splitTop(m[1]!)) {
    const colon = field.indexOf(":");
    const key = field.slice(0, colon);
    const val = field.slice(colon + 1);
    if (key === "predicate") predicate = parseHex(val, "contract predicate", 32);
    else if (key === "anchor") anchor = parseHex(val, "contract anchor", 32);
    else if (key === "payload") {
      if (!val.startsWith("[") || !val.endsWith("]")) fail("contract payload");
      payload = splitTop(val.slice(1, -1)).map(parseItem);
    } else fail(`contract field ${key}`);
  }
  if (!predicate || !anchor || !payload) fail("contract literal fields");
  return new Contract(anchor, new CompressedPoint(predicate), payload).encode();
}

function parseItem(s: string): PortableItem {
  const m = /^(Value|String|Program)\{(.*)\}$/s.exec(s);
  if (!m) fail("payload item");
  const args = splitTop(m[2]!);
  if (m[1] === "Value") {
    if (args.length !== 2) fail("value item");
    return {
      kind: "value",
      qty: new CompressedPoint(parseHex(args[0]!, "value qty", 32)),
      flv: new CompressedPoint(parseHex(args[1]!, "value flv", 32)),
    };
  }
  if (args.length !== 1) fail("payload item");
  const bytes = parseHex(args[0]!, "payload bytes");
  return m[1] === "String" ? { kind: "string", bytes } : { kind: "program", bytes };
}

function parseProgramLiteral(token: string): Uint8Array {
  const inner = token.slice(1, -1).trim();
  const bc = /^Bytecode\(\[(.*)\]\)$/s.exec(inner);
  if (bc) {
    const parts = splitTop(bc[1]!);
    const out = new Uint8Array(parts.length);
    parts.forEach((p, i) => {
      if (!/^\d+$/.test(p) || Number(p) > 255) fail("bytecode byte");
      out[i] = Number(p);
    });
    return out;
  }
  return assemble(inner);
}

function parseToken(tok: string): Instruction {
  if (tok.startsWith("[")) {
    if (!tok.endsWith("]")) fail("program literal");
    return { op: "program", code: parseProgramLiteral(tok) };
  }
  const colon = tok.indexOf(":");
  const name = colon < 0 ? tok : tok.slice(0, colon);
  const arg = colon < 0 ? undefined : tok.slice(colon + 1);
  if (name === "push") {
    if (arg === undefined) fail("push needs data");
    if (arg.startsWith('"')) return { op: "push", data: parseQuoted(arg) };
    if (arg.startsWith("Contract{")) return { op: "push", data: parseContract(arg) };
    return { op: "push", data: parseHex(arg, "push data") };
  }
  if (name === "program") {
    if (arg === undefined || !arg.startsWith("[")) fail("program needs [..]");
    return { op: "program", code: parseProgramLiteral(arg) };
  }
  if (name === "ext") {
    const code = arg?.startsWith("0x") ? Number.parseInt(arg.slice(2), 16) : Number(arg);
    if (!Number.isInteger(code) || code <= MAX_OPCODE || code > 0xff) fail("extension opcode");
    return { op: "ext", opcode: code };
  }
  if (!(name in Opcode)) fail(`unknown instruction ${name}`);
  const op = name as OpName;
  switch (op) {
    case "dup":
    case "roll":
    case "output":
    case "contract":
      return { op, k: parseIndex(arg, `${op} index`) };
    case "cloak": {
      const [m, n, extra] = (arg ?? "").split(":");
      if (extra !== undefined) fail("cloak arguments");
      return { op, m: parseIndex(m, "cloak m"), n: parseIndex(n, "cloak n") };
    }
    default:
      if (arg !== undefined) fail(`${op} takes no argument`);
      return { op } as Instruction;
  }
}

/** Parses the text form into bytecode. Throws DECODE_INVALID_FORMAT on malformed text. */
export function assemble(text: string): Uint8Array {
  return encodeProgram(tokenize(text).map(parseToken));
}

function isPlainText(b: Uint8Array): boolean {
  if (b.length === 0 || b.length === 32) return false;
  for (const c of b) if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  return true;
}

function showItem(item: PortableItem): string {
  if (item.kind === "value") return `Value{0x${item.qty.toHex()},0x${item.flv.toHex()}}`;
  return `${item.kind === "string" ? "String" : "Program"}{0x${toHex(item.bytes)}}`;
}

function showPush(data: Uint8Array): string {
  if (data.length >= 68) {
    try {
      const c = Contract.decode(data);
      return `push:Contract{predicate:0x${c.predicate.toHex()},anchor:0x${toHex(c.anchor)},payload:[${c.payload.map(showItem).join(",")}]}`;
    } catch {
      // not an output structure: fall through
    }
  }
  if (isPlainText(data)) return `push:"${new TextDecoder().decode(data)}"`;
  return `push:0x${toHex(data)}`;
}

function showProgram(code: Uint8Array, depth: number): string {
  if (depth < 16) {
    try {
      return `[${disassembleInstructions(decodeProgram(code), depth + 1)}]`;
    } catch {
      // not decodable as instructions: show raw bytecode
    }
  }
  return `[Bytecode([${Array.from(code).join(", ")}])]`;
}

function disassembleInstructions(instructions: readonly Instruction[], depth: number): string {
  return instructions
    .map((i) => {
      switch (i.op) {
        case "push":
          return showPush(i.data);
        case "program":
          return showProgram(i.code, depth);
        case "dup":
        case "roll":
        case "output":
        case "contract":
          return `${i.op}:${i.k}`;
        case "cloak":
          return `cloak:${i.m}:${i.n}`;
        case "ext":
          return `ext:0x${i.opcode.toString(16).padStart(2, "0")}`;
        default:
          return i.op;
      }
    })
    .join(" ");
}

/** The canonical text form of bytecode. Throws DECODE_* if the bytecode is truncated. */
export function disassemble(code: Uint8Array): string {
  return disassembleInstructions(decodeProgram(code), 0);
}
