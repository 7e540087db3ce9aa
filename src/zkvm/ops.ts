/**
 * ZkVM instructions and their bytecode (zkvm-spec.md "Instructions"): a one-byte opcode optionally
 * followed by immediate data. Opcodes above 0x22 are extension opcodes (no-ops when the tx version
 * allows extensions, failures otherwise).
 */
import { DecodeCode, DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";

export const Opcode = {
  push: 0x00,
  program: 0x01,
  drop: 0x02,
  dup: 0x03,
  roll: 0x04,
  scalar: 0x05,
  commit: 0x06,
  alloc: 0x07,
  mintime: 0x08,
  maxtime: 0x09,
  expr: 0x0a,
  neg: 0x0b,
  add: 0x0c,
  mul: 0x0d,
  eq: 0x0e,
  range: 0x0f,
  and: 0x10,
  or: 0x11,
  not: 0x12,
  verify: 0x13,
  unblind: 0x14,
  issue: 0x15,
  borrow: 0x16,
  retire: 0x17,
  cloak: 0x18,
  fee: 0x19,
  input: 0x1a,
  output: 0x1b,
  contract: 0x1c,
  log: 0x1d,
  eval: 0x1e,
  call: 0x1f,
  signtx: 0x20,
  signid: 0x21,
  signtag: 0x22,
} as const;
export type OpName = keyof typeof Opcode;
/** The highest assigned opcode. */
export const MAX_OPCODE = 0x22;

const NAMES: OpName[] = [];
for (const [name, code] of Object.entries(Opcode)) NAMES[code] = name as OpName;

/** Instructions without immediate data. */
export type SimpleOp = Exclude<OpName, "push" | "program" | "dup" | "roll" | "cloak" | "output" | "contract">;

export type Instruction =
  | { readonly op: "push"; readonly data: Uint8Array }
  | { readonly op: "program"; readonly code: Uint8Array }
  | { readonly op: "dup" | "roll" | "output" | "contract"; readonly k: number }
  | { readonly op: "cloak"; readonly m: number; readonly n: number }
  | { readonly op: "ext"; readonly opcode: number }
  | { readonly op: SimpleOp };

/** The opcode byte of an instruction. */
export function opcodeOf(i: Instruction): number {
  return i.op === "ext" ? i.opcode : Opcode[i.op];
}

/** The name of an assigned opcode, or undefined for extension opcodes. */
export function opName(code: number): OpName | undefined {
  return NAMES[code];
}

/** Reads one instruction. Throws DECODE_* errors on truncated immediate data. */
export function readInstruction(r: Reader): Instruction {
  const code = r.readU8("opcode");
  if (code > MAX_OPCODE) return { op: "ext", opcode: code };
  const op = NAMES[code]!;
  switch (op) {
    case "push":
      return { op, data: r.readBytes(r.readU32("push length"), "push data") };
    case "program":
      return { op, code: r.readBytes(r.readU32("program length"), "program") };
    case "dup":
    case "roll":
    case "output":
    case "contract":
      return { op, k: r.readU32(`${op} index`) };
    case "cloak": {
      const m = r.readU32("cloak m");
      const n = r.readU32("cloak n");
      return { op, m, n };
    }
    default:
      return { op };
  }
}

/** Decodes a whole program into instructions (strict: a truncated instruction fails). */
export function decodeProgram(code: Uint8Array): Instruction[] {
  const r = new Reader(code);
  const out: Instruction[] = [];
  while (r.remaining > 0) out.push(readInstruction(r));
  return out;
}

export function writeInstruction(w: Writer, i: Instruction): void {
  w.writeU8(opcodeOf(i));
  switch (i.op) {
    case "push":
      w.writeSizedBytes(i.data);
      break;
    case "program":
      w.writeSizedBytes(i.code);
      break;
    case "dup":
    case "roll":
    case "output":
    case "contract":
      w.writeU32(i.k);
      break;
    case "cloak":
      w.writeU32(i.m).writeU32(i.n);
      break;
    default:
      break;
  }
}

/** Encodes instructions into bytecode. */
export function encodeProgram(instructions: readonly Instruction[]): Uint8Array {
  const w = new Writer();
  for (const i of instructions) writeInstruction(w, i);
  return w.toBytes();
}

/** Checks that an extension opcode really is unassigned (for builders). */
export function assertExtensionOpcode(code: number): void {
  if (!Number.isInteger(code) || code <= MAX_OPCODE || code > 0xff)
    throw new DecodeError(DecodeCode.INVALID_TAG, { what: "extension opcode", tag: code });
}
