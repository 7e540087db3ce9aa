import { afterAll, describe, expect, it } from "vitest";
import { T0 } from "../../consensus/herder/testNet.js";
import { FIX_UTXOS, fixtureTxs } from "../../consensus/herder/txFixtures.js";
import { type BlockTx, encodeBlockTx, Mempool, makeGenesis } from "../chain/index.js";
import { toHex } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import { precomputeTxBytes, verifyBatch } from "../zkvm/verifier.js";
import { TxAdmission } from "./admission.js";
import { VerifyPool, type VerifyVerdict } from "./verifyPool.js";

const rng = seededRng("admission");
const now = T0 + 10n;
const { A, C, D, tampered } = fixtureTxs();

/** Verifies on the main thread, as a worker does. */
async function inlineVerify(txs: readonly Uint8Array[]): Promise<VerifyVerdict[]> {
  return txs.map((bytes) => {
    const p = precomputeTxBytes(bytes);
    const [r] = verifyBatch([p], { rng });
    return r?.ok === true
      ? { ok: true, txid: toHex(p.txid), error: null, fee: Number(p.fee) }
      : { ok: false, txid: toHex(p.txid), error: r?.ok === false ? r.error.code : "?" };
  });
}

function setup(verify: (txs: readonly Uint8Array[]) => Promise<VerifyVerdict[]>) {
  const mempool = new Mempool(makeGenesis(T0, FIX_UTXOS).state);
  const calls: number[] = [];
  const accepted: string[] = [];
  const adm = new TxAdmission(
    {
      verify: (txs) => {
        calls.push(txs.length);
        return verify(txs);
      },
      add: (btx: BlockTx, proofVerified) => mempool.add(btx, now, rng, { proofVerified }),
      onAccepted: (_b, txid) => accepted.push(toHex(txid)),
    },
    { maxDelayMs: 5 },
  );
  return { mempool, adm, calls, accepted };
}

describe("TxAdmission", () => {
  it("verifies concurrent submissions as one batch and adds them to the mempool", async () => {
    const s = setup(inlineVerify);
    const [ra, rc] = await Promise.all([s.adm.submit(encodeBlockTx(A)), s.adm.submit(encodeBlockTx(C))]);
    expect(ra.accepted && rc.accepted).toBe(true);
    expect(s.calls).toEqual([2]);
    expect(s.mempool.count).toBe(2);
    expect(s.accepted).toEqual([toHex(ra.txid!), toHex(rc.txid!)]);
    expect(s.adm.pending).toBe(0);
  });

  it("must-fail: a tx whose proof fails in the pool is refused with its code; the mempool is unchanged", async () => {
    const s = setup(inlineVerify);
    const [rt, ra] = await Promise.all([
      s.adm.submit(encodeBlockTx(tampered)),
      s.adm.submit(encodeBlockTx(A)),
    ]);
    expect(rt).toEqual({ accepted: false, error: "VM_SIGNATURE_VERIFICATION_FAILED" });
    expect(ra.accepted).toBe(true);
    expect(s.mempool.count).toBe(1);
  });

  it("must-fail: undecodable bytes are refused with the decoder's code without reaching the pool", async () => {
    const s = setup(inlineVerify);
    const r = await s.adm.submit(new Uint8Array([1, 2, 3]));
    expect(r).toEqual({ accepted: false, error: "BLOCK_INVALID_FORMAT", cause: "DECODE_UNEXPECTED_END" });
    expect(s.calls).toEqual([]);
  });

  it("a double spend passes the pool but the mempool's utreexo check refuses it", async () => {
    const s = setup(inlineVerify);
    const [ra, rd] = await Promise.all([s.adm.submit(encodeBlockTx(A)), s.adm.submit(encodeBlockTx(D))]);
    expect(ra.accepted).toBe(true);
    expect(rd).toEqual({ accepted: false, error: "MEMPOOL_TX_INVALID", cause: "BLOCK_UTXO_INVALID" });
  });

  it("falls back to main-thread verification when the pool fails (and still refuses bad proofs)", async () => {
    const s = setup(() => Promise.reject(new Error("workers gone")));
    const [rt, ra] = await Promise.all([
      s.adm.submit(encodeBlockTx(tampered)),
      s.adm.submit(encodeBlockTx(A)),
    ]);
    expect(rt).toEqual({
      accepted: false,
      error: "MEMPOOL_TX_INVALID",
      cause: "VM_SIGNATURE_VERIFICATION_FAILED",
    });
    expect(ra.accepted).toBe(true);
    expect(s.adm.stats.fallbacks).toBe(2);
  });

  describe("with the real worker pool", () => {
    const pool = new VerifyPool({ size: 1 });
    afterAll(() => pool.close());

    it("accepts a valid tx and refuses a tampered one", async () => {
      const s = setup((txs) => pool.verify(txs));
      const [ra, rt] = await Promise.all([
        s.adm.submit(encodeBlockTx(A)),
        s.adm.submit(encodeBlockTx(tampered)),
      ]);
      expect(ra.accepted).toBe(true);
      expect(rt).toEqual({ accepted: false, error: "VM_SIGNATURE_VERIFICATION_FAILED" });
      expect(s.mempool.count).toBe(1);
      expect(s.adm.stats.fallbacks).toBe(0);
    }, 30_000);
  });
});
