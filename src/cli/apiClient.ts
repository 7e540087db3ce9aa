/**
 * A client of the node's HTTP API (src/api/server.ts) for the command line: status, raw blocks for
 * wallet sync, transaction submission and look-up. Failures are CliErrors: CLI_API_UNREACHABLE (no
 * answer, or not the API), CLI_API_ERROR (an API error code), CLI_TX_REJECTED (the node's reason).
 */
import { fromHex, toHex } from "../util/bytes.js";
import { CliCode, CliError } from "./errors.js";

/** Default time limit of one request. */
export const DEFAULT_API_TIMEOUT_MS = 15_000;

/** The node status as the API renders it (bigints as decimal strings, bytes as hex). */
export type StatusJson = Record<string, unknown> & {
  network?: string;
  height?: string;
  tipId?: string;
  genesisId?: string;
};

/** A small JSON client of one node's API. */
export class ApiClient {
  readonly base: string;
  readonly timeoutMs: number;

  constructor(base: string, timeoutMs = DEFAULT_API_TIMEOUT_MS) {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new CliError(CliCode.USAGE, { what: `--api: not a URL: ${base.slice(0, 80)}` });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new CliError(CliCode.USAGE, { what: "--api: expected an http(s) URL" });
    this.base = base.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
  }

  /** One request; the parsed JSON body and the HTTP status. */
  async request(
    path: string,
    init: { method?: string; body?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method ?? "GET",
        ...(init.body === undefined
          ? {}
          : { body: init.body, headers: { "content-type": "application/json" } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        CliCode.API_UNREACHABLE,
        { url, reason: cause?.code ?? cause?.message ?? (e as Error).message ?? "fetch failed" },
        { cause: e },
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      throw new CliError(
        CliCode.API_UNREACHABLE,
        { url, reason: "answer is not JSON", status: res.status },
        { cause: e },
      );
    }
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new CliError(CliCode.API_UNREACHABLE, {
        url,
        reason: "answer is not a JSON object",
        status: res.status,
      });
    return { status: res.status, body: body as Record<string, unknown> };
  }

  private fail(path: string, r: { status: number; body: Record<string, unknown> }): never {
    throw new CliError(CliCode.API_ERROR, {
      url: `${this.base}${path}`,
      status: r.status,
      error: typeof r.body["error"] === "string" ? r.body["error"] : "unknown",
    });
  }

  /** `GET /status`. */
  async status(): Promise<StatusJson> {
    const r = await this.request("/status");
    if (r.status !== 200) this.fail("/status", r);
    return r.body as StatusJson;
  }

  /**
   * `GET /blocks/:height/raw`: the encoded block, or undefined past the tip. CLI_API_NO_RAW_BLOCKS
   * if the node does not serve raw blocks.
   */
  async rawBlock(height: bigint): Promise<Uint8Array | undefined> {
    const path = `/blocks/${height}/raw`;
    const r = await this.request(path);
    if (r.status === 404 && r.body["error"] === "API_UNKNOWN_BLOCK") return undefined;
    if (r.status === 404 && r.body["error"] === "API_NOT_FOUND")
      throw new CliError(CliCode.API_NO_RAW_BLOCKS, { url: `${this.base}${path}` });
    if (r.status !== 200) this.fail(path, r);
    const hex = r.body["hex"];
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex))
      throw new CliError(CliCode.API_UNREACHABLE, { url: `${this.base}${path}`, reason: "no block hex" });
    return fromHex(hex);
  }

  /** `POST /tx`: the txid (hex) if accepted; CLI_TX_REJECTED with the node's reason if not. */
  async submitTx(bytes: Uint8Array): Promise<string> {
    const r = await this.request("/tx", { method: "POST", body: JSON.stringify({ tx_hex: toHex(bytes) }) });
    if (r.status === 400 && r.body["error"] === "API_TX_REJECTED")
      throw new CliError(CliCode.TX_REJECTED, { reason: String(r.body["reason"] ?? "unknown") });
    if (r.status !== 202) this.fail("/tx", r);
    return String(r.body["txid"]);
  }

  /** `GET /tx/:txid`: "confirmed", "mempool", or undefined if the node does not know it. */
  async txStatus(txid: string): Promise<"confirmed" | "mempool" | undefined> {
    const path = `/tx/${txid}`;
    const r = await this.request(path);
    if (r.status === 404 && r.body["error"] === "API_UNKNOWN_TX") return undefined;
    if (r.status !== 200) this.fail(path, r);
    const s = r.body["status"];
    return s === "confirmed" || s === "mempool" ? s : undefined;
  }
}
