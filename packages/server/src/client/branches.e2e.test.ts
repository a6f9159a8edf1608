// env and userBranch isolate data: Dbs on the same server and app see only their own branch's
// rows (dev/main is the default), every branch follows the app's deployed catalogue, and a bad
// branch name is refused at createDb.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import { DbConfigError, type Db, type QueryLike, type RuntimeSchema } from "@jazz-tools/core";
import { createNodeDb } from "@jazz-tools/sqlite-node/node-db";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { eventually } from "../testing/clients.ts";

const APP = "branches-e2e";
const ADMIN = "branch-admin";
const schema: RuntimeSchema = { tables: { notes: { columns: { title: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const notes: QueryLike<{ id: string; title: string }> = { _table: "notes", _schema: schema, _build: () => ({ table: "notes", conditions: [], orderBy: [], includes: [] }) };

describe("data branches (env / userBranch)", () => {
  let server: ServerProcess;
  const dbs: Db[] = [];
  const open = async (branch: { env?: string; userBranch?: string }) => {
    const db = await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret(), ...branch }, { backoff: { baseMs: 50, capMs: 300, jitterMs: 10 } } as never);
    dbs.push(db);
    return db;
  };
  const titles = async (db: Db) => (await db.all(notes, { tier: "edge" })).map((n) => n.title).sort();
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, adminSecret: ADMIN, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth"] });
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema });
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.shutdown()));
    await server.stop();
  });

  it("each branch sees only its own rows; the same branch is shared across clients", async () => {
    const devMain = await open({});
    const prodMain = await open({ env: "prod" });
    const prodFeature = await open({ env: "prod", userBranch: "feature-x" });
    await devMain.insert(notes, { title: "dev note" }).wait({ tier: "global" });
    await prodMain.insert(notes, { title: "prod note" }).wait({ tier: "global" });
    await prodFeature.insert(notes, { title: "feature note" }).wait({ tier: "global" });
    expect(await titles(devMain)).toEqual(["dev note"]);
    expect(await titles(prodMain)).toEqual(["prod note"]);
    expect(await titles(prodFeature)).toEqual(["feature note"]);
    const anotherProd = await open({ env: "prod", userBranch: "main" });
    expect(await titles(anotherProd)).toEqual(["prod note"]);
    // Branch data lives in its own database under the data dir.
    expect(existsSync(join(server.dataDir, "branches", encodeURIComponent("prod/feature-x"), "jazz.sqlite"))).toBe(true);
  });

  it("a branch follows the app's catalogue: a table deployed later reaches branches already open", async () => {
    const prod = await open({ env: "prod" });
    await eventually(async () => prod.getSyncStatus().connection === "connected", "connected");
    const more: RuntimeSchema = { tables: { ...schema.tables, tags: { columns: { label: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: more });
    const tags: QueryLike<{ id: string; label: string }> = { _table: "tags", _schema: more, _build: () => ({ table: "tags", conditions: [], orderBy: [], includes: [] }) };
    await prod.insert(tags, { label: "in prod" }).wait({ tier: "global" });
    expect((await prod.all(tags, { tier: "edge" })).map((t) => t.label)).toEqual(["in prod"]);
  });

  it("refuses a bad env or userBranch at createDb, naming the rule", async () => {
    await expect(open({ env: "prod/evil" })).rejects.toThrow(DbConfigError);
    await expect(open({ userBranch: "" })).rejects.toThrow(/userBranch must be 1-64 letters/);
  });
});
