/**
 * `npm start`: launches the local 4-validator testnet (testnet/local/launcher.ts) and prints a line
 * per new block until Ctrl-C, then stops every node cleanly and exits 0.
 *
 *   tsx testnet/launch.ts [--fresh] [--nodes N] [--dir DIR] [--base-p2p-port P] [--base-api-port P]
 *                         [--empty-block-interval-ms MS] [--log-level LEVEL]
 */
import { parseArgs } from "node:util";
import {
  DEFAULT_BASE_PORTS,
  DEFAULT_TESTNET_DIR,
  FAUCET_QTY,
  type LocalNetwork,
  startLocalNetwork,
  watchBlocks,
} from "./local/launcher.js";

const USAGE = `usage: npm start -- [--fresh] [--nodes N] [--dir DIR] [--base-p2p-port P] [--base-api-port P]
                    [--empty-block-interval-ms MS] [--log-level trace|debug|info|warn|error]`;

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[0-9]{1,6}$/.test(v)) {
    console.error(`launch: --${name} expects a number\n${USAGE}`);
    process.exit(2);
  }
  return Number(v);
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        fresh: { type: "boolean" },
        nodes: { type: "string" },
        dir: { type: "string" },
        "base-p2p-port": { type: "string" },
        "base-api-port": { type: "string" },
        "empty-block-interval-ms": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`launch: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values["help"] === true) {
    console.log(USAGE);
    return 0;
  }
  const dir = (values["dir"] as string | undefined) ?? DEFAULT_TESTNET_DIR;
  let net: LocalNetwork;
  try {
    net = await startLocalNetwork({
      dir,
      fresh: values["fresh"] === true,
      nodes: num(values["nodes"] as string | undefined, "nodes", 4),
      basePorts: {
        p2p: num(values["base-p2p-port"] as string | undefined, "base-p2p-port", DEFAULT_BASE_PORTS.p2p),
        api: num(values["base-api-port"] as string | undefined, "base-api-port", DEFAULT_BASE_PORTS.api),
      },
      emptyBlockIntervalMs: num(
        values["empty-block-interval-ms"] as string | undefined,
        "empty-block-interval-ms",
        2000,
      ),
      ...(values["log-level"] === undefined ? {} : { logLevel: values["log-level"] as string }),
    });
  } catch (e) {
    console.error(`launch: ${(e as Error).message}`);
    return 1;
  }
  console.log(`local testnet: ${net.nodes.length} validators, data in ${net.dir}`);
  for (const x of net.nodes)
    console.log(`  ${x.name}  api ${x.apiUrl}  p2p ${x.p2pPort}  pid ${x.pid}  log ${x.logFile}`);
  console.log(`dashboard  ${net.dashboardUrl}`);
  console.log(`network    ${net.networkFile}`);
  console.log(
    `faucet     ${net.faucetWallet} (${FAUCET_QTY} native at genesis): npx zkvm-node wallet balance --wallet ${net.faucetWallet}`,
  );
  console.log("Ctrl-C stops every node.");
  const unwatch = watchBlocks(net, (b) => {
    const all = b.heights.map((h) => (h === undefined ? "-" : h.toString())).join("/");
    console.log(`block ${b.height}  ${b.id.slice(0, 16)}  txs ${b.txs}  heights ${all}`);
  });
  let failed = false;
  let stopping = false;
  await new Promise<void>((res) => {
    const done = (): void => res();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    for (const x of net.nodes)
      x.process.once("exit", (code, sig) => {
        if (stopping) return;
        console.error(`launch: ${x.name} exited (${code ?? sig}); see ${x.logFile}`);
        failed = true;
        res();
      });
  });
  // Further signals while stopping are ignored; nodes get SIGTERM, then SIGKILL after 10 s.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  stopping = true;
  unwatch();
  console.log("stopping nodes...");
  await net.stop(10_000);
  console.log("stopped.");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`launch: internal error: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  },
);
