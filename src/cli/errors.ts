/**
 * Error codes of the `zkvm-node` command line (DESIGN.md, "src/node + src/cli"). Each code maps to
 * an exit status: 2 for unusable input (flags, files, receipts), 1 for failures (node unreachable,
 * transaction rejected, funds missing).
 */
import { CodedError } from "../util/codedError.js";

export const CliCode = {
  /** Unknown command or flag, missing or malformed argument. */
  USAGE: "CLI_USAGE",
  /** The network file is unreadable, not JSON, or has a missing, unknown or malformed field. */
  BAD_NETWORK_FILE: "CLI_BAD_NETWORK_FILE",
  /** The wallet file is unreadable or malformed. */
  BAD_WALLET_FILE: "CLI_BAD_WALLET_FILE",
  /** A payment receipt is unreadable or malformed. */
  BAD_RECEIPT: "CLI_BAD_RECEIPT",
  /** A file the command would create already exists. */
  FILE_EXISTS: "CLI_FILE_EXISTS",
  /** The node's HTTP API cannot be reached or answered something unexpected. */
  API_UNREACHABLE: "CLI_API_UNREACHABLE",
  /** The node's HTTP API answered with an error (meta.error is its code). */
  API_ERROR: "CLI_API_ERROR",
  /** The node does not serve raw blocks (`GET /blocks/:height/raw`), which wallet sync needs. */
  API_NO_RAW_BLOCKS: "CLI_API_NO_RAW_BLOCKS",
  /** The node is on another chain (genesis id) than the wallet. */
  WRONG_NETWORK: "CLI_WRONG_NETWORK",
  /** A block fetched from the node does not extend the wallet's chain state (meta.reason: the chain code). */
  SYNC_FAILED: "CLI_SYNC_FAILED",
  /** The node rejected a submitted transaction (meta.reason: the node's code). */
  TX_REJECTED: "CLI_TX_REJECTED",
  /** Waiting for a transaction to be confirmed timed out. */
  TIMEOUT: "CLI_TIMEOUT",
  /** The requested feature is not available in this build (e.g. snapshot bootstrap). */
  UNSUPPORTED: "CLI_UNSUPPORTED",
} as const;
export type CliCode = (typeof CliCode)[keyof typeof CliCode];

export type CliMeta = {
  what?: string;
  reason?: string;
  path?: string;
  field?: string;
  error?: string;
  url?: string;
  status?: number;
  txid?: string;
  height?: number;
};

/** A command-line failure with a stable code. */
export class CliError extends CodedError<CliCode, CliMeta> {}

/** Codes that mean "unusable input" (exit 2) rather than "failure" (exit 1). */
const INPUT_CODES = new Set<string>([
  CliCode.USAGE,
  CliCode.BAD_NETWORK_FILE,
  CliCode.BAD_WALLET_FILE,
  CliCode.BAD_RECEIPT,
  CliCode.FILE_EXISTS,
  "WALLET_UNKNOWN_KEY",
  "WALLET_OPENING_MISMATCH",
  "WALLET_DUPLICATE_UTXO",
  "WALLET_KEY_MISMATCH",
]);

/** The exit status of a coded error: 2 for bad input (CLI_USAGE, CONFIG_*, bad files...), else 1. */
export function exitCodeOf(code: string): 1 | 2 {
  if (INPUT_CODES.has(code) || code.startsWith("CONFIG_") || code === "NODE_BAD_GENESIS") return 2;
  if (code === "NODE_BAD_NODE_KEY") return 2;
  return 1;
}
