// A page syncing through a server, driven by src/e2e/sync.e2e.test.ts through window.jazzApp.
// Query parameters: serverUrl, appId, secret | jwtToken, tag, driver ("persistent" | "memory").
import { createDb } from "../../src/index.ts";
import type { QueryLike, RuntimeSchema } from "@jazz-tools/core";

type Todo = { id: string; title: string; tag: string };
type Grant = { id: string; tag: string; user_id: string };
const str = { type: { kind: "string" }, optional: false, merge: "lww" } as const;
const schema: RuntimeSchema = {
  tables: {
    todos: { columns: { title: str, tag: str } },
    /** Read access to another user's todos of a tag (used with a permissions bundle). */
    grants: { columns: { tag: str, user_id: str } },
  },
};
const params = new URLSearchParams(location.search);
// Each test writes and syncs only its own rows (query-scoped sync with a condition).
const tag = params.get("tag") ?? "";
const todos = {
  _table: "todos",
  _schema: schema,
  _build: () => ({ table: "todos", conditions: [{ column: "tag", op: "eq", value: tag }], orderBy: [], includes: [] }),
} as QueryLike<Todo>;
/** Every todo this replica holds, whatever its tag (not synced by itself). */
const allTodos = { _table: "todos", _schema: schema, _build: () => ({ table: "todos", conditions: [], orderBy: [], includes: [] }) } as QueryLike<Todo>;
const grants = { _table: "grants", _schema: schema, _build: () => ({ table: "grants", conditions: [], orderBy: [], includes: [] }) } as QueryLike<Grant>;

const db = await createDb({
  appId: params.get("appId")!,
  serverUrl: params.get("serverUrl")!,
  ...(params.get("jwtToken") ? { jwtToken: params.get("jwtToken")! } : { secret: params.get("secret")! }),
  driver: { type: (params.get("driver") as "memory") ?? "persistent" },
});
const firstSeen = new Map<string, number>();
let live: Todo[] = [];
let edgeFirst: string[] | null = null;
db.subscribeAll(todos, (d) => {
  live = d.all as Todo[];
  for (const t of live) if (!firstSeen.has(t.title)) firstSeen.set(t.title, Date.now());
});
// A second subscription whose first callback waits until the server says the query settled.
db.subscribeAll(todos, (d) => (edgeFirst ??= (d.all as Todo[]).map((t) => t.title).sort()), { tier: "edge" });
const mutationErrors: { code: string }[] = [];
db.onMutationError((e) => mutationErrors.push({ code: e.code }));
const writes = new Map<string, { wait(o: { tier: "local" | "edge" | "global" }): Promise<unknown> }>();

const outcomes = new Map<string, string>();
let staged: { tx: ReturnType<typeof db.beginTransaction>; next: string } | null = null;
const statuses: string[] = [];
db.onSyncStatusChanged((s) => statuses.push(s.connection));
const app = {
  storage: db.storage,
  /** db.getSyncStatus() as JSON (lastSyncedAt as ms). */
  syncStatus() {
    const s = db.getSyncStatus();
    return { ...s, lastSyncedAt: s.lastSyncedAt?.getTime() ?? null };
  },
  statusHistory: () => statuses,
  async insert(title: string) {
    const w = db.insert(todos, { title, tag });
    writes.set(title, w);
    await w.wait({ tier: "local" });
    return Date.now();
  },
  /** One batch of `n` inserts (large batches reach the worker while the mirror applies them). */
  async insertMany(prefix: string, n: number, tier: "local" | "edge" = "edge") {
    const w = db.batch((b) => {
      for (let i = 0; i < n; i++) b.insert(todos, { title: `${prefix} ${i}`, tag });
    });
    await w.wait({ tier });
    return "ok";
  },
  count: () => live.length,
  /** Insert without waiting; a synchronous throw (local permission check) returns its message. */
  tryInsert(title: string) {
    try {
      writes.set(title, db.insert(todos, { title, tag }));
      return "ok";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  },
  /** Insert a todo with another tag than the page's (it is not in this page's query). */
  async insertTagged(title: string, otherTag: string) {
    const w = db.insert(todos, { title, tag: otherTag });
    writes.set(title, w);
    await w.wait({ tier: "local" });
  },
  userId: () => db.getAuthState().session?.user_id ?? null,
  /** Let `userId` read this page's tag; returns the grant's id. */
  async grant(userId: string) {
    const w = db.insert(grants, { tag, user_id: userId });
    await w.wait({ tier: "edge" });
    return w.value.id;
  },
  async revoke(grantId: string) {
    await db.delete(grants, grantId).wait({ tier: "edge" });
  },
  /** Direct update of a todo's title (by its current title). */
  async rename(title: string, next: string) {
    const w = db.update(todos, live.find((t) => t.title === title)!.id, { title: next });
    writes.set(next, w);
    await w.wait({ tier: "local" });
  },
  /** Stage a transaction renaming a todo; `commitStaged` commits it (conflicts are decided then). */
  stageRename(title: string, next: string) {
    const tx = db.beginTransaction();
    tx.update(todos, live.find((t) => t.title === title)!.id, { title: next });
    staged = { tx, next };
  },
  commitStaged() {
    writes.set(staged!.next, staged!.tx.commit());
  },
  /** The server subscriptions this tab's worker keeps (`<tabId>/<queryId>`, every tab's). */
  syncedQueryIds: () => (db as unknown as Record<symbol, () => Promise<string[]>>)[Symbol.for("jazz.syncedQueryIds")]!(),
  /** Titles of every todo in the local replica, whatever its tag. */
  async localAll() {
    return (await db.all(allTodos, { tier: "local" })).map((t) => t.title).sort();
  },
  /** "ok", or the rejection's error name and code. */
  async waitFor(title: string, tier: "edge" | "global") {
    try {
      await writes.get(title)!.wait({ tier });
      return "ok";
    } catch (e) {
      return `${(e as Error).name}:${(e as { code?: string }).code}`;
    }
  },
  /** Start waiting without blocking; `outcome(title)` reads the result later. */
  track(title: string, tier: "edge" | "global") {
    void app.waitFor(title, tier).then((r) => outcomes.set(title, r));
  },
  outcome: (title: string) => outcomes.get(title) ?? null,
  updateAuthToken: (jwt: string) => db.updateAuthToken(jwt),
  authError: () => db.getAuthState().error ?? null,
  live: () => live.map((t) => t.title).sort(),
  seenAt: (title: string) => firstSeen.get(title) ?? null,
  edgeFirst: () => edgeFirst,
  /** The error name of a tier-edge read, or "ok". */
  async readError() {
    return db.all(todos, { tier: "edge" }).then(() => "ok", (e: Error) => e.name);
  },
  async allAt(tier: "local" | "edge") {
    return (await db.all(todos, { tier })).map((t) => t.title).sort();
  },
  mutationErrors: () => mutationErrors.slice(),
  shutdown: () => db.shutdown(),
};
(window as unknown as { jazzApp: typeof app }).jazzApp = app;
document.getElementById("status")!.textContent = "ready";
