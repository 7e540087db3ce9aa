/**
 * The light-client relay (issue 8): serves Protocol.LIGHT (network/messages.ts LightRequest /
 * LightResponse) from a full node's store and chain state, and keeps what light clients need that a
 * utreexo node otherwise drops: the catchups of recent blocks (to refresh stale proofs) and a
 * `ProofIndex` of current proofs of the utxos created while it ran (for `GET /utxo/:id/proof`).
 *
 *  - headers: headers with their finality certificates from a height, capped in count and bytes
 *    (a block without a certificate, e.g. genesis, is sent with an empty one);
 *  - forest: the chain state at the tip (`encodeState`: tip header ‖ utreexo forest) and its height;
 *  - proof: a fresh proof of a utxo, from the index or by refreshing the client's stale proof
 *    through the recent catchups; `found: false` when neither works;
 *  - submit: hands the tx to the node; accepted, or rejected with the node's error code as reason;
 *  - watch: a long poll answered when a block creates or spends the contract; when nothing happens
 *    within `watchTimeoutMs` (below the protocol timeout) the request fails with the error code
 *    RELAY_WATCH_TIMEOUT (an error frame: the watch response has no "nothing happened" form).
 *
 * The relay knows only utxos created in blocks it saw (`onBlock`): utxos older than the node's start
 * (or its snapshot) are unknown to the index, and their stale proofs can be refreshed only if they
 * were made against one of the last `recentBlocks` forests. Headers come from the store, which the
 * node writes asynchronously, so for a moment the forest may be one block ahead of the headers served
 * (a light client then retries).
 * Design: /work/shared/DESIGN.md ("network/": light-client protocol; "src/node").
 */
import {
  decodeLightRequest,
  encodeLightResponse,
  type LightRequest,
  type LightResponse,
  MAX_HEADERS_COUNT,
  MAX_REASON_BYTES,
  type WatchEvent,
} from "../../network/index.js";
import type { Awaitable } from "../api/nodeView.js";
import { type BlockchainState, encodeState, utxoLeaf, type VerifiedBlock } from "../chain/index.js";
import { MerklePath } from "../crypto/merkle.js";
import type { ChainStore } from "../storage/index.js";
import { bytesEqual, fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { Reader } from "../util/reader.js";
import {
  type Catchup,
  committed,
  decodeProof,
  type Forest,
  type Proof,
  proofToBytes,
  TRANSIENT,
  utreexoHasher,
} from "../utreexo/index.js";
import { type Logger, silentLogger } from "./logger.js";

/** Error codes of the relay. */
export const RelayCode = {
  /** A watch saw no block create or spend its contract within the watch timeout. */
  WATCH_TIMEOUT: "RELAY_WATCH_TIMEOUT",
  /** Too many watches are pending. */
  TOO_MANY_WATCHES: "RELAY_TOO_MANY_WATCHES",
  /** The proof sent in a proof request does not decode. */
  BAD_PROOF: "RELAY_BAD_PROOF",
  /** The relay was closed (pending watches end with this code). */
  CLOSED: "RELAY_CLOSED",
} as const;
export type RelayCode = (typeof RelayCode)[keyof typeof RelayCode];

/** The relay's error class. */
export class RelayError extends CodedError<
  RelayCode,
  Readonly<Record<string, string | number | bigint | undefined>>
> {}

/** Caps of the relay (all configurable). */
export interface RelayLimits {
  /** Most headers per response (≤ MAX_HEADERS_COUNT). Default 256. */
  readonly maxHeaders: number;
  /** Byte budget of a headers response (headers + certificates). Default 4 MiB. */
  readonly maxHeadersBytes: number;
  /** How many recent blocks' catchups and forests are kept. Default 256. */
  readonly recentBlocks: number;
  /** Byte budget of the kept catchups (oldest dropped first; the newest is always kept). Default 256 MiB. */
  readonly recentBytes: number;
  /** Most utxos in the proof index (oldest evicted). Default 1,000,000. */
  readonly maxProofEntries: number;
  /** How long a watch waits, ms (keep below the protocol timeout, 30 s). Default 20 s. */
  readonly watchTimeoutMs: number;
  /** Most pending watches. Default 1024. */
  readonly maxWatches: number;
}

/** Default relay limits. */
export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxHeaders: 256,
  maxHeadersBytes: 4 * 1024 * 1024,
  recentBlocks: 256,
  recentBytes: 256 * 1024 * 1024,
  maxProofEntries: 1_000_000,
  watchTimeoutMs: 20_000,
  maxWatches: 1024,
};

