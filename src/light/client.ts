/**
 * The light client (issue 8): talks to a relay (src/node/relay.ts) over Protocol.LIGHT through an
 * injected transport (connect.ts gives one over libp2p) and checks what it can:
 *
 *  - headers: each header decodes, has the height asked for, chains to its predecessor (prev id), and
 *    carries a finality certificate that verifies (`verifyCertificate`) against the trusted quorum
 *    set — except the trust anchor (usually genesis), accepted by id alone;
 *  - forest: the tip state decodes, its forest's root is its header's utxoroot, and that header is the
 *    verified header of its height (fetched and verified when not yet known);
 *  - refreshed proofs: decode, and hold in the verified forest of their height when the client has it;
 *  - submit and watch: typed answers (a watch that sees nothing within its time is `timeout`).
 *
 * Every failure is a LightError (errors.ts) with the lower-layer error as `cause`.
 * Design: /work/shared/DESIGN.md ("network/": light-client protocol).
 */
import {
  decodeCertificate,
  type QuorumSetLookup,
  type SignatureCheck,
  verifyCertificate,
  verifyEnvelopeSignature,
} from "../../consensus/herder/index.js";
import { nodeKey, type QuorumSet } from "../../consensus/scp/index.js";
import { NetworkCode } from "../../network/errors.js";
import {
  decodeLightResponse,
  encodeLightRequest,
  type LightRequest,
  type LightResponse,
  MAX_HEADERS_COUNT,
  type WatchEvent,
} from "../../network/messages.js";
import { type BlockHeader, blockId, decodeHeader, decodeState, utxoLeaf } from "../chain/index.js";
import { bytesEqual, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { type Forest, type Proof, proofFromBytes, proofToBytes } from "../utreexo/index.js";
import { LightCode, LightError } from "./errors.js";

/** Sends one encoded LightRequest to the relay and returns the encoded LightResponse. */
export type LightTransport = (request: Uint8Array) => Promise<Uint8Array>;

/** What the client trusts. */
export interface LightTrust {
  /** A block trusted without a certificate (usually genesis, which has none): its height and id. */
  readonly anchor: { readonly height: bigint; readonly id: Uint8Array };
  /** The quorum set certificates must satisfy (a slice of it must sign). */
  readonly quorumSet: QuorumSet;
  /** Quorum sets of signers (default: every validator named in `quorumSet` has `quorumSet`). */
  readonly qsetOf?: QuorumSetLookup;
  /** Envelope signature check (default: Starsig, consensus/herder/signer.ts). */
  readonly verifySig?: SignatureCheck;
}

/** Options of a LightClient. */
export interface LightClientOptions {
  /** How many verified headers are remembered (lowest heights forgotten first). Default 4096. */
  readonly maxKnownHeaders?: number;
  /** Called by `close()` (e.g. stops the network host). */
  readonly onClose?: () => Promise<void>;
}

/** A header whose certificate verified (or the trust anchor). */
export interface VerifiedHeader {
  readonly height: bigint;
  readonly id: Uint8Array;
  readonly header: BlockHeader;
}

/** The relay's tip state, checked against its verified header. */
export interface LightForest {
  readonly height: bigint;
  readonly header: VerifiedHeader;
  readonly forest: Forest;
}

/** A refreshed proof; `verified` when it was checked against the verified forest of `height`. */
export interface RefreshedProof {
  readonly height: bigint;
  readonly proof: Proof;
  readonly verified: boolean;
}

/** The verdict on a submitted tx. */
export type SubmitOutcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: string };

/** What a watch saw. */
export type WatchOutcome =
  | {
      readonly kind: "event";
      readonly event: WatchEvent;
      readonly height: bigint;
      readonly txId: Uint8Array;
    }
  | { readonly kind: "timeout" };

/** The remote code a relay answers a watch with when nothing happened in its wait. */
const RELAY_WATCH_TIMEOUT = "RELAY_WATCH_TIMEOUT";

function validatorsOf(q: QuorumSet, out: Set<string>): Set<string> {
  for (const v of q.validators) out.add(nodeKey(v));
  for (const inner of q.innerSets) validatorsOf(inner, out);
  return out;
}

function check32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new RangeError(`${what} must be 32 bytes`);
}

/** A light client of one relay. */
export class LightClient {
  private readonly transport: LightTransport;
  private readonly trust: LightTrust;
  private readonly qsetOf: QuorumSetLookup;
  private readonly verifySig: SignatureCheck;
  private readonly maxKnown: number;
  private readonly onClose: (() => Promise<void>) | undefined;
  private readonly known = new Map<bigint, VerifiedHeader>();
  private tipHeader: VerifiedHeader | undefined;
  private lastForest: LightForest | undefined;

