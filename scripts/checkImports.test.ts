import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script without type declarations
import { checkSource, forbiddenEdge } from "./checkImports.mjs";

const check = checkSource as (rel: string, source: string) => string[];
const edge = forbiddenEdge as (from: string, to: string) => string | null;

describe("import-boundary check (DESIGN.md dependency rules)", () => {
  it("allows downward imports inside the pure core and @noble/*", () => {
    expect(
      check(
        "src/crypto/x.ts",
        `import { Reader } from "../util/reader.js";\nimport { x } from "@noble/curves/ed25519.js";`,
      ),
    ).toEqual([]);
    expect(edge("src/zkvm/vm.ts", "src/bulletproofs/prover.ts")).toBeNull();
  });

  it("rejects upward imports, I/O and clocks in the pure core", () => {
    expect(check("src/util/x.ts", `import { a } from "../crypto/scalar.js";`)).toHaveLength(1);
    expect(check("src/crypto/x.ts", `import { readFileSync } from "node:fs";`)).toHaveLength(1);
    expect(check("src/crypto/x.ts", `import { a } from "../storage/db.js";`)).toHaveLength(1);
    expect(check("src/zkvm/x.ts", "const t = Date.now();")).toHaveLength(1);
    expect(check("src/zkvm/x.ts", "const r = Math.random();")).toHaveLength(1);
    expect(check("src/zkvm/x.ts", "console.log(1);")).toHaveLength(1);
    expect(check("src/zkvm/x.ts", "// Date.now() in a comment is fine")).toEqual([]);
  });

  it("tests in the core may use node built-ins and test libraries", () => {
    expect(
      check("src/crypto/x.test.ts", `import { describe } from "vitest";\nimport fs from "node:fs";`),
    ).toEqual([]);
  });

  it("lets only testnet/ and tools in scripts/ use the testnet launcher", () => {
    expect(edge("scripts/bench/cluster.ts", "testnet/local/launcher.ts")).toBeNull();
    expect(edge("testnet/e2e/x.test.ts", "testnet/local/launcher.ts")).toBeNull();
    expect(edge("src/cli/app.ts", "testnet/local/launcher.ts")).toMatch(/testnet/);
    expect(edge("src/node/node.ts", "testnet/launch.ts")).toMatch(/testnet/);
  });

  it("confines libp2p to network/ and sqlite3 to src/storage/sqlite", () => {
    expect(check("network/host.ts", `import { createLibp2p } from "libp2p";`)).toEqual([]);
    expect(check("consensus/scp/scp.ts", `import { createLibp2p } from "libp2p";`)).toHaveLength(1);
    expect(check("src/storage/sqlite/store.ts", `import sqlite3 from "sqlite3";`)).toEqual([]);
    expect(check("src/api/server.ts", `import sqlite3 from "sqlite3";`)).toHaveLength(1);
  });

  it("keeps SCP abstract and the herder away from network and storage", () => {
    expect(edge("consensus/scp/slot.ts", "src/chain/block.ts")).not.toBeNull();
    expect(edge("consensus/scp/slot.ts", "src/crypto/transcript.ts")).toBeNull();
    expect(edge("consensus/herder/herder.ts", "src/chain/block.ts")).toBeNull();
    expect(edge("consensus/herder/herder.ts", "network/service.ts")).not.toBeNull();
    expect(edge("network/gossip.ts", "src/storage/store.ts")).not.toBeNull();
    expect(edge("src/chain/state.ts", "scripts/bench/x.ts")).not.toBeNull();
  });
});
