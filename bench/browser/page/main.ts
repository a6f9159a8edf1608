// Bench page: our createDb beside raw wa-sqlite on the same VFS. Driven by ../run.ts.
import type { QueryLike, RuntimeSchema } from "../../../packages/core/src/index.ts";
import { createDb, type BrowserDb } from "../../../packages/browser/src/index.ts";
import { startRawBaseline } from "../../../packages/browser/src/testing/raw-baseline.ts";

const t0 = performance.now();
const SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const V = "x".repeat(100);
type Item = { id: string; k: string; v: string; n: number };
const schema: RuntimeSchema = {
  tables: {
    items: {
      columns: {
        k: { type: { kind: "string" }, optional: false, merge: "lww" },
        v: { type: { kind: "string" }, optional: false, merge: "lww" },
        n: { type: { kind: "int" }, optional: false, merge: "lww" },
      },
      indexOnly: ["n"],
    },
    notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } }, indexOnly: [] },
  },
};
const q = <T>(table: string, extra: object = {}) =>
  ({ _table: table, _schema: schema, _build: () => ({ table, conditions: [], orderBy: [], includes: [], ...extra }) }) as QueryLike<T>;
const items = q<Item>("items");
const notes = q<{ id: string; text: string }>("notes");

const rawWorker = startRawBaseline;
let db: BrowserDb | undefined;
const open = async (dbName: string, journal?: "delete" | "wal-exclusive") =>
  (db = await createDb({ appId: "bench", secret: SECRET, driver: { type: "persistent", dbName }, journal }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bench = {
  /** Cold start: from module start to the first db.all result. */
  async coldOurs(dbName: string) {
    await open(dbName);
    const rows = await db!.all(items);
    return { ms: performance.now() - t0, rows: rows.length };
  },
  async coldRaw(file: string) {
    const raw = rawWorker();
    await raw.open(file);
    const { rows } = await raw.query("SELECT * FROM items");
    return { ms: performance.now() - t0, rows: rows.length };
  },
  async seedOurs(dbName: string, count: number) {
    await open(dbName);
    const start = performance.now();
    const w = db!.batch((b) => {
      for (let i = 0; i < count; i++) b.insert(items, { k: `k${i}`, v: V, n: (i * 7919) % 1_000_003 });
    });
    const applied = performance.now() - start;
    await w.wait({ tier: "local" });
    return { ms: performance.now() - start, mirrorMs: applied };
  },
  async seedRaw(file: string, count: number) {
    const raw = rawWorker();
    await raw.open(file);
    const start = performance.now();
    let inWorker = 0;
    for (let i = 0; i < count; i += 10_000) inWorker += await raw.insertMany(i, Math.min(10_000, count - i));
    return { ms: performance.now() - start, inWorkerMs: inWorker };
  },
  async singlesOurs(dbName: string, count: number, journal?: "delete" | "wal-exclusive") {
    await open(dbName, journal);
    await db!.insert(notes, { text: "warm" }).wait({ tier: "local" });
    const start = performance.now();
    for (let i = 0; i < count; i++) await db!.insert(notes, { text: `note ${i}` }).wait({ tier: "local" });
    return { ms: performance.now() - start };
  },
  async singlesRaw(file: string, count: number) {
    const raw = rawWorker();
    await raw.open(file);
    await raw.insertOne(-1);
    const start = performance.now();
    for (let i = 0; i < count; i++) await raw.insertOne(i);
    return { ms: performance.now() - start };
  },
  /** insert → live-query callback, measured inside db.insert (before it returns). */
  async liveOurs(dbName: string, count: number) {
    await open(dbName);
    let fired = 0;
    let delivered = false;
    db!.subscribeAll(q<{ id: string; text: string }>("notes", { conditions: [{ column: "text", op: "eq", value: "live" }] }), () => {
      fired = performance.now();
      delivered = true;
    });
    while (!delivered) await new Promise((r) => setTimeout(r, 5));
    const lat: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = performance.now();
      db!.insert(notes, { text: "live" });
      if (fired < s) throw new Error("callback did not fire before insert returned");
      lat.push(fired - s);
    }
    return { p50: median(lat), p95: [...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.95)]! };
  },
  async queryOurs(dbName: string, reps: number) {
    await open(dbName);
    const times: number[] = [];
    let n = 0;
    for (let r = 0; r < reps + 1; r++) {
      const s = performance.now();
      const rows = await db!.all(q<Item>("items", { conditions: [{ column: "n", op: "gte", value: 400_000 + r }], orderBy: [["n", "asc"]], limit: 1000 }));
      if (r > 0) times.push(performance.now() - s);
      n = rows.length;
    }
    return { ms: median(times), rows: n };
  },
  async queryRaw(file: string, reps: number) {
    const raw = rawWorker();
    await raw.open(file);
    const times: number[] = [];
    let n = 0;
    for (let r = 0; r < reps + 1; r++) {
      const { ms, rows } = await raw.query("SELECT id, k, v, n FROM items WHERE n >= ? ORDER BY n LIMIT 1000", [400_000 + r]);
      if (r > 0) times.push(ms);
      n = rows.length;
    }
    return { ms: median(times), rows: n };
  },
  shutdown: () => db?.shutdown(),
};
(window as unknown as { bench: typeof bench }).bench = bench;

// Cold-start runs start at page load (t0 = module start), selected by the URL.
const params = new URLSearchParams(location.search);
const cold = params.get("cold");
if (cold) {
  const target = params.get("db")!;
  (window as unknown as { coldResult: Promise<unknown> }).coldResult = cold === "ours" ? bench.coldOurs(target) : bench.coldRaw(target);
}
