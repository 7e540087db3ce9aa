import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readScpStateFile, writeScpStateFileSync } from "./scpState.js";

describe("durable SCP state file", () => {
  it("writes atomically and reads back; a missing file reads as undefined", () => {
    const dir = mkdtempSync(join(tmpdir(), "zkvm-scp-"));
    const path = join(dir, "scp-state.bin");
    expect(readScpStateFile(path)).toBeUndefined();
    writeScpStateFileSync(path, Uint8Array.of(1, 2, 3));
    expect(readScpStateFile(path)).toEqual(Uint8Array.of(1, 2, 3));
    writeScpStateFileSync(path, Uint8Array.of(9));
    expect(readScpStateFile(path)).toEqual(Uint8Array.of(9));
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it("fails loudly when the folder does not exist (must-fail twin)", () => {
    expect(() =>
      writeScpStateFileSync(join(tmpdir(), "no-such-dir-zkvm", "x", "scp.bin"), Uint8Array.of(1)),
    ).toThrow();
  });
});
