/** Error codes of the chain store (`src/storage`): bad arguments, ordering rules, corrupt or foreign files. */
import { CodedError } from "../util/codedError.js";

export const StorageCode = {
  /** A byte argument has the wrong length (e.g. a block id or txid that is not 32 bytes). */
  BAD_LENGTH: "STORAGE_BAD_LENGTH",
  /** A numeric or string argument is out of range (negative height, slot ≥ 2⁶⁴, empty key, …). */
  BAD_ARGUMENT: "STORAGE_BAD_ARGUMENT",
  /** `commitBlock` at a height other than tip + 1. */
  HEIGHT_MISMATCH: "STORAGE_HEIGHT_MISMATCH",
  /** A block id, or a txid in the tx index, is already stored (or repeated inside one block). */
  DUPLICATE: "STORAGE_DUPLICATE",
  /** A write refers to something that is not stored (e.g. a certificate for an unknown height). */
  NOT_FOUND: "STORAGE_NOT_FOUND",
  /** The store was used after `close()`. */
  CLOSED: "STORAGE_CLOSED",
  /** The database file is not a database, is damaged, or its contents contradict each other. */
  CORRUPT: "STORAGE_CORRUPT",
  /** The file is an SQLite database written by something else (no schema_version table, other tables). */
  FOREIGN_DATABASE: "STORAGE_FOREIGN_DATABASE",
  /** The file was written by a newer version of this program (unknown schema migration). */
  SCHEMA_TOO_NEW: "STORAGE_SCHEMA_TOO_NEW",
  /** Any other failure of the database engine (I/O error, disk full, locked, …). */
  IO: "STORAGE_IO",
} as const;
export type StorageCode = (typeof StorageCode)[keyof typeof StorageCode];

export type StorageMeta = {
  /** What was being stored, read or checked. */
  what?: string;
  length?: number;
  expected?: number | string;
  height?: number;
  /** The underlying engine's error code (e.g. `SQLITE_NOTADB`). */
  engineCode?: string;
  version?: number;
  path?: string;
};

export class StorageError extends CodedError<StorageCode, StorageMeta> {}
