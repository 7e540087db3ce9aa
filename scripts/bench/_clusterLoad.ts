/**
 * Load for the cluster benchmark: `n` independent payments, each spending one genesis utxo into a
 * payment and its change (1 input, 2 outputs, fee 1), proven ahead of time so the benchmark measures
 * the network and not the prover. The utxos follow from a seed; proving is split over child
 * processes (one per core) and the serialized ZkVM txs are cached under `.bench-cache/`. The utreexo
 * proofs of the spent utxos depend on the whole genesis (which also holds the faucet's utxo), so
 * they are attached at run time by `blockTxs(genesis ids)`.
 *
 * Run as a script (`tsx scripts/bench/_clusterLoad.ts SEED N FROM TO`) it proves txs FROM..TO−1 and
 * prints them as hex lines: that is what the child processes do.
 */
import "../../src/polyfill.js";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBlockTx, makeBlockTx, makeGenesis } from "../../src/chain/index.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { fromHex, toHex } from "../../src/util/bytes.js";
import { seededRng } from "../../src/util/rng.js";
import { makeUtxo, type OwnedUtxo, TxBuilder } from "../../src/zkvm/builder.js";
import { encodeTx } from "../../src/zkvm/tx.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** The genesis utxos of a load: deterministic in (seed, n). */
function utxosOf(seed: string, n: number): { owner: bigint; utxos: OwnedUtxo[] } {
  const rng = seededRng(`cluster load utxos ${seed}`);
  const owner = randomScalar(rng);
  const pub = publicKey(owner);
  const utxos: OwnedUtxo[] = [];
  for (let i = 0; i < n; i++) {
    const anchor = new Uint8Array(32);
    new DataView(anchor.buffer).setUint32(0, i + 1, true);
    anchor.set(new TextEncoder().encode("cluster-load"), 8);
    utxos.push(
      makeUtxo(anchor, pub, {
        qty: 1000n,
        flavor: 0n,
        qtyBlinding: randomScalar(rng),
        flvBlinding: randomScalar(rng),
      }),
    );
  }
  return { owner, utxos };
}

/** Proves payments `from`..`to`−1 of a load: block-tx bytes (tx ‖ genesis utreexo proof). */
function prove(seed: string, n: number, from: number, to: number): Uint8Array[] {
  const { owner, utxos } = utxosOf(seed, n);
  const { proofs } = makeGenesis(
    0n,
    utxos.map((u) => u.contract.id()),
  );
  const out: Uint8Array[] = [];
  for (let i = from; i < to; i++) {
    const rng = seededRng(`cluster load tx ${seed} ${i}`);
    const payee = publicKey(randomScalar(rng));
    const b = new TxBuilder({ rng });
    b.spend(utxos[i]!, owner).fee(1);
    b.cloakTo([
      { qty: 600n, flavor: 0n, predicate: payee },
      { qty: 399n, flavor: 0n, predicate: publicKey(owner) },
    ]);
    out.push(encodeTx(b.build().tx));
  }
  return out;
}

/** A prepared load: the utxo ids to put in the genesis and one payment spending each. */
export interface ClusterLoad {
  readonly utxoIds: Uint8Array[];
  /** Serialized ZkVM txs (payment `i` spends `utxoIds[i]`). */
  readonly txs: Uint8Array[];
  /** The payments as block txs (tx ‖ utreexo proof) for a genesis holding these utxo ids. */
  blockTxs(genesisUtxoIds: readonly Uint8Array[]): Uint8Array[];
}

function withProofs(utxoIds: readonly Uint8Array[], txs: readonly Uint8Array[]) {
  return (genesisUtxoIds: readonly Uint8Array[]): Uint8Array[] => {
    const { proofs } = makeGenesis(0n, genesisUtxoIds);
    const at = new Map(genesisUtxoIds.map((id, i) => [toHex(id), i]));
    return txs.map((tx, i) => {
      const k = at.get(toHex(utxoIds[i]!));
      if (k === undefined) throw new Error(`load utxo ${i} is not in the genesis`);
      return encodeBlockTx(makeBlockTx(tx, [proofs[k]!]));
    });
  };
}

function runChild(seed: string, n: number, from: number, to: number): Promise<Uint8Array[]> {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [fileURLToPath(import.meta.url), seed, String(n), String(from), String(to)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      text += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load prover exited with ${code}`));
      resolve(
        text
          .split("\n")
          .filter((l) => l.length > 0)
          .map((l) => fromHex(l)),
      );
    });
  });
}

/** The load of `n` payments for `seed` (from the cache, or proven now on all cores and cached). */
export async function clusterLoad(seed: string, n: number): Promise<ClusterLoad> {
  const utxoIds = utxosOf(seed, n).utxos.map((u) => u.contract.id());
  const cacheDir = join(root, ".bench-cache");
  const file = join(cacheDir, `cluster-load-v2-${seed}-${n}.json`);
  if (existsSync(file)) {
    const hex = JSON.parse(readFileSync(file, "utf8")) as string[];
    if (hex.length === n) {
      const txs = hex.map((h) => fromHex(h));
      return { utxoIds, txs, blockTxs: withProofs(utxoIds, txs) };
    }
  }
  const workers = Math.max(1, Math.min(availableParallelism(), n));
  const per = Math.ceil(n / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => runChild(seed, n, w * per, Math.min(n, (w + 1) * per))),
  );
  const txs = parts.flat();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify(txs.map(toHex)));
  return { utxoIds, txs, blockTxs: withProofs(utxoIds, txs) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seed, n, from, to] = process.argv.slice(2);
  for (const tx of prove(seed!, Number(n), Number(from), Number(to))) process.stdout.write(`${toHex(tx)}\n`);
}
