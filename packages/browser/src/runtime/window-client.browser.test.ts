import { generateAuthSecret } from "@jazz-tools/auth";
import { afterEach, describe, expect, it } from "vitest";
import { hexId, todos } from "../testing/fixtures.ts";
import { createDb, type BrowserDb } from "./create-db.ts";
import { registerWindowClient } from "./window-client.ts";

type JazzWindow = { __jazz: { listLiveStorageNamespaces(): string[]; clearStorage(ns?: string): Promise<void>; shutdown(ns?: string): Promise<void> } };
const w = () => (window as unknown as JazzWindow).__jazz;
const dbs: BrowserDb[] = [];
const unregister: (() => void)[] = [];
afterEach(async () => {
  unregister.splice(0).forEach((u) => u());
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});
async function client(appId: string): Promise<BrowserDb> {
  const db = await createDb({ appId, secret: generateAuthSecret() });
  dbs.push(db);
  unregister.push(registerWindowClient(db, db.storage.namespace));
  return db;
}

describe("window.__jazz", () => {
  it("reports when no client is live", async () => {
    const stray = registerWindowClient({ deleteClientStorage: async () => {}, shutdown: async () => {} }, "x");
    stray();
    await expect(w().clearStorage()).rejects.toThrow("No live Jazz storage contexts are available on this page.");
    expect(w().listLiveStorageNamespaces()).toEqual([]);
  });

  it("lists live namespaces, clears the only one, and names the choices when there are several", async () => {
    const a = await client("app-" + hexId());
    await a.insert(todos, { title: "a", batch: 1 }).wait({ tier: "local" });
    expect(w().listLiveStorageNamespaces()).toEqual([a.storage.namespace]);
    await w().clearStorage();
    expect(await a.all(todos)).toEqual([]);

    const b = await client("app-" + hexId());
    const names = [a.storage.namespace, b.storage.namespace].sort();
    expect(w().listLiveStorageNamespaces()).toEqual(names);
    await expect(w().clearStorage()).rejects.toThrow(
      `Multiple live Jazz storage contexts are available. Call window.__jazz.clearStorage("<namespace>"). Available namespaces: ${names.join(", ")}`,
    );
    await expect(w().clearStorage("nope")).rejects.toThrow(`No live Jazz storage context matches "nope". Available namespaces: ${names.join(", ")}`);
    await b.insert(todos, { title: "b", batch: 2 }).wait({ tier: "local" });
    await w().clearStorage(b.storage.namespace);
    expect(await b.all(todos)).toEqual([]);
  });

  it("lists every createDb client (persistent or memory) until it shuts down; registering again only counts", async () => {
    const persistent = await createDb({ appId: "app-" + hexId(), secret: generateAuthSecret() });
    const memory = await createDb({ appId: "app-" + hexId(), driver: { type: "memory" }, serverUrl: "http://127.0.0.1:9" });
    dbs.push(persistent, memory);
    expect(w().listLiveStorageNamespaces()).toEqual([persistent.storage.namespace, memory.storage.namespace].sort());
    // A framework client registers the same Db again; undoing that leaves it listed.
    registerWindowClient(persistent, persistent.storage.namespace)();
    expect(w().listLiveStorageNamespaces()).toContain(persistent.storage.namespace);
    await memory.shutdown();
    expect(w().listLiveStorageNamespaces()).toEqual([persistent.storage.namespace]);
    await persistent.logout();
    expect(w().listLiveStorageNamespaces()).toEqual([]);
  });

  it("shuts down one namespace or all of them", async () => {
    const a = await client("app-" + hexId());
    const b = await client("app-" + hexId());
    await w().shutdown(a.storage.namespace);
    expect(w().listLiveStorageNamespaces()).toEqual([b.storage.namespace]);
    expect(() => a.insert(todos, { title: "late", batch: 1 })).toThrow();
    await w().shutdown();
    expect(w().listLiveStorageNamespaces()).toEqual([]);
  });
});
