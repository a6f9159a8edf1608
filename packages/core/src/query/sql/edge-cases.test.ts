import { describe, expect, it } from "vitest";
import type { ColumnSchema, RuntimeSchema } from "../../schema/runtime.ts";
import type { QueryIR } from "../ir.ts";
import { compileQuery } from "../compile.ts";
import { openDb, put, schema } from "./test-fixtures.ts";

const q = (table: string, p: Partial<QueryIR> = {}): QueryIR => ({ table, conditions: [], orderBy: [], includes: [], ...p });

describe("limits of SQLite", () => {
  it("includes of wide tables (more columns than SQLite allows function arguments)", () => {
    const columns: Record<string, ColumnSchema> = { ownerId: { type: { kind: "ref", table: "owners" }, optional: false, merge: "lww" } };
    for (let i = 0; i < 150; i++) columns[`c${i}`] = { type: { kind: i % 2 ? "int" : "boolean" }, optional: true, merge: "lww" };
    const wide: RuntimeSchema = { tables: { owners: { columns: {} }, wides: { columns } } };
    const d = openDb(wide);
    put(d, "owners", "o1", {}, {}, wide);
    const values: Record<string, unknown> = { ownerId: "o1" };
    for (let i = 0; i < 150; i++) values[`c${i}`] = i % 3 === 0 ? null : i % 2 ? i : i % 4 === 0;
    put(d, "wides", "w1", values, {}, wide);
    const c = compileQuery(wide, q("owners", { includes: [{ relation: "widesViaOwner", query: q("wides") }] }));
    expect(c.sql).toContain("json_insert(");
    const [row] = d.all(c.sql, c.params).map(c.decode);
    expect(row.widesViaOwner).toEqual([{ id: "w1", ...values }]);
    expect(Object.keys((row.widesViaOwner as object[])[0])).toEqual(["id", ...Object.keys(columns)]);
    d.close();
  });

  it("long in() lists go in as one JSON parameter (any length, one statement shape)", () => {
    const d = openDb();
    for (let i = 0; i < 50; i++) put(d, "todos", `t${String(i).padStart(2, "0")}`, { title: `n${i}`, done: false, priority: i });
    const idList = Array.from({ length: 40_000 }, (_, i) => `x${i}`).concat(["t07", "t03"]);
    const c = compileQuery(schema, q("todos", { conditions: [{ column: "id", op: "in", value: idList }] }));
    expect(c.params).toHaveLength(1);
    expect(d.all(c.sql, c.params).map((r) => c.decode(r).id)).toEqual(["t03", "t07"]);
    const c2 = compileQuery(schema, q("todos", { conditions: [{ column: "priority", op: "in", value: [...Array(30).keys()].map((k): number | null => k + 20).concat([null]) }] }));
    expect(d.all(c2.sql, c2.params).length).toBe(30);
    d.close();
  });
});

describe("read hooks", () => {
  it("applies transform.from to decoded values, top level and nested, never to null", () => {
    const d = openDb();
    put(d, "projects", "p1", { name: "work" });
    put(d, "todos", "t1", { title: "a", done: false, projectId: "p1", due: new Date(5) });
    put(d, "todos", "t2", { title: "b", done: false });
    const hooks = {
      projects: { name: { transform: { from: (v: string) => v.toUpperCase() } } },
      todos: { due: { transform: { from: (v: Date) => v.getTime() } } },
    };
    const c = compileQuery(schema, q("todos", { select: ["due"], includes: [{ relation: "project", query: q("projects") }] }), { hooks });
    expect(d.all(c.sql, c.params).map(c.decode)).toEqual([
      { id: "t1", due: 5, project: { id: "p1", name: "WORK" } },
      { id: "t2", due: null, project: null },
    ]);
    d.close();
  });
});
