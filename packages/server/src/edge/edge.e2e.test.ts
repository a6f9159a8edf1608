// Core + edge topology with real server processes on 127.0.0.1: Node Dbs on the edge and on the
// core see each other's writes live; the edge acknowledges `edge` on its own and `global` once
// the core accepted (also after the core was away); a write the core rejects fails the edge
// client's global wait and is retracted everywhere; a wrong peer secret is refused.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { generateAuthSecret } from "@jazz-tools/auth";
import { PersistedWriteRejectedError, type Db, type QueryLike, type RuntimeSchema } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, tempDir, type ServerProcess } from "../testing/spawn.ts";
import { eventually, until } from "../testing/clients.ts";
import { createNodeDb, type LinkedDb } from "@jazz-tools/sqlite-node/node-db";
import { startSyncServer } from "../http/server.ts";

const APP = "edge-e2e";
const PEER = "peer-secret-for-tests";
const ADMIN = "admin-secret-for-tests";

const schema: RuntimeSchema = {
  tables: {
    notes: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        owner: { type: { kind: "string" }, optional: false, merge: "lww" },
        body: { type: { kind: "string" }, optional: true, merge: "lww" },
      },
    },
  },
};
type Note = { id: string; title: string; owner: string; body?: string | null };
const notes: QueryLike<Note> = { _table: "notes", _schema: schema, _build: () => ({ table: "notes", conditions: [], orderBy: [], includes: [] }) };
const titled = (title: string): QueryLike<Note> => ({
  _table: "notes",
  _schema: schema,
  _build: () => ({ table: "notes", conditions: [{ column: "title", op: "eq", value: title }], orderBy: [], includes: [] }),
});

// Anyone reads; a note can only be written as its owner.
const ownerOnly = definePermissions(schema, ({ policy, session }) => {
  policy.notes.allowRead.always();
  policy.notes.allowInsert.where({ owner: session.user_id });
  policy.notes.allowUpdate.where({ owner: session.user_id });
  policy.notes.allowDelete.where({ owner: session.user_id });
});

/** Resolves to "resolved", "rejected: <error>" or "pending" after `ms`. */
async function stateAfter(p: Promise<unknown>, ms: number): Promise<string> {
  let state = "pending";
  p.then(
    () => (state = "resolved"),
    (e) => (state = `rejected: ${e}`),
  );
  await new Promise((r) => setTimeout(r, ms));
  return state;
}

async function health(url: string): Promise<{ connections: number; upstream?: { status: string; pending: number; links: number } }> {
  return (await fetch(`${url}/health`)).json() as never;
}

