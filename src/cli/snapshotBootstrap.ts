/**
 * `zkvm-node init --from-snapshot SRC` (issue 8, "instant bootstrap"): fills a freshly initialized
 * data directory from the latest certified header + utreexo forest of a peer instead of replaying
 * history (src/node/snapshot.ts does the fetching and checking). SRC is `peers` (the network file's
 * bootstrap peers) or one peer's multiaddr ending in `/p2p/<peer id>`. Registered by main.ts.
 */
import { bootstrapFromSnapshot } from "../node/snapshot.js";
import { toHex } from "../util/bytes.js";
import { CliCode, CliError } from "./errors.js";
import type { SnapshotBootstrap } from "./nodeCommands.js";

/** The bootstrap peers named by an `--from-snapshot` source (CLI_USAGE if it names none). */
export function snapshotPeers(source: string, networkPeers: readonly string[]): string[] {
  if (source === "peers") {
    if (networkPeers.length === 0)
      throw new CliError(CliCode.USAGE, {
        what: "--from-snapshot peers: the network file names no bootstrap peers",
      });
    return [...networkPeers];
  }
  if (/^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/[0-9]{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]{20,}$/.test(source))
    return [source];
  throw new CliError(CliCode.USAGE, {
    what: "--from-snapshot takes `peers` or a multiaddr /ip4/H/tcp/P/p2p/ID",
    reason: source,
  });
}

/** The bootstrap `init` calls: fetch, verify and install the snapshot; reports where it came from. */
export const snapshotBootstrap: SnapshotBootstrap = async ({ source, config, network }) => {
  const bootstrapPeers = snapshotPeers(source, config.bootstrapPeers);
  const r = await bootstrapFromSnapshot({
    config: { ...config, bootstrapPeers },
    genesis: network.genesis,
  });
  return { height: r.height, tipId: toHex(r.tipId), elapsedMs: Math.round(r.elapsedMs), peer: r.peer };
};