  constructor(transport: LightTransport, trust: LightTrust, opts: LightClientOptions = {}) {
    if (typeof transport !== "function") throw new TypeError("transport must be a function");
    check32(trust.anchor.id, "trust.anchor.id");
    this.transport = transport;
    this.trust = { ...trust, anchor: { height: trust.anchor.height, id: trust.anchor.id.slice() } };
    const members = validatorsOf(trust.quorumSet, new Set());
    this.qsetOf = trust.qsetOf ?? ((id) => (members.has(nodeKey(id)) ? trust.quorumSet : undefined));
    this.verifySig = trust.verifySig ?? verifyEnvelopeSignature;
    this.maxKnown = opts.maxKnownHeaders ?? 4096;
    if (!Number.isSafeInteger(this.maxKnown) || this.maxKnown < 1)
      throw new RangeError("maxKnownHeaders must be a positive integer");
    this.onClose = opts.onClose;
  }

  /** The highest verified header, if any. */
  get tip(): VerifiedHeader | undefined {
    return this.tipHeader;
  }

  /** The verified header at `height`, if remembered. */
  headerAt(height: bigint): VerifiedHeader | undefined {
    return this.known.get(height);
  }

  /** Sends a request; maps transport and remote failures to LightErrors; checks the response kind. */
  private async call<K extends LightResponse["kind"]>(
    req: LightRequest & { kind: K },
  ): Promise<Extract<LightResponse, { kind: K }>> {
    const body = encodeLightRequest(req);
    let bytes: Uint8Array;
    try {
      bytes = await this.transport(body);
    } catch (e) {
      if (e instanceof CodedError && e.code === NetworkCode.REMOTE_ERROR)
        throw new LightError(LightCode.REMOTE_ERROR, { remoteCode: String(e.meta.remoteCode) }, { cause: e });
      throw new LightError(
        LightCode.TRANSPORT_FAILED,
        { reason: e instanceof CodedError ? e.code : String(e) },
        { cause: e },
      );
    }
    let res: LightResponse;
    try {
      res = decodeLightResponse(bytes);
    } catch (e) {
      throw new LightError(LightCode.BAD_RESPONSE, { expected: req.kind }, { cause: e });
    }
    if (res.kind !== req.kind)
      throw new LightError(LightCode.BAD_RESPONSE, { expected: req.kind, actual: res.kind });
    return res as Extract<LightResponse, { kind: K }>;
  }

  /**
   * Up to `maxCount` verified headers from height `from` (fewer when the relay has fewer; none past
   * its tip). Throws LIGHT_BAD_HEADER (decode, height, chaining, conflict with a known header) or
   * LIGHT_BAD_CERTIFICATE (meta.reason: the herder's code); nothing is remembered then.
   */
  async headers(from: bigint, maxCount = 256): Promise<VerifiedHeader[]> {
    if (typeof from !== "bigint" || from < 0n) throw new RangeError("from must be a non-negative bigint");
    const res = await this.call({ kind: "headers", from, maxCount: Math.min(maxCount, MAX_HEADERS_COUNT) });
    if (res.headers.length > maxCount)
      throw new LightError(LightCode.BAD_RESPONSE, { reason: "too many headers", max: maxCount });
    const out: VerifiedHeader[] = [];
    let prev = this.known.get(from - 1n);
    res.headers.forEach((pair, i) => {
      const height = from + BigInt(i);
      let header: BlockHeader;
      try {
        header = decodeHeader(pair.header);
      } catch (e) {
        throw new LightError(LightCode.BAD_HEADER, { height, reason: "decode" }, { cause: e });
      }
      if (header.height !== height)
        throw new LightError(LightCode.BAD_HEADER, { height, reason: "height", actual: header.height });
      const id = blockId(header);
      if (prev !== undefined && !bytesEqual(header.prev, prev.id))
        throw new LightError(LightCode.BAD_HEADER, { height, reason: "prev", expected: toHex(prev.id) });
      const seen = this.known.get(height);
      if (seen !== undefined && !bytesEqual(seen.id, id))
        throw new LightError(LightCode.BAD_HEADER, { height, reason: "conflict", expected: toHex(seen.id) });
      if (height === this.trust.anchor.height) {
        if (!bytesEqual(id, this.trust.anchor.id))
          throw new LightError(LightCode.BAD_HEADER, { height, reason: "anchor", actual: toHex(id) });
      } else this.checkCertificate(height, id, pair.certificate);
      const v: VerifiedHeader = { height, id, header };
      out.push(v);
      prev = v;
    });
    for (const v of out) this.remember(v);
    return out;
  }

  private checkCertificate(height: bigint, id: Uint8Array, bytes: Uint8Array): void {
    if (bytes.length === 0) throw new LightError(LightCode.BAD_CERTIFICATE, { height, reason: "missing" });
    try {
      verifyCertificate(decodeCertificate(bytes), id, this.qsetOf, this.verifySig, this.trust.quorumSet);
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      throw new LightError(LightCode.BAD_CERTIFICATE, { height, reason: e.code }, { cause: e });
    }
  }

