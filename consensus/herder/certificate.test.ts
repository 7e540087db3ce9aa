/**
 * Finality certificates from a live 4-node run: they verify for their block, survive an encoding
 * round trip, and fail (exact codes) when signers drop below a quorum, the block id differs, a
 * signature is forged or duplicated, or a statement names another value.
 */
import { describe, expect, it } from "vitest";
import { blockId } from "../../src/chain/index.js";
import { hasCode } from "../../src/util/codedError.js";
import { quorumSetHash } from "../scp/index.js";
import { bal, makeConfirm, makePrepare } from "../scp/testKit.js";
import {
  decodeCertificate,
  encodeCertificate,
  type FinalityCertificate,
  makeCertificate,
  verifyCertificate,
} from "./certificate.js";
import { HerderCode } from "./errors.js";
import { TestNet } from "./testNet.js";
import { encodeValue, valueOfHeader } from "./value.js";

const net = new TestNet();
net.start();
net.runToHeight(3n);
const n0 = net.nodes[0]!;
const block = n0.blocks[0]!;
const cert = n0.certs[0]!;
const other = n0.blocks[1]!;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    for (const c of Object.values(HerderCode)) if (hasCode(e, c)) return c;
    return "other";
  }
  return undefined;
}

const verify =
  (c: FinalityCertificate, id = block.id) =>
  () =>
    verifyCertificate(c, id, net.qsetOf, net.verifySig, net.qset);

describe("finality certificates", () => {
  it("a block's certificate verifies (with and without a trusted quorum set)", () => {
    expect(cert.envelopes.length).toBeGreaterThanOrEqual(3);
    expect(codeOf(verify(cert))).toBeUndefined();
    expect(codeOf(() => verifyCertificate(cert, block.id, net.qsetOf, net.verifySig))).toBeUndefined();
    for (const n of net.nodes) expect(codeOf(verify(n.certs[0]!))).toBeUndefined();
  });

  it("encoding round trip; must-fail: truncated or trailing bytes", () => {
    const bytes = encodeCertificate(cert);
    const back = decodeCertificate(bytes);
    expect(encodeCertificate(back)).toEqual(bytes);
    expect(codeOf(verify(back))).toBeUndefined();
    expect(codeOf(() => decodeCertificate(bytes.subarray(0, bytes.length - 1)))).toBe(
      HerderCode.CERT_DECODE_FAILED,
    );
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(codeOf(() => decodeCertificate(longer))).toBe(HerderCode.CERT_DECODE_FAILED);
  });

  it("must-fail: signers below a quorum", () => {
    const two = { header: cert.header, envelopes: cert.envelopes.slice(0, 2) };
    expect(codeOf(verify(two))).toBe(HerderCode.CERT_NO_QUORUM);
    // unknown signers do not count
    const three = { header: cert.header, envelopes: cert.envelopes.slice(0, 3) };
    expect(codeOf(verify(three))).toBeUndefined();
    const blind = () => verifyCertificate(three, block.id, () => undefined, net.verifySig);
    expect(codeOf(blind)).toBe(HerderCode.CERT_NO_QUORUM);
  });

  it("must-fail: another block id, or a header that does not match the value", () => {
    expect(codeOf(verify(cert, other.id))).toBe(HerderCode.CERT_WRONG_BLOCK);
    const moved = { ...cert, header: { ...cert.header, utxoroot: new Uint8Array(32) } };
    expect(codeOf(verify(moved, blockId(moved.header)))).toBe(HerderCode.CERT_BAD_STATEMENT);
  });

  it("must-fail: a forged or duplicated signature", () => {
    const e0 = cert.envelopes[0]!;
    const forged = { statement: e0.statement, signature: new Uint8Array(64) };
    expect(codeOf(verify({ ...cert, envelopes: [forged, ...cert.envelopes.slice(1)] }))).toBe(
      HerderCode.CERT_BAD_SIGNATURE,
    );
    expect(codeOf(verify({ ...cert, envelopes: [e0, ...cert.envelopes] }))).toBe(
      HerderCode.CERT_BAD_SIGNATURE,
    );
  });

  it("must-fail: a PREPARE, or a CONFIRM of another value, is not evidence", () => {
    const k = net.nodes[1]!.key;
    const qh = quorumSetHash(net.qset);
    const value = encodeValue(valueOfHeader(block.header));
    const prep = makePrepare(k, qh, block.header.height, bal(1, value));
    expect(codeOf(verify({ ...cert, envelopes: [prep] }))).toBe(HerderCode.CERT_BAD_STATEMENT);
    const wrong = makeConfirm(k, qh, block.header.height, 1, bal(1, new Uint8Array(72)), 1, 1);
    expect(codeOf(verify({ ...cert, envelopes: [wrong] }))).toBe(HerderCode.CERT_BAD_STATEMENT);
    // makeCertificate keeps only the evidence
    expect(makeCertificate(block.header, [prep, wrong, ...cert.envelopes]).envelopes).toEqual(cert.envelopes);
  });
});
