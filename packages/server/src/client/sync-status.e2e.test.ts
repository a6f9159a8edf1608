// db.getSyncStatus() / onSyncStatusChanged on Node Dbs against real servers: connected with
// nothing pending once writes settle, and failures that explain themselves (a wrong app id, an
// unreachable server, a production server refusing local-first auth).

import { createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import { createDbFromParts, type Db, type QueryLike, type RuntimeSchema, type SyncStatus } from "@jazz-tools/core";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { createNodeDb } from "@jazz-tools/sqlite-node/node-db";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { eventually } from "../testing/clients.ts";

const schema: RuntimeSchema = { tables: { notes: { columns: { title: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const notes: QueryLike<{ id: string; title: string }> = { _table: "notes", _schema: schema, _build: () => ({ table: "notes", conditions: [], orderBy: [], includes: [] }) };
const servers: LocalJazzServer[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  vi.restoreAllMocks();
});
const open = async (appId: string, serverUrl: string, extra: Record<string, unknown> = {}) => {
  const db = await createNodeDb({ appId, serverUrl, secret: generateAuthSecret(), ...extra }, { backoff: { baseMs: 50, capMs: 300, jitterMs: 10 } } as never);
  dbs.push(db);
  return db;
};
const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

describe("sync status", () => {
  it("goes connecting → connected; a write is pending until the server settles it, then lastSyncedAt moves", async () => {
    const server = await startLocalJazzServer({ appId: "status-ok" });
    servers.push(server);
    const db = await open("status-ok", server.url);
    const seen: SyncStatus[] = [];
    const off = db.onSyncStatusChanged((s) => seen.push(s));
    await eventually(async () => db.getSyncStatus().connection === "connected", "connected");
    const before = db.getSyncStatus().lastSyncedAt!;
    expect(before).toBeInstanceOf(Date);
    const w = db.insert(notes, { title: "a" });
    expect(db.getSyncStatus().pendingBatches).toBe(1);
    await w.wait({ tier: "global" });
    expect(db.getSyncStatus()).toMatchObject({ connection: "connected", pendingBatches: 0 });
    expect(db.getSyncStatus().reason).toBeUndefined();
    expect(db.getSyncStatus().lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(seen.map((s) => s.pendingBatches)).toContain(1);
    expect(Object.isFrozen(db.getSyncStatus())).toBe(true);
    off();
    const count = seen.length;
    db.insert(notes, { title: "b" });
    expect(seen.length).toBe(count);
  });

  it("names a wrong app id in the reason (from the server's /health) and logs it once", async () => {
    const server = await startLocalJazzServer({ appId: "the-real-app" });
    servers.push(server);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const db = await open("a-typo-app", server.url);
    db.insert(notes, { title: "stuck" });
    const s = await eventually(async () => (db.getSyncStatus().reason ? db.getSyncStatus() : null), "a reason");
    expect(s).toMatchObject({ connection: expect.stringMatching(/offline|connecting/), pendingBatches: 1 });
    expect(s.reason).toMatch(/serves app "the-real-app", not "a-typo-app"/);
    await new Promise((r) => setTimeout(r, 700)); // several reconnect attempts
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("a-typo-app"))).toHaveLength(1);
  });

  it("says the server cannot be reached when nothing listens", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const db = await open("nobody-home", `http://127.0.0.1:${await freePort()}`);
    const s = await eventually(async () => (db.getSyncStatus().reason ? db.getSyncStatus() : null), "a reason");
    expect(s.connection).toMatch(/offline|connecting/);
    expect(s.reason).toMatch(/cannot reach the sync server at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("is unauthorized, in the server's words, when the server refuses local-first auth", async () => {
    const server = await startLocalJazzServer({ appId: "no-local-first", allowLocalFirstAuth: false });
    servers.push(server);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const db = await open("no-local-first", server.url);
    const s = await eventually(async () => (db.getSyncStatus().connection === "unauthorized" ? db.getSyncStatus() : null), "unauthorized");
    expect(s.reason).toBeTruthy();
  });

  it("a local-only Db reports closed with a reason, and nothing pending", async () => {
    const db = await createDbFromParts({ config: { appId: "local" }, driver: createNodeSqlDriver() });
    dbs.push(db);
    db.insert(notes, { title: "x" });
    expect(db.getSyncStatus()).toEqual({ connection: "closed", reason: expect.stringMatching(/no serverUrl/), pendingBatches: 0 });
    expect(() => db.onSyncStatusChanged(null as never)).toThrow(TypeError);
  });
});
