/**
 * Child process of the crash test (./crashKit.ts): opens the sqlite store at argv[2] and commits
 * `crashBlock(h)` for h = tip + 1, tip + 2, … forever, printing "ready" once open and each height after
 * its commit resolved. The parent kills it with SIGKILL. Run: node --import tsx crashWorker.ts <path>.
 */
import { crashBlock } from "./crashKit.js";
import { SqliteChainStore } from "./sqliteStore.js";

const path = process.argv[2];
if (path === undefined) throw new TypeError("usage: crashWorker.ts <database path>");
const store = await SqliteChainStore.open({ path });
const tip = await store.tip();
process.stdout.write("ready\n");
for (let h = tip === undefined ? 0 : tip.height + 1; ; h++) {
  await store.commitBlock(crashBlock(h));
  // Writes to a pipe are synchronous on Linux: the parent sees the height only after the commit.
  process.stdout.write(`${h}\n`);
}