/** What the relay needs from the node. */
export interface RelayDeps {
  /** Headers and certificates by height. */
  readonly store: Pick<ChainStore, "getHeaders" | "getCertificate">;
  /** The current (committed) chain state. */
  readonly state: () => BlockchainState;
  /** Submits an encoded block tx (tx ‖ utreexo proofs) to the node: the API's SubmitResult fits. */
  readonly submitTx: (
    bytes: Uint8Array,
  ) => Awaitable<{ readonly accepted: boolean; readonly error?: string }>;
  readonly logger?: Logger;
  readonly limits?: Partial<RelayLimits>;
}

/** A utxo's current proof (the shape of the API's UtxoProofInfo). */
export interface RelayUtxoProof {
  readonly contractId: Uint8Array;
  /** The encoded proof (utreexo proof encoding). */
  readonly proof: Uint8Array;
  /** Height of the block whose forest the proof is against. */
  readonly height: bigint;
}

function checkLimit(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new RangeError(`relay limit ${name} out of range`);
}

/** The outputs a block creates and the utxos it spends (an output made and spent inside it is neither). */
function blockEffects(block: VerifiedBlock): { created: Map<string, Uint8Array>; spent: Set<string> } {
  const created = new Map<string, Uint8Array>();
  const spent = new Set<string>();
  for (const rec of block.verifiedTxs)
    for (const e of rec.txlog) {
      if (e.type === "input") {
        const id = toHex(e.contractId);
        if (!created.delete(id)) spent.add(id);
      } else if (e.type === "output") {
        const id = e.contract.id();
        created.set(toHex(id), id);
      }
    }
  return { created, spent };
}

/** One normalization as the index needs it (a block gives one: see `ProofIndex.applyBlock`). */
export interface IndexStep {
  /** Height of the block. */
  readonly height: bigint;
  /** The forest after the block. */
  readonly forest: Forest;
  /** The block's catchup (from the previous forest to `forest`). */
  readonly catchup: Catchup;
  /** Contract ids of the utxos the block creates (and does not spend). */
  readonly created: readonly Uint8Array[];
  /** Contract ids of the utxos the block spends. */
  readonly spent: readonly Uint8Array[];
}

/** A held utxo: its leaf hash and committed path. */
interface Held {
  readonly leaf: Uint8Array;
  readonly position: bigint;
  readonly neighbors: readonly Uint8Array[];
}

/** An ancestor of held leaves in the previous forest, with where the catchup puts it (null: nowhere). */
interface Ancestor {
  readonly hash: Uint8Array;
  readonly moved: MerklePath | null;
}

/** Ancestors met while refreshing one block, by level and position prefix. */
type Memo = (Map<number | string, Ancestor> | undefined)[];

/** Roots by level and each tree's leaf offset (trees are laid out highest level first). */
function layout(forest: Forest): { hash: Map<number, Uint8Array>; offset: Map<number, bigint> } {
  const hash = new Map<number, Uint8Array>();
  const offset = new Map<number, bigint>();
  let off = 0n;
  for (const r of forest.roots()) {
    hash.set(r.level, r.hash);
    offset.set(r.level, off);
    off += 1n << BigInt(r.level);
  }
  return { hash, offset };
}