describe("edge server in front of a core (real processes)", () => {
  let core: ServerProcess;
  let edge: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async (url: string) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  const startCore = (dataDir?: string, port?: number) => startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN, dataDir, port });

  beforeAll(async () => {
    core = await startCore();
    edge = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
    await eventually(async () => (await health(edge.url)).upstream?.status === "connected", "the edge connected to the core");
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  });
  afterAll(async () => {
    await edge?.stop();
    await core?.stop();
  });

  it("a client of the edge and a client of the core see each other's writes live", async () => {
    const onEdge = await newDb(edge.url);
    const onCore = await newDb(core.url);
    let edgeRows: Note[] = [];
    let coreRows: Note[] = [];
    onEdge.subscribeAll(titled("live"), (d) => (edgeRows = d.all), { tier: "global" });
    onCore.subscribeAll(titled("live"), (d) => (coreRows = d.all), { tier: "global" });
    await onEdge.all(titled("live"), { tier: "global" });
    await onCore.all(titled("live"), { tier: "global" });

    const fromEdge = onEdge.insert(notes, { title: "live", owner: onEdge.getAuthState().session!.user_id });
    await until(() => coreRows.some((r) => r.id === fromEdge.value.id), "the core client sees the edge client's insert");
    const fromCore = onCore.insert(notes, { title: "live", owner: onCore.getAuthState().session!.user_id });
    await until(() => edgeRows.some((r) => r.id === fromCore.value.id), "the edge client sees the core client's insert");
    onCore.update(notes, fromEdge.value.id, { owner: "changed on the core" });
    await until(() => edgeRows.find((r) => r.id === fromEdge.value.id)?.owner === "changed on the core", "the edge client sees the update");
    await fromEdge.wait({ tier: "global" });
    expect((await onCore.all(titled("live"), { tier: "global" })).map((r) => r.id).sort()).toEqual([fromEdge.value.id, fromCore.value.id].sort());
  });

  it("two clients of the same edge see each other's writes", async () => {
    const a = await newDb(edge.url);
    const b = await newDb(edge.url);
    let bRows: Note[] = [];
    b.subscribeAll(titled("same-edge"), (d) => (bRows = d.all), { tier: "edge" });
    const w = a.insert(notes, { title: "same-edge", owner: "a" });
    await until(() => bRows.some((r) => r.id === w.value.id), "b sees a's insert through the edge");
  });

  it("acknowledges edge without the core, global once the core accepted; serves locally meanwhile and flushes on reconnect", async () => {
    const writer = await newDb(edge.url);
    const reader = await newDb(edge.url);
    await writer.all(titled("offline-core"), { tier: "global" });
    let readerRows: Note[] = [];
    reader.subscribeAll(titled("offline-core"), (d) => (readerRows = d.all), { tier: "edge" });
    await reader.all(titled("offline-core"), { tier: "edge" });

    const port = core.port;
    await core.crash();
    await eventually(async () => (await health(edge.url)).upstream?.status !== "connected", "the edge noticed the core is gone");

    const w = writer.insert(notes, { title: "offline-core", owner: "w" });
    await w.wait({ tier: "edge" });
    const global = w.wait({ tier: "global" });
    // The edge stored it and serves it to its other clients, but the core has not seen it.
    await until(() => readerRows.some((r) => r.id === w.value.id), "another edge client sees the write while the core is down");
    expect(await stateAfter(global, 800)).toBe("pending");
    expect((await health(edge.url)).upstream?.pending).toBeGreaterThanOrEqual(1);

    core = await startCore(core.dataDir, port);
    await global;
    const onCore = await newDb(core.url);
    const rows = await onCore.all(titled("offline-core"), { tier: "global" });
    expect(rows.map((r) => r.id)).toContain(w.value.id);
    await eventually(async () => (await health(edge.url)).upstream?.pending === 0, "the edge's outbox drained");
  });

  it("a wrong peer secret is refused by the core (4001); a server without --peer-secret refuses every peer", async () => {
    const refused = (url: string, secret: string) =>
      new Promise<{ code: number; error: string }>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace("http", "ws")}/apps/${APP}/ws`, ["jazz-sync.v1"], { headers: { "X-Jazz-Peer-Secret": secret } });
        let error = "";
        ws.on("open", () => ws.send(JSON.stringify({ t: "hello", v: 2, clientId: "peer-test", auth: {} })));
        ws.on("message", (d) => (error += d.toString()));
        ws.on("close", (code) => resolve({ code, error }));
        ws.on("error", reject);
      });
    const wrong = await refused(core.url, "not-the-secret");
    expect(wrong.code).toBe(4001);
    expect(JSON.parse(wrong.error)).toMatchObject({ t: "error", code: "unauthorized", reason: "invalid", message: "peer secret is wrong" });

    const plain = await startServerProcess({ appId: APP, args: ["--in-memory"] });
    try {
      const r = await refused(plain.url, PEER);
      expect(r.code).toBe(4001);
      expect(JSON.parse(r.error)).toMatchObject({ reason: "disabled" });
    } finally {
      await plain.stop();
    }

    const badEdge = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: "not-the-secret", args: ["--in-memory"] });
    try {
      await eventually(async () => (await health(badEdge.url)).upstream?.status === "unauthorized", "the edge reports the refusal");
      expect(badEdge.output()).toMatch(/refused this edge \(check --peer-secret\)/);
    } finally {
      await badEdge.stop();
    }
  });
});

describe("edge server: the core's permissions", () => {
  let core: ServerProcess;
  let edge: ServerProcess;
  const dbs: Db[] = [];
  let step = "";
  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") console.log(`--- failed at: ${step}\n--- core:\n${core?.output()}\n--- edge:\n${edge?.output()}`);
  });
  const newDb = async (url: string) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  beforeAll(async () => {
    core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN });
    edge = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  });
  afterAll(async () => {
    await edge?.stop();
    await core?.stop();
  });

  it("a write the edge accepted but the core rejects: global wait rejects, the row is retracted at the edge and its clients", async () => {
    const writer = await newDb(edge.url);
    const watcher = await newDb(edge.url);
    step = "writer.all global";
    await writer.all(notes, { tier: "global" }); // publishes the schema through the edge to the core
    let watched: Note[] = [];
    watcher.subscribeAll(titled("contested"), (d) => (watched = d.all), { tier: "edge" });
    step = "watcher.all edge";
    await watcher.all(titled("contested"), { tier: "edge" });

    // Deploy owner-only permissions to the core while the edge cannot hear about them: stop the
    // core, deploy through a second process on its data dir, then bring the core back.
    const port = core.port;
    step = "core.stop";
    await core.stop();
    step = "deployer";
    const deployer = await startServerProcess({ appId: APP, dataDir: core.dataDir, adminSecret: ADMIN });
    await publishCatalogue({ serverUrl: deployer.url, appId: APP, adminSecret: ADMIN, schema, permissions: ownerOnly });
    await deployer.stop();

    step = "writes";
    const me = writer.getAuthState().session!.user_id;
    const kept = writer.insert(notes, { title: "contested", owner: me });
    const denied = writer.insert(notes, { title: "contested", owner: "somebody-else" });
    await denied.wait({ tier: "edge" });
    await until(() => watched.length === 2, "the watcher on the edge sees both writes");
    let mutationError: { code: string } | null = null;
    writer.onMutationError((e) => (mutationError = e));

    step = "core restart";
    core = await startServerProcess({ appId: APP, dataDir: core.dataDir, port, peerSecret: PEER, adminSecret: ADMIN });
    step = "denied.wait global";
    const err = await denied.wait({ tier: "global" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PersistedWriteRejectedError);
    expect(err).toMatchObject({ batchId: denied.batchId, code: "forbidden" });
    expect(mutationError).toMatchObject({ code: "forbidden" });
    step = "kept.wait global";
    await kept.wait({ tier: "global" });
    step = "after";

    // Retracted at the writer, at the other edge client and in the edge's own store.
    expect((await writer.all(titled("contested"))).map((r) => r.id)).toEqual([kept.value.id]);
    await until(() => watched.length === 1 && watched[0]!.id === kept.value.id, "the watcher's copy is retracted");
    const late = await newDb(edge.url);
    expect((await late.all(titled("contested"), { tier: "edge" })).map((r) => r.id)).toEqual([kept.value.id]);
    // And the core never had it.
    const onCore = await newDb(core.url);
    expect((await onCore.all(titled("contested"), { tier: "global" })).map((r) => r.id)).toEqual([kept.value.id]);
  });

  it("permissions deployed on the core reach the edge and its clients (a forbidden delete throws locally)", async () => {
    const fresh = definePermissions(schema, ({ policy, session }) => {
      policy.notes.allowRead.always();
      policy.notes.allowInsert.where({ owner: session.user_id });
      policy.notes.allowUpdate.where({ owner: session.user_id });
      policy.notes.allowDelete.never();
    });
    await publishCatalogue({ serverUrl: core.url, appId: APP, adminSecret: ADMIN, permissions: fresh });
    await eventually(async () => {
      const res = await fetch(`${edge.url}/apps/${APP}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": ADMIN } });
      const body = (await res.json()) as { permissions: unknown };
      return JSON.stringify(body.permissions) === JSON.stringify(fresh);
    }, "the edge has the core's new permissions");
    const db = await newDb(edge.url);
    const row = db.insert(notes, { title: "mine", owner: db.getAuthState().session!.user_id });
    await row.wait({ tier: "global" });
    // The Db learned the bundle from the edge, so the denial is local and synchronous.
    expect(() => db.delete(notes, row.value.id)).toThrow();
  });
});

