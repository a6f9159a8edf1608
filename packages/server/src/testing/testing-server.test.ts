// TestingServer and pushSchemaCatalogue as the reference's apps use them in a global setup.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TestingServer, pushSchemaCatalogue } from "./testing-server.ts";
import { batchId, recordingClient, rowId, until } from "./clients.ts";
import type { RuntimeSchema } from "@jazz-tools/core";

const fixture = fileURLToPath(new URL("./test-fixtures/catalogue", import.meta.url));
const schema: RuntimeSchema = {
  tables: { todos: { columns: { title: { type: { kind: "string" }, optional: false, merge: "lww" }, owner_id: { type: { kind: "string" }, optional: false, merge: "lww" } } } },
};
const servers: TestingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("TestingServer", () => {
  it("starts on a free port with the given app and secrets, and publishes schema.ts + permissions.ts", async () => {
    const server = await TestingServer.start({ appId: "0190b8a4-0000-7000-8000-00000000aaaa", adminSecret: "admin-s", backendSecret: "backend-s" });
    servers.push(server);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect([server.appId, server.adminSecret, server.backendSecret, server.dataDir]).toEqual(["0190b8a4-0000-7000-8000-00000000aaaa", "admin-s", "backend-s", undefined]);
    const { hash } = await pushSchemaCatalogue({ serverUrl: server.url, appId: server.appId, adminSecret: server.adminSecret, schemaDir: fixture });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const hashes = await (await fetch(`${server.url}/apps/${server.appId}/schemas`)).json();
    expect(hashes).toEqual({ hashes: [hash] });
    const head = await fetch(`${server.url}/apps/${server.appId}/admin/permissions/head`, { headers: { "X-Jazz-Admin-Secret": "admin-s" } });
    expect(await head.json()).toEqual({ head: { schemaHash: hash, version: 1 } });
    expect((await fetch(`${server.url}/apps/${server.appId}/admin/permissions/head`)).status).toBe(401);
  });

  it("jwtForUser mints tokens its server accepts as that user (permissions see the sub)", async () => {
    const server = await TestingServer.start();
    servers.push(server);
    await pushSchemaCatalogue({ serverUrl: server.url, appId: server.appId, adminSecret: server.adminSecret, schemaDir: fixture });
    const c = recordingClient(server.url, server.appId, { auth: { token: server.jwtForUser("user-42", { role: "tester" }) }, userId: "user-42", schema });
    try {
      const ok = { batchId: batchId(), ts: Date.now() * 1000, author: "user-42", kind: "direct" as const, writes: [{ table: "todos", id: rowId(), op: "insert" as const, values: { title: "t", owner_id: "user-42" } }] };
      c.link.push(ok);
      expect(await until(() => c.fateOf(ok.batchId), "fate")).toMatchObject({ kind: "accepted" });
      const denied = { ...ok, batchId: batchId(), writes: [{ table: "todos", id: rowId(), op: "insert" as const, values: { title: "t", owner_id: "someone-else" } }] };
      c.link.push(denied);
      expect(await until(() => c.fateOf(denied.batchId), "fate")).toMatchObject({ kind: "rejected", code: "forbidden" });
    } finally {
      await c.close();
    }
    expect(() => server.jwtForUser("")).toThrow(TypeError);
  });

  it("persistentStorage keeps the data in dataDir across a restart", async () => {
    const first = await TestingServer.start({ persistentStorage: true });
    expect(first.dataDir).toBeTruthy();
    await pushSchemaCatalogue({ serverUrl: first.url, appId: first.appId, adminSecret: first.adminSecret, schemaDir: fixture });
    await first.stop();
    const second = await TestingServer.start({ appId: first.appId, adminSecret: first.adminSecret, dataDir: first.dataDir });
    servers.push(second);
    expect(await (await fetch(`${second.url}/apps/${second.appId}/schemas`)).json()).toMatchObject({ hashes: [expect.any(String)] });
  });
});
