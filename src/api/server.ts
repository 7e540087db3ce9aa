/**
 * The node's HTTP JSON API (DESIGN.md, "src/api"), on `node:http`, bound to loopback by default.
 *
 * Routes (all answers JSON unless noted; bigints as decimal strings, bytes as lowercase hex):
 *   GET  /                          dashboard page (HTML); GET /dashboard.js its script
 *   GET  /status                    {@link NodeStatus}
 *   GET  /blocks?from=H&limit=N     {blocks: BlockInfo[]}: heights min(H, tip) down to H−N+1 (N ≤ 100)
 *   GET  /blocks/:height            BlockInfo
 *   GET  /blocks/id/:hex            BlockInfo (id: 32 bytes hex)
 *   GET  /blocks/:height/raw        {height, hex}: the encoded block (when the view serves raw blocks)
 *   GET  /tx/:txid                  TxInfo (txid: 32 bytes hex)
 *   GET  /mempool                   MempoolInfo
 *   POST /tx                        body: tx hex, or JSON {"tx_hex": "..."}; → 202 {accepted, txid}
 *   GET  /utxo/:contractId/proof    UtxoProofInfo (contract id: 32 bytes hex)
 *   GET  /quorum                    QuorumInfo
 *   GET  /peers                     {peers: PeerInfo[]}
 *   GET  /metrics                   Prometheus text exposition
 * Failures answer `{error: CODE}` ({@link ApiCode}): 400 bad input, 404 unknown route or object, 405 wrong
 * method, 413 body over the cap, 500 when the node view throws. A request never crashes the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fromHex, toHex } from "../util/bytes.js";
import { DASHBOARD_HTML, DASHBOARD_JS } from "./dashboard.js";
import { ApiCode, ApiError } from "./errors.js";
import { toJsonText } from "./json.js";
import { createNodeMetrics, METRICS_CONTENT_TYPE, type NodeMetrics } from "./metrics.js";
import type { BlockInfo, NodeView } from "./nodeView.js";

/** Default cap on a request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
/** Default and largest `limit` of `GET /blocks`. */
export const DEFAULT_BLOCKS_LIMIT = 20;
export const MAX_BLOCKS_LIMIT = 100;
/** Bytes of an over-long body read (and dropped) before the connection is cut instead of answered. */
const DRAIN_LIMIT_FACTOR = 8;

/** The minimal logger the API writes to (the node's structured logger fits it). */
export interface ApiLogger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

/** Options of the API server. */
export interface ApiServerOptions {
  /** Interface to bind (default "127.0.0.1", loopback). */
  readonly host?: string;
  /** TCP port (default 0: any free port). */
  readonly port?: number;
  /** Largest accepted request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Metrics rendered at `/metrics` (a fresh set by default); API request counts go to `apiRequests`. */
  readonly metrics?: NodeMetrics;
  readonly logger?: ApiLogger;
}

/** A running API server. */
export interface ApiServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly metrics: NodeMetrics;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

type Answer = { status: number; body: string; type: string };
type Handler = (params: string[], query: URLSearchParams, req: IncomingMessage) => Promise<Answer>;
type Route = { method: "GET" | "POST"; pattern: RegExp; name: string; handler: Handler };

const HEX32 = /^[0-9a-fA-F]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const U64_MAX = (1n << 64n) - 1n;

function json(status: number, value: unknown): Answer {
  return { status, body: toJsonText(value), type: "application/json; charset=utf-8" };
}

function fail(code: ApiCode, status: number, what?: string): never {
  throw new ApiError(code, what === undefined ? { status } : { status, what });
}

function parseHex32(s: string, what: string): Uint8Array {
  if (!HEX32.test(s)) fail(ApiCode.BAD_PARAM, 400, what);
  return fromHex(s.toLowerCase(), 32);
}

function parseU64(s: string | null, what: string): bigint {
  if (s === null || !DECIMAL.test(s)) fail(ApiCode.BAD_PARAM, 400, what);
  const v = BigInt(s);
  if (v > U64_MAX) fail(ApiCode.BAD_PARAM, 400, what);
  return v;
}

function blockJson(b: BlockInfo): Record<string, unknown> {
  return {
    id: b.id,
    height: b.height,
    version: b.version,
    prev: b.prev,
    timestampMs: b.timestampMs,
    txroot: b.txroot,
    utxoroot: b.utxoroot,
    ext: b.ext,
    txids: b.txids,
  };
}

