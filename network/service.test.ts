/** NetworkService on loopback: gossip through a line A–B–C, validator rejects and bans, request/response. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCode } from "../src/util/codedError.js";
import { NetworkCode } from "./errors.js";
import { loadOrCreateIdentity } from "./identity.js";
import { type GossipVerdict, type NetworkConfig, NetworkService } from "./service.js";

async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function expectCode(p: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    if (!hasCode(e, code)) throw e;
    return e;
  }
  throw new Error(`expected ${code}`);
}

let dir: string;
const services: NetworkService[] = [];

async function host(name: string, extra: Partial<NetworkConfig> = {}): Promise<NetworkService> {
  const privateKey = await loadOrCreateIdentity(join(dir, `${name}.key`));
  const s = new NetworkService({ networkId: "testnet", privateKey, heartbeatIntervalMs: 100, ...extra });
  services.push(s);
  await s.start();
  return s;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zkvm-net-"));
});

afterAll(async () => {
  for (const s of services.reverse()) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("gossip in a line A–B–C", () => {
  const atB: string[] = [];
  const atC: string[] = [];
  let a: NetworkService;
  let b: NetworkService;
  let c: NetworkService;

  beforeAll(async () => {
    const verdictB = (d: Uint8Array): GossipVerdict => {
      const t = dec(d);
      atB.push(t);
      return t.startsWith("bad") ? "reject" : t.startsWith("skip") ? "ignore" : "accept";
    };
    b = await host("b", { validators: { tx: verdictB } });
    const boot = b.addresses();
    // C validates asynchronously (as a proof check would).
    c = await host("c", {
      bootstrap: boot,
      validators: {
        tx: async (d): Promise<GossipVerdict> => {
          await new Promise((r) => setTimeout(r, 5));
          atC.push(dec(d));
          return "accept";
        },
      },
    });
    a = await host("a", { bootstrap: boot, validators: { tx: () => "accept" } });
    await waitFor(() => b.meshPeers("tx").length === 2, 5000, "B's mesh");
    await waitFor(() => a.meshPeers("tx").length === 1 && c.meshPeers("tx").length === 1, 5000, "meshes");
  });

  it("a message from A reaches C through B; A and C are not connected", async () => {
    expect(a.peers()).toEqual([b.peerId]);
    expect(await a.publishTx(enc("tx-1"))).toBe(1);
    await waitFor(() => atC.includes("tx-1"), 3000, "tx-1 at C");
    expect(atB).toContain("tx-1");
  });

  it("an ignored message stops at B without a penalty", async () => {
    await a.publishTx(enc("skip-1"));
    await a.publishTx(enc("tx-2"));
    await waitFor(() => atC.includes("tx-2"), 3000, "tx-2 at C");
    expect(atB).toContain("skip-1");
    expect(atC).not.toContain("skip-1");
    expect(b.peerScore(a.peerId)).toBeGreaterThanOrEqual(0);
  });

  it("B's reject stops propagation, lowers A's score at B, and repeated rejects ban A", async () => {
    const before = b.peerScore(a.peerId);
    await a.publishTx(enc("bad-1"));
    await waitFor(() => atB.includes("bad-1"), 3000, "bad-1 at B");
    await waitFor(() => b.peerScore(a.peerId) < before, 3000, "A's score to drop");
    expect(b.peerScore(a.peerId)).toBeLessThan(0);
    for (let i = 2; i <= 8; i++) await a.publishTx(enc(`bad-${i}`));
    await waitFor(() => b.isBanned(a.peerId), 3000, "A banned at B");
    await waitFor(() => !b.peers().includes(a.peerId), 3000, "A disconnected from B");
    expect(b.bannedPeers()).toEqual([a.peerId]);
    expect(b.peerScore(a.peerId)).toBeLessThan(-80);
    expect(atC.some((t) => t.startsWith("bad"))).toBe(false);
    // A banned peer is refused.
    await expectCode(b.request(a.peerId, "txset", enc("x")), NetworkCode.PEER_BANNED);
  });

  it("publishing over the gossip cap is refused", async () => {
    await expectCode(c.publishTx(new Uint8Array(1024 * 1024 + 1)), NetworkCode.GOSSIP_TOO_LARGE);
  });
});

describe("request/response", () => {
  let server: NetworkService;
  let client: NetworkService;

  beforeAll(async () => {
    server = await host("server", {
      handlers: {
        txset: async (req, peer) => enc(`${dec(req)} from ${peer.slice(0, 4)}`),
        echo: async (req) => req,
        grow: async (req) => new Uint8Array((req[0] ?? 0) * 100),
        slow: () => new Promise((r) => setTimeout(() => r(enc("late")), 2000)),
        fail: async () => {
          throw new Error("boom");
        },
      },
      protocolLimits: {
        echo: { maxRequestBytes: 1024, maxResponseBytes: 1024, timeoutMs: 2000 },
        grow: { maxRequestBytes: 1, maxResponseBytes: 1000, timeoutMs: 2000 },
        slow: { maxRequestBytes: 16, maxResponseBytes: 16, timeoutMs: 5000 },
        fail: { maxRequestBytes: 16, maxResponseBytes: 16, timeoutMs: 2000 },
      },
    });
    client = await host("client", {
      bootstrap: server.addresses(),
      protocolLimits: {
        // The client allows more than the server, so the server's caps are what gets tested.
        echo: { maxRequestBytes: 4096, maxResponseBytes: 4096, timeoutMs: 2000 },
        grow: { maxRequestBytes: 1, maxResponseBytes: 500, timeoutMs: 2000 },
        slow: { maxRequestBytes: 16, maxResponseBytes: 16, timeoutMs: 300 },
        fail: { maxRequestBytes: 16, maxResponseBytes: 16, timeoutMs: 2000 },
        tiny: { maxRequestBytes: 4, maxResponseBytes: 4, timeoutMs: 1000 },
      },
    });
    await waitFor(() => client.peers().includes(server.peerId), 5000, "connection");
  });

  it("round trip through a handler", async () => {
    const res = await client.request(server.peerId, "txset", enc("hello"));
    expect(dec(res)).toBe(`hello from ${client.peerId.slice(0, 4)}`);
    const big = new Uint8Array(1000).fill(7);
    expect(await client.request(server.peerId, "echo", big)).toEqual(big);
  });

  it("an oversized request is refused locally and by the server", async () => {
    await expectCode(
      client.request(server.peerId, "echo", new Uint8Array(4097)),
      NetworkCode.REQUEST_TOO_LARGE,
    );
    const e = await expectCode(
      client.request(server.peerId, "echo", new Uint8Array(2000)),
      NetworkCode.REMOTE_ERROR,
    );
    expect((e as { meta: { remoteCode: string } }).meta.remoteCode).toBe(NetworkCode.REQUEST_TOO_LARGE);
  });

  it("an oversized response is refused by the server and by the client", async () => {
    expect((await client.request(server.peerId, "grow", Uint8Array.of(5))).length).toBe(500);
    // 2000 bytes exceed the server's cap (1000): the server answers with an error instead.
    const e = await expectCode(
      client.request(server.peerId, "grow", Uint8Array.of(20)),
      NetworkCode.REMOTE_ERROR,
    );
    expect((e as { meta: { remoteCode: string } }).meta.remoteCode).toBe(NetworkCode.RESPONSE_TOO_LARGE);
    // 800 bytes pass the server's cap but exceed the client's (500).
    await expectCode(client.request(server.peerId, "grow", Uint8Array.of(8)), NetworkCode.RESPONSE_TOO_LARGE);
  });

  it("the timeout is enforced", async () => {
    const t0 = Date.now();
    await expectCode(client.request(server.peerId, "slow", enc("x")), NetworkCode.TIMEOUT);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("handler failures and unknown protocols are coded errors", async () => {
    const e = await expectCode(client.request(server.peerId, "fail", enc("x")), NetworkCode.REMOTE_ERROR);
    expect((e as { meta: { remoteCode: string } }).meta.remoteCode).toBe(NetworkCode.HANDLER_FAILED);
    await expectCode(client.request(server.peerId, "tiny", enc("x")), NetworkCode.STREAM_FAILED);
    await expectCode(client.request(server.peerId, "nope", enc("x")), NetworkCode.UNKNOWN_PROTOCOL);
    await expectCode(client.request("not-a-peer", "echo", enc("x")), NetworkCode.BAD_PEER_ID);
  });
});

describe("service configuration", () => {
  it("must-fail: bad network id, protocol without limits, use before start", async () => {
    const privateKey = await loadOrCreateIdentity(join(dir, "cfg.key"));
    expect(() => new NetworkService({ networkId: "Bad/Id", privateKey })).toThrow(NetworkCode.BAD_NAME);
    expect(
      () => new NetworkService({ networkId: "testnet", privateKey, handlers: { custom: async (r) => r } }),
    ).toThrow(NetworkCode.UNKNOWN_PROTOCOL);
    const idle = new NetworkService({ networkId: "testnet", privateKey });
    expect(() => idle.peers()).toThrow(NetworkCode.NOT_STARTED);
    await idle.stop();
    await expectCode(idle.start(), NetworkCode.NOT_STARTED);
  });
});
