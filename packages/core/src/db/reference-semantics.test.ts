// Semantics apps written for the reference rely on, through the typed builder and a real Db:
// refs hold row ids, timestamp defaults may be epoch ms, unordered types refuse orderBy, and
// gather's seed may be a where-object.
import { afterEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { generateAuthSecret, syncSigner } from "@jazz-tools/auth";
import { schema as s, QueryError, type GatherCurrent } from "../index.ts";
import { InvalidValueError } from "../engine/errors.ts";
import { Db } from "./db.ts";

const app = s.defineApp({
  projects: s.table({ name: s.string() }),
  tags: s.table({ label: s.string() }),
  todos: s.table({
    title: s.string(),
    projectId: s.ref("projects").optional(),
    tagIds: s.array(s.ref("tags")).optional(),
    dueAt: s.timestamp().default(0),
    blob: s.bytes().optional(),
    meta: s.json().optional(),
  }),
  teams: s.table({ name: s.string(), parentId: s.ref("teams").optional() }),
});

const dbs: Db[] = [];
function newDb(): Db {
  const db = new Db({ syncSigner, config: { appId: "semantics", secret: generateAuthSecret() }, driver: createNodeSqlDriver() });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

describe("ref columns hold row ids", () => {
  it("refuse a value that is not a UUID, on insert and update, also inside arrays, and leave the data as it was", async () => {
    const db = newDb();
    const p = db.insert(app.projects, { name: "Work" }).value;
    const t = db.insert(app.todos, { title: "a", projectId: p.id }).value;
    expect(() => db.insert(app.todos, { title: "b", projectId: "project-1" })).toThrow(InvalidValueError);
    expect(() => db.insert(app.todos, { title: "b", projectId: "project-1" })).toThrow(/expected a row id \(a UUID/);
    expect(() => db.update(app.todos, t.id, { projectId: "nope" })).toThrow(InvalidValueError);
    expect(() => db.insert(app.todos, { title: "c", tagIds: ["red"] })).toThrow(/array element 0: expected a row id/);
    expect((await db.all(app.todos)).map((r) => [r.title, r.projectId])).toEqual([["a", p.id]]);
  });
});

describe("timestamp defaults", () => {
  it("accept epoch milliseconds and read back as a Date", async () => {
    expect(s.timestamp().default(0)._state.default).toBe(0);
    expect(() => s.timestamp().default(-1)).toThrow(/from 1970 on/);
    expect(() => s.timestamp().default("today" as never)).toThrow(/Date or epoch milliseconds/);
    const db = newDb();
    const { value } = db.insert(app.todos, { title: "a" });
    expect(value.dueAt).toEqual(new Date(0));
    expect((await db.one(app.todos.where({ id: value.id })))!.dueAt).toEqual(new Date(0));
  });
});

describe("orderBy", () => {
  it("refuses bytes and json columns with a QueryError, and still sorts by the others", () => {
    expect(() => app.todos.orderBy("blob" as never)).toThrow(QueryError);
    expect(() => app.todos.orderBy("meta" as never)).toThrow(/json columns have no order/);
    expect(() => app.todos.orderBy("dueAt", "desc").orderBy("title")).not.toThrow();
  });
});

describe("gather start", () => {
  it("takes a where-object as the seed rows, like a query of the same table", async () => {
    const db = newDb();
    const root = db.insert(app.teams, { name: "root" }).value;
    const mid = db.insert(app.teams, { name: "mid", parentId: root.id }).value;
    db.insert(app.teams, { name: "leaf", parentId: mid.id });
    db.insert(app.teams, { name: "other" });
    const step = ({ current }: { current: GatherCurrent }) => app.teams.where({ parentId: current });
    const byWhere = await db.all(app.teams.gather({ start: { name: "root" }, step }));
    const byQuery = await db.all(app.teams.gather({ start: app.teams.where({ name: "root" }), step }));
    expect(byWhere.map((t) => t.name).sort()).toEqual(["leaf", "mid", "root"]);
    expect(byWhere).toEqual(byQuery);
    expect(() => app.teams.gather({ start: { nope: 1 }, step })).toThrow(QueryError);
  });
});
