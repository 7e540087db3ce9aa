import { describe, expect, it } from "vitest";
import { CompressedPoint } from "../crypto/ristretto.js";
import { fromHex, toHex } from "../util/bytes.js";
import { hasCode } from "../util/codedError.js";
import { DecodeCode } from "../util/errors.js";
import { Contract, type PortableItem, ratchetAnchor } from "./contract.js";
import { VmCode } from "./errors.js";
import chain from "./fixtures/blockchain.json" with { type: "json" };
import invalid from "./fixtures/zkvm_tx_invalid.json" with { type: "json" };
import valid from "./fixtures/zkvm_tx_valid.json" with { type: "json" };
import { decodeTx, encodeTx, witnessHash } from "./tx.js";
import { computeTxid, type TxEntry } from "./txlog.js";

type VectorEntry = (typeof valid.vectors)[number]["txlog"][number];

function entryFromVector(e: VectorEntry): TxEntry {
  const x = e as Record<string, unknown>;
  switch (e.type) {
    case "header":
      // u64::MAX does not survive JSON as a JS number: the only values used are 0, 1, u64::MAX and ms times.
      return {
        type: "header",
        header: {
          version: BigInt(x.version as number),
          mintime: bigU64(x.mintime_ms as number),
          maxtime: bigU64(x.maxtime_ms as number),
        },
      };
    case "input":
      return { type: "input", contractId: fromHex(x.contract_id as string) };
    case "output":
      return { type: "output", contract: Contract.decode(fromHex(x.contract_hex as string)) };
    case "issue":
      return { type: "issue", qty: cp(x.qty_commitment as string), flv: cp(x.flv_commitment as string) };
    case "retire":
      return { type: "retire", qty: cp(x.qty_commitment as string), flv: cp(x.flv_commitment as string) };
    case "data":
      return { type: "data", data: fromHex(x.data_hex as string) };
    default:
      throw new Error(`unknown entry ${e.type}`);
  }
}

function bigU64(n: number): bigint {
  return n >= 2 ** 64 ? (1n << 64n) - 1n : BigInt(n);
}

function cp(hex: string): CompressedPoint {
  return new CompressedPoint(fromHex(hex, 32));
}

describe("ZkVM data layer against the reference vectors", () => {
  for (const v of valid.vectors) {
    it(`${v.name}: tx decodes and re-encodes, header matches`, () => {
      const bytes = fromHex(v.tx_hex);
      const tx = decodeTx(bytes);
      expect(toHex(encodeTx(tx))).toBe(v.tx_hex);
      expect(toHex(tx.program)).toBe(v.program_hex);
      expect(toHex(tx.signature.encode())).toBe(v.signature_hex);
      expect(tx.header.version).toBe(BigInt(v.header.version));
      expect(bytes.length).toBe(v.tx_size);
    });

    it(`${v.name}: input and output contract ids`, () => {
      for (const input of v.inputs) {
        const c = Contract.decode(fromHex(input.utxo_hex));
        expect(toHex(c.id())).toBe(input.contract_id);
        expect(toHex(c.anchor)).toBe(input.anchor);
        expect(toHex(c.encode())).toBe(input.utxo_hex);
      }
      for (const output of v.outputs) {
        const c = Contract.decode(fromHex(output.contract_hex));
        expect(toHex(c.id())).toBe(output.contract_id);
        expect(toHex(c.predicate.bytes)).toBe(output.predicate);
      }
    });

    it(`${v.name}: txid from the recorded txlog`, () => {
      const log = v.txlog.map(entryFromVector);
      expect(toHex(computeTxid(log))).toBe(v.txid);
    });
  }

  it("outputs anchor on the previous contract id and inputs ratchet theirs", () => {
    const v = valid.vectors.find((x) => x.name === "spend_1_1")!;
    const inputId = fromHex(v.inputs[0]!.contract_id);
    // The first output of a tx whose first anchor-setting instruction is `input` is anchored on the ratchet.
    expect(toHex(ratchetAnchor(inputId))).toBe(v.outputs[0]!.anchor);
  });

  it("a changed payload, predicate or anchor changes the contract id (must-fail twin)", () => {
    const v = valid.vectors[0]!;
    const c = Contract.decode(fromHex(v.inputs[0]!.utxo_hex));
    const other = new Contract(c.anchor, c.predicate, [{ kind: "string", bytes: Uint8Array.of(1) }]);
    expect(toHex(other.id())).not.toBe(v.inputs[0]!.contract_id);
    const anchor = c.anchor.slice();
    anchor[0]! ^= 1;
    expect(toHex(new Contract(anchor, c.predicate, c.payload).id())).not.toBe(v.inputs[0]!.contract_id);
  });

  it("output structures round-trip with every item kind", () => {
    const payload: PortableItem[] = [
      { kind: "string", bytes: Uint8Array.of(1, 2, 3) },
      { kind: "program", bytes: new Uint8Array(0) },
      { kind: "value", qty: cp("11".repeat(32)), flv: cp("22".repeat(32)) },
    ];
    const c = new Contract(new Uint8Array(32).fill(9), cp("33".repeat(32)), payload);
    const back = Contract.decode(c.encode());
    expect(back.equals(c)).toBe(true);
    expect(c.encode().length).toBe(c.encodedSize());
  });

  it("negative table: malformed output structures", () => {
    const good = Contract.decode(fromHex(valid.vectors[0]!.inputs[0]!.utxo_hex)).encode();
    const table: [string, Uint8Array, string][] = [
      ["truncated", good.slice(0, good.length - 1), DecodeCode.UNEXPECTED_END],
      ["trailing", Uint8Array.of(...good, 0), DecodeCode.TRAILING_BYTES],
      [
        "bad item tag",
        (() => {
          const b = good.slice();
          b[68] = 7;
          return b;
        })(),
        DecodeCode.INVALID_TAG,
      ],
      [
        "count too large",
        (() => {
          const b = good.slice();
          b[64] = 0xff;
          return b;
        })(),
        DecodeCode.LENGTH_TOO_LARGE,
      ],
      ["empty", new Uint8Array(0), DecodeCode.UNEXPECTED_END],
    ];
    for (const [name, bytes, code] of table) {
      let err: unknown;
      try {
        Contract.decode(bytes);
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, code), name).toBe(true);
    }
  });

  it("decode-stage invalid vectors are rejected with VM_INVALID_FORMAT", () => {
    for (const v of invalid.vectors.filter((x) => x.failure_stage === "decode")) {
      let err: unknown;
      try {
        decodeTx(fromHex(v.tx_hex));
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, VmCode.INVALID_FORMAT), v.name).toBe(true);
      expect(v.expected_error).toBe("InvalidFormat");
    }
  });

  it("reproduces the witness hashes of the reference block's transactions", () => {
    expect(chain.block2.txs.length).toBeGreaterThan(0);
    for (const t of chain.block2.txs) {
      expect(toHex(witnessHash(fromHex(t.block_tx_hex)))).toBe(t.witness_hash);
      // Must-fail twin: the bare tx without its utreexo proofs hashes differently.
      expect(t.block_tx_hex.length).toBeGreaterThan(t.tx_hex.length);
      expect(toHex(witnessHash(fromHex(t.tx_hex)))).not.toBe(t.witness_hash);
    }
  });

  it("rejects transactions over the size cap", () => {
    const tx = fromHex(valid.vectors[0]!.tx_hex);
    expect(() => decodeTx(tx, tx.length - 1)).toThrowError(
      expect.objectContaining({ code: VmCode.INVALID_FORMAT }),
    );
  });
});
