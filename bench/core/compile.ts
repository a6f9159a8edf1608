// Micro-benchmark: the SQL compiler + decoder against hand-written SQL on the same driver.
// 100,000 rows; where({ cat }) selects 1,000 by an indexed column. Run:
//   pnpm exec tsx bench/core/compile.ts
import { compileQuery, createTableStatements, type QueryIR, type RuntimeSchema } from "../../packages/core/src/index.ts";
import { createNodeSqlDriver } from "../../packages/sqlite-node/src/index.ts";

const col = (kind: "string" | "boolean" | "int" | "timestamp" | "json", optional = false) => ({ type: { kind } as never, optional, merge: "lww" as const });
const schema: RuntimeSchema = {
  tables: {
    items: { columns: { title: col("string"), done: col("boolean"), priority: col("int"), cat: col("string"), due: col("timestamp"), meta: col("json", true) } },
  },
};
const d = createNodeSqlDriver();
for (const s of createTableStatements("items", schema.tables.items)) d.exec(s);
d.exec(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < 99999)
  INSERT INTO items (id, title, done, priority, cat, due, meta, "$createdAt", "$createdBy", "$ts", "$batch")
  SELECT printf('0190a5c4-0000-7000-8000-%012d', i), 'title ' || i, i % 2, i % 997, 'c' || (i % 100), 1700000000000 + i,
         CASE WHEN i % 3 = 0 THEN '{"a":1}' END, 1700000000000000 + i, 'u', 1700000000000000 + i, 'b' FROM seq`);

const ir: QueryIR = { table: "items", conditions: [{ column: "cat", op: "eq", value: "c42" }], orderBy: [], includes: [] };
const rawSql = `SELECT id, title, done, priority, cat, due, meta FROM items WHERE cat = ? AND "$createdAt" IS NOT NULL AND "$deletedAt" IS NULL ORDER BY id`;

// Interleaved rounds, best of each: the machine is shared, so minima are the fairest comparison.
function time(fn: () => number, iters = 50): number {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < iters; i++) n += fn();
  if (n !== iters * 1000) throw new Error("expected 1000 rows per run");
  return (performance.now() - t0) / iters;
}

const compiled = compileQuery(schema, ir);
const fns: Record<string, () => number> = {
  raw: () => d.all(rawSql, ["c42"]).length,
  rawObjects: () =>
    d.all(rawSql, ["c42"]).map((r) => ({ id: r[0], title: r[1], done: r[2] === 1, priority: r[3], cat: r[4], due: new Date(r[5] as number), meta: r[6] === null ? null : JSON.parse(r[6] as string) })).length,
  cached: () => d.all(compiled.sql, compiled.params).map(compiled.decode).length,
  fresh: () => {
    const c = compileQuery(schema, ir);
    return d.all(c.sql, c.params).map(c.decode).length;
  },
};
const best: Record<string, number> = {};
for (let round = 0; round < 7; round++)
  for (const [k, fn] of Object.entries(fns)) best[k] = Math.min(best[k] ?? Infinity, time(fn, round === 0 ? 5 : 50));
const raw = best.raw;
const rowsOnce = d.all(compiled.sql, compiled.params);
let decodeOnly = Infinity;
for (let round = 0; round < 7; round++) {
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) rowsOnce.map(compiled.decode);
  decodeOnly = Math.min(decodeOnly, (performance.now() - t0) / 50);
}
const compileOnly = (() => {
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) compileQuery(schema, ir);
  return (performance.now() - t0) / 10_000;
})();

const row = (name: string, ms: number) => console.log(`${name.padEnd(34)} ${ms.toFixed(3).padStart(8)} ms   ${(ms / raw).toFixed(2)}× raw`);
console.log("1,000 of 100,000 rows by an indexed column (Node, better-sqlite3)");
row("raw SQL, arrays", raw);
row("raw SQL + hand-written objects", best.rawObjects);
row("compiled (reused) + decode", best.cached);
row("compileQuery each time + decode", best.fresh);
row("decode alone (1,000 rows)", decodeOnly);
console.log(`compileQuery alone: ${(compileOnly * 1000).toFixed(1)} µs`);
d.close();
