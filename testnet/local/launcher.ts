/**
 * The local testnet launcher (DESIGN.md "testnet/"; README "Quick start"): N validators (default 4,
 * quorum 3-of-4) on this machine, ONE PROCESS PER NODE (`bin/zkvm-node.mjs start`), each with its
 * own data directory and sqlite store.
 *
 * Layout of the data folder (default `<repo>/.testnet`, gitignored):
 *   network.json          the network file (genesis at first launch, bootstrap peers, quorum set)
 *   faucet.wallet.json    a wallet holding the genesis allocation (use it with `zkvm-node wallet`)
 *   node1 … nodeN/        data directories made by `zkvm-node init` (+ node.log)
 * Keys, genesis and stores are reused when the folder exists, so a restart continues the chain;
 * `fresh` wipes it first. Exported for end-to-end tests and cluster benchmarks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOrCreateIdentity, peerIdOf } from "../../network/identity.js";
import { formatNetworkFile, loadNetworkFile, type NetworkFile } from "../../src/cli/networkFile.js";
import { initDataDir } from "../../src/cli/nodeCommands.js";
import { createFaucet } from "../../src/cli/walletFile.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { loadOrCreateNodeSecret, NODE_KEY_FILE } from "../../src/node/run.js";
import { fromHex, toHex } from "../../src/util/bytes.js";
import type { Rng } from "../../src/util/rng.js";

/** The repository root (this file is testnet/local/launcher.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `zkvm-node` launcher script. */
export const ZKVM_NODE_BIN = join(REPO_ROOT, "bin", "zkvm-node.mjs");
/** Default data folder of `npm start`. */
export const DEFAULT_TESTNET_DIR = join(REPO_ROOT, ".testnet");
/** Default first ports: node i (1-based) listens on p2p 7000+i and serves its API on 8000+i. */
export const DEFAULT_BASE_PORTS = { p2p: 7001, api: 8001 } as const;
/** Network id of the local testnet. */
export const LOCAL_NETWORK_ID = "zkvm-localnet";
/** The faucet's genesis allocation (native flavor). */
export const FAUCET_QTY = 1_000_000_000n;
export const FAUCET_WALLET_FILE = "faucet.wallet.json";

const systemRng: Rng = {
  fillBytes(dest: Uint8Array): void {
    randomFillSync(dest);
  },
};

/** Options of {@link startLocalNetwork}. */
export interface LocalNetworkOptions {
  /** Data folder (default `<repo>/.testnet`). */
  readonly dir?: string;
  /** Number of validators (default 4; quorum threshold n − ⌊(n−1)/3⌋). */
  readonly nodes?: number;
  /** First p2p and API ports (default 7001 / 8001); 0 picks free ports. Used only when creating configs. */
  readonly basePorts?: { readonly p2p: number; readonly api: number };
  /** Wipe the folder first. */
  readonly fresh?: boolean;
  /** Empty-block interval of the network (ms, default 2000). */
  readonly emptyBlockIntervalMs?: number;
  /** SCP round timeout of the network (ms; default: the node's, 1000). */
  readonly scpTimeoutMs?: number;
  /** Node log level (default "info"); logs go to `<node dir>/node.log`. */
  readonly logLevel?: string;
  /**
   * Further genesis utxos (contract ids, after the faucet's) when a new network is made, e.g. a
   * benchmark's pre-proven load. Ignored when the folder already holds a network.
   */
  readonly extraGenesisUtxos?: readonly Uint8Array[];
  /** Extra Node.js flags for the node processes (e.g. `--cpu-prof`). */
  readonly nodeFlags?: readonly string[];
  /** Extra environment for the node processes (e.g. ZKVM_MSM=js). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for every API to answer (default 60 s). */
  readonly startTimeoutMs?: number;
  readonly rng?: Rng;
}

/** One running node process. */
export interface LocalNode {
  readonly name: string;
  readonly dataDir: string;
  readonly apiUrl: string;
  readonly p2pPort: number;
  readonly apiPort: number;
  readonly nodeId: string;
  readonly peerId: string;
  readonly pid: number;
  readonly logFile: string;
  readonly process: ChildProcess;
}

