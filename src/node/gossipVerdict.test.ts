import { describe, expect, it } from "vitest";
import { txGossipVerdict } from "./node.js";

describe("txGossipVerdict: only txs that are invalid in themselves lower the sender's score", () => {
  it("rejects undecodable bytes, VM failures, bad proofs and signatures, a wrong proof count", () => {
    const bad = [
      { accepted: false, error: "BLOCK_INVALID_FORMAT", cause: "DECODE_UNEXPECTED_END" },
      { accepted: false, error: "VM_INVALID_R1CS_PROOF" },
      { accepted: false, error: "MEMPOOL_TX_INVALID", cause: "VM_SIGNATURE_VERIFICATION_FAILED" },
      { accepted: false, error: "MEMPOOL_TX_INVALID", cause: "BLOCK_UTXO_PROOF_COUNT" },
    ];
    for (const r of bad) expect(txGossipVerdict(r), JSON.stringify(r)).toBe("reject");
  });

  it("ignores what depends on this node's state or clock (honest races around commits)", () => {
    const racy = [
      { accepted: false, error: "MEMPOOL_TX_INVALID", cause: "BLOCK_UTXO_INVALID" },
      { accepted: false, error: "MEMPOOL_TX_INVALID", cause: "UTREEXO_ALREADY_DELETED" },
      { accepted: false, error: "MEMPOOL_TX_INVALID", cause: "BLOCK_TX_TIME_BOUNDS" },
      { accepted: false, error: "MEMPOOL_TX_INVALID" },
      { accepted: false, error: "MEMPOOL_DUPLICATE" },
      { accepted: false, error: "MEMPOOL_FULL" },
    ];
    for (const r of racy) expect(txGossipVerdict(r), JSON.stringify(r)).toBe("ignore");
    expect(txGossipVerdict({ accepted: true })).toBe("accept");
  });
});
