// WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the COMMIT that
// crosses 1,000 WAL pages, on the committing connection: it copies the WAL into the database
// file and fsyncs both, 20-40 ms here (hundreds under disk contention). On the server that
// COMMIT is the group commit every write and fan-out waits for, so one write in ~100 stalled
// everything behind it. A worker thread with its own connection checkpoints instead (PASSIVE:
// never waits for, nor blocks, the writer); the main connection keeps a far-off automatic
// checkpoint as a safety net in case the worker falls behind or dies.

import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import type { SqlDriver } from "@jazz-tools/core";

/** The main connection checkpoints itself only past this many WAL pages (~40 MB). */
export const SAFETY_NET_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1000;

// Plain CommonJS, evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  stop(): void;
}

/**
 * better-sqlite3 as @jazz-tools/sqlite-node resolves it in the monorepo, or as the published
 * package resolves it (there sqlite-node is bundled and better-sqlite3 is a peer dependency).
 */
function betterSqlite3Path(): string {
  const req = createRequire(import.meta.url);
  try {
    return createRequire(req.resolve("@jazz-tools/sqlite-node")).resolve("better-sqlite3");
  } catch {
    return req.resolve("better-sqlite3");
  }
}

/**
 * Start checkpointing `file` (a WAL database `driver` has open) every `intervalMs` from a
 * worker thread. If the worker cannot start or fails later, SQLite's own checkpoint is back.
 */
export function startWalCheckpointer(driver: SqlDriver, file: string, intervalMs = 250): WalCheckpointer {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, betterSqlite3: betterSqlite3Path() } });
  } catch (e) {
    console.warn(`jazz server: WAL checkpoints stay on the write path (${(e as Error).message})`);
    return { stop() {} };
  }
  driver.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let stopped = false;
  worker.on("error", (e) => {
    if (stopped) return;
    stopped = true;
    console.warn(`jazz server: WAL checkpoint worker failed, checkpoints are back on the write path (${e.message})`);
    try {
      driver.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    } catch {
      // The database is closed already.
    }
  });
  // Never what keeps the process alive.
  worker.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage("stop");
    },
  };
}
