// jazzPlugin() inside a real Vite dev server: embedded Jazz server, app id persisted to .env,
// env injection, publish on startup and on schema.ts / permissions.ts changes.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { afterEach, describe, expect, it } from "vitest";
import { jazzPlugin, JazzPluginError } from "./vite.ts";

const schemaSource = (tables: string[]) =>
  `export default { tables: { ${tables
    .map((t) => `${t}: { columns: { title: { type: { kind: "string" }, optional: false, merge: "lww" } } }`)
    .join(", ")} } };\n`;

async function catalogue(url: string, appId: string, adminSecret: string) {
  const res = await fetch(`${url}/apps/${appId}/admin/schema`, { headers: { "X-Jazz-Admin-Secret": adminSecret } });
  return (await res.json()) as { schema: { tables: Record<string, unknown> } };
}

async function until(fn: () => Promise<boolean>, what: string, ms = 30_000) {
  const start = Date.now();
  while (!(await fn())) {
    if (Date.now() - start > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("jazzPlugin (vite dev)", () => {
  const servers: ViteDevServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    delete process.env.VITE_JAZZ_APP_ID;
    delete process.env.VITE_JAZZ_SERVER_URL;
  });

  const start = async (root: string, opts: Parameters<typeof jazzPlugin>[0]) => {
    const vite = await createServer({ configFile: false, root, logLevel: "silent", server: { port: 0, ws: false }, plugins: [jazzPlugin(opts)] });
    servers.push(vite);
    return vite;
  };

  it("starts a server, persists the app id, injects env, and republishes on change", async () => {
    const root = mkdtempSync(join(tmpdir(), "jazz-vite-"));
    writeFileSync(join(root, "schema.ts"), schemaSource(["todos"]));
    const vite = await start(root, { adminSecret: "dev-admin" });
    const appId = vite.config.env.VITE_JAZZ_APP_ID as string;
    const url = vite.config.env.VITE_JAZZ_SERVER_URL as string;
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(root, ".env"), "utf8")).toContain(`VITE_JAZZ_APP_ID=${appId}`);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(existsSync(join(root, "node_modules/.cache/jazz-dev-server/jazz.sqlite"))).toBe(true);
    expect(Object.keys((await catalogue(url, appId, "dev-admin")).schema.tables)).toEqual(["todos"]);

    writeFileSync(join(root, "schema.ts"), schemaSource(["todos", "projects"]));
    await until(async () => "projects" in (await catalogue(url, appId, "dev-admin")).schema.tables, "republished schema");

    await vite.close();
    servers.length = 0;
    await until(async () => !(await fetch(`${url}/health`).then(() => true, () => false)), "server stopped with vite");

    // A second run reuses the app id from .env (and the data dir).
    const again = await start(root, { adminSecret: "dev-admin" });
    expect(again.config.env.VITE_JAZZ_APP_ID).toBe(appId);
  });

  it("honours server options and appId, and server: false disables it", async () => {
    const root = mkdtempSync(join(tmpdir(), "jazz-vite-"));
    const vite = await start(root, { appId: "fixed-app", server: { inMemory: true, adminSecret: "s" } });
    expect(vite.config.env.VITE_JAZZ_APP_ID).toBe("fixed-app");
    expect(existsSync(join(root, ".env"))).toBe(false);
    const health = await (await fetch(`${vite.config.env.VITE_JAZZ_SERVER_URL}/health`)).json();
    expect(health).toMatchObject({ appId: "fixed-app" });
    // server: false starts nothing; like a build, it only makes workers ES modules.
    const offline = jazzPlugin({ server: false }).config as (c: object, env: object) => unknown;
    expect(offline({}, { command: "serve", mode: "development" })).toEqual({ worker: { format: "es" } });
  });

  it("in a build starts no server and builds workers as ES modules, unless the app chose a format", async () => {
    const config = jazzPlugin({ server: { inMemory: true } }).config as (c: object, env: object) => Promise<unknown>;
    const root = mkdtempSync(join(tmpdir(), "jazz-vite-"));
    expect(await config({ root }, { command: "build", mode: "production" })).toEqual({ worker: { format: "es" } });
    expect(await config({ root, worker: { format: "iife" } }, { command: "build", mode: "production" })).toEqual({});
    expect(existsSync(join(root, ".env"))).toBe(false); // no app id generated, no server
  });

  it("takes the app id from VITE_JAZZ_APP_ID in the environment before generating one", async () => {
    const root = mkdtempSync(join(tmpdir(), "jazz-vite-"));
    process.env.VITE_JAZZ_APP_ID = "app-from-env";
    const vite = await start(root, { server: { inMemory: true, adminSecret: "s" } });
    expect(vite.config.env.VITE_JAZZ_APP_ID).toBe("app-from-env");
    expect(existsSync(join(root, ".env"))).toBe(false);
    const health = await (await fetch(`${vite.config.env.VITE_JAZZ_SERVER_URL}/health`)).json();
    expect(health).toMatchObject({ appId: "app-from-env" });
  });

  it("needs adminSecret to publish to an existing server URL", () => {
    const p = jazzPlugin({ server: "http://127.0.0.1:1" });
    const config = p.config as (c: object, env: object) => Promise<void>;
    return expect(config.call({}, { root: mkdtempSync(join(tmpdir(), "jazz-vite-")) }, { command: "serve", mode: "development" })).rejects.toBeInstanceOf(JazzPluginError);
  });
});
