/**
 * The `zkvm-node` command dispatcher (README "Command line"): parses the command, runs it with an
 * injected {@link CliContext}, and turns errors into exit codes — 0 success, 2 unusable input
 * (CLI_USAGE, CONFIG_*, bad files, bad receipts), 1 failure (node unreachable or rejecting, funds).
 * src/cli/main.ts runs it on the process; tests call `runCli` directly.
 */
import "../polyfill.js";
import { setDefaultMsmBackend, setSecretMsmKernel } from "../crypto/msm/index.js";
import { selectMsmBackend } from "../crypto/msm/native.js";
import { CodedError } from "../util/codedError.js";
import type { CliContext } from "./context.js";
import { CliCode, CliError, exitCodeOf } from "./errors.js";
import { cmdInit, cmdKeygen, cmdStatus, nodeIdHex, withDataDirConfig } from "./nodeCommands.js";
import { SyncProgressPrinter } from "./syncProgress.js";
import { cmdTxDecode, cmdTxExamples, cmdTxVerify, UsageError } from "./txCommands.js";
import { cmdWallet } from "./walletCommands.js";

export const USAGE = `usage: zkvm-node COMMAND [FLAGS]

node:
  keygen [--out FILE]                  create a node key (mode 0600; default ./node.key), print the node id
  init --data-dir DIR [--network FILE] [--validator|--watcher] [--listen-host H] [--listen-port P]
       [--api-host H] [--api-port P] [--log-level L] [--force] [--from-snapshot SRC] [--json]
                                       create a data dir (keys, genesis.json, network.json, config.json);
                                       without --network: a one-validator network of this node
  start [--data-dir DIR] [FLAGS]       run the node until SIGINT/SIGTERM (alias: run). Reads DIR/config.json;
                                       flags override it: --config --network --listen-host --listen-port
                                       --api-host --api-port --bootstrap --validator --no-validator
                                       --quorum-set --genesis --empty-block-interval-ms --msm --log-level
  status [--api URL | --data-dir DIR] [--json]
  node-id [--data-dir DIR]             print the node id of DIR/node.key (created if missing)

wallet (talks to a node's API; --wallet FILE, default $ZKVM_WALLET or ./wallet.json; --api URL):
  wallet new --network FILE | --data-dir DIR [--api URL]
  wallet address                       a fresh receiving key
  wallet sync
  wallet issue --qty N --metadata TEXT [--fee N] [--wait]          prints the new flavor
  wallet pay --to KEY --qty N [--flavor F] [--fee N] [--receipt FILE] [--wait]
  wallet receive RECEIPT|-             import a payment from its receipt
  wallet balance [--pending] [--json]
  wallet utxos [--json]
  (issue, pay, receive, balance, utxos also work without the "wallet" prefix)

transactions:
  tx verify FILE [--json]              verify every transaction in FILE (exit 0 even if some are invalid)
  tx decode HEX|FILE                   decode one transaction (header, program, sizes, txid, log)
  tx examples --out FILE               write {"txs":[{name, tx_hex}, ...]} built by this prover

exit codes: 0 ok, 1 failure (node unreachable, tx rejected: the reason code is printed), 2 bad input`;

/**
 * Installs the native addon's verification MSM and constant-time prover MSM when it loads (wallet
 * commands prove and verify; ZKVM_MSM=js keeps everything in JavaScript).
 */
function useFastBackends(ctx: CliContext): void {
  const { backend, secretMsm } = selectMsmBackend({ ...ctx.env });
  setDefaultMsmBackend(backend);
  setSecretMsmKernel(secretMsm);
}

/** Options of {@link runCli} (tests replace the wait for a signal). */
export interface RunCliOptions {
  /** Resolves when a started node should stop (default: SIGINT or SIGTERM). */
  readonly untilStop?: () => Promise<void>;
}

