/**
 * Test and benchmark support: prove and verify a cloak statement with the real R1CS prover and
 * verifier. Not used by the protocol code.
 */

import type { R1csProof } from "../bulletproofs/proof.js";
import { type ProveOptions, Prover } from "../bulletproofs/prover.js";
import { Verifier } from "../bulletproofs/verifier.js";
import { BulletproofGens } from "../crypto/generators.js";
import { Transcript } from "../crypto/transcript.js";
import type { Rng } from "../util/rng.js";
import { cloak } from "./cloak.js";
import type { WitnessOptions } from "./rangeProof.js";
import { type CommittedValue, commitValues, type Value, verifierCommitValues } from "./value.js";

/** Generators large enough for every test shape (1×8 pads to 1024 multipliers). */
export function testGens(): BulletproofGens {
  return BulletproofGens.withCapacity(1024);
}

export interface CloakProofResult {
  readonly proof: R1csProof;
  readonly inputs: CommittedValue[];
  readonly outputs: CommittedValue[];
  readonly multipliers: number;
}

/** Commits inputs then outputs, runs the cloak gadget and proves. */
export function proveCloak(
  rng: Rng,
  inputs: readonly Value[],
  outputs: readonly Value[],
  opts: { label?: string; witness?: WitnessOptions; prove?: ProveOptions } = {},
): CloakProofResult {
  const prover = new Prover(Transcript.create(opts.label ?? "cloak test"));
  const ins = commitValues(prover, inputs, rng);
  const outs = commitValues(prover, outputs, rng);
  cloak(prover, ins.allocated, outs.allocated, opts.witness);
  const proof = prover.prove(testGens(), rng, opts.prove);
  const multipliers = prover.metrics().multipliers;
  return { proof, inputs: ins.committed, outputs: outs.committed, multipliers };
}

/** Commits the values, runs the cloak gadget on the verifier and checks the proof (throws on failure). */
export function verifyCloak(
  rng: Rng,
  proof: R1csProof,
  inputs: readonly CommittedValue[],
  outputs: readonly CommittedValue[],
  opts: { label?: string; extra?: Uint8Array } = {},
): void {
  const t = Transcript.create(opts.label ?? "cloak test");
  const verifier = new Verifier(t);
  const ins = verifierCommitValues(verifier, inputs);
  const outs = verifierCommitValues(verifier, outputs);
  cloak(verifier, ins, outs);
  if (opts.extra !== undefined) t.appendMessage("extra", opts.extra);
  verifier.verify(proof, testGens(), rng);
}
