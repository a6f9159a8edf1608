import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../sql/driver.ts";
import type { Condition, QueryIR } from "../ir.ts";
import { compileQuery, tablesRead, type CompileOptions } from "../compile.ts";
import { QueryError } from "../errors.ts";
import { canonicalJson } from "../../engine/decode.ts";
import { openDb, put, schema } from "./test-fixtures.ts";

const q = (table: string, p: Partial<QueryIR> = {}): QueryIR => ({ table, conditions: [], orderBy: [], includes: [], ...p });
const w = (column: string, op: Condition["op"], value: unknown): Condition => ({ column, op, value });

let d: SqlDriver;
const run = (ir: QueryIR, opts?: CompileOptions) => {
  const c = compileQuery(schema, ir, opts);
  return d.all(c.sql, c.params).map((r) => c.decode(r));
};
const ids = (ir: QueryIR, opts?: CompileOptions) => run(ir, opts).map((r) => r.id);

// Ids sort in creation order, like UUIDv7s.
const P1 = "p1", P2 = "p2";
const T1 = "t1", T2 = "t2", T3 = "t3", T4 = "t4", TDEL = "t5", TPENDING = "t6";

beforeEach(() => {
  d = openDb();
  put(d, "projects", P1, { name: "Work" });
  put(d, "projects", P2, { name: "Home" });
  put(d, "tags", "g1", { label: "red" });
  put(d, "tags", "g2", { label: "blue" });
  put(d, "todos", T1, {
    title: "Buy Milk", done: false, priority: 2, score: 1.5, due: new Date(1_000), blob: new Uint8Array([1, 2, 3]),
    meta: { b: 1, a: [1, 2] }, status: "todo", projectId: P1, tagIds: ["g2", "g1"], labels: ["x", "y"], dates: [new Date(5)],
  });
  put(d, "todos", T2, { title: "walk dog", done: true, priority: 5, score: -3, due: new Date(2_000), blob: new Uint8Array([9]), meta: "s", status: "done", projectId: P2, labels: ["y"] });
  put(d, "todos", T3, { title: "it's \"quoted\"; DROP TABLE todos; --", done: false, priority: 2, projectId: P1 });
  put(d, "todos", T4, { title: "milk again", done: true, projectId: "missing" });
  put(d, "todos", TDEL, { title: "deleted Milk", done: false, priority: 2 }, { deletedAt: 1 });
  put(d, "todos", TPENDING, { title: "not yet created Milk", done: false, priority: 2 }, { createdAt: null });
  put(d, "comments", "c1", { body: "first", todoId: T1 });
  put(d, "comments", "c2", { body: "second", todoId: T1 });
  put(d, "comments", "c3", { body: "on deleted", todoId: TDEL });
});
afterEach(() => d.close());