/**
 * The current committed proof of every utxo created in the blocks it was given (in order), refreshed
 * with each block's catchup as a wallet does; spent utxos are removed; at most `maxEntries` are kept,
 * the oldest evicted first. Utxos created before its first block are unknown to it.
 *
 * Cost per block: nothing for utxos in trees the block left intact (their paths only shift); for the
 * others one node hash per distinct ancestor below the level where the new forest still has it, shared
 * between utxos of the same subtree (a wallet-style `catchup.update` per utxo would hash the whole
 * path of each). The result equals `catchup.update(leaf, proof)` (tests check it on random forests).
 * Measured on this machine with 20,000 held utxos: a block breaking the largest tree ≈ 0.3 s, later
 * blocks 25–60 ms, an empty block ≈ 25 ms; so at the 1,000,000 default a block breaking the largest
 * tree costs seconds of CPU in the commit path. Memory: the paths share neighbour arrays where they
 * can (roughly 0.3–2 KB per utxo).
 */
export class ProofIndex {
  readonly maxEntries: number;
  private readonly hasher = utreexoHasher();
  /** Insertion order = creation order (Map iteration order), so the first key is the oldest. */
  #entries = new Map<string, Held>();
  #forest: Forest | undefined;
  #height: bigint | undefined;
  #evicted = 0;
  #hashes = 0;

  constructor(maxEntries: number = DEFAULT_RELAY_LIMITS.maxProofEntries) {
    checkLimit("maxProofEntries", maxEntries, 0);
    this.maxEntries = maxEntries;
  }

  /** Number of utxos held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Height of the last block applied. */
  get height(): bigint | undefined {
    return this.#height;
  }

  /** How many entries were evicted for space (or dropped because a catchup could not refresh them). */
  get evicted(): number {
    return this.#evicted;
  }

  /** Node hashes computed so far while refreshing (for tests and metrics). */
  get hashes(): number {
    return this.#hashes;
  }

  /** The current proof of utxo `contractId` (against the forest of `height`), if held. */
  get(contractId: Uint8Array): Proof | undefined {
    const e = this.#entries.get(toHex(contractId));
    return e === undefined ? undefined : committed(new MerklePath(e.position, e.neighbors));
  }

  /** Forgets everything (e.g. after a gap in the blocks given). */
  clear(): void {
    this.#entries.clear();
    this.#forest = undefined;
    this.#height = undefined;
  }

  /** Applies the next block: removes spent utxos, refreshes the rest, adds (and evicts for) new ones. */
  applyBlock(block: VerifiedBlock): void {
    const { created, spent } = blockEffects(block);
    this.apply({
      height: block.header.height,
      forest: block.forest,
      catchup: block.catchup,
      created: [...created.values()],
      spent: [...spent].map((h) => fromHex(h, 32)),
    });
  }

  /** Applies one normalization (see `applyBlock`). */
  apply(step: IndexStep): void {
    const spent = new Set(step.spent.map(toHex));
    const before = this.#forest === undefined ? undefined : layout(this.#forest);
    const after = layout(step.forest);
    const memo: Memo = [];
    const next = new Map<string, Held>();
    for (const [id, e] of this.#entries) {
      if (spent.has(id)) continue;
      const level = e.neighbors.length;
      const was = before?.hash.get(level);
      const now = after.hash.get(level);
      if (before !== undefined && was !== undefined && now !== undefined && bytesEqual(was, now)) {
        // The tree is intact: only its place in the forest may have changed.
        const position = e.position - before.offset.get(level)! + after.offset.get(level)!;
        next.set(id, { leaf: e.leaf, position, neighbors: e.neighbors });
        continue;
      }
      const fresh = this.refresh(step.catchup, e, memo);
      if (fresh === undefined) this.#evicted++;
      else next.set(id, fresh);
    }
    // New outputs: neighbours equal between their paths are stored once.
    const shared = new Map<string, Uint8Array>();
    for (const id of step.created) {
      const leaf = utxoLeaf(id);
      const p = step.catchup.update(leaf, TRANSIENT);
      if (p.kind !== "committed") continue;
      const position = p.path.position;
      const neighbors = p.path.neighbors.map((h, k) => {
        const key = `${k}:${(position >> BigInt(k)) ^ 1n}`;
        const had = shared.get(key);
        if (had !== undefined) return had;
        shared.set(key, h);
        return h;
      });
      next.set(toHex(id), { leaf, position, neighbors });
    }
    while (next.size > this.maxEntries) {
      const oldest = next.keys().next().value as string;
      next.delete(oldest);
      this.#evicted++;
    }
    this.#entries = next;
    this.#forest = step.forest;
    this.#height = step.height;
  }

