import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex, utf8 } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { seededRng } from "../util/rng.js";
import { BatchVerifier } from "./batch.js";
import { CryptoCode } from "./errors.js";
import vectors from "./fixtures/starsig.json" with { type: "json" };
import { pedersenCommit } from "./generators.js";
import { CompressedPoint } from "./ristretto.js";
import { decodeScalar, encodeScalar, L, neg } from "./scalar.js";
import {
  addToBatch,
  messageTranscript,
  publicKey,
  Signature,
  type SignatureItem,
  sign,
  signMessage,
  signWithNonce,
  starsigChallenge,
  verificationStatement,
  verify,
  verifyBatch,
  verifyMessage,
} from "./starsig.js";
import { Transcript } from "./transcript.js";

/** Runs `f` and returns the code of the error it throws (fails the test if it does not throw). */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded ${String(e)}`;
  }
  throw new Error("expected an error");
}

const point = (hex: string) => new CompressedPoint(fromHex(hex, 32));
const secretOf = (hex: string) => decodeScalar(fromHex(hex, 32));

describe("Starsig vectors (Starsig.sign_message)", () => {
  for (const [n, v] of vectors.message_signatures.entries()) {
    it(`#${n} ${v.key_name} / ${v.message_label}: pubkey, challenge, verify, tampered`, () => {
      expect(v.transcript_label).toBe("Starsig.sign_message");
      const X = point(v.pubkey);
      expect(publicKey(secretOf(v.secret_key)).toHex()).toBe(v.pubkey);

      const sig = Signature.decode(fromHex(v.signature, 64));
      expect(sig.R.toHex()).toBe(v.R);
      expect(toHex(encodeScalar(sig.s))).toBe(v.s);
      expect(toHex(sig.encode())).toBe(v.signature);

      const c = starsigChallenge(messageTranscript(v.message_label, fromHex(v.message_hex)), X, sig.R);
      expect(toHex(encodeScalar(c))).toBe(v.challenge_c);

      expect(v.valid).toBe(true);
      verifyMessage(sig, v.message_label, fromHex(v.message_hex), X);

      expect(v.tampered_valid).toBe(false);
      expect(codeOf(() => verifyMessage(sig, v.message_label, fromHex(v.tampered_message_hex), X))).toBe(
        CryptoCode.INVALID_SIGNATURE,
      );
    });
  }

  it("rejects a vector signature under another label or another key", () => {
    const v = vectors.message_signatures[0]!;
    const sig = Signature.decode(fromHex(v.signature));
    expect(codeOf(() => verifyMessage(sig, "messagE", fromHex(v.message_hex), point(v.pubkey)))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
    const other = vectors.message_signatures.find((w) => w.pubkey !== v.pubkey)!;
    expect(
      codeOf(() => verifyMessage(sig, v.message_label, fromHex(v.message_hex), point(other.pubkey))),
    ).toBe(CryptoCode.INVALID_SIGNATURE);
  });
});