describe("compileQuery: plain queries", () => {
  it("returns visible rows only, in id order, decoded with schema column order", () => {
    const rows = run(q("todos"));
    expect(rows.map((r) => r.id)).toEqual([T1, T2, T3, T4]);
    expect(Object.keys(rows[0])).toEqual(["id", ...Object.keys(schema.tables.todos.columns)]);
    expect(rows[0]).toEqual({
      id: T1, title: "Buy Milk", done: false, priority: 2, score: 1.5, due: new Date(1_000),
      blob: new Uint8Array([1, 2, 3]), meta: { b: 1, a: [1, 2] }, status: "todo", projectId: P1,
      tagIds: ["g2", "g1"], labels: ["x", "y"], dates: [new Date(5)],
    });
    expect(rows[0].blob).toBeInstanceOf(Uint8Array);
    expect(rows[0].due).toBeInstanceOf(Date);
    expect(rows[2]).toMatchObject({ priority: 2, score: null, due: null, blob: null, meta: null, tagIds: null, done: false });
  });

  it("eq / ne with null semantics", () => {
    expect(ids(q("todos", { conditions: [w("priority", "eq", 2)] }))).toEqual([T1, T3]);
    expect(ids(q("todos", { conditions: [w("priority", "ne", 2)] }))).toEqual([T2, T4]); // null ≠ 2
    expect(ids(q("todos", { conditions: [w("priority", "eq", null)] }))).toEqual([T4]);
    expect(ids(q("todos", { conditions: [w("priority", "ne", null)] }))).toEqual([T1, T2, T3]);
    expect(ids(q("todos", { conditions: [w("priority", "isNull", true)] }))).toEqual([T4]);
    expect(ids(q("todos", { conditions: [w("priority", "isNull", false)] }))).toEqual([T1, T2, T3]);
    expect(ids(q("todos", { conditions: [w("id", "eq", T2)] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("id", "ne", T2)] }))).toEqual([T1, T3, T4]);
  });

  it("numeric comparisons, AND of several conditions", () => {
    expect(ids(q("todos", { conditions: [w("priority", "gt", 2)] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("priority", "gte", 2)] }))).toEqual([T1, T2, T3]);
    expect(ids(q("todos", { conditions: [w("priority", "lt", 5)] }))).toEqual([T1, T3]);
    expect(ids(q("todos", { conditions: [w("priority", "lte", 5), w("done", "eq", true)] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("score", "lt", 0)] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("score", "gte", 1.5)] }))).toEqual([T1]);
  });

  it("in (with null), on ids, ints, enums, refs and strings; empty in matches nothing", () => {
    expect(ids(q("todos", { conditions: [w("id", "in", [T4, T1, "nope"])] }))).toEqual([T1, T4]);
    expect(ids(q("todos", { conditions: [w("priority", "in", [5, null])] }))).toEqual([T2, T4]);
    expect(ids(q("todos", { conditions: [w("status", "in", ["done", "todo"])] }))).toEqual([T1, T2]);
    expect(ids(q("todos", { conditions: [w("projectId", "in", [P2])] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("title", "in", ["walk dog"])] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("id", "in", [])] }))).toEqual([]);
  });

  it("contains on text is a case-sensitive substring (no LIKE wildcards)", () => {
    expect(ids(q("todos", { conditions: [w("title", "contains", "Milk")] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("title", "contains", "milk")] }))).toEqual([T4]);
    expect(ids(q("todos", { conditions: [w("title", "contains", "%")] }))).toEqual([]);
    expect(ids(q("todos", { conditions: [w("title", "contains", "_")] }))).toEqual([]);
    expect(ids(q("todos", { conditions: [w("title", "contains", "")] }))).toEqual([T1, T2, T3, T4]);
  });

  it("contains on arrays is element membership", () => {
    expect(ids(q("todos", { conditions: [w("labels", "contains", "y")] }))).toEqual([T1, T2]);
    expect(ids(q("todos", { conditions: [w("labels", "contains", "x")] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("tagIds", "contains", "g1")] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("dates", "contains", new Date(5))] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("dates", "contains", 5)] }))).toEqual([T1]);
  });

  it("array eq / ne compare the whole array", () => {
    expect(ids(q("todos", { conditions: [w("labels", "eq", ["x", "y"])] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("labels", "eq", ["y", "x"])] }))).toEqual([]);
    expect(ids(q("todos", { conditions: [w("labels", "ne", ["y"])] }))).toEqual([T1, T3, T4]);
  });

  it("booleans compare as 0/1", () => {
    expect(ids(q("todos", { conditions: [w("done", "eq", true)] }))).toEqual([T2, T4]);
    expect(ids(q("todos", { conditions: [w("done", "eq", false)] }))).toEqual([T1, T3]);
    expect(ids(q("todos", { conditions: [w("done", "ne", true)] }))).toEqual([T1, T3]);
  });

  it("timestamps compare in ms, given as numbers (wire form) or Dates", () => {
    expect(ids(q("todos", { conditions: [w("due", "eq", 1_000)] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("due", "gt", new Date(1_000))] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("due", "lte", 2_000)] }))).toEqual([T1, T2]);
  });

  it("bytes compare as BLOB, given as Uint8Array or wire { $bytes: base64 }", () => {
    expect(ids(q("todos", { conditions: [w("blob", "eq", new Uint8Array([1, 2, 3]))] }))).toEqual([T1]);
    expect(ids(q("todos", { conditions: [w("blob", "eq", { $bytes: btoa(String.fromCharCode(9)) })] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("blob", "ne", new Uint8Array([9]))] }))).toEqual([T1, T3, T4]);
  });

  it("json eq/ne/in compare JSON values, whatever the key order of the stored text", () => {
    const m = (v: unknown) => ids(q("todos", { conditions: [w("meta", "eq", v)] }));
    expect(m({ b: 1, a: [1, 2] })).toEqual([T1]);
    expect(m({ a: [1, 2], b: 1 })).toEqual([T1]);
    for (const other of [{ a: [2, 1], b: 1 }, { a: [1, 2], b: 1, c: 0 }, { a: [1, 2] }, { a: [1, 2], b: "1" }, { a: [1, 2], b: true }, { a: [1, 2, null], b: 1 }, { a: { 0: 1, 1: 2 }, b: 1 }, [1, 2]])
      expect(m(other)).toEqual([]);
    expect(m("s")).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("meta", "ne", "s")] }))).toEqual([T1, T3, T4]);
    expect(ids(q("todos", { conditions: [w("meta", "ne", { a: [1, 2], b: 1 })] }))).toEqual([T2, T3, T4]);
    expect(ids(q("todos", { conditions: [w("meta", "in", ["s", { a: [1, 2], b: 1 }])] }))).toEqual([T1, T2]);
    expect(ids(q("todos", { conditions: [w("meta", "in", [null, "s"])] }))).toEqual([T2, T3, T4]);
    // stored canonically (sorted keys) works the same
    d.run(`UPDATE todos SET meta = ? WHERE id = ?`, [canonicalJson({ b: 1, a: [1, 2] }), T1]);
    expect(m({ b: 1, a: [1, 2] })).toEqual([T1]);
    // nested objects, nulls, empty containers, floats
    const deep = { z: { y: [{}, [], null, 1.5, "x"], x: false }, "a b": { "c.d": 1 } };
    d.run(`UPDATE todos SET meta = ? WHERE id = ?`, [JSON.stringify(deep), T3]);
    expect(m({ "a b": { "c.d": 1 }, z: { x: false, y: [{}, [], null, 1.5, "x"] } })).toEqual([T3]);
    expect(m({ "a b": { "c.d": 1 }, z: { x: false, y: [[], {}, null, 1.5, "x"] } })).toEqual([]);
  });

  it("enum and ref eq", () => {
    expect(ids(q("todos", { conditions: [w("status", "eq", "done")] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("projectId", "eq", P1)] }))).toEqual([T1, T3]);
    expect(ids(q("todos", { conditions: [w("projectId", "ne", P1)] }))).toEqual([T2, T4]);
  });

  it("values containing quotes or SQL are passed as parameters, never spliced", () => {
    const evil = `it's "quoted"; DROP TABLE todos; --`;
    const c = compileQuery(schema, q("todos", { conditions: [w("title", "eq", evil)] }));
    expect(c.sql).not.toContain("DROP");
    expect(c.sql).not.toContain("quoted");
    expect(c.params).toContain(evil);
    expect(ids(q("todos", { conditions: [w("title", "eq", evil)] }))).toEqual([T3]);
    expect(ids(q("todos", { conditions: [w("title", "contains", `"; DROP`)] }))).toEqual([T3]);
    expect(ids(q("todos"))).toHaveLength(4);
  });
});

