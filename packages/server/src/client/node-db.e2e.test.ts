// Two (or more) Node Dbs — core's Db over native SQLite, linked to a real server process — see
// each other's writes live, survive the server going away, and converge per column.

import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import { PersistedWriteRejectedError, QueryRefusedError, type Db, type QueryLike, type RuntimeSchema } from "@jazz-tools/core";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { eventually, until } from "../testing/clients.ts";
import { createNodeDb, type LinkedDb } from "@jazz-tools/sqlite-node/node-db";

const APP = "node-db-e2e";
const schema: RuntimeSchema = {
  tables: {
    notes: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        body: { type: { kind: "string" }, optional: true, merge: "lww" },
        done: { type: { kind: "boolean" }, optional: false, merge: "lww", default: false },
      },
    },
  },
};
type Note = { id: string; title: string; body: string | null; done: boolean };
const notes: QueryLike<Note> = { _table: "notes", _schema: schema, _build: () => ({ table: "notes", conditions: [], orderBy: [], includes: [] }) };
const notesTitled = (title: string): QueryLike<Note> => ({
  _table: "notes",
  _schema: schema,
  _build: () => ({ table: "notes", conditions: [{ column: "title", op: "eq", value: title }], orderBy: [], includes: [] }),
});

describe("Node Dbs synced through a real server", () => {
  let server: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async (extra: Record<string, unknown> = {}, url = server.url) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret: generateAuthSecret(), ...extra }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP });
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("two clients see each other's writes live", async () => {
    const a = await newDb();
    const b = await newDb();
    let bRows: Note[] = [];
    const off = b.subscribeAll(notesTitled("shared"), (d) => (bRows = d.all), { tier: "edge" });
    let aRows: Note[] = [];
    a.subscribeAll(notesTitled("shared"), (d) => (aRows = d.all), { tier: "edge" });
    const w = a.insert(notes, { title: "shared", body: "from a" });
    await w.wait({ tier: "edge" });
    await until(() => bRows.length === 1, "b sees a's insert");
    expect(bRows[0]).toMatchObject({ id: w.value.id, title: "shared", body: "from a" });
    b.update(notes, w.value.id, { body: "edited by b" });
    await until(() => aRows[0]?.body === "edited by b", "a sees b's update");
    off();
  });

  it("a read at tier edge returns rows written by another client before it connected", async () => {
    const a = await newDb();
    const id = a.insert(notes, { title: "earlier" }).value.id;
    await a.insert(notes, { title: "earlier" }).wait({ tier: "global" });
    const late = await newDb();
    const rows = await late.all(notesTitled("earlier"), { tier: "edge" });
    expect(rows.map((r) => r.id)).toContain(id);
    expect(rows).toHaveLength(2);
  });

  it("concurrent edits: different columns both survive, the same column converges to the later write", async () => {
    const a = await newDb();
    const b = await newDb();
    const w = a.insert(notes, { title: "lww", body: "start" });
    await w.wait({ tier: "global" });
    await b.all(notesTitled("lww"), { tier: "edge" });
    a.disconnect();
    b.disconnect();
    // Offline, both edit: different columns, and the same column with b writing later.
    a.update(notes, w.value.id, { done: true });
    a.update(notes, w.value.id, { body: "a's body" });
    await new Promise((r) => setTimeout(r, 5));
    b.update(notes, w.value.id, { body: "b's body (later)" });
    a.reconnect();
    b.reconnect();
    const expected = { id: w.value.id, title: "lww", done: true, body: "b's body (later)" };
    const converged = async (db: Db) => {
      const row = (await db.all(notesTitled("lww"), { tier: "edge" }))[0];
      return row?.body === expected.body && row.done === true ? row : null;
    };
    expect(await eventually(() => converged(a), "a converges")).toMatchObject(expected);
    expect(await eventually(() => converged(b), "b converges")).toMatchObject(expected);
    const fresh = await newDb();
    expect((await fresh.all(notesTitled("lww"), { tier: "edge" }))[0]).toMatchObject(expected);
  });

  it("a write made while the server is down stays local, waits at edge, and syncs after the server returns", async () => {
    const port = server.port;
    const a = await newDb();
    const b = await newDb();
    let bRows: Note[] = [];
    b.subscribeAll(notesTitled("offline"), (d) => (bRows = d.all), { tier: "edge" });
    await a.all(notes, { tier: "edge" });
    await server.stop();
    await until(() => a.syncStatus === "offline", "a offline");
    const w = a.insert(notes, { title: "offline" });
    expect((await a.all(notesTitled("offline"), { tier: "local" })).map((r) => r.id)).toEqual([w.value.id]);
    let reachedEdge = false;
    void w.wait({ tier: "edge" }).then(() => (reachedEdge = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(reachedEdge).toBe(false);
    server = await startServerProcess({ appId: APP, dataDir: server.dataDir, port });
    await until(() => reachedEdge, "edge after reconnect", 20_000);
    await until(() => bRows.some((r) => r.id === w.value.id), "b receives it after its subscription is replayed", 20_000);
  });

  it("a persistent Db's writes made while the server is down survive a restart of the Db and are sent once", async () => {
    const port = server.port;
    const secret = generateAuthSecret();
    const dataPath = join(mkdtempSync(join(tmpdir(), "jazz-node-outbox-")), "client.sqlite");
    const first = await createNodeDb({ appId: APP, serverUrl: server.url, secret }, { dataPath, backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    await first.all(notes, { tier: "edge" });
    await server.stop();
    const w = first.insert(notes, { title: "written offline" });
    await first.shutdown(); // the process "restarts" before the server is back
    server = await startServerProcess({ appId: APP, dataDir: server.dataDir, port });
    const second = await createNodeDb({ appId: APP, serverUrl: server.url, secret }, { dataPath, backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(second);
    const reader = await newDb();
    const seen = await eventually(async () => {
      const rows = await reader.all(notesTitled("written offline"), { tier: "edge" });
      return rows.length > 0 ? rows : null;
    }, "the offline write reaches the server after the restart", 20_000);
    expect(seen.map((r) => r.id)).toEqual([w.value.id]);
  });

  it("a Db transaction whose row another client changed after it was staged is rejected with transaction_conflict", async () => {
    const a = await newDb();
    const b = await newDb();
    const w = a.insert(notes, { title: "txn", body: "start" });
    await w.wait({ tier: "global" });
    expect((await b.all(notesTitled("txn"), { tier: "edge" })).map((r) => r.id)).toEqual([w.value.id]);
    const txn = a.beginTransaction();
    txn.update(notes, w.value.id, { body: "from a's transaction" });
    // b changes the row after a staged its write but before a commits.
    await new Promise((r) => setTimeout(r, 5));
    await b.update(notes, w.value.id, { body: "from b" }).wait({ tier: "edge" });
    const errors: { code: string; reason: string }[] = [];
    a.onMutationError((e) => errors.push(e));
    const err = await txn.commit().wait({ tier: "edge" }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PersistedWriteRejectedError);
    expect(err).toMatchObject({ code: "transaction_conflict", reason: "row visible parent changed since transaction write was staged" });
    expect(errors[0]).toMatchObject({ code: "transaction_conflict" });
    const row = await eventually(async () => {
      const r = (await a.all(notesTitled("txn"), { tier: "edge" }))[0];
      return r?.body === "from b" ? r : null;
    }, "a converges to b's write");
    expect(row.body).toBe("from b");

    // Without an interleaved write the same kind of transaction is accepted.
    const ok = a.beginTransaction();
    ok.update(notes, w.value.id, { body: "second transaction" });
    await expect(ok.commit().wait({ tier: "edge" })).resolves.toBeUndefined();
  });
});

describe("expired external JWT: error in getAuthState, recovery through onJWTExpired / updateAuthToken", () => {
  let server: ServerProcess;
  const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwt = (ttlSeconds: number) =>
    new SignJWT({ sub: "ext-user" }).setProtectedHeader({ alg: "ES256" }).setAudience(APP).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds).sign(keys.privateKey);
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, args: ["--jwt-public-key", JSON.stringify(keys.publicKey.export({ format: "jwk" }))] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("a token that expires on a live connection is reported and the fresh token from onJWTExpired restores sync", async () => {
    let refreshes = 0;
    const db = (await createNodeDb(
      { appId: APP, serverUrl: server.url, jwtToken: await jwt(2) },
      { onJWTExpired: async () => (refreshes++, jwt(600)), backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } },
    )) as LinkedDb;
    try {
      await db.insert(notes, { title: "before expiry" }).wait({ tier: "edge" });
      const states: (string | undefined)[] = [];
      db.onAuthChanged((s) => states.push(s.error));
      await until(() => states.includes("expired"), "expired reported", 15_000);
      await until(() => refreshes === 1, "onJWTExpired called");
      const w = db.insert(notes, { title: "after refresh" });
      await expect(w.wait({ tier: "edge" })).resolves.toMatchObject({ title: "after refresh" });
      expect(db.getAuthState().error).toBeUndefined();
      expect(db.getAuthState().session?.user_id).toBe("ext-user");
    } finally {
      await db.shutdown();
    }
  });

  it("without onJWTExpired the app refreshes with db.updateAuthToken; nothing queued is lost", async () => {
    const db = (await createNodeDb({ appId: APP, serverUrl: server.url, jwtToken: await jwt(-10) }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } })) as LinkedDb;
    try {
      await until(() => db.getAuthState().error === "expired", "expired at handshake");
      const queued = db.insert(notes, { title: "queued while expired" });
      let done = false;
      void queued.wait({ tier: "edge" }).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      db.updateAuthToken(await jwt(600));
      await until(() => done, "queued write accepted after updateAuthToken");
      const fresh = await createNodeDb({ appId: APP, serverUrl: server.url, jwtToken: await jwt(600) });
      expect((await fresh.all(notesTitled("queued while expired"), { tier: "edge" })).map((r) => r.id)).toEqual([queued.value.id]);
      await fresh.shutdown();
    } finally {
      await db.shutdown();
    }
  });
});

