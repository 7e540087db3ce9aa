/**
 * Chain figures: validating a block of 1-in-1-out txs (each spending a genesis utxo made with
 * `makeUtxo`, paying a fee, built with `TxBuilder`); BENCH_QUICK: 16 txs instead of 100 (said in the
 * JSON as "txs" and "note").
 *
 *   block_validate — the whole of `validateBlock`: header and tx checks, txroot, VM of every tx,
 *                    one batch verification of all txs, applying the logs, normalize, utxoroot
 *   block_check    — `checkBlock` alone (witness hashes and txroot)
 *   block_apply    — `applyBlock` alone (utreexo work, with logs verified earlier)
 *   mempool_add    — `Mempool.add` of one tx (checks, VM, single verification, apply)
 *   block_template — `Mempool.template` over the pool of all the block's txs
 *
 * One JSON line per figure, e.g.
 *   {"bench":"block_validate","txs":100,"tx":"1in1out","backend":"js","median_ms":…,"ms_per_tx":…,"runs":…}
 */

import { makeBlockTx } from "../../src/chain/block.js";
import {
  applyBlock,
  checkBlock,
  Mempool,
  makeGenesis,
  validateBlock,
  verifyBlockTxs,
} from "../../src/chain/index.js";
import { defaultMsmBackend } from "../../src/crypto/msm/index.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { seededRng } from "../../src/util/rng.js";
import { makeUtxo, TxBuilder } from "../../src/zkvm/builder.js";
import { encodeTx } from "../../src/zkvm/tx.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const rng = seededRng("bench chain");
const T0 = 1_700_000_000_000n;
const round = (x: number): number => Number(x.toPrecision(4));

const groups: BenchGroup[] = [
  {
    name: "chain",
    async run(ctx) {
      const names = ["block_validate", "block_check", "block_apply", "mempool_add", "block_template"];
      if (!names.some((n) => ctx.wants(n))) return;
      const n = ctx.quick ? 16 : 100;
      const note = ctx.quick ? { note: "BENCH_QUICK: smaller block" } : {};
      const backend = defaultMsmBackend();
      const alice = randomScalar(rng);
      const pub = publicKey(alice);
      const utxos = Array.from({ length: n + 1 }, (_, i) => {
        const anchor = new Uint8Array(32);
        new DataView(anchor.buffer).setUint32(0, i + 1, true);
        return makeUtxo(anchor, pub, {
          qty: 1000n,
          flavor: 0n,
          qtyBlinding: randomScalar(rng),
          flvBlinding: randomScalar(rng),
        });
      });
      const { state, proofs } = makeGenesis(
        T0,
        utxos.map((u) => u.contract.id()),
      );
      const btxs = utxos.map((u, i) => {
        const b = new TxBuilder({ rng });
        b.spend(u, alice).fee(1 + (i % 7));
        b.cloakTo([{ qty: 1000n - BigInt(1 + (i % 7)), flavor: 0n, predicate: pub }]);
        return makeBlockTx(encodeTx(b.build().tx), [proofs[i]!]);
      });
      const now = T0 + 1000n;
      const pool = new Mempool(state, { backend });
      for (const b of btxs.slice(0, n)) pool.add(b, now, rng);
      const block = pool.template(T0 + 5000n);
      if (block.txs.length !== n) throw new Error("chain bench: template lost txs");
      const fields = { txs: n, tx: "1in1out", backend: backend.name, ...note };

      if (ctx.wants("block_validate")) {
        validateBlock(state, block, { rng, backend });
        const s = await measure(() => validateBlock(state, block, { rng, backend }), {
          minRuns: 3,
          warmup: 1,
        });
        emit(
          { bench: "block_validate", ...fields },
          { median_ms: s.median_ms, ms_per_tx: round(s.median_ms / n), runs: s.runs },
        );
      }
      if (ctx.wants("block_check")) {
        const s = await measure(() => checkBlock(state, block));
        emit({ bench: "block_check", ...fields }, { median_ms: s.median_ms, runs: s.runs });
      }
      if (ctx.wants("block_apply")) {
        const checked = checkBlock(state, block);
        const records = verifyBlockTxs(checked, { rng, backend });
        const s = await measure(() => applyBlock(state, checked, records));
        emit({ bench: "block_apply", ...fields }, { median_ms: s.median_ms, runs: s.runs });
      }
      if (ctx.wants("mempool_add")) {
        const last = btxs[n]!;
        const s = await measure(
          () => {
            const m = new Mempool(state, { backend });
            m.add(last, now, rng);
          },
          { minRuns: 5 },
        );
        emit(
          { bench: "mempool_add", tx: "1in1out", backend: backend.name },
          { median_ms: s.median_ms, runs: s.runs },
        );
      }
      if (ctx.wants("block_template")) {
        const s = await measure(() => pool.template(T0 + 5000n));
        emit({ bench: "block_template", ...fields }, { median_ms: s.median_ms, runs: s.runs });
      }
    },
  },
];

export default groups;
