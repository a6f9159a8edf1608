import type Database from "better-sqlite3";
import { optionalPeer } from "./peer.ts";
import type { SqlDriver, SqlValue } from "@jazz-tools/core";
import { openWasmFileDriver, openWasmMemoryDriver } from "./wasm-fallback.ts";

// better-sqlite3 is an optional peer dependency: without it, databases run on wa-sqlite's wasm
// build (no native build needed), files through a node:fs VFS (slower, no WAL).
const BetterSqlite3 = optionalPeer<typeof Database>("better-sqlite3");

/** Whether the native better-sqlite3 is installed (else wasm). */
export const hasNativeSqlite: boolean = BetterSqlite3 !== null;

/** A SqlDriver over better-sqlite3. `filename` ":memory:" (default) or a file path. */
export function createNodeSqlDriver(filename = ":memory:"): SqlDriver {
  if (!BetterSqlite3) {
    return filename === ":memory:" ? openWasmMemoryDriver() : openWasmFileDriver(filename);
  }
  const db = new BetterSqlite3(filename);
  if (filename !== ":memory:") {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
  }
  db.defaultSafeIntegers(false);
  const cache = new Map<string, { st: Database.Statement; numbered: boolean }>();
  const prepare = (sql: string) => {
    let c = cache.get(sql);
    if (!c) {
      c = { st: db.prepare(sql), numbered: /\?\d/.test(sql) };
      cache.set(sql, c);
    }
    return c;
  };
  // better-sqlite3 binds `?NNN` parameters by name only (an object keyed "1", "2", ...).
  const args = (numbered: boolean, params: readonly SqlValue[]): unknown[] => {
    if (!numbered) return params as SqlValue[];
    const named: Record<number, SqlValue> = {};
    for (let i = 0; i < params.length; i++) named[i + 1] = params[i]!;
    return [named];
  };
  return {
    exec(sql) {
      db.exec(sql);
    },
    run(sql, params = []) {
      const { st, numbered } = prepare(sql);
      return st.run(...args(numbered, params)).changes;
    },
    all(sql, params = []) {
      const { st, numbered } = prepare(sql);
      if (!st.reader) {
        st.run(...args(numbered, params));
        return [];
      }
      return st.raw(true).all(...args(numbered, params)) as SqlValue[][];
    },
    serialize() {
      return new Uint8Array(db.serialize());
    },
    deserialize(_image) {
      throw new Error("deserialize is not supported by the Node driver; open a file instead");
    },
    close() {
      cache.clear();
      if (db.open) db.close();
    },
  };
}
