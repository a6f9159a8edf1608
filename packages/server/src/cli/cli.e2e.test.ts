import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCliProcess, startServerProcess, tempDir, type ServerProcess } from "../testing/spawn.ts";

describe("jazz-tools CLI (real process)", () => {
  let server: ServerProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it.each([
    ["a missing app id", ["server"], /missing <APP_ID>/],
    ["an unknown flag", ["server", "app", "--bogus"], /unknown option --bogus/],
    ["a bad port", ["server", "app", "--port", "nope"], /--port must be an integer/],
    ["--jwks-url with --jwt-public-key", ["server", "app", "--jwks-url", "https://a/jwks", "--jwt-public-key", '{"kty":"EC"}'], /cannot be used together/],
    ["an unknown command", ["serve", "app"], /unknown command/],
    ["--upstream-url without --peer-secret", ["server", "app", "--upstream-url", "http://127.0.0.1:1", "--admin-secret", "a"], /--upstream-url requires --peer-secret/],
    ["--upstream-url without --admin-secret", ["server", "app", "--upstream-url", "http://127.0.0.1:1", "--peer-secret", "p"], /--upstream-url requires --admin-secret/],
  ])("exits 2 with one line on %s", async (_name, args, message) => {
    const r = await runCliProcess(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 when the data dir is unusable (a file)", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    const r = await runCliProcess(["server", "app", "--port", "0", "--data-dir", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data-dir .* is not a writable directory/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 when the JWT public key is not a key", async () => {
    const r = await runCliProcess(["server", "app", "--port", "0", "--in-memory", "--jwt-public-key", '{"kty":"EC","crv":"P-256","x":"bad","y":"bad"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jwt-public-key is not a usable public key/);
  });

  it("--help documents every option and exits 0", async () => {
    const r = await runCliProcess(["server", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--port", "--data-dir", "--in-memory", "--jwks-url", "--jwt-public-key", "--allow-local-first-auth", "--backend-secret", "--admin-secret", "--upstream-url", "--peer-secret"]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("serves GET /health, on disk and in memory", async () => {
    server = await startServerProcess({ appId: "health-app" });
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", appId: "health-app" });
    await server.stop();
    server = await startServerProcess({ appId: "mem-app", args: ["--in-memory"] });
    expect(server.output()).toContain("in memory");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("refuses a data dir that belongs to another app (exit 2)", async () => {
    const dir = tempDir();
    server = await startServerProcess({ appId: "owner-app", dataDir: dir });
    await server.stop();
    server = null;
    const r = await runCliProcess(["server", "other-app", "--port", "0", "--data-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/belongs to app "owner-app"/);
  });

  it("deploy publishes schema.ts and permissions.ts with the admin secret (production)", async () => {
    server = await startServerProcess({ appId: "deploy-app", env: { NODE_ENV: "production" }, args: ["--admin-secret", "adm"] });
    const jazz = resolve(fileURLToPath(import.meta.url), "../../../../jazz-tools/src");
    const dir = tempDir("jazz-deploy-");
    writeFileSync(
      join(dir, "schema.ts"),
      `import { schema as s } from ${JSON.stringify(join(jazz, "index.ts"))};\n` +
        `export const app = s.defineApp({ todos: s.table({ title: s.string(), done: s.boolean() }) });\nexport default app;\n`,
    );
    writeFileSync(
      join(dir, "permissions.ts"),
      `import { definePermissions } from ${JSON.stringify(join(jazz, "permissions.ts"))};\nimport app from "./schema.ts";\n` +
        `export default definePermissions(app, ({ policy }) => { policy.todos.allowRead.always(); });\n`,
    );
    const base = ["deploy", "deploy-app", "--server-url", server.url, "--schema-dir", dir];
    const noSecret = await runCliProcess(base, { JAZZ_ADMIN_SECRET: "" });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/needs the admin secret/);
    const wrong = await runCliProcess([...base, "--admin-secret", "wrong"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/server refused the publish \(40[13]\)/);
    const ok = await runCliProcess(base, { JAZZ_ADMIN_SECRET: "adm" });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const cat = (await (await fetch(`${server.url}/apps/deploy-app/admin/schema`, { headers: { "X-Jazz-Admin-Secret": "adm" } })).json()) as {
      schema: { tables: Record<string, unknown> };
      permissions: { format: string };
    };
    expect(Object.keys(cat.schema.tables)).toEqual(["todos"]);
    expect(cat.permissions.format).toBe("jazz-permissions");
  });
});
