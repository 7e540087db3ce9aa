import { describe, expect, it } from "vitest";
import { randomScalar } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import type { Proof } from "../utreexo/proof.js";
import { TRANSIENT } from "../utreexo/proof.js";
import { makeUtxo, type OwnedUtxo, ownedOutput, TxBuilder } from "../zkvm/builder.js";
import { encodeTx } from "../zkvm/tx.js";
import { type BlockTx, makeBlockTx } from "./block.js";
import { ChainCode, causedBy } from "./errors.js";
import { Mempool } from "./mempool.js";
import { makeGenesis, stateAfter, validateBlock } from "./state.js";

const rng = seededRng("chain mempool test");
const alice = randomScalar(rng);
const pub = publicKey(alice);
const T0 = 1_700_000_000_000n;

function utxo(tag: number, qty: bigint): OwnedUtxo {
  return makeUtxo(new Uint8Array(32).fill(tag), pub, {
    qty,
    flavor: 0n,
    qtyBlinding: randomScalar(rng),
    flvBlinding: randomScalar(rng),
  });
}

/** Proves a tx spending `input` (with `proof`) into one output, paying `fee`. */
function spend(
  input: OwnedUtxo,
  proof: Proof,
  fee: number,
  maxtime?: bigint,
): { btx: BlockTx; out: OwnedUtxo } {
  const b = new TxBuilder({ rng, ...(maxtime === undefined ? {} : { maxtime }) });
  b.spend(input, alice).fee(fee);
  const qty = input.values[0]!.qty - BigInt(fee);
  const open = b.cloakTo([{ qty, flavor: 0n, predicate: pub }]);
  const proved = b.build();
  return { btx: makeBlockTx(encodeTx(proved.tx), [proof]), out: ownedOutput(proved, 0, open) };
}

const U = [utxo(1, 100n), utxo(2, 50n), utxo(3, 30n), utxo(4, 20n)];
const genesis = makeGenesis(
  T0,
  U.map((u) => u.contract.id()),
);
const G = genesis.state;
const P = genesis.proofs;

// Fee rates (fee per byte; the txs have the same shape and nearly the same size): E > B > C > D > F > A.
const A = spend(U[0]!, P[0]!, 2);
const B = spend(A.out, TRANSIENT, 8); // child of A (unconfirmed chain)
const C = spend(U[1]!, P[1]!, 5);
const D = spend(U[0]!, P[0]!, 4); // conflicts with A
const E = spend(U[2]!, P[2]!, 20);
const F = spend(U[3]!, P[3]!, 3, T0 + 20_000n); // expires

const now = T0 + 1000n;
const ids = (m: Mempool) => m.entries().map((e) => toHex(e.txid));
const idOf = (m: Mempool, b: BlockTx) => {
  const e = m.entries().find((x) => x.btx.txBytes === b.txBytes || toHex(x.btx.txBytes) === toHex(b.txBytes));
  return e === undefined ? undefined : toHex(e.txid);
};

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

function tamper(b: BlockTx): BlockTx {
  const bytes = b.txBytes.slice();
  const at = 28 + new DataView(bytes.buffer).getUint32(24, true) + 32;
  bytes[at] = bytes[at]! ^ 1;
  return makeBlockTx(bytes, b.proofs);
}

