/**
 * Cloak figures: prove and verify a 2×2 cloak (two flavors, with its two 64-bit output range proofs;
 * 136 + 14 multipliers, padded to 256 — the shape of ZkVM's payment_2_2) and a single 64-bit range
 * proof (64 multipliers). Each run starts from values (prove) or commitments and proof bytes (verify),
 * so gadget building, commitments and proof decoding are included. Proof sizes and multiplier counts
 * ride along as fields.
 */

import { decodeR1csProof, encodeR1csProof } from "../../src/bulletproofs/proof.js";
import { Prover } from "../../src/bulletproofs/prover.js";
import { Verifier } from "../../src/bulletproofs/verifier.js";
import {
  type CommittedValue,
  cloak,
  commitValues,
  makeValue,
  rangeProof,
  SignedInteger,
  verifierCommitValues,
} from "../../src/cloak/index.js";
import { BulletproofGens } from "../../src/crypto/generators.js";
import type { CompressedPoint } from "../../src/crypto/ristretto.js";
import { Transcript } from "../../src/crypto/transcript.js";
import { seededRng } from "../../src/util/rng.js";
import type { BenchGroup } from "./harness.js";

const LABEL = "bench cloak";

/** Multipliers after padding to a power of two (what the generators and the IPP see). */
const padded = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(n, 1)));

const groups: BenchGroup[] = [
  {
    name: "cloak",
    async run(ctx) {
      const gens = BulletproofGens.withCapacity(256);
      const rng = seededRng("bench cloak");

      if (ctx.wants("cloak_2x2")) {
        const inputs = [makeValue(70, 1n), makeValue(30, 2n)];
        const outputs = [makeValue(30, 2n), makeValue(70, 1n)];
        const prove = () => {
          const p = new Prover(Transcript.create(LABEL));
          const ins = commitValues(p, inputs, rng);
          const outs = commitValues(p, outputs, rng);
          cloak(p, ins.allocated, outs.allocated);
          const proof = encodeR1csProof(p.prove(gens, rng));
          return { proof, ins: ins.committed, outs: outs.committed, multipliers: p.metrics().multipliers };
        };
        const sample = prove();
        const fields = {
          multipliers: sample.multipliers,
          padded: padded(sample.multipliers),
          proof_bytes: sample.proof.length,
        };
        await ctx.bench({ bench: "cloak_2x2_prove", ...fields }, prove, { minRuns: 5 });
        const verify = (ins: CommittedValue[], outs: CommittedValue[], bytes: Uint8Array) => {
          const v = new Verifier(Transcript.create(LABEL));
          cloak(v, verifierCommitValues(v, ins), verifierCommitValues(v, outs));
          v.verify(decodeR1csProof(bytes), gens, rng);
        };
        await ctx.bench(
          { bench: "cloak_2x2_verify", ...fields },
          () => verify(sample.ins, sample.outs, sample.proof),
          {
            minRuns: 5,
          },
        );
      }

      if (ctx.wants("range_proof_64")) {
        const q = SignedInteger.from(0x1234_5678_9abc_def0n);
        const prove = () => {
          const p = new Prover(Transcript.create(LABEL));
          const c = p.commit(q.toScalar(), 99n);
          rangeProof(p, c.variable, q);
          return { proof: encodeR1csProof(p.prove(gens, rng)), commitment: c.commitment };
        };
        const sample = prove();
        const fields = { multipliers: 64, padded: 64, proof_bytes: sample.proof.length };
        await ctx.bench({ bench: "range_proof_64_prove", ...fields }, prove, { minRuns: 5 });
        const verify = (commitment: CompressedPoint, bytes: Uint8Array) => {
          const v = new Verifier(Transcript.create(LABEL));
          rangeProof(v, v.commit(commitment), undefined);
          v.verify(decodeR1csProof(bytes), gens, rng);
        };
        await ctx.bench(
          { bench: "range_proof_64_verify", ...fields },
          () => verify(sample.commitment, sample.proof),
          {
            minRuns: 5,
          },
        );
      }
    },
  },
];

export default groups;
