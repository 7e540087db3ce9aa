/**
 * A small strict argument parser for the `zkvm-node` subcommands: `--name value`, `--name=value`,
 * boolean `--name`, positional arguments, `--` ends the flags. Unknown flags and missing values are
 * CLI_USAGE errors (exit 2). The node's own flags (`start`) are parsed by src/node/config.ts.
 */
import { CliCode, CliError } from "./errors.js";

/** Which flags a command takes. */
export interface ArgSpec {
  /** Flags that take a value. */
  readonly values?: readonly string[];
  /** Flags without a value. */
  readonly booleans?: readonly string[];
  /** Most positional arguments allowed (default 0). */
  readonly maxPositional?: number;
}

/** Parsed arguments. */
export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly booleans: ReadonlySet<string>;
  readonly positional: readonly string[];
}

/** Parses `argv` against `spec` (CLI_USAGE on an unknown flag, a missing value or a repeated flag). */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const valueFlags = new Set(spec.values ?? []);
  const boolFlags = new Set(spec.booleans ?? []);
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (boolFlags.has(name)) {
      if (eq >= 0) throw new CliError(CliCode.USAGE, { what: `--${name} takes no value` });
      booleans.add(name);
      continue;
    }
    if (!valueFlags.has(name)) throw new CliError(CliCode.USAGE, { what: `unknown flag --${name}` });
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next !== "--"))
        throw new CliError(CliCode.USAGE, { what: `--${name} needs a value` });
      value = next;
      i++;
    }
    if (values.has(name)) throw new CliError(CliCode.USAGE, { what: `--${name} given twice` });
    values.set(name, value);
  }
  if (positional.length > (spec.maxPositional ?? 0))
    throw new CliError(CliCode.USAGE, { what: `unexpected argument ${positional[spec.maxPositional ?? 0]}` });
  return { values, booleans, positional };
}

/** The value of a required flag (CLI_USAGE if absent). */
export function required(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  if (v === undefined || v.length === 0) throw new CliError(CliCode.USAGE, { what: `--${name} is required` });
  return v;
}

/** Parses a u64 in decimal (CLI_USAGE naming `what` if malformed or out of range). */
export function parseU64(text: string, what: string, min = 0n): bigint {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text)) throw new CliError(CliCode.USAGE, { what: `${what}: not a u64` });
  const v = BigInt(text);
  if (v >= 1n << 64n || v < min)
    throw new CliError(CliCode.USAGE, { what: `${what}: out of range [${min}, 2^64)` });
  return v;
}

/** Parses 32 bytes of hex (CLI_USAGE naming `what`). */
export function parseHex32(text: string, what: string): string {
  const t = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(t))
    throw new CliError(CliCode.USAGE, { what: `${what}: expected 64 hex digits` });
  return t.toLowerCase();
}
