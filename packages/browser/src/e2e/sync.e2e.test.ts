// Browser clients syncing through a real `jazz-tools server` child process: two Chromium
// profiles (two devices) on a production build of test-fixtures/sync-app served by vite preview.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { build, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
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

function open(ctx: BrowserContext, o: { secret: string; serverUrl?: string; driver?: string }): Promise<Page> {
  const q = new URLSearchParams({ appId: APP, serverUrl: o.serverUrl ?? server.url, secret: o.secret, driver: o.driver ?? "persistent" });
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
    const a = await open(deviceA, { secret });
    const b = await open(deviceB, { secret });
    expect(await app(a, "storage")).toMatchObject({ kind: "opfs", fallback: false });
    const latencies: number[] = [];
    for (const [from, to, title] of [
      [a, b, "from a"],
      [b, a, "from b"],
      [a, b, "from a again"],
    ] as const) {
      const before = await app<number>(from, "insert", title);
      await seen(to, title);
      latencies.push((await app<number>(to, "seenAt", title)) - before);
      expect(await app(from, "waitFor", title, "edge")).toBe("ok");
    }
    console.log(`device-to-device latency via server (ms): ${latencies.join(", ")}`);
    for (const ms of latencies) expect(ms).toBeLessThan(1000);
    expect(await app(a, "live")).toEqual(["from a", "from a again", "from b"]);
    expect(await app(b, "live")).toEqual(["from a", "from a again", "from b"]);

    // A fresh page on device B: its edge-tier subscription's first callback already has the
    // server's rows, and a read at tier edge sees them too.
    await b.close();
    const b2 = await open(deviceB, { secret });
    await b2.waitForFunction(() => (window as unknown as { jazzApp: { edgeFirst(): unknown } }).jazzApp.edgeFirst() !== null, null, { timeout: 10_000 });
    expect(await app(b2, "edgeFirst")).toEqual(["from a", "from a again", "from b"]);
    expect(await app(b2, "allAt", "edge")).toEqual(["from a", "from a again", "from b"]);
    await Promise.all([a.close(), b2.close()]);
    expect(errors).toEqual([]);
  });
});
