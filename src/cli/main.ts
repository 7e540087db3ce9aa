#!/usr/bin/env node
/**
 * `zkvm-node`: the command line of the ZkVM sidechain node (README "Command line"; commands in
 * app.ts). Runs one command on this process's streams, environment and the system's randomness.
 */
import { runCli } from "./app.js";
import { setSnapshotBootstrap } from "./nodeCommands.js";
import { snapshotBootstrap } from "./snapshotBootstrap.js";
import { systemRng } from "./systemRng.js";

// A closed pipe (e.g. `| head`) ends the output quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

setSnapshotBootstrap(snapshotBootstrap);

const argv = process.argv.slice(2);
const code = await runCli(argv, {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  rng: systemRng,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
// A stopped node has closed everything it opened; do not wait for stray handles of libraries.
if (argv[0] === "start" || argv[0] === "run") process.exit(code);
