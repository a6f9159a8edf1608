// Clients on different schema versions share one app through a real server process: each
// reads the others' rows translated through the reviewed migrations (add with a default, a
// rename, a drop with a backwards default, a three-version chain), and a client that was
// offline across the deploy syncs its old-version writes, which newer clients see translated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import { schema as s, migrationLens, schemaHash, type Db } from "@jazz-tools/core";
import { createNodeDb } from "@jazz-tools/sqlite-node/node-db";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { eventually } from "../testing/clients.ts";

const APP = "schema-versions-e2e";
const ADMIN = "versions-admin";

const v1 = s.defineApp({ todos: s.table({ title: s.string(), priority: s.int() }) });
const v2 = s.defineApp({ todos: s.table({ name: s.string(), done: s.boolean() }) });
const v3 = s.defineApp({ todos: s.table({ name: s.string(), done: s.boolean(), note: s.string().optional() }) });

const m12 = s.defineMigration({
  fromHash: schemaHash(v1.wasmSchema).slice(0, 12),
  toHash: schemaHash(v2.wasmSchema).slice(0, 12),
  from: { todos: s.table({ title: s.string(), priority: s.int() }) },
  to: { todos: s.table({ name: s.string(), done: s.boolean() }) },
  migrate: { todos: { name: s.renameFrom("title"), done: s.add.boolean({ default: false }), priority: s.drop.int({ backwardsDefault: 3 }) } },
});
const m23 = s.defineMigration({
  fromHash: schemaHash(v2.wasmSchema).slice(0, 12),
  toHash: schemaHash(v3.wasmSchema).slice(0, 12),
  from: { todos: s.table({ name: s.string(), done: s.boolean() }) },
  to: { todos: s.table({ name: s.string(), done: s.boolean(), note: s.string().optional() }) },
  migrate: { todos: { note: s.add.string({ default: "(none)" }) } },
});

