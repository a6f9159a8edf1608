import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../sql/driver.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { QueryIR } from "../query/ir.ts";
import { createTableStatements, indexedColumns } from "./ddl.ts";
import { compileQuery } from "../query/compile.ts";
import { createNodeSqlDriver } from "../../../sqlite-node/src/index.ts";

const schema: RuntimeSchema = {
  tables: {
    items: {
      columns: {
        cat: { type: { kind: "string" }, optional: false, merge: "lww" },
        n: { type: { kind: "int" }, optional: false, merge: "lww" },
        flag: { type: { kind: "boolean" }, optional: false, merge: "lww" },
        meta: { type: { kind: "json" }, optional: true, merge: "lww" },
        tags: { type: { kind: "array", element: { kind: "string" } }, optional: true, merge: "lww" },
      },
    },
    "we\"ird": { columns: { "co\"l": { type: { kind: "string" }, optional: false, merge: "lww" } }, indexOnly: [] },
  },
};

describe("createTableStatements", () => {
  it("creates the layout.ts table and indexes, idempotently, with quoted identifiers", () => {
    const d = createNodeSqlDriver();
    for (let i = 0; i < 2; i++) for (const t of Object.keys(schema.tables)) for (const s of createTableStatements(t, schema.tables[t])) d.exec(s);
    const cols = d.all(`SELECT name, type FROM pragma_table_info('items')`).map((r) => `${r[0]} ${r[1]}`);
    expect(cols).toEqual([
      "id TEXT", "cat TEXT", "n INTEGER", "flag INTEGER", "meta TEXT", "tags TEXT",
      "$createdBy TEXT", "$createdAt INTEGER", "$updatedBy TEXT", "$updatedAt INTEGER",
      "$ts INTEGER", "$batch TEXT", "$clocks TEXT", "$deletedAt INTEGER",
    ]);
    const idx = d.all(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name`).map((r) => r[0]);
    expect(idx).toEqual(["items$idx$$createdAt", "items$idx$cat", "items$idx$flag", "items$idx$n"]);
    expect(d.all(`SELECT name FROM pragma_table_info('we"ird')`).map((r) => r[0])).toContain('co"l');
    d.close();
  });

  it("indexes every indexable column by default, or only indexOnly", () => {
    expect(indexedColumns(schema.tables.items)).toEqual(["cat", "n", "flag"]);
    expect(indexedColumns({ ...schema.tables.items, indexOnly: ["n", "meta"] })).toEqual(["n", "meta"]);
    expect(indexedColumns(schema.tables["we\"ird"])).toEqual([]);
  });
});

describe("query plans over 100,000 rows", () => {
  let d: SqlDriver;
  beforeAll(() => {
    d = createNodeSqlDriver();
    for (const s of createTableStatements("items", schema.tables.items)) d.exec(s);
    // One INSERT … SELECT over a counter: 100 categories × 1,000 rows, n cycling over 997 values.
    d.exec(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < 99999)
      INSERT INTO items (id, cat, n, flag, "$createdAt", "$createdBy", "$ts", "$batch")
      SELECT printf('id%06d', i), 'c' || (i % 100), i % 997, i % 2, 1700000000000000 + i, 'u', 1700000000000000 + i, 'b' FROM seq`);
  }, 60_000);
  afterAll(() => d.close());

  const plan = (ir: QueryIR) => {
    const c = compileQuery(schema, ir);
    return { rows: d.all(c.sql, c.params).map((r) => c.decode(r)), plan: d.all(`EXPLAIN QUERY PLAN ${c.sql}`, c.params).map((r) => String(r[3])).join("\n") };
  };

  it("where({ cat }) selecting 1,000 rows searches the index and needs no sort for the default id order", () => {
    const { rows, plan: p } = plan({ table: "items", conditions: [{ column: "cat", op: "eq", value: "c42" }], orderBy: [], includes: [] });
    expect(rows).toHaveLength(1000);
    expect(String(rows[0].id) < String(rows[1].id)).toBe(true);
    expect(p).toMatch(/SEARCH t0 USING INDEX items\$idx\$cat \(cat=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("orderBy(indexed col) with a limit walks the index instead of sorting the table", () => {
    const { rows, plan: p } = plan({ table: "items", conditions: [], orderBy: [["n", "asc"]], limit: 10, includes: [] });
    expect(rows.map((r) => r.n)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(p).toMatch(/SCAN t0 USING INDEX items\$idx\$n/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });
});
