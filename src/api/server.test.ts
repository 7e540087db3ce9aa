import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { ApiCode, ApiError } from "./errors.js";
import { createNodeMetrics } from "./metrics.js";
import type { BlockInfo, NodeView, TxInfo } from "./nodeView.js";
import { type ApiServer, parseTxBody, startApiServer } from "./server.js";

const h32 = (b: number) => new Uint8Array(32).fill(b);

function block(height: bigint): BlockInfo {
  return {
    id: h32(Number(height) + 1),
    version: 1n,
    height,
    prev: h32(Number(height)),
    timestampMs: 1_700_000_000_000n + height * 5000n,
    txroot: h32(0xaa),
    utxoroot: h32(0xbb),
    ext: new Uint8Array(0),
    txids: height === 2n ? [h32(0xcc)] : [],
  };
}

const TIP = 4n;
const blocks = [0n, 1n, 2n, 3n, 4n].map(block);
const tx: TxInfo = {
  txid: h32(0xcc),
  bytes: new Uint8Array([1, 2, 3]),
  status: "confirmed",
  height: 2n,
  blockId: h32(3),
  fee: 2n ** 60n,
};
const submitted: Uint8Array[] = [];
let throwOnStatus = false;

const view: NodeView = {
  status: () => {
    if (throwOnStatus) throw new Error("boom");
    return {
      network: "zkvm-test",
      height: TIP,
      tipId: h32(5),
      peers: 2,
      consensusPhase: "externalize",
      msmBackend: "js",
      mempoolSize: 1,
      validator: true,
    };
  },
  blockByHeight: (h) => blocks[Number(h)],
  blockById: async (id) => blocks.find((b) => toHex(b.id) === toHex(id)),
  txById: (id) => (toHex(id) === toHex(tx.txid) ? tx : undefined),
  mempool: () => ({ count: 1, bytes: 100, entries: [{ txid: h32(0xdd), size: 100, fee: 7n }] }),
  submitTx: (bytes) => {
    submitted.push(bytes);
    return bytes[0] === 0xff
      ? { accepted: false, error: "ZKVM_BAD_TX" }
      : { accepted: true, txid: h32(0xee) };
  },
  utxoProof: (cid) =>
    cid[0] === 0x11 ? { contractId: cid, proof: new Uint8Array([9, 9]), height: TIP } : undefined,
  quorumInfo: () => ({
    nodeId: h32(1),
    validator: true,
    slot: 5n,
    phase: "prepare",
    quorumSet: { threshold: 1, validators: [toHex(h32(1))], innerSets: [] },
  }),
  peers: () => [{ id: "12D3KooWabc", address: "/ip4/127.0.0.1/tcp/7650", direction: "outbound" }],
};

let server: ApiServer;
const metrics = createNodeMetrics();

