import { describe, expect, it } from "vitest";
import { GATHER_CURRENT, QueryError, schema as s } from "../index.ts";

const app = s.defineApp({
  users: s.table({ name: s.string() }),
  projects: s.table({ name: s.string(), ownerId: s.ref("users").optional() }),
  tags: s.table({ label: s.string() }),
  todos: s.table({
    title: s.string(),
    done: s.boolean(),
    note: s.string().optional(),
    prio: s.int(),
    score: s.float(),
    due: s.timestamp().optional(),
    blob: s.bytes(),
    meta: s.json(),
    status: s.enum("open", "closed"),
    projectId: s.ref("projects"),
    tagIds: s.array(s.ref("tags")),
    words: s.array(s.string()),
  }),
  teams: s.table({ name: s.string(), parentId: s.ref("teams").optional() }),
});

const conds = (q: { _build(): { conditions: unknown[] } }) => q._build().conditions;

describe("where", () => {
  it("turns plain values into eq and AND-s keys and chained calls", () => {
    const q = app.todos.where({ title: "a", done: false }).where({ prio: 3 });
    expect(conds(q)).toEqual([
      { column: "title", op: "eq", value: "a" },
      { column: "done", op: "eq", value: false },
      { column: "prio", op: "eq", value: 3 },
    ]);
  });

  it("encodes operator objects per column type", () => {
    const q = app.todos.where({
      title: { contains: "x", in: ["a", "b"], ne: "c" },
      prio: { gte: 1, lt: 5 },
      score: { gt: 0.5 },
      due: { gt: new Date(1000), lte: 2000 },
      status: { in: ["open"] },
      projectId: { ne: "p1" },
      words: { contains: "w" },
      tagIds: { contains: "t1" },
      meta: { eq: { a: 1 } },
      id: { in: ["i1", "i2"] },
    });
    expect(conds(q)).toEqual([
      { column: "title", op: "contains", value: "x" },
      { column: "title", op: "in", value: ["a", "b"] },
      { column: "title", op: "ne", value: "c" },
      { column: "prio", op: "gte", value: 1 },
      { column: "prio", op: "lt", value: 5 },
      { column: "score", op: "gt", value: 0.5 },
      { column: "due", op: "gt", value: 1000 },
      { column: "due", op: "lte", value: 2000 },
      { column: "status", op: "in", value: ["open"] },
      { column: "projectId", op: "ne", value: "p1" },
      { column: "words", op: "contains", value: "w" },
      { column: "tagIds", op: "contains", value: "t1" },
      { column: "meta", op: "eq", value: { a: 1 } },
      { column: "id", op: "in", value: ["i1", "i2"] },
    ]);
  });

  it("encodes Date as ms and Uint8Array as base64", () => {
    const q = app.todos.where({ due: new Date(42), blob: new Uint8Array([0, 255, 7]), words: ["a"] });
    expect(conds(q)).toEqual([
      { column: "due", op: "eq", value: 42 },
      { column: "blob", op: "eq", value: { $bytes: "AP8H" } },
      { column: "words", op: "eq", value: ["a"] },
    ]);
    expect(JSON.parse(JSON.stringify(q._build()))).toEqual(q._build());
  });

  it("treats a JSON object as a value unless all its keys are operators", () => {
    expect(conds(app.todos.where({ meta: { gt: 1, other: 2 } }))).toEqual([
      { column: "meta", op: "eq", value: { gt: 1, other: 2 } },
    ]);
    expect(conds(app.todos.where({ meta: { in: [1, 2] } }))).toEqual([{ column: "meta", op: "in", value: [1, 2] }]);
  });

  it("normalises null filters to isNull on optional columns", () => {
    expect(conds(app.todos.where({ note: null, due: { ne: null } }))).toEqual([
      { column: "note", op: "isNull", value: true },
      { column: "due", op: "isNull", value: false },
    ]);
    expect(conds(app.todos.where({ note: { isNull: false } }))).toEqual([{ column: "note", op: "isNull", value: false }]);
    expect(() => app.todos.where({ title: null as never })).toThrow(/not optional/);
  });

  it("accepts magic columns", () => {
    const q = app.todos.where({
      $createdBy: "u1",
      $updatedBy: { in: ["u1"] },
      $createdAt: { gte: new Date(5) },
      $updatedAt: { lt: 9 },
      $canEdit: true,
    });
    expect(conds(q)).toEqual([
      { column: "$createdBy", op: "eq", value: "u1" },
      { column: "$updatedBy", op: "in", value: ["u1"] },
      { column: "$createdAt", op: "gte", value: 5 },
      { column: "$updatedAt", op: "lt", value: 9 },
      { column: "$canEdit", op: "eq", value: true },
    ]);
  });

  it("skips undefined keys", () => {
    expect(conds(app.todos.where({ title: undefined, prio: 1 }))).toEqual([{ column: "prio", op: "eq", value: 1 }]);
  });

  it("throws QueryError for unknown columns, disallowed operators and wrong values", () => {
    expect(() => app.todos.where({ nope: 1 } as never)).toThrow(QueryError);
    expect(() => app.todos.where({ nope: 1 } as never)).toThrow(/Unknown column "nope".*table "todos"/);
    expect(() => app.todos.where({ title: { gt: "a" } } as never)).toThrow(/Operator "gt" is not allowed on string column "title"/);
    expect(() => app.todos.where({ done: { eq: true } } as never)).toThrow(/plain value only/);
    expect(() => app.todos.where({ blob: { in: [] } } as never)).toThrow(/"in" is not allowed on bytes/);
    expect(() => app.todos.where({ prio: { contains: 1 } } as never)).toThrow(QueryError);
    expect(() => app.todos.where({ projectId: { isNull: true } } as never)).toThrow(/"isNull" is not allowed/);
    expect(() => app.todos.where({ $canEdit: { eq: true } } as never)).toThrow(QueryError);
    expect(() => app.todos.where({ status: "nope" as "open" })).toThrow(/one of "closed", "open"/);
    expect(() => app.todos.where({ prio: "1" as never })).toThrow(/expected an integer/);
    expect(() => app.todos.where({ prio: { gt: "1" } } as never)).toThrow(/gt takes a number/);
    expect(() => app.todos.where({ title: { in: "a" } } as never)).toThrow(/in takes an array/);
    expect(() => app.todos.where({ title: {} } as never)).toThrow(/empty operator object/);
    expect(() => app.todos.where("x" as never)).toThrow(/takes an object/);
  });
});

