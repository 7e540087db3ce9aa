/**
 * Storage encoding of the herder's persisted SCP state (consensus/herder/README.md, "Persistence and
 * restart"): `u64 slot ‖ u32 n ‖ (sized envelope)ⁿ ‖ u32 m ‖ (sized tx set)ᵐ`, integers little-endian.
 * The node keeps it in `ChainStore.putConsensusState` under the slot.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { PersistedScpState } from "../../consensus/herder/index.js";
import { DecodeError } from "../util/errors.js";
import { Reader } from "../util/reader.js";
import { Writer } from "../util/writer.js";
import { NodeCode, NodeError } from "./errors.js";

/** Largest encoded envelope or tx set kept in a persisted state. */
const MAX_ITEM_BYTES = 8 * 1024 * 1024;
/** Most envelopes or tx sets in one persisted state. */
const MAX_ITEMS = 64;

/** Encodes a persisted SCP state. */
export function encodeScpState(s: PersistedScpState): Uint8Array {
  const w = new Writer();
  w.writeU64(s.slot).writeU32(s.envelopes.length);
  for (const e of s.envelopes) w.writeSizedBytes(e);
  w.writeU32(s.txSets.length);
  for (const t of s.txSets) w.writeSizedBytes(t);
  return w.toBytes();
}

/** Decodes `encodeScpState` bytes (NODE_BAD_CONSENSUS_STATE on malformed input). */
export function decodeScpState(bytes: Uint8Array): PersistedScpState {
  try {
    const r = new Reader(bytes);
    const slot = r.readU64("slot");
    const envelopes: Uint8Array[] = [];
    for (let i = r.readCount(MAX_ITEMS, 4, "envelopes"); i > 0; i--)
      envelopes.push(r.readSizedBytes(MAX_ITEM_BYTES, "envelope").slice());
    const txSets: Uint8Array[] = [];
    for (let i = r.readCount(MAX_ITEMS, 4, "tx sets"); i > 0; i--)
      txSets.push(r.readSizedBytes(MAX_ITEM_BYTES, "tx set").slice());
    r.end("scp state");
    return { slot, envelopes, txSets };
  } catch (e) {
    if (e instanceof DecodeError)
      throw new NodeError(NodeCode.BAD_CONSENSUS_STATE, { reason: e.code }, { cause: e });
    throw e;
  }
}

/**
 * Writes the SCP state to `path` durably and synchronously (temp file, fsync, rename, fsync of the
 * folder), so that the herder's persistence hook returns only once the state is on disk: SCP must
 * never emit an envelope that a restart could forget.
 */
export function writeScpStateFileSync(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The SCP state file's bytes, or undefined if there is none. */
export function readScpStateFile(path: string): Uint8Array | undefined {
  if (!existsSync(path)) return undefined;
  return new Uint8Array(readFileSync(path));
}
