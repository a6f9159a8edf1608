import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../sql/driver.ts";
import type { Condition, QueryIR } from "../ir.ts";
import { compileQuery, type CompileOptions } from "../compile.ts";
import { QueryError } from "../errors.ts";
import { openDb, put, schema } from "./test-fixtures.ts";

const q = (table: string, p: Partial<QueryIR> = {}): QueryIR => ({ table, conditions: [], orderBy: [], includes: [], ...p });
const w = (column: string, op: Condition["op"], value: unknown): Condition => ({ column, op, value });
const inc = (relation: string, query: QueryIR) => ({ relation, query });

let d: SqlDriver;
const run = (ir: QueryIR, opts?: CompileOptions) => {
  const c = compileQuery(schema, ir, opts);
  return d.all(c.sql, c.params).map((r) => c.decode(r));
};

beforeEach(() => {
  d = openDb();
  put(d, "projects", "p1", { name: "Work" });
  put(d, "projects", "p2", { name: "Home" });
  put(d, "projects", "p3", { name: "Gone" }, { deletedAt: 5 });
  put(d, "tags", "g1", { label: "red" });
  put(d, "tags", "g2", { label: "blue" });
  put(d, "tags", "g3", { label: "deleted" }, { deletedAt: 5 });
  put(d, "todos", "t1", { title: "a", done: false, projectId: "p1", tagIds: ["g2", "g1", "g3"], due: new Date(7), blob: new Uint8Array([0, 255, 16]), meta: { k: [1, "x"] }, dates: [new Date(9)] });
  put(d, "todos", "t2", { title: "b", done: true, projectId: "p2", priority: 3 });
  put(d, "todos", "t3", { title: "c", done: false, projectId: "p1", priority: 1 });
  put(d, "todos", "t4", { title: "d", done: false, projectId: "p3" }); // project deleted
  put(d, "todos", "t5", { title: "e", done: false }); // no project
  put(d, "comments", "c1", { body: "one", todoId: "t1" });
  put(d, "comments", "c2", { body: "two", todoId: "t1" });
  put(d, "comments", "c3", { body: "three", todoId: "t3" });
});
afterEach(() => d.close());

