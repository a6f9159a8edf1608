import { beforeEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { SqlDriver } from "../sql/driver.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import { visibleRowPredicate } from "../engine/layout.ts";
import { definePermissions, type PermissionHelpers } from "./dsl.ts";

type Define = (h: PermissionHelpers<any>) => void;
import { compilePolicies, type CompiledPolicies } from "./compile.ts";
import type { PermissionsBundle, PolicySession } from "./bundle.ts";
import { col, createTables, deleteRow, putRow, ref, str, uid } from "./testing/fixtures.ts";

function readable(p: CompiledPolicies, driver: SqlDriver, table: string, op: "read" | "update" | "delete" | "insert" = "read"): string[] {
  const pred = p.predicate(table, op, "t0");
  return driver
    .all(`SELECT t0.id FROM "${table}" AS t0 WHERE ${visibleRowPredicate("t0")} AND (${pred.sql}) ORDER BY t0.id`, pred.params)
    .map((r) => r[0] as string);
}

const session = (user_id: string, extra: Partial<PolicySession> = {}): PolicySession => ({
  user_id,
  claims: {},
  authMode: "local-first",
  ...extra,
});

describe("group permissions recipe (exists, roles, anyOf/allOf)", () => {
  const schema: RuntimeSchema = {
    tables: {
      workspaces: { columns: { name: str() } },
      workspaceMembers: {
        columns: {
          workspaceId: ref("workspaces"),
          user_id: str(),
          role: col({ kind: "enum", variants: ["admin", "contributor", "reader", "writer"] }),
        },
      },
      documents: { columns: { title: str(), content: str(), workspaceId: ref("workspaces") } },
    },
  };
  type Role = "reader" | "writer" | "contributor" | "admin";
  const bundle = definePermissions({ wasmSchema: schema }, ({ policy, session, anyOf, allOf }) => {
    const isMember = (workspaceId: string) => policy.workspaceMembers.exists.where({ workspaceId, user_id: session.user_id });
    const hasRole = (workspaceId: string, role: Role) =>
      policy.workspaceMembers.exists.where({ workspaceId, user_id: session.user_id, role });
    const isAdmin = (workspaceId: string) => hasRole(workspaceId, "admin");
    policy.documents.allowRead.where((doc) => isMember(doc.workspaceId));
    policy.documents.allowInsert.where((doc) =>
      anyOf([hasRole(doc.workspaceId, "writer"), hasRole(doc.workspaceId, "contributor"), hasRole(doc.workspaceId, "admin")]),
    );
    policy.documents.allowUpdate.where((doc) =>
      anyOf([
        hasRole(doc.workspaceId, "writer"),
        hasRole(doc.workspaceId, "admin"),
        allOf([{ $createdBy: session.user_id }, hasRole(doc.workspaceId, "contributor")]),
      ]),
    );
    policy.workspaces.allowRead.where((workspace) => isMember(workspace.id));
    policy.workspaces.allowInsert.always();
    policy.workspaceMembers.allowRead.where((member) => isMember(member.workspaceId));
  });

  let driver: SqlDriver;
  const ws1 = uid();
  const ws2 = uid();
  const d1 = uid();
  const d2 = uid();
  const d3 = uid();
  beforeEach(() => {
    driver = createNodeSqlDriver();
    createTables(driver, schema);
    putRow(driver, "workspaces", { id: ws1, name: "one" });
    putRow(driver, "workspaces", { id: ws2, name: "two" });
    putRow(driver, "workspaceMembers", { id: uid(), workspaceId: ws1, user_id: "alice", role: "admin" });
    putRow(driver, "workspaceMembers", { id: uid(), workspaceId: ws1, user_id: "bob", role: "contributor" });
    putRow(driver, "workspaceMembers", { id: uid(), workspaceId: ws2, user_id: "bob", role: "reader" });
    putRow(driver, "documents", { id: d1, title: "a", content: "", workspaceId: ws1 }, "alice");
    putRow(driver, "documents", { id: d2, title: "b", content: "", workspaceId: ws1 }, "bob");
    putRow(driver, "documents", { id: d3, title: "c", content: "", workspaceId: ws2 }, "carol");
  });

  it("members read their workspaces' documents and nobody else's", () => {
    const alice = compilePolicies(bundle, schema, session("alice"));
    const bob = compilePolicies(bundle, schema, session("bob"));
    const eve = compilePolicies(bundle, schema, session("eve"));
    expect(readable(alice, driver, "documents")).toEqual([d1, d2]);
    expect(readable(bob, driver, "documents")).toEqual([d1, d2, d3]);
    expect(readable(eve, driver, "documents")).toEqual([]);
    expect(readable(alice, driver, "workspaces")).toEqual([ws1]);
    expect(readable(eve, driver, "workspaceMembers")).toEqual([]);
  });

  it("update: admins edit any document, contributors only their own", () => {
    const alice = compilePolicies(bundle, schema, session("alice"));
    const bob = compilePolicies(bundle, schema, session("bob"));
    expect(readable(alice, driver, "documents", "update")).toEqual([d1, d2]);
    expect(readable(bob, driver, "documents", "update")).toEqual([d2]);
  });

  it("delete falls back to the update clause when there is no delete policy", () => {
    const bob = compilePolicies(bundle, schema, session("bob"));
    expect(readable(bob, driver, "documents", "delete")).toEqual([d2]);
  });

  it("a role change takes effect on the next evaluation; a deleted membership grants nothing", () => {
    const bob = compilePolicies(bundle, schema, session("bob"));
    driver.run(`UPDATE "workspaceMembers" SET role = 'writer' WHERE user_id = 'bob' AND "workspaceId" = ?`, [ws1]);
    expect(readable(bob, driver, "documents", "update")).toEqual([d1, d2]);
    const m = driver.all(`SELECT id FROM "workspaceMembers" WHERE user_id = 'bob' AND "workspaceId" = ?`, [ws2])[0][0] as string;
    deleteRow(driver, "workspaceMembers", m);
    expect(readable(bob, driver, "documents")).toEqual([d1, d2]);
  });

  it("tables and operations without a grant are denied once a bundle is active", () => {
    const alice = compilePolicies(bundle, schema, session("alice"));
    expect(readable(alice, driver, "workspaces", "update")).toEqual([]);
    expect(readable(alice, driver, "workspaceMembers", "delete")).toEqual([]);
  });

  it("the compiled SQL is stable per alias and binds the session as a parameter", () => {
    const a = compilePolicies(bundle, schema, session("alice")).predicate("documents", "read", "t0");
    const b = compilePolicies(bundle, schema, session("bob")).predicate("documents", "read", "t0");
    expect(a.sql).toBe(b.sql);
    expect(a.params).toEqual(["alice"]);
    expect(a.sql).not.toContain("alice");
  });
});

describe("nested data recipe (allowedTo through two levels)", () => {
  const schema: RuntimeSchema = {
    tables: {
      projects: { columns: { name: str() } },
      tasks: { columns: { title: str(), done: col({ kind: "boolean" }), projectId: ref("projects") } },
      comments: { columns: { body: str(), taskId: ref("tasks") } },
    },
  };
  const bundle = definePermissions({ wasmSchema: schema }, ({ policy, allowedTo, session }) => {
    policy.projects.allowRead.where({ $createdBy: session.user_id });
    policy.projects.allowInsert.always();
    policy.projects.allowUpdate.where({ $createdBy: session.user_id });
    policy.projects.allowDelete.where({ $createdBy: session.user_id });
    policy.tasks.allowRead.where(allowedTo.read("projectId"));
    policy.tasks.allowInsert.where(allowedTo.read("projectId"));
    policy.tasks.allowUpdate.where(allowedTo.update("projectId"));
    policy.tasks.allowDelete.where(allowedTo.delete("projectId"));
    policy.comments.allowRead.where(allowedTo.read("taskId"));
    policy.comments.allowInsert.where(allowedTo.read("taskId"));
    policy.comments.allowUpdate.where({ $createdBy: session.user_id });
    policy.comments.allowDelete.where({ $createdBy: session.user_id });
  });

  it("comments inherit from tasks which inherit from projects", () => {
    const driver = createNodeSqlDriver();
    createTables(driver, schema);
    const p1 = uid();
    const p2 = uid();
    const t1 = uid();
    const t2 = uid();
    const c1 = uid();
    const c2 = uid();
    putRow(driver, "projects", { id: p1, name: "mine" }, "alice");
    putRow(driver, "projects", { id: p2, name: "theirs" }, "bob");
    putRow(driver, "tasks", { id: t1, title: "x", done: 0, projectId: p1 }, "bob");
    putRow(driver, "tasks", { id: t2, title: "y", done: 0, projectId: p2 }, "alice");
    putRow(driver, "comments", { id: c1, body: "1", taskId: t1 }, "bob");
    putRow(driver, "comments", { id: c2, body: "2", taskId: t2 }, "alice");
    const alice = compilePolicies(bundle, schema, session("alice"));
    expect(readable(alice, driver, "tasks")).toEqual([t1]);
    expect(readable(alice, driver, "comments")).toEqual([c1]);
    expect(readable(alice, driver, "tasks", "update")).toEqual([t1]);
    expect(readable(alice, driver, "comments", "update")).toEqual([c2]);
    // Deleting the project cuts the inheritance.
    deleteRow(driver, "projects", p1);
    expect(readable(alice, driver, "comments")).toEqual([]);
  });

  it("recursive allowedTo stops after maxDepth references", () => {
    const s2: RuntimeSchema = { tables: { folders: { columns: { name: str(), parentId: ref("folders", true) } } } };
    const mk = (maxDepth: number) =>
      definePermissions({ wasmSchema: s2 }, ({ policy, allowedTo, session, anyOf }) => {
        policy.folders.allowRead.where(anyOf([{ $createdBy: session.user_id }, allowedTo.read("parentId", { maxDepth })]));
      });
    const driver = createNodeSqlDriver();
    createTables(driver, s2);
    const ids = [uid(), uid(), uid(), uid(), uid()];
    putRow(driver, "folders", { id: ids[0], name: "root", parentId: null }, "alice");
    for (let i = 1; i < ids.length; i++) putRow(driver, "folders", { id: ids[i], name: `f${i}`, parentId: ids[i - 1] }, "bob");
    expect(readable(compilePolicies(mk(2), s2, session("alice")), driver, "folders")).toEqual(ids.slice(0, 3));
    expect(readable(compilePolicies(mk(10), s2, session("alice")), driver, "folders")).toEqual(ids);
    expect(readable(compilePolicies(mk(10), s2, session("bob")), driver, "folders")).toEqual(ids.slice(1));
  });
});

describe("claims, auth mode, not and operators", () => {
  const schema: RuntimeSchema = {
    tables: {
      todos: {
        columns: {
          title: str(),
          owner_id: str(true),
          priority: col({ kind: "int" }),
          done: col({ kind: "boolean" }),
          tags: col({ kind: "array", element: { kind: "string" } }),
          due: col({ kind: "timestamp" }, true),
        },
      },
    },
  };
  let driver: SqlDriver;
  const ids: string[] = [];
  beforeEach(() => {
    driver = createNodeSqlDriver();
    createTables(driver, schema);
    ids.length = 0;
    const rows = [
      { title: "Buy milk", owner_id: "alice", priority: 1, done: 0, tags: '["home","shop"]', due: 1000 },
      { title: "buy bread", owner_id: "bob", priority: 3, done: 1, tags: '["shop"]', due: null },
      { title: "Call mum", owner_id: null, priority: 5, done: 0, tags: "[]", due: 5000 },
    ];
    for (const r of rows) {
      const id = uid();
      ids.push(id);
      putRow(driver, "todos", { id, ...r });
    }
  });
  const run = (define: Define, s: PolicySession = session("alice")) =>
    readable(compilePolicies(definePermissions({ wasmSchema: schema }, define), schema, s), driver, "todos");

  it("session.where on claims (the auth-provider recipe)", () => {
    const define: Define = ({ policy, anyOf, session }) => {
      policy.todos.allowRead.where(anyOf([{ owner_id: session.user_id }, session.where({ "claims.role": "manager" })]));
    };
    expect(run(define, session("bob"))).toEqual([ids[1]]);
    expect(run(define, session("bob", { claims: { role: "manager" } }))).toEqual(ids);
    expect(run(define, session("zed", { claims: { role: "intern" } }))).toEqual([]);
  });

  it("auth-mode gating with { not: session.where({ authMode }) }", () => {
    const define: Define = ({ policy, allOf, session }) => {
      const isLocalFirst = session.where({ authMode: "local-first" });
      policy.todos.allowRead.where(allOf([{ not: isLocalFirst }]));
    };
    expect(run(define, session("alice", { authMode: "local-first" }))).toEqual([]);
    expect(run(define, session("alice", { authMode: "external" }))).toEqual(ids);
  });

  it("session claim paths compare against columns; a missing claim matches nothing", () => {
    const define: Define = ({ policy, session }) => {
      policy.todos.allowRead.where({ owner_id: session.claims.delegateOf });
    };
    expect(run(define, session("x", { claims: { delegateOf: "bob" } }))).toEqual([ids[1]]);
    expect(run(define, session("x"))).toEqual([]);
  });

  it("operators: ne with null, gt/lte, in, contains on text and arrays, isNull, booleans, dates", () => {
    expect(run(({ policy }) => policy.todos.allowRead.where({ owner_id: { ne: "alice" } }))).toEqual([ids[1], ids[2]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ owner_id: null }))).toEqual([ids[2]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ priority: { gt: 1, lte: 3 } }))).toEqual([ids[1]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ owner_id: { in: ["bob", "carol"] } }))).toEqual([ids[1]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ title: { contains: "uy" } }))).toEqual([ids[0], ids[1]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ title: { contains: "Buy" } }))).toEqual([ids[0]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ tags: { contains: "home" } }))).toEqual([ids[0]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ due: { isNull: true } }))).toEqual([ids[1]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ done: true }))).toEqual([ids[1]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ due: { lt: new Date(2000) } }))).toEqual([ids[0]]);
  });

  it("not: a row whose compared value is null passes the negation (null does not match)", () => {
    expect(run(({ policy }) => policy.todos.allowRead.where({ not: { owner_id: "alice" } }))).toEqual([ids[1], ids[2]]);
    expect(run(({ policy }) => policy.todos.allowRead.where({ not: { due: { gt: 2000 } } }))).toEqual([ids[0], ids[1]]);
  });

  it("isCreator and managedByCreator use $createdBy", () => {
    putRow(driver, "todos", { id: uid(), title: "t", owner_id: null, priority: 0, done: 0, tags: "[]", due: null }, "alice");
    const mine = run(({ policy, isCreator }) => policy.todos.allowRead.where(isCreator));
    expect(mine).toHaveLength(1);
    expect(run(({ policy }) => policy.todos.managedByCreator())).toEqual(mine);
  });

  it("always/never and several grants for one operation (any grant suffices)", () => {
    expect(run(({ policy }) => policy.todos.allowRead.always())).toEqual(ids);
    expect(run(({ policy }) => policy.todos.allowRead.never())).toEqual([]);
    expect(
      run(({ policy, session }) => {
        policy.todos.allowRead.where({ owner_id: session.user_id });
        policy.todos.allowReads.where({ priority: 5 });
      }),
    ).toEqual([ids[0], ids[2]]);
  });
});

describe("bundle", () => {
  it("is plain JSON that survives the wire", () => {
    const schema: RuntimeSchema = { tables: { todos: { columns: { owner_id: str(), due: col({ kind: "timestamp" }) } } } };
    const bundle: PermissionsBundle = definePermissions({ wasmSchema: schema }, ({ policy, session }) => {
      policy.todos.allowRead.where({ owner_id: session.user_id, due: { gt: new Date(5) } });
    });
    expect(JSON.parse(JSON.stringify(bundle))).toEqual(bundle);
    expect(bundle.tables.todos.read).toEqual({
      t: "and",
      of: [
        { t: "cmp", l: { col: "owner_id", up: 0 }, op: "eq", r: { session: ["user_id"] } },
        { t: "cmp", l: { col: "due", up: 0 }, op: "gt", r: { lit: { $date: 5 } } },
      ],
    });
  });
});
