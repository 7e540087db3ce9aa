/**
 * network/: the only layer that imports libp2p. Gossip topics and request/response protocols per
 * network id, injected validators and handlers, strict message codecs, persistent peer identity.
 * Design: /work/shared/DESIGN.md ("network/").
 */
export * from "./errors.js";
export * from "./identity.js";
export * from "./messages.js";
export * from "./protocols.js";
export type { RequestHandler } from "./reqresp.js";
export * from "./service.js";
