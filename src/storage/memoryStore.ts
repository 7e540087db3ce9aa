/**
 * In-memory `ChainStore` for tests and simulations: same rules and errors as the sqlite store, no
 * durability. Bytes are copied on the way in and out, so callers cannot alias stored data.
 *
 * Spec: /work/shared/DESIGN.md, "src/storage".
 */
import {
  type BlockCommit,
  type ChainStore,
  type ConsensusRecord,
  checkBytes,
  checkCommit,
  checkId,
  checkIndex,
  checkKey,
  checkNextHeight,
  checkPeer,
  checkSlot,
  compareKeys,
  comparePeers,
  hexKey,
  type PeerRecord,
  type Tip,
  type TxLocation,
  type UtreexoSnapshot,
} from "./chainStore.js";
import { StorageCode, StorageError } from "./errors.js";

interface StoredBlock {
  readonly id: Uint8Array;
  readonly header: Uint8Array;
  readonly block: Uint8Array;
  certificate: Uint8Array | undefined;
}

const copy = (b: Uint8Array): Uint8Array => b.slice();
const copyOpt = (b: Uint8Array | undefined): Uint8Array | undefined =>
  b === undefined ? undefined : b.slice();

/** A `ChainStore` held in JS maps. */
export class MemoryChainStore implements ChainStore {
  readonly kind = "memory" as const;
  private closed = false;
  private readonly blocks = new Map<number, StoredBlock>();
  private readonly heightById = new Map<string, number>();
  private readonly txs = new Map<string, { height: number; position: number }>();
  private base: number | undefined;
  private top: number | undefined;
  private forest: UtreexoSnapshot | undefined;
  private readonly consensus = new Map<bigint, Uint8Array>();
  private readonly wallet = new Map<string, Uint8Array>();
  private readonly peers = new Map<string, PeerRecord>();

  private live(): void {
    if (this.closed) throw new StorageError(StorageCode.CLOSED, {});
  }

  async commitBlock(b: BlockCommit): Promise<void> {
    this.live();
    checkCommit(b);
    // Synchronous from here on: no other call can interleave between the checks and the writes.
    checkNextHeight(this.top === undefined ? undefined : { height: this.top, id: b.id }, b.height);
    const idKey = hexKey(b.id);
    if (this.heightById.has(idKey)) throw new StorageError(StorageCode.DUPLICATE, { what: "block id" });
    for (const e of b.txIndex)
      if (this.txs.has(hexKey(e.txid)))
        throw new StorageError(StorageCode.DUPLICATE, { what: "txid", height: b.height });
    this.blocks.set(b.height, {
      id: copy(b.id),
      header: copy(b.header),
      block: copy(b.block),
      certificate: copyOpt(b.certificate),
    });
    this.heightById.set(idKey, b.height);
    for (const e of b.txIndex) this.txs.set(hexKey(e.txid), { height: b.height, position: e.position });
    this.base ??= b.height;
    this.top = b.height;
    this.forest = { height: b.height, state: copy(b.utreexoState) };
  }

  async tip(): Promise<Tip | undefined> {
    this.live();
    if (this.top === undefined) return undefined;
    return { height: this.top, id: copy(this.blocks.get(this.top)!.id) };
  }

  async baseHeight(): Promise<number | undefined> {
    this.live();
    return this.base;
  }

  private at(height: number): StoredBlock | undefined {
    this.live();
    return this.blocks.get(checkIndex("height", height));
  }

  private byId(id: Uint8Array): StoredBlock | undefined {
    this.live();
    const h = this.heightById.get(hexKey(checkId("id", id)));
    return h === undefined ? undefined : this.blocks.get(h);
  }

  async getBlockByHeight(height: number): Promise<Uint8Array | undefined> {
    return copyOpt(this.at(height)?.block);
  }

  async getBlockById(id: Uint8Array): Promise<Uint8Array | undefined> {
    return copyOpt(this.byId(id)?.block);
  }

  async getHeaderByHeight(height: number): Promise<Uint8Array | undefined> {
    return copyOpt(this.at(height)?.header);
  }

