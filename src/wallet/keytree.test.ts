import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeScalar, L } from "../crypto/scalar.js";
import { publicKey } from "../crypto/starsig.js";
import { Transcript } from "../crypto/transcript.js";
import { concatBytes, fromHex, toHex } from "../util/bytes.js";
import type { Rng } from "../util/rng.js";
import { seededRng } from "../util/rng.js";
import { WalletCode } from "./errors.js";
import vectors from "./fixtures/keytree.json" with { type: "json" };
import {
  EXTENDED_KEY_LENGTH,
  KEYTREE_LABEL,
  messageSelector,
  type Selector,
  u64Selector,
  Xprv,
  Xpub,
} from "./keytree.js";

/** Runs `f` and returns the code of the error it throws (fails the test if it does not throw). */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded ${String(e)}`;
  }
  throw new Error("expected an error");
}

type Step =
  | { kind: "intermediate"; append_u64: { label: string; value: number }; xprv: string; xpub: string }
  | { kind: "leaf"; append_u64: { label: string; value: number }; secret_key: string; pubkey: string };

/**
 * Walks `steps` from a root on both sides (Xprv and Xpub) and checks every value of the vector.
 * Values are small integers in these vectors, so JSON numbers are exact.
 */
function checkSteps(rootPrv: Xprv, rootPub: Xpub, steps: readonly Step[], name: string): void {
  let prv = rootPrv;
  let pub = rootPub;
  for (const [i, step] of steps.entries()) {
    const sel = u64Selector(step.append_u64.label, step.append_u64.value);
    const where = `${name} step ${i}`;
    if (step.kind === "intermediate") {
      prv = prv.deriveIntermediate(sel);
      pub = pub.deriveIntermediate(sel);
      expect(prv.toHex(), where).toBe(step.xprv);
      expect(pub.toHex(), where).toBe(step.xpub);
      expect(prv.xpub.toHex(), where).toBe(step.xpub);
    } else {
      const secret = prv.deriveLeaf(sel);
      expect(toHex(encodeScalar(secret)), where).toBe(step.secret_key);
      expect(pub.deriveLeaf(sel).toHex(), where).toBe(step.pubkey);
      expect(publicKey(secret).toHex(), where).toBe(step.pubkey);
    }
  }
}

/**
 * ChaCha20 keystream (key, zero nonce, block counter from 0) as an `Rng`: the byte stream of
 * `rand_chacha::ChaChaRng::from_seed(key)`, needed to rebuild the reference's `Xprv::random` root.
 */
function chacha20Rng(key: Uint8Array): Rng {
  const k = new Uint32Array(8);
  const kv = new DataView(key.buffer, key.byteOffset, 32);
  for (let i = 0; i < 8; i++) k[i] = kv.getUint32(4 * i, true);
  let counter = 0;
  let block: Uint8Array = new Uint8Array(0);
  let pos = 0;
  const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
  function nextBlock(): Uint8Array {
    const init = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...k, counter, 0, 0, 0]);
    counter++;
    const x = init.slice();
    const qr = (a: number, b: number, c: number, d: number) => {
      x[a] = (x[a]! + x[b]!) >>> 0;
      x[d] = rotl(x[d]! ^ x[a]!, 16);
      x[c] = (x[c]! + x[d]!) >>> 0;
      x[b] = rotl(x[b]! ^ x[c]!, 12);
      x[a] = (x[a]! + x[b]!) >>> 0;
      x[d] = rotl(x[d]! ^ x[a]!, 8);
      x[c] = (x[c]! + x[d]!) >>> 0;
      x[b] = rotl(x[b]! ^ x[c]!, 7);
    };
    for (let r = 0; r < 10; r++) {
      qr(0, 4, 8, 12);
      qr(1, 5, 9, 13);
      qr(2, 6, 10, 14);
      qr(3, 7, 11, 15);
      qr(0, 5, 10, 15);
      qr(1, 6, 11, 12);
      qr(2, 7, 8, 13);
      qr(3, 4, 9, 14);
    }
    const out = new Uint8Array(64);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 16; i++) ov.setUint32(4 * i, (x[i]! + init[i]!) >>> 0, true);
    return out;
  }
  return {
    fillBytes(dest: Uint8Array): void {
      for (let i = 0; i < dest.length; i++) {
        if (pos === block.length) {
          block = nextBlock();
          pos = 0;
        }
        dest[i] = block[pos++]!;
      }
    },
  };
}

describe("keytree vectors (shared/vectors/keytree.json)", () => {
  it("the ChaCha20 helper matches the RFC 8439-style all-zero keystream", () => {
    const out = new Uint8Array(64);
    chacha20Rng(new Uint8Array(32)).fillBytes(out);
    expect(toHex(out).slice(0, 32)).toBe("76b8e0ada0f13d90405d6ae55386bd28");
  });

  for (const seed of vectors.from_seed) {
    it(`root and paths from seed "${seed.seed_name}"`, () => {
      const root = Xprv.fromSeed(fromHex(seed.seed_hex));
      expect(root.toHex()).toBe(seed.root_xprv);
      expect(root.xpub.toHex()).toBe(seed.root_xpub);
      const rootPub = Xpub.fromHex(seed.root_xpub);
      for (const path of seed.paths)
        checkSteps(root, rootPub, path.steps as Step[], `${seed.seed_name}: ${path.path}`);
    });
  }

  it("tests.rs test_vectors: the all-zero root, children, grand-children and a leaf", () => {
    const v = vectors.tests_rs_default_root;
    const root = Xprv.fromHex(v.root_xprv);
    const rootPub = Xpub.fromHex(v.root_xpub);
    expect(root.toHex()).toBe(v.root_xprv);
    expect(root.xpub.toHex()).toBe(v.root_xpub);
    expect(Xprv.fromParts(0n, new Uint8Array(32)).xpub.equals(rootPub)).toBe(true);
    checkSteps(root, rootPub, v.path as Step[], "default path");
    // The leaf is derived from the first child (R → C → L).
    const first = v.path[0] as Step;
    const sel = u64Selector(first.append_u64.label, first.append_u64.value);
    checkSteps(
      root.deriveIntermediate(sel),
      rootPub.deriveIntermediate(sel),
      v.leaf_from_child as Step[],
      "leaf",
    );
  });

  it("tests.rs random_*: the root of Xprv::random(ChaChaRng::from_seed([0; 32])), its account and invoice", () => {
    const v = vectors.tests_rs_chacha_root;
    const root = Xprv.random(chacha20Rng(new Uint8Array(32)));
    expect(root.toHex()).toBe(v.root_xprv);
    expect(root.xpub.toHex()).toBe(v.root_xpub);
    const rootPub = Xpub.fromHex(v.root_xpub);
    checkSteps(root, rootPub, v.account as Step[], "account");
    checkSteps(root, rootPub, v.invoice_leaf as Step[], "invoice");
  });

  it("reproduces the transcript trace, operation by operation, and ties it to the derivation", () => {
    const trace = vectors.transcript_trace.transcripts;
    // 1. Replay every transcript from its recorded operations.
    for (const tr of trace) {
      const t = Transcript.create(tr.label);
      for (const op of tr.ops) {
        if (op.label === "dom-sep") {
          expect(toHex(new TextEncoder().encode(tr.label))).toBe(op.hex);
          continue;
        }
        if (op.op === "append") t.appendMessage(op.label, fromHex(op.hex));
        else {
          const bytes = t.challengeBytes(op.label, op.len);
          expect(toHex(bytes), `${tr.label} ${op.label}`).toBe(op.hex);
          if ("scalar" in op) {
            const s = bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n) % L;
            expect(toHex(encodeScalar(s))).toBe(op.scalar);
          }
        }
      }
    }
    // 2. The key tree performs exactly these operations.
    const [seedT, interT, leafT] = trace as [(typeof trace)[0], (typeof trace)[0], (typeof trace)[0]];
    const op = (t: (typeof trace)[0], label: string, kind = "append") =>
      t.ops.find((o) => o.label === label && o.op === kind)!;
    expect(seedT.label).toBe(KEYTREE_LABEL.FROM_SEED);
    expect(interT.label).toBe(KEYTREE_LABEL.DERIVATION);
    const root = Xprv.fromSeed(fromHex(op(seedT, "seed").hex));
    expect(toHex(encodeScalar(root.scalar))).toBe(op(seedT, "scalar", "challenge").scalar);
    expect(toHex(root.dk)).toBe(op(seedT, "dk", "challenge").hex);
    expect(root.xpub.key.toHex()).toBe(op(interT, "pt").hex);
    expect(toHex(root.dk)).toBe(op(interT, "dk").hex);
    const account = root.deriveIntermediate(u64Selector("account_id", 34));
    expect(account.xpub.key.toHex()).toBe(op(leafT, "pt").hex);
    expect(toHex(account.dk)).toBe(op(interT, "dk", "challenge").hex);
    expect(toHex(account.dk)).toBe(op(leafT, "dk").hex);
    const f = fromHex(op(interT, "f.intermediate", "challenge").scalar!);
    expect((root.scalar + f.reduceRight((a, b) => (a << 8n) | BigInt(b), 0n)) % L).toBe(account.scalar);
    const leaf = account.deriveLeaf(u64Selector("invoice_id", 10034));
    const g = fromHex(op(leafT, "f.leaf", "challenge").scalar!);
    expect((account.scalar + g.reduceRight((a, b) => (a << 8n) | BigInt(b), 0n)) % L).toBe(leaf);
    // The exposed PRF is the derivation transcript before the selector.
    const prf = root.xpub.prf().appendU64("account_id", 34);
    expect(toHex(prf.challengeBytes("f.intermediate", 64))).toBe(
      op(interT, "f.intermediate", "challenge").hex,
    );
  });
});

describe("encodings", () => {
  const rng = seededRng("keytree encodings");
  const xprv = Xprv.random(rng);

  it("round-trips Xprv and Xpub through bytes and hex", () => {
    expect(xprv.toBytes().length).toBe(EXTENDED_KEY_LENGTH);
    expect(Xprv.fromBytes(xprv.toBytes()).equals(xprv)).toBe(true);
    expect(Xprv.fromHex(xprv.toHex()).equals(xprv)).toBe(true);
    expect(Xprv.fromHex(xprv.toHex().toUpperCase()).equals(xprv)).toBe(true);
    expect(Xpub.fromBytes(xprv.xpub.toBytes()).equals(xprv.xpub)).toBe(true);
    expect(Xpub.fromHex(xprv.xpub.toHex()).equals(xprv.xpub)).toBe(true);
    expect(Xprv.fromParts(xprv.scalar, xprv.dk).equals(xprv)).toBe(true);
    expect(Xpub.fromParts(xprv.xpub.point, xprv.dk).equals(xprv.xpub)).toBe(true);
    // Largest canonical scalar.
    const top = Xprv.fromBytes(concatBytes(encodeScalar(L - 1n), new Uint8Array(32).fill(7)));
    expect(top.scalar).toBe(L - 1n);
    expect(top.xpub.key.equals(publicKey(L - 1n))).toBe(true);
  });

  it("keys are immutable: mutating inputs or returned arrays changes nothing", () => {
    const bytes = xprv.toBytes();
    const copy = Xprv.fromBytes(bytes);
    bytes.fill(0);
    copy.dk.fill(0);
    copy.xpub.dk.fill(0);
    expect(copy.equals(xprv)).toBe(true);
    const dk = new Uint8Array(32).fill(5);
    const k = Xprv.fromParts(1n, dk);
    dk.fill(6);
    expect(toHex(k.dk)).toBe("05".repeat(32));
  });

  it("must fail: wrong lengths give WALLET_INVALID_LENGTH", () => {
    for (const n of [0, 32, 63, 65, 128]) {
      expect(
        codeOf(() => Xprv.fromBytes(new Uint8Array(n))),
        `xprv ${n}`,
      ).toBe(WalletCode.INVALID_LENGTH);
      expect(
        codeOf(() => Xpub.fromBytes(new Uint8Array(n))),
        `xpub ${n}`,
      ).toBe(WalletCode.INVALID_LENGTH);
    }
    expect(codeOf(() => Xprv.fromHex(`${xprv.toHex()}00`))).toBe(WalletCode.INVALID_LENGTH);
    expect(codeOf(() => Xpub.fromHex(xprv.xpub.toHex().slice(2)))).toBe(WalletCode.INVALID_LENGTH);
  });

  it("must fail: non-canonical scalars give WALLET_NONCANONICAL_SCALAR", () => {
    const dk = new Uint8Array(32);
    const le = (v: bigint) => {
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
      return out;
    };
    for (const v of [L, L + 1n, 2n * L, (1n << 255n) - 1n, (1n << 256n) - 1n]) {
      expect(
        codeOf(() => Xprv.fromBytes(concatBytes(le(v), dk))),
        `scalar ${v}`,
      ).toBe(WalletCode.NONCANONICAL_SCALAR);
    }
    // Twin: ℓ − 1 is canonical (see the round-trip test); the same bytes with ℓ fail.
    expect(codeOf(() => Xprv.fromHex(toHex(concatBytes(le(L), xprv.dk))))).toBe(
      WalletCode.NONCANONICAL_SCALAR,
    );
  });

  it("must fail: invalid points give WALLET_INVALID_POINT", () => {
    // RFC 9496 A.2: non-canonical field element, negative s, non-square x², s = −1.
    const bad = [
      "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    for (const hex of bad) {
      expect(
        codeOf(() => Xpub.fromHex(hex + toHex(xprv.dk))),
        hex,
      ).toBe(WalletCode.INVALID_POINT);
    }
    // Twin: the identity (all zeros) is a valid point, as in the reference.
    expect(Xpub.fromHex("00".repeat(64)).key.toHex()).toBe("00".repeat(32));
  });

  it("must fail: malformed hex gives WALLET_INVALID_HEX", () => {
    expect(codeOf(() => Xprv.fromHex("abc"))).toBe(WalletCode.INVALID_HEX);
    expect(codeOf(() => Xpub.fromHex(`zz${"00".repeat(63)}`))).toBe(WalletCode.INVALID_HEX);
  });

  it("API misuse throws TypeError/RangeError naming the parameter", () => {
    expect(() => Xprv.fromBytes("00" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => Xpub.fromBytes([0] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => Xprv.fromSeed("seed" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => Xprv.fromParts(L, new Uint8Array(32))).toThrow(RangeError);
    expect(() => Xprv.fromParts(-1n, new Uint8Array(32))).toThrow(RangeError);
    expect(() => Xprv.fromParts(1n, new Uint8Array(31))).toThrow(RangeError);
    expect(() => u64Selector("i", -1)).toThrow(RangeError);
    expect(() => u64Selector("i", 1n << 64n)).toThrow(RangeError);
  });
});

describe("derivation properties", () => {
  const label = fc.constantFrom("index", "account_id", "chain", "sequence", "invoice_id");
  const selector = fc.oneof(
    fc.record({ label, value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }).map((s) => ({
      describe: `${s.label}=${s.value}`,
      sel: u64Selector(s.label, s.value),
    })),
    fc
      .uint8Array({ maxLength: 40 })
      .map((m) => ({ describe: `msg ${toHex(m)}`, sel: messageSelector("alias", m) })),
  );

  it("the xpub-derived public key equals the public key of the xprv-derived secret (seeded)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(selector, { maxLength: 3 }),
        selector,
        (seed, path, leaf) => {
          let prv = Xprv.fromSeed(seed);
          let pub = Xpub.fromBytes(prv.xpub.toBytes());
          for (const step of path) {
            prv = prv.deriveIntermediate(step.sel);
            pub = pub.deriveIntermediate(step.sel);
            expect(prv.xpub.equals(pub)).toBe(true);
          }
          const secret = prv.deriveLeaf(leaf.sel);
          expect(publicKey(secret).equals(pub.deriveLeaf(leaf.sel))).toBe(true);
          // Round trip of the derived key.
          expect(Xprv.fromBytes(prv.toBytes()).equals(prv)).toBe(true);
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });

  it("leaf and intermediate derivations are domain-separated; selectors matter", () => {
    const root = Xprv.fromSeed(new Uint8Array([1, 2, 3]));
    const sel: Selector = u64Selector("index", 1);
    const child = root.deriveIntermediate(sel);
    const leaf = root.deriveLeaf(sel);
    expect(leaf).not.toBe(child.scalar);
    expect(root.deriveLeaf(u64Selector("index", 2))).not.toBe(leaf);
    expect(root.deriveLeaf(u64Selector("Index", 1))).not.toBe(leaf);
    // Derivation is deterministic.
    expect(root.deriveIntermediate(sel).equals(child)).toBe(true);
    // The dk takes part: same scalar, other dk → other children.
    const other = Xprv.fromParts(root.scalar, new Uint8Array(32));
    expect(other.deriveLeaf(sel)).not.toBe(leaf);
  });
});