/**
 * Resolves on the first SIGINT or SIGTERM. Later signals are ignored so that a clean stop in
 * progress is not cut short (e.g. Ctrl-C reaching both a launcher and its nodes); SIGKILL remains.
 */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    let seen = false;
    const stop = (): void => {
      if (!seen) resolve();
      seen = true;
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

const WALLET_ALIASES = new Set(["issue", "pay", "receive", "balance", "utxos"]);

async function dispatch(argv: readonly string[], ctx: CliContext, opts: RunCliOptions): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
      ctx.err(USAGE);
      return 2;
    case "help":
    case "--help":
    case "-h":
      ctx.out(USAGE);
      return 0;
    case "keygen":
      return cmdKeygen(rest, ctx);
    case "init":
      return cmdInit(rest, ctx);
    case "status":
      return cmdStatus(rest, ctx);
    case "wallet":
      useFastBackends(ctx);
      return cmdWallet(rest[0], rest.slice(1), ctx);
    case "node-id": {
      const { configFrom, nodeIdOf } = await import("../node/run.js");
      ctx.out(nodeIdOf(configFrom(withDataDirConfig(rest, ctx), ctx.env), ctx.rng));
      return 0;
    }
    case "start":
    case "run": {
      const { runNode, configFrom, loadOrCreateNodeSecret, NODE_KEY_FILE } = await import("../node/run.js");
      const { join } = await import("node:path");
      const nodeArgv = withDataDirConfig(rest, ctx);
      const config = configFrom(nodeArgv, ctx.env);
      const progress = new SyncProgressPrinter();
      const node = await runNode(nodeArgv, ctx.env, undefined, (p) => {
        const line = progress.update(p);
        if (line !== undefined) ctx.err(`zkvm-node: ${line}`);
      });
      const id = nodeIdHex(loadOrCreateNodeSecret(join(config.dataDir, NODE_KEY_FILE)));
      ctx.out(`zkvm-node: node ${id} running on ${config.network}; API ${node.apiUrl}`);
      try {
        await (opts.untilStop ?? untilSignal)();
      } finally {
        await node.stop();
      }
      ctx.out("zkvm-node: stopped");
      return 0;
    }
    case "tx": {
      // The MSM backend: the native addon when it was built and loads, else pure JS (ZKVM_MSM=js forces JS).
      const { backend, reason, secretMsm } = selectMsmBackend({ ...ctx.env });
      setDefaultMsmBackend(backend);
      setSecretMsmKernel(secretMsm);
      ctx.err(`zkvm-node: msm backend ${backend.name}: ${reason}`);
      const [sub, ...args] = rest;
      if (sub === "verify") {
        const file = args.find((a) => !a.startsWith("--"));
        if (file === undefined) throw new UsageError("tx verify needs a FILE");
        return cmdTxVerify(file, args.includes("--json"), ctx.out);
      }
      if (sub === "decode") {
        const arg = args[0];
        if (arg === undefined) throw new UsageError("tx decode needs a HEX string or a FILE");
        return cmdTxDecode(arg, ctx.out);
      }
      if (sub === "examples") {
        const i = args.indexOf("--out");
        const file = i >= 0 ? args[i + 1] : undefined;
        if (file === undefined) throw new UsageError("tx examples needs --out FILE");
        const { buildExampleTxs } = await import("../zkvm/examples.js");
        return cmdTxExamples(file, ctx.out, () => buildExampleTxs(ctx.rng));
      }
      throw new UsageError(`unknown tx command: ${sub ?? "(none)"}`);
    }
    default:
      if (WALLET_ALIASES.has(cmd)) {
        useFastBackends(ctx);
        return cmdWallet(cmd, rest, ctx);
      }
      throw new CliError(CliCode.USAGE, { what: `unknown command: ${cmd}` });
  }
}

/** One line describing a coded error for the terminal: `CODE (meta...)`. */
export function describeError(e: CodedError): string {
  let line = e.message;
  let c: unknown = e.cause;
  for (let depth = 0; c instanceof CodedError && depth < 3; depth++) {
    line += `; caused by ${c.message}`;
    c = c.cause;
  }
  return line;
}

/** Runs one command; never throws: errors are printed on `ctx.err` and mapped to exit codes. */
export async function runCli(
  argv: readonly string[],
  ctx: CliContext,
  opts: RunCliOptions = {},
): Promise<number> {
  try {
    return await dispatch(argv, ctx, opts);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.err(`zkvm-node: ${e.message}`);
      ctx.err(USAGE);
      return 2;
    }
    if (e instanceof CodedError) {
      ctx.err(`zkvm-node: ${describeError(e)}`);
      const code = exitCodeOf(e.code);
      if (e.code === CliCode.USAGE) ctx.err("(zkvm-node help lists the commands)");
      return code;
    }
    ctx.err(`zkvm-node: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}
