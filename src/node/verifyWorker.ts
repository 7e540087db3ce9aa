/**
 * Worker thread of the verification pool: receives batches of serialized transactions, verifies each
 * batch with one MSM (bisecting on failure) and answers with a verdict per transaction.
 */
import "../polyfill.js";
import { randomFillSync } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { setDefaultMsmBackend, setSecretMsmKernel } from "../crypto/msm/index.js";
import { selectMsmBackend } from "../crypto/msm/native.js";
import { fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import warmup from "../zkvm/fixtures/zkvm_tx_valid.json" with { type: "json" };
import { type PrecomputedTx, precomputeTxBytes, verifyBatch } from "../zkvm/verifier.js";
import type { VerifyRequest, VerifyResponse, VerifyVerdict } from "./verifyPool.js";

const rng: Rng = { fillBytes: (d) => void randomFillSync(d) };
// Each worker picks the same backend as the process would (native addon if it loads; ZKVM_MSM=js forces JS).
const choice = selectMsmBackend(process.env);
setDefaultMsmBackend(choice.backend);
setSecretMsmKernel(choice.secretMsm);

function handle(req: VerifyRequest): VerifyResponse {
  const verdicts: VerifyVerdict[] = new Array(req.txs.length);
  const pre: { index: number; p: PrecomputedTx }[] = [];
  req.txs.forEach((bytes, index) => {
    try {
      pre.push({ index, p: precomputeTxBytes(bytes) });
    } catch (e) {
      verdicts[index] = { ok: false, txid: null, error: e instanceof CodedError ? e.code : "INTERNAL_ERROR" };
    }
  });
  const results = verifyBatch(
    pre.map((x) => x.p),
    { rng },
  );
  results.forEach((r, i) => {
    const { index, p } = pre[i]!;
    verdicts[index] = r.ok
      ? { ok: true, txid: toHex(p.txid), error: null, fee: Number(p.fee) }
      : { ok: false, txid: toHex(p.txid), error: r.error.code };
  });
  return { id: req.id, verdicts };
}

parentPort?.on("message", (req: VerifyRequest) => {
  let res: VerifyResponse;
  try {
    res = handle(req);
  } catch (e) {
    res = {
      id: req.id,
      verdicts: req.txs.map(() => ({ ok: false, txid: null, error: "INTERNAL_ERROR" })),
      failure: String(e),
    };
  }
  parentPort?.postMessage(res);
});

// Warm-up before taking work: the first verifications compile the hot paths (the JIT) and build the
// generator tables; without this the first tx a node receives waits most of a second.
for (const v of warmup.vectors.slice(0, 4)) {
  try {
    handle({ id: 0, txs: [fromHex(v.tx_hex)] });
  } catch {
    // a warm-up failure only costs speed
  }
}

parentPort?.postMessage("ready");
