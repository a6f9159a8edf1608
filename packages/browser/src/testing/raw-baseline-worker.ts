// Bench baseline: raw wa-sqlite (its own JS API) on the same VFS (OPFSCoopSyncVFS), in a worker.
import SQLiteESMFactory from "@journeyapps/wa-sqlite/dist/wa-sqlite.mjs";
import * as SQLite from "@journeyapps/wa-sqlite";
import { OPFSCoopSyncVFS } from "@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js";
import { expose } from "comlink";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let sqlite3: any;
let db = 0;
const V = "x".repeat(100);

const api = {
  async open(name: string) {
    const module = await (SQLiteESMFactory as (o?: object) => Promise<unknown>)();
    sqlite3 = SQLite.Factory(module as never);
    const vfs = await OPFSCoopSyncVFS.create("raw-opfs", module);
    sqlite3.vfs_register(vfs, true);
    db = await sqlite3.open_v2(name);
    await sqlite3.exec(db, "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, k TEXT, v TEXT, n INTEGER); CREATE INDEX IF NOT EXISTS items_n ON items(n)");
  },
  async insertMany(start: number, count: number): Promise<number> {
    const t0 = performance.now();
    await sqlite3.exec(db, "BEGIN");
    for await (const stmt of sqlite3.statements(db, "INSERT INTO items VALUES (?, ?, ?, ?)")) {
      for (let i = start; i < start + count; i++) {
        sqlite3.bind_collection(stmt, [crypto.randomUUID(), `k${i}`, V, (i * 7919) % 1_000_003]);
        await sqlite3.step(stmt);
        await sqlite3.reset(stmt);
      }
    }
    await sqlite3.exec(db, "COMMIT");
    return performance.now() - t0;
  },
  async insertOne(i: number): Promise<void> {
    for await (const stmt of sqlite3.statements(db, "INSERT INTO items VALUES (?, ?, ?, ?)")) {
      sqlite3.bind_collection(stmt, [crypto.randomUUID(), `k${i}`, V, i]);
      await sqlite3.step(stmt);
    }
  },
  async query(sql: string, params: unknown[] = []): Promise<{ ms: number; rows: unknown[][] }> {
    const t0 = performance.now();
    const rows: unknown[][] = [];
    for await (const stmt of sqlite3.statements(db, sql)) {
      if (params.length) sqlite3.bind_collection(stmt, params);
      while ((await sqlite3.step(stmt)) === SQLite.SQLITE_ROW) rows.push(sqlite3.row(stmt));
    }
    return { ms: performance.now() - t0, rows };
  },
};
export type RawApi = typeof api;
expose(api);
