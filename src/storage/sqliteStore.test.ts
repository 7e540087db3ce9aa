/**
 * Tests specific to the sqlite store: persistence across reopen, WAL, numbered migrations, and coded
 * errors (never a crash) on damaged, foreign or too-new database files.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasCode } from "../util/codedError.js";
import type { BlockCommit } from "./chainStore.js";
import { StorageCode } from "./errors.js";
import { SqliteDb } from "./sqliteDb.js";
import { MIGRATIONS } from "./sqliteMigrations.js";
import { SqliteChainStore } from "./sqliteStore.js";

const dir = mkdtempSync(join(tmpdir(), "chainstore-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `s${n++}.db`);

const h32 = (s: string): Uint8Array => new Uint8Array(createHash("sha256").update(s).digest());
const block = (height: number, body = 200): BlockCommit => ({
  height,
  id: h32(`id${height}`),
  header: h32(`hdr${height}`),
  block: new Uint8Array(body).fill(height),
  certificate: h32(`cert${height}`),
  utreexoState: h32(`forest${height}`),
  txIndex: [{ txid: h32(`tx${height}`), position: 0 }],
});

async function openErr(opts: Parameters<typeof SqliteChainStore.open>[0]): Promise<unknown> {
  return SqliteChainStore.open(opts).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
}

/** Raw SQL on a store file (to inspect or damage it). */
async function raw<T>(path: string, fn: (db: SqliteDb) => Promise<T>): Promise<T> {
  const db = await SqliteDb.open(path);
  try {
    return await db.serial(() => fn(db));
  } finally {
    await db.close();
  }
}