describe("Mempool: admission", () => {
  it("accepts a tx, then refuses its duplicate without changing anything", () => {
    const m = new Mempool(G);
    const e = m.add(A.btx, now, rng);
    expect(e.fee).toBe(2n);
    expect(m.count).toBe(1);
    const bytes = m.bytes;
    expect(
      hasCode(
        errorOf(() => m.add(A.btx, now, rng)),
        ChainCode.MEMPOOL_DUPLICATE,
      ),
    ).toBe(true);
    expect(m.count).toBe(1);
    expect(m.bytes).toBe(bytes);
  });

  it("accepts an unconfirmed chain through a transient proof, parent first only", () => {
    const m = new Mempool(G);
    const orphan = errorOf(() => m.add(B.btx, now, rng));
    expect(hasCode(orphan, ChainCode.MEMPOOL_TX_INVALID)).toBe(true);
    expect(causedBy(orphan, "UTREEXO_ITEM_NOT_FOUND")).toBe(true);
    expect(m.count).toBe(0);
    m.add(A.btx, now, rng);
    m.add(B.btx, now, rng);
    expect(m.count).toBe(2);
  });

  it("refuses a double spend of a pending tx's input", () => {
    const m = new Mempool(G);
    m.add(A.btx, now, rng);
    const e = errorOf(() => m.add(D.btx, now, rng));
    expect(hasCode(e, ChainCode.MEMPOOL_TX_INVALID)).toBe(true);
    expect(causedBy(e, "UTREEXO_ALREADY_DELETED")).toBe(true);
    expect(m.count).toBe(1);
  });

  it("refuses an invalid signature atomically (the utxo stays spendable)", () => {
    const m = new Mempool(G);
    const e = errorOf(() => m.add(tamper(A.btx), now, rng));
    expect(hasCode(e, ChainCode.MEMPOOL_TX_INVALID)).toBe(true);
    expect(causedBy(e, "VM_SIGNATURE_VERIFICATION_FAILED")).toBe(true);
    expect(m.count).toBe(0);
    m.add(A.btx, now, rng);
    expect(m.count).toBe(1);
  });

  it("proofVerified skips only the proof check: utreexo proofs and the VM still gate admission", () => {
    const m = new Mempool(G);
    // the caller vouches for the proof (a worker verified it): a tampered signature is not re-checked
    m.add(tamper(A.btx), now, rng, { proofVerified: true });
    expect(m.count).toBe(1);
    // but a double spend of the same utxo is still refused through the utreexo proof
    const e = errorOf(() => m.add(D.btx, now, rng, { proofVerified: true }));
    expect(hasCode(e, ChainCode.MEMPOOL_TX_INVALID)).toBe(true);
    expect(causedBy(e, "UTREEXO_ALREADY_DELETED")).toBe(true);
    // and an orphan still needs its parent
    const orphan = errorOf(() => new Mempool(G).add(B.btx, now, rng, { proofVerified: true }));
    expect(causedBy(orphan, "UTREEXO_ITEM_NOT_FOUND")).toBe(true);
  });

  it("refuses txs outside their time bounds or with a wrong version", () => {
    const m = new Mempool(G);
    const late = errorOf(() => m.add(F.btx, T0 + 20_001n, rng));
    expect(hasCode(late, ChainCode.MEMPOOL_TX_INVALID)).toBe(true);
    expect(causedBy(late, ChainCode.BLOCK_TX_TIME_BOUNDS)).toBe(true);
    const v2: BlockTx = { ...A.btx, tx: { ...A.btx.tx, header: { ...A.btx.tx.header, version: 2n } } };
    expect(
      causedBy(
        errorOf(() => m.add(v2, now, rng)),
        ChainCode.BLOCK_TX_VERSION,
      ),
    ).toBe(true);
    expect(m.count).toBe(0);
  });

  it("evicts the lowest fee rate with its descendants, and refuses a tx that would be evicted", () => {
    const m = new Mempool(G, { maxTxs: 3 });
    m.add(A.btx, now, rng);
    m.add(B.btx, now, rng);
    m.add(E.btx, now, rng);
    const idE = idOf(m, E.btx)!;
    m.add(C.btx, now, rng); // evicts A (lowest) and B (its child, despite its high fee)
    const idC = idOf(m, C.btx)!;
    expect(ids(m)).toEqual([idE, idC]);
    const small = new Mempool(G, { maxTxs: 2 });
    small.add(E.btx, now, rng);
    small.add(C.btx, now, rng);
    const before = ids(small);
    expect(
      hasCode(
        errorOf(() => small.add(A.btx, now, rng)),
        ChainCode.MEMPOOL_FULL,
      ),
    ).toBe(true);
    expect(ids(small)).toEqual(before);
    // The byte limit works the same way.
    const bytesPool = new Mempool(G, { maxBytes: C.btx.txBytes.length + E.btx.txBytes.length });
    bytesPool.add(C.btx, now, rng);
    bytesPool.add(E.btx, now, rng);
    expect(
      hasCode(
        errorOf(() => bytesPool.add(F.btx, now, rng)),
        ChainCode.MEMPOOL_FULL,
      ),
    ).toBe(true);
    expect(bytesPool.count).toBe(2);
  });
});

