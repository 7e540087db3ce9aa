/**
 * The durable `ChainStore`, on SQLite through the `sqlite3` package.
 *
 * Durability design:
 * - journal_mode=WAL: readers never block the writer, and a commit appends to the WAL only.
 * - synchronous=FULL (default): the WAL is fsynced at every COMMIT, so a block (or an SCP state) whose
 *   promise resolved survives a process kill *and* a power loss or OS crash. `synchronous: "normal"`
 *   is offered for tests and benchmarks: with WAL it still survives any process crash (SIGKILL), and the
 *   database is never corrupted, but the last commits before a power loss may roll back.
 * - `commitBlock` is one BEGIN IMMEDIATE … COMMIT transaction holding block, header, certificate, tx
 *   index, tip row and forest snapshot, so after any crash the store reopens at some committed block with
 *   everything of that block and nothing of a later one. Open checks that tip row and blocks agree.
 * - Schema: numbered migrations (./sqliteMigrations.ts) recorded in `schema_version`.
 * - A file that is not a database, is damaged, was written by another program, or by a newer version of
 *   this one gives a coded error on open (STORAGE_CORRUPT, STORAGE_FOREIGN_DATABASE,
 *   STORAGE_SCHEMA_TOO_NEW), never a crash.
 *
 * Spec: /work/shared/DESIGN.md, "src/storage"; SQLite WAL: https://www.sqlite.org/wal.html.
 */
import {
  type BlockCommit,
  type ChainStore,
  type ConsensusRecord,
  checkBytes,
  checkCommit,
  checkId,
  checkIndex,
  checkKey,
  checkNextHeight,
  checkPeer,
  checkSlot,
  ID_LENGTH,
  type PeerRecord,
  type Tip,
  type TxLocation,
  type UtreexoSnapshot,
} from "./chainStore.js";
import { StorageCode, StorageError } from "./errors.js";
import { isConstraintError, SqliteDb, type SqlParam, type SqlRow, wrapEngineError } from "./sqliteDb.js";
import { MIGRATIONS, type Migration } from "./sqliteMigrations.js";

/** Options of `SqliteChainStore.open`. */
export interface SqliteStoreOptions {
  /** Path of the database file (created if missing; `-wal` and `-shm` files live beside it). */
  readonly path: string;
  /** `"full"` (default): durable across power loss. `"normal"`: durable across process crashes only. */
  readonly synchronous?: "full" | "normal";
  /** Run `PRAGMA quick_check` on open (reads the whole file; off by default). */
  readonly integrityCheck?: boolean;
  /** Milliseconds to wait for a lock held by another connection (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Schema steps to apply (tests only; defaults to the real list). */
  readonly migrations?: readonly Migration[];
}

/** Rows per multi-row INSERT of the tx index (3 parameters each, well under SQLite's limit). */
const TX_CHUNK = 256;

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function corrupt(what: string): StorageError {
  return new StorageError(StorageCode.CORRUPT, { what });
}

/** A BLOB column of a row, or STORAGE_CORRUPT if it is not one (or has the wrong length). */
function blob(row: SqlRow, col: string, length?: number): Uint8Array {
  const v = row[col];
  if (!Buffer.isBuffer(v)) throw corrupt(`column ${col}`);
  if (length !== undefined && v.length !== length) throw corrupt(`column ${col} length`);
  return u8(v);
}

/** An integer column of a row, or STORAGE_CORRUPT. */
function int(row: SqlRow, col: string): number {
  const v = row[col];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw corrupt(`column ${col}`);
  return v;
}

function str(row: SqlRow, col: string): string {
  const v = row[col];
  if (typeof v !== "string") throw corrupt(`column ${col}`);
  return v;
}

/** u64 slot as 8 big-endian bytes (byte order = numeric order). */
function slotKey(slot: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, slot, false);
  return b;
}

function slotOf(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, false);
}

/** Number of Unicode code points (SQLite's length/substr count characters, not UTF-16 units). */
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** The sqlite implementation of `ChainStore`. Open with `SqliteChainStore.open`. */
export class SqliteChainStore implements ChainStore {
  readonly kind = "sqlite" as const;

  private constructor(private readonly db: SqliteDb) {}