/** A running local network. */
export interface LocalNetwork {
  readonly dir: string;
  readonly networkFile: string;
  readonly faucetWallet: string;
  readonly nodes: readonly LocalNode[];
  /** The dashboard (node 1's API root). */
  readonly dashboardUrl: string;
  /** Stops every node: SIGTERM, then SIGKILL after `timeoutMs` (default 10 s). Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

/** A launcher failure (bad options, busy port, a node that does not come up). */
export class LauncherError extends Error {}

/** True if `port` can be bound on 127.0.0.1 now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

/** A port the OS reports free on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

interface NodeLayout {
  name: string;
  dataDir: string;
  p2pPort: number;
  apiPort: number;
  nodeId: string;
  peerId: string;
}

function readConfigPorts(dataDir: string): { p2p: number; api: number } | undefined {
  try {
    const c = JSON.parse(readFileSync(join(dataDir, "config.json"), "utf8")) as Record<string, unknown>;
    if (typeof c["listenPort"] === "number" && typeof c["apiPort"] === "number")
      return { p2p: c["listenPort"], api: c["apiPort"] };
  } catch {
    // no config yet
  }
  return undefined;
}

/**
 * Creates (or reuses) the folder: node keys, the network file, per-node configs and the faucet
 * wallet. Returns the node layout. Does not start anything.
 */
export async function prepareLocalNetwork(opts: LocalNetworkOptions = {}): Promise<{
  dir: string;
  networkFile: string;
  faucetWallet: string;
  nodes: NodeLayout[];
}> {
  const dir = resolve(opts.dir ?? DEFAULT_TESTNET_DIR);
  const n = opts.nodes ?? 4;
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new LauncherError("nodes must be an integer in [1, 32]");
  const rng = opts.rng ?? systemRng;
  if (opts.fresh === true) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const networkPath = join(dir, "network.json");
  const faucetPath = join(dir, FAUCET_WALLET_FILE);
  const existing = existsSync(networkPath) ? loadNetworkFile(networkPath) : undefined;
  if (existing !== undefined && existing.quorumSet.validators.length !== n)
    throw new LauncherError(
      `${dir} holds a ${existing.quorumSet.validators.length}-node network; use --fresh to make a ${n}-node one`,
    );

  // Pass 1: keys and ports of every node.
  const base = opts.basePorts ?? DEFAULT_BASE_PORTS;
  const nodes: NodeLayout[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `node${i}`;
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = loadOrCreateNodeSecret(join(dataDir, NODE_KEY_FILE), rng);
    const peerId = peerIdOf(await loadOrCreateIdentity(join(dataDir, "peer.key")));
    const kept = existing === undefined ? undefined : readConfigPorts(dataDir);
    const p2pPort = kept?.p2p ?? (base.p2p === 0 ? await freePort() : base.p2p + i - 1);
    const apiPort = kept?.api ?? (base.api === 0 ? await freePort() : base.api + i - 1);
    nodes.push({ name, dataDir, p2pPort, apiPort, nodeId: toHex(publicKey(secret).bytes), peerId });
  }

  // Pass 2: the network file (kept across restarts: same genesis) and the faucet wallet.
  let network: NetworkFile;
  if (existing !== undefined) network = existing;
  else {
    const faucet = createFaucet({
      network: LOCAL_NETWORK_ID,
      timestampMs: BigInt(Date.now()),
      qty: FAUCET_QTY,
      rng,
      api: `http://127.0.0.1:${nodes[0]!.apiPort}`,
      ...(opts.extraGenesisUtxos === undefined ? {} : { extraUtxoIds: opts.extraGenesisUtxos }),
    });
    const genesis = faucet.genesis;
    network = {
      network: LOCAL_NETWORK_ID,
      genesis,
      bootstrap: nodes.map((x) => `/ip4/127.0.0.1/tcp/${x.p2pPort}/p2p/${x.peerId}`),
      quorumSet: {
        threshold: n - Math.floor((n - 1) / 3),
        validators: nodes.map((x) => fromHex(x.nodeId, 32)),
        innerSets: [],
      },
      emptyBlockIntervalMs: opts.emptyBlockIntervalMs ?? 2000,
      // stellar-core's 1 s unless asked: shorter rounds cut the slots whose leaders the validators
      // disagree on (each counts itself a neighbour), but see the closing note of issue 8
      ...(opts.scpTimeoutMs === undefined ? {} : { scpTimeoutMs: opts.scpTimeoutMs }),
    };
    rmSync(faucetPath, { force: true });
    faucet.session.saveNew(faucetPath);
    writeFileSync(networkPath, formatNetworkFile(network));
  }

  // Pass 3: per-node configs (keys are kept; configs are rewritten from the network file).
  for (const x of nodes)
    await initDataDir(
      {
        dataDir: x.dataDir,
        network,
        validator: true,
        listenHost: "127.0.0.1",
        listenPort: x.p2pPort,
        apiHost: "127.0.0.1",
        apiPort: x.apiPort,
        ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }),
        force: true,
      },
      { rng },
    );
  return { dir, networkFile: networkPath, faucetWallet: faucetPath, nodes };
}

/**
 * Spawns one `zkvm-node start --data-dir DIR` process (logs appended to `DIR/node.log`): what the
 * launcher does per node, exported so tests can restart a node or add one (e.g. a watcher).
 */
export function spawnNode(
  dataDir: string,
  opts: Pick<LocalNetworkOptions, "env" | "nodeFlags"> = {},
): { child: ChildProcess; logFile: string } {
  const logFile = join(dataDir, "node.log");
  const fd = openSync(logFile, "a", 0o600);
  try {
    const child = spawn(
      process.execPath,
      [...(opts.nodeFlags ?? []), ZKVM_NODE_BIN, "start", "--data-dir", dataDir],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", fd, fd],
        env: { ...process.env, ...(opts.env ?? {}) },
      },
    );
    return { child, logFile };
  } finally {
    closeSync(fd);
  }
}

