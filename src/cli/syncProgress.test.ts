import { describe, expect, it } from "vitest";
import { SyncProgressPrinter } from "./syncProgress.js";

describe("SyncProgressPrinter", () => {
  it("prints throttled progress lines with a bar, and a last line when the run ends", () => {
    let t = 0;
    const p = new SyncProgressPrinter({ intervalMs: 1000, now: () => t });
    const ev = (height: bigint, applied: number, done = false) => ({
      height,
      target: 200n,
      applied,
      peer: "p",
      done,
    });
    expect(p.update(ev(101n, 1))).toBe(
      "sync [--------------------]   1% height 101/200, 1 blocks, 1000 blocks/s",
    );
    t = 500;
    expect(p.update(ev(140n, 40))).toBeUndefined(); // throttled
    t = 1000;
    expect(p.update(ev(150n, 50))).toBe(
      "sync [##########----------]  50% height 150/200, 50 blocks, 50 blocks/s",
    );
    t = 2000;
    expect(p.update(ev(200n, 100, true))).toBe(
      "synced [####################] 100% height 200/200, 100 blocks, 50 blocks/s",
    );
  });

  it("must-fail: a run that applies nothing prints nothing (no bar for an up-to-date node)", () => {
    const p = new SyncProgressPrinter({ now: () => 0 });
    expect(p.update({ height: 5n, target: undefined, applied: 0, peer: "", done: true })).toBeUndefined();
  });
});
