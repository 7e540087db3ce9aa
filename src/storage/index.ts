/**
 * Persistent node state: the `ChainStore` interface with its sqlite and in-memory implementations.
 * Spec: /work/shared/DESIGN.md, "src/storage".
 */
export * from "./chainStore.js";
export * from "./errors.js";
export { MemoryChainStore } from "./memoryStore.js";
export { SqliteChainStore, type SqliteStoreOptions } from "./sqliteStore.js";