describe("edge server: a core rejection retracts the write at every client of the edge", () => {
  // Owners may hand a note over (whereOld only), so the core and the edge can disagree about a
  // write when the core saw a transfer the edge has not heard of yet.
  const transferable = definePermissions(schema, ({ policy, session }) => {
    policy.notes.allowRead.always();
    policy.notes.allowInsert.where({ owner: session.user_id });
    policy.notes.allowUpdate.whereOld({ owner: session.user_id });
    policy.notes.allowDelete.whereOld({ owner: session.user_id });
  });
  let core: ServerProcess;
  let edge: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async (url: string, secret = generateAuthSecret()) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  beforeAll(async () => {
    core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN });
    await publishCatalogue({ serverUrl: core.url, appId: APP, adminSecret: ADMIN, schema, permissions: transferable });
    edge = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
    await eventually(async () => {
      const res = await fetch(`${edge.url}/apps/${APP}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": ADMIN } });
      return JSON.stringify(((await res.json()) as { permissions: unknown }).permissions) === JSON.stringify(transferable);
    }, "the edge has the core's permissions");
  });
  afterAll(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
    await edge?.stop();
    await core?.stop();
  });

  it("an edit the edge allowed but the core refuses (the note was handed over meanwhile) is retracted at the watcher too", async () => {
    const secret = generateAuthSecret();
    const owner = await newDb(edge.url, secret);
    const watcher = await newDb(edge.url);
    const refusals: string[] = [];
    owner.onMutationError((e) => refusals.push(e.code));
    const note = owner.insert(notes, { title: "handover", owner: owner.getAuthState().session!.user_id });
    await note.wait({ tier: "global" });
    let watched: Note[] = [];
    watcher.subscribeAll(titled("handover"), (d) => (watched = d.all), { tier: "global" });
    await watcher.all(titled("handover"), { tier: "global" });

    // The core goes away; the owner edits through the edge, which allows it (it is the owner).
    const port = core.port;
    await core.stop();
    const edit = owner.update(notes, note.value.id, { body: "edited at the edge" });
    await edit.wait({ tier: "edge" });
    await until(() => watched[0]?.body === "edited at the edge", "the watcher sees the edge-accepted edit");

    // Meanwhile the same user hands the note over on the core (a second process on its data).
    const side = await startServerProcess({ appId: APP, dataDir: core.dataDir, adminSecret: ADMIN });
    const elsewhere = await newDb(side.url, secret);
    await elsewhere.all(titled("handover"), { tier: "global" });
    await elsewhere.update(notes, note.value.id, { owner: "somebody-else" }).wait({ tier: "global" });
    await elsewhere.shutdown();
    await side.stop();

    core = await startServerProcess({ appId: APP, dataDir: core.dataDir, port, peerSecret: PEER, adminSecret: ADMIN });
    const err = await edit.wait({ tier: "global" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PersistedWriteRejectedError);
    expect(err).toMatchObject({ code: "forbidden" });
    expect(refusals).toEqual(["forbidden"]);
    // The watcher ends with the core's state: handed over, and without the refused edit.
    await until(() => watched[0]?.owner === "somebody-else" && watched[0]?.body == null, "the watcher's copy is rebuilt without the refused edit");
    expect((await owner.all(titled("handover")))[0]).toMatchObject({ owner: "somebody-else", body: null });
    const late = await newDb(edge.url);
    expect((await late.all(titled("handover"), { tier: "edge" }))[0]).toMatchObject({ owner: "somebody-else", body: null });
  });
});

describe("two edges, transactions, deploys and an edge restart", () => {
  let core: ServerProcess;
  let edgeA: ServerProcess;
  let edgeB: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async (url: string) => {
    const db = await createNodeDb({ appId: APP, serverUrl: url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  const startEdge = (dataDir?: string, port?: number) => startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN, dataDir, port });
  beforeAll(async () => {
    core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN });
    [edgeA, edgeB] = await Promise.all([startEdge(), startEdge()]);
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  });
  afterAll(async () => {
    await Promise.all([edgeA?.stop(), edgeB?.stop()]);
    await core?.stop();
  });

  it("a client of one edge sees a client of another edge write, live", async () => {
    const a = await newDb(edgeA.url);
    const b = await newDb(edgeB.url);
    let bRows: Note[] = [];
    b.subscribeAll(titled("across"), (d) => (bRows = d.all), { tier: "global" });
    await b.all(titled("across"), { tier: "global" });
    const w = a.insert(notes, { title: "across", owner: "a" });
    await until(() => bRows.some((r) => r.id === w.value.id), "edge B's client sees edge A's client's write");
    b.update(notes, w.value.id, { body: "from b" });
    let aRows: Note[] = [];
    a.subscribeAll(titled("across"), (d) => (aRows = d.all), { tier: "global" });
    await until(() => aRows[0]?.body === "from b", "and back");
  });

  it("transactions are decided by the core: a conflicting one is rejected, a clean one accepted and seen at the other edge", async () => {
    const a = await newDb(edgeA.url);
    const onCore = await newDb(core.url);
    const watcher = await newDb(edgeB.url);
    const w = a.insert(notes, { title: "txn", owner: "a", body: "start" });
    await w.wait({ tier: "global" });
    await onCore.all(titled("txn"), { tier: "global" });
    const txn = a.beginTransaction();
    txn.update(notes, w.value.id, { body: "from a's transaction" });
    await new Promise((r) => setTimeout(r, 5));
    await onCore.update(notes, w.value.id, { body: "from the core" }).wait({ tier: "global" });
    const errors: string[] = [];
    a.onMutationError((e) => errors.push(e.code));
    const err = await txn.commit().wait({ tier: "edge" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PersistedWriteRejectedError);
    expect(err).toMatchObject({ code: "transaction_conflict" });
    expect(errors).toEqual(["transaction_conflict"]);

    let watched: Note[] = [];
    watcher.subscribeAll(titled("txn"), (d) => (watched = d.all), { tier: "global" });
    await until(() => watched[0]?.body === "from the core", "the other edge has the core's state");
    const ok = a.beginTransaction();
    ok.update(notes, w.value.id, { body: "second transaction" });
    await ok.commit().wait({ tier: "global" });
    await until(() => watched[0]?.body === "second transaction", "the accepted transaction reaches the other edge");
  });

  it("a deploy sent to an edge goes to the core and comes back to every edge", async () => {
    const bundle = definePermissions(schema, ({ policy }) => {
      policy.notes.allowRead.always();
      policy.notes.allowInsert.always();
      policy.notes.allowUpdate.always();
      policy.notes.allowDelete.never();
    });
    await publishCatalogue({ serverUrl: edgeA.url, appId: APP, adminSecret: ADMIN, schema, permissions: bundle });
    const catalogue = async (url: string) =>
      ((await (await fetch(`${url}/apps/${APP}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": ADMIN } })).json()) as { permissions: unknown }).permissions;
    expect(await catalogue(core.url)).toEqual(bundle);
    expect(await catalogue(edgeA.url)).toEqual(bundle);
    await eventually(async () => JSON.stringify(await catalogue(edgeB.url)) === JSON.stringify(bundle), "edge B has the bundle deployed through edge A");
    await expect(publishCatalogue({ serverUrl: edgeA.url, appId: APP, adminSecret: "wrong", permissions: bundle })).rejects.toThrow();
  });

  it("an edge restarted with undecided writes forwards them; its client gets the global fate after reconnecting", async () => {
    const a = await newDb(edgeA.url);
    await a.all(titled("restart"), { tier: "global" });
    const corePort = core.port;
    await core.crash();
    const w = a.insert(notes, { title: "restart", owner: "a" });
    await w.wait({ tier: "edge" });
    const global = w.wait({ tier: "global" });

    const edgePort = edgeA.port;
    await edgeA.crash();
    edgeA = await startEdge(edgeA.dataDir, edgePort);
    core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN, dataDir: core.dataDir, port: corePort });
    await global;
    const onCore = await newDb(core.url);
    expect((await onCore.all(titled("restart"), { tier: "global" })).map((r) => r.id)).toEqual([w.value.id]);
  });
});

