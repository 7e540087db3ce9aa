/**
 * Base class of every error the project throws on purpose. An error carries a stable string `code`
 * (namespaced, e.g. `DECODE_TRAILING_BYTES`), small JSON-safe `meta`data, and an optional `cause`.
 * Tests, metrics and RPC answers use `code`, never the message text.
 */
export type ErrorMeta = Readonly<Record<string, string | number | boolean | bigint | null | undefined>>;

export class CodedError<Code extends string = string, Meta extends ErrorMeta = ErrorMeta> extends Error {
  readonly code: Code;
  readonly meta: Meta;

  constructor(code: Code, meta: Meta, opts?: { message?: string; cause?: unknown }) {
    super(
      opts?.message ?? describe(code, meta),
      opts?.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.code = code;
    this.meta = meta;
    this.name = new.target.name;
  }

  /** A JSON-safe form for logs and API answers (bigints become decimal strings). */
  toJSON(): { name: string; code: Code; message: string; meta: Record<string, unknown>; cause?: unknown } {
    const meta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.meta)) meta[k] = typeof v === "bigint" ? v.toString() : v;
    const out: { name: string; code: Code; message: string; meta: Record<string, unknown>; cause?: unknown } =
      {
        name: this.name,
        code: this.code,
        message: this.message,
        meta,
      };
    if (this.cause instanceof CodedError) out.cause = this.cause.toJSON();
    else if (this.cause instanceof Error) out.cause = { name: this.cause.name, message: this.cause.message };
    return out;
  }
}

function describe(code: string, meta: ErrorMeta): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) parts.push(`${k}=${String(v)}`);
  return parts.length === 0 ? code : `${code} (${parts.join(", ")})`;
}

/** Thrown when an internal invariant does not hold: a bug, never a verdict on input. */
export class InvariantError extends CodedError<"INVARIANT_VIOLATED", { what: string }> {
  constructor(what: string) {
    super("INVARIANT_VIOLATED", { what }, { message: `invariant violated: ${what}` });
  }
}

/** Asserts an internal invariant. Use only for conditions that no input can cause. */
export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new InvariantError(what);
}

/** True if `e` is a CodedError with the given code. */
export function hasCode(e: unknown, code: string): boolean {
  return e instanceof CodedError && e.code === code;
}

/** The code of an error for logs and verdicts: a CodedError's code, else the error's class name. */
export function errorCode(e: unknown): string {
  if (e instanceof CodedError) return e.code;
  return e instanceof Error ? e.name : "UNKNOWN";
}
