#!/usr/bin/env node
/**
 * `zkvm-node`: the command line of the ZkVM sidechain node.
 *   zkvm-node tx verify FILE [--json]     verify transactions (JSON list of hex or {name, tx_hex})
 *   zkvm-node tx decode HEX|FILE          human-readable dump of one transaction
 *   zkvm-node tx examples --out FILE      write example transactions built by our prover
 *   zkvm-node run [FLAGS]                 run the node (config: src/node/config.ts) until SIGINT/SIGTERM
 *   zkvm-node node-id [FLAGS]             print the node id of the data dir's node key (creating it)
 */
import "../polyfill.js";
import { setDefaultMsmBackend } from "../crypto/msm/index.js";
import { selectMsmBackend } from "../crypto/msm/native.js";
import { CodedError } from "../util/codedError.js";
import { cmdTxDecode, cmdTxExamples, cmdTxVerify, UsageError } from "./txCommands.js";

const USAGE = `usage:
  zkvm-node tx verify FILE [--json]   verify every transaction in FILE (exit 0 even if some are invalid)
  zkvm-node tx decode HEX|FILE        decode one transaction (header, program, sizes, txid, log)
  zkvm-node tx examples --out FILE    write {"txs":[{name, tx_hex}, ...]} built by this prover
  zkvm-node run [FLAGS]               run the node until SIGINT/SIGTERM (needs --genesis FILE; flags:
                                      --config --data-dir --network --listen-host --listen-port
                                      --api-host --api-port --bootstrap --validator --quorum-set
                                      --empty-block-interval-ms --msm --log-level)
  zkvm-node node-id [FLAGS]           print the node id of <data-dir>/node.key (created if missing)`;

function out(s: string): void {
  process.stdout.write(`${s}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [group, cmd, ...rest] = argv;
  if (group === undefined || group === "--help" || group === "-h" || group === "help") {
    out(USAGE);
    return group === undefined ? 2 : 0;
  }
  if (group === "tx") {
    // The MSM backend: the native addon when it was built and loads, else pure JS (ZKVM_MSM=js forces JS).
    const { backend, reason } = selectMsmBackend(process.env);
    setDefaultMsmBackend(backend);
    process.stderr.write(`zkvm-node: msm backend ${backend.name}: ${reason}\n`);
    if (cmd === "verify") {
      const file = rest.find((a) => !a.startsWith("--"));
      if (file === undefined) throw new UsageError("tx verify needs a FILE");
      return cmdTxVerify(file, rest.includes("--json"), out);
    }
    if (cmd === "decode") {
      const arg = rest[0];
      if (arg === undefined) throw new UsageError("tx decode needs a HEX string or a FILE");
      return cmdTxDecode(arg, out);
    }
    if (cmd === "examples") {
      const i = rest.indexOf("--out");
      const file = i >= 0 ? rest[i + 1] : undefined;
      if (file === undefined) throw new UsageError("tx examples needs --out FILE");
      const { buildExampleTxs } = await import("../zkvm/examples.js");
      const { systemRng } = await import("./systemRng.js");
      return cmdTxExamples(file, out, () => buildExampleTxs(systemRng));
    }
  }
  if (group === "run" || group === "node-id") {
    const { configFrom, nodeIdOf, runNode } = await import("../node/run.js");
    try {
      if (group === "node-id") {
        out(nodeIdOf(configFrom(argv.slice(1), process.env)));
        return 0;
      }
      const node = await runNode(argv.slice(1), process.env);
      await new Promise<void>((resolve, reject) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          node.stop().then(resolve, reject);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      return 0;
    } catch (e) {
      if (e instanceof CodedError) throw new UsageError(`${e.code}: ${e.message}`);
      throw e;
    }
  }
  throw new UsageError(`unknown command: ${argv.join(" ")}`);
}

// A closed pipe (e.g. `| head`) ends the output quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`zkvm-node: ${e.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`zkvm-node: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
