import { afterEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { generateAuthSecret, syncSigner } from "@jazz-tools/auth";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { QueryLike } from "../query/ir.ts";
import { Db } from "../db/db.ts";
import { DEVTOOLS_CHANNEL, startDevtoolsBridge, type DevtoolsTransport } from "./bridge.ts";

const schema: RuntimeSchema = {
  tables: {
    todos: { columns: { title: { type: { kind: "string" }, optional: false, merge: "lww" }, done: { type: { kind: "boolean" }, optional: false, merge: "lww", default: false } } },
    notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } },
  },
};
const todos: QueryLike<{ id: string; title: string; done: boolean }> = {
  _table: "todos",
  _schema: schema,
  _build: () => ({ table: "todos", conditions: [], orderBy: [], includes: [] }),
};

const secret = generateAuthSecret();
const dbs: Db[] = [];
function newDb(config: Record<string, unknown> = {}): Db {
  const db = new Db({ syncSigner, config: { appId: "devtools-app", secret, ...config }, driver: createNodeSqlDriver() });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

/** The inspector's side of an in-memory transport. */
function inspector() {
  let toBridge: ((m: unknown) => void) | null = null;
  const received: Record<string, unknown>[] = [];
  const waiting = new Map<string, (m: Record<string, unknown>) => void>();
  let seq = 0;
  const transport: DevtoolsTransport = {
    post(m) {
      const msg = m as Record<string, unknown>;
      received.push(msg);
      if (msg.kind === "response") waiting.get(msg.requestId as string)?.(msg);
    },
    listen(onMessage) {
      toBridge = onMessage;
      return () => (toBridge = null);
    },
  };
  return {
    transport,
    received,
    events: (event: string) => received.filter((m) => m.kind === "event" && m.event === event).map((m) => m.payload as Record<string, unknown>),
    send: (m: unknown) => toBridge?.(m),
    request(command: string, payload?: unknown): Promise<Record<string, unknown>> {
      const requestId = `r${++seq}`;
      return new Promise((resolve) => {
        waiting.set(requestId, resolve);
        toBridge!({ channel: DEVTOOLS_CHANNEL, kind: "request", requestId, command, payload });
      });
    },
  };
}

describe("devtools bridge (jazz-devtools-v1)", () => {
  it("answers handshake and announce with the schema and a config without secrets", async () => {
    const db = newDb({ jwtToken: undefined, adminSecret: undefined, serverUrl: undefined });
    const ins = inspector();
    startDevtoolsBridge(db, schema, ins.transport);
    expect(await ins.request("bridge.handshake", {})).toEqual({ channel: DEVTOOLS_CHANNEL, kind: "response", requestId: "r1", ok: true, payload: { ready: true } });
    const announce = await ins.request("devtools.announce", {});
    expect(announce.payload).toEqual({ ready: true, wasmSchema: schema, dbConfig: { appId: "devtools-app", devMode: false } });
    expect(JSON.stringify(announce)).not.toContain(secret);
  });

  it("queries, inserts, updates and deletes rows at the requested tier", async () => {
    const db = newDb();
    const ins = inspector();
    startDevtoolsBridge(db, schema, ins.transport);
    const inserted = await ins.request("client.insertDurable", { table: "todos", values: { title: "from devtools" }, tier: "local" });
    expect(inserted).toMatchObject({ ok: true, payload: { title: "from devtools", done: false } });
    const id = (inserted.payload as { id: string }).id;
    db.insert(todos, { title: "from app" });
    db.insert({ ...todos, _table: "notes", _build: () => ({ table: "notes", conditions: [], orderBy: [], includes: [] }) } as never, { text: "n" } as never);

    const byJson = await ins.request("client.query", { query: JSON.stringify({ table: "todos", conditions: [{ column: "title", op: "eq", value: "from app" }] }) });
    expect((byJson.payload as { title: string }[]).map((r) => r.title)).toEqual(["from app"]);
    const byObject = await ins.request("client.query", { query: { table: "todos", orderBy: [["title", "desc"]] } });
    expect((byObject.payload as { title: string }[]).map((r) => r.title)).toEqual(["from devtools", "from app"]);

    expect(await ins.request("client.updateDurable", { objectId: id, updates: { done: true } })).toMatchObject({ ok: true, payload: { updated: true } });
    expect((await db.all(todos)).find((t) => t.id === id)?.done).toBe(true);
    expect(await ins.request("client.deleteDurable", { objectId: id })).toMatchObject({ ok: true, payload: { deleted: true } });
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["from app"]);
  });

  it("streams a subscription's deltas until unsubscribe, and ends them when the inspector disconnects", async () => {
    const db = newDb();
    const ins = inspector();
    startDevtoolsBridge(db, schema, ins.transport);
    expect(await ins.request("client.subscribe", { subscriptionId: "s1", query: { table: "todos" } })).toMatchObject({ ok: true, payload: { subscribed: true } });
    await new Promise((r) => setTimeout(r, 0));
    db.insert(todos, { title: "a" });
    const deltas = ins.events("client.subscription.delta");
    expect(deltas.length).toBe(2);
    expect(deltas[1]).toMatchObject({ subscriptionId: "s1", delta: { all: [{ title: "a" }] } });
    await ins.request("client.unsubscribe", { subscriptionId: "s1" });
    db.insert(todos, { title: "b" });
    expect(ins.events("client.subscription.delta").length).toBe(2);

    await ins.request("client.subscribe", { subscriptionId: "s2", query: { table: "todos" } });
    await new Promise((r) => setTimeout(r, 0));
    ins.send({ channel: DEVTOOLS_CHANNEL, kind: "event", event: "devtools.disconnected" });
    const before = ins.events("client.subscription.delta").length;
    db.insert(todos, { title: "c" });
    expect(ins.events("client.subscription.delta").length).toBe(before);
  });

  it("lists the Db's live queries in dev mode (also those made before it was on) and reports changes to them", async () => {
    const db = newDb();
    const ins = inspector();
    startDevtoolsBridge(db, schema, ins.transport);
    const early = db.subscribeAll(todos, () => {});
    expect((await ins.request("client.listActiveQuerySubscriptions", {})).payload).toEqual([]); // dev mode off
    db.setDevMode(true);
    const stop = db.subscribeAll(todos, () => {}, { tier: "local" });
    db.subscribeAll(todos, () => {}, { visibility: "hidden_from_live_query_list" });
    const traces = (await ins.request("client.listActiveQuerySubscriptions", {})).payload as Record<string, unknown>[];
    expect(traces.map((t) => t.id)).toEqual(["sub-1", "sub-2"]);
    const [before, trace] = traces;
    expect(before!.stack).toBeUndefined(); // made before dev mode: no stack taken
    expect(trace).toMatchObject({ id: "sub-2", table: "todos", branches: ["main"], tier: "local", propagation: "full" });
    expect(JSON.parse(trace!.query as string)).toMatchObject({ table: "todos" });
    expect(new Date(trace!.createdAt as string).getTime()).toBeGreaterThan(0);
    expect(trace!.stack).toContain("bridge.test.ts");
    stop();
    early();
    expect(db.getActiveQuerySubscriptions()).toEqual([]);
    expect(ins.events("client.activeQuerySubscriptions.changed").map((p) => (p.subscriptions as unknown[]).length)).toEqual([2, 1, 0]);
    expect(() => db.setDevMode("yes" as never)).toThrow('setDevMode(on) takes true or false, got "yes"');
  });

  it("answers a bad request with ok: false and a message that says what to fix", async () => {
    const db = newDb();
    const ins = inspector();
    startDevtoolsBridge(db, schema, ins.transport);
    const cases: [string, unknown, string][] = [
      ["client.nope", {}, 'Unknown devtools command "client.nope"'],
      ["client.query", { query: "{not json" }, "payload.query is not valid JSON"],
      ["client.query", { query: { table: "ghosts" } }, 'Unknown table "ghosts". Tables: todos, notes.'],
      ["client.query", { query: { table: "todos" }, tier: "moon" }, 'tier must be "local", "edge" or "global"'],
      ["client.insertDurable", { table: "todos" }, "payload.values must be an object"],
      ["client.updateDurable", { objectId: "0190c4d8-0000-7000-8000-000000000000", updates: {} }, 'No row with id "0190c4d8-0000-7000-8000-000000000000" in any table'],
      ["client.subscribe", { query: { table: "todos" } }, "payload.subscriptionId must be a non-empty string"],
      ["bridge.handshake", 42, "payload must be an object"],
    ];
    for (const [command, payload, message] of cases) {
      const r = await ins.request(command, payload);
      expect(r.ok, command).toBe(false);
      expect((r.error as { message: string }).message).toContain(message);
    }
    // Messages of other channels or kinds are not answered.
    const count = ins.received.length;
    ins.send({ channel: "other", kind: "request", requestId: "x", command: "bridge.handshake" });
    ins.send({ channel: DEVTOOLS_CHANNEL, kind: "response", requestId: "y", ok: true });
    ins.send(null);
    await new Promise((r) => setTimeout(r, 0));
    expect(ins.received.length).toBe(count);
  });
});
