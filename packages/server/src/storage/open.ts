// Opens the server's SQLite database: a file in the data dir (WAL, synchronous=FULL, so a
// write is on disk before it is acknowledged and survives kill -9), or memory with --in-memory.

import { mkdirSync, accessSync, constants, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SqlDriver } from "@jazz-tools/core";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { DataDirError } from "../errors.ts";

export const DB_FILE = "jazz.sqlite";

export interface OpenedDatabase {
  driver: SqlDriver;
  /** Absolute path of the database file, or null in memory. */
  file: string | null;
}

export function openDatabase(opts: { dataDir: string; inMemory: boolean }): OpenedDatabase {
  if (opts.inMemory) return { driver: createNodeSqlDriver(":memory:"), file: null };
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
    driver = createNodeSqlDriver(file);
    driver.exec("CREATE TABLE IF NOT EXISTS _jazz_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  } catch (e) {
    throw new DataDirError(`cannot open the database ${file}: ${(e as Error).message}`);
  }
  return { driver, file };
}
