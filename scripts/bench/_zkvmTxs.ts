/**
 * Shared by the ZkVM benchmarks: building N-in-N-out payments, and timing where one verification
 * spends its time (precompute, statements, batch weights, MSM).
 */
import { BatchVerifier } from "../../src/crypto/batch.js";
import type { BulletproofGens } from "../../src/crypto/generators.js";
import type { MsmBackend } from "../../src/crypto/msm/backend.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import type { Rng } from "../../src/util/rng.js";
import { makeUtxo, TxBuilder } from "../../src/zkvm/builder.js";
import { encodeTx } from "../../src/zkvm/tx.js";
import { precomputeTxBytes, txStatements } from "../../src/zkvm/verifier.js";

export const round = (x: number): number => Number(x.toPrecision(4));
export const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return round(s[(s.length - 1) >> 1]!);
};

/**
 * A builder of proven txs spending `n` fresh utxos of one flavor into `n` outputs. `anchorBase`
 * keeps the utxos of different benchmarks apart.
 */
export function paymentBuilder(rng: Rng, anchorBase = 0): (n: number) => Uint8Array {
  const alice = randomScalar(rng);
  const bob = publicKey(randomScalar(rng));
  const flavor = 0x5553n;
  let counter = 0;
  return (n) => {
    const b = new TxBuilder({ rng });
    for (let i = 0; i < n; i++) {
      const anchor = new Uint8Array(32);
      new DataView(anchor.buffer).setUint32(0, anchorBase + ++counter, true);
      const utxo = makeUtxo(anchor, publicKey(alice), {
        qty: 10n + BigInt(i),
        flavor,
        qtyBlinding: randomScalar(rng),
        flvBlinding: randomScalar(rng),
      });
      b.spend(utxo, alice);
    }
    b.cloakTo(Array.from({ length: n }, (_, i) => ({ qty: 10n + BigInt(i), flavor, predicate: bob })));
    return encodeTx(b.build().tx);
  };
}

/** Medians (ms) of each stage of a single verification of `bytes`, over `runs` runs after 2 warm-ups. */
export function verifyBreakdown(
  bytes: Uint8Array,
  gens: BulletproofGens,
  rng: Rng,
  backend: MsmBackend,
  runs: number,
): Record<string, number> {
  const parts = {
    precompute: [] as number[],
    statements: [] as number[],
    weights: [] as number[],
    msm: [] as number[],
  };
  const total: number[] = [];
  for (let r = 0; r < runs + 2; r++) {
    const t0 = performance.now();
    const p = precomputeTxBytes(bytes);
    const t1 = performance.now();
    const { r1cs, others } = txStatements(p, gens, rng, backend.kernels);
    const t2 = performance.now();
    const bv = new BatchVerifier({ rng, backend });
    bv.add(r1cs);
    for (const o of others) bv.add(o);
    const t3 = performance.now();
    if (!bv.check()) throw new Error("bench: breakdown tx did not verify");
    const t4 = performance.now();
    if (r < 2) continue; // warm-up
    parts.precompute.push(t1 - t0);
    parts.statements.push(t2 - t1);
    parts.weights.push(t3 - t2);
    parts.msm.push(t4 - t3);
    total.push(t4 - t0);
  }
  return {
    precompute_ms: median(parts.precompute),
    statements_ms: median(parts.statements),
    batch_weights_ms: median(parts.weights),
    msm_ms: median(parts.msm),
    total_ms: median(total),
    runs,
  };
}
