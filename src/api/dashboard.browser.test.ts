/**
 * The dashboard page rendered by a real browser: headless Chromium (Debian's `chromium`, installed by
 * `.ci/run` when missing) loads `GET /` from an API server over a fixed node view, runs the page's
 * script (which polls the JSON routes) and dumps the resulting DOM, which must show the status, SCP
 * state, recent blocks, mempool and peers. The must-fail twin serves a view whose `/status` fails and
 * expects the page's error line instead of data.
 *
 * Without Chromium on the machine (`CHROMIUM` env or /usr/bin/chromium) the suite is skipped, and says so.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../util/bytes.js";
import { createNodeMetrics } from "./metrics.js";
import type { BlockInfo, NodeView } from "./nodeView.js";
import { type ApiServer, startApiServer } from "./server.js";

const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);

const h32 = (b: number) => new Uint8Array(32).fill(b);

function block(height: bigint): BlockInfo {
  return {
    id: h32(0x40 + Number(height)),
    version: 1n,
    height,
    prev: h32(0x3f + Number(height)),
    timestampMs: 1_790_000_000_000n + height * 1000n,
    txroot: h32(0xaa),
    utxoroot: h32(0xbb),
    ext: new Uint8Array(0),
    txids: height === 7n ? [h32(0xc1), h32(0xc2)] : [],
  };
}

function makeView(failStatus: boolean): NodeView {
  const blocks = [5n, 6n, 7n].map(block);
  return {
    status: () => {
      if (failStatus) throw new Error("status unavailable");
      return {
        network: "dash-net",
        height: 7n,
        tipId: h32(0x47),
        peers: 3,
        consensusPhase: "confirm",
        msmBackend: "native",
        mempoolSize: 1,
        validator: true,
      };
    },
    blockByHeight: (h) => blocks.find((b) => b.height === h),
    blockById: (id) => blocks.find((b) => toHex(b.id) === toHex(id)),
    txById: () => undefined,
    mempool: () => ({ count: 1, bytes: 1642, entries: [{ txid: h32(0xd7), size: 1642, fee: 25n }] }),
    submitTx: () => ({ accepted: false, error: "X" }),
    utxoProof: () => undefined,
    quorumInfo: () => ({
      nodeId: h32(1),
      validator: true,
      slot: 8n,
      phase: "confirm",
      quorumSet: { threshold: 3, validators: [toHex(h32(1)), toHex(h32(2))], innerSets: [] },
    }),
    peers: () => [
      { id: "12D3KooWDashboardPeerOne", address: "/ip4/127.0.0.1/tcp/7001", direction: "inbound" },
    ],
  };
}

/** The DOM of `url` after its scripts ran for a few seconds of virtual time. */
function renderedDom(url: string, profile: string): Promise<string> {
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--virtual-time-budget=4000",
    "--dump-dom",
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 40_000, maxBuffer: 4 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

/** Text content of the element with `id` in a dumped DOM (tags stripped). */
function textOf(dom: string, id: string): string {
  const m = new RegExp(`<(\\w+)[^>]*id="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(dom);
  return m === null ? "" : (m[2] ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe.skipIf(!haveChromium)(`dashboard in headless Chromium (${CHROMIUM}; skipped when absent)`, () => {
  let ok: ApiServer;
  let failing: ApiServer;
  let profile: string;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), "zkvm-dash-"));
    ok = await startApiServer(makeView(false), { port: 0, metrics: createNodeMetrics() });
    failing = await startApiServer(makeView(true), { port: 0, metrics: createNodeMetrics() });
  });

  afterAll(async () => {
    await ok?.close();
    await failing?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it("renders status, SCP state, blocks, mempool and peers from the API", async () => {
    const dom = await renderedDom(`${ok.url}/`, join(profile, "a"));
    expect(textOf(dom, "network")).toContain("(dash-net)");
    expect(textOf(dom, "error").trim()).toBe("");
    const status = textOf(dom, "status");
    expect(status).toContain("consensusPhase confirm");
    expect(status).toContain("msmBackend native");
    expect(status).toContain(`tipId ${toHex(h32(0x47))}`);
    expect(textOf(dom, "quorum")).toContain("slot 8");
    const blocks = textOf(dom, "blocks");
    for (const h of ["5", "6", "7"]) expect(blocks).toContain(` ${h} `);
    expect(blocks).toContain(new Date(1_790_000_007_000).toISOString());
    expect(textOf(dom, "mempool")).toContain("1642 25");
    expect(textOf(dom, "peers")).toContain("/ip4/127.0.0.1/tcp/7001 inbound");
  }, 60_000);

  it("shows the API failure instead of data when /status fails", async () => {
    const dom = await renderedDom(`${failing.url}/`, join(profile, "b"));
    expect(textOf(dom, "error")).toContain("/status: HTTP 500");
    expect(textOf(dom, "status").trim()).toBe("");
    expect(textOf(dom, "blocks").trim()).toBe("");
  }, 60_000);
});
