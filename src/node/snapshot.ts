/**
 * Snapshot bootstrap (issue 8; DESIGN.md "src/node", "consensus/herder" finality certificates): a new
 * node fetches a peer's tip — header, finality certificate, chain state (tip header ‖ utreexo forest)
 * and the tip block — over the "snapshot" protocol, checks it against its configured quorum set, and
 * writes it into its empty store as the store's base block. `ZkvmNode.create` then starts from that
 * state and catch-up sync follows the chain from there, without replaying history.
 *
 * Checks: the certificate verifies for the header's block id against `config.quorumSet` (required);
 * the chain state's tip is that header (same id); the forest's root equals the header's utxoroot; the
 * block bytes decode to a block with that header. A snapshot of the genesis block is accepted without
 * a certificate when it is this node's genesis.
 *
 * Since a snapshot-based store does not start with the genesis block, the store keeps the genesis id
 * under the reserved key-value entry `GENESIS_META_KEY`, and `ZkvmNode.create` refuses a store of
 * another genesis.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import {
  decodeCertificate,
  encodeCertificate,
  type FinalityCertificate,
} from "../../consensus/herder/index.js";
import type { QuorumSet } from "../../consensus/scp/index.js";
import {
  decodeSnapshotResponse,
  encodeSnapshotRequest,
  NetworkService,
  Protocol,
  type Snapshot,
} from "../../network/index.js";
import {
  type Block,
  type BlockchainState,
  type BlockHeader,
  blockId,
  decodeBlock,
  decodeHeader,
  decodeState,
  encodeBlock,
  encodeHeader,
  encodeState,
  makeGenesis,
} from "../chain/index.js";
import type { ChainStore } from "../storage/index.js";
import { SqliteChainStore } from "../storage/index.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { precomputeTx } from "../zkvm/verifier.js";
import type { NodeConfig, QuorumSetConfig } from "./config.js";
import { NodeCode, NodeError } from "./errors.js";
import { type Logger, silentLogger } from "./logger.js";
import { trustedCertificateCheck } from "./sync.js";

/** The store's key-value entry holding the chain's genesis id (32 bytes). */
export const GENESIS_META_KEY = "zkvm.node/genesis-id";

/** The chain's genesis as `ZkvmNode.create` takes it. */
export interface GenesisParams {
  readonly timestampMs: bigint;
  readonly utxoIds: readonly Uint8Array[];
}

/** A snapshot that passed every check. */
export interface VerifiedSnapshot {
  readonly header: BlockHeader;
  readonly id: Uint8Array;
  readonly state: BlockchainState;
  readonly block: Block;
  /** The certificate (undefined for the genesis block). */
  readonly certificate: FinalityCertificate | undefined;
}

/** Converts a configured quorum set to the SCP type. */
export function scpQuorumSet(q: QuorumSetConfig): QuorumSet {
  return {
    threshold: q.threshold,
    validators: q.validators.map((v) => v.slice()),
    innerSets: q.innerSets.map(scpQuorumSet),
  };
}

/** The snapshot a node serves: its tip block and certificate with its chain state. */
export function makeSnapshot(state: BlockchainState, block: Uint8Array, certificate: Uint8Array): Snapshot {
  return { header: encodeHeader(state.tip), certificate, state: encodeState(state), block };
}

/**
 * Checks a snapshot against the trusted quorum set and this node's genesis id (see the module
 * comment). Errors: NODE_SNAPSHOT_BAD_FORMAT, _BAD_CERTIFICATE, _BAD_STATE, _BAD_BLOCK.
 */