/** Reads the request body up to `max` bytes; a longer body is drained (or the socket cut) and rejected. */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = req.headers["content-length"];
    const tooLarge = () => new ApiError(ApiCode.BODY_TOO_LARGE, { status: 413, limit: max });
    if (declared !== undefined && /^[0-9]+$/.test(declared) && Number(declared) > max * DRAIN_LIMIT_FACTOR) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > max) {
        over = true;
        chunks.length = 0;
        if (total > max * DRAIN_LIMIT_FACTOR) {
          req.destroy();
          reject(tooLarge());
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (over ? reject(tooLarge()) : resolve(new Uint8Array(Buffer.concat(chunks)))));
    req.on("error", (e) => reject(e));
  });
}

/** Decodes a `POST /tx` body: raw hex, or JSON `{"tx_hex": "..."}`. */
export function parseTxBody(body: Uint8Array, maxTxBytes = DEFAULT_MAX_BODY_BYTES): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body).trim();
  } catch {
    fail(ApiCode.BAD_BODY, 400, "utf8");
  }
  let hex: unknown = text;
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      fail(ApiCode.BAD_BODY, 400, "json");
    }
    hex =
      typeof parsed === "object" && parsed !== null
        ? (parsed as Record<string, unknown>)["tx_hex"]
        : undefined;
  }
  if (typeof hex !== "string") fail(ApiCode.BAD_BODY, 400, "tx_hex");
  if (hex.startsWith("0x")) hex = hex.slice(2);
  const h = hex as string;
  if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h) || h.length / 2 > maxTxBytes)
    fail(ApiCode.BAD_BODY, 400, "hex");
  return fromHex(h.toLowerCase());
}

