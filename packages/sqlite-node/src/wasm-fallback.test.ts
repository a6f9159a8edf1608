import { describe, expect, it } from "vitest";
import { loadWasmSqlite, openWasmMemoryDriver } from "./wasm-fallback.ts";

// What Node runs on when better-sqlite3 is not installed: wa-sqlite's wasm, in memory.
describe("wasm SQLite on Node (no better-sqlite3)", () => {
  it("runs statements like the native driver, one database per connection", async () => {
    await loadWasmSqlite();
    const a = openWasmMemoryDriver();
    const b = openWasmMemoryDriver();
    a.exec(`CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, b BLOB)`);
    expect(a.run(`INSERT INTO t VALUES (?, ?, ?)`, ["a", 1, new Uint8Array([1, 2])])).toBe(1);
    const rows = a.all(`SELECT id, n, b FROM t`);
    expect(rows[0]![0]).toBe("a");
    expect(rows[0]![1]).toBe(1);
    expect(new Uint8Array(rows[0]![2] as Uint8Array)).toEqual(new Uint8Array([1, 2]));
    expect(() => b.all(`SELECT * FROM t`)).toThrow(/no such table/);
    a.close();
    b.close();
  });

});
