import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { seededRng } from "../util/rng.js";
import vectors from "./fixtures/merlin.json" with { type: "json" };
import { encodeScalar } from "./scalar.js";
import { Transcript } from "./transcript.js";

describe("Merlin transcript", () => {
  for (const v of vectors.vectors) {
    it(`reproduces ${v.name}`, () => {
      const t = Transcript.create(v.transcript_label);
      for (const op of v.ops) {
        if (op.op === "append_message") t.appendMessage(op.label, fromHex(op.message_hex!));
        else if (op.op === "append_u64") {
          // The JSON number may exceed 2^53, so the exact u64 is taken from its LE64 hex.
          const bytes = fromHex(op.message_hex!);
          const value = new DataView(bytes.buffer).getBigUint64(0, true);
          expect(Number(value)).toBe(op.value);
          t.appendU64(op.label, value);
        } else if (op.op === "challenge_bytes") {
          expect(toHex(t.challengeBytes(op.label, op.length!))).toBe(op.output_hex);
        } else throw new Error(`unknown op ${op.op}`);
      }
    });
  }

  it("reproduces the challenge scalar example", () => {
    const ex = vectors.challenge_scalar_example;
    const t = Transcript.create(ex.transcript_label);
    for (const a of ex.append) t.appendMessage(a.label, fromHex(a.message_hex));
    expect(toHex(encodeScalar(t.challengeScalar(ex.challenge_label)))).toBe(ex.scalar_hex);
  });

  it("differs when a label, a message or the order differs (must-fail twin)", () => {
    const base = Transcript.create("test protocol").appendMessage("some label", utf8("some data"));
    const expected = vectors.vectors[0]!.ops[1]!.output_hex;
    expect(toHex(base.challengeBytes("challenge", 32))).toBe(expected);
    const wrongLabel = Transcript.create("test protocol").appendMessage("some labeL", utf8("some data"));
    expect(toHex(wrongLabel.challengeBytes("challenge", 32))).not.toBe(expected);
    const wrongProto = Transcript.create("test protocoL").appendMessage("some label", utf8("some data"));
    expect(toHex(wrongProto.challengeBytes("challenge", 32))).not.toBe(expected);
  });

  it("clones are independent", () => {
    const a = Transcript.create("x").appendMessage("m", utf8("1"));
    const b = a.clone();
    b.appendMessage("m", utf8("2"));
    const ca = a.challengeBytes("c", 32);
    const cb = b.challengeBytes("c", 32);
    expect(toHex(ca)).not.toBe(toHex(cb));
    const a2 = Transcript.create("x").appendMessage("m", utf8("1"));
    expect(toHex(a2.challengeBytes("c", 32))).toBe(toHex(ca));
  });

  it("transcript RNG depends on witness, external randomness and transcript, and leaves the transcript intact", () => {
    const t = Transcript.create("rng test").appendMessage("pub", utf8("public"));
    const draw = (tr: Transcript, witness: string, seed: string) => {
      const rng = tr.buildRng().rekeyWithWitnessBytes("w", utf8(witness)).finalize(seededRng(seed));
      const out = new Uint8Array(48);
      rng.fillBytes(out);
      return toHex(out);
    };
    const r1 = draw(t, "secret", "seed");
    expect(draw(t, "secret", "seed")).toBe(r1);
    expect(draw(t, "secreT", "seed")).not.toBe(r1);
    expect(draw(t, "secret", "seeD")).not.toBe(r1);
    expect(draw(Transcript.create("rng test"), "secret", "seed")).not.toBe(r1);
    const fresh = Transcript.create("rng test").appendMessage("pub", utf8("public"));
    expect(toHex(t.challengeBytes("c", 32))).toBe(toHex(fresh.challengeBytes("c", 32)));
  });
});

describe("Keccak-f[1600]", () => {
  it("equals noble's keccakP on random states", async () => {
    const { keccakP } = await import("@noble/hashes/sha3.js");
    const { keccakF1600 } = await import("./keccak.js");
    const rng = seededRng("keccak");
    for (let i = 0; i < 50; i++) {
      const a = new Uint32Array(50);
      rng.fillBytes(new Uint8Array(a.buffer));
      const b = a.slice();
      keccakP(a);
      keccakF1600(b);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });
});
