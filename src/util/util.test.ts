import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBytes, concatBytes, fromHex, le32, le64, toHex, U64_MAX } from "./bytes.js";
import { assert, CodedError, hasCode, InvariantError } from "./codedError.js";
import { DecodeCode, DecodeError } from "./errors.js";
import { Reader } from "./reader.js";
import { randomBytes, seededRng } from "./rng.js";
import { Writer } from "./writer.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e.code;
    return `uncoded:${(e as Error).name}`;
  }
  return undefined;
}

describe("hex and bytes", () => {
  it("round-trips hex", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
        expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it("rejects bad hex with DECODE_INVALID_FORMAT", () => {
    expect(codeOf(() => fromHex("abc"))).toBe(DecodeCode.INVALID_FORMAT);
    expect(codeOf(() => fromHex("zz"))).toBe(DecodeCode.INVALID_FORMAT);
    expect(codeOf(() => fromHex("0x00"))).toBe(DecodeCode.INVALID_FORMAT);
    expect(codeOf(() => fromHex("00", 2))).toBe(DecodeCode.INVALID_FORMAT);
  });

  it("encodes little-endian integers and refuses out-of-range ones", () => {
    expect(toHex(le32(0x01020304))).toBe("04030201");
    expect(toHex(le64(0x0102030405060708n))).toBe("0807060504030201");
    expect(toHex(le64(U64_MAX))).toBe("ffffffffffffffff");
    expect(() => le32(-1)).toThrow(RangeError);
    expect(() => le32(2 ** 32)).toThrow(RangeError);
    expect(() => le64(U64_MAX + 1n)).toThrow(RangeError);
    expect(() => le64(-1n)).toThrow(RangeError);
  });

  it("concatenates and compares", () => {
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe("010203");
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(7), Uint8Array.of(7))).toBe(0);
  });
});

describe("Reader and Writer", () => {
  it("round-trip every field type", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: U64_MAX }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 100 }),
        (u8, u32, u64, b32, sized) => {
          const w = new Writer(1).writeU8(u8).writeU32(u32).writeU64(u64).write32(b32).writeSizedBytes(sized);
          const r = new Reader(w.toBytes());
          expect(r.readU8()).toBe(u8);
          expect(r.readU32()).toBe(u32);
          expect(r.readU64()).toBe(u64);
          expect(r.read32()).toEqual(b32);
          expect(r.readSizedBytes(100)).toEqual(sized);
          expect(r.remaining).toBe(0);
          r.end();
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("negative table: every short read, cap and trailing byte has its code", () => {
    const table: [string, () => unknown, string][] = [
      ["u8 of nothing", () => new Reader(new Uint8Array(0)).readU8(), DecodeCode.UNEXPECTED_END],
      ["u32 of 3 bytes", () => new Reader(new Uint8Array(3)).readU32(), DecodeCode.UNEXPECTED_END],
      ["u64 of 7 bytes", () => new Reader(new Uint8Array(7)).readU64(), DecodeCode.UNEXPECTED_END],
      ["32 of 31 bytes", () => new Reader(new Uint8Array(31)).read32(), DecodeCode.UNEXPECTED_END],
      [
        "sized over cap",
        () => new Reader(new Writer().writeSizedBytes(new Uint8Array(10)).toBytes()).readSizedBytes(9),
        DecodeCode.LENGTH_TOO_LARGE,
      ],
      [
        "sized longer than input",
        () => new Reader(new Writer().writeU32(5).writeU8(1).toBytes()).readSizedBytes(100),
        DecodeCode.UNEXPECTED_END,
      ],
      [
        "count over cap",
        () => new Reader(new Writer().writeU32(11).toBytes()).readCount(10, 0),
        DecodeCode.LENGTH_TOO_LARGE,
      ],
      [
        "count larger than bytes left",
        () => new Reader(new Writer().writeU32(3).writeU32(0).toBytes()).readCount(100, 32),
        DecodeCode.LENGTH_TOO_LARGE,
      ],
      [
        "trailing byte",
        () => {
          const r = new Reader(Uint8Array.of(1, 2));
          r.readU8();
          r.end();
        },
        DecodeCode.TRAILING_BYTES,
      ],
    ];
    for (const [name, f, code] of table) expect(codeOf(f), name).toBe(code);
  });

  it("the happy twins of the negative table succeed", () => {
    expect(
      new Reader(new Writer().writeSizedBytes(new Uint8Array(9)).toBytes()).readSizedBytes(9).length,
    ).toBe(9);
    expect(
      new Reader(
        new Writer().writeU32(2).write32(new Uint8Array(32)).write32(new Uint8Array(32)).toBytes(),
      ).readCount(2, 32),
    ).toBe(2);
  });

  it("decoding random bytes only ever throws coded errors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const code = codeOf(() => {
          const r = new Reader(bytes);
          r.readU8();
          r.readSizedBytes(16);
          r.readU64();
          r.end();
        });
        if (code !== undefined) expect(code.startsWith("DECODE_")).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("reports offsets", () => {
    const r = new Reader(Uint8Array.of(1, 2, 3));
    r.readU8();
    try {
      r.readU32("field");
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).meta).toMatchObject({ offset: 1, needed: 4, available: 2, what: "field" });
    }
  });
});

describe("CodedError", () => {
  it("carries code, meta and cause, and serializes to JSON", () => {
    const inner = new DecodeError(DecodeCode.INVALID_POINT, { offset: 3 });
    const outer = new CodedError("TEST_WRAPPED", { n: 5n, flag: true }, { cause: inner });
    expect(outer.code).toBe("TEST_WRAPPED");
    expect(outer.message).toBe("TEST_WRAPPED (n=5, flag=true)");
    expect(JSON.parse(JSON.stringify(outer))).toEqual({
      name: "CodedError",
      code: "TEST_WRAPPED",
      message: "TEST_WRAPPED (n=5, flag=true)",
      meta: { n: "5", flag: true },
      cause: {
        name: "DecodeError",
        code: "DECODE_INVALID_POINT",
        message: "DECODE_INVALID_POINT (offset=3)",
        meta: { offset: 3 },
      },
    });
    expect(hasCode(outer, "TEST_WRAPPED")).toBe(true);
    expect(hasCode(new Error("x"), "TEST_WRAPPED")).toBe(false);
  });

  it("assert throws InvariantError only when the condition fails", () => {
    expect(() => assert(true, "fine")).not.toThrow();
    expect(() => assert(false, "broken")).toThrow(InvariantError);
  });
});

describe("seeded RNG", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = toHex(randomBytes(seededRng("a"), 64));
    expect(toHex(randomBytes(seededRng("a"), 64))).toBe(a);
    expect(toHex(randomBytes(seededRng("b"), 64))).not.toBe(a);
    const r = seededRng("a");
    const first = randomBytes(r, 32);
    const second = randomBytes(r, 32);
    expect(toHex(first) + toHex(second)).toBe(a);
  });
});