  private remember(v: VerifiedHeader): void {
    this.known.set(v.height, v);
    if (this.tipHeader === undefined || v.height > this.tipHeader.height) this.tipHeader = v;
    while (this.known.size > this.maxKnown) {
      let low: bigint | undefined;
      for (const h of this.known.keys()) if (low === undefined || h < low) low = h;
      this.known.delete(low!);
    }
  }

  /**
   * Follows the relay's chain from the verified tip (or the anchor) until it has no more headers, at
   * most `maxRounds` requests; returns the new tip.
   */
  async sync(maxRounds = 64): Promise<VerifiedHeader | undefined> {
    for (let round = 0; round < maxRounds; round++) {
      const from = this.tipHeader === undefined ? this.trust.anchor.height : this.tipHeader.height + 1n;
      const got = await this.headers(from);
      if (got.length === 0) break;
    }
    return this.tipHeader;
  }

  /**
   * The relay's tip forest, checked: it decodes (LIGHT_BAD_FOREST), its root is its header's utxoroot,
   * and that header is the certified header of its height (fetched if not known yet).
   */
  async forest(): Promise<LightForest> {
    const res = await this.call({ kind: "forest" });
    let state: ReturnType<typeof decodeState>;
    try {
      state = decodeState(res.forest);
    } catch (e) {
      throw new LightError(LightCode.BAD_FOREST, { reason: "decode" }, { cause: e });
    }
    if (state.tip.height !== res.height)
      throw new LightError(LightCode.BAD_FOREST, { reason: "height", actual: state.tip.height });
    if (!bytesEqual(state.forest.root(), state.tip.utxoroot))
      throw new LightError(LightCode.BAD_FOREST, { reason: "utxoroot" });
    let header = this.known.get(res.height);
    if (header === undefined) {
      await this.headers(res.height, 1);
      header = this.known.get(res.height);
    }
    if (header === undefined) throw new LightError(LightCode.BAD_FOREST, { reason: "no certified header" });
    if (!bytesEqual(header.id, state.tipId))
      throw new LightError(LightCode.BAD_FOREST, { reason: "header", expected: toHex(header.id) });
    const out: LightForest = { height: res.height, header, forest: state.forest };
    this.lastForest = out;
    return out;
  }

  /** Submits an encoded block tx (tx ‖ utreexo proofs). */
  async submit(tx: Uint8Array): Promise<SubmitOutcome> {
    const res = await this.call({ kind: "submit", tx });
    return res.accepted ? { accepted: true } : { accepted: false, reason: res.reason };
  }

  /**
   * Asks the relay to refresh the proof of utxo `utxoId`; undefined if it cannot. The answer is
   * checked against the last verified forest when it has the same height (LIGHT_BAD_PROOF otherwise).
   */
  async refreshProof(utxoId: Uint8Array, proof: Proof | Uint8Array): Promise<RefreshedProof | undefined> {
    check32(utxoId, "utxoId");
    const bytes = proof instanceof Uint8Array ? proof : proofToBytes(proof);
    const res = await this.call({ kind: "proof", utxoId, proof: bytes });
    if (!res.found) return undefined;
    let fresh: Proof;
    try {
      fresh = proofFromBytes(res.proof);
    } catch (e) {
      throw new LightError(LightCode.BAD_PROOF, { reason: "decode" }, { cause: e });
    }
    const f = this.lastForest;
    if (f === undefined || f.height !== res.height)
      return { height: res.height, proof: fresh, verified: false };
    if (fresh.kind !== "committed" || !f.forest.verify(utxoLeaf(utxoId), fresh.path))
      throw new LightError(LightCode.BAD_PROOF, { reason: "does not hold", height: res.height });
    return { height: res.height, proof: fresh, verified: true };
  }

  /**
   * Waits up to `timeoutMs` for a block that creates or spends contract `contractId` (long polls the
   * relay, again while time remains when the relay's own wait ends).
   */
  async watch(contractId: Uint8Array, timeoutMs: number): Promise<WatchOutcome> {
    check32(contractId, "contractId");
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError("timeoutMs must be ≥ 0");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout" };
      const pending = this.call({ kind: "watch", contractId });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      });
      let res: Awaited<typeof pending> | "timeout";
      try {
        res = await Promise.race([pending, expired]);
      } catch (e) {
        if (
          e instanceof LightError &&
          e.code === LightCode.REMOTE_ERROR &&
          e.meta.remoteCode === RELAY_WATCH_TIMEOUT
        )
          continue;
        throw e;
      } finally {
        clearTimeout(timer);
      }
      if (res === "timeout") {
        pending.catch(() => {});
        return { kind: "timeout" };
      }
      if (!bytesEqual(res.contractId, contractId))
        throw new LightError(LightCode.BAD_WATCH, {
          expected: toHex(contractId),
          actual: toHex(res.contractId),
        });
      return { kind: "event", event: res.event, height: res.height, txId: res.txId };
    }
  }

  /** Releases the transport (runs the `onClose` option). */
  async close(): Promise<void> {
    await this.onClose?.();
  }
}
