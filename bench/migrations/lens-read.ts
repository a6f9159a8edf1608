// Reading rows written under an older schema version through lenses (issue #17). Not a test.
//   pnpm exec tsx bench/migrations/lens-read.ts [--rows 10000] [--runs 3]
// A real `jazz-tools server` process holds --rows rows written under v1; four versions are
// deployed (v1 → v2 rename, v2 → v3 add with default, v3 → v4 rename). A fresh Node client on
// v1 (no lens), v2 (one lens) and v4 (three lenses) reads every row at the edge tier; the time
// is from createDb to the rows in hand. Goal: one lens ≤ 1.5×, three lenses ≤ 2× the no-lens
// read. Also printed: the translation alone (a --rows-write batch through one and three
// lenses) and the same rows read by raw SQLite (better-sqlite3), as the floor.
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { batchTranslator, findLensPath, migrationLens, schemaHash, schema as s, createTableStatements, type Batch } from "../../packages/core/src/index.ts";
import { generateAuthSecret } from "../../packages/auth/src/index.ts";
import { createNodeDb } from "../../packages/sqlite-node/src/node-db.ts";
import { publishCatalogue } from "../../packages/server/src/publish.ts";
import { startServerProcess } from "../../packages/server/src/testing/spawn.ts";
import { numberFlag as flag } from "../flags.ts";

const ROWS = flag("rows", 10_000);
const RUNS = flag("runs", 3);
const APP = "bench-lenses";
const ADMIN = "bench-admin";
const Database = createRequire(new URL("../../packages/sqlite-node/package.json", import.meta.url))("better-sqlite3") as typeof BetterSqlite3;

const cols = {
  v1: { title: s.string(), priority: s.int() },
  v2: { name: s.string(), priority: s.int() },
  v3: { name: s.string(), priority: s.int(), done: s.boolean() },
  v4: { label: s.string(), priority: s.int(), done: s.boolean() },
};
const apps = {
  v1: s.defineApp({ todos: s.table(cols.v1) }),
  v2: s.defineApp({ todos: s.table(cols.v2) }),
  v3: s.defineApp({ todos: s.table(cols.v3) }),
  v4: s.defineApp({ todos: s.table(cols.v4) }),
};
const mig = (a: keyof typeof apps, b: keyof typeof apps, migrate: Record<string, never>) =>
  migrationLens(s.defineMigration({ fromHash: schemaHash(apps[a].wasmSchema), toHash: schemaHash(apps[b].wasmSchema), from: { todos: s.table(cols[a]) }, to: { todos: s.table(cols[b]) }, migrate: { todos: migrate } }));
const lenses = [
  mig("v1", "v2", { name: s.renameFrom("title") } as never),
  mig("v2", "v3", { done: s.add.boolean({ default: false }) } as never),
  mig("v3", "v4", { label: s.renameFrom("name") } as never),
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startServerProcess({ appId: APP, adminSecret: ADMIN, env: { NODE_ENV: "production" }, args: ["--allow-local-first-auth"] });
try {
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: apps.v1.wasmSchema });
  const writer = await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret() });
  for (let i = 0; i < ROWS; i += 1000) {
    await writer
      .batch((b) => {
        for (let j = i; j < Math.min(ROWS, i + 1000); j++) b.insert(apps.v1.todos, { title: `todo ${j}`, priority: j % 7 });
      })
      .wait({ tier: "global" });
  }
  await writer.shutdown();
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: apps.v2.wasmSchema, migrations: [lenses[0]!] });
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: apps.v3.wasmSchema, migrations: [lenses[1]!] });
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: apps.v4.wasmSchema, migrations: [lenses[2]!] });

  const readAll = async (v: keyof typeof apps) => {
    const t0 = performance.now();
    const db = await createNodeDb({ appId: APP, serverUrl: server.url, secret: generateAuthSecret() });
    const rows = await db.all(apps[v].todos as never, { tier: "edge" });
    const ms = performance.now() - t0;
    if (rows.length !== ROWS) throw new Error(`${v} read ${rows.length} rows, expected ${ROWS}`);
    const first = rows[0] as Record<string, unknown>;
    const name = { v1: "title", v2: "name", v3: "name", v4: "label" }[v];
    if (typeof first[name] !== "string" || (v === "v4" && first.done !== false)) throw new Error(`${v} rows are not translated: ${JSON.stringify(first)}`);
    await db.shutdown();
    return ms;
  };
  await readAll("v1"); // warm the server
  const times: Record<string, number[]> = { v1: [], v2: [], v4: [] };
  for (let r = 0; r < RUNS; r++) for (const v of ["v1", "v2", "v4"] as const) times[v]!.push(await readAll(v));
  const [none, one, three] = [median(times.v1!), median(times.v2!), median(times.v4!)];

  // The translation alone, on one batch of ROWS inserts.
  const batch: Batch = {
    batchId: "0".repeat(32),
    ts: 1,
    author: "u",
    kind: "direct",
    writes: Array.from({ length: ROWS }, (_, j) => ({ table: "todos", id: `id${j}`, op: "insert" as const, values: { title: `todo ${j}`, priority: j % 7 } })),
  };
  const translate = (to: keyof typeof apps) => batchTranslator(findLensPath(lenses, schemaHash(apps.v1.wasmSchema), schemaHash(apps[to].wasmSchema))!, apps[to].wasmSchema, { keepOthers: false })!;
  const time = (fn: () => unknown) => median(Array.from({ length: 7 }, () => (fn(), 0)).map(() => { const t = performance.now(); fn(); return performance.now() - t; }));
  const copy = time(() => ({ ...batch, writes: batch.writes.map((w) => ({ ...w, values: { ...w.values } })) }));
  const t1 = translate("v2");
  const t3 = translate("v4");
  const one1 = time(() => t1(batch));
  const three1 = time(() => t3(batch));

  // The floor: the same rows out of raw SQLite.
  const raw = new Database(":memory:");
  for (const stmt of createTableStatements("todos", apps.v1.wasmSchema.tables.todos!)) raw.exec(stmt);
  const ins = raw.prepare(`INSERT INTO todos (id, title, priority) VALUES (?, ?, ?)`);
  raw.transaction(() => {
    for (let j = 0; j < ROWS; j++) ins.run(`id${j}`, `todo ${j}`, j % 7);
  })();
  const sel = raw.prepare("SELECT id, title, priority FROM todos");
  const rawMs = time(() => sel.all());

  console.log(`${ROWS} rows written under v1, read by a fresh client through the server (median of ${RUNS}):`);
  console.log(`  no lens (v1)      ${none.toFixed(0)} ms   (raw SQLite SELECT of the same rows: ${rawMs.toFixed(1)} ms, ${(none / rawMs).toFixed(0)}×)`);
  console.log(`  one lens (v2)     ${one.toFixed(0)} ms   ${(one / none).toFixed(2)}× no lens   (goal ≤ 1.5×)`);
  console.log(`  three lenses (v4) ${three.toFixed(0)} ms   ${(three / none).toFixed(2)}× no lens   (goal ≤ 2×)`);
  console.log(`translation alone, one batch of ${ROWS} inserts: copy ${copy.toFixed(1)} ms, one lens ${one1.toFixed(1)} ms, three lenses ${three1.toFixed(1)} ms`);
} finally {
  await server.stop();
}
