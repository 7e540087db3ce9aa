/**
 * `zkvm-node wallet ...`: a command-line wallet talking to a running node's HTTP API (README
 * "Command line"). The wallet file (walletFile.ts) holds the keys, the tracked utxos with their
 * openings and proofs, and a copy of the utreexo state; `sync` fetches raw blocks after the wallet's
 * tip (`GET /blocks/:height/raw`), computes each tx log (`precomputeTx`, no proof verification: the
 * node verified them and the utxo root check below ties the logs to the header) and the catchup by
 * applying the block to the wallet's chain state (checkBlock + applyBlock), then updates the Wallet.
 * Every command that builds a transaction syncs first.
 *
 *   wallet new      --network FILE | --data-dir DIR     create the wallet file at genesis
 *   wallet address                                       a fresh receiving key (hex predicate)
 *   wallet sync                                          apply new blocks
 *   wallet issue    --qty N --metadata TEXT [--fee N]    issue a new flavor (printed) to this wallet
 *   wallet pay      --to KEY --qty N [--flavor F] [--fee N] [--receipt FILE]
 *   wallet receive  RECEIPT|-                            import a payment (receipt file, JSON or stdin)
 *   wallet balance  [--pending]                          balances per flavor
 *   wallet utxos                                         tracked utxos
 * Common flags: --wallet FILE (default $ZKVM_WALLET or ./wallet.json), --api URL (default: the
 * wallet's, else the node config's of --data-dir/--config, else http://127.0.0.1:7651), --json,
 * --wait (issue, pay: wait for the block and sync), --wait-ms N, --no-sync (balance, utxos).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeBlock, encodeBlockTx } from "../chain/block.js";
import { applyBlock, checkBlock, stateAfter } from "../chain/state.js";
import { CompressedPoint } from "../crypto/ristretto.js";
import { decodeScalar, encodeScalar } from "../crypto/scalar.js";
import { loadGenesisFile } from "../node/run.js";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { CodedError } from "../util/codedError.js";
import { NATIVE_FLAVOR, type WalletTx } from "../wallet/wallet.js";
import { precomputeTx } from "../zkvm/verifier.js";
import { ApiClient } from "./apiClient.js";
import { type ParsedArgs, parseArgs, parseHex32, parseU64, required } from "./args.js";
import type { CliContext } from "./context.js";
import { CliCode, CliError } from "./errors.js";
import { loadNetworkFile } from "./networkFile.js";
import { apiUrlOf, configArgv, nodeConfigFor } from "./nodeCommands.js";
import { decodeReceipt, encodeReceipt } from "./receipt.js";
import { WalletSession } from "./walletFile.js";

/** Default wallet file name (in the working directory). */
export const DEFAULT_WALLET_FILE = "wallet.json";
/** Default time `--wait` waits for a transaction to be in a block. */
export const DEFAULT_WAIT_MS = 60_000;

const COMMON_VALUES = ["wallet", "api", "data-dir", "config", "wait-ms"];
const COMMON_BOOLEANS = ["json", "wait", "no-sync"];

/** What a sync did. */
export interface SyncResult {
  readonly blocks: number;
  readonly height: bigint;
}

/**
 * Applies the node's blocks after the wallet's tip to the session (in memory). CLI_WRONG_NETWORK if
 * the node follows another genesis; CLI_SYNC_FAILED (meta.height, meta.reason) if a block does not
 * extend the wallet's chain state. Blocks applied before a failure stay applied.
 */
export async function syncWallet(s: WalletSession, client: ApiClient): Promise<SyncResult> {
  const status = await client.status();
  if (typeof status.genesisId === "string" && status.genesisId !== toHex(s.genesisId))
    throw new CliError(CliCode.WRONG_NETWORK, { what: `node genesis ${status.genesisId}`, url: client.base });
  let blocks = 0;
  for (let h = s.chain.tip.height + 1n; ; h++) {
    const raw = await client.rawBlock(h);
    if (raw === undefined) break;
    try {
      const block = decodeBlock(raw);
      const checked = checkBlock(s.chain, block);
      const records = block.txs.map((btx) => precomputeTx(btx.tx, btx.txBytes.length));
      const verified = applyBlock(s.chain, checked, records);
      s.wallet.applyBlock(verified);
      s.chain = stateAfter(verified);
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      throw new CliError(CliCode.SYNC_FAILED, { height: Number(h), reason: e.code }, { cause: e });
    }
    blocks++;
  }
  return { blocks, height: s.chain.tip.height };
}

