/**
 * The transaction log and the transaction id (zkvm-spec.md "Transaction log", "Transaction ID"):
 * txid = MerkleHash(Transcript("ZkVM.txid"), {header} || txlog), each entry committing its fields.
 */
import { MerkleHasher, type MerkleItem } from "../crypto/merkle.js";
import type { CompressedPoint } from "../crypto/ristretto.js";
import type { Transcript } from "../crypto/transcript.js";
import type { Contract, ContractId } from "./contract.js";
import { LABEL } from "./labels.js";

/** Version and time bounds (milliseconds since the Unix epoch). */
export interface TxHeader {
  readonly version: bigint;
  readonly mintime: bigint;
  readonly maxtime: bigint;
}

export type TxEntry =
  | { readonly type: "header"; readonly header: TxHeader }
  | { readonly type: "input"; readonly contractId: ContractId }
  | { readonly type: "output"; readonly contract: Contract }
  | { readonly type: "issue"; readonly qty: CompressedPoint; readonly flv: CompressedPoint }
  | { readonly type: "retire"; readonly qty: CompressedPoint; readonly flv: CompressedPoint }
  | { readonly type: "fee"; readonly fee: bigint }
  | { readonly type: "data"; readonly data: Uint8Array };

/** Commits one entry as a merkle leaf. */
export function commitEntry(t: Transcript, e: TxEntry): void {
  switch (e.type) {
    case "header":
      t.appendU64("tx.version", e.header.version);
      t.appendU64("tx.mintime", e.header.mintime);
      t.appendU64("tx.maxtime", e.header.maxtime);
      break;
    case "input":
      t.appendMessage("input", e.contractId);
      break;
    case "output":
      t.appendMessage("output", e.contract.id());
      break;
    case "issue":
      t.appendMessage("issue.q", e.qty.bytes);
      t.appendMessage("issue.f", e.flv.bytes);
      break;
    case "retire":
      t.appendMessage("retire.q", e.qty.bytes);
      t.appendMessage("retire.f", e.flv.bytes);
      break;
    case "fee":
      t.appendU64("fee", e.fee);
      break;
    case "data":
      t.appendMessage("data", e.data);
      break;
  }
}

function asItem(e: TxEntry): MerkleItem {
  return { commit: (t) => commitEntry(t, e) };
}

let txidHasher: MerkleHasher | undefined;

/** The merkle hasher of transaction ids ("ZkVM.txid"). */
export function txidMerkleHasher(): MerkleHasher {
  txidHasher ??= new MerkleHasher(LABEL.TXID);
  return txidHasher;
}

/** The transaction id of a log (whose first entry is the header, as the VM writes it). */
export function computeTxid(log: readonly TxEntry[]): Uint8Array {
  const h = txidMerkleHasher();
  return h.rootOfLeaves(log.map((e) => h.leaf(asItem(e))));
}

/** Total fee declared by `fee` entries. */
export function totalFee(log: readonly TxEntry[]): bigint {
  let f = 0n;
  for (const e of log) if (e.type === "fee") f += e.fee;
  return f;
}
