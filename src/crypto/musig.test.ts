import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { seededRng } from "../util/rng.js";
import { BatchVerifier } from "./batch.js";
import { CryptoCode } from "./errors.js";
import vectors from "./fixtures/musig.json" with { type: "json" };
import {
  addMultiMessageToBatch,
  aggregateSecretKeys,
  type KeyMessage,
  Multikey,
  Multimessage,
  type MusigContext,
  MusigCoordinator,
  MusigSigner,
  multiMessageStatement,
  noncePrecommitment,
  signMultiMessage,
  signMultiMessageWithNonce,
  verifyMultiMessage,
} from "./musig.js";
import { CompressedPoint } from "./ristretto.js";
import { decodeScalar, encodeScalar, L, mul, neg, sub } from "./scalar.js";
import { addToBatch, messageTranscript, publicKey, Signature, signMessage, verify } from "./starsig.js";
import { Transcript } from "./transcript.js";

/** Runs `f` and returns the error it throws (fails the test if it does not throw). */
function errorOf(f: () => unknown): CodedError {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw new Error(`expected a CodedError, got ${String(e)}`);
  }
  throw new Error("expected an error");
}
const codeOf = (f: () => unknown) => errorOf(f).code;

const point = (hex: string) => new CompressedPoint(fromHex(hex, 32));
const scalar = (hex: string) => decodeScalar(fromHex(hex, 32));
const hexScalar = (s: bigint) => toHex(encodeScalar(s));
const BAD_POINT = new CompressedPoint(new Uint8Array(32).fill(0xff));

type Op = {
  op: string;
  label?: string;
  hex?: string;
  len?: number;
  scalar?: string;
  ops_on_clone?: Op[];
};

/** Replays a recorded transcript trace, checking every challenge (bytes and scalar). */
function replay(t: Transcript, ops: readonly Op[]): number {
  let challenges = 0;
  for (const op of ops) {
    if (op.op === "append") t.appendMessage(op.label!, fromHex(op.hex!));
    else if (op.op === "challenge") {
      const bytes = t.challengeBytes(op.label!, op.len!);
      expect(toHex(bytes)).toBe(op.hex);
      if (op.scalar !== undefined) {
        let v = 0n;
        for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
        expect(hexScalar(v % L)).toBe(op.scalar);
      }
      challenges++;
    } else if (op.op === "clone") challenges += replay(t.clone(), op.ops_on_clone!);
    else throw new Error(`unknown op ${op.op}`);
  }
  return challenges;
}

/** A transcript with its label and the recorded appends (the "message"). */
function messageT(label: string, appends: readonly { label: string; hex: string }[]): Transcript {
  const t = Transcript.create(label);
  for (const a of appends) t.appendMessage(a.label, fromHex(a.hex));
  return t;
}

