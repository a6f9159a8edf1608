// Core engine benchmarks (Node, better-sqlite3 in memory). Not a test. Run:
//   pnpm exec tsx bench/core/run.ts
// 1. 10,000-row insert in one db.batch vs the same rows through raw better-sqlite3 (same table
//    and indexes, one transaction, one prepared statement)           goal ratio ≤ 1.5×
// 2. write → live-query callback latency over a 1,000-row table        goal p50 ≤ 0.3 ms
// 3. db.all of 1,000 rows out of 100,000 by an indexed column vs raw SQL (objects from
//    better-sqlite3's .all())                                           goal ratio ≤ 1.3×
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { createDb, schema as s, generateAuthSecret, createTableStatements, uuidv7, type Db } from "../../packages/jazz-tools/src/index.ts";

const schema = {
  items: s.table({
    title: s.string(),
    done: s.boolean(),
    priority: s.int(),
    cat: s.string(),
  }),
};
const app = s.defineApp(schema);
// better-sqlite3 is a dependency of @jazz-tools/sqlite-node, not of the repo root.
const Database = createRequire(new URL("../../packages/sqlite-node/package.json", import.meta.url))("better-sqlite3") as typeof BetterSqlite3;
type Database = BetterSqlite3.Database;
const secret = generateAuthSecret();
const open = () => createDb({ appId: "bench", driver: { type: "memory" }, secret });
const row = (i: number) => ({ title: `title ${i}`, done: i % 2 === 0, priority: i % 997, cat: `c${i % 100}` });

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)];
}
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

function rawDb(): Database {
  const raw = new Database(":memory:");
  for (const stmt of createTableStatements("items", app.wasmSchema.tables.items)) raw.exec(stmt);
  return raw;
}

// ---------------------------------------------------------------- 1. bulk insert
async function bulkInsert(): Promise<void> {
  const N = 10_000;
  const rows = Array.from({ length: N }, (_, i) => row(i));
  const jazzTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let round = 0; round < 7; round++) {
    const db = await open();
    db.insert(app.items, row(-1)); // learn the table outside the timing
    const t0 = performance.now();
    db.batch((b) => {
      for (const r of rows) b.insert(app.items, r);
    });
    jazzTimes.push(performance.now() - t0);
    await db.shutdown();

    const raw = rawDb();
    const ins = raw.prepare(`INSERT INTO items (id, title, done, priority, cat) VALUES (?, ?, ?, ?, ?)`);
    // Same id scheme as the engine (UUIDv7, time-ordered) so only the engine's overhead differs.
    const ids = rows.map(() => uuidv7());
    const t1 = performance.now();
    raw.transaction(() => {
      for (let i = 0; i < N; i++) {
        const r = rows[i];
        ins.run(ids[i], r.title, r.done ? 1 : 0, r.priority, r.cat);
      }
    })();
    rawTimes.push(performance.now() - t1);
    raw.close();
  }
  const j = median(jazzTimes.slice(2));
  const r = median(rawTimes.slice(2));
  console.log(`1. insert 10,000 rows in one batch: jazz ${fmt(j)}  raw better-sqlite3 ${fmt(r)}  ratio ${(j / r).toFixed(2)}× (goal ≤ 1.5×)`);
}

// ---------------------------------------------------------------- 2. write → callback
async function liveLatency(): Promise<void> {
  const db: Db = await open();
  const ids: string[] = [];
  db.batch((b) => {
    for (let i = 0; i < 1000; i++) ids.push(b.insert(app.items, row(i)).id);
  });
  let t0 = 0;
  const lat: number[] = [];
  let last = 0;
  const stop = db.subscribeAll(app.items, ({ all }) => {
    lat.push(performance.now() - t0);
    last = all.length;
  });
  await new Promise((r) => setTimeout(r, 0));
  lat.length = 0;
  for (let i = 0; i < 1500; i++) {
    t0 = performance.now();
    db.update(app.items, ids[i % 1000], { title: `updated ${i}` });
  }
  const warm = lat.slice(300);
  const p50 = median(warm);
  const p95 = [...warm].sort((a, b) => a - b)[Math.floor(warm.length * 0.95)];
  if (last !== 1000 || lat.length !== 1500) throw new Error("live query did not see every write");
  // The same with the query filtered to a subset of rows (by indexed column).
  const lat2: number[] = [];
  const stop2 = db.subscribeAll(app.items.where({ cat: "c7" }), () => lat2.push(performance.now() - t0));
  stop();
  await new Promise((r) => setTimeout(r, 0));
  lat2.length = 0;
  for (let i = 0; i < 1500; i++) {
    t0 = performance.now();
    db.update(app.items, ids[(i * 100 + 7) % 1000], { title: `again ${i}` });
  }
  stop2();
  console.log(
    `2. update → subscribeAll callback, 1,000-row table: p50 ${fmt(p50)}  p95 ${fmt(p95)} (goal p50 ≤ 0.3 ms); query of 10 rows by indexed column: p50 ${fmt(median(lat2.slice(300)))}`,
  );
  await db.shutdown();
}

// ---------------------------------------------------------------- 3. indexed read
async function indexedRead(): Promise<void> {
  const db = await open();
  const N = 100_000;
  db.batch((b) => {
    for (let i = 0; i < N; i++) b.insert(app.items, row(i));
  });
  const raw = rawDb();
  const ins = raw.prepare(`INSERT INTO items (id, title, done, priority, cat) VALUES (?, ?, ?, ?, ?)`);
  raw.transaction(() => {
    for (let i = 0; i < N; i++) {
      const r = row(i);
      ins.run(uuidv7(), r.title, r.done ? 1 : 0, r.priority, r.cat);
    }
  })();
  const rawQ = raw.prepare(`SELECT id, title, done, priority, cat FROM items WHERE cat = ? ORDER BY id`);
  const q = app.items.where({ cat: "c42" });
  const jt: number[] = [];
  const rt: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const a = await db.all(q);
    jt.push(performance.now() - t0);
    const t1 = performance.now();
    const b = rawQ.all("c42");
    rt.push(performance.now() - t1);
    if (a.length !== 1000 || b.length !== 1000) throw new Error("expected 1,000 rows");
  }
  const j = median(jt.slice(10));
  const r = median(rt.slice(10));
  console.log(`3. db.all 1,000 of 100,000 rows by indexed column: jazz ${fmt(j)}  raw SQL ${fmt(r)}  ratio ${(j / r).toFixed(2)}× (goal ≤ 1.3×)`);
  raw.close();
  await db.shutdown();
}

await bulkInsert();
await liveLatency();
await indexedRead();