describe("includes", () => {
  it("forward: T | null (missing, deleted or null FK → null)", () => {
    const rows = run(q("todos", { select: ["title"], includes: [inc("project", q("projects"))] }));
    expect(rows.map((r) => [r.id, r.project])).toEqual([
      ["t1", { id: "p1", name: "Work" }],
      ["t2", { id: "p2", name: "Home" }],
      ["t3", { id: "p1", name: "Work" }],
      ["t4", null],
      ["t5", null],
    ]);
    expect(Object.keys(rows[0])).toEqual(["id", "title", "project"]);
  });

  it("requireIncludes drops rows whose FK is set but whose related row is missing, before limit", () => {
    const ir = q("todos", { select: ["title"], requireIncludes: true, includes: [inc("project", q("projects"))] });
    // t4's project is deleted → dropped; t5 has no project (optional FK) → kept with null
    expect(run(ir).map((r) => [r.id, (r.project as { id: string } | null)?.id ?? null])).toEqual([["t1", "p1"], ["t2", "p2"], ["t3", "p1"], ["t5", null]]);
    expect(run({ ...ir, offset: 1, limit: 2 }).map((r) => r.id)).toEqual(["t2", "t3"]);
    // a required FK: comments on a deleted todo disappear
    d.exec(`UPDATE todos SET "$deletedAt" = 1 WHERE id = 't3'`);
    expect(run(q("comments", { requireIncludes: true, includes: [inc("todo", q("todos", { select: ["title"] }))] })).map((r) => r.id)).toEqual(["c1", "c2"]);
    expect(run(q("comments", { includes: [inc("todo", q("todos", { select: ["title"] }))] })).map((r) => r.todo)).toEqual([{ id: "t1", title: "a" }, { id: "t1", title: "a" }, null]);
    // the include's own where counts: a filtered-out project is missing too
    const filtered = q("todos", { select: ["title"], requireIncludes: true, includes: [inc("project", q("projects", { conditions: [w("name", "eq", "Home")] }))] });
    expect(run(filtered).map((r) => r.id)).toEqual(["t2", "t5"]);
  });

  it("reverse: arrays in id order, with the sub-query's own where/orderBy/limit/select", () => {
    const rows = run(q("projects", { includes: [inc("todosViaProject", q("todos", { select: ["title"] }))] }));
    expect(rows).toEqual([
      { id: "p1", name: "Work", todosViaProject: [{ id: "t1", title: "a" }, { id: "t3", title: "c" }] },
      { id: "p2", name: "Home", todosViaProject: [{ id: "t2", title: "b" }] },
    ]);
    const sub = q("todos", { select: ["title"], orderBy: [["title", "desc"]], limit: 1 });
    expect(run(q("projects", { includes: [inc("todosViaProject", sub)] })).map((r) => r.todosViaProject)).toEqual([[{ id: "t3", title: "c" }], [{ id: "t2", title: "b" }]]);
    const filtered = q("todos", { select: ["title"], conditions: [w("done", "eq", true)] });
    expect(run(q("projects", { includes: [inc("todosViaProject", filtered)] })).map((r) => r.todosViaProject)).toEqual([[], [{ id: "t2", title: "b" }]]);
  });

  it("ordered sub-selects keep their order inside the JSON array", () => {
    for (let i = 0; i < 30; i++) put(d, "todos", `x${String(i).padStart(2, "0")}`, { title: `n${(i * 7) % 30}`, done: false, projectId: "p2", priority: (i * 7) % 30 });
    const [, p2] = run(q("projects", { includes: [inc("todosViaProject", q("todos", { select: ["priority"], orderBy: [["priority", "desc"]] }))] }));
    const prios = (p2.todosViaProject as { priority: number | null }[]).map((t) => t.priority);
    expect(prios).toEqual([...prios].sort((a, b) => (b ?? -1) - (a ?? -1)));
    expect(prios).toHaveLength(31);
  });

  it("array FK (tagIds → tags): visible related rows, id order", () => {
    const rows = run(q("todos", { select: ["title"], conditions: [w("id", "in", ["t1", "t2"])], includes: [inc("tags", q("tags"))] }));
    expect(rows).toEqual([
      { id: "t1", title: "a", tags: [{ id: "g1", label: "red" }, { id: "g2", label: "blue" }] },
      { id: "t2", title: "b", tags: [] },
    ]);
    // reverse through an array FK
    const back = run(q("tags", { includes: [inc("todosViaTags", q("todos", { select: ["title"] }))] }));
    expect(back).toEqual([
      { id: "g1", label: "red", todosViaTags: [{ id: "t1", title: "a" }] },
      { id: "g2", label: "blue", todosViaTags: [{ id: "t1", title: "a" }] },
    ]);
  });

  it("nested rows decode Dates, bytes, booleans, json, arrays and magic columns", () => {
    const rows = run(q("projects", {
      conditions: [w("id", "eq", "p1")],
      includes: [inc("todosViaProject", q("todos", { select: ["*", "$createdAt", "$canEdit"], limit: 1 }))],
    }));
    const t = (rows[0].todosViaProject as Record<string, unknown>[])[0];
    expect(t).toMatchObject({ id: "t1", title: "a", done: false, due: new Date(7), blob: new Uint8Array([0, 255, 16]), meta: { k: [1, "x"] }, tagIds: ["g2", "g1", "g3"], dates: [new Date(9)], priority: null, $canEdit: true });
    expect(t.blob).toBeInstanceOf(Uint8Array);
    expect(t.$createdAt).toBeInstanceOf(Date);
    expect(Object.keys(t)).toEqual(["id", ...Object.keys(schema.tables.todos.columns), "$createdAt", "$canEdit"]);
  });

  it("nesting: projects → todos → comments and todos → project", () => {
    const rows = run(q("projects", {
      conditions: [w("id", "eq", "p1")],
      includes: [
        inc("todosViaProject", q("todos", {
          select: ["title"],
          includes: [inc("commentsViaTodo", q("comments", { select: ["body"] })), inc("project", q("projects", { select: ["name"] }))],
        })),
      ],
    }));
    expect(rows).toEqual([
      {
        id: "p1", name: "Work",
        todosViaProject: [
          { id: "t1", title: "a", commentsViaTodo: [{ id: "c1", body: "one" }, { id: "c2", body: "two" }], project: { id: "p1", name: "Work" } },
          { id: "t3", title: "c", commentsViaTodo: [{ id: "c3", body: "three" }], project: { id: "p1", name: "Work" } },
        ],
      },
    ]);
  });

  it("nested requireIncludes drops nested rows only", () => {
    const rows = run(q("projects", {
      includes: [inc("todosViaProject", q("todos", { select: ["title"], requireIncludes: true, includes: [inc("commentsViaTodo", q("comments")), inc("project", q("projects", { conditions: [w("name", "eq", "nope")] }))] }))],
    }));
    expect(rows.map((r) => r.todosViaProject)).toEqual([[], []]);
  });

  it("unknown relation: QueryError listing the available ones", () => {
    expect(() => compileQuery(schema, q("todos", { includes: [inc("projekt", q("projects"))] }))).toThrowError(QueryError);
    expect(() => compileQuery(schema, q("todos", { includes: [inc("projekt", q("projects"))] }))).toThrowError(
      /Unknown relation "projekt" on table "todos". Available relations: project, tags, commentsViaTodo/,
    );
    expect(() => compileQuery(schema, q("todos", { includes: [inc("project", q("tags"))] }))).toThrowError(/leads to table "projects"/);
  });
});