describe("Musig key aggregation", () => {
  for (const v of vectors.key_aggregation) {
    it(`n = ${v.n}: factors, aggregated key and aggregated secret key`, () => {
      const keys = v.pubkeys.map(point);
      const secrets = v.secret_keys.map(scalar);
      expect(secrets.map((x) => publicKey(x).toHex())).toEqual(v.pubkeys);
      const mk = Multikey.create(keys);
      expect(mk.size).toBe(v.n);
      expect(mk.factors.map(hexScalar)).toEqual(v.factors_a_i);
      expect(mk.aggregatedKey.toHex()).toBe(v.aggregated_key);
      const xs = aggregateSecretKeys(secrets);
      expect(hexScalar(xs)).toBe(v.aggregated_secret_key);
      expect(publicKey(xs).toHex()).toBe(v.aggregated_key);
      if (v.transcript !== null) {
        // The recorded trace starts with the dom-sep append that Transcript.create makes.
        const [domSep, ...ops] = v.transcript.ops as Op[];
        expect(domSep!.label).toBe("dom-sep");
        expect(new TextDecoder().decode(fromHex(domSep!.hex!))).toBe(v.transcript.label);
        expect(replay(Transcript.create(v.transcript.label), ops)).toBe(v.n);
      }
    });
  }

  it("depends on key order (must-fail twin)", () => {
    const v = vectors.key_aggregation[1]!;
    const swapped = Multikey.create([...v.pubkeys].reverse().map(point));
    expect(swapped.aggregatedKey.toHex()).not.toBe(v.aggregated_key);
  });

  it("rejects an empty key list and invalid keys", () => {
    expect(codeOf(() => Multikey.create([]))).toBe(CryptoCode.MUSIG_BAD_INPUT);
    expect(codeOf(() => aggregateSecretKeys([]))).toBe(CryptoCode.MUSIG_BAD_INPUT);
    const err = errorOf(() => Multikey.create([point(vectors.key_aggregation[1]!.pubkeys[0]!), BAD_POINT]));
    expect(err.code).toBe(CryptoCode.INVALID_POINT);
    expect(err.meta["index"]).toBe(1);
    expect(codeOf(() => Multikey.create([BAD_POINT]))).toBe(CryptoCode.INVALID_POINT);
  });
});

