/** Domain-separation labels of ZkVM transcripts (zkvm-spec.md). Never write these inline. */
export const LABEL = {
  CONTRACT_ID: "ZkVM.contractid",
  RATCHET_ANCHOR: "ZkVM.ratchet-anchor",
  TXID: "ZkVM.txid",
  TX_WITNESS_HASH: "ZkVM.tx_witness_hash",
  ISSUE: "ZkVM.issue",
  TAPROOT: "ZkVM.taproot",
  TAPROOT_DERIVE_BLINDING: "ZkVM.taproot-derive-blinding",
  SIGNTX: "ZkVM.signtx",
  SIGNID: "ZkVM.signid",
  SIGNTAG: "ZkVM.signtag",
  R1CS: "ZkVM.r1cs",
  VERIFY_AND_CHALLENGE: "ZkVM.verify.and-challenge",
} as const;
