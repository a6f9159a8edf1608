// Rows leaving a client's scope without being written (read permission revoked): the server
// names them in an `evict` message and the client's Db drops its local copy, so live queries
// report a kind 1 removal. Two Node Dbs against a real server process with a permissions bundle.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import type { Db, QueryLike, RuntimeSchema } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { until } from "../testing/clients.ts";
import { createNodeDb } from "@jazz-tools/sqlite-node/node-db";

const APP = "evict-e2e";
const ADMIN = "admin-secret-for-evict";
const str = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
const ref = (table: string) => ({ type: { kind: "ref" as const, table }, optional: false, merge: "lww" as const });
const schema: RuntimeSchema = {
  tables: {
    projects: { columns: { name: str } },
    members: { columns: { projectId: ref("projects"), user_id: str } },
    tasks: { columns: { title: str, projectId: ref("projects") } },
  },
};
const permissions = definePermissions(schema, ({ policy, session, anyOf, allowedTo }) => {
  const ownsProject = (projectId: unknown) => policy.projects.exists.where({ id: projectId as string, $createdBy: session.user_id });
  policy.projects.allowRead.where((p) =>
    anyOf([{ $createdBy: session.user_id }, policy.members.exists.where({ projectId: p.id, user_id: session.user_id })]),
  );
  policy.projects.allowInsert.always();
  policy.members.allowRead.where((m) => anyOf([{ user_id: session.user_id }, ownsProject(m.projectId)]));
  policy.members.allowInsert.where((m) => ownsProject(m.projectId));
  policy.members.allowDelete.where((m) => ownsProject(m.projectId));
  policy.tasks.allowRead.where(allowedTo.read("projectId"));
  policy.tasks.allowInsert.where(allowedTo.read("projectId"));
});

type Task = { id: string; title: string; projectId: string };
const handle = <T,>(table: string): QueryLike<T> => ({
  _table: table,
  _schema: schema,
  _build: () => ({ table, conditions: [], orderBy: [], includes: [] }),
});
const projects = handle<{ id: string; name: string }>("projects");
const members = handle<{ id: string; projectId: string; user_id: string }>("members");
const tasks = handle<Task>("tasks");

describe("rows leaving a client's scope without being written", () => {
  let server: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async () => {
    const db = await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db;
  };
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, args: ["--admin-secret", ADMIN] });
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema, permissions });
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("user B's live query loses the tasks (kind 1) when B's membership is removed, and gets them back when re-added", async () => {
    const a = await newDb();
    const b = await newDb();
    const bUser = b.getAuthState().session!.user_id;
    const p = a.insert(projects, { name: "shared" });
    const m = a.insert(members, { projectId: p.value.id, user_id: bUser });
    const t1 = a.insert(tasks, { title: "one", projectId: p.value.id });
    const t2 = a.insert(tasks, { title: "two", projectId: p.value.id });
    await t2.wait({ tier: "edge" });
    await Promise.all([p, m, t1].map((w) => w.wait({ tier: "edge" })));

    let bRows: Task[] = [];
    const removed: { kind: number; id: string }[] = [];
    b.subscribeAll(
      tasks,
      (d) => {
        bRows = d.all;
        removed.push(...d.delta.filter((x) => x.kind === 1));
      },
      { tier: "edge" },
    );
    await until(() => bRows.length === 2, "B sees both tasks");

    await a.delete(members, m.value.id).wait({ tier: "edge" });
    await until(() => bRows.length === 0, "B's live query loses the tasks");
    expect(removed.map((x) => x.id).sort()).toEqual([t1.value.id, t2.value.id].sort());
    // Dropped from B's replica, not deleted: A still has them, and B's local read is empty.
    expect(await b.all(tasks, { tier: "local" })).toEqual([]);
    expect((await a.all(tasks, { tier: "edge" })).map((r) => r.id).sort()).toEqual([t1.value.id, t2.value.id].sort());

    // Re-added: the rows' history (already-seen batch ids) applies again on B.
    await a.insert(members, { projectId: p.value.id, user_id: bUser }).wait({ tier: "edge" });
    await until(() => bRows.length === 2, "B sees the tasks again");
    expect(bRows.map((r) => r.title).sort()).toEqual(["one", "two"]);
  });
});
