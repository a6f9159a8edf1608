// Opens the server's SQLite database: a file in the data dir (WAL), or memory with --in-memory.
//
// Durability (`--durability`, env JAZZ_DURABILITY). Either way a write is committed before it
// is acknowledged, and an acknowledged write survives kill -9 of the server process:
//   full    synchronous=FULL: every commit waits for fsync, so acknowledged writes also survive
//           an OS crash or power loss. Costs one fsync per group commit (0.6 ms on this
//           machine's disk when idle, 4-5 ms under load) on the write → fan-out path.
//   normal  synchronous=NORMAL: a commit is written to the WAL (in the OS page cache) without
//           waiting for fsync; WAL checkpoints still fsync. Survives the process being killed,
//           but an OS crash or power loss can lose the last commits (never corrupts the file).
// WAL checkpoints run on a worker thread (./checkpoint.ts), not inside the write path's COMMIT.

import { mkdirSync, accessSync, constants, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SqlDriver } from "@jazz-tools/core";
import { createNodeSqlDriver, hasNativeSqlite } from "@jazz-tools/sqlite-node";
import { DataDirError, UsageError } from "../errors.ts";
import { startWalCheckpointer } from "./checkpoint.ts";

export const DB_FILE = "jazz.sqlite";

export type Durability = "full" | "normal";
export const DURABILITY_MODES: readonly Durability[] = ["full", "normal"];
export const DEFAULT_DURABILITY: Durability = "normal";

export interface OpenedDatabase {
  driver: SqlDriver;
  /** Absolute path of the database file, or null in memory. */
  file: string | null;
  durability: Durability | null;
}

/** `--durability` / JAZZ_DURABILITY value → mode (UsageError for anything else). */
export function parseDurability(value: string | undefined, from = "--durability"): Durability {
  if (value === undefined || value === "") return DEFAULT_DURABILITY;
  const v = value.toLowerCase();
  if ((DURABILITY_MODES as string[]).includes(v)) return v as Durability;
  throw new UsageError(`${from} must be "full" or "normal", got ${JSON.stringify(value)}`);
}

export function openDatabase(opts: { dataDir: string; inMemory: boolean; durability?: Durability }): OpenedDatabase {
  if (opts.inMemory) return { driver: createNodeSqlDriver(":memory:"), file: null, durability: null };
  const durability = opts.durability ?? parseDurability(process.env.JAZZ_DURABILITY, "JAZZ_DURABILITY");
  const dir = resolve(opts.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (e) {
    throw new DataDirError(`--data-dir ${opts.dataDir} is not a writable directory (${(e as Error).message})`);
  }
  const file = join(dir, DB_FILE);
  let driver: SqlDriver;
  try {
    // The Node driver opens files in WAL with synchronous=FULL.
    driver = createNodeSqlDriver(file);
    if (durability === "normal") driver.exec("PRAGMA synchronous = NORMAL");
    driver.exec("CREATE TABLE IF NOT EXISTS _jazz_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  } catch (e) {
    throw new DataDirError(`cannot open the database ${file}: ${(e as Error).message}`);
  }
  // The checkpointing worker drives better-sqlite3; the wasm fallback runs without WAL.
  if (!hasNativeSqlite) return { driver, file, durability };
  const checkpointer = startWalCheckpointer(driver, file);
  const close = driver.close.bind(driver);
  driver.close = () => {
    checkpointer.stop();
    close();
  };
  return { driver, file, durability };
}