describe("select, orderBy, limit, offset", () => {
  it("expands * and keeps magic columns; id is implicit", () => {
    expect(app.users.select("*", "$canEdit")._build().select).toEqual(["name", "$canEdit"]);
    expect(app.todos.select("title", "id", "$createdAt")._build().select).toEqual(["title", "$createdAt"]);
    expect(app.users._build().select).toBeUndefined();
    expect(() => app.users.select("nope" as "name")).toThrow(/Unknown column "nope" in select/);
    expect(() => (app.users.select as () => unknown)()).toThrow(/at least one column/);
  });

  it("chains orderBy with asc default and accepts magic provenance columns", () => {
    const q = app.todos.orderBy("prio").orderBy("$createdAt", "desc").orderBy("id");
    expect(q._build().orderBy).toEqual([
      ["prio", "asc"],
      ["$createdAt", "desc"],
      ["id", "asc"],
    ]);
    expect(() => app.todos.orderBy("nope" as "prio")).toThrow(/Unknown column "nope" in orderBy/);
    expect(() => app.todos.orderBy("prio", "up" as "asc")).toThrow(/"asc" or "desc"/);
  });

  it("validates limit and offset", () => {
    expect(app.todos.limit(5).offset(0)._build()).toMatchObject({ limit: 5, offset: 0 });
    for (const bad of [-1, 1.5, Number.NaN, "3"]) {
      expect(() => app.todos.limit(bad as number)).toThrow(/non-negative integer/);
      expect(() => app.todos.offset(bad as number)).toThrow(QueryError);
    }
  });
});

