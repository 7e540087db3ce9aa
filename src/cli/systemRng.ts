/** The operating system's randomness as an `Rng` (for the CLI and the node; never in the pure core). */
import { randomFillSync } from "node:crypto";
import type { Rng } from "../util/rng.js";

export const systemRng: Rng = {
  fillBytes(dest: Uint8Array): void {
    randomFillSync(dest);
  },
};