describe("hopTo", () => {
  it("forward hop returns the related rows, distinct, filtered by the start where", () => {
    expect(run(q("todos", { conditions: [w("done", "eq", false)], hops: ["project"] })).map((r) => r.id)).toEqual(["p1"]);
    expect(run(q("todos", { hops: ["project"], orderBy: [["name", "asc"]] })).map((r) => r.name)).toEqual(["Home", "Work"]);
  });
  it("reverse and chained hops; select/includes apply to the result table", () => {
    expect(run(q("projects", { conditions: [w("name", "eq", "Work")], hops: ["todosViaProject"], select: ["title"] }))).toEqual([
      { id: "t1", title: "a" },
      { id: "t3", title: "c" },
    ]);
    expect(run(q("comments", { hops: ["todo", "project"], includes: [inc("todosViaProject", q("todos", { select: ["title"] }))] }))).toEqual([
      { id: "p1", name: "Work", todosViaProject: [{ id: "t1", title: "a" }, { id: "t3", title: "c" }] },
    ]);
  });
  it("array FK hops and deleted intermediate rows", () => {
    expect(run(q("todos", { conditions: [w("id", "eq", "t1")], hops: ["tags"] })).map((r) => r.id)).toEqual(["g1", "g2"]);
    expect(run(q("tags", { conditions: [w("id", "eq", "g1")], hops: ["todosViaTags"] })).map((r) => r.id)).toEqual(["t1"]);
    d.exec(`UPDATE todos SET "$deletedAt" = 1 WHERE id = 't3'`);
    expect(run(q("comments", { conditions: [w("id", "eq", "c3")], hops: ["todo", "project"] }))).toEqual([]);
  });
});

describe("gather", () => {
  const CUR = { $current: true };
  beforeEach(() => {
    // root ← a ← b ← c, and a cycle x ↔ y
    put(d, "teams", "root", { name: "root" });
    put(d, "teams", "a", { name: "a", parentId: "root" });
    put(d, "teams", "b", { name: "b", parentId: "a" });
    put(d, "teams", "c", { name: "c", parentId: "b" });
    put(d, "teams", "x", { name: "x", parentId: "y" });
    put(d, "teams", "y", { name: "y", parentId: "x" });
    for (const [id, child, parent] of [["e1", "c", "b"], ["e2", "b", "a"], ["e3", "a", "root"], ["e4", "x", "y"], ["e5", "y", "x"]])
      put(d, "team_edges", id, { childTeamId: child, parentTeamId: parent });
  });

  it("walks an edge table up to maxDepth (seed = the query's own where)", () => {
    const step = q("team_edges", { conditions: [w("childTeamId", "eq", CUR)], hops: ["parentTeam"] });
    const ids = (maxDepth: number) => run(q("teams", { conditions: [w("id", "eq", "c")], gather: { step, maxDepth } })).map((r) => r.id);
    expect(ids(10)).toEqual(["a", "b", "c", "root"]);
    expect(ids(1)).toEqual(["b", "c"]);
    expect(ids(0)).toEqual(["c"]);
  });

  it("terminates on cycles and returns each row once", () => {
    const step = q("team_edges", { conditions: [w("childTeamId", "eq", CUR)], hops: ["parentTeam"] });
    const rows = run(q("teams", { conditions: [w("id", "eq", "x")], gather: { step, maxDepth: 50 } }));
    expect(rows.map((r) => r.id)).toEqual(["x", "y"]);
  });

  it("start + self-referencing step without hops; later where/orderBy/limit filter the result", () => {
    const step = q("teams", { conditions: [w("parentId", "eq", CUR)] }); // children of current
    const start = q("teams", { conditions: [w("id", "eq", "root")] });
    expect(run(q("teams", { gather: { start, step, maxDepth: 10 } })).map((r) => r.id)).toEqual(["a", "b", "c", "root"]);
    expect(run(q("teams", { gather: { start, step, maxDepth: 10 }, conditions: [w("name", "ne", "b")], orderBy: [["name", "desc"]], limit: 2 })).map((r) => r.id)).toEqual(["root", "c"]);
  });

  it("deleted rows break the chain", () => {
    d.exec(`UPDATE team_edges SET "$deletedAt" = 1 WHERE id = 'e2'`);
    const step = q("team_edges", { conditions: [w("childTeamId", "eq", CUR)], hops: ["parentTeam"] });
    expect(run(q("teams", { conditions: [w("id", "eq", "c")], gather: { step, maxDepth: 10 } })).map((r) => r.id)).toEqual(["b", "c"]);
  });

  it("step comparing current by array membership (contains) and hopping through an array FK", () => {
    put(d, "tags", "g4", { label: "green" });
    put(d, "todos", "t9", { title: "z", done: false, tagIds: ["g2", "g4"] });
    // tags that co-occur with g1 on some todo, transitively: g1 → {g1, g2} (t1) → g4 (t9)
    const step = q("todos", { conditions: [w("tagIds", "contains", CUR)], hops: ["tags"] });
    const ids = (maxDepth: number) => run(q("tags", { conditions: [w("id", "eq", "g1")], gather: { step, maxDepth } })).map((r) => r.id);
    expect(ids(1)).toEqual(["g1", "g2"]); // g3 is deleted
    expect(ids(2)).toEqual(["g1", "g2", "g4"]);
  });

  it("rejects a step that does not lead back to the table", () => {
    const step = q("team_edges", { conditions: [w("childTeamId", "eq", CUR)] });
    expect(() => compileQuery(schema, q("teams", { gather: { step, maxDepth: 3 } }))).toThrowError(/must lead back to "teams"/);
  });
});
