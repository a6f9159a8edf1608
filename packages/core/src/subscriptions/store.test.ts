import { afterEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { generateAuthSecret, syncSigner } from "@jazz-tools/auth";
import { Db } from "../db/db.ts";
import * as s from "../schema/dsl.ts";
import { createJazzClientFromDb } from "./client.ts";
import { SubscriptionStore, SubscriptionStoreClosedError } from "./store.ts";

const app = s.defineApp({
  todos: s.table({ title: s.string(), done: s.boolean() }),
  notes: s.table({ text: s.string() }),
});

const dbs: Db[] = [];
function newDb(): Db {
  const db = new Db({ syncSigner, config: { appId: "store-test", secret: generateAuthSecret() }, driver: createNodeSqlDriver() });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.shutdown()));
});
const tick = () => new Promise((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SubscriptionStore against the real Db", () => {
  it("holds undefined while loading, then the current rows", async () => {
    const db = newDb();
    db.insert(app.todos, { title: "a", done: false });
    const store = new SubscriptionStore(db);
    const observer = store.observe(app.todos);
    expect(observer.getSnapshot()).toBeUndefined();
    await tick();
    expect(observer.getSnapshot()!.map((r) => r.title)).toEqual(["a"]);
    store.destroy();
  });

  it("shares one observer per query and options, and notifies every listener", async () => {
    const db = newDb();
    const store = new SubscriptionStore(db);
    const o1 = store.observe(app.todos.where({ done: false }));
    const o2 = store.observe(app.todos.where({ done: false }));
    const o3 = store.observe(app.todos.where({ done: false }), { tier: "local" });
    expect(o1).toBe(o2);
    expect(o3).not.toBe(o1);
    const seen: number[] = [];
    o1.subscribe((rows) => seen.push(rows.length));
    o2.subscribe((rows) => seen.push(rows.length * 10));
    await tick();
    db.insert(app.todos, { title: "x", done: false });
    expect(seen.slice(-2)).toEqual([1, 10]); // synchronously, in the insert
    store.destroy();
  });

  it("keeps unchanged rows (and the array) identical across changes", async () => {
    const db = newDb();
    const a = db.insert(app.todos, { title: "a", done: false }).value.id;
    db.insert(app.todos, { title: "b", done: false });
    const store = new SubscriptionStore(db);
    const observer = store.observe(app.todos);
    observer.subscribe(() => {});
    await tick();
    const before = observer.getSnapshot()!;
    db.insert(app.notes, { text: "other table" });
    expect(observer.getSnapshot()).toBe(before);
    db.update(app.todos, a, { done: true });
    const after = observer.getSnapshot()!;
    expect(after).not.toBe(before);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    store.destroy();
  });

  it("is ref-counted: released gcTimeMs after the last listener leaves, unless one returns", async () => {
    const db = newDb();
    const store = new SubscriptionStore(db, { gcTimeMs: 30 });
    const observer = store.observe(app.todos);
    const off1 = observer.subscribe(() => {});
    const off2 = observer.subscribe(() => {});
    off1();
    await sleep(60);
    expect(observer.isClosed).toBe(false); // one listener left
    off2();
    await sleep(10);
    const off3 = observer.subscribe(() => {}); // comes back within the window
    await sleep(60);
    expect(observer.isClosed).toBe(false);
    off3();
    await sleep(60);
    expect(observer.isClosed).toBe(true);
    expect(store.size).toBe(0);
    expect(store.observe(app.todos)).not.toBe(observer);
    store.destroy();
  });

  it("an observer nobody subscribes to is released too", async () => {
    const db = newDb();
    const store = new SubscriptionStore(db, { gcTimeMs: 20 });
    const observer = store.observe(app.todos);
    await sleep(50);
    expect(observer.isClosed).toBe(true);
  });

  it("whenLoaded resolves with the first rows; destroy ends everything with a named error after", async () => {
    const db = newDb();
    db.insert(app.todos, { title: "a", done: false });
    const store = new SubscriptionStore(db);
    const observer = store.observe(app.todos);
    expect(observer.whenLoaded()).toBe(observer.whenLoaded());
    expect((await observer.whenLoaded()).length).toBe(1);
    store.destroy();
    expect(observer.isClosed).toBe(true);
    expect(() => store.observe(app.todos)).toThrow(SubscriptionStoreClosedError);
    expect(() => observer.subscribe(() => {})).toThrow(SubscriptionStoreClosedError);
  });

  it("a client's shutdown ends its queries and the Db, once", async () => {
    const db = newDb();
    let cleanups = 0;
    const client = createJazzClientFromDb(db, { onShutdown: () => cleanups++ });
    expect(client.session?.user_id).toMatch(/^[0-9a-f-]{36}$/);
    const observer = client.manager.observe(app.todos);
    await Promise.all([client.shutdown(), client.shutdown()]);
    expect(cleanups).toBe(1);
    expect(observer.isClosed).toBe(true);
    expect(client.isShutdown).toBe(true);
  });
});
