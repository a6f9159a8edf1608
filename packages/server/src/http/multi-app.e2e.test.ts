// One server process serving several apps: each has its own data, catalogue and auth, routes
// answer for an app's id and its UUIDv5 alias, and TestingServers started on one port share it.
import { afterEach, describe, expect, it } from "vitest";
import { normalizeAudience } from "@jazz-tools/auth";
import { startSyncServer, type RunningServer } from "./server.ts";
import { TestingServer } from "../testing/testing-server.ts";
import { TODO_SCHEMA, insertTodo, recordingClient, rowId, until } from "../testing/clients.ts";
import { parseServerArgs } from "../cli/options.ts";

const base = { dataDir: "", inMemory: true, allowLocalFirstAuth: true, production: false } as const;
const running: RunningServer[] = [];
const testing: TestingServer[] = [];
afterEach(async () => {
  await Promise.all(testing.splice(0).map((s) => s.stop()));
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const publish = (url: string, appId: string, adminSecret: string, body: unknown) =>
  fetch(`${url}/apps/${encodeURIComponent(appId)}/admin/schema`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Jazz-Admin-Secret": adminSecret },
    body: JSON.stringify(body),
  });
const catalogue = async (url: string, appId: string, adminSecret: string) =>
  (await (await fetch(`${url}/apps/${appId}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": adminSecret } })).json()) as {
    schema: { tables: Record<string, unknown> };
  };

describe("several apps in one server process", () => {
  it("keeps each app's data, catalogue and admin secret apart", async () => {
    const server = await startSyncServer({ ...base, appId: "app-one", port: 0, host: "127.0.0.1", adminSecret: "one-secret" });
    running.push(server);
    await server.addApp({ ...base, appId: "app-two", adminSecret: "two-secret" });
    expect(server.appIds).toEqual(["app-one", "app-two"]);

    expect((await publish(server.url, "app-one", "one-secret", { schema: TODO_SCHEMA })).status).toBe(200);
    // The other app's secret is not an admin secret here.
    expect((await fetch(`${server.url}/apps/app-two/admin/schema`, { headers: { "X-Jazz-Admin-Secret": "one-secret" } })).status).toBe(401);
    expect((await publish(server.url, "app-two", "two-secret", { schema: { tables: { notes: TODO_SCHEMA.tables.todos } } })).status).toBe(200);
    expect(Object.keys((await catalogue(server.url, "app-one", "one-secret")).schema.tables)).toEqual(["todos"]);
    expect(Object.keys((await catalogue(server.url, "app-two", "two-secret")).schema.tables)).toEqual(["notes"]);

    // A write to app-one is accepted there and never reaches a subscriber of app-two.
    const writer = recordingClient(server.url, "app-one");
    const other = recordingClient(server.url, "app-two", { schema: { tables: { notes: TODO_SCHEMA.tables.todos } } });
    try {
      other.link.subscribeQuery("q", { table: "notes", conditions: [], orderBy: [], includes: [] }, "edge");
      await until(() => other.settled.length > 0, "app-two query settled");
      const b = insertTodo(writer.userId, rowId(), { title: "only in one", owner: writer.userId });
      writer.link.push(b);
      expect(await until(() => writer.fateOf(b.batchId), "fate in app-one")).toMatchObject({ kind: "accepted" });
      // The same batch id is new to app-two: its log is its own.
      const inTwo = { ...b, author: other.userId, writes: [{ ...b.writes[0]!, table: "notes", values: { ...b.writes[0]!.values, owner: other.userId } }] };
      other.link.push(inTwo);
      expect(await until(() => other.fateOf(b.batchId), "fate in app-two")).toMatchObject({ kind: "accepted" });
      expect(other.remote.filter((r) => r.writes.some((w) => w.table === "todos"))).toEqual([]);
    } finally {
      await Promise.all([writer.close(), other.close()]);
    }

    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: "ok", appId: "app-one", apps: [{ appId: "app-one" }, { appId: "app-two" }] });
    const missing = await fetch(`${server.url}/apps/app-three/schemas`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).message).toMatch(/serves app app-one, app-two/);
    await expect(server.addApp({ ...base, appId: "app-two" })).rejects.toThrow(/already served/);

    await server.removeApp("app-two");
    expect((await fetch(`${server.url}/apps/app-two/schemas`)).status).toBe(404);
    expect((await fetch(`${server.url}/apps/app-one/schemas`)).status).toBe(200);
  });

  it("answers for a named app under the UUIDv5 the reference derives from its name", async () => {
    const server = await startSyncServer({ ...base, appId: "my-app", port: 0, host: "127.0.0.1", adminSecret: "s" });
    running.push(server);
    await publish(server.url, "my-app", "s", { schema: TODO_SCHEMA });
    const alias = normalizeAudience("my-app");
    expect(alias).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const byName = await (await fetch(`${server.url}/apps/my-app/schemas`)).json();
    const byAlias = await (await fetch(`${server.url}/apps/${alias}/schemas`)).json();
    expect(byAlias).toEqual(byName);
    const c = recordingClient(server.url, alias);
    try {
      const b = insertTodo(c.userId, rowId(), { title: "via alias", owner: c.userId });
      c.link.push(b);
      expect(await until(() => c.fateOf(b.batchId), "fate via alias")).toMatchObject({ kind: "accepted" });
    } finally {
      await c.close();
    }
  });

  it("TestingServers started on the same port share it, each app on its own; the port closes with the last", async () => {
    const first = await TestingServer.start({ appId: "suite-a", adminSecret: "a" });
    testing.push(first);
    const second = await TestingServer.start({ appId: "suite-b", adminSecret: "b", port: first.port });
    expect(second.url).toBe(first.url);
    expect((await publish(first.url, "suite-a", "a", { schema: TODO_SCHEMA })).status).toBe(200);
    expect((await fetch(`${first.url}/apps/suite-b/schemas`)).status).toBe(200);
    expect(await (await fetch(`${first.url}/apps/suite-b/schemas`)).json()).toEqual({ hashes: [] });
    await second.stop();
    expect((await fetch(`${first.url}/apps/suite-b/schemas`)).status).toBe(404);
    expect((await fetch(`${first.url}/apps/suite-a/schemas`)).status).toBe(200);
    await first.stop();
    testing.length = 0;
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();
  });

  it("jazz-tools server takes several app ids", () => {
    const opts = parseServerArgs(["app-a", "app-b", "--in-memory"], {});
    expect(opts).toMatchObject({ appId: "app-a", moreAppIds: ["app-b"] });
    expect(() => parseServerArgs(["app-a", "app-a"], {})).toThrow(/given twice/);
  });
});
