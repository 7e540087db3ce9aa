/**
 * Structured logging for the node (DESIGN.md, "src/node"): one JSON object per line with `time`, `level`,
 * `msg`, the logger's bound context (e.g. `{module: "herder"}`) and the call's fields. Child loggers add
 * context. Output goes to an injected sink (stderr by default); the logger never throws, whatever it is
 * given (bigints become strings, byte arrays hex, errors their name/message/code, cycles "[Circular]").
 */
import { toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields attached to a log line. */
export type LogContext = Readonly<Record<string, unknown>>;

/** Where log lines go: called with one complete line (ending in "\n"). */
export type LogSink = (line: string) => void;

/** The structured logger interface. */
export interface Logger {
  readonly level: LogLevel;
  trace(msg: string, ctx?: LogContext): void;
  debug(msg: string, ctx?: LogContext): void;
  info(msg: string, ctx?: LogContext): void;
  warn(msg: string, ctx?: LogContext): void;
  error(msg: string, ctx?: LogContext): void;
  fatal(msg: string, ctx?: LogContext): void;
  /** True if a line at `level` would be written. */
  isEnabled(level: LogLevel): boolean;
  /** A logger writing to the same sink with `ctx` added to every line (e.g. `{module: "api"}`). */
  child(ctx: LogContext): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written (default "info"). */
  readonly level?: LogLevel;
  /** Destination (default: process.stderr). */
  readonly sink?: LogSink;
  /** Clock in ms since the epoch (default Date.now). */
  readonly now?: () => number;
  /** Context on every line. */
  readonly context?: LogContext;
}

/** True if `s` names a log level. */
export function isLogLevel(s: unknown): s is LogLevel {
  return typeof s === "string" && (LOG_LEVELS as readonly string[]).includes(s);
}

const RESERVED = new Set(["time", "level", "msg"]);
const MAX_DEPTH = 6;

/** Converts any value to a JSON-safe form. */
function safe(v: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "function" || typeof v === "symbol") return String(v);
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return toHex(v);
  if (seen.has(v)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Depth]";
  seen.add(v);
  try {
    if (v instanceof Error) {
      const out: Record<string, unknown> = { name: v.name, message: v.message };
      if (v instanceof CodedError) {
        out["code"] = v.code;
        out["meta"] = safe(v.meta, seen, depth + 1);
      }
      if (v.cause !== undefined) out["cause"] = safe(v.cause, seen, depth + 1);
      return out;
    }
    if (Array.isArray(v)) return v.map((x) => safe(x, seen, depth + 1));
    if (v instanceof Map) return safe(Object.fromEntries(v), seen, depth + 1);
    if (v instanceof Set) return safe([...v], seen, depth + 1);
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = safe((v as Record<string, unknown>)[k], seen, depth + 1);
    return out;
  } catch {
    return "[Unserializable]";
  } finally {
    seen.delete(v);
  }
}

/** Formats one log line (exported for tests and other sinks). */
export function formatLogLine(time: number, level: LogLevel, msg: string, ctx: LogContext): string {
  const record: Record<string, unknown> = {
    time: Number.isFinite(time) ? new Date(time).toISOString() : String(time),
    level,
    msg: typeof msg === "string" ? msg : String(msg),
  };
  const seen = new WeakSet<object>();
  for (const [k, v] of Object.entries(ctx)) {
    record[RESERVED.has(k) ? `ctx_${k}` : k] = safe(v, seen, 1);
  }
  return `${JSON.stringify(record)}\n`;
}

const stderrSink: LogSink = (line) => {
  process.stderr.write(line);
};

class JsonLogger implements Logger {
  constructor(
    readonly level: LogLevel,
    private readonly sink: LogSink,
    private readonly now: () => number,
    private readonly context: LogContext,
  ) {}

  isEnabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  private write(level: LogLevel, msg: string, ctx?: LogContext): void {
    if (!this.isEnabled(level)) return;
    try {
      let fields: LogContext = this.context;
      if (ctx !== undefined && ctx !== null && typeof ctx === "object") fields = { ...this.context, ...ctx };
      this.sink(formatLogLine(this.now(), level, msg, fields));
    } catch {
      // a logger must never take the node down: a failing sink or clock loses the line
    }
  }

  trace(msg: string, ctx?: LogContext): void {
    this.write("trace", msg, ctx);
  }
  debug(msg: string, ctx?: LogContext): void {
    this.write("debug", msg, ctx);
  }
  info(msg: string, ctx?: LogContext): void {
    this.write("info", msg, ctx);
  }
  warn(msg: string, ctx?: LogContext): void {
    this.write("warn", msg, ctx);
  }
  error(msg: string, ctx?: LogContext): void {
    this.write("error", msg, ctx);
  }
  fatal(msg: string, ctx?: LogContext): void {
    this.write("fatal", msg, ctx);
  }
  child(ctx: LogContext): Logger {
    return new JsonLogger(this.level, this.sink, this.now, { ...this.context, ...ctx });
  }
}

/** Creates a JSON-lines logger. An unknown `level` falls back to "info" rather than throwing. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = isLogLevel(opts.level) ? opts.level : "info";
  return new JsonLogger(level, opts.sink ?? stderrSink, opts.now ?? Date.now, opts.context ?? {});
}

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ level: "fatal", sink: () => {} });