describe("SqliteChainStore", () => {
  it("keeps everything across close and reopen", async () => {
    const path = fresh();
    const s = await SqliteChainStore.open({ path });
    for (let h = 0; h < 3; h++) await s.commitBlock(block(h));
    await s.putConsensusState(9n, new Uint8Array([9]));
    await s.walletPut("k", new Uint8Array([1, 2]));
    await s.putPeer({ id: "p", address: "a", score: 0.25, lastSeen: 1_700_000_000_000 });
    await s.close();
    const t = await SqliteChainStore.open({ path, integrityCheck: true });
    expect(await t.tip()).toEqual({ height: 2, id: block(2).id });
    expect(await t.getBlockById(block(1).id)).toEqual(block(1).block);
    expect(await t.getCertificate(2)).toEqual(block(2).certificate);
    expect(await t.getUtreexoState()).toEqual({ height: 2, state: block(2).utreexoState });
    expect(await t.getLatestConsensusState()).toEqual({ slot: 9n, state: new Uint8Array([9]) });
    expect(await t.walletGet("k")).toEqual(new Uint8Array([1, 2]));
    expect(await t.getPeer("p")).toEqual({ id: "p", address: "a", score: 0.25, lastSeen: 1_700_000_000_000 });
    await t.commitBlock(block(3));
    await t.close();
  });

  it("uses WAL and records every migration once, numbered 1…n", async () => {
    const path = fresh();
    await (await SqliteChainStore.open({ path })).close();
    await (await SqliteChainStore.open({ path })).close();
    const rows = await raw(path, (db) => db.all("SELECT version, name FROM schema_version ORDER BY version"));
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(await raw(path, (db) => db.get("PRAGMA journal_mode"))).toEqual({ journal_mode: "wal" });
    // Numbering is 1, 2, 3, … with unique names.
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it("upgrades an older schema by applying only the missing migrations", async () => {
    const path = fresh();
    await (await SqliteChainStore.open({ path, migrations: MIGRATIONS.slice(0, 1) })).close();
    expect(await raw(path, (db) => db.get("SELECT max(version) AS v FROM schema_version"))).toEqual({ v: 1 });
    const s = await SqliteChainStore.open({ path });
    await s.walletPut("w", new Uint8Array([1]));
    await s.close();
    expect(await raw(path, (db) => db.get("SELECT max(version) AS v FROM schema_version"))).toEqual({
      v: MIGRATIONS.length,
    });
  });

  it("must-fail: a migration list with a gap in its numbering", async () => {
    const bad = [MIGRATIONS[0]!, { ...MIGRATIONS[1]!, version: 3 }];
    const err = await openErr({ path: fresh(), migrations: bad });
    expect(hasCode(err, StorageCode.BAD_ARGUMENT)).toBe(true);
  });

  it("must-fail: a database written by a newer version", async () => {
    const path = fresh();
    await (await SqliteChainStore.open({ path })).close();
    await raw(path, (db) => db.run("INSERT INTO schema_version (version, name) VALUES (99, 'future')"));
    const err = await openErr({ path });
    expect(hasCode(err, StorageCode.SCHEMA_TOO_NEW)).toBe(true);
  });

  it("must-fail: an SQLite database of another program", async () => {
    const path = fresh();
    await raw(path, (db) => db.run("CREATE TABLE stuff (x INTEGER)"));
    const err = await openErr({ path });
    expect(hasCode(err, StorageCode.FOREIGN_DATABASE)).toBe(true);
  });

  it("must-fail: a file that is not a database", async () => {
    const path = fresh();
    writeFileSync(path, new Uint8Array(8192).fill(0x41));
    const err = await openErr({ path });
    expect(hasCode(err, StorageCode.CORRUPT), String(err)).toBe(true);
  });

  it("must-fail: a database with damaged pages", async () => {
    const path = fresh();
    const s = await SqliteChainStore.open({ path });
    for (let h = 0; h < 40; h++) await s.commitBlock(block(h, 3000));
    await s.close();
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(40 * 3000);
    // Overwrite the middle of the file (b-tree pages) with garbage; keep the 100-byte header.
    const fd = openSync(path, "r+");
    writeSync(fd, new Uint8Array(size - 8192).fill(0x5a), 0, size - 8192, 4096);
    closeSync(fd);
    const err = await openErr({ path, integrityCheck: true });
    expect(hasCode(err, StorageCode.CORRUPT), String(err)).toBe(true);
  });

  it("must-fail: a truncated database file", async () => {
    const path = fresh();
    const s = await SqliteChainStore.open({ path });
    for (let h = 0; h < 20; h++) await s.commitBlock(block(h, 3000));
    await s.close();
    writeFileSync(path, readFileSync(path).subarray(0, 3000));
    const err = await openErr({ path, integrityCheck: true });
    expect(hasCode(err, StorageCode.CORRUPT), String(err)).toBe(true);
  });

  it("must-fail: a tip row that disagrees with the blocks", async () => {
    const path = fresh();
    const s = await SqliteChainStore.open({ path });
    for (let h = 0; h < 3; h++) await s.commitBlock(block(h));
    await s.close();
    await raw(path, (db) => db.run("DELETE FROM blocks WHERE height = 2"));
    const err = await openErr({ path });
    expect(hasCode(err, StorageCode.CORRUPT)).toBe(true);
    expect((err as { meta: { what: string } }).meta.what).toBe("tip does not match blocks");
  });

  it("must-fail: a stored id of the wrong length is reported as corruption on read", async () => {
    const path = fresh();
    const s = await SqliteChainStore.open({ path });
    await s.commitBlock(block(0));
    await s.commitBlock(block(1));
    await s.close();
    await raw(path, async (db) => {
      await db.exec("PRAGMA ignore_check_constraints = ON");
      await db.run("UPDATE blocks SET id = x'0102' WHERE height = 0");
    });
    const t = await SqliteChainStore.open({ path });
    const err = await t.getBlockId(0).catch((e: unknown) => e);
    expect(hasCode(err, StorageCode.CORRUPT)).toBe(true);
    await t.close();
  });

  it("must-fail: a path in a missing directory gives STORAGE_IO", async () => {
    const err = await openErr({ path: join(dir, "no", "such", "dir", "x.db") });
    expect(hasCode(err, StorageCode.IO)).toBe(true);
  });

  it("must-fail: bad open options", async () => {
    expect(hasCode(await openErr({ path: "" }), StorageCode.BAD_ARGUMENT)).toBe(true);
    const sync = "off" as unknown as "full";
    expect(hasCode(await openErr({ path: fresh(), synchronous: sync }), StorageCode.BAD_ARGUMENT)).toBe(true);
  });
});
