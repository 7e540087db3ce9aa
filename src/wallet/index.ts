/**
 * The wallet (issue 6; slingshot `keytree/keytree.md`, `zkvm/docs/zkvm-spec.md`,
 * `zkvm/docs/zkvm-blockchain.md`): key derivation, the key manager, coin selection, and the `Wallet`
 * that tracks utxos with their openings and utreexo proofs and builds payments, issuances and
 * retirements on the ZkVM prover.
 */
export * from "./coinSelection.js";
export * from "./errors.js";
export * from "./keys.js";
export * from "./keytree.js";
export * from "./wallet.js";
