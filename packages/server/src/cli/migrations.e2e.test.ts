// The migrations workflow of the docs against a real server process: the first
// `migrations create` snapshots, a changed schema cannot deploy without a migration, the stub
// is generated, validated and deployed; an ambiguous change yields a draft that validate and
// deploy refuse until it is reviewed.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess, startServerProcess, tempDir, type ServerProcess } from "../testing/spawn.ts";

const APP = "migrations-cli";
const ADMIN = "mig-admin";
const jazzPackage = resolve(fileURLToPath(import.meta.url), "../../../../jazz-tools");

describe("jazz-tools migrations create / validate / deploy", () => {
  let server: ServerProcess;
  let dir: string;
  const writeSchema = (columns: string) =>
    writeFileSync(join(dir, "schema.ts"), `import { schema as s } from "jazz-tools";\nexport const app = s.defineApp({ todos: s.table({ ${columns} }) });\nexport default app;\n`);
  const cli = (...args: string[]) => runCliProcess(args, { JAZZ_ADMIN_SECRET: ADMIN, JAZZ_SERVER_URL: server.url }, dir);
  const migrationFiles = () => readdirSync(join(dir, "migrations")).filter((f) => f.endsWith(".ts"));

  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, adminSecret: ADMIN, env: { NODE_ENV: "production" } });
    dir = tempDir("jazz-migrations-");
    // The app installs jazz-tools (here: this repo's built package).
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(jazzPackage, join(dir, "node_modules", "jazz-tools"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("snapshots first, refuses to deploy a change without its migration, then generates, validates and deploys it", async () => {
    writeSchema("title: s.string(), priority: s.int().optional()");
    const first = await cli("migrations", "create", APP);
    expect(first.stderr).toBe("");
    expect(first.stdout).toMatch(/first snapshot of schema [0-9a-f]{12}.*No migration yet/s);
    expect(readdirSync(join(dir, "migrations", "snapshots"))).toHaveLength(1);
    expect((await cli("deploy", APP)).code).toBe(0);

    writeSchema("title: s.string(), done: s.boolean()");
    const refused = await cli("deploy", APP);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no migration in .* connects them/);
    expect(refused.stderr).toMatch(new RegExp(`migrations create ${APP} --fromHash [0-9a-f]{12}`));

    const created = await cli("migrations", "create", APP);
    expect(created.code).toBe(0);
    expect(created.stdout).not.toMatch(/DRAFT/);
    const [file] = migrationFiles();
    const stub = readFileSync(join(dir, "migrations", file!), "utf8");
    expect(stub).toContain('"done": s.add.boolean({ default: false }),');
    expect(stub).toContain('"priority": s.drop.int({ backwardsDefault: null }),');

    const valid = await cli("validate");
    expect(valid.stderr).toBe("");
    expect(valid.code).toBe(0);
    const deployed = await cli("deploy", APP);
    expect(deployed.stderr).toBe("");
    expect(deployed.stdout).toMatch(/deployed schema [0-9a-f]{12} \(1 table\(s\)\), migration [0-9a-f]{12} → [0-9a-f]{12}/);
    const migrations = (await (await fetch(`${server.url}/apps/${APP}/admin/migrations`, { headers: { "X-Jazz-Admin-Secret": ADMIN } })).json()) as { migrations: unknown[] };
    expect(migrations.migrations).toHaveLength(1);
  }, 60_000);

  it("an ambiguous change (a column dropped, one of the same type added) is a draft until reviewed", async () => {
    writeSchema("name: s.string(), done: s.boolean()");
    const created = await cli("migrations", "create", APP);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/DRAFT/);
    const file = join(dir, "migrations", migrationFiles().find((f) => readFileSync(join(dir, "migrations", f), "utf8").includes("draft: true"))!);

    const invalid = await cli("validate");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/is a draft on the path/);
    const refused = await cli("deploy", APP);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is a draft: review its TODOs/);

    // The review: it is a rename.
    const reviewed = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => !/draft|DRAFT|TODO|\/\/ {3}/.test(l) && !/"name": s\.add|"title": s\.drop/.test(l))
      .join("\n")
      .replace('"todos": {', '"todos": {\n      "name": s.renameFrom("title"),');
    writeFileSync(file, reviewed);
    expect((await cli("validate")).code).toBe(0);
    const deployed = await cli("deploy", APP);
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    const head = (await (await fetch(`${server.url}/apps/${APP}/admin/schema-connectivity`, { headers: { "X-Jazz-Admin-Secret": ADMIN } })).json()) as { schemas: { reachable: boolean }[] };
    expect(head.schemas.map((x) => x.reachable)).toEqual([true, true, true]);
  }, 60_000);
});