describe("production server: schema needs the admin secret", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth", "--admin-secret", "adm"] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("a query the server refuses rejects db.all at tier edge and subscribeAll's onError with QueryRefusedError; the subscription is dropped", async () => {
    const db = (await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret() })) as LinkedDb;
    // The link's desired subscriptions (replayed after every reconnect).
    const desired = () => (db.serverLink as unknown as { subs: Map<string, unknown> }).subs.size;
    try {
      const missing: QueryLike<Note> = { ...notes, _table: "missing_table", _schema: { tables: { missing_table: schema.tables.notes } }, _build: () => ({ table: "missing_table", conditions: [], orderBy: [], includes: [] }) };
      const err = await db.all(missing, { tier: "edge" }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(QueryRefusedError);
      expect(err).toMatchObject({ name: "QueryRefusedError", table: "missing_table" });
      expect((err as QueryRefusedError).reason).toMatch(/refused/);
      let calls = 0;
      const errors: Error[] = [];
      db.subscribeAll(missing, () => calls++, { tier: "edge", onError: (e) => errors.push(e) });
      expect(desired()).toBe(1);
      await until(() => errors.length === 1, "onError called");
      expect(errors[0]).toBeInstanceOf(QueryRefusedError);
      expect(calls).toBe(0);
      // Dropped: not replayed after a reconnect, so no second refusal.
      expect(desired()).toBe(0);
      db.disconnect();
      db.reconnect();
      await db.all(notes, { tier: "local" });
      await new Promise((r) => setTimeout(r, 200));
      expect(errors).toHaveLength(1);
    } finally {
      await db.shutdown();
    }
  });

  it("refuses a client's schema, rejects writes to unknown tables, retracts them locally; deploy via admin works", async () => {
    const denied = await fetch(`${server.url}/apps/${APP}/admin/schema`, { method: "POST", body: JSON.stringify({ schema }) });
    expect(denied.status).toBe(403);
    const db = await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret() });
    try {
      const errors: { code: string }[] = [];
      db.onMutationError((e) => errors.push(e));
      const w = db.insert(notes, { title: "nope" });
      expect((await db.all(notes, { tier: "local" })).map((r) => r.id)).toEqual([w.value.id]);
      const err = await w.wait({ tier: "edge" }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PersistedWriteRejectedError);
      expect(err).toMatchObject({ code: "unknown_table" });
      expect(errors[0]).toMatchObject({ code: "unknown_table" });
      expect(await db.all(notes, { tier: "local" })).toEqual([]);

      const ok = await fetch(`${server.url}/apps/${APP}/admin/schema`, {
        method: "POST",
        headers: { "X-Jazz-Admin-Secret": "adm" },
        body: JSON.stringify({ schema }),
      });
      expect(ok.status).toBe(200);
      const w2 = db.insert(notes, { title: "after deploy" });
      await expect(w2.wait({ tier: "edge" })).resolves.toMatchObject({ title: "after deploy" });
    } finally {
      await db.shutdown();
    }
  });
});
