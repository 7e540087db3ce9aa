import { afterAll, describe, expect, it } from "vitest";
import { fromHex } from "../util/bytes.js";
import invalid from "../zkvm/fixtures/zkvm_tx_invalid.json" with { type: "json" };
import valid from "../zkvm/fixtures/zkvm_tx_valid.json" with { type: "json" };
import { VerifyPool } from "./verifyPool.js";

describe("worker-thread verification pool", () => {
  const pool = new VerifyPool({ size: 2 });
  afterAll(() => pool.close());

  it("verifies the reference transactions across workers, in order", async () => {
    const verdicts = await pool.verify(valid.vectors.map((v) => fromHex(v.tx_hex)));
    expect(verdicts.map((v) => v.ok)).toEqual(valid.vectors.map(() => true));
    expect(verdicts.map((v) => v.txid)).toEqual(valid.vectors.map((v) => v.txid));
  });

  it("flags the invalid ones without rejecting their honest neighbours (must-fail twin)", async () => {
    const bad = ["tampered_signature_s", "stack_not_clean", "truncated_tx"].map(
      (n) => invalid.vectors.find((v) => v.name === n)!,
    );
    const txs = [
      valid.vectors[0]!.tx_hex,
      bad[0]!.tx_hex,
      valid.vectors[1]!.tx_hex,
      bad[1]!.tx_hex,
      bad[2]!.tx_hex,
    ];
    const verdicts = await pool.verify(txs.map((h) => fromHex(h)));
    expect(verdicts.map((v) => (v.ok ? "ok" : v.error))).toEqual([
      "ok",
      "VM_SIGNATURE_VERIFICATION_FAILED",
      "ok",
      "VM_STACK_NOT_CLEAN",
      "VM_INVALID_FORMAT",
    ]);
    expect(await pool.verify([])).toEqual([]);
  });
});
