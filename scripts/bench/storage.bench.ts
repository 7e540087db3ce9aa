/**
 * Chain store figures (sqlite3, WAL, a fresh file in the OS temp directory):
 *
 *   storage_commit     — `commitBlock` of a block with 100 tx index entries, a 4 KB forest snapshot,
 *                        a 2 KB body and a 96-byte header, with synchronous=FULL (the default, durable
 *                        across power loss) and NORMAL (durable across process crashes only)
 *   storage_consensus  — `putConsensusState` of a 1 KB SCP state (durable on resolve)
 *   storage_read       — block by height, header by id, tx location by txid, on a 2000-block chain
 *   storage_commit_mem — the in-memory store, for comparison
 *
 * Figures are one JSON line each, e.g.
 *   {"bench":"storage_commit","impl":"sqlite","synchronous":"full","txs":100,"median_ms":…,"blocks_per_s":…}
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlockCommit, ChainStore } from "../../src/storage/chainStore.js";
import { MemoryChainStore } from "../../src/storage/memoryStore.js";
import { SqliteChainStore } from "../../src/storage/sqliteStore.js";
import { type BenchGroup, emit, measure } from "./harness.js";

const TXS = 100;
const FOREST = new Uint8Array(4096).fill(7);
const BODY = new Uint8Array(2048).fill(3);
const HEADER = new Uint8Array(96).fill(1);

/** A 32-byte id unique per (kind, height, index). */
function id32(kind: number, height: number, index = 0): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, kind);
  v.setUint32(4, height);
  v.setUint32(8, index);
  b.fill(0xab, 12);
  return b;
}

function benchBlock(height: number): BlockCommit {
  return {
    height,
    id: id32(1, height),
    header: HEADER,
    block: BODY,
    utreexoState: FOREST,
    txIndex: Array.from({ length: TXS }, (_, i) => ({ txid: id32(2, height, i), position: i })),
  };
}

const round = (x: number): number => Number(x.toPrecision(4));

/** Measures successive `commitBlock` calls (heights 0, 1, 2, …) on an empty `store`. */
async function commitFigure(
  store: ChainStore,
  fields: { bench: string } & Record<string, string | number>,
  quick: boolean,
): Promise<void> {
  let h = 0;
  const s = await measure(() => store.commitBlock(benchBlock(h++)), {
    minRuns: quick ? 3 : 7,
    budgetMs: quick ? 300 : 2000,
  });
  emit(
    { ...fields, txs: TXS, forest_bytes: FOREST.length },
    { ...s, blocks_per_s: round(1000 / s.median_ms) },
  );
}

const groups: BenchGroup[] = [
  {
    name: "storage",
    async run(ctx) {
      const dir = mkdtempSync(join(tmpdir(), "bench-storage-"));
      try {
        if (ctx.wants("storage_commit"))
          for (const synchronous of ["full", "normal"] as const) {
            const store = await SqliteChainStore.open({
              path: join(dir, `commit-${synchronous}.db`),
              synchronous,
            });
            await commitFigure(store, { bench: "storage_commit", impl: "sqlite", synchronous }, ctx.quick);
            await store.close();
          }

        if (ctx.wants("storage_commit_mem")) {
          const store = new MemoryChainStore();
          await commitFigure(store, { bench: "storage_commit_mem", impl: "memory" }, ctx.quick);
          await store.close();
        }

        if (ctx.wants("storage_consensus")) {
          const store = await SqliteChainStore.open({ path: join(dir, "consensus.db") });
          const state = new Uint8Array(1024).fill(9);
          let slot = 0n;
          await ctx.bench(
            { bench: "storage_consensus", impl: "sqlite", synchronous: "full", bytes: 1024 },
            () => store.putConsensusState(slot++, state),
          );
          await store.close();
        }

        if (ctx.wants("storage_read")) {
          const chain = ctx.quick ? 200 : 2000;
          const store = await SqliteChainStore.open({ path: join(dir, "read.db"), synchronous: "normal" });
          for (let h = 0; h < chain; h++) await store.commitBlock(benchBlock(h));
          let i = 0;
          const next = (): number => {
            i = (i * 1103515245 + 12345) % 2147483648;
            return i % chain;
          };
          await ctx.bench({ bench: "storage_read", op: "blockByHeight", blocks: chain }, () =>
            store.getBlockByHeight(next()),
          );
          await ctx.bench({ bench: "storage_read", op: "headerById", blocks: chain }, () =>
            store.getHeaderById(id32(1, next())),
          );
          await ctx.bench({ bench: "storage_read", op: "txLocation", blocks: chain }, () =>
            store.getTxLocation(id32(2, next(), next() % TXS)),
          );
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

export default groups;