/** Resolves once the API at `url` answers `/status`; LauncherError if `child` exits or time runs out. */
export async function waitForApi(
  url: string,
  child: ChildProcess,
  until: number,
  logFile: string,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new LauncherError(`node exited early (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    try {
      const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new LauncherError(`no answer from ${url} in time; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once("exit", () => res()));
}

/** Stops child processes: SIGTERM, wait up to `timeoutMs`, then SIGKILL. */
export async function stopProcesses(children: readonly ChildProcess[], timeoutMs = 10_000): Promise<void> {
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of alive) c.kill("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const all = Promise.all(alive.map(exited));
  const timedOut = await Promise.race([
    all.then(() => false),
    new Promise<boolean>((res) => {
      timer = setTimeout(() => res(true), timeoutMs);
    }),
  ]);
  if (timer !== undefined) clearTimeout(timer);
  if (timedOut) {
    for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await all;
  }
}

/**
 * Prepares the folder (see {@link prepareLocalNetwork}), checks the ports are free, spawns one
 * `zkvm-node start` process per node and waits until every API answers. On any failure the
 * processes already started are stopped.
 */
export async function startLocalNetwork(opts: LocalNetworkOptions = {}): Promise<LocalNetwork> {
  const layout = await prepareLocalNetwork(opts);
  for (const x of layout.nodes)
    for (const port of [x.p2pPort, x.apiPort])
      if (!(await portFree(port)))
        throw new LauncherError(
          `port ${port} (${x.name}) is in use: another launcher or node may still be running; stop it, or use other --base-p2p-port/--base-api-port with --fresh`,
        );
  const nodes: LocalNode[] = [];
  const children: ChildProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (timeoutMs?: number): Promise<void> => {
    stopped ??= stopProcesses(children, timeoutMs);
    return stopped;
  };
  try {
    for (const x of layout.nodes) {
      const { child, logFile } = spawnNode(x.dataDir, opts);
      children.push(child);
      nodes.push({
        name: x.name,
        dataDir: x.dataDir,
        apiUrl: `http://127.0.0.1:${x.apiPort}`,
        p2pPort: x.p2pPort,
        apiPort: x.apiPort,
        nodeId: x.nodeId,
        peerId: x.peerId,
        pid: child.pid ?? -1,
        logFile,
        process: child,
      });
    }
    const until = Date.now() + (opts.startTimeoutMs ?? 60_000);
    await Promise.all(nodes.map((x) => waitForApi(x.apiUrl, x.process, until, x.logFile)));
  } catch (e) {
    await stop(5000);
    throw e;
  }
  return {
    dir: layout.dir,
    networkFile: layout.networkFile,
    faucetWallet: layout.faucetWallet,
    nodes,
    dashboardUrl: `${nodes[0]!.apiUrl}/`,
    stop,
  };
}

/** A node's `/status` height, or undefined if it does not answer. */
export async function heightOf(apiUrl: string): Promise<bigint | undefined> {
  try {
    const r = await fetch(`${apiUrl}/status`, { signal: AbortSignal.timeout(2000) });
    const s = (await r.json()) as { height?: string };
    return s.height === undefined ? undefined : BigInt(s.height);
  } catch {
    return undefined;
  }
}

/**
 * Polls the nodes every `intervalMs` and calls `onBlock` once per new height reached by the
 * first node, with every node's height. Returns a function that stops watching.
 */
export function watchBlocks(
  net: Pick<LocalNetwork, "nodes">,
  onBlock: (b: { height: bigint; id: string; txs: number; heights: (bigint | undefined)[] }) => void,
  intervalMs = 500,
): () => void {
  let last: bigint | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const heights = await Promise.all(net.nodes.map((x) => heightOf(x.apiUrl)));
      const top = heights[0];
      if (top !== undefined && (last === undefined || top > last)) {
        for (let h = last === undefined ? top : last + 1n; h <= top; h++) {
          let id = "?";
          let txs = 0;
          // the store commits a block just after the status shows it: retry briefly
          for (let attempt = 0; attempt < 5 && id === "?"; attempt++) {
            try {
              const r = await fetch(`${net.nodes[0]!.apiUrl}/blocks/${h}`, {
                signal: AbortSignal.timeout(2000),
              });
              if (r.ok) {
                const b = (await r.json()) as { id?: string; txids?: string[] };
                id = b.id ?? "?";
                txs = b.txids?.length ?? 0;
              }
            } catch {
              // shown as unknown
            }
            if (id === "?") await new Promise((r) => setTimeout(r, 100));
          }
          onBlock({ height: h, id, txs, heights });
        }
        last = top;
      }
    })().finally(() => {
      busy = false;
    });
  }, intervalMs);
  return () => clearInterval(timer);
}
