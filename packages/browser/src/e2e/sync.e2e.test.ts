// Browser clients syncing through a real `jazz-tools server` child process: two Chromium
// profiles (two devices) on a production build of test-fixtures/sync-app served by vite preview.

import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { build, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import type { RuntimeSchema } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { publishCatalogue } from "../../../server/src/publish.ts";
import { startServerProcess, type ServerProcess } from "../../../server/src/testing/spawn.ts";
import { launch, newProfileDir, openApp } from "./harness.ts";

const APP = "browser-sync-e2e";
const fixtureRoot = join(import.meta.dirname, "../../test-fixtures/sync-app");

let pageUrl = "";
let closePreview = async () => {};
let server: ServerProcess;
let deviceA: BrowserContext;
let deviceB: BrowserContext;
const errors: string[] = [];

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), "jazz-sync-fixture-"));
  const configFile = join(fixtureRoot, "vite.config.ts");
  const [, srv, a, b] = await Promise.all([
    build({ configFile, build: { outDir } }),
    startServerProcess({ appId: APP }),
    launch(newProfileDir()),
    launch(newProfileDir()),
  ]);
  server = srv;
  deviceA = a;
  deviceB = b;
  const p = await preview({ configFile, build: { outDir }, preview: { port: 0, host: "localhost" } });
  pageUrl = p.resolvedUrls!.local[0]!;
  closePreview = async () => {
    await p.close();
    rmSync(outDir, { recursive: true, force: true });
  };
});
afterAll(async () => {
  if (process.env.JAZZ_DEBUG) console.log(server?.output(), errors);
  await Promise.all([deviceA?.close(), deviceB?.close(), server?.stop(), closePreview()]);
});

/** `tag`: the page syncs only rows with this tag (the server is shared by the tests). */
function open(ctx: BrowserContext, o: { secret: string; tag: string; serverUrl?: string; driver?: string }): Promise<Page> {
  const q = new URLSearchParams({ appId: APP, serverUrl: o.serverUrl ?? server.url, secret: o.secret, tag: o.tag, driver: o.driver ?? "persistent" });
  const page = openApp(ctx, `${pageUrl}?${q}`, errors);
  void page.then((pg) => pg.on("console", (m) => process.env.JAZZ_DEBUG && console.log(`[page] ${m.text()}`)));
  ctx.on("weberror", (e) => process.env.JAZZ_DEBUG && console.log(`[weberror] ${e.error().message}`));
  return page;
}

/** window.jazzApp[method](...args) in the page. */
function app<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([m, a]) => {
      const o = (window as unknown as { jazzApp: Record<string, unknown> }).jazzApp;
      const v = o[m as string];
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown)(...(a as unknown[])) : v;
    },
    [method, args] as const,
  ) as Promise<T>;
}

function seen(page: Page, title: string, timeout = 5_000) {
  return page.waitForFunction((t) => (window as unknown as { jazzApp: { seenAt(t: string): number | null } }).jazzApp.seenAt(t) !== null, title, {
    timeout,
  });
}

