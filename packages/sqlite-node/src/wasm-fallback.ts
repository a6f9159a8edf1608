// In-memory SQLite from wa-sqlite's wasm (the build the browser uses), for Node installs
// without the native better-sqlite3.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadWaSqlite, WaSqliteDriver, type WaModule } from "@jazz-tools/browser/sqlite";
import type { SqlDriver } from "@jazz-tools/core";

let wasm: WaModule | null = null;

export async function loadWasmSqlite(): Promise<void> {
  const file = createRequire(import.meta.url).resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm");
  wasm ??= await loadWaSqlite({ binary: readFileSync(file) });
}

/** Each call opens its own in-memory database (connections share one wasm instance). */
export function openWasmMemoryDriver(): SqlDriver {
  if (!wasm) throw new Error("wa-sqlite is not loaded (loadWasmSqlite first)");
  return WaSqliteDriver.open(wasm);
}