/** Text of a flavor: "native" for 0, else the 32-byte little-endian scalar in hex. */
export function formatFlavor(f: bigint): string {
  return f === NATIVE_FLAVOR ? "native" : toHex(encodeScalar(f));
}

/** Parses a flavor: "native", a decimal scalar, or 64 hex digits (little-endian scalar). */
export function parseFlavor(text: string): bigint {
  if (text === "native") return NATIVE_FLAVOR;
  if (/^[0-9]{1,19}$/.test(text)) return BigInt(text);
  const hex = parseHex32(text, "--flavor");
  try {
    return decodeScalar(fromHex(hex, 32), "flavor");
  } catch {
    throw new CliError(CliCode.USAGE, { what: "--flavor: not a canonical scalar" });
  }
}

/** Parses a receiving key (32-byte hex of a valid Ristretto point). */
export function parseKey(text: string): CompressedPoint {
  const p = new CompressedPoint(fromHex(parseHex32(text, "--to"), 32));
  try {
    p.decompress("--to");
  } catch {
    throw new CliError(CliCode.USAGE, { what: "--to: not a valid public key" });
  }
  return p;
}

function walletPath(args: ParsedArgs, ctx: CliContext): string {
  return resolve(ctx.cwd, args.values.get("wallet") ?? ctx.env["ZKVM_WALLET"] ?? DEFAULT_WALLET_FILE);
}

function apiFor(args: ParsedArgs, s: WalletSession | undefined, ctx: CliContext): ApiClient {
  const given = args.values.get("api");
  if (given !== undefined) return new ApiClient(given);
  const cfgArgs = configArgv(args);
  if (cfgArgs.length === 0 && s?.api !== undefined) return new ApiClient(s.api);
  return new ApiClient(apiUrlOf(nodeConfigFor(cfgArgs, ctx)));
}

function feeOf(args: ParsedArgs): number {
  const t = args.values.get("fee");
  if (t === undefined) return 0;
  const fee = parseU64(t, "--fee");
  if (fee > 0xffff_ffffn) throw new CliError(CliCode.USAGE, { what: "--fee: at most 2^32 - 1" });
  return Number(fee);
}