beforeAll(async () => {
  server = await startApiServer(view, { port: 0, metrics, maxBodyBytes: 1 << 20 });
});
afterAll(async () => {
  await server.close();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
type Json = any;

async function get(path: string): Promise<{ status: number; body: Json; type: string | null }> {
  const r = await fetch(server.url + path);
  const type = r.headers.get("content-type");
  const text = await r.text();
  return { status: r.status, body: type?.startsWith("application/json") ? JSON.parse(text) : text, type };
}

async function post(path: string, body: string | Uint8Array, type = "text/plain") {
  const r = await fetch(server.url + path, { method: "POST", body, headers: { "content-type": type } });
  return { status: r.status, body: JSON.parse(await r.text()) };
}

describe("API server", () => {
  it("binds to loopback on an ephemeral port by default", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
  });

  it("GET /status renders bigints and bytes as strings", async () => {
    const r = await get("/status");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      network: "zkvm-test",
      height: "4",
      tipId: toHex(h32(5)),
      peers: 2,
      consensusPhase: "externalize",
      msmBackend: "js",
      mempoolSize: 1,
      validator: true,
    });
  });

  it("GET /blocks lists from the tip downwards; from and limit bound it", async () => {
    const all = await get("/blocks");
    expect(all.body.blocks.map((b: { height: string }) => b.height)).toEqual(["4", "3", "2", "1", "0"]);
    const some = await get("/blocks?from=3&limit=2");
    expect(some.body.blocks.map((b: { height: string }) => b.height)).toEqual(["3", "2"]);
    expect(some.body.blocks[1].txids).toEqual([toHex(h32(0xcc))]);
    const beyond = await get(`/blocks?from=${2n ** 64n - 1n}&limit=2`);
    expect(beyond.body.blocks.map((b: { height: string }) => b.height)).toEqual(["4", "3"]);
  });

  it("GET /blocks rejects bad from/limit (400 API_BAD_PARAM)", async () => {
    for (const q of [
      "limit=0",
      "limit=101",
      "limit=x",
      "from=-1",
      "from=1.5",
      "from=99999999999999999999999",
    ]) {
      const r = await get(`/blocks?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error).toBe(ApiCode.BAD_PARAM);
    }
  });

  it("GET /blocks/:height and /blocks/id/:hex", async () => {
    const r = await get("/blocks/2");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ height: "2", version: "1", timestampMs: "1700000010000", ext: "" });
    const byId = await get(`/blocks/id/${toHex(h32(3)).toUpperCase()}`);
    expect(byId.status).toBe(200);
    expect(byId.body.height).toBe("2");
  });

  it("block lookups: unknown → 404 API_UNKNOWN_BLOCK, malformed → 400 API_BAD_PARAM", async () => {
    expect((await get("/blocks/9")).body.error).toBe(ApiCode.UNKNOWN_BLOCK);
    expect((await get(`/blocks/id/${"00".repeat(32)}`)).status).toBe(404);
    for (const p of ["/blocks/01", "/blocks/abc", "/blocks/id/abcd", `/blocks/id/${"zz".repeat(32)}`]) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expect(r.body.error).toBe(ApiCode.BAD_PARAM);
    }
  });

  it("GET /tx/:txid", async () => {
    const r = await get(`/tx/${toHex(h32(0xcc))}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      bytes: "010203",
      status: "confirmed",
      height: "2",
      fee: (2n ** 60n).toString(),
    });
    expect((await get(`/tx/${toHex(h32(1))}`)).body.error).toBe(ApiCode.UNKNOWN_TX);
    expect((await get("/tx/cc")).body.error).toBe(ApiCode.BAD_PARAM);
  });

  it("GET /mempool, /quorum, /peers", async () => {
    expect((await get("/mempool")).body).toEqual({
      count: 1,
      bytes: 100,
      entries: [{ txid: toHex(h32(0xdd)), size: 100, fee: "7" }],
    });
    expect((await get("/quorum")).body).toMatchObject({ slot: "5", phase: "prepare", nodeId: toHex(h32(1)) });
    expect((await get("/peers")).body.peers[0].id).toBe("12D3KooWabc");
  });

  it("GET /utxo/:contractId/proof", async () => {
    const r = await get(`/utxo/${toHex(h32(0x11))}/proof`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ proof: "0909", height: "4" });
    expect((await get(`/utxo/${toHex(h32(0x12))}/proof`)).body.error).toBe(ApiCode.UNKNOWN_UTXO);
    expect((await get("/utxo/11/proof")).body.error).toBe(ApiCode.BAD_PARAM);
  });

  it("POST /tx accepts hex and JSON {tx_hex}", async () => {
    const a = await post("/tx", "0a0B0c\n");
    expect(a.status).toBe(202);
    expect(a.body).toEqual({ accepted: true, txid: toHex(h32(0xee)) });
    expect(submitted.at(-1)).toEqual(new Uint8Array([10, 11, 12]));
    const b = await post("/tx", JSON.stringify({ tx_hex: "0102" }), "application/json");
    expect(b.status).toBe(202);
    expect(submitted.at(-1)).toEqual(new Uint8Array([1, 2]));
  });

  it("POST /tx: rejected by the node → 400 API_TX_REJECTED with the reason", async () => {
    const r = await post("/tx", "ff00");
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: ApiCode.TX_REJECTED, reason: "ZKVM_BAD_TX" });
  });

  it("POST /tx: malformed bodies → 400 API_BAD_BODY", async () => {
    const n = submitted.length;
    for (const body of ["", "abc", "zz", "{", '{"tx":"00"}', '{"tx_hex":12}', "[1]", "null"]) {
      const r = await post("/tx", body);
      expect(r.status, body).toBe(400);
      expect(r.body.error, body).toBe(ApiCode.BAD_BODY);
    }
    const r = await post("/tx", new Uint8Array([0xc3, 0x28]));
    expect(r.body.error).toBe(ApiCode.BAD_BODY);
    expect(submitted.length).toBe(n);
  });

  it("POST /tx: a body over 1 MiB → 413 API_BODY_TOO_LARGE", async () => {
    const r = await post("/tx", "00".repeat((1 << 20) / 2 + 1));
    expect(r.status).toBe(413);
    expect(r.body.error).toBe(ApiCode.BODY_TOO_LARGE);
    // the server still answers afterwards
    expect((await get("/status")).status).toBe(200);
  });

  it("unknown routes → 404 API_NOT_FOUND; wrong method → 405", async () => {
    for (const p of ["/nope", "/blocks/1/2", "/utxo/00/x", "/status/x", "//status"]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body.error).toBe(ApiCode.NOT_FOUND);
    }
    const r = await fetch(`${server.url}/status`, { method: "DELETE" });
    expect(r.status).toBe(405);
    expect(((await r.json()) as { error: string }).error).toBe(ApiCode.METHOD_NOT_ALLOWED);
    expect((await get("/tx")).status).toBe(405);
  });

  it("a throwing node view → 500 API_INTERNAL, and the server keeps running", async () => {
    throwOnStatus = true;
    try {
      const r = await get("/status");
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: ApiCode.INTERNAL });
    } finally {
      throwOnStatus = false;
    }
    expect((await get("/status")).status).toBe(200);
  });

  it("GET / serves the dashboard and /dashboard.js its script", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('<script src="/dashboard.js"></script>');
    const js = await get("/dashboard.js");
    expect(js.type).toMatch(/^text\/javascript/);
    for (const route of ["/status", "/blocks?limit=10", "/mempool", "/peers", "/quorum"])
      expect(js.body).toContain(route);
    expect(js.body).not.toContain("innerHTML");
  });

  it("GET /metrics exposes Prometheus text including API request counts", async () => {
    metrics.blockHeight.set(TIP);
    const r = await get("/metrics");
    expect(r.status).toBe(200);
    expect(r.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(r.body).toContain("# TYPE zkvm_block_height gauge\nzkvm_block_height 4\n");
    expect(r.body).toMatch(/zkvm_api_requests_total\{route="status",status="200"\} \d+/);
    expect(r.body).toMatch(/zkvm_api_requests_total\{route="none",status="404"\} \d+/);
  });
});