describe("Musig multi-message signature (signtx)", () => {
  const v = vectors.multimessage_signature;
  const keyPairs: KeyMessage[] = v.pairs.map((p) => ({ pubkey: point(p.X), message: fromHex(p.m_hex) }));
  const secretPairs = v.pairs.map((p) => ({ secret: scalar(p.secret_key), message: fromHex(p.m_hex) }));
  const freshT = () => messageT(v.transcript_label, v.transcript_appends_before_signing);

  it("reproduces the fixed-nonce KAT (R, s, c_i)", () => {
    expect(secretPairs.map((p) => publicKey(p.secret).toHex())).toEqual(v.pairs.map((p) => p.X));
    const sig = signMultiMessageWithNonce(freshT(), secretPairs, scalar(v.nonce_r));
    expect(sig.R.toHex()).toBe(v.R);
    expect(hexScalar(sig.s)).toBe(v.s);
    expect(toHex(sig.encode())).toBe(v.signature_hex);

    const t = freshT();
    const context = Multimessage.create(keyPairs);
    context.commit(t);
    t.appendPoint("R", sig.R);
    expect(context.challenges(t).map(hexScalar)).toEqual(v.challenges_c_i);

    const stmt = multiMessageStatement(sig, freshT(), keyPairs);
    expect(stmt.scalars.slice(1).map(hexScalar)).toEqual(v.challenges_c_i);
  });

  it("replays the recorded verifier transcript", () => {
    const [domSep, ...ops] = v.verifier_transcript.ops as Op[];
    expect(new TextDecoder().decode(fromHex(domSep!.hex!))).toBe(v.verifier_transcript.label);
    expect(replay(Transcript.create(v.verifier_transcript.label), ops)).toBe(2);
  });

  it("verifies the KAT and the pinned reference signature", () => {
    expect(v.verifies).toBe(true);
    verifyMultiMessage(Signature.decode(fromHex(v.signature_hex)), freshT(), keyPairs);
    const ref = v.reference_sign_multi;
    expect(ref.verifies).toBe(true);
    const refSig = new Signature(point(ref.R), scalar(ref.s));
    verifyMultiMessage(refSig, freshT(), keyPairs);
    expect(multiMessageStatement(refSig, freshT(), keyPairs).scalars.slice(1).map(hexScalar)).toEqual(
      ref.challenges_c_i,
    );
  });

  it("rejects another message for key 1, swapped pairs, another context (must-fail twins)", () => {
    const sig = Signature.decode(fromHex(v.signature_hex));
    expect(v.verifies_with_other_message_for_key_1).toBe(false);
    const other = [keyPairs[0]!, { ...keyPairs[1]!, message: utf8("key 1 signs that") }];
    expect(codeOf(() => verifyMultiMessage(sig, freshT(), other))).toBe(CryptoCode.INVALID_SIGNATURE);
    expect(v.verifies_with_pairs_swapped).toBe(false);
    const swapped = [keyPairs[1]!, keyPairs[0]!];
    expect(codeOf(() => verifyMultiMessage(sig, freshT(), swapped))).toBe(CryptoCode.INVALID_SIGNATURE);
    const otherContext = messageT(v.transcript_label, []);
    expect(codeOf(() => verifyMultiMessage(sig, otherContext, keyPairs))).toBe(CryptoCode.INVALID_SIGNATURE);
    expect(codeOf(() => verifyMultiMessage(sig, freshT(), keyPairs.slice(0, 1)))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });

  it("round-trips signMultiMessage with a seeded rng and batches with Starsig", () => {
    const ts = freshT();
    const sig = signMultiMessage(ts, secretPairs, seededRng("multi"));
    const tv = freshT();
    verifyMultiMessage(sig, tv, keyPairs);
    expect(toHex(ts.challengeBytes("after", 32))).toBe(toHex(tv.challengeBytes("after", 32)));

    const x = scalar(v.pairs[0]!.secret_key);
    const single = signMessage("m", utf8("single"), x, seededRng("single"));
    const bv = new BatchVerifier({ rng: seededRng("weights") });
    addMultiMessageToBatch(bv, sig, freshT(), keyPairs);
    addToBatch(bv, single, messageTranscript("m", utf8("single")), publicKey(x));
    bv.verify();

    const bad = new BatchVerifier({ rng: seededRng("weights") });
    addMultiMessageToBatch(bad, sig, freshT(), [keyPairs[0]!, { ...keyPairs[1]!, message: utf8("x") }]);
    addToBatch(bad, single, messageTranscript("m", utf8("single")), publicKey(x));
    expect(codeOf(() => bad.verify())).toBe(CryptoCode.BATCH_VERIFICATION_FAILED);
  });

  it("allows a key to sign several messages (signtx with one key on two inputs)", () => {
    const x = scalar(v.pairs[0]!.secret_key);
    const pairs = [
      { secret: x, message: utf8("contract a") },
      { secret: x, message: utf8("contract b") },
    ];
    const sig = signMultiMessage(freshT(), pairs, seededRng("dup key"));
    verifyMultiMessage(
      sig,
      freshT(),
      pairs.map((p) => ({ pubkey: publicKey(p.secret), message: p.message })),
    );
  });

  it("rejects empty lists with CRYPTO_MUSIG_BAD_INPUT and bad points with CRYPTO_INVALID_POINT", () => {
    const sig = Signature.decode(fromHex(v.signature_hex));
    expect(codeOf(() => signMultiMessage(freshT(), [], seededRng("e")))).toBe(CryptoCode.MUSIG_BAD_INPUT);
    expect(codeOf(() => verifyMultiMessage(sig, freshT(), []))).toBe(CryptoCode.MUSIG_BAD_INPUT);
    expect(codeOf(() => Multimessage.create([]))).toBe(CryptoCode.MUSIG_BAD_INPUT);
    const err = errorOf(() =>
      verifyMultiMessage(sig, freshT(), [keyPairs[0]!, { ...keyPairs[1]!, pubkey: BAD_POINT }]),
    );
    expect(err.code).toBe(CryptoCode.INVALID_POINT);
    expect(err.meta["index"]).toBe(1);
    const badR = new Signature(BAD_POINT, sig.s);
    expect(codeOf(() => verifyMultiMessage(badR, freshT(), keyPairs))).toBe(CryptoCode.INVALID_POINT);
  });
});

/** Drives a full session between `signers`, optionally letting a test tamper with each round. */
function runSession(
  signers: readonly MusigSigner[],
  tamper: {
    reveals?: (rs: CompressedPoint[]) => CompressedPoint[];
    shares?: (ss: bigint[]) => bigint[];
  } = {},
): { sigs: Signature[]; reveals: CompressedPoint[]; shares: bigint[] } {
  const pre = signers.map((s) => s.precommitment);
  let reveals = signers.map((s) => s.receivePrecommitments(pre));
  if (tamper.reveals) reveals = tamper.reveals(reveals);
  let shares = signers.map((s) => s.receiveCommitments(reveals));
  if (tamper.shares) shares = tamper.shares(shares);
  return { sigs: signers.map((s) => s.receiveShares(shares)), reveals, shares };
}

describe("Musig multi-party signing: aggregated key (2-of-2 KAT)", () => {
  const v = vectors.multikey_signature_2_of_2;
  const freshT = () => messageT(v.transcript_label, v.transcript_appends_before_signing);
  const secrets = v.secret_keys.map(scalar);
  const context = () => Multikey.create(v.pubkeys.map(point));
  const signersWithKatNonces = (transcripts: Transcript[] = [freshT(), freshT()]) =>
    secrets.map((x, i) =>
      MusigSigner.createWithNonce(transcripts[i]!, i, x, context(), scalar(v.nonces_r_i[i]!)),
    );

  it("reproduces R_i, c_i, s_i, R, s and verifies as a Starsig signature for the aggregated key", () => {
    const transcripts = [freshT(), freshT()];
    const signers = signersWithKatNonces(transcripts);
    const { sigs, reveals, shares } = runSession(signers);
    expect(reveals.map((r) => r.toHex())).toEqual(v.R_i);
    expect(shares.map(hexScalar)).toEqual(v.shares_s_i);
    expect(signers[0]!.coordinator.challenges.map(hexScalar)).toEqual(v.c_i);
    expect(signers[0]!.coordinator.R.toHex()).toBe(v.R);
    const mk = context();
    expect(mk.aggregatedKey.toHex()).toBe(v.aggregated_key);
    expect(mk.factors.map((a) => hexScalar(mul(scalar(v.challenge_c), a)))).toEqual(v.c_i);
    for (const sig of sigs) {
      expect(sig.R.toHex()).toBe(v.R);
      expect(hexScalar(sig.s)).toBe(v.s);
      expect(toHex(sig.encode())).toBe(v.signature_hex);
    }
    expect(v.verifies_with_aggregated_key).toBe(true);
    const tv = freshT();
    verify(sigs[0]!, tv, mk.aggregatedKey);
    // Each signer's transcript ends where the verifier's does.
    const after = toHex(tv.challengeBytes("after", 32));
    for (const t of transcripts) expect(toHex(t.challengeBytes("after", 32))).toBe(after);
  });

  it("the KAT signature fails for a component key or another message (must-fail twin)", () => {
    const sig = Signature.decode(fromHex(v.signature_hex));
    expect(codeOf(() => verify(sig, freshT(), point(v.pubkeys[0]!)))).toBe(CryptoCode.INVALID_SIGNATURE);
    expect(codeOf(() => verify(sig, messageT(v.transcript_label, []), point(v.aggregated_key)))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });

  it("a coordinator without secrets assembles the same signature", () => {
    const signers = signersWithKatNonces();
    const coord = new MusigCoordinator(freshT(), context());
    const pre = signers.map((s) => s.precommitment);
    coord.receivePrecommitments(pre);
    const reveals = signers.map((s) => s.receivePrecommitments(pre));
    coord.receiveCommitments(reveals);
    const shares = signers.map((s) => s.receiveCommitments(reveals));
    expect(toHex(coord.receiveShares(shares).encode())).toBe(v.signature_hex);
    expect(coord.round).toBe("done");
  });

  it("signs with three parties and random nonces", () => {
    const v3 = vectors.key_aggregation[2]!;
    const mk = Multikey.create(v3.pubkeys.map(point));
    const signers = v3.secret_keys.map((x, i) =>
      MusigSigner.create(freshT(), i, scalar(x), mk, seededRng(`party ${i}`)),
    );
    const { sigs } = runSession(signers);
    verify(sigs[0]!, freshT(), mk.aggregatedKey);
    expect(codeOf(() => verify(sigs[0]!, messageT("other", []), mk.aggregatedKey))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });

  it("a one-key Multikey session gives a plain Starsig signature", () => {
    const v1 = vectors.key_aggregation[0]!;
    const mk = Multikey.create(v1.pubkeys.map(point));
    const signer = MusigSigner.create(freshT(), 0, scalar(v1.secret_keys[0]!), mk, seededRng("solo"));
    const { sigs } = runSession([signer]);
    verify(sigs[0]!, freshT(), point(v1.pubkeys[0]!));
  });
});

describe("Musig multi-party signing: multi-message", () => {
  const v = vectors.multimessage_signature;
  const freshT = () => messageT(v.transcript_label, v.transcript_appends_before_signing);
  const keyPairs: KeyMessage[] = v.pairs.map((p) => ({ pubkey: point(p.X), message: fromHex(p.m_hex) }));

  it("reproduces the multi-message KAT when the nonces sum to the recorded r", () => {
    const r1 = 987654321n;
    const nonces = [sub(scalar(v.nonce_r), r1), r1];
    const ctx = Multimessage.create(keyPairs);
    const signers = v.pairs.map((p, i) =>
      MusigSigner.createWithNonce(freshT(), i, scalar(p.secret_key), ctx, nonces[i]!),
    );
    const { sigs } = runSession(signers);
    expect(toHex(sigs[1]!.encode())).toBe(v.signature_hex);
    expect(signers[0]!.coordinator.challenges.map(hexScalar)).toEqual(v.challenges_c_i);
  });

  it("random nonces give a signature that verifies with verifyMultiMessage", () => {
    const ctx = Multimessage.create(keyPairs);
    const signers = v.pairs.map((p, i) =>
      MusigSigner.create(freshT(), i, scalar(p.secret_key), ctx, seededRng(`mm ${i}`)),
    );
    const { sigs } = runSession(signers);
    verifyMultiMessage(sigs[0]!, freshT(), keyPairs);
    expect(codeOf(() => verifyMultiMessage(sigs[0]!, freshT(), [keyPairs[1]!, keyPairs[0]!]))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });
});

describe("Musig multi-party misbehaviour and round order", () => {
  const v = vectors.multikey_signature_2_of_2;
  const freshT = () => messageT(v.transcript_label, v.transcript_appends_before_signing);
  const secrets = v.secret_keys.map(scalar);
  const ctx: MusigContext = Multikey.create(v.pubkeys.map(point));
  const signers = () => secrets.map((x, i) => MusigSigner.create(freshT(), i, x, ctx, seededRng(`bad ${i}`)));

  it("blames a party whose reveal does not match its precommitment", () => {
    const ss = signers();
    const pre = ss.map((s) => s.precommitment);
    const reveals = ss.map((s) => s.receivePrecommitments(pre));
    const forged = [reveals[0]!, publicKey(42n)];
    const err = errorOf(() => ss[0]!.receiveCommitments(forged));
    expect(err.code).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(err.meta["party"]).toBe(1);
    expect(ss[0]!.round).toBe("failed");
    // A failed session refuses to go on.
    expect(codeOf(() => ss[0]!.receiveShares([1n, 2n]))).toBe(CryptoCode.MUSIG_PROTOCOL);
    // The honest twin goes through.
    ss[1]!.receiveCommitments(reveals);
  });

  it("blames a party whose reveal is not a valid point", () => {
    const coord = new MusigCoordinator(freshT(), ctx);
    coord.receivePrecommitments([noncePrecommitment(publicKey(1n)), noncePrecommitment(BAD_POINT)]);
    const err = errorOf(() => coord.receiveCommitments([publicKey(1n), BAD_POINT]));
    expect(err.code).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(err.meta["party"]).toBe(1);
  });

  it("blames a party whose share does not verify", () => {
    const ss = signers();
    const err = errorOf(() => runSession(ss, { shares: (sh) => [(sh[0]! + 1n) % L, sh[1]!] }));
    expect(err.code).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(err.meta["party"]).toBe(0);
    // A non-canonical share is misbehaviour too.
    const ss2 = signers();
    const err2 = errorOf(() => runSession(ss2, { shares: (sh) => [sh[0]!, sh[1]! + L] }));
    expect(err2.meta["party"]).toBe(1);
    // Trusted shares skip the check (and give an invalid signature).
    const ss3 = signers();
    const pre = ss3.map((s) => s.precommitment);
    const reveals = ss3.map((s) => s.receivePrecommitments(pre));
    const shares = ss3.map((s) => s.receiveCommitments(reveals));
    const sig = ss3[0]!.receiveTrustedShares([shares[0]!, neg(shares[1]!)]);
    expect(codeOf(() => verify(sig, freshT(), Multikey.create(v.pubkeys.map(point)).aggregatedKey))).toBe(
      CryptoCode.INVALID_SIGNATURE,
    );
  });

  it("refuses rounds out of order or twice", () => {
    const [a, b] = signers();
    expect(codeOf(() => a!.receiveCommitments([publicKey(1n), publicKey(2n)]))).toBe(
      CryptoCode.MUSIG_PROTOCOL,
    );
    expect(codeOf(() => a!.receiveShares([1n, 2n]))).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(codeOf(() => a!.coordinator.R)).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(codeOf(() => a!.coordinator.challenges)).toBe(CryptoCode.MUSIG_PROTOCOL);
    const pre = [a!.precommitment, b!.precommitment];
    const ra = a!.receivePrecommitments(pre);
    expect(codeOf(() => a!.receivePrecommitments(pre))).toBe(CryptoCode.MUSIG_PROTOCOL);
    const rb = b!.receivePrecommitments(pre);
    const sa = a!.receiveCommitments([ra, rb]);
    expect(codeOf(() => a!.receiveCommitments([ra, rb]))).toBe(CryptoCode.MUSIG_PROTOCOL);
    const sb = b!.receiveCommitments([ra, rb]);
    a!.receiveShares([sa, sb]);
    expect(codeOf(() => a!.receiveShares([sa, sb]))).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(codeOf(() => a!.receiveTrustedShares([sa, sb]))).toBe(CryptoCode.MUSIG_PROTOCOL);
  });

  it("rejects wrong list lengths, bad positions, a mismatched secret and a replaced own precommitment", () => {
    const [a, b] = signers();
    const err = errorOf(() => a!.receivePrecommitments([a!.precommitment]));
    expect(err.code).toBe(CryptoCode.MUSIG_BAD_INPUT);
    expect(a!.round).toBe("precommitments");
    expect(codeOf(() => MusigSigner.create(freshT(), 2, secrets[0]!, ctx, seededRng("p")))).toBe(
      CryptoCode.MUSIG_BAD_INPUT,
    );
    const mismatch = errorOf(() => MusigSigner.create(freshT(), 1, secrets[0]!, ctx, seededRng("p")));
    expect(mismatch.code).toBe(CryptoCode.MUSIG_BAD_INPUT);
    expect(mismatch.meta["party"]).toBe(1);
    const replaced = errorOf(() => a!.receivePrecommitments([b!.precommitment, b!.precommitment]));
    expect(replaced.code).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(replaced.meta["party"]).toBe(0);
    const short = errorOf(() => b!.receivePrecommitments([new Uint8Array(31), b!.precommitment]));
    expect(short.code).toBe(CryptoCode.MUSIG_PROTOCOL);
    expect(short.meta["party"]).toBe(0);
  });
});
