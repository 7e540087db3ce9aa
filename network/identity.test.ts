/** Persistent peer identity: the same key file gives the same peer id; bad files are refused. */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCode } from "../src/util/codedError.js";
import { NetworkCode } from "./errors.js";
import { loadIdentity, loadOrCreateIdentity, peerIdOf } from "./identity.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zkvm-id-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return hasCode(e, NetworkCode.IDENTITY_INVALID) ? NetworkCode.IDENTITY_INVALID : String(e);
  }
  return undefined;
}

describe("identity key file", () => {
  it("is created with mode 0600 and gives the same peer id when loaded again", async () => {
    const path = join(dir, "node.key");
    const k1 = await loadOrCreateIdentity(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const k2 = await loadOrCreateIdentity(path);
    const k3 = await loadIdentity(path);
    expect(peerIdOf(k2)).toBe(peerIdOf(k1));
    expect(peerIdOf(k3)).toBe(peerIdOf(k1));
    const other = await loadOrCreateIdentity(join(dir, "other.key"));
    expect(peerIdOf(other)).not.toBe(peerIdOf(k1));
  });

  it("must-fail: missing, malformed, or group-readable files", async () => {
    expect(await codeOf(loadIdentity(join(dir, "absent.key")))).toBe(NetworkCode.IDENTITY_INVALID);
    const bad = join(dir, "bad.key");
    await writeFile(bad, Uint8Array.of(1, 2, 3), { mode: 0o600 });
    expect(await codeOf(loadOrCreateIdentity(bad))).toBe(NetworkCode.IDENTITY_INVALID);
    const open = join(dir, "open.key");
    await loadOrCreateIdentity(open);
    await chmod(open, 0o644);
    expect(await codeOf(loadIdentity(open))).toBe(NetworkCode.IDENTITY_INVALID);
    // The file content itself is a valid key: only the mode is wrong.
    expect((await readFile(open)).length).toBeGreaterThan(32);
  });
});
