/**
 * (slow) The local testnet launcher end to end, with a restart: four real `zkvm-node start` processes agree on blocks,
 * stop cleanly (exit code 0), and continue the chain after a restart from the same folder.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/app.js";
import { seededRng } from "../../src/util/rng.js";
import { heightOf, LauncherError, type LocalNetwork, startLocalNetwork, stopProcesses } from "./launcher.js";

const dir = mkdtempSync(join(tmpdir(), "zkvm-testnet-"));
const running: LocalNetwork[] = [];

afterAll(async () => {
  for (const n of running)
    await stopProcesses(
      n.nodes.map((x) => x.process),
      3000,
    );
  rmSync(dir, { recursive: true, force: true });
});

/** The last log lines of the nodes that did not exit with 0 (for the assertion message). */
function logsOfFailed(net: LocalNetwork): string {
  return net.nodes
    .filter((x) => x.process.exitCode !== 0)
    .map(
      (x) =>
        `${x.name} (exit ${x.process.exitCode}):\n${readFileSync(x.logFile, "utf8").split("\n").slice(-12).join("\n")}`,
    )
    .join("\n");
}

async function waitHeights(net: LocalNetwork, atLeast: bigint, ms: number): Promise<bigint[]> {
  const until = Date.now() + ms;
  for (;;) {
    const hs = await Promise.all(net.nodes.map((x) => heightOf(x.apiUrl)));
    if (hs.every((h) => h !== undefined && h >= atLeast)) return hs as bigint[];
    if (Date.now() > until) throw new Error(`heights ${hs.join("/")} below ${atLeast}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local testnet launcher", () => {
  it("runs 4 validator processes that finalize blocks, stops them cleanly, restarts the chain", async () => {
    const opts = {
      dir,
      nodes: 4,
      basePorts: { p2p: 0, api: 0 },
      emptyBlockIntervalMs: 300,
      logLevel: "info",
      env: { ZKVM_MSM: "js" },
    };
    const net = await startLocalNetwork(opts);
    running.push(net);
    expect(net.nodes).toHaveLength(4);
    expect(new Set(net.nodes.map((x) => x.pid)).size).toBe(4);
    expect(statSync(join(dir, "faucet.wallet.json")).mode & 0o777).toBe(0o600);
    const hs = await waitHeights(net, 3n, 30_000);
    expect(hs.every((h) => h >= 3n)).toBe(true);
    // all four agree on block 2
    const ids = await Promise.all(
      net.nodes.map(async (x) => ((await (await fetch(`${x.apiUrl}/blocks/2`)).json()) as { id: string }).id),
    );
    expect(new Set(ids).size, JSON.stringify(ids)).toBe(1);

    // the faucet wallet works against node 1 once the node serves raw blocks (else: an exact code)
    const lines: string[] = [];
    const errs: string[] = [];
    const code = await runCli(["wallet", "balance", "--json", "--wallet", net.faucetWallet], {
      out: (s) => lines.push(s),
      err: (s) => errs.push(s),
      rng: seededRng("launcher"),
      env: {},
      cwd: dir,
    });
    if (code === 0) expect(JSON.parse(lines[0]!).balances).toEqual({ native: "1000000000" });
    else expect(errs.join()).toContain("CLI_API_NO_RAW_BLOCKS");

    // must-fail twin: a second launcher on the same folder finds the ports busy
    await expect(startLocalNetwork(opts)).rejects.toBeInstanceOf(LauncherError);

    await net.stop(10_000);
    expect(
      net.nodes.map((x) => x.process.exitCode),
      logsOfFailed(net),
    ).toEqual([0, 0, 0, 0]);
    running.pop();

    const again = await startLocalNetwork(opts);
    running.push(again);
    const before = hs.reduce((a, b) => (a < b ? a : b));
    const after = await waitHeights(again, before + 2n, 30_000);
    expect(after.every((h) => h >= before + 2n)).toBe(true);
    await again.stop(10_000);
    expect(
      again.nodes.map((x) => x.process.exitCode),
      logsOfFailed(again),
    ).toEqual([0, 0, 0, 0]);
    running.pop();
  }, 90_000);
});