  async getHeaderById(id: Uint8Array): Promise<Uint8Array | undefined> {
    return copyOpt(this.byId(id)?.header);
  }

  async getHeaders(from: number, count: number): Promise<Uint8Array[]> {
    this.live();
    checkIndex("from", from);
    checkIndex("count", count);
    const out: Uint8Array[] = [];
    if (this.base === undefined || this.top === undefined) return out;
    const last = Math.min(this.top, from + count - 1);
    for (let h = Math.max(from, this.base); h <= last; h++) out.push(copy(this.blocks.get(h)!.header));
    return out;
  }

  async getBlockId(height: number): Promise<Uint8Array | undefined> {
    return copyOpt(this.at(height)?.id);
  }

  async getHeightOf(id: Uint8Array): Promise<number | undefined> {
    this.live();
    return this.heightById.get(hexKey(checkId("id", id)));
  }

  async getTxLocation(txid: Uint8Array): Promise<TxLocation | undefined> {
    this.live();
    const t = this.txs.get(hexKey(checkId("txid", txid)));
    if (t === undefined) return undefined;
    return { height: t.height, blockId: copy(this.blocks.get(t.height)!.id), position: t.position };
  }

  async putCertificate(height: number, certificate: Uint8Array): Promise<void> {
    const b = this.at(height);
    checkBytes("certificate", certificate);
    if (b === undefined) throw new StorageError(StorageCode.NOT_FOUND, { what: "block", height });
    b.certificate = copy(certificate);
  }

  async getCertificate(height: number): Promise<Uint8Array | undefined> {
    return copyOpt(this.at(height)?.certificate);
  }

  async getUtreexoState(): Promise<UtreexoSnapshot | undefined> {
    this.live();
    return this.forest === undefined
      ? undefined
      : { height: this.forest.height, state: copy(this.forest.state) };
  }

  async putConsensusState(slot: bigint, state: Uint8Array): Promise<void> {
    this.live();
    checkSlot("slot", slot);
    checkBytes("state", state);
    this.consensus.set(slot, copy(state));
  }

  async getLatestConsensusState(): Promise<ConsensusRecord | undefined> {
    this.live();
    let best: bigint | undefined;
    for (const s of this.consensus.keys()) if (best === undefined || s > best) best = s;
    return best === undefined ? undefined : { slot: best, state: copy(this.consensus.get(best)!) };
  }

  async getConsensusState(slot: bigint): Promise<Uint8Array | undefined> {
    this.live();
    return copyOpt(this.consensus.get(checkSlot("slot", slot)));
  }

  async pruneConsensusState(belowSlot: bigint): Promise<number> {
    this.live();
    checkSlot("belowSlot", belowSlot);
    let n = 0;
    for (const s of [...this.consensus.keys()])
      if (s < belowSlot) {
        this.consensus.delete(s);
        n++;
      }
    return n;
  }

  async walletPut(key: string, value: Uint8Array): Promise<void> {
    this.live();
    checkKey("key", key);
    checkBytes("value", value);
    this.wallet.set(key, copy(value));
  }

  async walletGet(key: string): Promise<Uint8Array | undefined> {
    this.live();
    return copyOpt(this.wallet.get(checkKey("key", key)));
  }

  async walletDelete(key: string): Promise<boolean> {
    this.live();
    return this.wallet.delete(checkKey("key", key));
  }

  async walletKeys(prefix = ""): Promise<string[]> {
    this.live();
    if (typeof prefix !== "string") throw new TypeError("prefix must be a string");
    return [...this.wallet.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
  }

  async putPeer(peer: PeerRecord): Promise<void> {
    this.live();
    const p = checkPeer(peer);
    this.peers.set(p.id, p);
  }

  async getPeer(id: string): Promise<PeerRecord | undefined> {
    this.live();
    const p = this.peers.get(checkKey("id", id));
    return p === undefined ? undefined : { ...p };
  }

  async listPeers(): Promise<PeerRecord[]> {
    this.live();
    return [...this.peers.values()].map((p) => ({ ...p })).sort(comparePeers);
  }

  async deletePeer(id: string): Promise<boolean> {
    this.live();
    return this.peers.delete(checkKey("id", id));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
