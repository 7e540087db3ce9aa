/**
 * A small promise layer over the callback-based `sqlite3` package: one connection, one queue. Every
 * unit of work runs through `serial`, so a transaction's statements never interleave with another
 * caller's. Engine errors become `StorageError`s: damaged/not-a-database files give STORAGE_CORRUPT,
 * constraint violations keep the engine code (the store maps them), anything else is STORAGE_IO.
 *
 * This is the only module that imports sqlite3 (DESIGN.md rule 4; scripts/checkImports.mjs).
 */
import sqlite3 from "sqlite3";
import { StorageCode, StorageError } from "./errors.js";

/** A bound parameter: SQLite values as JS values (bytes become BLOBs). */
export type SqlParam = number | string | Uint8Array | null;
/** A result row: column name → value (BLOBs come back as `Buffer`). */
export type SqlRow = Record<string, unknown>;

/** The engine error code (e.g. `SQLITE_NOTADB`) of a sqlite3 error, if any. */
function engineCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

/** True if the engine reported a constraint violation (UNIQUE, PRIMARY KEY, CHECK…). */
export function isConstraintError(e: unknown): boolean {
  return (
    e instanceof StorageError &&
    e.code === StorageCode.IO &&
    (e.meta.engineCode ?? "") === "SQLITE_CONSTRAINT"
  );
}

/** Wraps an engine error into a `StorageError` with a code. */
export function wrapEngineError(e: unknown, what: string, path?: string): StorageError {
  if (e instanceof StorageError) return e;
  const ec = engineCode(e) ?? "unknown";
  const code = ec === "SQLITE_NOTADB" || ec === "SQLITE_CORRUPT" ? StorageCode.CORRUPT : StorageCode.IO;
  const meta = path === undefined ? { what, engineCode: ec } : { what, engineCode: ec, path };
  return new StorageError(code, meta, { cause: e });
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const bind = (params: readonly SqlParam[]): unknown[] =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? asBuffer(p) : p));

/** One open sqlite3 connection with a serial work queue. */
export class SqliteDb {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: sqlite3.Database,
    /** Path of the database file. */
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the database file at `path`. */
  static open(path: string): Promise<SqliteDb> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(path, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => {
        if (err) reject(wrapEngineError(err, "open", path));
        else resolve(new SqliteDb(db, path));
      });
    });
  }

  /**
   * Runs `fn` alone on the connection: queued behind earlier work, and later work waits for it.
   * A rejected unit does not block the queue.
   */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError(StorageCode.CLOSED, {}));
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Executes one statement; resolves to the number of rows changed. */
  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, bind(params), function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(wrapEngineError(err, sql.slice(0, 40)));
        else resolve(this.changes);
      });
    });
  }

  /** The first row of a query, or undefined. */
  get(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, bind(params), (err: Error | null, row: SqlRow | undefined) => {
        if (err) reject(wrapEngineError(err, sql.slice(0, 40)));
        else resolve(row);
      });
    });
  }

  /** All rows of a query. */
  all(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, bind(params), (err: Error | null, rows: SqlRow[]) => {
        if (err) reject(wrapEngineError(err, sql.slice(0, 40)));
        else resolve(rows);
      });
    });
  }

  /** Executes several statements without parameters. */
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => {
        if (err) reject(wrapEngineError(err, sql.slice(0, 40)));
        else resolve();
      });
    });
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT (call it from inside `serial`). On any error the
   * transaction is rolled back and the error rethrown.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run("BEGIN IMMEDIATE");
    try {
      const r = await fn();
      await this.run("COMMIT");
      return r;
    } catch (e) {
      await this.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  /** Waits for queued work, then closes the connection (checkpointing the WAL). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    const pending = this.queue;
    this.closed = true;
    await pending;
    await new Promise<void>((resolve, reject) => {
      this.db.close((err) => {
        if (err) reject(wrapEngineError(err, "close", this.path));
        else resolve();
      });
    });
  }
}