describe("compileQuery: order, limit, select", () => {
  it("orderBy chain; ties broken by id ascending, also for desc", () => {
    expect(ids(q("todos", { orderBy: [["priority", "asc"]] }))).toEqual([T4, T1, T3, T2]); // null first
    expect(ids(q("todos", { orderBy: [["priority", "desc"]] }))).toEqual([T2, T1, T3, T4]);
    expect(ids(q("todos", { orderBy: [["done", "asc"], ["priority", "desc"]] }))).toEqual([T1, T3, T2, T4]);
    expect(ids(q("todos", { orderBy: [["id", "desc"]] }))).toEqual([T4, T3, T2, T1]);
    expect(ids(q("todos", { orderBy: [["title", "asc"]] }))).toEqual([T1, T3, T4, T2]);
  });

  it("limit and offset", () => {
    expect(ids(q("todos", { limit: 2 }))).toEqual([T1, T2]);
    expect(ids(q("todos", { limit: 2, offset: 1 }))).toEqual([T2, T3]);
    expect(ids(q("todos", { offset: 3 }))).toEqual([T4]);
    expect(ids(q("todos", { limit: 0 }))).toEqual([]);
    expect(ids(q("todos", { orderBy: [["priority", "desc"]], limit: 1, offset: 1 }))).toEqual([T1]);
  });

  it("select returns only the selected columns plus id; magic columns only when selected", () => {
    const [r] = run(q("todos", { select: ["done", "title"], limit: 1 }));
    expect(r).toEqual({ id: T1, title: "Buy Milk", done: false });
    expect(Object.keys(r)).toEqual(["id", "title", "done"]);
    const [m] = run(q("todos", { select: ["title", "$createdAt", "$createdBy", "$updatedAt", "$updatedBy"], limit: 1 }));
    expect(m.$createdBy).toBe("alice");
    expect(m.$createdAt).toBeInstanceOf(Date);
    const [all] = run(q("todos", { select: ["*", "$canRead", "$canEdit", "$canDelete"], limit: 1 }));
    expect(all).toMatchObject({ title: "Buy Milk", $canRead: true, $canEdit: true, $canDelete: true });
    expect(Object.keys(all)).toHaveLength(1 + 12 + 3);
  });

  it("provenance columns return µs/1000 as a Date and filter in ms", () => {
    d.exec(`UPDATE todos SET "$createdAt" = 5000000, "$createdBy" = 'bob' WHERE id = 't2'`);
    const [r] = run(q("todos", { select: ["$createdAt", "$createdBy"], conditions: [w("$createdBy", "eq", "bob")] }));
    expect(r).toEqual({ id: T2, $createdAt: new Date(5000), $createdBy: "bob" });
    expect(ids(q("todos", { conditions: [w("$createdAt", "lte", 5000)] }))).toEqual([T2]);
    expect(ids(q("todos", { conditions: [w("$createdAt", "lt", new Date(5000))] }))).toEqual([]);
    expect(ids(q("todos", { orderBy: [["$createdAt", "asc"]], limit: 1 }))).toEqual([T2]);
  });
});

