// SQLite from wa-sqlite's wasm (the build the browser uses), for Node installs without the
// native better-sqlite3: in memory, or in a file through NodeFileVfs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { loadWaSqlite, registerJsVfs, WaSqliteDriver, type JsVfs, type WaModule } from "@jazz-tools/browser/sqlite";
import { NodeFileVfs } from "./node-file-vfs.ts";
import type { SqlDriver } from "@jazz-tools/core";

let wasm: WaModule | null = null;

export async function loadWasmSqlite(): Promise<void> {
  const file = createRequire(import.meta.url).resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm");
  if (wasm) return;
  const m = await loadWaSqlite({ binary: readFileSync(file) });
  const rc = registerJsVfs(m, new NodeFileVfs(VFS_NAME, m) as unknown as JsVfs);
  if (rc !== 0) throw new Error(`cannot register the Node file VFS (SQLite code ${rc})`);
  wasm = m;
}

const VFS_NAME = "jazz-node-file";

/** A database file on the Node file VFS, with a rollback journal synced on every commit. */
export function openWasmFileDriver(filename: string): SqlDriver {
  if (!wasm) throw new Error("wa-sqlite is not loaded (loadWasmSqlite first)");
  const driver = WaSqliteDriver.open(wasm, resolve(filename), VFS_NAME);
  driver.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL");
  return driver;
}

/** Each call opens its own in-memory database (connections share one wasm instance). */
export function openWasmMemoryDriver(): SqlDriver {
  if (!wasm) throw new Error("wa-sqlite is not loaded (loadWasmSqlite first)");
  return WaSqliteDriver.open(wasm);
}
