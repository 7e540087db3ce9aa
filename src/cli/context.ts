/** What a `zkvm-node` command gets from its caller: output streams, randomness, environment. */
import type { Rng } from "../util/rng.js";

/** The I/O of one command run (the process's in main.ts; captured in tests). */
export interface CliContext {
  /** A line to standard output. */
  out(line: string): void;
  /** A line to standard error. */
  err(line: string): void;
  /** Randomness for keys, blinding factors and nonces. */
  readonly rng: Rng;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths. */
  readonly cwd: string;
}
