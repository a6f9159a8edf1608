// Differential check: the same compiled queries give the same decoded rows on the browser's
// SQLite (wa-sqlite sync build, via @jazz-tools/browser's C-export driver) as on better-sqlite3,
// so the SQL we emit only uses features both builds have.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../sql/driver.ts";
import type { Condition, QueryIR } from "../ir.ts";
import { compileQuery, type PolicyHook } from "../compile.ts";
import { openDb, put, schema } from "./test-fixtures.ts";
import { createNodeSqlDriver } from "../../../../sqlite-node/src/index.ts";
import { loadWaSqlite } from "../../../../browser/src/sqlite/load.ts";
import { WaSqliteDriver, type WaModule } from "../../../../browser/src/sqlite/wa-sqlite.ts";

const q = (table: string, p: Partial<QueryIR> = {}): QueryIR => ({ table, conditions: [], orderBy: [], includes: [], ...p });
const w = (column: string, op: Condition["op"], value: unknown): Condition => ({ column, op, value });

let m: WaModule;
beforeAll(async () => {
  const require = createRequire(import.meta.resolve("../../../../browser/package.json"));
  m = await loadWaSqlite({ binary: readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")) });
});

function fill(d: SqlDriver): SqlDriver {
  openDb(schema, d);
  put(d, "projects", "p1", { name: "Work" }, { createdAt: 1_000_000 });
  put(d, "projects", "p2", { name: "Home" }, { createdAt: 2_000_000 });
  put(d, "tags", "g1", { label: "red" }, { createdAt: 3_000_000 });
  put(d, "tags", "g2", { label: "blue" }, { createdAt: 4_000_000 });
  put(d, "todos", "t1", { title: "Buy Milk", done: false, priority: 2, score: 1.5, due: new Date(1_000), blob: new Uint8Array([0, 1, 255]), meta: { b: [1, { c: null }] }, status: "todo", projectId: "p1", tagIds: ["g2", "g1"], labels: ["x"], dates: [new Date(3)] }, { createdAt: 5_000_000 });
  put(d, "todos", "t2", { title: "milk", done: true, priority: 5, projectId: "p2", labels: ["x", "y"], meta: { y: 1, x: [true, null] } }, { createdAt: 6_000_000 });
  put(d, "todos", "t3", { title: "gone", done: false }, { createdAt: 7_000_000, deletedAt: 8 });
  put(d, "comments", "c1", { body: "one", todoId: "t1" }, { createdAt: 9_000_000 });
  put(d, "teams", "x", { name: "x", parentId: "y" }, { createdAt: 10_000_000 });
  put(d, "teams", "y", { name: "y", parentId: "x" }, { createdAt: 11_000_000 });
  return d;
}

const policy: PolicyHook = (table, op, alias) => (table === "todos" && op === "update" ? { sql: `${alias}."done" = ?`, params: [0] } : null);

const cases: [string, QueryIR][] = [
  ["all columns", q("todos")],
  ["contains text / array", q("todos", { conditions: [w("title", "contains", "Milk"), w("labels", "contains", "x")] })],
  ["ne null-safe + in", q("todos", { conditions: [w("priority", "ne", 5), w("id", "in", ["t1", "t2"])] })],
  ["json eq + bytes eq", q("todos", { conditions: [w("meta", "eq", { b: [1, { c: null }] }), w("blob", "eq", new Uint8Array([0, 1, 255]))] })],
  ["json eq, other key order (structural)", q("todos", { conditions: [w("meta", "eq", { x: [true, null], y: 1 })] })],
  ["orderBy desc, limit/offset, magic", q("todos", { orderBy: [["priority", "desc"]], limit: 1, offset: 1, select: ["title", "$createdAt", "$canEdit"] })],
  ["nested includes", q("projects", { includes: [{ relation: "todosViaProject", query: q("todos", { select: ["*", "$canEdit"], orderBy: [["title", "desc"]], includes: [{ relation: "tags", query: q("tags") }, { relation: "commentsViaTodo", query: q("comments") }] }) }] })],
  ["requireIncludes", q("todos", { requireIncludes: true, includes: [{ relation: "project", query: q("projects", { conditions: [w("name", "eq", "Home")] }) }] })],
  ["hopTo", q("comments", { hops: ["todo", "tags"] })],
  ["gather with a cycle", q("teams", { conditions: [w("id", "eq", "x")], gather: { step: q("teams", { conditions: [w("parentId", "eq", { $current: true })] }), maxDepth: 9 } })],
];

describe("same results on wa-sqlite and better-sqlite3", () => {
  it.each(cases)("%s", (_name, ir) => {
    const node = fill(createNodeSqlDriver());
    const wasm = fill(WaSqliteDriver.open(m));
    const c = compileQuery(schema, ir, { policy });
    const a = node.all(c.sql, c.params).map(c.decode);
    const b = wasm.all(c.sql, c.params).map(c.decode);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    node.close();
    wasm.close();
  });
});