describe("edge upstream links", () => {
  it("a session's link to the core closes once its clients left and its writes are settled", async () => {
    const core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN, args: ["--in-memory"] });
    // In process, to shorten the idle delay; it still talks to the core over 127.0.0.1.
    const edge = await startSyncServer(
      { appId: APP, port: 0, host: "127.0.0.1", dataDir: "", inMemory: true, allowLocalFirstAuth: true, adminSecret: ADMIN, peerSecret: PEER, upstreamUrl: core.url, production: false },
      { idleLinkMs: 200 },
    );
    const dbs: Db[] = [];
    try {
      await eventually(async () => (await health(edge.url)).upstream?.status === "connected", "the edge connected");
      expect((await health(edge.url)).upstream).toMatchObject({ links: 1 });
      for (let i = 0; i < 2; i++) dbs.push(await createNodeDb({ appId: APP, serverUrl: edge.url, secret: generateAuthSecret() }));
      await Promise.all(dbs.map((db) => db.insert(notes, { title: "links", owner: "x" }).wait({ tier: "global" })));
      await dbs[0]!.all(titled("links"), { tier: "global" });
      // The catalogue link plus one per session.
      expect((await health(edge.url)).upstream).toMatchObject({ links: 3 });
      await dbs.shift()!.shutdown();
      await eventually(async () => (await health(edge.url)).upstream?.links === 2, "the first session's link closed");
      // The other session keeps its link while its client stays.
      await new Promise((r) => setTimeout(r, 400));
      expect((await health(edge.url)).upstream).toMatchObject({ links: 2 });
      expect(await dbs[0]!.all(titled("links"), { tier: "global" })).toHaveLength(2);
    } finally {
      await Promise.all(dbs.map((d) => d.shutdown()));
      await edge.close();
      await core.stop();
    }
  });
});