/** Builds the request handler over `view` (exposed for embedding in another server). */
export function createApiHandler(
  view: NodeView,
  opts: Pick<ApiServerOptions, "maxBodyBytes" | "logger"> & { metrics: NodeMetrics },
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metrics = opts.metrics;
  const log = opts.logger;

  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/$/,
      name: "dashboard",
      handler: async () => ({ status: 200, body: DASHBOARD_HTML, type: "text/html; charset=utf-8" }),
    },
    {
      method: "GET",
      pattern: /^\/dashboard\.js$/,
      name: "dashboard",
      handler: async () => ({ status: 200, body: DASHBOARD_JS, type: "text/javascript; charset=utf-8" }),
    },
    {
      method: "GET",
      pattern: /^\/metrics$/,
      name: "metrics",
      handler: async () => ({ status: 200, body: metrics.registry.expose(), type: METRICS_CONTENT_TYPE }),
    },
    {
      method: "GET",
      pattern: /^\/status$/,
      name: "status",
      handler: async () => json(200, await view.status()),
    },
    {
      method: "GET",
      pattern: /^\/blocks$/,
      name: "blocks",
      handler: async (_p, q) => {
        const limitText = q.get("limit");
        const limit = limitText === null ? BigInt(DEFAULT_BLOCKS_LIMIT) : parseU64(limitText, "limit");
        if (limit < 1n || limit > BigInt(MAX_BLOCKS_LIMIT)) fail(ApiCode.BAD_PARAM, 400, "limit");
        const fromText = q.get("from");
        const asked = fromText === null ? undefined : parseU64(fromText, "from");
        const tip = (await view.status()).height;
        const from = asked === undefined || asked > tip ? tip : asked;
        const blocks: Record<string, unknown>[] = [];
        // at most `limit` heights are looked at, whatever the chain holds
        for (let h = from; h >= 0n && h > from - limit; h--) {
          const b = await view.blockByHeight(h);
          if (b) blocks.push(blockJson(b));
        }
        return json(200, { blocks });
      },
    },
    {
      method: "GET",
      pattern: /^\/blocks\/id\/([^/]*)$/,
      name: "block_by_id",
      handler: async ([hex]) => {
        const b = await view.blockById(parseHex32(hex!, "id"));
        if (!b) fail(ApiCode.UNKNOWN_BLOCK, 404);
        return json(200, blockJson(b));
      },
    },
    {
      method: "GET",
      pattern: /^\/blocks\/([^/]*)\/raw$/,
      name: "block_raw",
      handler: async ([h]) => {
        const height = parseU64(h!, "height");
        if (view.blockBytesByHeight === undefined) fail(ApiCode.NOT_FOUND, 404);
        const bytes = await view.blockBytesByHeight(height);
        if (!bytes) fail(ApiCode.UNKNOWN_BLOCK, 404);
        return json(200, { height, hex: toHex(bytes) });
      },
    },
    {
      method: "GET",
      pattern: /^\/blocks\/([^/]*)$/,
      name: "block_by_height",
      handler: async ([h]) => {
        const b = await view.blockByHeight(parseU64(h!, "height"));
        if (!b) fail(ApiCode.UNKNOWN_BLOCK, 404);
        return json(200, blockJson(b));
      },
    },
    {
      method: "GET",
      pattern: /^\/tx\/([^/]*)$/,
      name: "tx",
      handler: async ([hex]) => {
        const tx = await view.txById(parseHex32(hex!, "txid"));
        if (!tx) fail(ApiCode.UNKNOWN_TX, 404);
        return json(200, tx);
      },
    },
    {
      method: "POST",
      pattern: /^\/tx$/,
      name: "submit_tx",
      handler: async (_p, _q, req) => {
        const bytes = parseTxBody(await readBody(req, maxBody), maxBody);
        const r = await view.submitTx(bytes);
        if (!r.accepted) {
          return json(400, {
            error: ApiCode.TX_REJECTED,
            reason: r.error ?? "unknown",
            ...(r.cause === undefined ? {} : { cause: r.cause }),
          });
        }
        return json(202, { accepted: true, txid: r.txid });
      },
    },
    {
      method: "GET",
      pattern: /^\/mempool$/,
      name: "mempool",
      handler: async () => json(200, await view.mempool()),
    },
    {
      method: "GET",
      pattern: /^\/utxo\/([^/]*)\/proof$/,
      name: "utxo_proof",
      handler: async ([hex]) => {
        const p = await view.utxoProof(parseHex32(hex!, "contractId"));
        if (!p) fail(ApiCode.UNKNOWN_UTXO, 404);
        return json(200, p);
      },
    },
    {
      method: "GET",
      pattern: /^\/quorum$/,
      name: "quorum",
      handler: async () => json(200, await view.quorumInfo()),
    },
    {
      method: "GET",
      pattern: /^\/peers$/,
      name: "peers",
      handler: async () => json(200, { peers: await view.peers() }),
    },
  ];

  async function answer(req: IncomingMessage): Promise<{ route: string; a: Answer }> {
    let url: URL;
    try {
      const target = req.url ?? "/";
      if (!target.startsWith("/")) throw new TypeError("not an origin-form request target");
      url = new URL(`http://localhost${target}`);
    } catch {
      return { route: "none", a: json(400, { error: ApiCode.BAD_PARAM }) };
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    let pathMatched = false;
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      const method = req.method === "HEAD" ? "GET" : req.method;
      if (method !== r.method) continue;
      try {
        return { route: r.name, a: await r.handler(m.slice(1), url.searchParams, req) };
      } catch (e) {
        if (e instanceof ApiError) {
          const body: Record<string, unknown> = { error: e.code };
          if (e.meta.what !== undefined) body["what"] = e.meta.what;
          return { route: r.name, a: json(e.status, body) };
        }
        log?.error("api handler failed", { route: r.name, err: e instanceof Error ? e.message : String(e) });
        return { route: r.name, a: json(500, { error: ApiCode.INTERNAL }) };
      }
    }
    if (pathMatched) return { route: "none", a: json(405, { error: ApiCode.METHOD_NOT_ALLOWED }) };
    return { route: "none", a: json(404, { error: ApiCode.NOT_FOUND }) };
  }

  return (req, res) => {
    answer(req)
      .then(({ route, a }) => {
        try {
          metrics.apiRequests.inc(1, { route, status: a.status });
        } catch {
          // metrics never break an answer
        }
        if (res.headersSent || res.destroyed) return;
        const headers: Record<string, string | number> = {
          "content-type": a.type,
          "content-length": Buffer.byteLength(a.body),
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
        };
        if (a.status === 413) headers["connection"] = "close";
        res.writeHead(a.status, headers);
        res.end(req.method === "HEAD" ? undefined : a.body);
      })
      .catch((e: unknown) => {
        log?.error("api response failed", { err: e instanceof Error ? e.message : String(e) });
        if (!res.destroyed) res.destroy();
      });
  };
}

/** Starts the API server over `view`; resolves once it listens. */
export async function startApiServer(view: NodeView, opts: ApiServerOptions = {}): Promise<ApiServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 0;
  if (typeof host !== "string" || host.length === 0)
    throw new ApiError(ApiCode.BAD_OPTIONS, { what: "host" });
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ApiError(ApiCode.BAD_OPTIONS, { what: "port" });
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBody) || maxBody < 1)
    throw new ApiError(ApiCode.BAD_OPTIONS, { what: "maxBodyBytes" });
  const metrics = opts.metrics ?? createNodeMetrics();
  const handlerOpts: Parameters<typeof createApiHandler>[1] = opts.logger
    ? { metrics, maxBodyBytes: maxBody, logger: opts.logger }
    : { metrics, maxBodyBytes: maxBody };
  const server: Server = createServer(createApiHandler(view, handlerOpts));
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    host: addr.address,
    port: addr.port,
    url: `http://${urlHost}:${addr.port}`,
    metrics,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
