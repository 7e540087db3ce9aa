/**
 * A few real transactions for the herder tests, built once (proving costs ~0.3 s per tx): they spend
 * the genesis utxos of `FIX_UTXOS`. A and D spend the same utxo with the same fee (a conflict with
 * equal fee and size); C spends another with a higher fee; `tampered` flips a signature bit of A.
 */
import {
  type BlockTx,
  Mempool,
  makeBlockTx,
  makeGenesis,
  type VerifiedBlock,
} from "../../src/chain/index.js";
import { randomScalar } from "../../src/crypto/scalar.js";
import { publicKey } from "../../src/crypto/starsig.js";
import { seededRng } from "../../src/util/rng.js";
import type { Proof } from "../../src/utreexo/proof.js";
import { makeUtxo, type OwnedUtxo, TxBuilder } from "../../src/zkvm/builder.js";
import { encodeTx } from "../../src/zkvm/tx.js";
import { T0 } from "./testNet.js";
import type { TxSet } from "./value.js";

const rng = seededRng("herder tx fixtures");
const alice = randomScalar(rng);
const pub = publicKey(alice);

function utxo(tag: number, qty: bigint): OwnedUtxo {
  return makeUtxo(new Uint8Array(32).fill(tag), pub, {
    qty,
    flavor: 0n,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });
}

function spend(input: OwnedUtxo, proof: Proof, fee: number): BlockTx {
  const b = new TxBuilder({ rng });
  b.spend(input, alice).fee(fee);
  b.cloakTo([{ qty: input.values[0]!.qty - BigInt(fee), flavor: 0n, predicate: pub }]);
  return makeBlockTx(encodeTx(b.build().tx), [proof]);
}

const U = [utxo(1, 100n), utxo(2, 50n)];
/** Contract ids of the genesis utxos. */
export const FIX_UTXOS = U.map((u) => u.contract.id());
const genesis = makeGenesis(T0, FIX_UTXOS);

let built: { A: BlockTx; C: BlockTx; D: BlockTx; tampered: BlockTx } | undefined;

/** The fixture txs (built on first use). */
export function fixtureTxs(): { A: BlockTx; C: BlockTx; D: BlockTx; tampered: BlockTx } {
  if (!built) {
    const P = genesis.proofs;
    const A = spend(U[0]!, P[0]!, 2);
    const D = spend(U[0]!, P[0]!, 2);
    const C = spend(U[1]!, P[1]!, 5);
    const bytes = A.txBytes.slice();
    const at = 28 + new DataView(bytes.buffer).getUint32(24, true) + 32;
    bytes[at] = bytes[at]! ^ 1;
    built = { A, C, D, tampered: makeBlockTx(bytes, A.proofs) };
  }
  return built;
}

/** The tx set of a block (e.g. a mempool template). */
export function txSetOfBlock(b: VerifiedBlock): TxSet {
  return {
    version: b.header.version,
    height: b.header.height,
    prev: b.header.prev,
    utxoroot: b.header.utxoroot,
    txs: b.txs,
  };
}

/** A valid tx set on genesis holding `txs` (through a scratch mempool's template). */
export function txSetWith(txs: readonly BlockTx[], timestampMs = T0 + 1n): TxSet {
  const m = new Mempool(genesis.state);
  for (const t of txs) m.add(t, T0, rng);
  return txSetOfBlock(m.template(timestampMs));
}
