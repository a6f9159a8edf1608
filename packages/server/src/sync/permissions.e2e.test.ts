// Hostile clients against a real server process, speaking the wire protocol directly: writes
// that violate a policy are rejected (whole batch, reference text) and leave the server's data
// unchanged; reads never deliver a row the policy denies — checked against a brute-force
// evaluation, written independently here, over random data and sessions.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { join } from "node:path";
import type { Batch, QueryIR, RowWrite, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";
import { DB_FILE } from "../storage/open.ts";

const APP = "perm-hostile";
const ADMIN = "admin-secret-for-tests";
const BACKEND = "backend-secret-for-tests";
const c = (kind: "string" | "boolean", optional = false) => ({ type: { kind }, optional, merge: "lww" as const });
const r = (table: string, optional = false) => ({ type: { kind: "ref" as const, table }, optional, merge: "lww" as const });

const schema: RuntimeSchema = {
  tables: {
    projects: { columns: { name: c("string") } },
    members: { columns: { projectId: r("projects"), user_id: c("string"), role: c("string") } },
    tasks: { columns: { title: c("string"), projectId: r("projects"), assignee: c("string", true) } },
    comments: { columns: { body: c("string"), taskId: r("tasks") } },
    todos: { columns: { title: c("string"), owner_id: c("string") } },
    notes: { columns: { text: c("string") } },
  },
};

const permissions = definePermissions(schema, ({ policy, session, anyOf, allOf, allowedTo }) => {
  const isMember = (projectId: string) => policy.members.exists.where({ projectId, user_id: session.user_id });
  const isAdmin = (projectId: string) => policy.members.exists.where({ projectId, user_id: session.user_id, role: "admin" });
  policy.projects.allowRead.where((p) => anyOf([{ $createdBy: session.user_id }, isMember(p.id)]));
  policy.projects.allowInsert.always();
  policy.projects.allowUpdate.where({ $createdBy: session.user_id });
  policy.members.allowRead.where((m) =>
    anyOf([{ user_id: session.user_id }, policy.projects.exists.where({ id: m.projectId, $createdBy: session.user_id })]),
  );
  policy.members.allowInsert.where((m) =>
    anyOf([isAdmin(m.projectId), allOf([policy.projects.exists.where({ id: m.projectId, $createdBy: session.user_id })])]),
  );
  policy.tasks.allowRead.where(anyOf([allowedTo.read("projectId"), { assignee: session.user_id }]));
  policy.tasks.allowInsert.where(allowedTo.read("projectId"));
  policy.tasks.allowUpdate.where(allowedTo.read("projectId"));
  policy.comments.allowRead.where(allowedTo.read("taskId"));
  policy.comments.allowInsert.where(allowedTo.read("taskId"));
  policy.todos.allowRead.where(anyOf([{ owner_id: session.user_id }, session.where({ "claims.role": "manager" })]));
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.where({ owner_id: session.user_id });
  policy.todos.allowDelete.where({ owner_id: session.user_id });
  policy.notes.managedByCreator();
});

type Row = Record<string, unknown> & { id: string; $createdBy: string };
type Data = Record<string, Row[]>;

/** Brute force, independent of the compiler: what `user` may read. */
function expectedReadable(data: Data, user: string, claims: Record<string, unknown> = {}): Record<string, Set<string>> {
  const projectOk = (p: Row) => p.$createdBy === user || data.members.some((m) => m.projectId === p.id && m.user_id === user);
  const project = (id: unknown) => data.projects.find((p) => p.id === id);
  const taskOk = (t: Row) => {
    const p = project(t.projectId);
    return (!!p && projectOk(p)) || t.assignee === user;
  };
  const out: Record<string, Set<string>> = {};
  const keep = (t: string, f: (x: Row) => boolean) => (out[t] = new Set(data[t].filter(f).map((x) => x.id)));
  keep("projects", projectOk);
  keep("members", (m) => m.user_id === user || project(m.projectId)?.$createdBy === user);
  keep("tasks", taskOk);
  keep("comments", (cm) => {
    const t = data.tasks.find((x) => x.id === cm.taskId);
    return !!t && taskOk(t);
  });
  keep("todos", (t) => t.owner_id === user || claims.role === "manager");
  keep("notes", (n) => n.$createdBy === user);
  return out;
}

const all = (table: string, includes: QueryIR["includes"] = []): QueryIR => ({ table, conditions: [], orderBy: [], includes });

describe("permissions over the wire (hostile clients)", () => {
  let server: ServerProcess;
  const open: RecordingClient[] = [];
  const users = Array.from({ length: 4 }, () => localFirstAuth(APP));
  const client = (u: (typeof users)[number] | null) => {
    const cl = u
      ? recordingClient(server.url, APP, { auth: u.auth, userId: u.userId, schema })
      : recordingClient(server.url, APP, { auth: { adminSecret: ADMIN }, userId: "jazz:admin", schema });
    open.push(cl);
    return cl;
  };
  let db: SqlDriver;
  const count = (table: string) => db.all(`SELECT count(*) FROM "${table}"`)[0][0];
  const snapshot = () => JSON.stringify(Object.keys(schema.tables).map((t) => db.all(`SELECT * FROM "${t}" ORDER BY id`)));
  const rows = (t: string) => {
    const cols = ["id", ...Object.keys(schema.tables[t].columns), "$createdBy"];
    const q = cols.map((x) => `"${x}"`).join(", ");
    return db.all(`SELECT ${q} FROM "${t}" WHERE "$deletedAt" IS NULL AND "$createdAt" IS NOT NULL`).map((r) => Object.fromEntries(cols.map((x, i) => [x, r[i]])) as Row);
  };
  let ts = Date.now() * 1000;
  const batch = (author: string, writes: RowWrite[]): Batch => ({ batchId: batchId(), ts: ++ts, author, kind: "direct", writes });

  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, args: ["--admin-secret", ADMIN, "--backend-secret", BACKEND] });
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema, permissions });
    db = createNodeSqlDriver(join(server.dataDir, DB_FILE));
  });
  afterAll(async () => {
    await Promise.all(open.map((x) => x.close()));
    db?.close();
    await server?.stop();
  });

  async function push(cl: RecordingClient, b: Batch) {
    cl.link.push(b);
    return until(() => cl.fateOf(b.batchId), `fate of ${b.batchId}`);
  }

  it("rejects policy-violating writes whole, with the reference text, leaving the data unchanged", async () => {
    const [alice, bob] = users;
    const admin = client(null);
    const a = client(alice);
    const m = client(bob);
    const project = rowId();
    const todo = rowId();
    const note = rowId();
    expect(await push(a, batch(alice.userId, [{ table: "projects", id: project, op: "insert", values: { name: "secret" } }]))).toMatchObject({ kind: "accepted" });
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "t", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
    expect(await push(a, batch(alice.userId, [{ table: "notes", id: note, op: "insert", values: { text: "n" } }]))).toMatchObject({ kind: "accepted" });
    const before = snapshot();

    const attacks: [string, Batch, string | null][] = [
      ["foreign owner_id on insert", batch(bob.userId, [{ table: "todos", id: rowId(), op: "insert", values: { title: "x", owner_id: alice.userId } }]), "policy denied INSERT on table todos"],
      ["update of someone else's row", batch(bob.userId, [{ table: "todos", id: todo, op: "update", values: { title: "pwned" } }]), "policy denied UPDATE on table todos"],
      ["delete of someone else's row", batch(bob.userId, [{ table: "todos", id: todo, op: "delete" }]), "policy denied DELETE on table todos"],
      ["forged author ($createdBy)", batch(alice.userId, [{ table: "notes", id: rowId(), op: "insert", values: { text: "forged" } }]), null],
      ["forged $createdBy in values", batch(bob.userId, [{ table: "notes", id: note, op: "update", values: { text: "x", $createdBy: bob.userId } as never }]), null],
      ["insert under a parent the user cannot read", batch(bob.userId, [{ table: "tasks", id: rowId(), op: "insert", values: { title: "x", projectId: project, assignee: null } }]), "policy denied INSERT on table tasks"],
      ["making yourself a member of someone else's project", batch(bob.userId, [{ table: "members", id: rowId(), op: "insert", values: { projectId: project, user_id: bob.userId, role: "admin" } }]), "policy denied INSERT on table members"],
      [
        "a granted write batched with a denied one",
        batch(bob.userId, [
          { table: "todos", id: rowId(), op: "insert", values: { title: "fine", owner_id: bob.userId } },
          { table: "todos", id: todo, op: "update", values: { title: "pwned" } },
        ]),
        "policy denied UPDATE on table todos",
      ],
    ];
    for (const [what, b, reason] of attacks) {
      const f = await push(m, b);
      expect(f.kind, what).toBe("rejected");
      if (reason) expect(f, what).toMatchObject({ code: "forbidden", reason });
    }
    // The owner's own move of the row out of their reach (where() checks the new row too).
    const moveOut = await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "update", values: { owner_id: bob.userId } }]));
    expect(moveOut).toMatchObject({ kind: "rejected", code: "forbidden", reason: "policy denied UPDATE on table todos" });
    expect(snapshot()).toBe(before);

    // Once alice makes bob a member, his task insert under the project is granted.
    expect(await push(a, batch(alice.userId, [{ table: "members", id: rowId(), op: "insert", values: { projectId: project, user_id: bob.userId, role: "writer" } }]))).toMatchObject({ kind: "accepted" });
    expect(await push(m, batch(bob.userId, [{ table: "tasks", id: rowId(), op: "insert", values: { title: "ok", projectId: project, assignee: null } }]))).toMatchObject({ kind: "accepted" });
    expect(count("tasks")).toBe(1);
    // Admin writes bypass policies.
    expect(await push(admin, batch(bob.userId, [{ table: "todos", id: rowId(), op: "insert", values: { title: "seeded", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
  });

  it("never delivers a row the read policy denies (random data and sessions vs brute force)", async () => {
    const admin = client(null);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    // Fresh tables' worth of data on top of the previous test's rows: read the current state
    // from the server file, then add random rows as the admin (authored as random users).
    const data: Data = {};
    for (const t of Object.keys(schema.tables)) data[t] = rows(t);
    const ids = users.map((u) => u.userId);
    const writes: { author: string; w: RowWrite }[] = [];
    const add = (table: string, author: string, values: Record<string, unknown>) => {
      const row = { id: rowId(), $createdBy: author, ...values } as Row;
      data[table].push(row);
      writes.push({ author, w: { table, id: row.id, op: "insert", values: values as RowWrite["values"] } });
      return row;
    };
    for (let i = 0; i < 12; i++) add("projects", pick(ids), { name: `p${i}` });
    for (let i = 0; i < 14; i++) add("members", pick(ids), { projectId: pick(data.projects).id, user_id: pick(ids), role: pick(["admin", "writer"]) });
    for (let i = 0; i < 30; i++) add("tasks", pick(ids), { title: `t${i}`, projectId: pick(data.projects).id, assignee: rand() < 0.3 ? pick(ids) : null });
    for (let i = 0; i < 30; i++) add("comments", pick(ids), { body: `c${i}`, taskId: pick(data.tasks).id });
    for (let i = 0; i < 16; i++) add("todos", pick(ids), { title: `d${i}`, owner_id: pick(ids) });
    for (let i = 0; i < 16; i++) add("notes", pick(ids), { text: `n${i}` });
    for (const { author, w } of writes) expect((await push(admin, batch(author, [w]))).kind).toBe("accepted");

    let checked = 0;
    // Local-first users, plus sessions with JWT-style claims (a backend acting for a user).
    const sessions = [
      ...users.map((u) => ({ userId: u.userId, claims: {} as Record<string, unknown>, open: () => client(u) })),
      ...[{ role: "manager" }, { role: "intern" }].map((claims: Record<string, unknown>, i) => {
        const userId = ids[i];
        return {
          userId,
          claims,
          open: () => {
            const cl = recordingClient(server.url, APP, { auth: { backendSecret: BACKEND, session: { user_id: userId, claims } }, userId, schema });
            open.push(cl);
            return cl;
          },
        };
      }),
    ];
    for (const u of sessions) {
      const cl = u.open();
      const queries: [string, QueryIR][] = [
        ...Object.keys(schema.tables).map((t) => [t, all(t)] as [string, QueryIR]),
        ["projects+", all("projects", [{ relation: "tasksViaProject", query: all("tasks", [{ relation: "commentsViaTask", query: all("comments") }]) }])],
        ["comments+", all("comments", [{ relation: "task", query: all("tasks", [{ relation: "project", query: all("projects") }]) }])],
      ];
      for (const [id] of queries) void id;
      queries.forEach(([id, q]) => cl.link.subscribeQuery(id, q, "edge"));
      await until(() => queries.every(([id]) => cl.settled.some(([s]) => s === id)), "all settled");
      const received: Record<string, Set<string>> = {};
      for (const b of cl.remote) for (const w of b.writes) if (w.op !== "delete") (received[w.table] ??= new Set()).add(w.id);
      const expected = expectedReadable(data, u.userId, u.claims);
      for (const t of Object.keys(schema.tables)) {
        const got = [...(received[t] ?? [])].sort();
        expect(got, `${u.userId.slice(0, 8)} ${t}`).toEqual([...expected[t]].sort());
        checked += got.length;
      }
    }
    // Users could read a fair share, and not everything.
    const total = Object.values(data).reduce((n, rows) => n + rows.length, 0) * sessions.length;
    expect(checked).toBeGreaterThan(total * 0.1);
    expect(checked).toBeLessThan(total * 0.9);
  });
  it("membership changes move rows into and out of a live subscription", async () => {
    const [alice, bob] = users;
    const a = client(alice);
    const b = client(bob);
    const project = rowId();
    const task = rowId();
    expect((await push(a, batch(alice.userId, [{ table: "projects", id: project, op: "insert", values: { name: "live" } }]))).kind).toBe("accepted");
    expect((await push(a, batch(alice.userId, [{ table: "tasks", id: task, op: "insert", values: { title: "t", projectId: project, assignee: null } }]))).kind).toBe("accepted");
    b.link.subscribeQuery("tasks", all("tasks"), "edge");
    await until(() => b.settled.some(([s]) => s === "tasks"), "settled");
    const got = (id: string) => b.remote.some((x) => x.writes.some((w) => w.id === id && w.op !== "delete"));
    expect(got(task)).toBe(false);
    const member = rowId();
    expect((await push(a, batch(alice.userId, [{ table: "members", id: member, op: "insert", values: { projectId: project, user_id: bob.userId, role: "writer" } }]))).kind).toBe("accepted");
    await until(() => got(task), "task entered bob's scope with the membership");
    // Members have no delete (nor update) policy: alice cannot revoke; an admin can. After that,
    // later changes to the task are no longer sent to bob.
    expect((await push(a, batch(alice.userId, [{ table: "members", id: member, op: "delete" }]))).kind).toBe("rejected");
    expect((await push(client(null), batch(alice.userId, [{ table: "members", id: member, op: "delete" }]))).kind).toBe("accepted");
    const rename = batch(alice.userId, [{ table: "tasks", id: task, op: "update", values: { title: "secret plan" } }]);
    expect((await push(a, rename)).kind).toBe("accepted");
    const probe = batch(alice.userId, [{ table: "todos", id: rowId(), op: "insert", values: { title: "p", owner_id: alice.userId } }]);
    await push(a, probe);
    await new Promise((res) => setTimeout(res, 300));
    expect(b.remote.some((x) => x.batchId === rename.batchId)).toBe(false);
  });
});
