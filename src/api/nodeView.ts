/**
 * What the HTTP API needs from a running node (DESIGN.md, "src/api"). The composition root (src/node)
 * implements `NodeView` over the chain, mempool, herder and network; the API knows nothing else, so it can
 * be tested with a stub. Methods may answer synchronously or with a promise.
 *
 * Byte fields are `Uint8Array` (rendered as hex), u64 fields are `bigint` (rendered as decimal strings).
 */

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** Summary of the node's state (`GET /status`). */
export interface NodeStatus {
  /** Network id (e.g. "zkvm-testnet"). */
  readonly network: string;
  /** Height of the chain tip. */
  readonly height: bigint;
  /** Id of the tip block (32 bytes). */
  readonly tipId: Uint8Array;
  /** Number of connected peers. */
  readonly peers: number;
  /** Phase of the current consensus slot (e.g. "nominate", "prepare", "confirm", "externalize", "idle"). */
  readonly consensusPhase: string;
  /** Name of the MSM backend in use ("js", "native"). */
  readonly msmBackend: string;
  /** Transactions in the mempool. */
  readonly mempoolSize: number;
  /** Further fields (version, node id, validator flag, uptime...), passed through as they are. */
  readonly [extra: string]: unknown;
}

/** A block as the API shows it: header fields and the ids of its transactions. */
export interface BlockInfo {
  readonly id: Uint8Array;
  readonly version: bigint;
  readonly height: bigint;
  readonly prev: Uint8Array;
  readonly timestampMs: bigint;
  readonly txroot: Uint8Array;
  readonly utxoroot: Uint8Array;
  readonly ext: Uint8Array;
  readonly txids: readonly Uint8Array[];
}

/** A transaction known to the node, confirmed or in the mempool. */
export interface TxInfo {
  readonly txid: Uint8Array;
  /** The serialized transaction. */
  readonly bytes: Uint8Array;
  /** Where it is: in a block (`height` and `blockId` set) or in the mempool. */
  readonly status: "confirmed" | "mempool";
  readonly height?: bigint;
  readonly blockId?: Uint8Array;
  readonly fee?: bigint;
  readonly [extra: string]: unknown;
}

/** One mempool entry. */
export interface MempoolEntryInfo {
  readonly txid: Uint8Array;
  readonly size: number;
  readonly fee: bigint;
  readonly [extra: string]: unknown;
}

/** The mempool (`GET /mempool`). */
export interface MempoolInfo {
  readonly count: number;
  readonly bytes: number;
  readonly entries: readonly MempoolEntryInfo[];
}

/** The verdict on a submitted transaction. */
export interface SubmitResult {
  readonly accepted: boolean;
  readonly txid?: Uint8Array;
  /** The node's reason (an error code) when not accepted. */
  readonly error?: string;
  /** The code of the reason's cause, when it has one (e.g. the VM or utreexo error behind MEMPOOL_TX_INVALID). */
  readonly cause?: string;
}

/** A Utreexo membership proof of an unspent output (`GET /utxo/:contractId/proof`). */
export interface UtxoProofInfo {
  readonly contractId: Uint8Array;
  /** The encoded proof. */
  readonly proof: Uint8Array;
  /** Height of the block whose utxo root the proof is against. */
  readonly height: bigint;
  readonly [extra: string]: unknown;
}

/** Consensus state (`GET /quorum`): the local quorum set and the current slot. */
export interface QuorumInfo {
  readonly nodeId: Uint8Array;
  readonly validator: boolean;
  readonly slot: bigint;
  readonly phase: string;
  readonly quorumSet: unknown;
  readonly [extra: string]: unknown;
}

/** One connected peer (`GET /peers`). */
export interface PeerInfo {
  readonly id: string;
  readonly address?: string;
  readonly direction?: "inbound" | "outbound";
  readonly [extra: string]: unknown;
}

/** The node, as the API sees it. Every method may throw; the API answers 500 `API_INTERNAL` then. */
export interface NodeView {
  status(): Awaitable<NodeStatus>;
  blockByHeight(height: bigint): Awaitable<BlockInfo | undefined>;
  blockById(id: Uint8Array): Awaitable<BlockInfo | undefined>;
  txById(txid: Uint8Array): Awaitable<TxInfo | undefined>;
  mempool(): Awaitable<MempoolInfo>;
  submitTx(bytes: Uint8Array): Awaitable<SubmitResult>;
  utxoProof(contractId: Uint8Array): Awaitable<UtxoProofInfo | undefined>;
  quorumInfo(): Awaitable<QuorumInfo>;
  peers(): Awaitable<readonly PeerInfo[]>;
  /**
   * Optional: the encoded block at `height` (as stored), for light wallets that replay blocks
   * themselves (`GET /blocks/:height/raw`). Without it that route answers 404 `API_NOT_FOUND`.
   */
  blockBytesByHeight?(height: bigint): Awaitable<Uint8Array | undefined>;
}