describe("browser clients sync through the server", () => {
  it("two devices see each other's writes live (< 1 s); wait({ tier: 'edge' }) resolves; an edge-tier first callback settles", async () => {
    const secret = generateAuthSecret();
    const a = await open(deviceA, { secret, tag: "live" });
    const b = await open(deviceB, { secret, tag: "live" });
    expect(await app(a, "storage")).toMatchObject({ kind: "opfs", fallback: false });
    const latencies: number[] = [];
    for (const [from, to, title] of [
      [a, b, "from a"],
      [b, a, "from b"],
      [a, b, "from a again"],
      [b, a, "from b again"],
    ] as const) {
      const before = await app<number>(from, "insert", title);
      await seen(to, title);
      latencies.push((await app<number>(to, "seenAt", title)) - before);
      expect(await app(from, "waitFor", title, "edge")).toBe("ok");
    }
    // Each device's first write also publishes the schema and warms statement caches: those two
    // are logged; the steady-state ones must be live (< 1 s).
    console.log(`device-to-device latency via server (ms): ${latencies.join(", ")}`);
    for (const ms of latencies.slice(2)) expect(ms).toBeLessThan(1000);
    for (const ms of latencies) expect(ms).toBeLessThan(3000);
    const all = ["from a", "from a again", "from b", "from b again"];
    expect(await app(a, "live")).toEqual(all);
    expect(await app(b, "live")).toEqual(all);

    // A fresh page on device B: its edge-tier subscription's first callback already has the
    // server's rows, and a read at tier edge sees them too.
    await b.close();
    const b2 = await open(deviceB, { secret, tag: "live" });
    await b2.waitForFunction(() => (window as unknown as { jazzApp: { edgeFirst(): unknown } }).jazzApp.edgeFirst() !== null, null, { timeout: 10_000 });
    expect(await app(b2, "edgeFirst")).toEqual(all);
    expect(await app(b2, "allAt", "edge")).toEqual(all);
    await Promise.all([a.close(), b2.close()]);
    expect(errors).toEqual([]);
  });

  it("a 1,000-row batch (the worker applies it while the mirror does) reaches the server and another device", async () => {
    const secret = generateAuthSecret();
    const a = await open(deviceA, { secret, tag: "bulk" });
    const b = await open(deviceB, { secret, tag: "bulk" });
    expect(await app(a, "insertMany", "bulk", 1000, "edge")).toBe("ok");
    await b.waitForFunction(() => (window as unknown as { jazzApp: { count(): number } }).jazzApp.count() === 1000, null, { timeout: 20_000 });
    await a.reload();
    await a.waitForFunction(() => (window as unknown as { jazzApp: { count(): number } }).jazzApp?.count() === 1000, null, { timeout: 20_000 });
    await Promise.all([a.close(), b.close()]);
    expect(errors).toEqual([]);
  });

  it("keeps working while the server is down: offline writes stay local, survive a reload, and converge after the restart", async () => {
    const secret = generateAuthSecret();
    const a = await open(deviceA, { secret, tag: "offline" });
    const b = await open(deviceB, { secret, tag: "offline" });
    await app(a, "insert", "online");
    await seen(b, "online");
    const { port, dataDir } = server;
    await server.stop();
    try {
      // Both devices write while the server is gone; each sees its own write at once.
      await app(a, "insert", "offline a");
      await app(b, "insert", "offline b");
      expect(await app(a, "live")).toEqual(["offline a", "online"]);
      expect(await app(b, "live")).toEqual(["offline b", "online"]);
      // Device A reloads while offline: its write is durable locally (and still unsent).
      await a.reload();
      await a.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
      await a.waitForFunction(() => (window as unknown as { jazzApp: { live(): string[] } }).jazzApp.live().length === 2);
      expect(await app(a, "live")).toEqual(["offline a", "online"]);
    } finally {
      server = await startServerProcess({ appId: APP, dataDir, port });
    }
    // Reconnect backoff is capped at 10 s.
    await seen(a, "offline b", 20_000);
    await seen(b, "offline a", 20_000);
    expect(await app(b, "waitFor", "offline b", "edge")).toBe("ok");
    // Nothing lost, nothing applied twice, on both devices and at the server.
    const all = ["offline a", "offline b", "online"];
    expect(await app(a, "live")).toEqual(all);
    expect(await app(b, "live")).toEqual(all);
    expect(await app(a, "allAt", "edge")).toEqual(all);
    await Promise.all([a.close(), b.close()]);
    // Chromium logs each refused reconnect attempt while the server is down.
    expect(errors.filter((e) => !e.includes("net::ERR_CONNECTION_REFUSED"))).toEqual([]);
    errors.length = 0;
  });

  it("two tabs of one device: the follower tab's writes and queries go through the leading tab's worker, and a follower takes over when the leader closes", async () => {
    const secret = generateAuthSecret();
    const t1 = await open(deviceA, { secret, tag: "tabs" });
    const t2 = await open(deviceA, { secret, tag: "tabs" });
    const b = await open(deviceB, { secret, tag: "tabs" });
    for (const [from, title] of [
      [t1, "from tab 1"],
      [t2, "from tab 2"],
    ] as const) {
      await app(from, "insert", title);
      await seen(b, title);
      expect(await app(from, "waitFor", title, "edge")).toBe("ok");
    }
    // Both tabs' edge-tier subscriptions settled (one server connection serves both).
    for (const t of [t1, t2])
      await t.waitForFunction(() => (window as unknown as { jazzApp: { edgeFirst(): unknown } }).jazzApp.edgeFirst() !== null, null, { timeout: 5_000 });
    await app(b, "insert", "from b");
    await Promise.all([seen(t1, "from b"), seen(t2, "from b")]);

    // Whichever tab led, closing tab 1 leaves tab 2 syncing on its own.
    await t1.close({ runBeforeUnload: true });
    await app(b, "insert", "after close");
    await seen(t2, "after close", 10_000);
    await app(t2, "insert", "tab 2 alone");
    await seen(b, "tab 2 alone", 10_000);
    expect(await app(t2, "waitFor", "tab 2 alone", "edge")).toBe("ok");
    expect(await app(b, "live")).toEqual(["after close", "from b", "from tab 1", "from tab 2", "tab 2 alone"]);
    await Promise.all([t2.close(), b.close()]);
    expect(errors).toEqual([]);
  });

  it("a closed tab's subscriptions are released: the server stops sending rows only that tab's queries covered", async () => {
    const secret = generateAuthSecret();
    const t1 = await open(deviceA, { secret, tag: "lease-1" });
    const t2 = await open(deviceA, { secret, tag: "lease-2" });
    const b = await open(deviceB, { secret, tag: "lease-2" });
    // While tab 2 lives, its query's rows reach the device's shared file (tab 1's mirror too).
    await app(b, "insert", "while tab 2 is open");
    await seen(t2, "while tab 2 is open");
    await t1.waitForFunction(async () => (await (window as unknown as { jazzApp: { localAll(): Promise<string[]> } }).jazzApp.localAll()).includes("while tab 2 is open"), null, { timeout: 5_000 });
    const tabOf = (id: string) => id.slice(0, id.indexOf("/"));
    const before = await app<string[]>(t1, "syncedQueryIds");
    expect(new Set(before.map(tabOf)).size).toBe(2);
    await t2.close({ runBeforeUnload: true });
    // Only tab 1's subscriptions remain...
    await t1.waitForFunction(
      async (n) => (await (window as unknown as { jazzApp: { syncedQueryIds(): Promise<string[]> } }).jazzApp.syncedQueryIds()).length === n,
      before.length / 2,
      { timeout: 5_000 },
    );
    expect(new Set((await app<string[]>(t1, "syncedQueryIds")).map(tabOf)).size).toBe(1);
    // ...and a push answered on the device's connection after the unsubscriptions were sent
    // means the server has handled them (one connection's messages are handled in order).
    await app(t1, "insertTagged", "fence", "lease-1");
    expect(await app(t1, "waitFor", "fence", "edge")).toBe("ok");
    await app(b, "insert", "after tab 2 closed");
    expect(await app(b, "waitFor", "after tab 2 closed", "edge")).toBe("ok");
    // Pushed after it on the same connection: the server sends it to the device after the
    // first one if it still sends that at all.
    await app(b, "insertTagged", "marker for tab 1", "lease-1");
    await seen(t1, "marker for tab 1", 10_000);
    expect(await app(t1, "localAll")).toEqual(["fence", "marker for tab 1", "while tab 2 is open"]);
    await Promise.all([t1.close(), b.close()]);
    expect(errors).toEqual([]);
  });

  it("a crashed tab's subscriptions are released too (its worker's lease ends with it)", async () => {
    const secret = generateAuthSecret();
    const t1 = await open(deviceA, { secret, tag: "crash-1" });
    const t2 = await open(deviceA, { secret, tag: "crash-2" });
    const b = await open(deviceB, { secret, tag: "crash-2" });
    await app(b, "insert", "while tab 2 lives");
    await seen(t2, "while tab 2 lives");
    const cdp = await deviceA.newCDPSession(t2);
    const crashed = t2.waitForEvent("crash", { timeout: 15_000 });
    void cdp.send("Page.crash").catch(() => {}); // the call dies with the renderer
    await crashed;
    await t1.waitForFunction(
      async () => new Set((await (window as unknown as { jazzApp: { syncedQueryIds(): Promise<string[]> } }).jazzApp.syncedQueryIds()).map((id) => id.split("/")[0])).size === 1,
      null,
      { timeout: 5_000 },
    );
    await app(t1, "insertTagged", "fence after the crash", "crash-1");
    expect(await app(t1, "waitFor", "fence after the crash", "edge")).toBe("ok");
    await app(b, "insert", "after the crash");
    expect(await app(b, "waitFor", "after the crash", "edge")).toBe("ok");
    await app(b, "insertTagged", "marker after the crash", "crash-1");
    await seen(t1, "marker after the crash", 10_000);
    expect(await app(t1, "localAll")).toEqual(["fence after the crash", "marker after the crash", "while tab 2 lives"]);
    await Promise.all([t1.close(), t2.close(), b.close()]);
    expect(errors.filter((e) => !/crash/i.test(e))).toEqual([]);
    errors.length = 0;
  });

  it("a transaction rejected with transaction_conflict never shows, neither before nor after a reload (the worker applies a transaction only once the server accepts it)", async () => {
    const secret = generateAuthSecret();
    const a = await open(deviceA, { secret, tag: "txn" });
    const b = await open(deviceB, { secret, tag: "txn" });
    await app(a, "insert", "base");
    expect(await app(a, "waitFor", "base", "edge")).toBe("ok");
    await seen(b, "base");
    await app(a, "stageRename", "base", "renamed in transaction");
    await new Promise((r) => setTimeout(r, 5)); // B's write gets a later clock than the staging
    await app(b, "rename", "base", "renamed by b");
    expect(await app(b, "waitFor", "renamed by b", "edge")).toBe("ok");
    await seen(a, "renamed by b");
    await app(a, "commitStaged");
    expect(await app(a, "waitFor", "renamed in transaction", "edge")).toBe("PersistedWriteRejectedError:transaction_conflict");
    expect(await app(a, "seenAt", "renamed in transaction")).toBe(null);
    expect(await app(a, "live")).toEqual(["renamed by b"]);
    await a.reload();
    await a.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
    expect(await app(a, "localAll")).toEqual(["renamed by b"]);
    // An accepted transaction shows, and survives a reload.
    await app(a, "stageRename", "renamed by b", "renamed in accepted transaction");
    await app(a, "commitStaged");
    expect(await app(a, "waitFor", "renamed in accepted transaction", "edge")).toBe("ok");
    await seen(b, "renamed in accepted transaction");
    await a.reload();
    await a.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
    expect(await app(a, "localAll")).toEqual(["renamed in accepted transaction"]);
    await Promise.all([a.close(), b.close()]);
    expect(errors).toEqual([]);
  });

  it("memory driver with serverUrl: the page links straight to the server (no worker) and syncs with a persistent device", async () => {
    const secret = generateAuthSecret();
    const m = await open(deviceA, { secret, tag: "memory", driver: "memory" });
    const p = await open(deviceB, { secret, tag: "memory" });
    expect(await app(m, "storage")).toMatchObject({ kind: "memory", fallback: false });
    expect(m.workers()).toEqual([]);
    await app(m, "insert", "from memory");
    expect(await app(m, "waitFor", "from memory", "edge")).toBe("ok");
    await seen(p, "from memory");
    await app(p, "insert", "from persistent");
    await seen(m, "from persistent");
    await Promise.all([m.close(), p.close()]);
    expect(errors).toEqual([]);
  });
});

