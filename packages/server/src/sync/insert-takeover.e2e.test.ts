// An insert whose id names a row that is already stored, from raw clients against a real
// server process: it is checked as an update of that row (the update policy, the stored row as
// `old`), and it can never change who created the row — an insert with an older clock, or of a
// deleted row's id, is refused with or without permissions.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { Batch, RowWrite, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";
import { DB_FILE } from "../storage/open.ts";

const ADMIN = "admin-secret-for-takeover-tests";
const str = () => ({ type: { kind: "string" as const }, optional: false, merge: "lww" as const });
const schema: RuntimeSchema = {
  tables: {
    todos: { columns: { title: str(), owner_id: str() } },
    notes: { columns: { text: str() } },
  },
};
const permissions = definePermissions(schema, ({ policy, session }) => {
  policy.todos.allowRead.where({ owner_id: session.user_id });
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.where({ owner_id: session.user_id });
  policy.todos.allowDelete.where({ owner_id: session.user_id });
  policy.notes.managedByCreator();
});

async function setup(appId: string, withPermissions: boolean) {
  const server = await startServerProcess({ appId, args: ["--admin-secret", ADMIN] });
  await publishCatalogue({ serverUrl: server.url, appId, adminSecret: ADMIN, schema, permissions: withPermissions ? permissions : undefined });
  const db = createNodeSqlDriver(join(server.dataDir, DB_FILE));
  const open: RecordingClient[] = [];
  const client = (u: ReturnType<typeof localFirstAuth>) => {
    const c = recordingClient(server.url, appId, { auth: u.auth, userId: u.userId, schema });
    open.push(c);
    return c;
  };
  const stored = (table: string, id: string) => {
    const cols = ["id", ...Object.keys(schema.tables[table]!.columns), "$createdBy", "$deletedAt"];
    const r = db.all(`SELECT ${cols.map((c) => `"${c}"`).join(", ")} FROM "${table}" WHERE id = ?`, [id])[0];
    return r ? Object.fromEntries(cols.map((c, i) => [c, r[i]])) : undefined;
  };
  const close = async () => {
    await Promise.all(open.map((c) => c.close()));
    db.close();
    await server.stop();
  };
  return { server, db: db as SqlDriver, client, stored, close, users: [localFirstAuth(appId), localFirstAuth(appId)] };
}

let clock = Date.now() * 1000;
const batch = (author: string, writes: RowWrite[], ts = ++clock): Batch => ({ batchId: batchId(), ts, author, kind: "direct", writes });
async function push(c: RecordingClient, b: Batch) {
  c.link.push(b);
  return until(() => c.fateOf(b.batchId), `fate of ${b.batchId}`);
}

describe("inserts over stored rows, with permissions", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup("takeover-perm", true);
  });
  afterAll(() => env?.close());

  it("an insert naming another user's row is an update of it, and the update policy refuses it", async () => {
    const [alice, bob] = env.users;
    const a = env.client(alice);
    const b = env.client(bob);
    const todo = rowId();
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "mine", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
    const takeover = await push(b, batch(bob.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "pwned", owner_id: bob.userId } }]));
    expect(takeover).toMatchObject({ kind: "rejected", code: "forbidden", reason: "policy denied UPDATE on table todos" });
    expect(env.stored("todos", todo)).toMatchObject({ title: "mine", owner_id: alice.userId, $createdBy: alice.userId });
    // The owner still owns it: her own update goes through.
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "update", values: { title: "still mine" } }]))).toMatchObject({ kind: "accepted" });
    expect(env.stored("todos", todo)).toMatchObject({ title: "still mine", $createdBy: alice.userId });
  });

  it("an insert of one's own row merges as an update the policy grants, creation unchanged", async () => {
    const [alice] = env.users;
    const a = env.client(alice);
    const todo = rowId();
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "v1", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "v2", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
    expect(env.stored("todos", todo)).toMatchObject({ title: "v2", $createdBy: alice.userId });
    // ...but not one that moves the row out of her reach (the update policy checks the new row).
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "v3", owner_id: "someone-else" } }]))).toMatchObject({
      kind: "rejected",
      reason: "policy denied UPDATE on table todos",
    });
  });

  it("an insert with an older clock cannot make another user the creator of a note", async () => {
    const [alice, bob] = env.users;
    const a = env.client(alice);
    const b = env.client(bob);
    const note = rowId();
    const created = ++clock;
    expect(await push(a, batch(alice.userId, [{ table: "notes", id: note, op: "insert", values: { text: "alice's" } }], created))).toMatchObject({ kind: "accepted" });
    const older = await push(b, batch(bob.userId, [{ table: "notes", id: note, op: "insert", values: { text: "bob's" } }], created - 1_000_000));
    expect(older).toMatchObject({ kind: "rejected", code: "stale_insert" });
    expect(env.stored("notes", note)).toMatchObject({ text: "alice's", $createdBy: alice.userId });
    expect(await push(a, batch(alice.userId, [{ table: "notes", id: note, op: "update", values: { text: "edited" } }]))).toMatchObject({ kind: "accepted" });
  });

  it("an insert of a deleted row's id is refused (ids are not reused)", async () => {
    const [alice] = env.users;
    const a = env.client(alice);
    const todo = rowId();
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "gone soon", owner_id: alice.userId } }]))).toMatchObject({ kind: "accepted" });
    expect(await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "delete" }]))).toMatchObject({ kind: "accepted" });
    const again = await push(a, batch(alice.userId, [{ table: "todos", id: todo, op: "insert", values: { title: "back", owner_id: alice.userId } }]));
    expect(again).toMatchObject({ kind: "rejected", code: "row_deleted" });
    expect(env.stored("todos", todo)?.$deletedAt).not.toBeNull();
  });
});

describe("inserts over stored rows, without permissions", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup("takeover-open", false);
  });
  afterAll(() => env?.close());

  it("$createdBy is set once: an older insert by someone else is refused, a newer one only updates values", async () => {
    const [alice, bob] = env.users;
    const a = env.client(alice);
    const b = env.client(bob);
    const note = rowId();
    const created = ++clock;
    expect(await push(a, batch(alice.userId, [{ table: "notes", id: note, op: "insert", values: { text: "first" } }], created))).toMatchObject({ kind: "accepted" });
    expect(await push(b, batch(bob.userId, [{ table: "notes", id: note, op: "insert", values: { text: "older" } }], created - 5))).toMatchObject({ kind: "rejected", code: "stale_insert" });
    expect(await push(b, batch(bob.userId, [{ table: "notes", id: note, op: "insert", values: { text: "newer" } }]))).toMatchObject({ kind: "accepted" });
    expect(env.stored("notes", note)).toMatchObject({ text: "newer", $createdBy: alice.userId });
  });
});
