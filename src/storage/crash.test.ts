/**
 * Crash consistency of the sqlite store: 20 rounds of "child commits blocks, parent SIGKILLs it at a
 * seeded random moment, reopen and check" (see ./crashKit.ts). More rounds in crash.slow.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashBlock, runCrashIterations, verifyCrashStore } from "./crashKit.js";
import { SqliteChainStore } from "./sqliteStore.js";

const dir = mkdtempSync(join(tmpdir(), "chainstore-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sqlite store survives SIGKILL while committing blocks", () => {
  it("20 kills: reopens at a consistent tip with no lost and no half-applied block", async () => {
    const rounds = await runCrashIterations({
      path: join(dir, "crash.db"),
      iterations: 20,
      seed: "crash test",
    });
    expect(rounds).toHaveLength(20);
    // The test means something only if blocks were really being committed when the kills landed.
    expect(rounds.filter((r) => r.acked >= 0).length).toBeGreaterThanOrEqual(10);
    expect(rounds.at(-1)!.tip).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it("must-fail: the checker notices a lost acknowledged block and a foreign block", async () => {
    const path = join(dir, "check.db");
    const s = await SqliteChainStore.open({ path, synchronous: "normal" });
    for (let h = 0; h < 3; h++) await s.commitBlock(crashBlock(h));
    await s.close();
    expect(await verifyCrashStore(path, 2)).toBe(2);
    await expect(verifyCrashStore(path, 3)).rejects.toThrow(/lost a committed block/);
    await expect(verifyCrashStore(path, 0)).rejects.toThrow(/beyond the one in-flight/);
    const t = await SqliteChainStore.open({ path, synchronous: "normal" });
    await t.commitBlock({ ...crashBlock(3), block: new Uint8Array(10) });
    await t.close();
    await expect(verifyCrashStore(path, 3)).rejects.toThrow(/block 3 damaged/);
  });
});