  /**
   * Climbs the held path until an ancestor is a node the catchup knows (a lookup by hash: a transient
   * update of that hash), then keeps the path below it and takes the rest from the new forest.
   */
  private refresh(catchup: Catchup, e: Held, memo: Memo): Held | undefined {
    const level = e.neighbors.length;
    // Ancestor keys: the position's prefix above level k (numbers while positions are safe integers).
    const small = e.position <= BigInt(Number.MAX_SAFE_INTEGER);
    const pos = Number(e.position);
    let below: Ancestor | undefined;
    for (let k = 0; k <= level; k++) {
      const key = small ? Math.floor(pos / 2 ** k) : (e.position >> BigInt(k)).toString();
      let byKey = memo[k];
      if (byKey === undefined) {
        byKey = new Map();
        memo[k] = byKey;
      }
      let a = byKey.get(key);
      if (a === undefined) {
        let hash: Uint8Array;
        if (k === 0) hash = e.leaf;
        else {
          const nb = e.neighbors[k - 1]!;
          const right = ((e.position >> BigInt(k - 1)) & 1n) === 1n;
          hash = right ? this.hasher.node(nb, below!.hash) : this.hasher.node(below!.hash, nb);
          this.#hashes++;
        }
        const p = catchup.update(hash, TRANSIENT);
        a = { hash, moved: p.kind === "committed" ? p.path : null };
        byKey.set(key, a);
      }
      if (a.moved !== null) {
        const low = e.position & ((1n << BigInt(k)) - 1n);
        return {
          leaf: e.leaf,
          position: a.moved.position + low,
          neighbors: [...e.neighbors.slice(0, k), ...a.moved.neighbors],
        };
      }
      below = a;
    }
    return undefined;
  }
}

/** One kept block: its height, forest and catchup (from the previous forest to this one). */
interface Recent {
  readonly height: bigint;
  readonly forest: Forest;
  readonly catchup: Catchup | undefined;
  readonly bytes: number;
}

interface Waiter {
  readonly id: string;
  resolve(res: LightResponse): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Serves the light-client protocol for a node. Create, wire `handle` and `onBlock`, `close()` at stop. */
export class LightRelay {
  readonly limits: RelayLimits;
  readonly index: ProofIndex;
  private readonly deps: RelayDeps;
  private readonly logger: Logger;
  private recent: Recent[] = [];
  private recentBytes = 0;
  private readonly watches = new Map<string, Set<Waiter>>();
  private watchCount = 0;
  private closed = false;

  constructor(deps: RelayDeps) {
    const limits = { ...DEFAULT_RELAY_LIMITS, ...deps.limits };
    checkLimit("maxHeaders", limits.maxHeaders, 1, MAX_HEADERS_COUNT);
    checkLimit("maxHeadersBytes", limits.maxHeadersBytes, 1);
    checkLimit("recentBlocks", limits.recentBlocks, 1);
    checkLimit("recentBytes", limits.recentBytes, 0);
    checkLimit("watchTimeoutMs", limits.watchTimeoutMs, 1);
    checkLimit("maxWatches", limits.maxWatches, 0);
    this.limits = limits;
    this.deps = deps;
    this.logger = deps.logger ?? silentLogger;
    this.index = new ProofIndex(limits.maxProofEntries);
    const s = deps.state();
    this.push({ height: s.tip.height, forest: s.forest, catchup: undefined, bytes: 0 });
  }

  /** Pending watches. */
  get pendingWatches(): number {
    return this.watchCount;
  }

  /** Heights whose forests are kept (oldest first). */
  get recentHeights(): bigint[] {
    return this.recent.map((r) => r.height);
  }