describe("compileQuery: validation", () => {
  const err = (ir: QueryIR) => {
    try {
      compileQuery(schema, ir);
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected a QueryError");
  };
  it("unknown table and column", () => {
    expect(err(q("nope"))).toBeInstanceOf(QueryError);
    expect(err(q("nope")).message).toMatch(/Unknown table "nope".*todos/);
    const e = err(q("todos", { conditions: [w("titel", "eq", "x")] }));
    expect(e.name).toBe("QueryError");
    expect(e.message).toMatch(/Unknown column "titel".*title/);
    expect(err(q("todos", { select: ["nope"] })).message).toMatch(/Unknown column "nope" in select/);
    expect(err(q("todos", { orderBy: [["nope", "asc"]] })).message).toMatch(/Unknown column "nope" in orderBy/);
  });
  it("operator not allowed for the column type", () => {
    expect(err(q("todos", { conditions: [w("title", "gt", "a")] })).message).toMatch(/Operator "gt" is not allowed on todos.title \(string\)\. Allowed: eq, ne, contains/);
    expect(err(q("todos", { conditions: [w("blob", "in", [])] })).message).toMatch(/"in" is not allowed on todos.blob \(bytes\)/);
    expect(err(q("todos", { conditions: [w("meta", "contains", "x")] })).message).toMatch(/not allowed on todos.meta \(json\)/);
    expect(err(q("todos", { conditions: [w("done", "lt", true)] })).message).toMatch(/not allowed/);
  });
  it("bad value type for an operator", () => {
    expect(err(q("todos", { conditions: [w("priority", "gt", "3")] })).message).toMatch(/Bad value for todos.priority gt: expected a number, got "3"/);
    expect(err(q("todos", { conditions: [w("done", "eq", 1)] })).message).toMatch(/expected a boolean/);
    expect(err(q("todos", { conditions: [w("status", "eq", "nah")] })).message).toMatch(/expected one of "doing", "done", "todo"/);
    expect(err(q("todos", { conditions: [w("id", "in", "t1")] })).message).toMatch(/expected an array/);
    expect(err(q("todos", { conditions: [w("labels", "contains", 3)] })).message).toMatch(/expected a string/);
    expect(err(q("todos", { conditions: [w("due", "gt", "yesterday")] })).message).toMatch(/expected a Date or a ms number/);
    expect(err(q("todos", { conditions: [w("priority", "isNull", "yes")] })).message).toMatch(/expected true or false/);
    expect(err(q("todos", { limit: -1 })).message).toMatch(/limit must be a non-negative integer/);
  });
});

describe("tablesRead", () => {
  it("lists own, included, hopped and gathered tables", () => {
    expect(tablesRead(schema, q("todos"))).toEqual(new Set(["todos"]));
    expect(
      tablesRead(schema, q("projects", { includes: [{ relation: "todosViaProject", query: q("todos", { includes: [{ relation: "tags", query: q("tags") }] }) }] })),
    ).toEqual(new Set(["projects", "todos", "tags"]));
    expect(tablesRead(schema, q("comments", { hops: ["todo", "project"] }))).toEqual(new Set(["comments", "todos", "projects"]));
    expect(
      tablesRead(schema, q("teams", { gather: { step: q("team_edges", { conditions: [w("childTeamId", "eq", { $current: true })], hops: ["parentTeam"] }), maxDepth: 3 } })),
    ).toEqual(new Set(["teams", "team_edges"]));
  });
});
