/**
 * Starsig (Schnorr) verification from wire bytes: one signature, and a batch of 64 with one MSM.
 * Signatures and keys are decoded from bytes inside each run, as a verifier receiving them would.
 */

import { CompressedPoint } from "../../src/crypto/ristretto.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import {
  messageTranscript,
  publicKey,
  Signature,
  signMessage,
  verifyBatch,
  verifyMessage,
} from "../../src/crypto/starsig.js";
import { seededRng } from "../../src/util/rng.js";
import type { BenchGroup } from "./harness.js";

const LABEL = "bench";

const groups: BenchGroup[] = [
  {
    name: "starsig",
    async run(ctx) {
      if (!ctx.wants("starsig_verify") && !ctx.wants("starsig_verify_batch")) return;
      const rng = seededRng("bench starsig");
      const items = Array.from({ length: 64 }, (_, i) => {
        const secret = randomScalar(rng);
        const message = new Uint8Array([i, 1, 2, 3]);
        const sig = signMessage(LABEL, message, secret, rng).encode();
        return { message, sig, pubkey: publicKey(secret).bytes };
      });
      let i = 0;
      await ctx.bench({ bench: "starsig_verify" }, () => {
        const it = items[i++ & 63]!;
        verifyMessage(Signature.decode(it.sig), LABEL, it.message, new CompressedPoint(it.pubkey));
      });
      const vrng = seededRng("bench starsig weights");
      await ctx.bench({ bench: "starsig_verify_batch", count: 64 }, () =>
        verifyBatch(
          items.map((it) => ({
            sig: Signature.decode(it.sig),
            transcript: messageTranscript(LABEL, it.message),
            pubkey: new CompressedPoint(it.pubkey),
          })),
          vrng,
        ),
      );
    },
  },
];

export default groups;
