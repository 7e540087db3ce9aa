/**
 * ZkVM transaction verification with the native MSM backend (src/crypto/msm/native.ts) on the
 * reference vectors, single and batched, plus must-fail twins. Lives in scripts/ because it spans
 * layers (src/crypto/msm and src/zkvm). Skipped, with the loader's reason, when the addon is not
 * built; the JS backend is covered by src/zkvm/verifier.test.ts either way.
 */
import { describe, expect, it } from "vitest";
import { BulletproofGens } from "../src/crypto/generators.js";
import { PackedScalars, scalarArray } from "../src/crypto/msm/backend.js";
import { setSecretMsmKernel } from "../src/crypto/msm/index.js";
import { loadNativeBackend, loadNativeSecretMsm, selectMsmBackend } from "../src/crypto/msm/native.js";
import { CompressedPoint, type Point } from "../src/crypto/ristretto.js";
import { randomScalar } from "../src/crypto/scalar.js";
import { publicKey } from "../src/crypto/starsig.js";
import { fromHex, toHex } from "../src/util/bytes.js";
import type { CodedError } from "../src/util/codedError.js";
import { seededRng } from "../src/util/rng.js";
import { makeUtxo, TxBuilder } from "../src/zkvm/builder.js";
import { REFERENCE_ERROR, VmCode } from "../src/zkvm/errors.js";
import invalid from "../src/zkvm/fixtures/zkvm_tx_invalid.json" with { type: "json" };
import valid from "../src/zkvm/fixtures/zkvm_tx_valid.json" with { type: "json" };
import { encodeTx } from "../src/zkvm/tx.js";
import {
  DEFAULT_BP_CAPACITY,
  precomputeTxBytes,
  txStatements,
  verifyBatch,
  verifyPrecomputed,
  verifyTx,
} from "../src/zkvm/verifier.js";

const rng = seededRng("nativeZkvm.test");
const native = loadNativeBackend();
const why = native === undefined ? ` — skipped: ${selectMsmBackend({}).reason}` : "";

describe.skipIf(native === undefined)(`ZkVM verification with the native MSM backend${why}`, () => {
  const backend = native!;

  it("verifies every reference transaction (verifyPrecomputed, backend = native)", () => {
    expect(backend.name).toBe("native");
    for (const v of valid.vectors) {
      const p = precomputeTxBytes(fromHex(v.tx_hex));
      const verified = verifyPrecomputed(p, { rng, backend });
      expect(toHex(verified.txid)).toBe(v.txid);
      expect(verified.fee).toBe(BigInt(v.fee));
    }
  });

  it("verifies all reference transactions in one batch and isolates a bad one", () => {
    const txs = valid.vectors.map((v) => precomputeTxBytes(fromHex(v.tx_hex)));
    expect(verifyBatch(txs, { rng, backend }).every((r) => r.ok)).toBe(true);
    const bad = invalid.vectors.find((x) => x.name === "tampered_signature_s")!;
    const hexes = [valid.vectors[0]!.tx_hex, bad.tx_hex, valid.vectors[1]!.tx_hex];
    const results = verifyBatch(
      hexes.map((h) => precomputeTxBytes(fromHex(h))),
      { rng, backend },
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const r1 = results[1]!;
    expect(r1.ok ? undefined : r1.error.code).toBe(VmCode.SIGNATURE_VERIFICATION_FAILED);
  });

  it("native scalar kernels build exactly the JS R1CS statement for every reference transaction", () => {
    const gens = BulletproofGens.withCapacity(DEFAULT_BP_CAPACITY);
    expect(backend.kernels).toBeDefined();
    for (const v of valid.vectors) {
      const [withKernels, plain] = [backend.kernels, undefined].map((kernels) => {
        const p = precomputeTxBytes(fromHex(v.tx_hex));
        return txStatements(p, gens, seededRng(`same ${v.name}`), kernels).r1cs;
      });
      expect(withKernels!.fixed![0]!.scalars).toBeInstanceOf(PackedScalars);
      expect(withKernels!.b).toBe(plain!.b);
      expect(withKernels!.b2).toBe(plain!.b2);
      expect(withKernels!.scalars).toEqual(plain!.scalars);
      const bytesOf = (q: Point | CompressedPoint): Uint8Array =>
        q instanceof CompressedPoint ? q.bytes : q.toBytes();
      expect(withKernels!.points.map(bytesOf)).toEqual(plain!.points.map(bytesOf));
      expect(withKernels!.fixed!.length).toBe(plain!.fixed!.length);
      withKernels!.fixed!.forEach((t, i) => {
        expect(t.bases).toBe(plain!.fixed![i]!.bases);
        expect(scalarArray(t.scalars)).toEqual(scalarArray(plain!.fixed![i]!.scalars));
      });
    }
  });

  it("a tampered proof fails with the native kernels too (VM_INVALID_R1CS_PROOF)", () => {
    const v = invalid.vectors.find((x) => x.name === "tampered_proof_byte")!;
    expect(v.expected_error).toBe(REFERENCE_ERROR[VmCode.INVALID_R1CS_PROOF]);
    let err: unknown;
    try {
      verifyTx(fromHex(v.tx_hex), { rng, backend });
    } catch (e) {
      err = e;
    }
    expect((err as CodedError).code).toBe(VmCode.INVALID_R1CS_PROOF);
  });

  it("rejects the reference's invalid transactions with the same errors as the JS backend", () => {
    for (const v of invalid.vectors) {
      if (v.name === "mintime_eq_reference_verifier_quirk") continue; // verifies by design (README)
      let err: unknown;
      try {
        verifyTx(fromHex(v.tx_hex), { rng, backend });
      } catch (e) {
        err = e;
      }
      expect(err, v.name).toBeDefined();
      expect(REFERENCE_ERROR[(err as CodedError).code as VmCode], v.name).toBe(v.expected_error);
    }
  });
});

describe.skipIf(native === undefined)(`proving with the native constant-time MSM${why}`, () => {
  it("gives byte-identical proofs to the JavaScript prover for the same randomness, and they verify", () => {
    const secret = loadNativeSecretMsm();
    expect(secret).toBeDefined();
    const build = (): Uint8Array => {
      const r = seededRng("ct prover differential");
      const alice = randomScalar(r);
      const bob = publicKey(randomScalar(r));
      const b = new TxBuilder({ rng: r });
      for (let i = 0; i < 2; i++) {
        const anchor = new Uint8Array(32).fill(i + 1);
        b.spend(
          makeUtxo(anchor, publicKey(alice), {
            qty: 7n + BigInt(i),
            flavor: 3n,
            qtyBlinding: randomScalar(r),
            flvBlinding: randomScalar(r),
          }),
          alice,
        );
      }
      b.cloakTo([
        { qty: 10n, flavor: 3n, predicate: bob },
        { qty: 5n, flavor: 3n, predicate: bob },
      ]);
      return encodeTx(b.build().tx);
    };
    setSecretMsmKernel(undefined);
    const js = build();
    setSecretMsmKernel(secret);
    let nat: Uint8Array;
    try {
      nat = build();
    } finally {
      setSecretMsmKernel(undefined);
    }
    expect(toHex(nat)).toBe(toHex(js));
    expect(verifyPrecomputed(precomputeTxBytes(nat), { rng, backend: native! }).fee).toBe(0n);
    // must-fail twin: the kernel refuses mismatched inputs instead of computing garbage
    expect(() => secret!.msm([], [1n])).toThrow();
  });
});