describe("Mempool: blocks", () => {
  it("selects a template by fee rate, parents first, that validates", () => {
    const m = new Mempool(G);
    for (const t of [A, B, C, E]) m.add(t.btx, now, rng);
    const [a, b, c, e] = [A, B, C, E].map((t) => idOf(m, t.btx)!) as [string, string, string, string];
    const vb = m.template(T0 + 5000n);
    // E (20) and C (5) first; B (8) must wait for its parent A (2).
    expect(vb.verifiedTxs.map((t) => toHex(t.txid))).toEqual([e, c, a, b]);
    const checked = validateBlock(G, vb, { rng });
    expect(toHex(checked.id)).toBe(toHex(vb.id));
    expect(toHex(checked.forest.root())).toBe(toHex(vb.forest.root()));
    // With the pool's verification results, nothing is verified twice.
    const reused = validateBlock(G, vb, { rng, preverified: (btx) => m.verifiedFor(btx) });
    expect(toHex(reused.header.utxoroot)).toBe(toHex(vb.header.utxoroot));
    expect(
      hasCode(
        errorOf(() => m.template(T0)),
        ChainCode.BLOCK_BAD_TIMESTAMP,
      ),
    ).toBe(true);
    const one = m.template(T0 + 5000n, { maxTxs: 1 });
    expect(one.verifiedTxs.map((t) => toHex(t.txid))).toEqual([e]);
  });

  it("refreshes and stores the proofs of pending txs after a block; drops included and conflicting txs", () => {
    const m = new Mempool(G);
    for (const t of [A, B, C, F]) m.add(t.btx, now, rng);
    const [idA, idB, idC, idF] = [A, B, C, F].map((t) => idOf(m, t.btx)!) as [string, string, string, string];
    const rival = new Mempool(G);
    rival.add(D.btx, now, rng); // D conflicts with A
    // Block 2 holds only A: B's transient proof must become committed, C's and F's must move.
    const producer = new Mempool(G);
    producer.add(A.btx, now, rng);
    const vb = producer.template(T0 + 5000n);
    expect(vb.verifiedTxs.map((t) => toHex(t.txid))).toEqual([idA]);
    const validated = validateBlock(G, vb, { rng, preverified: (btx) => m.verifiedFor(btx) });
    const before = new Map(m.entries().map((e) => [toHex(e.txid), e]));
    const removed = m.applyBlock(validated, T0 + 6000n);
    expect(removed).toEqual([]);
    expect(ids(m)).toEqual([idB, idC, idF]);
    const after = new Map(m.entries().map((e) => [toHex(e.txid), e]));
    expect(before.get(idB)!.btx.proofs[0]!.kind).toBe("transient");
    expect(after.get(idB)!.btx.proofs[0]!.kind).toBe("committed");
    for (const id of [idB, idC, idF])
      expect(toHex(after.get(id)!.witnessHash)).not.toBe(toHex(before.get(id)!.witnessHash));
    expect(toHex(m.state.tipId)).toBe(toHex(validated.id));
    // The stored proofs hold against the new state: the next block validates from scratch.
    const next = m.template(T0 + 7000n);
    expect(next.verifiedTxs.length).toBe(3);
    const s3 = stateAfter(validateBlock(stateAfter(validated), next, { rng }));
    expect(s3.tip.height).toBe(3n);
    // The rival pool loses D, whose input the block spent.
    const dropped = rival.applyBlock(validated, T0 + 6000n);
    expect(dropped.length).toBe(1);
    expect(rival.count).toBe(0);
    // A block that does not extend the pool's state is refused and the pool stays as it was.
    expect(
      hasCode(
        errorOf(() => m.applyBlock(validated, T0 + 8000n)),
        ChainCode.BLOCK_BAD_PREVIOUS,
      ),
    ).toBe(true);
    expect(ids(m)).toEqual([idB, idC, idF]);
  });

  it("expires txs whose time bounds have passed", () => {
    const m = new Mempool(G);
    m.add(F.btx, now, rng);
    m.add(C.btx, now, rng);
    const idF = idOf(m, F.btx)!;
    expect(m.expire(T0 + 20_000n)).toEqual([]);
    const gone = m.expire(T0 + 20_001n);
    expect(gone.map((e) => toHex(e.txid))).toEqual([idF]);
    expect(m.count).toBe(1);
    expect(m.template(T0 + 20_001n).verifiedTxs.length).toBe(1);
  });
});