describe("arbitrary requests", () => {
  it("any path or body gets a coded 2xx/4xx answer, never a crash or a 500", async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "blocks",
        "id",
        "tx",
        "utxo",
        "proof",
        "status",
        "mempool",
        "quorum",
        "peers",
        "metrics",
        "",
      ),
      fc.stringMatching(/^[0-9a-fA-F%.~-]{0,70}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom("GET", "POST", "PUT"),
        fc.string({ maxLength: 200 }),
        async (segs, method, body) => {
          const r = await fetch(`${server.url}/${segs.join("/")}`, method === "GET" ? {} : { method, body });
          const text = await r.text();
          expect([200, 202, 400, 404, 405]).toContain(r.status);
          if (r.status >= 400) expect(JSON.parse(text).error).toMatch(/^API_/);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });
});

describe("small body cap", () => {
  it("answers 413 both when reading and when the declared length is far over the cap", async () => {
    const small = await startApiServer(view, { maxBodyBytes: 16 });
    try {
      for (const size of [20, 4096]) {
        const r = await fetch(`${small.url}/tx`, { method: "POST", body: "0".repeat(size) });
        expect(r.status).toBe(413);
        expect(((await r.json()) as { error: string }).error).toBe(ApiCode.BODY_TOO_LARGE);
      }
      expect((await fetch(`${small.url}/tx`, { method: "POST", body: "00" })).status).toBe(202);
    } finally {
      await small.close();
    }
  });
});

describe("startApiServer options", () => {
  it("rejects a bad port or body cap with API_BAD_OPTIONS", async () => {
    for (const o of [{ port: -1 }, { port: 70000 }, { port: 1.5 }, { maxBodyBytes: 0 }, { host: "" }]) {
      await expect(startApiServer(view, o)).rejects.toSatisfy((e) => hasCode(e, ApiCode.BAD_OPTIONS));
    }
  });
});

describe("parseTxBody", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("decodes hex with optional 0x and surrounding space", () => {
    expect(parseTxBody(enc(" 0xABcd "))).toEqual(new Uint8Array([0xab, 0xcd]));
  });
  it("enforces the tx size cap", () => {
    expect(parseTxBody(enc("0000"), 2)).toHaveLength(2);
    expect(() => parseTxBody(enc("000000"), 2)).toThrow(ApiError);
  });
});
