// The compiler driven through the real query builder (app.table.where(...)...), not hand-written IR.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../sql/driver.ts";
import { schema as s, type QueryLike } from "../../index.ts";
import { compileQuery, tablesRead } from "../compile.ts";
import { openDb, put } from "./test-fixtures.ts";

const app = s.defineApp({
  projects: s.table({ name: s.string() }),
  tags: s.table({ label: s.string() }),
  todos: s.table({
    title: s.string(),
    done: s.boolean(),
    due: s.timestamp().optional(),
    blob: s.bytes().optional(),
    projectId: s.ref("projects").optional(),
    tagIds: s.array(s.ref("tags")).optional(),
  }),
  teams: s.table({ name: s.string(), parentId: s.ref("teams").optional() }),
});
const schema = app.wasmSchema;

let d: SqlDriver;
const all = (query: QueryLike) => {
  const c = compileQuery(schema, query._build());
  return d.all(c.sql, c.params).map((r) => c.decode(r));
};
const ids = (query: QueryLike) => all(query).map((r) => r.id);

beforeEach(() => {
  d = openDb(schema);
  put(d, "projects", "p1", { name: "Work" }, {}, schema);
  put(d, "tags", "g1", { label: "red" }, {}, schema);
  put(d, "todos", "t1", { title: "Milk", done: false, due: new Date(100), blob: new Uint8Array([7]), projectId: "p1", tagIds: ["g1"] }, {}, schema);
  put(d, "todos", "t2", { title: "milk", done: true, due: new Date(200) }, {}, schema);
  put(d, "teams", "r", { name: "r" }, {}, schema);
  put(d, "teams", "a", { name: "a", parentId: "r" }, {}, schema);
  put(d, "teams", "b", { name: "b", parentId: "a" }, {}, schema);
});
afterEach(() => d.close());

describe("compiler × query builder", () => {
  it("where operators, Dates and bytes as the builder encodes them", () => {
    expect(ids(app.todos.where({ done: false }))).toEqual(["t1"]);
    expect(ids(app.todos.where({ title: { contains: "Mil" } }))).toEqual(["t1"]);
    expect(ids(app.todos.where({ due: { gt: new Date(150) } }))).toEqual(["t2"]);
    expect(ids(app.todos.where({ blob: new Uint8Array([7]) }))).toEqual(["t1"]);
    expect(ids(app.todos.where({ projectId: null }))).toEqual(["t2"]);
    expect(ids(app.todos.where({ tagIds: { contains: "g1" } }))).toEqual(["t1"]);
  });

  it("orderBy / limit / select / include", () => {
    expect(ids(app.todos.orderBy("due", "desc").limit(1))).toEqual(["t2"]);
    expect(all(app.todos.select("title").where({ done: true }))).toEqual([{ id: "t2", title: "milk" }]);
    const [t1] = all(app.todos.include({ project: true, tags: true }).where({ done: false }));
    expect(t1).toMatchObject({ project: { id: "p1", name: "Work" }, tags: [{ id: "g1", label: "red" }], due: new Date(100) });
    expect(ids(app.todos.include({ project: true }).requireIncludes())).toEqual(["t1", "t2"]); // t2: no project, kept
    expect(all(app.projects.include({ todosViaProject: app.todos.select("title") }))).toEqual([{ id: "p1", name: "Work", todosViaProject: [{ id: "t1", title: "Milk" }] }]);
    d.exec(`UPDATE projects SET "$deletedAt" = 1`);
    expect(ids(app.todos.include({ project: true }).requireIncludes())).toEqual(["t2"]);
  });

  it("hopTo and gather", () => {
    expect(all(app.todos.where({ done: false }).hopTo("project"))).toEqual([{ id: "p1", name: "Work" }]);
    const q = app.teams.where({ id: "r" }).gather({ step: ({ current }) => app.teams.where({ parentId: current }), maxDepth: 5 });
    expect(ids(q)).toEqual(["a", "b", "r"]);
    expect(tablesRead(schema, app.todos.include({ project: true })._build())).toEqual(new Set(["todos", "projects"]));
  });
});
