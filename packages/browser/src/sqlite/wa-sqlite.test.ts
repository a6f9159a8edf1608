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

  it("sorts, indexes and keeps temp tables larger than the page cache in memory (no file system behind the default VFS)", () => {
    const d = WaSqliteDriver.open(m);
    d.exec(`PRAGMA cache_size=-256; CREATE TABLE t (a TEXT, b INTEGER)`);
    d.exec("BEGIN");
    // ~3 MB of rows: well past the 256 KiB cache, so SQLite's sorter and temp btrees spill.
    for (let i = 0; i < 30_000; i++) d.run(`INSERT INTO t VALUES (?, ?)`, [`${(i * 7919) % 30_000}`.padStart(8, "0") + "x".repeat(90), i]);
    d.exec("COMMIT");
    expect(d.all(`SELECT substr(a, 1, 8) FROM t ORDER BY a LIMIT 2`)).toEqual([["00000000"], ["00000001"]]);
    expect(d.all(`SELECT count(*) FROM (SELECT a, count(*) FROM t GROUP BY a ORDER BY 2 DESC)`)).toEqual([[30_000]]);
    d.exec(`CREATE INDEX t_a ON t(a); CREATE TEMP TABLE copy AS SELECT * FROM t`);
    expect(d.all(`SELECT count(*) FROM temp.copy`)).toEqual([[30_000]]);
    d.exec("VACUUM");
    d.close();
  });

  it("answers SQLite's randomness, clock and heap growth from JS", () => {
    const d = WaSqliteDriver.open(m);
    const [[r1, r2]] = d.all(`SELECT hex(randomblob(16)), hex(randomblob(16))`) as [[string, string]];
    expect(r1).toMatch(/^[0-9A-F]{32}$/);
    expect(r1).not.toBe(r2);
    const [[now]] = d.all(`SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)`) as [[number]];
    expect(Math.abs(now - Date.now())).toBeLessThan(5000);
    // localtime goes through the tm struct the wasm reads back: same wall clock as JS's Date.
    const pad = (n: number) => String(n).padStart(2, "0");
    for (const t of [1_700_000_000, 1_690_000_000]) { // November and July (DST where it applies)
      const local = new Date(t * 1000);
      const expected = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}`;
      expect(d.all(`SELECT datetime(?, 'unixepoch', 'localtime')`, [t])).toEqual([[expected]]);
    }
    const before = m.HEAPU8.byteLength;
    const big = new Uint8Array(before + (1 << 20)).fill(7);
    d.exec(`CREATE TABLE b (x BLOB)`);
    d.run(`INSERT INTO b VALUES (?)`, [big]);
    expect(m.HEAPU8.byteLength).toBeGreaterThan(before);
    expect(d.all(`SELECT length(x), hex(substr(x, -2)) FROM b`)).toEqual([[big.byteLength, "0707"]]);
    d.close();
  });
});
