/**
 * The wallet file of the command line (README "Command line"): one JSON object, written atomically
 * with mode 0600 because it holds secrets.
 *
 *     {
 *       "format": "zkvm-wallet", "version": 1,
 *       "network": "<network id>",
 *       "genesis_id": "<32-byte hex>",        // the chain this wallet follows
 *       "api": "http://127.0.0.1:8001",        // optional default node API
 *       "xprv": "<64-byte hex>",              // root key (keytree); account 0 holds the receiving keys
 *       "issuer_secret": "<32-byte hex>",     // the issuance key (flavors issued by this wallet)
 *       "state": "<hex of Wallet.encode()>",  // tracked utxos, openings, proofs, pending txs
 *       "chain": "<hex of encodeState()>"     // chain tip header + utreexo forest the wallet synced to
 *     }
 *
 * The wallet keeps its own copy of the utreexo state so that it can compute each block's catchup
 * itself from raw blocks (see `syncWallet` in walletCommands.ts); it starts at genesis.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { type BlockchainState, decodeState, encodeState, makeGenesis } from "../chain/state.js";
import { decodeScalar, encodeScalar, randomScalar } from "../crypto/scalar.js";
import { bytesEqual, fromHex, toHex } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import type { Rng } from "../util/rng.js";
import { KeyManager } from "../wallet/keys.js";
import { Xprv } from "../wallet/keytree.js";
import { Wallet } from "../wallet/wallet.js";
import { makeUtxo, type OwnedUtxo } from "../zkvm/builder.js";
import { CliCode, CliError } from "./errors.js";

export const WALLET_FILE_FORMAT = "zkvm-wallet";
export const WALLET_FILE_VERSION = 1;

/** Genesis parameters (as in a network file). */
export interface GenesisLike {
  readonly timestampMs: bigint;
  readonly utxoIds: readonly Uint8Array[];
}

/** An opened wallet: keys, wallet state and the chain state it is synced to. */
export class WalletSession {
  readonly network: string;
  readonly genesisId: Uint8Array;
  readonly root: Xprv;
  readonly issuerSecret: bigint;
  readonly wallet: Wallet;
  chain: BlockchainState;
  api: string | undefined;

  constructor(init: {
    network: string;
    genesisId: Uint8Array;
    root: Xprv;
    issuerSecret: bigint;
    wallet: Wallet;
    chain: BlockchainState;
    api?: string | undefined;
  }) {
    this.network = init.network;
    this.genesisId = init.genesisId;
    this.root = init.root;
    this.issuerSecret = init.issuerSecret;
    this.wallet = init.wallet;
    this.chain = init.chain;
    this.api = init.api;
  }

  /** A new wallet at the genesis of a network, with fresh keys from `rng`. */
  static create(opts: {
    network: string;
    genesis: GenesisLike;
    rng: Rng;
    api?: string | undefined;
    root?: Xprv;
  }): WalletSession {
    const root = opts.root ?? Xprv.random(opts.rng);
    const issuerSecret = randomScalar(opts.rng);
    const g = makeGenesis(opts.genesis.timestampMs, opts.genesis.utxoIds);
    const keys = KeyManager.fromRoot(root);
    keys.addSecret(issuerSecret);
    const wallet = new Wallet(keys, { tip: g.state.tipId });
    return new WalletSession({
      network: opts.network,
      genesisId: g.state.tipId,
      root,
      issuerSecret,
      wallet,
      chain: g.state,
      api: opts.api,
    });
  }

  /**
   * Tracks a genesis utxo of this wallet (e.g. a testnet faucet allocation), confirmed with its
   * genesis proof. Only while the wallet is still at genesis (CLI_USAGE otherwise, or if `utxo` is
   * not one of the genesis utxos).
   */
  receiveGenesisUtxo(genesis: GenesisLike, utxo: OwnedUtxo): void {
    const g = makeGenesis(genesis.timestampMs, genesis.utxoIds);
    if (!bytesEqual(g.state.tipId, this.genesisId) || !bytesEqual(this.chain.tipId, this.genesisId))
      throw new CliError(CliCode.USAGE, { what: "genesis utxos are received only at genesis" });
    const id = utxo.contract.id();
    const i = genesis.utxoIds.findIndex((u) => bytesEqual(u, id));
    if (i < 0) throw new CliError(CliCode.USAGE, { what: "not a genesis utxo" });
    this.wallet.receive(utxo, g.proofs[i]!);
  }

  /** The file's JSON text. */
  encode(): string {
    const o: Record<string, unknown> = {
      format: WALLET_FILE_FORMAT,
      version: WALLET_FILE_VERSION,
      network: this.network,
      genesis_id: toHex(this.genesisId),
    };
    if (this.api !== undefined) o["api"] = this.api;
    o["xprv"] = this.root.toHex();
    o["issuer_secret"] = toHex(encodeScalar(this.issuerSecret));
    o["state"] = toHex(this.wallet.encode());
    o["chain"] = toHex(encodeState(this.chain));
    return `${JSON.stringify(o, null, 2)}\n`;
  }

