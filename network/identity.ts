/**
 * Persistent peer identity: an Ed25519 libp2p private key kept in a key file (protobuf encoding,
 * file mode 0600). The same file always gives the same peer id.
 * Design: /work/shared/DESIGN.md ("network/": stable peer identity from a key file).
 */
import { constants } from "node:fs";
import { chmod, open, readFile, stat } from "node:fs/promises";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { NetworkCode, NetworkError } from "./errors.js";

/** The private key type libp2p uses (opaque to callers outside network/). */
export type PeerPrivateKey = Parameters<typeof privateKeyToProtobuf>[0];

/** Loads the key in `path`; throws NET_IDENTITY_INVALID if it is malformed or readable by others. */
export async function loadIdentity(path: string): Promise<PeerPrivateKey> {
  let bytes: Uint8Array;
  try {
    const st = await stat(path);
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0)
      throw new NetworkError(NetworkCode.IDENTITY_INVALID, {
        path,
        reason: `key file mode ${(st.mode & 0o777).toString(8)} is not 600`,
      });
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new NetworkError(NetworkCode.IDENTITY_INVALID, { path, reason: "unreadable" }, { cause: e });
  }
  try {
    const key = privateKeyFromProtobuf(bytes);
    if (key.type !== "Ed25519") throw new Error(`key type ${key.type}`);
    return key;
  } catch (e) {
    throw new NetworkError(NetworkCode.IDENTITY_INVALID, { path, reason: "malformed key" }, { cause: e });
  }
}

/**
 * Loads the key in `path`, or creates a new Ed25519 key there (exclusively, mode 0600) when the file
 * does not exist.
 */
export async function loadOrCreateIdentity(path: string): Promise<PeerPrivateKey> {
  const key = await generateKeyPair("Ed25519");
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as { code?: string }).code === "EEXIST") return loadIdentity(path);
    throw new NetworkError(NetworkCode.IDENTITY_INVALID, { path, reason: "cannot create" }, { cause: e });
  }
  try {
    await fh.writeFile(privateKeyToProtobuf(key));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o600);
  return key;
}

/** The peer id string (base58 multihash) of a private key. */
export function peerIdOf(key: PeerPrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}
