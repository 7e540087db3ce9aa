/** The node's HTTP API: server, node view interface, metrics registry (DESIGN.md, "src/api"). */
export * from "./errors.js";
export * from "./json.js";
export * from "./metrics.js";
export type * from "./nodeView.js";
export * from "./server.js";
