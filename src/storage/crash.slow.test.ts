/** Crash consistency of the sqlite store, long run: 200 SIGKILL rounds (see ./crashKit.ts). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCrashIterations } from "./crashKit.js";

const dir = mkdtempSync(join(tmpdir(), "chainstore-crash-slow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sqlite store survives SIGKILL while committing blocks (slow)", () => {
  it("200 kills with delays up to 250 ms; all blocks compared every 25 rounds", async () => {
    const rounds = await runCrashIterations({
      path: join(dir, "crash.db"),
      iterations: 200,
      seed: "crash slow test",
      maxDelayMs: 250,
      fullCheckEvery: 25,
    });
    expect(rounds.filter((r) => r.acked >= 0).length).toBeGreaterThanOrEqual(100);
  }, 600_000);
});
