// A tiny page using createDb, driven by the e2e tests through window.jazzApp.
import { createDb } from "../../src/index.ts";
import type { QueryLike, RuntimeSchema } from "@jazz-tools/core";

type Todo = { id: string; title: string; batch: number };
const schema: RuntimeSchema = {
  tables: {
    todos: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        batch: { type: { kind: "int" }, optional: false, merge: "lww" },
      },
    },
  },
};
const todos = { _table: "todos", _schema: schema, _build: () => ({ table: "todos", conditions: [], orderBy: [], includes: [] }) } as QueryLike<Todo>;

// A fixed local-first secret: every page of the fixture is the same user (one namespace).
const SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const params = new URLSearchParams(location.search);
const t0 = performance.now();
const db = await createDb({ appId: "jazz-e2e-fixture", secret: params.get("secret") ?? SECRET, driver: { type: (params.get("driver") as "memory") ?? "persistent" } });
const openMs = performance.now() - t0;
const firstSeen = new Map<string, number>();
let latest: Todo[] = [];
db.subscribeAll(todos, (d) => {
  latest = d.all as Todo[];
  for (const t of latest) if (!firstSeen.has(t.title)) firstSeen.set(t.title, Date.now());
});
const resolved: number[] = [];
let streaming = false;

const app = {
  openMs,
  storage: db.storage,
  async insert(title: string, batch = 0) {
    await db.insert(todos, { title, batch }).wait({ tier: "local" });
    return Date.now();
  },
  async titles() {
    return (await db.all(todos)).map((t) => t.title).sort();
  },
  async batches() {
    return (await db.all(todos)).map((t) => t.batch);
  },
  seenAt: (title: string) => firstSeen.get(title) ?? null,
  liveCount: () => latest.length,
  /** Writes batches of 5 rows until stopped; `resolved` lists batches whose local wait resolved. */
  stream(from: number) {
    streaming = true;
    let n = from;
    const tick = () => {
      if (!streaming) return;
      const batch = n++;
      const w = db.batch((b) => {
        for (let i = 0; i < 5; i++) b.insert(todos, { title: `s${batch}.${i}`, batch });
      });
      void w.wait({ tier: "local" }).then(() => resolved.push(batch));
      setTimeout(tick, 0);
    };
    tick();
  },
  resolved: () => resolved.slice(),
  shutdown: () => db.shutdown(),
};
(window as unknown as { jazzApp: typeof app }).jazzApp = app;
document.getElementById("status")!.textContent = "ready";