  private push(r: Recent): void {
    this.recent.push(r);
    this.recentBytes += r.bytes;
    while (
      this.recent.length > 1 &&
      (this.recent.length > this.limits.recentBlocks || this.recentBytes > this.limits.recentBytes)
    ) {
      const old = this.recent.shift()!;
      this.recentBytes -= old.bytes;
    }
  }

  /**
   * A committed block (call in height order, after the node's state moved onto it): keeps its
   * catchup, updates the proof index and answers the watches it concerns. A gap in heights resets
   * the kept catchups and the index (they cannot be chained across it).
   */
  onBlock(block: VerifiedBlock): void {
    const last = this.recent[this.recent.length - 1];
    if (last !== undefined && block.header.height !== last.height + 1n) {
      this.logger.warn("relay: gap in blocks; proof index reset", {
        expected: (last.height + 1n).toString(),
        height: block.header.height.toString(),
      });
      this.recent = [];
      this.recentBytes = 0;
      this.index.clear();
    }
    this.push({
      height: block.header.height,
      forest: block.forest,
      catchup: block.catchup,
      bytes: block.catchup.byteSize,
    });
    try {
      this.index.applyBlock(block);
    } catch (e) {
      // Never let the index break the node's commit path: start it over from the next block.
      this.logger.error("relay: proof index update failed; index reset", { error: String(e) });
      this.index.clear();
    }
    if (this.watchCount > 0) this.resolveWatches(block);
  }

  private resolveWatches(block: VerifiedBlock): void {
    for (const rec of block.verifiedTxs)
      for (const e of rec.txlog) {
        let id: Uint8Array;
        let event: WatchEvent;
        if (e.type === "input") {
          id = e.contractId;
          event = "spent";
        } else if (e.type === "output") {
          id = e.contract.id();
          event = "created";
        } else continue;
        const set = this.watches.get(toHex(id));
        if (set === undefined) continue;
        const res: LightResponse = {
          kind: "watch",
          contractId: id.slice(),
          event,
          height: block.header.height,
          txId: rec.txid.slice(),
        };
        for (const w of [...set]) {
          this.dropWatch(w);
          w.resolve(res);
        }
      }
  }

  /** The current proof of a utxo the index holds (NodeView.utxoProof). */
  utxoProof(contractId: Uint8Array): RelayUtxoProof | undefined {
    if (!(contractId instanceof Uint8Array) || contractId.length !== 32)
      throw new RangeError("contractId must be 32 bytes");
    const p = this.index.get(contractId);
    const height = this.index.height;
    if (p === undefined || height === undefined) return undefined;
    return { contractId: contractId.slice(), proof: proofToBytes(p), height };
  }

  /**
   * Answers one Protocol.LIGHT request. Malformed requests throw NET_MESSAGE_INVALID; other failures
   * throw RelayError (served as error frames by network/reqresp.ts).
   */
  async handle(request: Uint8Array): Promise<Uint8Array> {
    const req = decodeLightRequest(request);
    return encodeLightResponse(await this.answer(req));
  }

  private async answer(req: LightRequest): Promise<LightResponse> {
    switch (req.kind) {
      case "headers":
        return this.headers(req.from, req.maxCount);
      case "forest": {
        const s = this.deps.state();
        return { kind: "forest", height: s.tip.height, forest: encodeState(s) };
      }
      case "proof":
        return this.proof(req.utxoId, req.proof);
      case "submit": {
        const r = await this.deps.submitTx(req.tx);
        if (r.accepted) return { kind: "submit", accepted: true };
        return { kind: "submit", accepted: false, reason: reasonText(r.error) };
      }
      case "watch":
        return this.watch(req.contractId);
    }
  }

