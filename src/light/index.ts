/**
 * src/light: the light-client library. `LightClient` checks headers (certificates against a trusted
 * quorum set, prev-id chaining), the tip forest, refreshed proofs, and offers submit and watch over
 * Protocol.LIGHT; `connectLightClient` runs it over libp2p. The server side is src/node/relay.ts.
 * Design: /work/shared/DESIGN.md ("network/": light-client protocol).
 */
export * from "./client.js";
export * from "./connect.js";
export * from "./errors.js";
