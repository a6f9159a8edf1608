// SQLite from wa-sqlite's wasm (the build the browser uses), for Node installs without the
// native better-sqlite3: in memory, or in a file through NodeFileVfs.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadWaSqliteSync, registerJsVfs, WaSqliteDriver, type JsVfs, type WaModule } from "@jazz-tools/browser/sqlite";
import { NodeFileVfs } from "./node-file-vfs.ts";
import { waSqliteWasmPath } from "./wasm-file.ts";
import type { SqlDriver } from "@jazz-tools/core";

let wasm: WaModule | null = null;

/** Loads wa-sqlite once, synchronously (Node compiles the wasm in a few ms). */
export function loadWasmSqlite(): WaModule {
  if (wasm) return wasm;
  const m = loadWaSqliteSync({ binary: readFileSync(waSqliteWasmPath()) });
  const rc = registerJsVfs(m, new NodeFileVfs(VFS_NAME, m) as unknown as JsVfs);
  if (rc !== 0) throw new Error(`cannot register the Node file VFS (SQLite code ${rc})`);
  return (wasm = m);
}

const VFS_NAME = "jazz-node-file";

/** A database file on the Node file VFS, with a rollback journal synced on every commit. */
export function openWasmFileDriver(filename: string): SqlDriver {
  const driver = WaSqliteDriver.open(loadWasmSqlite(), resolve(filename), VFS_NAME);
  driver.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL");
  return driver;
}

/** Each call opens its own in-memory database (connections share one wasm instance). */
export function openWasmMemoryDriver(): SqlDriver {
  return WaSqliteDriver.open(loadWasmSqlite());
}
