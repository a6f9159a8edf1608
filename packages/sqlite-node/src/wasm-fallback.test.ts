import { describe, expect, it } from "vitest";
import { loadWasmSqlite, openWasmMemoryDriver } from "./wasm-fallback.ts";

// What Node runs on when better-sqlite3 is not installed: wa-sqlite's wasm, in memory.
describe("wasm SQLite on Node (no better-sqlite3)", () => {
  it("runs statements like the native driver, one database per connection", async () => {
    loadWasmSqlite();
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

describe("wasm SQLite on Node, in a file", () => {
  it("keeps committed rows across close and reopen, and rolls back what was not committed", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openWasmFileDriver } = await import("./wasm-fallback.ts");
    loadWasmSqlite();
    const file = join(mkdtempSync(join(tmpdir(), "jazz-wasm-file-")), "db.sqlite");
    const a = openWasmFileDriver(file);
    a.exec(`CREATE TABLE t (id TEXT PRIMARY KEY, body BLOB)`);
    a.exec("BEGIN");
    for (let i = 0; i < 500; i++) a.run(`INSERT INTO t VALUES (?, ?)`, [`r${i}`, new Uint8Array(300).fill(i % 256)]);
    a.exec("COMMIT");
    a.exec("BEGIN");
    a.run(`DELETE FROM t`, []);
    a.exec("ROLLBACK");
    a.close();
    const b = openWasmFileDriver(file);
    expect(b.all(`SELECT count(*) FROM t`)[0]![0]).toBe(500);
    expect(new Uint8Array(b.all(`SELECT body FROM t WHERE id = 'r7'`)[0]![0] as Uint8Array)[0]).toBe(7);
    b.close();
  });
});