  /** Parses the file's text; CLI_BAD_WALLET_FILE (meta.field) if malformed. */
  static decode(text: string, path?: string): WalletSession {
    const bad = (field: string, cause?: unknown): never => {
      const meta = path === undefined ? { field } : { field, path };
      throw new CliError(CliCode.BAD_WALLET_FILE, meta, cause === undefined ? undefined : { cause });
    };
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      bad("(file)");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) bad("(file)");
    const o = data as Record<string, unknown>;
    if (o["format"] !== WALLET_FILE_FORMAT) bad("format");
    if (o["version"] !== WALLET_FILE_VERSION) bad("version");
    const hex = (field: string, len?: number): Uint8Array => {
      const v = o[field];
      if (typeof v !== "string" || !/^([0-9a-f]{2})*$/.test(v)) bad(field);
      const b = fromHex(v as string);
      if (len !== undefined && b.length !== len) bad(field);
      return b;
    };
    const network = o["network"];
    if (typeof network !== "string" || network.length === 0) bad("network");
    const api = o["api"];
    if (api !== undefined && typeof api !== "string") bad("api");
    const genesisId = hex("genesis_id", 32);
    const attempt = <T>(field: string, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof CodedError) bad(field, e);
        throw e;
      }
    };
    const root = attempt("xprv", () => Xprv.fromBytes(hex("xprv", 64)));
    const issuerSecret = attempt("issuer_secret", () => decodeScalar(hex("issuer_secret", 32)));
    if (issuerSecret === 0n) bad("issuer_secret");
    const chain = attempt("chain", () => decodeState(hex("chain")));
    const keys = KeyManager.fromRoot(root);
    keys.addSecret(issuerSecret);
    const wallet = attempt("state", () => Wallet.decode(hex("state"), keys));
    const tip = wallet.tip;
    if (tip === undefined || !bytesEqual(tip, chain.tipId)) bad("state");
    return new WalletSession({
      network: network as string,
      genesisId,
      root,
      issuerSecret,
      wallet,
      chain,
      api: api as string | undefined,
    });
  }

  /** Reads a wallet file (CLI_BAD_WALLET_FILE if unreadable or malformed). */
  static load(path: string): WalletSession {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new CliError(
        CliCode.BAD_WALLET_FILE,
        { field: "(file)", path, reason: "unreadable" },
        { cause: e },
      );
    }
    return WalletSession.decode(text, path);
  }

  /** Writes the file atomically (temporary file + rename), mode 0600. */
  save(path: string): void {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, this.encode(), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  }

  /** Creates the file (CLI_FILE_EXISTS if it exists), mode 0600. */
  saveNew(path: string): void {
    try {
      writeFileSync(path, this.encode(), { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST")
        throw new CliError(CliCode.FILE_EXISTS, { path }, { cause: e });
      throw e;
    }
  }
}

/**
 * A funded wallet for a new network (a testnet faucet): a fresh root key, one genesis utxo of `qty`
 * native units to its first receiving key (the first genesis utxo; `extraUtxoIds` follow it), the
 * genesis, and the wallet at that genesis.
 * Put `genesis` in the network file.
 */
export function createFaucet(opts: {
  network: string;
  timestampMs: bigint;
  qty: bigint;
  rng: Rng;
  api?: string | undefined;
  /** Further genesis utxos (contract ids) after the faucet's, e.g. a benchmark's load. */
  extraUtxoIds?: readonly Uint8Array[];
}): { session: WalletSession; genesis: GenesisLike; utxo: OwnedUtxo } {
  const root = Xprv.random(opts.rng);
  const predicate = KeyManager.fromRoot(root).keyAt(0).predicate;
  const anchor = new Uint8Array(32);
  opts.rng.fillBytes(anchor);
  const utxo = makeUtxo(anchor, predicate, {
    qty: opts.qty,
    flavor: 0n,
    qtyBlinding: randomScalar(opts.rng),
    flvBlinding: randomScalar(opts.rng),
  });
  const genesis: GenesisLike = {
    timestampMs: opts.timestampMs,
    utxoIds: [utxo.contract.id(), ...(opts.extraUtxoIds ?? [])],
  };
  const session = WalletSession.create({
    network: opts.network,
    genesis,
    rng: opts.rng,
    api: opts.api,
    root,
  });
  session.wallet.receivingKey(); // hands out key 0, the allocation's
  session.receiveGenesisUtxo(genesis, utxo);
  return { session, genesis, utxo };
}