describe("include and requireIncludes", () => {
  it("builds forward, reverse, nested and query includes", () => {
    const q = app.todos.include({
      project: { owner: true, todosViaProject: app.todos.where({ done: true }).limit(2) },
      tags: true,
    });
    expect(q._build().includes).toEqual([
      {
        relation: "project",
        query: {
          table: "projects",
          conditions: [],
          orderBy: [],
          includes: [
            { relation: "owner", query: { table: "users", conditions: [], orderBy: [], includes: [] } },
            {
              relation: "todosViaProject",
              query: {
                table: "todos",
                conditions: [{ column: "done", op: "eq", value: true }],
                orderBy: [],
                includes: [],
                limit: 2,
              },
            },
          ],
        },
      },
      { relation: "tags", query: { table: "tags", conditions: [], orderBy: [], includes: [] } },
    ]);
    expect(app.todos.include({ project: true }).requireIncludes()._build().requireIncludes).toBe(true);
    expect(app.teams.include({ parent: true, teamsViaParent: true })._build().includes.map((i) => i.relation)).toEqual([
      "parent",
      "teamsViaParent",
    ]);
  });

  it("skips false, replaces a relation included twice", () => {
    const q = app.todos.include({ project: true, tags: false }).include({ project: { owner: true } });
    expect(q._build().includes).toHaveLength(1);
    expect(q._build().includes[0]!.query.includes[0]!.relation).toBe("owner");
  });

  it("throws QueryError for unknown relations and mismatched queries", () => {
    expect(() => app.todos.include({ nope: true } as never)).toThrow(/Unknown relation "nope" in include\(\) on table "todos"; known relations: project, tags/);
    expect(() => app.todos.include({ project: app.users } as never)).toThrow(/yields rows of "projects"/);
    expect(() => app.todos.include({ project: 3 } as never)).toThrow(QueryError);
    expect(() => app.users.include({ project: true } as never)).toThrow(/known relations: projectsViaOwner/);
  });
});

