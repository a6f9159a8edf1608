// Public-API misuse found while using the Db as a new user would: each is refused with a named
// error that says what to fix, and nothing is changed.
import { afterEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { schema as s } from "../index.ts";
import { UnknownTableError } from "../engine/errors.ts";
import { normaliseSyncUrl } from "../sync/protocol.ts";
import { createDbFromParts } from "./create.ts";
import { DbConfigError } from "./errors.ts";
import type { Db } from "./db.ts";

const app = s.defineApp({ todos: s.table({ title: s.string() }), projects: s.table({ name: s.string() }) });
const dbs: Db[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

describe("misuse gets an error naming the fix", () => {
  it("a table the app does not have (app.notes is undefined) names the known tables, for reads and writes", async () => {
    const db = await createDbFromParts({ config: { appId: "misuse" }, driver: createNodeSqlDriver() });
    dbs.push(db);
    db.insert(app.todos, { title: "keep" });
    const missing = (app as unknown as Record<string, never>).notes;
    await expect(db.all(missing)).rejects.toThrow(UnknownTableError);
    await expect(db.all(missing)).rejects.toThrow(/app\.<name> is undefined when <name> is not a table of the app\. Known tables: .*todos/);
    expect(() => db.subscribeAll(missing, () => {})).toThrow(UnknownTableError);
    expect(() => db.insert(missing, { title: "x" })).toThrow(/Known tables: .*todos/);
    expect((await db.all(app.todos)).map((t) => t.title)).toEqual(["keep"]);
  });

  it("a serverUrl without a scheme is refused at createDb, suggesting http://", async () => {
    for (const serverUrl of ["127.0.0.1:1625", "localhost:1625"]) {
      const made = createDbFromParts({ config: { appId: "misuse", serverUrl }, driver: createNodeSqlDriver() });
      await expect(made).rejects.toThrow(DbConfigError);
      await expect(made).rejects.toThrow(`add the scheme: "http://${serverUrl}"`);
    }
    expect(() => normaliseSyncUrl("ftp://host", "a")).toThrow(/http\(s\):\/\/ or ws\(s\):\/\//);
    expect(normaliseSyncUrl("http://127.0.0.1:1625", "a")).toBe("ws://127.0.0.1:1625/apps/a/ws");
  });
});
