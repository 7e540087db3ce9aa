/**
 * Real Starsig signatures through the driver (the simulator and the other tests use a cheap stand-in).
 * Three validators (2 of 3) sign every statement with src/crypto/starsig.ts `signMessage` and verify
 * with `verifyMessage`; they reach agreement on one slot. Must-fail twin: a tampered statement or a
 * signature by the wrong key is rejected. (Ours; no stellar-core counterpart.)
 */
import { describe, expect, it } from "vitest";
import { CompressedPoint } from "../../src/crypto/ristretto.js";
import { Signature, signMessage, verifyMessage } from "../../src/crypto/starsig.js";
import { seededRng } from "../../src/util/rng.js";
import { Scp } from "./scp.js";
import { bal, VALUES } from "./scpTestHarness.js";
import { makePrepare, RecordingDriver, type TestKey, TestKeyring } from "./testKit.js";
import type { Envelope, NodeId, QuorumSet } from "./types.js";

const LABEL = "zkvm.scp.envelope.v1";

class StarsigDriver extends RecordingDriver {
  private readonly rng = seededRng(`starsig-driver/${this.self.name}`);

  override sign(statementBytes: Uint8Array): Uint8Array {
    return signMessage(LABEL, statementBytes, this.self.secret, this.rng).encode();
  }

  override verify(nodeId: NodeId, statementBytes: Uint8Array, signature: Uint8Array): boolean {
    try {
      verifyMessage(Signature.decode(signature), LABEL, statementBytes, new CompressedPoint(nodeId));
      return true;
    } catch {
      return false;
    }
  }
}

describe("SCP with real Starsig signatures", () => {
  const keyring = new TestKeyring();
  const keys = [0, 1, 2].map((i) => keyring.add(`starsig-v${i}`)) as [TestKey, TestKey, TestKey];
  const qset: QuorumSet = { threshold: 2, validators: keys.map((k) => k.nodeId), innerSets: [] };
  const { x } = VALUES;

  it("three validators externalize the same value", () => {
    const nodes = keys.map((k) => {
      const d = new StarsigDriver(keyring, k);
      d.hashNode = undefined as never;
      d.expectedCandidates = [x];
      d.compositeValue = x;
      const scp = new Scp({ nodeId: k.nodeId, quorumSet: qset }, d);
      d.storeQuorumSet(scp.local.qset);
      return { d, scp, sent: 0 };
    });
    for (const n of nodes) n.scp.nominate(1n, x, new Uint8Array(32));
    let rounds = 0;
    for (let progress = true; progress && rounds < 100; rounds++) {
      progress = false;
      for (const from of nodes) {
        while (from.sent < from.d.envs.length) {
          const e = from.d.envs[from.sent++]!;
          progress = true;
          for (const to of nodes) if (to !== from) expect(to.scp.receiveEnvelope(e)).toBe("valid");
        }
      }
    }
    for (const n of nodes) expect(n.d.externalized.get(1n)).toEqual(x);
  });

  it("must-fail: a tampered statement or another key's signature is rejected", () => {
    const d0 = new StarsigDriver(keyring, keys[0]);
    const scp0 = new Scp({ nodeId: keys[0].nodeId, quorumSet: qset }, d0);
    const qh = d0.storeQuorumSet(qset);
    const d1 = new StarsigDriver(keyring, keys[1]);
    const unsigned = makePrepare(keys[1], qh, 1n, bal(1, x));
    const good: Envelope = { statement: unsigned.statement, signature: d1.sign(encodeOf(unsigned)) };
    const tampered: Envelope = { statement: { ...good.statement, slotIndex: 2n }, signature: good.signature };
    expect(scp0.receiveEnvelope(tampered)).toBe("invalid");
    expect(scp0.lastRejection).toBe("bad signature");
    const d2 = new StarsigDriver(keyring, keys[2]);
    const wrongKey: Envelope = { statement: good.statement, signature: d2.sign(encodeOf(unsigned)) };
    expect(scp0.receiveEnvelope(wrongKey)).toBe("invalid");
    const verdict = scp0.receiveEnvelope(good);
    expect(scp0.lastRejection).toBeNull();
    expect(verdict).toBe("valid");
  });
});

import { encodeStatement } from "./encoding.js";

function encodeOf(e: Envelope): Uint8Array {
  return encodeStatement(e.statement);
}