describe("edge in production", () => {
  it("takes the schema deployed to the core (clients cannot publish one) and syncs writes to it", async () => {
    const prod = { env: { NODE_ENV: "production" }, peerSecret: PEER, adminSecret: ADMIN };
    const core = await startServerProcess({ appId: APP, ...prod, args: ["--allow-local-first-auth"] });
    const edge = await startServerProcess({ appId: APP, ...prod, upstreamUrl: core.url, args: ["--allow-local-first-auth"] });
    const dbs: Db[] = [];
    try {
      const early = await createNodeDb({ appId: APP, serverUrl: edge.url, secret: generateAuthSecret() });
      dbs.push(early);
      early.onMutationError(() => {});
      const refused = await early.insert(notes, { title: "too early", owner: "x" }).wait({ tier: "edge" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: "unknown_table" });
      const coreCatalogue = await fetch(`${core.url}/apps/${APP}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": ADMIN } });
      expect(((await coreCatalogue.json()) as { schema: RuntimeSchema }).schema.tables.notes).toBeUndefined();

      await publishCatalogue({ serverUrl: core.url, appId: APP, adminSecret: ADMIN, schema });
      await eventually(async () => {
        const res = await fetch(`${edge.url}/apps/${APP}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": ADMIN } });
        return !!((await res.json()) as { schema: RuntimeSchema }).schema.tables.notes;
      }, "the edge has the core's schema");
      const onEdge = await createNodeDb({ appId: APP, serverUrl: edge.url, secret: generateAuthSecret() });
      const onCore = await createNodeDb({ appId: APP, serverUrl: core.url, secret: generateAuthSecret() });
      dbs.push(onEdge, onCore);
      const w = onEdge.insert(notes, { title: "prod", owner: "x" });
      await w.wait({ tier: "global" });
      expect((await onCore.all(titled("prod"), { tier: "global" })).map((r) => r.id)).toEqual([w.value.id]);
    } finally {
      await Promise.all(dbs.map((d) => d.shutdown()));
      await edge.stop();
      await core.stop();
    }
  });
});

