import { describe, expect, it } from "vitest";
import { CodedError } from "../util/codedError.js";
import { createLogger, formatLogLine, isLogLevel } from "./logger.js";

function capture(level?: "trace" | "debug" | "info" | "warn" | "error" | "fatal") {
  const lines: string[] = [];
  const log = createLogger({
    ...(level ? { level } : {}),
    sink: (l) => lines.push(l),
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l)) };
}

describe("logger", () => {
  it("writes one JSON object per line with time, level, msg and fields", () => {
    const { log, lines, records } = capture();
    log.info("block applied", { height: 5n, id: new Uint8Array([0xab, 0xcd]) });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain("\n");
    expect(records()[0]).toEqual({
      time: "2026-01-02T03:04:05.006Z",
      level: "info",
      msg: "block applied",
      height: "5",
      id: "abcd",
    });
  });

  it("filters by level (default info)", () => {
    const { log, records } = capture();
    log.debug("hidden");
    log.trace("hidden");
    log.warn("shown");
    log.fatal("shown too");
    expect(records().map((r) => r.level)).toEqual(["warn", "fatal"]);
    expect(log.isEnabled("debug")).toBe(false);
    const t = capture("trace");
    t.log.trace("x");
    expect(t.records()[0].level).toBe("trace");
  });

  it("child loggers add context; call fields override it; reserved keys are kept apart", () => {
    const { log, records } = capture();
    const api = log.child({ module: "api" }).child({ route: "status" });
    api.info("served", { route: "blocks", msg: "not the message" });
    expect(records()[0]).toMatchObject({
      module: "api",
      route: "blocks",
      msg: "served",
      ctx_msg: "not the message",
    });
  });

  it("serialises errors with their code, and cycles safely", () => {
    const { log, records } = capture();
    const cyc: Record<string, unknown> = { a: 1 };
    cyc["self"] = cyc;
    log.error("failed", {
      err: new CodedError("X_FAIL", { n: 1n }, { cause: new Error("inner") }),
      cyc,
      nan: Number.NaN,
      fn: () => 1,
      set: new Set([1]),
      map: new Map([["k", 2n]]),
    });
    const r = records()[0];
    expect(r.err).toMatchObject({
      name: "CodedError",
      code: "X_FAIL",
      meta: { n: "1" },
      cause: { message: "inner" },
    });
    expect(r.cyc).toEqual({ a: 1, self: "[Circular]" });
    expect(r.nan).toBe("NaN");
    expect(r.set).toEqual([1]);
    expect(r.map).toEqual({ k: "2" });
  });

  it("never throws: a failing sink, a throwing getter, bad arguments, an unknown level", () => {
    const log = createLogger({
      sink: () => {
        throw new Error("disk full");
      },
    });
    expect(() => log.error("x")).not.toThrow();
    const { log: ok, records } = capture();
    const evil = {
      get boom() {
        throw new Error("getter");
      },
    };
    expect(() => ok.info("evil", { evil })).not.toThrow();
    expect(() => ok.info(undefined as unknown as string, null as unknown as undefined)).not.toThrow();
    expect(records().length).toBeGreaterThanOrEqual(1);
    expect(createLogger({ level: "loud" as never, sink: () => {} }).level).toBe("info");
    expect(isLogLevel("warn")).toBe(true);
    expect(isLogLevel("loud")).toBe(false);
  });

  it("formatLogLine is deterministic", () => {
    expect(formatLogLine(0, "warn", "m", { module: "p2p" })).toBe(
      '{"time":"1970-01-01T00:00:00.000Z","level":"warn","msg":"m","module":"p2p"}\n',
    );
  });
});