describe("clients on different schema versions", () => {
  let server: ServerProcess;
  const dbs: Db[] = [];
  const open = async (url: string) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 200, jitterMs: 10 } } as never);
    dbs.push(db);
    return db;
  };
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, adminSecret: ADMIN, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth"] });
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: v1.wasmSchema });
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.shutdown().catch(() => {})));
    await server.stop();
  });

  it("v1 and v2 read and write each other's rows; a v1 client offline across the deploy syncs; v3 reads both", async () => {
    const a = await open(server.url);
    await a.insert(v1.todos, { title: "from v1", priority: 1 }).wait({ tier: "global" });
    const offline = await open(server.url);
    await eventually(async () => offline.getSyncStatus().connection === "connected", "offline client connected first");

    // The server goes down; the v1 client keeps writing.
    const { port, dataDir } = server;
    await server.stop();
    const pending = offline.insert(v1.todos, { title: "written offline", priority: 7 });

    server = await startServerProcess({ appId: APP, adminSecret: ADMIN, port, dataDir, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth"] });
    // Deploy v2 with its migration before the offline client is back.
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: v2.wasmSchema, migrations: [migrationLens(m12)] });

    const b = await open(server.url);
    await b.insert(v2.todos, { name: "from v2", done: true }).wait({ tier: "global" });
    await pending.wait({ tier: "global" });

    // v2 sees v1's rows renamed, with the added column's default.
    await eventually(async () => (await b.all(v2.todos, { tier: "edge" })).length === 3, "v2 sees three rows");
    const seenByV2 = (await b.all(v2.todos.orderBy("name", "asc"), { tier: "edge" })).map(({ name, done }) => ({ name, done }));
    expect(seenByV2).toEqual([
      { name: "from v1", done: false },
      { name: "from v2", done: true },
      { name: "written offline", done: false },
    ]);
    // v1 sees v2's row under its names, with the dropped column's backwards default.
    await eventually(async () => (await a.all(v1.todos, { tier: "edge" })).length === 3, "v1 sees three rows");
    const seenByV1 = (await a.all(v1.todos.orderBy("title", "asc"), { tier: "edge" })).map(({ title, priority }) => ({ title, priority }));
    expect(seenByV1).toEqual([
      { title: "from v1", priority: 1 },
      { title: "from v2", priority: 3 },
      { title: "written offline", priority: 7 },
    ]);
    // A v1 update to a v2 row lands under v2's name; a where on a renamed column is translated.
    const fromV2 = (await a.all(v1.todos.where({ title: "from v2" }), { tier: "edge" }))[0]!;
    await a.update(v1.todos, fromV2.id, { title: "renamed by v1" }).wait({ tier: "global" });
    await eventually(async () => (await b.all(v2.todos.where({ name: "renamed by v1" }), { tier: "edge" })).length === 1, "v2 sees v1's update");
    expect((await b.all(v2.todos.where({ name: "renamed by v1" }), { tier: "edge" }))[0]!.done).toBe(true);

    // Three versions: v3 reads rows written under v1 and v2 through the composed lenses.
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: v3.wasmSchema, migrations: [migrationLens(m23)] });
    const c = await open(server.url);
    await c.insert(v3.todos, { name: "from v3", done: false, note: "hi" }).wait({ tier: "global" });
    await eventually(async () => (await c.all(v3.todos, { tier: "edge" })).length === 4, "v3 sees four rows");
    const seenByV3 = (await c.all(v3.todos.orderBy("name", "asc"), { tier: "edge" })).map(({ name, note }) => ({ name, note }));
    expect(seenByV3).toEqual([
      { name: "from v1", note: "(none)" },
      { name: "from v3", note: "hi" },
      { name: "renamed by v1", note: "(none)" },
      { name: "written offline", note: "(none)" },
    ]);
    // ... and v1, two migrations back, reads v3's row.
    await eventually(async () => (await a.all(v1.todos.where({ title: "from v3" }), { tier: "edge" })).length === 1, "v1 sees v3's row");
    expect((await a.all(v1.todos.where({ title: "from v3" }), { tier: "edge" }))[0]!.priority).toBe(3);
  }, 60_000);

  it("serves the catalogue: every version, the migrations and which versions reach the head", async () => {
    const h = { "X-Jazz-Admin-Secret": ADMIN };
    const hashes = ((await (await fetch(`${server.url}/apps/${APP}/schemas`)).json()) as { hashes: string[] }).hashes;
    expect(hashes).toEqual(expect.arrayContaining([schemaHash(v1.wasmSchema), schemaHash(v2.wasmSchema), schemaHash(v3.wasmSchema)]));
    const migrations = (await (await fetch(`${server.url}/apps/${APP}/admin/migrations`, { headers: h })).json()) as { migrations: { fromHash: string; toHash: string }[] };
    expect(migrations.migrations.map((m) => [m.fromHash, m.toHash])).toEqual([
      [schemaHash(v1.wasmSchema), schemaHash(v2.wasmSchema)],
      [schemaHash(v2.wasmSchema), schemaHash(v3.wasmSchema)],
    ]);
    const conn = (await (await fetch(`${server.url}/apps/${APP}/admin/schema-connectivity?from=${schemaHash(v1.wasmSchema).slice(0, 12)}`, { headers: h })).json()) as { connected: boolean; toHash: string; path: unknown[] };
    expect(conn).toMatchObject({ connected: true, toHash: schemaHash(v3.wasmSchema) });
    expect(conn.path).toHaveLength(2);
    expect((await fetch(`${server.url}/apps/${APP}/admin/migrations`)).status).toBe(401);
    const schema = (await (await fetch(`${server.url}/apps/${APP}/schema/${schemaHash(v2.wasmSchema).slice(0, 12)}`, { headers: h })).json()) as { schema: unknown };
    expect(schema.schema).toEqual(JSON.parse(JSON.stringify(v2.wasmSchema)));
  });

  it("refuses a draft migration and a migration naming an unknown version", async () => {
    const body = (m: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json", "X-Jazz-Admin-Secret": ADMIN }, body: JSON.stringify({ migration: m }) });
    const draft = { ...migrationLens(m23), draft: true };
    const r1 = await fetch(`${server.url}/apps/${APP}/admin/migrations`, body(draft));
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { message: string }).message).toMatch(/draft/);
    const r2 = await fetch(`${server.url}/apps/${APP}/admin/migrations`, body({ ...migrationLens(m23), fromHash: "0123456789ab" }));
    expect(r2.status).toBe(404);
    expect(((await r2.json()) as { message: string }).message).toMatch(/no published schema has hash 0123456789ab/);
  });
});
