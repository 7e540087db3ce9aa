/**
 * Numbered schema migrations of the sqlite chain store. Each runs once, in its own transaction, and is
 * recorded in `schema_version`. Rules: versions are 1, 2, 3, … with no gaps; a published migration is
 * never edited, renumbered or reused — change the schema by appending a new one.
 *
 * Layout notes: bytes are BLOBs; SCP slots (u64) are 8-byte big-endian BLOBs so that byte order is
 * numeric order; `tip` is a single row (one = 1) holding the tip and the utreexo forest written with it.
 */

/** One schema step. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** All migrations, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "chain: blocks, tx index, tip with utreexo forest",
    sql: `
      CREATE TABLE blocks (
        height INTEGER PRIMARY KEY,
        id BLOB NOT NULL UNIQUE CHECK (length(id) = 32),
        header BLOB NOT NULL,
        certificate BLOB,
        body BLOB NOT NULL
      );
      CREATE TABLE txs (
        txid BLOB PRIMARY KEY CHECK (length(txid) = 32),
        height INTEGER NOT NULL,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE tip (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        height INTEGER NOT NULL,
        id BLOB NOT NULL,
        utreexo BLOB NOT NULL
      );`,
  },
  {
    version: 2,
    name: "own SCP state per slot",
    sql: `
      CREATE TABLE consensus (
        slot BLOB PRIMARY KEY CHECK (length(slot) = 8),
        state BLOB NOT NULL
      ) WITHOUT ROWID;`,
  },
  {
    version: 3,
    name: "wallet key/value and peer book",
    sql: `
      CREATE TABLE wallet (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE peers (
        id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        score REAL NOT NULL,
        last_seen INTEGER NOT NULL
      ) WITHOUT ROWID;`,
  },
];