  /**
   * Opens or creates the store at `opts.path`: sets WAL and the sync level, applies missing migrations,
   * and checks that the tip agrees with the stored blocks.
   * Errors: STORAGE_CORRUPT, STORAGE_FOREIGN_DATABASE, STORAGE_SCHEMA_TOO_NEW, STORAGE_IO.
   */
  static async open(opts: SqliteStoreOptions): Promise<SqliteChainStore> {
    if (typeof opts?.path !== "string" || opts.path.length === 0)
      throw new StorageError(StorageCode.BAD_ARGUMENT, { what: "path", expected: "a non-empty string" });
    const sync = opts.synchronous ?? "full";
    if (sync !== "full" && sync !== "normal")
      throw new StorageError(StorageCode.BAD_ARGUMENT, { what: "synchronous", expected: "full | normal" });
    const busy = checkIndex("busyTimeoutMs", opts.busyTimeoutMs ?? 5000);
    const db = await SqliteDb.open(opts.path);
    try {
      await db.serial(async () => {
        const mode = await db.get("PRAGMA journal_mode=WAL");
        if (mode?.["journal_mode"] !== "wal")
          throw new StorageError(StorageCode.IO, { what: "WAL unavailable" });
        await db.exec(
          `PRAGMA synchronous=${sync === "full" ? "FULL" : "NORMAL"}; PRAGMA busy_timeout=${busy};`,
        );
        if (opts.integrityCheck === true) {
          const rows = await db.all("PRAGMA quick_check");
          if (rows.length !== 1 || rows[0]!["quick_check"] !== "ok") throw corrupt("quick_check");
        }
        await migrate(db, opts.migrations ?? MIGRATIONS);
        await checkConsistency(db);
      });
      return new SqliteChainStore(db);
    } catch (e) {
      await db.close().catch(() => undefined);
      throw wrapEngineError(e, "open", opts.path);
    }
  }

