/**
 * The contract SDK (zkvm-spec.md "Examples"): contracts people will write, each as a module with
 * its design in the module comment — offer, 2-of-3 escrow, payment channel, collateralized loan —
 * and the shared value-flow builder and program snippets they are made of.
 */
export * from "./common.js";
export * from "./escrow.js";
export * from "./loan.js";
export * from "./offer.js";
export * from "./paymentChannel.js";
