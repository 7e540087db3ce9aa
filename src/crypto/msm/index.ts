/** The process-wide MSM backend. The default is pure JS; `src/node` may install a faster one at start-up. */
import type { MsmBackend } from "./backend.js";
import { JsMsmBackend } from "./jsBackend.js";

export * from "./backend.js";
export { JsMsmBackend } from "./jsBackend.js";
export { NobleMsmBackend } from "./nobleBackend.js";

let current: MsmBackend = new JsMsmBackend();

/** The backend used when none is passed explicitly. */
export function defaultMsmBackend(): MsmBackend {
  return current;
}

/** Installs the default backend (called once at start-up by the composition root or a benchmark). */
export function setDefaultMsmBackend(backend: MsmBackend): void {
  current = backend;
}