export function verifySnapshot(s: Snapshot, trusted: QuorumSet, genesisId: Uint8Array): VerifiedSnapshot {
  let header: BlockHeader;
  let state: BlockchainState;
  try {
    header = decodeHeader(s.header);
    state = decodeState(s.state);
  } catch (e) {
    throw new NodeError(NodeCode.SNAPSHOT_BAD_FORMAT, { reason: "header or state" }, { cause: e });
  }
  const id = blockId(header);
  const height = Number(header.height);
  let certificate: FinalityCertificate | undefined;
  if (bytesEqual(id, genesisId) && s.certificate.length === 0) certificate = undefined;
  else {
    try {
      if (s.certificate.length === 0) throw new NodeError(NodeCode.SNAPSHOT_BAD_CERTIFICATE, { height });
      certificate = decodeCertificate(s.certificate);
      trustedCertificateCheck(trusted)(certificate, id);
    } catch (e) {
      if (e instanceof NodeError) throw e;
      throw new NodeError(NodeCode.SNAPSHOT_BAD_CERTIFICATE, { height }, { cause: e });
    }
  }
  if (!bytesEqual(state.tipId, id))
    throw new NodeError(NodeCode.SNAPSHOT_BAD_STATE, {
      height,
      reason: `state tip ${toHex(state.tipId)} is not the certified block ${toHex(id)}`,
    });
  if (!bytesEqual(state.forest.root(), header.utxoroot))
    throw new NodeError(NodeCode.SNAPSHOT_BAD_STATE, { height, reason: "forest root is not the utxoroot" });
  let block: Block;
  try {
    block = decodeBlock(s.block);
  } catch (e) {
    throw new NodeError(NodeCode.SNAPSHOT_BAD_BLOCK, { height, reason: "does not decode" }, { cause: e });
  }
  if (!bytesEqual(blockId(block.header), id))
    throw new NodeError(NodeCode.SNAPSHOT_BAD_BLOCK, { height, reason: "block is not the certified one" });
  return { header, id, state, block, certificate };
}

/** The genesis id recorded in a store (undefined if none was recorded). */
export async function storedGenesisId(store: ChainStore): Promise<Uint8Array | undefined> {
  return store.walletGet(GENESIS_META_KEY);
}

/** Records the chain's genesis id in a store. */
export async function recordGenesisId(store: ChainStore, id: Uint8Array): Promise<void> {
  await store.walletPut(GENESIS_META_KEY, id);
}

/**
 * Writes a verified snapshot into an empty store as its base block (with certificate, chain state,
 * tx index) and records the genesis id. NODE_SNAPSHOT_STORE_NOT_EMPTY if the store holds blocks.
 */
export async function writeSnapshotBase(
  store: ChainStore,
  snap: VerifiedSnapshot,
  genesisId: Uint8Array,
): Promise<void> {
  const tip = await store.tip();
  if (tip !== undefined)
    throw new NodeError(NodeCode.SNAPSHOT_STORE_NOT_EMPTY, {
      height: tip.height,
      reason: "store has blocks",
    });
  await recordGenesisId(store, genesisId);
  await store.commitBlock({
    height: Number(snap.header.height),
    id: snap.id,
    header: encodeHeader(snap.header),
    block: encodeBlock(snap.block),
    ...(snap.certificate === undefined ? {} : { certificate: encodeCertificate(snap.certificate) }),
    utreexoState: encodeState(snap.state),
    txIndex: snap.block.txs.map((t, position) => ({
      txid: precomputeTx(t.tx, t.txBytes.length).txid,
      position,
    })),
  });
}

/** Options of {@link bootstrapFromSnapshot}. */
export interface BootstrapOptions {
  readonly config: NodeConfig;
  readonly genesis: GenesisParams;
  readonly logger?: Logger;
  /** How long to wait for peers and a valid snapshot, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** A store to fill instead of `<dataDir>/chain.sqlite` (it is left open; the default one is closed). */
  readonly store?: ChainStore;
}