  private async headers(from: bigint, maxCount: number): Promise<LightResponse> {
    const count = Math.min(maxCount, this.limits.maxHeaders);
    const out: { header: Uint8Array; certificate: Uint8Array }[] = [];
    if (from > BigInt(Number.MAX_SAFE_INTEGER - count)) return { kind: "headers", headers: out };
    const start = Number(from);
    const headers = await this.deps.store.getHeaders(start, count);
    let budget = this.limits.maxHeadersBytes;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      const certificate = (await this.deps.store.getCertificate(start + i)) ?? new Uint8Array(0);
      budget -= header.length + certificate.length + 8;
      if (budget < 0) break;
      out.push({ header, certificate });
    }
    return { kind: "headers", headers: out };
  }

  private proof(utxoId: Uint8Array, proofBytes: Uint8Array): LightResponse {
    const tip = this.recent[this.recent.length - 1]!;
    const held = this.index.get(utxoId);
    if (held !== undefined && this.index.height === tip.height)
      return { kind: "proof", found: true, height: tip.height, proof: proofToBytes(held) };
    let proof: Proof;
    try {
      const r = new Reader(proofBytes);
      proof = decodeProof(r);
      r.end("utreexo proof");
    } catch (e) {
      if (e instanceof CodedError) throw new RelayError(RelayCode.BAD_PROOF, {}, { cause: e });
      throw e;
    }
    const fresh = this.refreshProof(utxoId, proof);
    if (fresh === undefined) return { kind: "proof", found: false };
    return { kind: "proof", found: true, height: tip.height, proof: proofToBytes(fresh) };
  }

  /**
   * A committed proof of `utxoId` made against one of the recent forests, brought up to the tip
   * through the later catchups; undefined if it holds in none of them (or the utxo was spent). A
   * proof that already holds at the tip comes back unchanged.
   */
  refreshProof(utxoId: Uint8Array, proof: Proof): Proof | undefined {
    if (proof.kind !== "committed" || this.recent.length === 0) return undefined;
    const leaf = utxoLeaf(utxoId);
    // The newest kept forest the proof holds in; then every later catchup in order.
    let at = -1;
    for (let i = this.recent.length - 1; i >= 0; i--)
      if (this.recent[i]!.forest.verify(leaf, proof.path)) {
        at = i;
        break;
      }
    if (at < 0) return undefined;
    let cur: Proof = proof;
    try {
      for (let i = at + 1; i < this.recent.length; i++) cur = this.recent[i]!.catchup!.update(leaf, cur);
    } catch (e) {
      if (e instanceof CodedError) return undefined;
      throw e;
    }
    return cur;
  }

  private watch(contractId: Uint8Array): Promise<LightResponse> {
    if (this.closed) return Promise.reject(new RelayError(RelayCode.CLOSED, {}));
    if (this.watchCount >= this.limits.maxWatches)
      return Promise.reject(new RelayError(RelayCode.TOO_MANY_WATCHES, { max: this.limits.maxWatches }));
    const id = toHex(contractId);
    return new Promise<LightResponse>((resolve, reject) => {
      const w: Waiter = {
        id,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.dropWatch(w);
          reject(new RelayError(RelayCode.WATCH_TIMEOUT, { contractId: id }));
        }, this.limits.watchTimeoutMs),
      };
      w.timer.unref?.();
      let set = this.watches.get(id);
      if (set === undefined) {
        set = new Set();
        this.watches.set(id, set);
      }
      set.add(w);
      this.watchCount++;
    });
  }

  private dropWatch(w: Waiter): void {
    clearTimeout(w.timer);
    const set = this.watches.get(w.id);
    if (set === undefined || !set.delete(w)) return;
    this.watchCount--;
    if (set.size === 0) this.watches.delete(w.id);
  }

  /** Ends every pending watch with RELAY_CLOSED and refuses new ones. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const set of [...this.watches.values()])
      for (const w of [...set]) {
        this.dropWatch(w);
        w.reject(new RelayError(RelayCode.CLOSED, {}));
      }
  }
}

/** The rejection reason as sent: the node's code, cut to the codec's limit. */
function reasonText(error: string | undefined): string {
  const text = error ?? "REJECTED";
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_REASON_BYTES) return text;
  return text.slice(0, MAX_REASON_BYTES / 4);
}
