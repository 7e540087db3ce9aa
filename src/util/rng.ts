/**
 * Randomness is always injected into the pure core through this interface: blinding factors,
 * nonces and batch-verification weights. Tests use `seededRng`; the node injects the system RNG.
 */
import { shake256 } from "@noble/hashes/sha3.js";
import { utf8 } from "./bytes.js";

export interface Rng {
  /** Fills `dest` with random bytes. */
  fillBytes(dest: Uint8Array): void;
}

/**
 * A deterministic RNG (SHAKE256 stream of `seed`), for tests, benchmarks and reproducible runs.
 * Never use it for real keys or blinding factors.
 */
export function seededRng(seed: string | Uint8Array): Rng {
  const xof = shake256.create({});
  xof.update(utf8("zkvm-node seeded rng v1"));
  xof.update(typeof seed === "string" ? utf8(seed) : seed);
  return {
    fillBytes(dest: Uint8Array): void {
      if (dest.length > 0) xof.xofInto(dest);
    },
  };
}

/** `n` random bytes from `rng`. */
export function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  rng.fillBytes(out);
  return out;
}
