import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { loadWaSqlite } from "./load.ts";
import { SqliteError, WaSqliteDriver, type WaModule } from "./wa-sqlite.ts";

const require = createRequire(import.meta.url);
let m: WaModule;
beforeAll(async () => {
  const binary = readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm"));
  m = await loadWaSqlite({ binary });
});

describe("WaSqliteDriver (wa-sqlite sync build, C exports) in Node", () => {
  it("round-trips every SqlValue kind through bind and column", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`CREATE TABLE t (id TEXT PRIMARY KEY, i INTEGER, f REAL, b BLOB, n TEXT)`);
    const big = 2n ** 62n + 5n;
    const rows: [string, number | bigint, number, Uint8Array][] = [
      ["small", 42, 1.5, new Uint8Array([1, 2, 3])],
      ["neg", -7, -0.25, new Uint8Array([])],
      ["i53", Number.MAX_SAFE_INTEGER, 1e300, new Uint8Array([255])],
      ["i64", big, 3, new Uint8Array(1000).fill(9)],
      ["ünïcødé ✓ 𝄞", -(2 ** 40), 0, new Uint8Array([0])],
    ];
    for (const [id, i, f, b] of rows) expect(d.run(`INSERT INTO t VALUES (?,?,?,?,?)`, [id, i, f, b, null])).toBe(1);
    const back = d.all(`SELECT id, i, f, b, n FROM t ORDER BY rowid`);
    expect(back.map((r) => r[0])).toEqual(rows.map((r) => r[0]));
    expect(back.map((r) => r[1])).toEqual([42, -7, Number.MAX_SAFE_INTEGER, big, -(2 ** 40)]);
    expect(back.map((r) => r[2])).toEqual([1.5, -0.25, 1e300, 3, 0]);
    expect(back.map((r) => Array.from(r[3] as Uint8Array))).toEqual(rows.map((r) => Array.from(r[3])));
    expect(back.every((r) => r[4] === null)).toBe(true);
    d.close();
  });

  it("binds text on both paths (ASCII copy, UTF-8 encoder, mixed, long) and 53-bit integers of either sign", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`CREATE TABLE t (s TEXT, i INTEGER)`);
    const texts = ["", "plain ascii", "abc\u00e9def", "\u{1d11e}x", "a".repeat(300) + "\u00fc", "b".repeat(5000), "\u0000\u007f"];
    const ints = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 1_790_000_000_000_000, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    for (const s of texts) d.run(`INSERT INTO t VALUES (?, NULL)`, [s]);
    for (const i of ints) d.run(`INSERT INTO t VALUES (NULL, ?)`, [i]);
    expect(d.all(`SELECT s, length(CAST(s AS BLOB)) FROM t WHERE s IS NOT NULL ORDER BY rowid`)).toEqual(
      texts.map((s) => [s, new TextEncoder().encode(s).byteLength]),
    );
    expect(d.all(`SELECT i, typeof(i) FROM t WHERE s IS NULL ORDER BY rowid`)).toEqual(ints.map((i) => [i, "integer"]));
    d.close();
  });

  it("caches statements and reports changed row counts", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)`);
    for (let k = 0; k < 100; k++) d.run(`INSERT INTO t (k, v) VALUES (?, ?)`, [k, `v${k}`]);
    expect(d.run(`UPDATE t SET v = 'x' WHERE k < ?`, [10])).toBe(10);
    expect(d.all(`SELECT count(*) FROM t WHERE v = ?`, ["x"])).toEqual([[10]]);
    expect(d.all(`SELECT v FROM t WHERE k = ?`, [55])).toEqual([["v55"]]);
    d.close();
  });

  it("throws a named SqliteError with SQLite's message and keeps the database usable", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`CREATE TABLE t (id TEXT PRIMARY KEY)`);
    d.run(`INSERT INTO t VALUES (?)`, ["a"]);
    expect(() => d.run(`INSERT INTO t VALUES (?)`, ["a"])).toThrow(/UNIQUE constraint failed: t.id/);
    expect(() => d.all(`SELECT nope FROM t`)).toThrow(SqliteError);
    expect(() => d.run(`INSERT INTO t VALUES (?)`, [])).toThrow(/expected 1 parameters, got 0/);
    expect(() => d.exec(`CREATE TABLE t (x)`)).toThrow(/already exists/);
    expect(d.all(`SELECT id FROM t`)).toEqual([["a"]]);
  });

  it("rolls back a failed transaction", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`CREATE TABLE t (id TEXT PRIMARY KEY)`);
    d.exec("BEGIN");
    d.run(`INSERT INTO t VALUES (?)`, ["a"]);
    expect(d.inTransaction).toBe(true);
    d.exec("ROLLBACK");
    expect(d.all(`SELECT id FROM t`)).toEqual([]);
  });

  it("serializes a database and hydrates another connection from the image", () => {
    const a = WaSqliteDriver.open(m);
    a.exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v)`);
    a.exec("BEGIN");
    for (let k = 0; k < 5000; k++) a.run(`INSERT INTO t VALUES (?, ?)`, [k, "x".repeat(k % 50)]);
    a.exec("COMMIT");
    const image = a.serialize();
    expect(image.byteLength).toBeGreaterThan(4096);
    const b = WaSqliteDriver.open(m);
    b.exec(`CREATE TABLE old (x)`);
    b.all(`SELECT count(*) FROM old`); // a cached statement on the old schema must not survive
    b.deserialize(image);
    expect(b.all(`SELECT count(*), sum(k) FROM t`)).toEqual([[5000, (4999 * 5000) / 2]]);
    expect(() => b.all(`SELECT count(*) FROM old`)).toThrow(/no such table: old/);
    b.run(`INSERT INTO t VALUES (?, ?)`, [5000, "grows past the image"]);
    expect(b.all(`SELECT count(*) FROM t`)).toEqual([[5001]]);
    expect(a.all(`SELECT count(*) FROM t`)).toEqual([[5000]]);
  });
});
