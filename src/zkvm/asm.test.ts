import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { assemble, disassemble } from "./asm.js";
import valid from "./fixtures/zkvm_tx_valid.json" with { type: "json" };
import { decodeProgram, encodeProgram } from "./ops.js";

describe("program text form", () => {
  for (const v of valid.vectors) {
    it(`${v.name}: assembling program_asm gives program_hex; disassembly round-trips`, () => {
      expect(toHex(assemble(v.program_asm))).toBe(v.program_hex);
      const code = fromHex(v.program_hex);
      expect(toHex(encodeProgram(decodeProgram(code)))).toBe(v.program_hex);
      expect(toHex(assemble(disassemble(code)))).toBe(v.program_hex);
    });
  }

  it("prints nested programs as instructions and unknown opcodes as ext", () => {
    expect(disassemble(assemble('push:"hi" [push:0x01 drop] eval ext:0x40 cloak:2:3 roll:1'))).toBe(
      'push:"hi" [push:0x01 drop] eval ext:0x40 cloak:2:3 roll:1',
    );
    expect(disassemble(assemble("[Bytecode([0, 5])]"))).toBe("[Bytecode([0, 5])]");
  });

  it("any bytecode that decodes disassembles and reassembles to itself", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        let text: string;
        try {
          text = disassemble(bytes);
        } catch (e) {
          expect(hasCode(e, DecodeCode.UNEXPECTED_END)).toBe(true);
          return;
        }
        expect(toHex(assemble(text))).toBe(toHex(bytes));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("negative table: malformed text", () => {
    const bad = [
      "push",
      "push:0x0",
      "push:zz",
      "dup",
      "dup:-1",
      "cloak:1",
      "cloak:1:2:3",
      "frobnicate",
      "drop:1",
      "[push:0x01",
      'push:"open',
      "ext:0x05",
      "[Bytecode([256])]",
      "push:Contract{anchor:0x00}",
    ];
    for (const text of bad) {
      let err: unknown;
      try {
        assemble(text);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, DecodeCode.INVALID_FORMAT), text).toBe(true);
    }
  });
});
