/**
 * A light client over libp2p: a client-only NetworkService (no gossip validators, no handlers) that
 * dials one relay and sends Protocol.LIGHT requests to it. libp2p itself stays inside network/.
 * Design: /work/shared/DESIGN.md ("network/": light-client protocol).
 */
import { NetworkService, type PeerPrivateKey, Protocol, type ProtocolLimits } from "../../network/index.js";
import { LightClient, type LightClientOptions, type LightTrust } from "./client.js";
import { LightCode, LightError } from "./errors.js";

/** How to reach a relay. */
export interface ConnectOptions {
  /** The network id (as the relay's node uses). */
  readonly networkId: string;
  /** The relay's multiaddr, ending in `/p2p/<peer id>`. */
  readonly relay: string;
  /** The client's libp2p identity (network/identity.ts: loadOrCreateIdentity). */
  readonly privateKey: PeerPrivateKey;
  readonly trust: LightTrust;
  /** How long to wait for the connection, ms. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Overrides of the light protocol's limits (e.g. a shorter timeout). */
  readonly limits?: Partial<ProtocolLimits>;
  readonly client?: Omit<LightClientOptions, "onClose">;
}

/** The peer id at the end of a multiaddr (`…/p2p/<id>`), or undefined. */
export function relayPeerId(multiaddr: string): string | undefined {
  const m = /\/p2p\/([A-Za-z0-9]+)$/.exec(multiaddr);
  return m?.[1];
}

/**
 * Starts a client host, connects to the relay and returns a LightClient whose `close()` stops the
 * host. LIGHT_CONNECT_FAILED if the address has no peer id or the relay is not reached in time.
 */
export async function connectLightClient(opts: ConnectOptions): Promise<LightClient> {
  const peer = relayPeerId(opts.relay);
  if (peer === undefined) throw new LightError(LightCode.CONNECT_FAILED, { reason: "no /p2p/ peer id" });
  const net = new NetworkService({
    networkId: opts.networkId,
    privateKey: opts.privateKey,
    listen: [],
    bootstrap: [opts.relay],
    bootstrapDelayMs: 10,
    ...(opts.limits === undefined ? {} : { protocolLimits: { [Protocol.LIGHT]: opts.limits } }),
  });
  await net.start();
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 10_000);
  while (!net.peers().includes(peer)) {
    if (Date.now() > deadline) {
      await net.stop();
      throw new LightError(LightCode.CONNECT_FAILED, { reason: "timeout", peer });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return new LightClient((req) => net.request(peer, Protocol.LIGHT, req), opts.trust, {
    ...opts.client,
    onClose: () => net.stop(),
  });
}