describe("hopTo and gather", () => {
  it("hops to the target table; conditions stay on the source", () => {
    const q = app.todos.where({ done: false }).hopTo("project");
    expect(q._table).toBe("projects");
    expect(q._build()).toEqual({
      table: "todos",
      conditions: [{ column: "done", op: "eq", value: false }],
      orderBy: [],
      includes: [],
      hops: ["project"],
    });
    const q2 = q.hopTo("owner").orderBy("name").limit(1);
    expect(q2._table).toBe("users");
    expect(q2._build()).toMatchObject({ hops: ["project", "owner"], orderBy: [["name", "asc"]], limit: 1 });
  });

  it("rejects unknown relations, where after hopTo and result modifiers before it", () => {
    expect(() => app.todos.hopTo("nope" as "project")).toThrow(/Unknown relation "nope" in hopTo/);
    expect(() => app.todos.hopTo("project").where({ name: "x" })).toThrow(/where\(\) after hopTo\(\)/);
    expect(() => app.todos.limit(1).hopTo("project")).toThrow(/hopTo\(\) must come before limit\(\)/);
  });

  it("gathers with a step using current; later where filters the gathered rows", () => {
    const q = app.teams
      .where({ name: "root" })
      .gather({ step: ({ current }) => app.teams.where({ id: current }).hopTo("parent"), maxDepth: 5 })
      .where({ name: { ne: "x" } });
    expect(q._build()).toEqual({
      table: "teams",
      conditions: [{ column: "name", op: "ne", value: "x" }],
      orderBy: [],
      includes: [],
      gather: {
        start: { table: "teams", conditions: [{ column: "name", op: "eq", value: "root" }], orderBy: [], includes: [] },
        step: {
          table: "teams",
          conditions: [{ column: "id", op: "eq", value: { $current: true } }],
          orderBy: [],
          includes: [],
          hops: ["parent"],
        },
        maxDepth: 5,
      },
    });
    const withStart = app.teams.gather({
      start: app.teams.where({ name: "leaf" }),
      step: ({ current }) => app.teams.where({ parentId: current }),
    });
    const viaArray = app.tags.gather({ step: ({ current }) => app.todos.where({ tagIds: { contains: current } }).hopTo("tags") });
    expect(viaArray._build().gather!.step.conditions).toEqual([{ column: "tagIds", op: "contains", value: { $current: true } }]);
    expect(withStart._build().gather).toMatchObject({ start: { conditions: [{ column: "name", value: "leaf" }] }, maxDepth: 10 });
  });

  it("validates gather options", () => {
    expect(() => app.teams.gather({ step: () => app.users } as never)).toThrow(/step must return rows of "teams"/);
    expect(() => app.teams.gather({ step: ({ current }) => app.teams.where({ parentId: current }), maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => app.teams.gather({ step: ({ current }) => app.teams.where({ parentId: current }), maxDepth: 65 })).toThrow(/maxDepth/);
    expect(() => app.teams.gather({ start: app.users, step: ({ current }: { current: string }) => app.teams.where({ parentId: current }) } as never)).toThrow(/start must return rows of "teams"/);
    expect(() => app.teams.gather({ step: ({ current }) => app.teams.where({ prio: current } as never) })).toThrow(QueryError);
    expect(() => app.teams.gather({ step: ({ current }) => app.teams.where({ name: { gt: current } } as never) })).toThrow(QueryError);
    const g = app.teams.gather({ step: ({ current }) => app.teams.where({ parentId: current }) });
    expect(() => g.gather({ step: ({ current }) => app.teams.where({ parentId: current }) })).toThrow(/once/);
    expect(() => g.hopTo("parent")).toThrow(/hopTo\(\) cannot follow gather/);
    expect(GATHER_CURRENT).toEqual({ $current: true });
  });
});

describe("immutability", () => {
  it("every method returns a new query and leaves the receiver unchanged", () => {
    const base = app.todos;
    const before = JSON.stringify(base._build());
    const derived = [
      base.where({ done: true }),
      base.select("title"),
      base.include({ project: true }),
      base.requireIncludes(),
      base.orderBy("prio"),
      base.limit(1),
      base.offset(1),
      base.hopTo("project"),
      app.teams.gather({ step: ({ current }) => app.teams.where({ parentId: current }) }),
    ];
    for (const d of derived) expect(d).not.toBe(base);
    expect(JSON.stringify(base._build())).toBe(before);
    const a = base.where({ done: true });
    const b = a.where({ prio: 1 });
    expect(conds(a)).toHaveLength(1);
    expect(conds(b)).toHaveLength(2);
  });

  it("queries are frozen and keep working behind a Proxy (as frameworks wrap state)", () => {
    const q = app.todos.where({ title: "a" });
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(app.todos)).toBe(true);
    const proxied = new Proxy(q, {});
    expect(proxied._build()).toEqual(q._build());
    expect(proxied.limit(1)._build().limit).toBe(1);
    expect(proxied._table).toBe("todos");
  });

  it("_build returns a fresh copy each time", () => {
    const q = app.todos.where({ title: "a" }).include({ project: true }).orderBy("prio");
    const ir = q._build();
    ir.conditions.push({ column: "x", op: "eq", value: 1 });
    ir.orderBy.length = 0;
    ir.includes[0]!.query.conditions.push({ column: "y", op: "eq", value: 1 });
    expect(q._build().conditions).toHaveLength(1);
    expect(q._build().orderBy).toHaveLength(1);
    expect(q._build().includes[0]!.query.conditions).toHaveLength(0);
  });
});