describe("Starsig transcript signature (ZkVM.signid)", () => {
  const v = vectors.transcript_signature;
  const transcript = (appends: readonly { label: string; message_hex: string }[]) => {
    const t = Transcript.create(v.transcript_label);
    for (const a of appends) t.appendMessage(a.label, fromHex(a.message_hex));
    return t;
  };

  it("reproduces the pubkey and verifies", () => {
    expect(publicKey(secretOf(v.secret_key)).toHex()).toBe(v.pubkey);
    expect(v.valid).toBe(true);
    verify(Signature.decode(fromHex(v.signature)), transcript(v.appends), point(v.pubkey));
  });

  it("rejects a changed program or a missing append (must-fail twin)", () => {
    const sig = Signature.decode(fromHex(v.signature));
    const changed = v.appends.map((a) => (a.label === "prog" ? { ...a, message_hex: "0000000001" } : a));
    expect(codeOf(() => verify(sig, transcript(changed), point(v.pubkey)))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
    expect(codeOf(() => verify(sig, transcript(v.appends.slice(0, 1)), point(v.pubkey)))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });
});

describe("Starsig sign/verify", () => {
  const x = secretOf(vectors.transcript_signature.secret_key);
  const X = publicKey(x);
  const msg = utf8("round trip");

  it("round-trips and leaves signer and verifier transcripts in the same state", () => {
    const ts = messageTranscript("msg", msg);
    const sig = sign(ts, x, seededRng("starsig round trip"));
    const tv = messageTranscript("msg", msg);
    verify(Signature.decode(sig.encode()), tv, X);
    expect(toHex(ts.challengeBytes("after", 32))).toBe(toHex(tv.challengeBytes("after", 32)));
  });

  it("rejects a signature made with another key (must-fail twin)", () => {
    const sig = signMessage("msg", msg, x, seededRng("other key"));
    const Y = publicKey(x + 1n);
    expect(codeOf(() => verifyMessage(sig, "msg", msg, Y))).toBe(CryptoCode.INVALID_SIGNATURE);
  });

  it("derives the nonce from transcript, secret and rng", () => {
    const a = signMessage("msg", msg, x, seededRng("nonce"));
    const b = signMessage("msg", msg, x, seededRng("nonce"));
    expect(toHex(a.encode())).toBe(toHex(b.encode()));
    expect(a.R.toHex()).not.toBe(signMessage("msg", msg, x, seededRng("nonce 2")).R.toHex());
    expect(a.R.toHex()).not.toBe(signMessage("msg", utf8("other"), x, seededRng("nonce")).R.toHex());
    expect(a.R.toHex()).not.toBe(signMessage("msg", msg, x + 1n, seededRng("nonce")).R.toHex());
  });

  it("signWithNonce computes R = r·B and s = r + c·x", () => {
    const r = 12345n;
    const sig = signWithNonce(messageTranscript("msg", msg), x, r);
    expect(sig.R.toHex()).toBe(publicKey(r).toHex());
    const c = starsigChallenge(messageTranscript("msg", msg), X, sig.R);
    expect(sig.s).toBe((r + c * x) % L);
    verifyMessage(sig, "msg", msg, X);
  });

  it("builds the statement 0 = (−s)·B + R + c·X", () => {
    const sig = signMessage("msg", msg, x, seededRng("stmt"));
    const stmt = verificationStatement(sig, messageTranscript("msg", msg), X);
    const c = starsigChallenge(messageTranscript("msg", msg), X, sig.R);
    expect(stmt.b).toBe(neg(sig.s));
    expect(stmt.scalars).toEqual([1n, c]);
    expect(stmt.points).toEqual([sig.R, X]);
  });

  it("sign/verify round-trips over random keys and messages (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: L - 1n }),
        fc.uint8Array({ maxLength: 80 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        (secret, message, label) => {
          const sig = signMessage(label, message, secret, seededRng(message));
          const key = publicKey(secret);
          verifyMessage(sig, label, message, key);
          const forged = new Signature(sig.R, (sig.s + 1n) % L);
          expect(codeOf(() => verifyMessage(forged, label, message, key))).toBe(CryptoCode.INVALID_SIGNATURE);
        },
      ),
      { seed: 42, numRuns: 30 },
    );
  });
});

describe("Starsig batch verification", () => {
  const items = (n: number, seed: string): SignatureItem[] =>
    Array.from({ length: n }, (_, i) => {
      const secret = BigInt(1000 + i * 7919);
      const m = utf8(`batch message ${i}`);
      const sig = signMessage("batch", m, secret, seededRng(`${seed} ${i}`));
      return { sig, transcript: messageTranscript("batch", m), pubkey: publicKey(secret) };
    });

  it("accepts a batch of valid signatures", () => {
    verifyBatch(items(16, "ok"), seededRng("weights"));
  });

  it("rejects a batch with one bad signature", () => {
    const batch = items(16, "bad");
    const victim = batch[9]!;
    batch[9] = { ...victim, transcript: messageTranscript("batch", utf8("not the signed message")) };
    expect(codeOf(() => verifyBatch(batch, seededRng("weights")))).toBe(CryptoCode.BATCH_VERIFICATION_FAILED);
  });

  it("adds signatures into an existing batch beside other statements", () => {
    const ok = () => {
      const bv = new BatchVerifier({ rng: seededRng("mixed") });
      // A Pedersen opening statement: 0 = 5·B + 7·B2 − C.
      const C = CompressedPoint.fromPoint(pedersenCommit(5n, 7n));
      bv.add({ b: 5n, b2: 7n, scalars: [neg(1n)], points: [C] });
      return bv;
    };
    const good = ok();
    for (const it of items(3, "mixed")) addToBatch(good, it.sig, it.transcript, it.pubkey);
    expect(good.size).toBe(4);
    good.verify();

    const bad = ok();
    const [first, ...rest] = items(3, "mixed");
    addToBatch(bad, new Signature(first!.sig.R, (first!.sig.s + 1n) % L), first!.transcript, first!.pubkey);
    for (const it of rest) addToBatch(bad, it.sig, it.transcript, it.pubkey);
    expect(codeOf(() => bad.verify())).toBe(CryptoCode.BATCH_VERIFICATION_FAILED);
  });

  it("rejects a batch holding an undecodable R with CRYPTO_INVALID_POINT", () => {
    const batch = items(2, "bad point");
    batch[1] = { ...batch[1]!, sig: new Signature(new CompressedPoint(new Uint8Array(32).fill(0xff)), 1n) };
    expect(codeOf(() => verifyBatch(batch, seededRng("weights")))).toBe(CryptoCode.INVALID_POINT);
  });
});

describe("Starsig decoding and invalid points", () => {
  const good = fromHex(vectors.message_signatures[0]!.signature);

  it("decodes 64 bytes and reads from a Reader", () => {
    const r = new Reader(concatBytes(new Uint8Array([9]), good));
    r.readU8();
    const sig = Signature.read(r);
    expect(toHex(sig.encode())).toBe(toHex(good));
    expect(r.remaining).toBe(0);
  });

  it("rejects a wrong length with DECODE_INVALID_FORMAT", () => {
    expect(codeOf(() => Signature.decode(good.subarray(0, 63)))).toBe(DecodeCode.INVALID_FORMAT);
    expect(codeOf(() => Signature.decode(concatBytes(good, new Uint8Array(1))))).toBe(
      DecodeCode.INVALID_FORMAT,
    );
    expect(codeOf(() => Signature.decode(new Uint8Array(0)))).toBe(DecodeCode.INVALID_FORMAT);
  });

  it("rejects a non-canonical s with DECODE_NONCANONICAL_SCALAR", () => {
    const withS = (s: Uint8Array) => concatBytes(good.subarray(0, 32), s);
    const ell = new Uint8Array(32);
    let v = L;
    for (let i = 0; i < 32; i++, v >>= 8n) ell[i] = Number(v & 0xffn);
    expect(codeOf(() => Signature.decode(withS(ell)))).toBe(DecodeCode.NONCANONICAL_SCALAR);
    expect(codeOf(() => Signature.decode(withS(new Uint8Array(32).fill(0xff))))).toBe(
      DecodeCode.NONCANONICAL_SCALAR,
    );
    const r = new Reader(withS(ell));
    expect(codeOf(() => Signature.read(r))).toBe(DecodeCode.NONCANONICAL_SCALAR);
    // ℓ − 1 is canonical.
    expect(Signature.decode(withS(encodeScalar(L - 1n))).s).toBe(L - 1n);
  });

  it("rejects an invalid R or pubkey encoding with CRYPTO_INVALID_POINT", () => {
    const v = vectors.message_signatures[0]!;
    const badR = concatBytes(new Uint8Array(32).fill(0xff), good.subarray(32));
    const sig = Signature.decode(badR); // R is only checked at verification
    let err: unknown;
    try {
      verifyMessage(sig, v.message_label, fromHex(v.message_hex), point(v.pubkey));
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, CryptoCode.INVALID_POINT)).toBe(true);
    expect((err as { meta: { what: string } }).meta.what).toBe("signature R");

    const badKey = new CompressedPoint(new Uint8Array(32).fill(0xff));
    const ok = Signature.decode(good);
    expect(codeOf(() => verifyMessage(ok, v.message_label, fromHex(v.message_hex), badKey))).toBe(
      CryptoCode.INVALID_POINT,
    );
  });

  it("rejects out-of-range scalars passed by callers with RangeError", () => {
    expect(() => new Signature(new CompressedPoint(good.slice(0, 32)), L)).toThrow(RangeError);
    expect(() => sign(Transcript.create("t"), L, seededRng("r"))).toThrow(RangeError);
    expect(() => signWithNonce(Transcript.create("t"), 1n, -1n)).toThrow(RangeError);
  });
});