describe("edge with relational permissions (rows the edge does not hold)", () => {
  const c = (kind: "string") => ({ type: { kind }, optional: false, merge: "lww" as const });
  const ref = (table: string) => ({ type: { kind: "ref" as const, table }, optional: false, merge: "lww" as const });
  const team: RuntimeSchema = {
    tables: {
      projects: { columns: { name: c("string") } },
      members: { columns: { projectId: ref("projects"), user_id: c("string") } },
      tasks: { columns: { title: c("string"), projectId: ref("projects") } },
    },
  };
  const teamPermissions = definePermissions(team, ({ policy, session, anyOf, allowedTo }) => {
    policy.projects.allowRead.where((p) => anyOf([{ $createdBy: session.user_id }, policy.members.exists.where({ projectId: p.id, user_id: session.user_id })]));
    policy.projects.allowInsert.always();
    policy.members.allowRead.where((m) => anyOf([{ user_id: session.user_id }, policy.projects.exists.where({ id: m.projectId, $createdBy: session.user_id })]));
    policy.members.allowInsert.where((m) => policy.projects.exists.where({ id: m.projectId, $createdBy: session.user_id }));
    policy.tasks.allowRead.where(allowedTo.read("projectId"));
    policy.tasks.allowInsert.where(allowedTo.read("projectId"));
  });
  type Task = { id: string; title: string; projectId: string };
  const handle = <R,>(table: string): QueryLike<R> => ({ _table: table, _schema: team, _build: () => ({ table, conditions: [], orderBy: [], includes: [] }) });
  const tasksOf = (projectId: string): QueryLike<Task> => ({
    _table: "tasks",
    _schema: team,
    _build: () => ({ table: "tasks", conditions: [{ column: "projectId", op: "eq", value: projectId }], orderBy: [], includes: [] }),
  });
  const TEAM_APP = "edge-team";
  let core: ServerProcess;
  let edge: ServerProcess;
  const dbs: Db[] = [];
  const newDb = async (url: string) => {
    const db = await createNodeDb({ appId: TEAM_APP, serverUrl: url, secret: generateAuthSecret() }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } });
    dbs.push(db);
    return db as LinkedDb;
  };
  beforeAll(async () => {
    core = await startServerProcess({ appId: TEAM_APP, peerSecret: PEER, adminSecret: ADMIN });
    await publishCatalogue({ serverUrl: core.url, appId: TEAM_APP, adminSecret: ADMIN, schema: team, permissions: teamPermissions });
    edge = await startServerProcess({ appId: TEAM_APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
  });
  afterAll(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
    await edge?.stop();
    await core?.stop();
  });

  it("a member on the edge reads and writes the tasks of a project whose membership only the core holds", async () => {
    const owner = await newDb(core.url);
    const member = await newDb(edge.url);
    const memberId = member.getAuthState().session!.user_id;
    const project = owner.insert(handle<{ id: string; name: string }>("projects"), { name: "p" });
    owner.insert(handle<{ id: string }>("members"), { projectId: project.value.id, user_id: memberId });
    const first = owner.insert(handle<Task>("tasks"), { title: "from the owner", projectId: project.value.id });
    await first.wait({ tier: "global" });

    let seen: Task[] = [];
    member.subscribeAll(tasksOf(project.value.id), (d) => (seen = d.all), { tier: "global" });
    await until(() => seen.some((t) => t.id === first.value.id), "the member on the edge sees the owner's task");

    let ownerSees: Task[] = [];
    owner.subscribeAll(tasksOf(project.value.id), (d) => (ownerSees = d.all), { tier: "global" });
    const mine = member.insert(handle<Task>("tasks"), { title: "from the member", projectId: project.value.id });
    // The edge cannot tell the member may write here (it has no membership rows): the core decides.
    await mine.wait({ tier: "global" });
    await until(() => ownerSees.some((t) => t.id === mine.value.id), "the owner sees the member's task");

    // A stranger on the edge is refused by the core.
    const stranger = await newDb(edge.url);
    stranger.onMutationError(() => {});
    const denied = stranger.insert(handle<Task>("tasks"), { title: "intruder", projectId: project.value.id });
    await expect(denied.wait({ tier: "edge" })).rejects.toBeInstanceOf(PersistedWriteRejectedError);
    expect(await stranger.all(tasksOf(project.value.id), { tier: "global" })).toEqual([]);
  });
});