/** What {@link bootstrapFromSnapshot} installed. */
export interface BootstrapResult {
  /** Height of the snapshot (the store's base and tip). */
  readonly height: bigint;
  /** Its block id. */
  readonly tipId: Uint8Array;
  /** Wall time of the whole bootstrap in ms. */
  readonly elapsedMs: number;
  /** The peer it came from. */
  readonly peer: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Bootstraps a node's data folder from a peer's snapshot: starts a temporary network host (no gossip)
 * dialling `config.bootstrapPeers`, asks connected peers in turn for their snapshot, verifies it
 * (`verifySnapshot`, against `config.quorumSet`), and writes it into the empty store of
 * `config.dataDir`. Then `ZkvmNode.create` with the same config starts from it.
 * Errors: NODE_SNAPSHOT_NO_QUORUM_SET, _STORE_NOT_EMPTY, _UNAVAILABLE (no peer, or none answered in
 * time), or the last verification error (_BAD_CERTIFICATE, _BAD_STATE, _BAD_BLOCK, _BAD_FORMAT) when
 * every peer that answered sent a bad snapshot; STORAGE_* from the store.
 */
export async function bootstrapFromSnapshot(opts: BootstrapOptions): Promise<BootstrapResult> {
  const t0 = performance.now();
  const cfg = opts.config;
  const logger = opts.logger ?? silentLogger;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (cfg.quorumSet === undefined) throw new NodeError(NodeCode.SNAPSHOT_NO_QUORUM_SET, {});
  const trusted = scpQuorumSet(cfg.quorumSet);
  const genesisId = makeGenesis(opts.genesis.timestampMs, opts.genesis.utxoIds).state.tipId;
  mkdirSync(cfg.dataDir, { recursive: true });
  const store = opts.store ?? (await SqliteChainStore.open({ path: join(cfg.dataDir, "chain.sqlite") }));
  let net: NetworkService | undefined;
  try {
    const tip = await store.tip();
    if (tip !== undefined)
      throw new NodeError(NodeCode.SNAPSHOT_STORE_NOT_EMPTY, {
        height: tip.height,
        path: cfg.dataDir,
        reason: "the data folder already holds a chain",
      });
    net = new NetworkService({
      networkId: cfg.network,
      privateKey: await generateKeyPair("Ed25519"),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootstrap: cfg.bootstrapPeers,
      bootstrapDelayMs: 10,
    });
    await net.start();
    const deadline = Date.now() + timeoutMs;
    const tried = new Set<string>();
    let lastError: unknown;
    let found: { snap: VerifiedSnapshot; peer: string } | undefined;
    while (found === undefined && Date.now() < deadline) {
      for (const peer of net.peers().filter((p) => !tried.has(p))) {
        tried.add(peer);
        try {
          const bytes = await net.request(peer, Protocol.SNAPSHOT, encodeSnapshotRequest());
          const res = decodeSnapshotResponse(bytes);
          if (res === null) continue;
          found = { snap: verifySnapshot(res, trusted, genesisId), peer };
          break;
        } catch (e) {
          if (!(e instanceof CodedError)) throw e;
          if (e instanceof NodeError) lastError = e;
          logger.warn("snapshot refused", { peer, code: e.code });
        }
      }
      if (found === undefined && tried.size > 0 && tried.size >= cfg.bootstrapPeers.length) break;
      if (found === undefined) await sleep(50);
    }
    if (found === undefined) {
      if (lastError !== undefined) throw lastError;
      throw new NodeError(NodeCode.SNAPSHOT_UNAVAILABLE, {
        reason: tried.size === 0 ? "no peer connected" : "no peer served a snapshot",
      });
    }
    const { snap, peer } = found;
    await writeSnapshotBase(store, snap, genesisId);
    const elapsedMs = performance.now() - t0;
    logger.info("bootstrapped from snapshot", {
      height: snap.header.height.toString(),
      id: toHex(snap.id),
      peer,
      ms: Math.round(elapsedMs),
    });
    return { height: snap.header.height, tipId: snap.id, elapsedMs, peer };
  } finally {
    if (net !== undefined) await net.stop();
    if (opts.store === undefined) await store.close();
  }
}
