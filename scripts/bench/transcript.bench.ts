/** Merlin transcript operations, per call. */
import { Transcript } from "../../src/crypto/transcript.js";
import type { BenchGroup } from "./harness.js";

const groups: BenchGroup[] = [
  {
    name: "transcript",
    async run(ctx) {
      if (!ctx.wants("transcript_append32") && !ctx.wants("transcript_challenge_scalar")) return;
      const t = Transcript.create("bench");
      const msg = new Uint8Array(32).fill(7);
      await ctx.bench({ bench: "transcript_append32" }, () => t.appendMessage("m", msg));
      await ctx.bench({ bench: "transcript_challenge_scalar" }, () => t.challengeScalar("c"));
    },
  },
];

export default groups;