describe("a server that rejects the write", () => {
  let prod: ServerProcess;
  beforeAll(async () => {
    prod = await startServerProcess({ appId: APP, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth", "--admin-secret", "adm"] });
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it("production server refusing the client's schema: wait({ tier: 'edge' }) rejects with PersistedWriteRejectedError, the row is retracted, onMutationError fires", async () => {
    const page = await openApp(deviceA, `${pageUrl}?${new URLSearchParams({ appId: APP, serverUrl: prod.url, secret: generateAuthSecret(), tag: "rejected", driver: "persistent" })}`);
    await app(page, "insert", "refused");
    expect(await app(page, "waitFor", "refused", "edge")).toBe("PersistedWriteRejectedError:unknown_table");
    expect(await app(page, "live")).toEqual([]);
    expect(await app(page, "allAt", "local")).toEqual([]);
    expect(await app(page, "mutationErrors")).toEqual([{ code: "unknown_table" }]);
    // The server refuses subscriptions to the unknown table too: a tier-edge read fails instead of hanging.
    expect(await app(page, "readError")).toBe("QueryRefusedError");
    await page.close();
  });
});

describe("a permissions bundle that denies the write", () => {
  let permServer: ServerProcess;
  beforeAll(async () => {
    permServer = await startServerProcess({ appId: APP, args: ["--admin-secret", "adm"] });
    const c = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
    const schema: RuntimeSchema = { tables: { todos: { columns: { title: c, tag: c } } } };
    const permissions = definePermissions(schema, ({ policy, anyOf }) => {
      policy.todos.allowRead.always();
      // The exists branch reads other rows, so a client cannot decide this rule locally and
      // leaves it to the server: these tests are about the server's rejections.
      policy.todos.allowInsert.where((t) => anyOf([{ tag: "allowed" }, policy.todos.exists.where({ tag: "key", title: t.tag })]));
    });
    await publishCatalogue({ serverUrl: permServer.url, appId: APP, adminSecret: "adm", schema, permissions });
  });
  afterAll(async () => {
    await permServer?.stop();
  });

  it("a denied insert rejects wait({ tier: 'edge' }) and is retracted in the page; an allowed one reaches the server", async () => {
    const secret = generateAuthSecret();
    const denied = await open(deviceA, { secret, tag: "denied", serverUrl: permServer.url });
    await app(denied, "insert", "not allowed");
    expect(await app(denied, "waitFor", "not allowed", "edge")).toBe("PersistedWriteRejectedError:forbidden");
    expect(await app(denied, "live")).toEqual([]);
    expect(await app(denied, "mutationErrors")).toEqual([{ code: "forbidden" }]);
    const allowed = await open(deviceB, { secret, tag: "allowed", serverUrl: permServer.url });
    await app(allowed, "insert", "allowed");
    expect(await app(allowed, "waitFor", "allowed", "edge")).toBe("ok");
    await Promise.all([denied.close(), allowed.close()]);
  });

  it("the retraction is durable and reaches the other tabs: the denied row leaves a second tab's live query and does not come back after a reload", async () => {
    const secret = generateAuthSecret();
    const page = await open(deviceA, { secret, tag: "denied-reload", serverUrl: permServer.url });
    const other = await open(deviceA, { secret, tag: "denied-reload", serverUrl: permServer.url });
    await app(page, "insert", "denied then reloaded");
    await seen(other, "denied then reloaded");
    expect(await app(page, "waitFor", "denied then reloaded", "edge")).toBe("PersistedWriteRejectedError:forbidden");
    await other.waitForFunction(() => (window as unknown as { jazzApp: { live(): string[] } }).jazzApp.live().length === 0, null, { timeout: 5_000 });
    expect(await app(other, "localAll")).toEqual([]);
    await other.close();
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
    expect(await app(page, "localAll")).toEqual([]);
    expect(await app(page, "live")).toEqual([]);
    await page.close();
  });

  it("a denied write made offline, then the tab reloaded before the server decided: retracted after the reload, onMutationError fires there, and it stays gone", async () => {
    const page = await open(deviceA, { secret: generateAuthSecret(), tag: "denied-offline", serverUrl: permServer.url });
    const { port, dataDir } = permServer;
    await permServer.stop();
    try {
      await app(page, "insert", "denied while offline");
      expect(await app(page, "live")).toEqual(["denied while offline"]);
      // Reload before the server has seen it: the page's memory of the write is gone; only the
      // worker's file (outbox and undo records) knows it.
      await page.reload();
      await page.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
      expect(await app(page, "live")).toEqual(["denied while offline"]);
    } finally {
      permServer = await startServerProcess({ appId: APP, dataDir, port, args: ["--admin-secret", "adm"] });
    }
    await page.waitForFunction(() => (window as unknown as { jazzApp: { mutationErrors(): unknown[] } }).jazzApp.mutationErrors().length > 0, null, { timeout: 20_000 });
    expect(await app(page, "mutationErrors")).toEqual([{ code: "forbidden" }]);
    await page.waitForFunction(() => (window as unknown as { jazzApp: { live(): string[] } }).jazzApp.live().length === 0, null, { timeout: 5_000 });
    expect(await app(page, "localAll")).toEqual([]);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
    expect(await app(page, "localAll")).toEqual([]);
    await page.close();
  });
});

describe("the server's permissions bundle reaches the page (local enforcement)", () => {
  let localServer: ServerProcess;
  beforeAll(async () => {
    localServer = await startServerProcess({ appId: APP, args: ["--admin-secret", "adm"] });
    const c = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
    const schema: RuntimeSchema = { tables: { todos: { columns: { title: c, tag: c } } } };
    const permissions = definePermissions(schema, ({ policy }) => {
      policy.todos.allowRead.always();
      policy.todos.allowInsert.where({ tag: "allowed" });
    });
    await publishCatalogue({ serverUrl: localServer.url, appId: APP, adminSecret: "adm", schema, permissions });
  });
  afterAll(async () => {
    await localServer?.stop();
  });

  it("a write the bundle denies throws PolicyDeniedError from the call in the leading tab and in a tab opened later, and changes nothing", async () => {
    const secret = generateAuthSecret();
    const leader = await open(deviceA, { secret, tag: "local-check", serverUrl: localServer.url });
    // A settled edge read means the handshake, and with it the bundle, reached the worker.
    expect(await app(leader, "allAt", "edge")).toEqual([]);
    expect(await app(leader, "tryInsert", "forged")).toBe("PolicyDeniedError: policy denied INSERT on table todos");
    const follower = await open(deviceA, { secret, tag: "local-check", serverUrl: localServer.url });
    // The follower asked the leader to repeat the bundle when it started, before this read.
    expect(await app(follower, "allAt", "edge")).toEqual([]);
    expect(await app(follower, "tryInsert", "forged")).toBe("PolicyDeniedError: policy denied INSERT on table todos");
    expect(await app(leader, "localAll")).toEqual([]);
    expect(await app(follower, "localAll")).toEqual([]);
    await Promise.all([leader.close(), follower.close()]);
  });
});

describe("rows evicted by the server (read access revoked without a write to them)", () => {
  let evictServer: ServerProcess;
  beforeAll(async () => {
    evictServer = await startServerProcess({ appId: APP, args: ["--admin-secret", "adm"] });
    const c = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
    const schema: RuntimeSchema = { tables: { todos: { columns: { title: c, tag: c } }, grants: { columns: { tag: c, user_id: c } } } };
    const permissions = definePermissions(schema, ({ policy, session, anyOf }) => {
      policy.todos.allowRead.where((t) => anyOf([{ $createdBy: session.user_id }, policy.grants.exists.where({ tag: t.tag, user_id: session.user_id })]));
      policy.todos.allowInsert.always();
      policy.grants.allowRead.always();
      policy.grants.allowInsert.always();
      policy.grants.allowDelete.always();
    });
    await publishCatalogue({ serverUrl: evictServer.url, appId: APP, adminSecret: "adm", schema, permissions });
  });
  afterAll(async () => {
    await evictServer?.stop();
  });

  it("another user's row leaves the live query when the grant is revoked, is dropped from the worker's file (gone after a reload), and comes back when granted again", async () => {
    const owner = await open(deviceA, { secret: generateAuthSecret(), tag: "evict", serverUrl: evictServer.url });
    const reader = await open(deviceB, { secret: generateAuthSecret(), tag: "evict", serverUrl: evictServer.url });
    await app(owner, "insert", "shared row");
    expect(await app(owner, "waitFor", "shared row", "edge")).toBe("ok");
    const grant = await app<string>(owner, "grant", await app<string>(reader, "userId"));
    await seen(reader, "shared row", 10_000);
    await app(owner, "revoke", grant);
    await reader.waitForFunction(() => (window as unknown as { jazzApp: { live(): string[] } }).jazzApp.live().length === 0, null, { timeout: 10_000 });
    expect(await app(reader, "localAll")).toEqual([]);
    await reader.reload();
    await reader.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined);
    expect(await app(reader, "localAll")).toEqual([]);
    // Granted again: the row's history applies again.
    await app(owner, "grant", await app<string>(reader, "userId"));
    await seen(reader, "shared row", 10_000);
    expect(await app(reader, "live")).toEqual(["shared row"]);
    await Promise.all([owner.close(), reader.close()]);
  });
});

describe("external JWT", () => {
  let jwtServer: ServerProcess;
  const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  /** An ES256 JWT for "ext-user" signed with node:crypto (JOSE wants the raw r||s signature). */
  const jwt = (ttlSeconds: number) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: "ES256", typ: "JWT" })}.${b64({ sub: "ext-user", aud: APP, iat: now, exp: now + ttlSeconds })}`;
    return `${input}.${sign("sha256", Buffer.from(input), { key: keys.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
  };
  beforeAll(async () => {
    jwtServer = await startServerProcess({ appId: APP, args: ["--jwt-public-key", JSON.stringify(keys.publicKey.export({ format: "jwk" }))] });
  });
  afterAll(async () => {
    await jwtServer?.stop();
  });

  it("an expired token shows as getAuthState().error and keeps writes local; db.updateAuthToken reaches the worker, the queued write is pushed and the error clears", async () => {
    const q = new URLSearchParams({ appId: APP, serverUrl: jwtServer.url, jwtToken: jwt(-10), tag: "jwt", driver: "persistent" });
    const page = await openApp(deviceB, `${pageUrl}?${q}`);
    await app(page, "insert", "queued while expired");
    await app(page, "track", "queued while expired", "edge");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await app(page, "outcome", "queued while expired")).toBe(null);
    expect(await app(page, "live")).toEqual(["queued while expired"]);
    await page.waitForFunction(() => (window as unknown as { jazzApp: { authError(): unknown } }).jazzApp.authError() === "expired", null, { timeout: 5_000 });
    await app(page, "updateAuthToken", jwt(600));
    await page.waitForFunction(() => (window as unknown as { jazzApp: { outcome(t: string): unknown } }).jazzApp.outcome("queued while expired") !== null, null, {
      timeout: 15_000,
    });
    expect(await app(page, "outcome", "queued while expired")).toBe("ok");
    expect(await app(page, "authError")).toBe(null);
    await page.close();
  });
});

describe("sync status in the browser", () => {
  type Status = { connection: string; reason?: string; pendingBatches: number; lastSyncedAt: number | null };
  const status = (page: Page) => app<Status>(page, "syncStatus");
  const until = (page: Page, pred: string, timeout = 10_000) =>
    page.waitForFunction(
      (p) => new Function("s", `return ${p}`)((window as unknown as { jazzApp: { syncStatus(): unknown } }).jazzApp.syncStatus()),
      pred,
      { timeout },
    );

  it("is connected in every tab of a namespace (the leader's connection), counts pending writes, and sets lastSyncedAt", async () => {
    const secret = generateAuthSecret();
    const first = await open(deviceA, { secret, tag: "status" });
    await until(first, `s.connection === "connected"`);
    const second = await open(deviceA, { secret, tag: "status" });
    // The second tab's worker is not the leader: it hears the leader's status.
    await until(second, `s.connection === "connected"`);
    await app(second, "insert", "status write");
    await app(second, "track", "status write", "global");
    await second.waitForFunction(() => (window as unknown as { jazzApp: { outcome(t: string): unknown } }).jazzApp.outcome("status write") === "ok", null, { timeout: 10_000 });
    await until(second, `s.pendingBatches === 0 && s.lastSyncedAt !== null`);
    expect(await status(second)).toMatchObject({ connection: "connected", pendingBatches: 0 });
    expect(await app<string[]>(first, "statusHistory")).toContain("connected");
    await Promise.all([first.close(), second.close()]);
  });

  it("a wrong app id shows as not connected, with the server's apps named in the reason", async () => {
    const q = new URLSearchParams({ appId: "not-the-app", serverUrl: server.url, secret: generateAuthSecret(), tag: "status-wrong", driver: "persistent" });
    const page = await openApp(deviceB, `${pageUrl}?${q}`);
    await app(page, "insert", "stuck write");
    await until(page, `!!s.reason`, 15_000);
    const s = await status(page);
    expect(s.connection).not.toBe("connected");
    expect(s.reason).toContain(`serves app "${APP}", not "not-the-app"`);
    expect(s.pendingBatches).toBe(1);
    await page.close();
  });
});
