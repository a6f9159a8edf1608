import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../sql/driver.ts";
import type { Condition, QueryIR } from "../ir.ts";
import { compileQuery, type CompileOptions, type PolicyHook } from "../compile.ts";
import { openDb, put, schema } from "./test-fixtures.ts";

const q = (table: string, p: Partial<QueryIR> = {}): QueryIR => ({ table, conditions: [], orderBy: [], includes: [], ...p });
const w = (column: string, op: Condition["op"], value: unknown): Condition => ({ column, op, value });

let d: SqlDriver;
const run = (ir: QueryIR, opts?: CompileOptions) => {
  const c = compileQuery(schema, ir, opts);
  return d.all(c.sql, c.params).map((r) => c.decode(r));
};

// Reads: todos only when not done; projects only when named other than "Secret".
// Edits: todos with priority > 1. Deletes: nobody's (false).
const policy: PolicyHook = (table, op, alias) => {
  if (table === "todos" && op === "read") return { sql: `${alias}."done" = ?`, params: [0] };
  if (table === "projects" && op === "read") return { sql: `${alias}."name" <> ?`, params: ["Secret"] };
  if (table === "todos" && op === "update") return { sql: `${alias}."priority" > ?`, params: [1] };
  if (table === "todos" && op === "delete") return { sql: `0`, params: [] };
  return null;
};

beforeEach(() => {
  d = openDb();
  put(d, "projects", "p1", { name: "Work" });
  put(d, "projects", "p2", { name: "Secret" });
  put(d, "todos", "t1", { title: "open", done: false, priority: 2, projectId: "p1" });
  put(d, "todos", "t2", { title: "closed", done: true, priority: 3, projectId: "p1" });
  put(d, "todos", "t3", { title: "secret", done: false, priority: 1, projectId: "p2" });
  put(d, "comments", "c1", { body: "on open", todoId: "t1" });
  put(d, "comments", "c2", { body: "on closed", todoId: "t2" });
});
afterEach(() => d.close());

describe("policy hook", () => {
  it("the read predicate filters the main table", () => {
    expect(run(q("todos"), { policy }).map((r) => r.id)).toEqual(["t1", "t3"]);
    expect(run(q("todos")).map((r) => r.id)).toEqual(["t1", "t2", "t3"]);
  });

  it("denied rows never appear in includes (forward and reverse)", () => {
    expect(run(q("projects", { includes: [{ relation: "todosViaProject", query: q("todos", { select: ["title"] }) }] }), { policy })).toEqual([
      { id: "p1", name: "Work", todosViaProject: [{ id: "t1", title: "open" }] },
    ]);
    const rows = run(q("todos", { select: ["title"], includes: [{ relation: "project", query: q("projects") }] }), { policy });
    expect(rows).toEqual([
      { id: "t1", title: "open", project: { id: "p1", name: "Work" } },
      { id: "t3", title: "secret", project: null },
    ]);
  });

  it("requireIncludes treats an unreadable related row as missing", () => {
    const ir = q("todos", { select: ["title"], requireIncludes: true, includes: [{ relation: "project", query: q("projects") }] });
    const c = compileQuery(schema, ir, { policy });
    expect(c.sql.split("?").length - 1).toBe(c.params.length);
    expect(run(ir, { policy }).map((r) => r.id)).toEqual(["t1"]);
  });

  it("denied rows are not hopped through or to", () => {
    expect(run(q("comments", { hops: ["todo"] }), { policy }).map((r) => r.id)).toEqual(["t1"]);
    expect(run(q("comments", { conditions: [w("id", "eq", "c2")], hops: ["todo", "project"] }), { policy })).toEqual([]);
  });

  it("denied rows stop a gather", () => {
    put(d, "teams", "r", { name: "r" });
    put(d, "teams", "a", { name: "hidden", parentId: "r" });
    put(d, "teams", "b", { name: "b", parentId: "a" });
    const teamPolicy: PolicyHook = (table, op, alias) => (table === "teams" && op === "read" ? { sql: `${alias}."name" <> ?`, params: ["hidden"] } : null);
    const step = q("teams", { conditions: [w("parentId", "eq", { $current: true })] });
    expect(run(q("teams", { conditions: [w("id", "eq", "r")], gather: { step, maxDepth: 5 } })).map((r) => r.id)).toEqual(["a", "b", "r"]);
    expect(run(q("teams", { conditions: [w("id", "eq", "r")], gather: { step, maxDepth: 5 } }), { policy: teamPolicy }).map((r) => r.id)).toEqual(["r"]);
  });

  it("$canRead/$canEdit/$canDelete come from the predicates (true without a hook), selectable and filterable", () => {
    const sel = ["title", "$canRead", "$canEdit", "$canDelete"];
    expect(run(q("todos", { select: sel }), { policy })).toEqual([
      { id: "t1", title: "open", $canRead: true, $canEdit: true, $canDelete: false },
      { id: "t3", title: "secret", $canRead: true, $canEdit: false, $canDelete: false },
    ]);
    expect(run(q("todos", { select: sel, limit: 1 }))[0]).toMatchObject({ $canRead: true, $canEdit: true, $canDelete: true });
    expect(run(q("todos", { conditions: [w("$canEdit", "eq", false)] }), { policy }).map((r) => r.id)).toEqual(["t3"]);
    expect(run(q("todos", { conditions: [w("$canEdit", "ne", false)] }), { policy }).map((r) => r.id)).toEqual(["t1"]);
  });

  it("keeps parameters aligned when policies, conditions and includes interleave", () => {
    const ir = q("projects", {
      conditions: [w("name", "ne", "zzz")],
      includes: [{ relation: "todosViaProject", query: q("todos", { select: ["title", "$canEdit"], conditions: [w("priority", "gte", 2)], limit: 5 }) }],
      limit: 10,
    });
    const c = compileQuery(schema, ir, { policy });
    expect(c.sql.split("?").length - 1).toBe(c.params.length);
    expect(d.all(c.sql, c.params).map((r) => c.decode(r))).toEqual([
      { id: "p1", name: "Work", todosViaProject: [{ id: "t1", title: "open", $canEdit: true }] },
    ]);
  });
});