async function waitConfirmed(client: ApiClient, txid: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if ((await client.txStatus(txid)) === "confirmed") return;
    if (Date.now() > until) throw new CliError(CliCode.TIMEOUT, { txid, what: "transaction confirmation" });
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Submits a wallet tx; on rejection forgets it (inputs spendable again), saves and throws. */
async function submit(
  s: WalletSession,
  path: string,
  client: ApiClient,
  tx: WalletTx,
  args: ParsedArgs,
): Promise<string> {
  const txid = toHex(tx.txid);
  try {
    await client.submitTx(encodeBlockTx(tx.btx));
  } catch (e) {
    s.wallet.cancelPending(txid);
    s.save(path);
    throw e;
  }
  s.save(path);
  if (args.booleans.has("wait")) {
    const ms = args.values.has("wait-ms")
      ? Number(parseU64(args.values.get("wait-ms")!, "--wait-ms"))
      : DEFAULT_WAIT_MS;
    await waitConfirmed(client, txid, ms);
    await syncWallet(s, client);
    s.save(path);
  }
  return txid;
}

/** Opens the wallet, syncs it (unless `--no-sync`) and saves the progress even if sync fails. */
async function openSynced(
  args: ParsedArgs,
  ctx: CliContext,
): Promise<{ s: WalletSession; path: string; client: ApiClient }> {
  const path = walletPath(args, ctx);
  const s = WalletSession.load(path);
  const client = apiFor(args, s, ctx);
  if (!args.booleans.has("no-sync")) {
    const before = s.chain.tip.height;
    try {
      await syncWallet(s, client);
    } finally {
      if (s.chain.tip.height !== before) s.save(path);
    }
  }
  return { s, path, client };
}

function readReceiptText(arg: string, ctx: CliContext): string {
  if (arg.trimStart().startsWith("{")) return arg;
  try {
    return readFileSync(arg === "-" ? 0 : resolve(ctx.cwd, arg), "utf8");
  } catch (e) {
    throw new CliError(CliCode.BAD_RECEIPT, { field: "(file)", reason: "unreadable" }, { cause: e });
  }
}

/** Runs `wallet <sub> ...`; returns the exit code (errors are thrown as CodedErrors). */
export async function cmdWallet(
  sub: string | undefined,
  argv: readonly string[],
  ctx: CliContext,
): Promise<number> {
  switch (sub) {
    case "new": {
      const args = parseArgs(argv, { values: [...COMMON_VALUES, "network"], booleans: COMMON_BOOLEANS });
      const path = walletPath(args, ctx);
      if (existsSync(path)) throw new CliError(CliCode.FILE_EXISTS, { path });
      const netFile = args.values.get("network");
      let network: string;
      let genesis: { timestampMs: bigint; utxoIds: readonly Uint8Array[] };
      let api = args.values.get("api");
      if (netFile !== undefined) {
        const n = loadNetworkFile(resolve(ctx.cwd, netFile));
        network = n.network;
        genesis = n.genesis;
      } else {
        const cfgArgs = configArgv(args);
        if (cfgArgs.length === 0)
          throw new CliError(CliCode.USAGE, { what: "wallet new needs --network FILE or --data-dir DIR" });
        const config = nodeConfigFor(cfgArgs, ctx);
        if (config.genesisFile === undefined)
          throw new CliError(CliCode.USAGE, { what: "the node config names no genesis file" });
        network = config.network;
        genesis = loadGenesisFile(config.genesisFile);
        api ??= apiUrlOf(config);
      }
      const s = WalletSession.create({ network, genesis, rng: ctx.rng, api });
      s.saveNew(path);
      if (args.booleans.has("json"))
        ctx.out(JSON.stringify({ wallet: path, network, genesisId: toHex(s.genesisId), api: api ?? null }));
      else ctx.out(`created wallet ${path} for network ${network} (genesis ${toHex(s.genesisId)})`);
      return 0;
    }
    case "address": {
      const args = parseArgs(argv, { values: COMMON_VALUES, booleans: COMMON_BOOLEANS });
      const path = walletPath(args, ctx);
      const s = WalletSession.load(path);
      const key = s.wallet.receivingKey();
      s.save(path);
      ctx.out(key.toHex());
      return 0;
    }
    case "sync": {
      const args = parseArgs(argv, { values: COMMON_VALUES, booleans: COMMON_BOOLEANS });
      const path = walletPath(args, ctx);
      const s = WalletSession.load(path);
      const client = apiFor(args, s, ctx);
      let r: SyncResult;
      try {
        r = await syncWallet(s, client);
      } finally {
        s.save(path);
      }
      if (args.booleans.has("json"))
        ctx.out(JSON.stringify({ blocks: r.blocks, height: r.height.toString() }));
      else ctx.out(`synced ${r.blocks} block(s); wallet at height ${r.height}`);
      return 0;
    }
    case "issue": {
      const args = parseArgs(argv, {
        values: [...COMMON_VALUES, "qty", "metadata", "fee"],
        booleans: COMMON_BOOLEANS,
      });
      const qty = parseU64(required(args, "qty"), "--qty", 1n);
      const metadata = utf8(args.values.get("metadata") ?? "");
      const fee = feeOf(args);
      const { s, path, client } = await openSynced(args, ctx);
      const tx = s.wallet.issue({ qty, metadata, issuerSecret: s.issuerSecret, fee }, ctx.rng);
      const txid = await submit(s, path, client, tx, args);
      const flavor = formatFlavor(tx.flavor);
      if (args.booleans.has("json")) ctx.out(JSON.stringify({ txid, flavor, qty: qty.toString() }));
      else {
        ctx.out(`txid    ${txid}`);
        ctx.out(`flavor  ${flavor}`);
        ctx.out(`issued  ${qty}${args.booleans.has("wait") ? " (confirmed)" : " (pending)"}`);
      }
      return 0;
    }
    case "pay": {
      const args = parseArgs(argv, {
        values: [...COMMON_VALUES, "to", "qty", "flavor", "fee", "receipt"],
        booleans: COMMON_BOOLEANS,
      });
      const to = parseKey(required(args, "to"));
      const qty = parseU64(required(args, "qty"), "--qty", 1n);
      const flavor = parseFlavor(args.values.get("flavor") ?? "native");
      const fee = feeOf(args);
      const receiptPath = args.values.get("receipt");
      const { s, path, client } = await openSynced(args, ctx);
      const tx = s.wallet.pay({ to, qty, flavor, fee }, ctx.rng);
      const txid = await submit(s, path, client, tx, args);
      const receipt = encodeReceipt(tx.txid, tx.payment);
      if (receiptPath !== undefined) {
        writeFileSync(resolve(ctx.cwd, receiptPath), receipt, { mode: 0o600 });
        if (args.booleans.has("json")) ctx.out(JSON.stringify({ txid, receipt: receiptPath }));
        else {
          ctx.out(`txid     ${txid}`);
          ctx.out(`receipt  ${receiptPath} (give it to the payee: zkvm-node wallet receive ${receiptPath})`);
        }
      } else {
        ctx.err(`txid ${txid}; receipt follows on stdout (the payee runs: zkvm-node wallet receive FILE)`);
        ctx.out(receipt.trimEnd());
      }
      return 0;
    }
    case "receive": {
      const args = parseArgs(argv, { values: COMMON_VALUES, booleans: COMMON_BOOLEANS, maxPositional: 1 });
      const arg = args.positional[0];
      if (arg === undefined) throw new CliError(CliCode.USAGE, { what: "wallet receive needs a RECEIPT" });
      const receipt = decodeReceipt(readReceiptText(arg, ctx));
      const { s, path } = await openSynced(args, ctx);
      const u = s.wallet.receive(receipt.utxo);
      s.save(path);
      const amounts = u.values.map((v) => `${v.qty} ${formatFlavor(v.flavor)}`).join(", ");
      if (args.booleans.has("json"))
        ctx.out(
          JSON.stringify({
            utxo: toHex(u.id),
            status: u.status,
            values: u.values.map((v) => ({ qty: v.qty.toString(), flavor: formatFlavor(v.flavor) })),
          }),
        );
      else ctx.out(`received ${amounts} (utxo ${toHex(u.id)}, ${u.status})`);
      return 0;
    }
    case "balance": {
      const args = parseArgs(argv, { values: COMMON_VALUES, booleans: [...COMMON_BOOLEANS, "pending"] });
      const { s } = await openSynced(args, ctx);
      const b = s.wallet.balances({ pending: args.booleans.has("pending") });
      if (args.booleans.has("json")) {
        const o: Record<string, string> = {};
        for (const [f, q] of b) o[formatFlavor(f)] = q.toString();
        ctx.out(JSON.stringify({ height: s.chain.tip.height.toString(), balances: o }));
      } else {
        if (b.size === 0) ctx.out("no funds");
        for (const [f, q] of b) ctx.out(`${q}\t${formatFlavor(f)}`);
      }
      return 0;
    }
    case "utxos": {
      const args = parseArgs(argv, { values: COMMON_VALUES, booleans: COMMON_BOOLEANS });
      const { s } = await openSynced(args, ctx);
      const list = s.wallet.utxos().map((u) => ({
        id: toHex(u.id),
        status: u.status,
        values: u.values.map((v) => ({ qty: v.qty.toString(), flavor: formatFlavor(v.flavor) })),
      }));
      if (args.booleans.has("json"))
        ctx.out(JSON.stringify({ utxos: list, unopened: s.wallet.unopened().length }));
      else {
        for (const u of list)
          ctx.out(
            `${u.id}  ${u.status.padEnd(13)}  ${u.values.map((v) => `${v.qty} ${v.flavor}`).join(", ")}`,
          );
        const n = s.wallet.unopened().length;
        if (n > 0) ctx.out(`${n} output(s) to this wallet without a receipt yet (wallet receive)`);
        if (list.length === 0 && n === 0) ctx.out("no utxos");
      }
      return 0;
    }
    default:
      throw new CliError(CliCode.USAGE, { what: `unknown wallet command: ${sub ?? "(none)"}` });
  }
}