  async commitBlock(b: BlockCommit): Promise<void> {
    checkCommit(b);
    await this.db.serial(() =>
      this.db.transaction(async () => {
        checkNextHeight(await this.readTip(), b.height);
        try {
          await this.db.run(
            "INSERT INTO blocks (height, id, header, certificate, body) VALUES (?, ?, ?, ?, ?)",
            [b.height, b.id, b.header, b.certificate ?? null, b.block],
          );
        } catch (e) {
          throw isConstraintError(e)
            ? new StorageError(StorageCode.DUPLICATE, { what: "block id", height: b.height }, { cause: e })
            : e;
        }
        for (let i = 0; i < b.txIndex.length; i += TX_CHUNK) {
          const chunk = b.txIndex.slice(i, i + TX_CHUNK);
          const params: SqlParam[] = [];
          for (const e of chunk) params.push(e.txid, b.height, e.position);
          try {
            await this.db.run(
              `INSERT INTO txs (txid, height, position) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
              params,
            );
          } catch (e) {
            throw isConstraintError(e)
              ? new StorageError(StorageCode.DUPLICATE, { what: "txid", height: b.height }, { cause: e })
              : e;
          }
        }
        await this.db.run("INSERT OR REPLACE INTO tip (one, height, id, utreexo) VALUES (1, ?, ?, ?)", [
          b.height,
          b.id,
          b.utreexoState,
        ]);
      }),
    );
  }

  private async readTip(): Promise<Tip | undefined> {
    const row = await this.db.get("SELECT height, id FROM tip WHERE one = 1");
    return row === undefined ? undefined : { height: int(row, "height"), id: blob(row, "id", ID_LENGTH) };
  }

  tip(): Promise<Tip | undefined> {
    return this.db.serial(() => this.readTip());
  }

  baseHeight(): Promise<number | undefined> {
    return this.db.serial(async () => {
      const row = await this.db.get("SELECT min(height) AS h FROM blocks");
      return row === undefined || row["h"] === null ? undefined : int(row, "h");
    });
  }

  /** One BLOB column of the block row selected by `where`. */
  private column(
    col: string,
    where: "height" | "id",
    key: SqlParam,
    length?: number,
  ): Promise<Uint8Array | undefined> {
    return this.db.serial(async () => {
      const row = await this.db.get(`SELECT ${col} AS v FROM blocks WHERE ${where} = ?`, [key]);
      if (row === undefined || (col === "certificate" && row["v"] === null)) return undefined;
      return blob(row, "v", length);
    });
  }

  async getBlockByHeight(height: number): Promise<Uint8Array | undefined> {
    return this.column("body", "height", checkIndex("height", height));
  }

  async getBlockById(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.column("body", "id", checkId("id", id));
  }

  async getHeaderByHeight(height: number): Promise<Uint8Array | undefined> {
    return this.column("header", "height", checkIndex("height", height));
  }

  async getHeaderById(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.column("header", "id", checkId("id", id));
  }

  async getHeaders(from: number, count: number): Promise<Uint8Array[]> {
    checkIndex("from", from);
    checkIndex("count", count);
    if (count === 0) return [];
    const rows = await this.db.serial(() =>
      this.db.all("SELECT header FROM blocks WHERE height >= ? AND height <= ? ORDER BY height", [
        from,
        Math.min(Number.MAX_SAFE_INTEGER, from + count - 1),
      ]),
    );
    return rows.map((r) => blob(r, "header"));
  }

  async getBlockId(height: number): Promise<Uint8Array | undefined> {
    return this.column("id", "height", checkIndex("height", height), ID_LENGTH);
  }

  async getHeightOf(id: Uint8Array): Promise<number | undefined> {
    checkId("id", id);
    const row = await this.db.serial(() => this.db.get("SELECT height FROM blocks WHERE id = ?", [id]));
    return row === undefined ? undefined : int(row, "height");
  }

  async getTxLocation(txid: Uint8Array): Promise<TxLocation | undefined> {
    checkId("txid", txid);
    const row = await this.db.serial(() =>
      this.db.get(
        "SELECT t.height AS height, t.position AS position, b.id AS id FROM txs t JOIN blocks b ON b.height = t.height WHERE t.txid = ?",
        [txid],
      ),
    );
    if (row === undefined) return undefined;
    return {
      height: int(row, "height"),
      blockId: blob(row, "id", ID_LENGTH),
      position: int(row, "position"),
    };
  }

  async putCertificate(height: number, certificate: Uint8Array): Promise<void> {
    checkIndex("height", height);
    checkBytes("certificate", certificate);
    const changed = await this.db.serial(() =>
      this.db.run("UPDATE blocks SET certificate = ? WHERE height = ?", [certificate, height]),
    );
    if (changed === 0) throw new StorageError(StorageCode.NOT_FOUND, { what: "block", height });
  }

  async getCertificate(height: number): Promise<Uint8Array | undefined> {
    return this.column("certificate", "height", checkIndex("height", height));
  }

  async getUtreexoState(): Promise<UtreexoSnapshot | undefined> {
    const row = await this.db.serial(() => this.db.get("SELECT height, utreexo FROM tip WHERE one = 1"));
    return row === undefined ? undefined : { height: int(row, "height"), state: blob(row, "utreexo") };
  }

  async putConsensusState(slot: bigint, state: Uint8Array): Promise<void> {
    checkSlot("slot", slot);
    checkBytes("state", state);
    await this.db.serial(() =>
      this.db.run("INSERT OR REPLACE INTO consensus (slot, state) VALUES (?, ?)", [slotKey(slot), state]),
    );
  }

  async getLatestConsensusState(): Promise<ConsensusRecord | undefined> {
    const row = await this.db.serial(() =>
      this.db.get("SELECT slot, state FROM consensus ORDER BY slot DESC LIMIT 1"),
    );
    return row === undefined ? undefined : { slot: slotOf(blob(row, "slot", 8)), state: blob(row, "state") };
  }

  async getConsensusState(slot: bigint): Promise<Uint8Array | undefined> {
    checkSlot("slot", slot);
    const row = await this.db.serial(() =>
      this.db.get("SELECT state FROM consensus WHERE slot = ?", [slotKey(slot)]),
    );
    return row === undefined ? undefined : blob(row, "state");
  }

  async pruneConsensusState(belowSlot: bigint): Promise<number> {
    checkSlot("belowSlot", belowSlot);
    return this.db.serial(() => this.db.run("DELETE FROM consensus WHERE slot < ?", [slotKey(belowSlot)]));
  }

  async walletPut(key: string, value: Uint8Array): Promise<void> {
    checkKey("key", key);
    checkBytes("value", value);
    await this.db.serial(() =>
      this.db.run("INSERT OR REPLACE INTO wallet (key, value) VALUES (?, ?)", [key, value]),
    );
  }

  async walletGet(key: string): Promise<Uint8Array | undefined> {
    checkKey("key", key);
    const row = await this.db.serial(() => this.db.get("SELECT value FROM wallet WHERE key = ?", [key]));
    return row === undefined ? undefined : blob(row, "value");
  }

  async walletDelete(key: string): Promise<boolean> {
    checkKey("key", key);
    return (await this.db.serial(() => this.db.run("DELETE FROM wallet WHERE key = ?", [key]))) > 0;
  }

  async walletKeys(prefix = ""): Promise<string[]> {
    if (typeof prefix !== "string") throw new TypeError("prefix must be a string");
    const rows = await this.db.serial(() =>
      this.db.all("SELECT key FROM wallet WHERE substr(key, 1, ?) = ? ORDER BY key", [
        codePoints(prefix),
        prefix,
      ]),
    );
    return rows.map((r) => str(r, "key"));
  }

  async putPeer(peer: PeerRecord): Promise<void> {
    const p = checkPeer(peer);
    await this.db.serial(() =>
      this.db.run("INSERT OR REPLACE INTO peers (id, address, score, last_seen) VALUES (?, ?, ?, ?)", [
        p.id,
        p.address,
        p.score,
        p.lastSeen,
      ]),
    );
  }

  private static peerOf(row: SqlRow): PeerRecord {
    const score = row["score"];
    if (typeof score !== "number") throw corrupt("column score");
    return { id: str(row, "id"), address: str(row, "address"), score, lastSeen: int(row, "last_seen") };
  }

  async getPeer(id: string): Promise<PeerRecord | undefined> {
    checkKey("id", id);
    const row = await this.db.serial(() => this.db.get("SELECT * FROM peers WHERE id = ?", [id]));
    return row === undefined ? undefined : SqliteChainStore.peerOf(row);
  }

  async listPeers(): Promise<PeerRecord[]> {
    const rows = await this.db.serial(() => this.db.all("SELECT * FROM peers ORDER BY score DESC, id"));
    return rows.map(SqliteChainStore.peerOf);
  }

  async deletePeer(id: string): Promise<boolean> {
    checkKey("id", id);
    return (await this.db.serial(() => this.db.run("DELETE FROM peers WHERE id = ?", [id]))) > 0;
  }

  /** Waits for pending work, checkpoints the WAL and closes the file. Idempotent. */
  close(): Promise<void> {
    return this.db.close();
  }
}

/** The schema version of an open database (0 if fresh), after checking it is ours. */
async function schemaVersion(db: SqliteDb): Promise<number> {
  const tables = (await db.all("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r["name"]);
  if (tables.length === 0) return 0;
  if (!tables.includes("schema_version"))
    throw new StorageError(StorageCode.FOREIGN_DATABASE, { what: "no schema_version table", path: db.path });
  const row = await db.get("SELECT max(version) AS v FROM schema_version");
  return row === undefined || row["v"] === null ? 0 : int(row, "v");
}

/** Applies the migrations above the stored version, each in its own transaction. */
async function migrate(db: SqliteDb, migrations: readonly Migration[]): Promise<void> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new StorageError(StorageCode.BAD_ARGUMENT, { what: "migration numbering", version: m.version });
  });
  const current = await schemaVersion(db);
  if (current > migrations.length)
    throw new StorageError(StorageCode.SCHEMA_TOO_NEW, {
      version: current,
      expected: migrations.length,
      path: db.path,
    });
  for (const m of migrations.slice(current))
    await db.transaction(async () => {
      await db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
      );
      await db.exec(m.sql);
      await db.run("INSERT INTO schema_version (version, name) VALUES (?, ?)", [m.version, m.name]);
    });
}

/** Checks that the tip row names the highest stored block and that heights are contiguous. */
async function checkConsistency(db: SqliteDb): Promise<void> {
  const tip = await db.get("SELECT height, id FROM tip WHERE one = 1");
  const range = await db.get("SELECT min(height) AS lo, max(height) AS hi, count(*) AS n FROM blocks");
  const n = range === undefined ? 0 : int(range, "n");
  if (tip === undefined) {
    if (n !== 0) throw corrupt("blocks without a tip");
    return;
  }
  const lo = int(range!, "lo");
  const hi = int(range!, "hi");
  if (hi !== int(tip, "height") || hi - lo + 1 !== n) throw corrupt("tip does not match blocks");
  const top = await db.get("SELECT id FROM blocks WHERE height = ?", [hi]);
  if (top === undefined || !blob(top, "id", ID_LENGTH).every((x, i) => x === blob(tip, "id", ID_LENGTH)[i]))
    throw corrupt("tip id");
}
