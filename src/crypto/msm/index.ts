/** The process-wide MSM backend. The default is pure JS; `src/node` may install a faster one at start-up. */
import type { MsmBackend, SecretMsmKernel } from "./backend.js";
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

let secretKernel: SecretMsmKernel | undefined;

/**
 * The installed constant-time native MSM for secret scalars, or undefined (the prover then uses
 * the pure-JS constant-time `secretMsm`). Never a variable-time backend.
 */
export function secretMsmKernel(): SecretMsmKernel | undefined {
  return secretKernel;
}

/** Installs (or, with undefined, removes) the constant-time secret-scalar MSM kernel. */
export function setSecretMsmKernel(kernel: SecretMsmKernel | undefined): void {
  secretKernel = kernel;
}
