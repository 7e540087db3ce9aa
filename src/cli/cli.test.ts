import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BulletproofGens } from "../crypto/generators.js";
import invalid from "../zkvm/fixtures/zkvm_tx_invalid.json" with { type: "json" };
import valid from "../zkvm/fixtures/zkvm_tx_valid.json" with { type: "json" };
import { cmdTxDecode, cmdTxVerify, parseTxFile, UsageError, verifyOne } from "./txCommands.js";

const gens = BulletproofGens.withCapacity(1024);

describe("zkvm-node tx commands", () => {
  it("accepts the three file shapes", () => {
    const hex = valid.vectors[0]!.tx_hex;
    expect(parseTxFile(JSON.stringify([hex]))).toEqual([{ name: "tx0", hex }]);
    expect(parseTxFile(JSON.stringify([{ name: "a", tx_hex: hex }]))).toEqual([{ name: "a", hex }]);
    expect(parseTxFile(JSON.stringify({ txs: [{ tx_hex: hex }] }))).toEqual([{ name: "tx0", hex }]);
    for (const bad of ["{", "{}", "[1]", '[{"name":"x"}]'])
      expect(() => parseTxFile(bad)).toThrow(UsageError);
  });

  it("reports valid and invalid transactions without throwing", () => {
    const ok = verifyOne({ name: "spend", hex: valid.vectors[0]!.tx_hex }, gens);
    expect(ok).toMatchObject({ name: "spend", valid: true, txid: valid.vectors[0]!.txid, error: null });
    const bad = invalid.vectors.find((v) => v.name === "stack_not_clean")!;
    expect(verifyOne({ name: "bad", hex: bad.tx_hex }, gens)).toMatchObject({
      valid: false,
      txid: null,
      error: "VM_STACK_NOT_CLEAN",
    });
    const sig = invalid.vectors.find((v) => v.name === "tampered_signature_s")!;
    const r = verifyOne({ name: "sig", hex: sig.tx_hex }, gens);
    expect(r.valid).toBe(false);
    expect(r.txid).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyOne({ name: "junk", hex: "zz" }, gens)).toMatchObject({
      valid: false,
      error: "DECODE_INVALID_FORMAT",
    });
  });

  it("verify prints one JSON line per tx and exits 0; decode dumps a tx", () => {
    const dir = mkdtempSync(join(tmpdir(), "zkvm-cli-"));
    const file = join(dir, "txs.json");
    writeFileSync(file, JSON.stringify({ txs: [valid.vectors[4]!.tx_hex, "00"] }));
    const lines: string[] = [];
    expect(cmdTxVerify(file, true, (s) => lines.push(s))).toBe(0);
    expect(lines.map((l) => JSON.parse(l).valid)).toEqual([true, false]);
    const dump: string[] = [];
    cmdTxDecode(valid.vectors[4]!.tx_hex, (s) => dump.push(s));
    expect(dump.join("\n")).toContain(`txid      ${valid.vectors[4]!.txid}`);
    expect(() => cmdTxDecode("00", () => {})).toThrow(UsageError);
  });

  it("the bin exits 2 on unusable input", () => {
    const r = spawnSync(process.execPath, ["bin/zkvm-node.mjs", "tx", "verify", "/nonexistent/file.json"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cannot read");
  });
});
