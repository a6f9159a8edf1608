// e2e harness: builds the fixture page with Vite (production build), serves it with
// `vite preview` on localhost, and drives Debian Chromium with playwright-core in a persistent
// on-disk profile (OPFS then behaves as in a real browser profile).

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { chromiumArgs, chromiumPath } from "../../../../vitest.config.ts";

const fixtureRoot = join(import.meta.dirname, "../../test-fixtures/app");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface Served {
  url: string;
  outDir: string;
  close(): Promise<void>;
}

export async function buildAndServe(): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), "jazz-fixture-dist-"));
  const configFile = join(fixtureRoot, "vite.config.ts");
  await build({ configFile, build: { outDir } });
  const port = await freePort();
  const server: PreviewServer = await preview({ configFile, build: { outDir }, preview: { port, strictPort: true, host: "localhost" } });
  return {
    url: `http://localhost:${port}/`,
    outDir,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export function newProfileDir(): string {
  return mkdtempSync(join(tmpdir(), "jazz-chromium-profile-"));
}

export async function launch(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

export type JazzApp = {
  openMs: number;
  storage: { kind: string; namespace: string; fallback: boolean };
  insert(title: string, batch?: number): Promise<number>;
  titles(): Promise<string[]>;
  batches(): Promise<number[]>;
  seenAt(title: string): number | null;
  liveCount(): number;
  stream(from: number): void;
  resolved(): number[];
  shutdown(): Promise<void>;
};

/** Opens the fixture and waits until its Db is ready; collects page errors. */
export async function openApp(ctx: BrowserContext, url: string, errors: string[] = []): Promise<Page> {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { jazzApp?: unknown }).jazzApp !== undefined, null, { timeout: 30_000 });
  return page;
}

/** Calls window.jazzApp[method](...args) in the page. */
export function call<K extends keyof JazzApp>(
  page: Page,
  method: K,
  ...args: JazzApp[K] extends (...a: infer A) => unknown ? A : []
): Promise<JazzApp[K] extends (...a: never[]) => infer R ? Awaited<R> : JazzApp[K]> {
  return page.evaluate(
    ([m, a]) => {
      const app = (window as unknown as { jazzApp: Record<string, unknown> }).jazzApp;
      const v = app[m as string];
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown)(...(a as unknown[])) : v;
    },
    [method, args] as const,
  ) as never;
}
