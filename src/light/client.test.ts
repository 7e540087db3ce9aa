/**
 * LightClient against scripted transports (no relay): response decoding and kinds, transport and
 * remote failures, watch loops and answers, argument checks, relay address parsing. The client
 * against a real relay (in process and over libp2p) is tested in src/node/lightRelay.test.ts.
 */
import { describe, expect, it } from "vitest";
import { encodeLightResponse, type LightResponse, NetworkCode, NetworkError } from "../../network/index.js";
import { makeGenesis } from "../chain/index.js";
import { CodedError } from "../util/codedError.js";
import { LightClient, type LightTrust } from "./client.js";
import { relayPeerId } from "./connect.js";
import { LightCode } from "./errors.js";

const genesis = makeGenesis(1_700_000_000_000n, []);
const trust: LightTrust = {
  anchor: { height: 1n, id: genesis.state.tipId },
  quorumSet: { threshold: 1, validators: [new Uint8Array(32).fill(3)], innerSets: [] },
};
const C = new Uint8Array(32).fill(1);

async function failure(p: Promise<unknown>): Promise<CodedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error("expected a coded error");
}

const answering = (res: LightResponse) => new LightClient(async () => encodeLightResponse(res), trust);

describe("LightClient: responses", () => {
  it("types submit verdicts and watch events", async () => {
    expect(await answering({ kind: "submit", accepted: true }).submit(Uint8Array.of(1))).toEqual({
      accepted: true,
    });
    expect(
      await answering({ kind: "submit", accepted: false, reason: "MEMPOOL_FULL" }).submit(Uint8Array.of(1)),
    ).toEqual({ accepted: false, reason: "MEMPOOL_FULL" });
    const txId = new Uint8Array(32).fill(9);
    const w = answering({ kind: "watch", contractId: C, event: "created", height: 7n, txId });
    expect(await w.watch(C, 1000)).toEqual({ kind: "event", event: "created", height: 7n, txId });
    expect(
      await answering({ kind: "proof", found: false }).refreshProof(C, Uint8Array.of(0)),
    ).toBeUndefined();
  });

  it("must-fail: undecodable, mismatched, or other-contract answers", async () => {
    const garbage = new LightClient(async () => Uint8Array.of(0xff), trust);
    const g = await failure(garbage.forest());
    expect(g.code).toBe(LightCode.BAD_RESPONSE);
    expect((g.cause as CodedError).code).toBe(NetworkCode.MESSAGE_INVALID);
    const k = await failure(answering({ kind: "submit", accepted: true }).forest());
    expect([k.code, k.meta.actual]).toEqual([LightCode.BAD_RESPONSE, "submit"]);
    const other = answering({
      kind: "watch",
      contractId: new Uint8Array(32),
      event: "spent",
      height: 2n,
      txId: new Uint8Array(32),
    });
    expect((await failure(other.watch(C, 1000))).code).toBe(LightCode.BAD_WATCH);
    const badProof = answering({ kind: "proof", found: true, height: 3n, proof: Uint8Array.of(5) });
    expect((await failure(badProof.refreshProof(C, Uint8Array.of(0)))).code).toBe(LightCode.BAD_PROOF);
    const noForest = answering({ kind: "forest", height: 1n, forest: Uint8Array.of(1, 2) });
    const f = await failure(noForest.forest());
    expect([f.code, f.meta.reason]).toEqual([LightCode.BAD_FOREST, "decode"]);
    const badHeader = answering({
      kind: "headers",
      headers: [{ header: Uint8Array.of(1), certificate: new Uint8Array(0) }],
    });
    const h = await failure(badHeader.headers(2n));
    expect([h.code, h.meta.reason]).toEqual([LightCode.BAD_HEADER, "decode"]);
  });

  it("must-fail: transport failures and remote errors are coded", async () => {
    const down = new LightClient(async () => {
      throw new NetworkError(NetworkCode.TIMEOUT, {});
    }, trust);
    const d = await failure(down.submit(Uint8Array.of(1)));
    expect([d.code, d.meta.reason]).toEqual([LightCode.TRANSPORT_FAILED, NetworkCode.TIMEOUT]);
    const refusing = new LightClient(async () => {
      throw new NetworkError(NetworkCode.REMOTE_ERROR, { remoteCode: "RELAY_TOO_MANY_WATCHES" });
    }, trust);
    const r = await failure(refusing.watch(C, 1000));
    expect([r.code, r.meta.remoteCode]).toEqual([LightCode.REMOTE_ERROR, "RELAY_TOO_MANY_WATCHES"]);
  });

  it("a watch asks again while time remains after the relay's own wait ends", async () => {
    let calls = 0;
    const slow = new LightClient(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      throw new NetworkError(NetworkCode.REMOTE_ERROR, { remoteCode: "RELAY_WATCH_TIMEOUT" });
    }, trust);
    expect(await slow.watch(C, 70)).toEqual({ kind: "timeout" });
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(await slow.watch(C, 0)).toEqual({ kind: "timeout" });
  });
});

describe("LightClient: arguments", () => {
  it("checks ids and counts; parses relay addresses", async () => {
    const c = answering({ kind: "submit", accepted: true });
    await expect(c.watch(new Uint8Array(31), 10)).rejects.toThrow(RangeError);
    await expect(c.refreshProof(new Uint8Array(3), Uint8Array.of(0))).rejects.toThrow(RangeError);
    await expect(c.headers(-1n)).rejects.toThrow(RangeError);
    expect(
      () =>
        new LightClient(async () => new Uint8Array(0), { ...trust, anchor: { height: 1n, id: C.slice(1) } }),
    ).toThrow(RangeError);
    expect(relayPeerId("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc")).toBe("12D3KooWabc");
    expect(relayPeerId("/ip4/127.0.0.1/tcp/4001")).toBeUndefined();
  });
});
