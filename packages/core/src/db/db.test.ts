import { afterEach, describe, expect, it, vi } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { generateAuthSecret, deriveLocalFirstIdentity, mintLocalFirstToken, syncSigner } from "@jazz-tools/auth";
import * as s from "../schema/dsl.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Condition, QueryIR, QueryLike } from "../query/ir.ts";
import type { Batch, BatchFate } from "../engine/batch.ts";
import type { LinkListener, ReplicaLink } from "./link.ts";
import { Db } from "./db.ts";
import { createDbFromParts } from "./create.ts";
import { PersistedWriteRejectedError } from "./errors.ts";
import { InvalidIdError, InvalidSchemaError, InvalidValueError, MissingColumnError, ObjectExistsError, RowNotFoundError, UnknownColumnError, UnknownTableError } from "../engine/errors.ts";

// Hand-built handles (the typed builder is tested elsewhere); enough for the Db's contract.
const schema: RuntimeSchema = {
  tables: {
    todos: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        done: { type: { kind: "boolean" }, optional: false, merge: "lww", default: false },
        note: { type: { kind: "string" }, optional: true, merge: "lww" },
        rank: { type: { kind: "int" }, optional: true, merge: "lww" },
        score: { type: { kind: "float" }, optional: true, merge: "lww" },
        due: { type: { kind: "timestamp" }, optional: true, merge: "lww" },
        kind: { type: { kind: "enum", variants: ["a", "b"] }, optional: true, merge: "lww" },
        likes: { type: { kind: "int" }, optional: false, merge: "counter", default: 0 },
      },
    },
  },
};
type Todo = { id: string; title: string; done: boolean; note: string | null; rank: number | null; likes: number };
function q(conditions: Condition[] = [], extra: Partial<QueryIR> = {}): QueryLike<Todo> {
  return { _table: "todos", _schema: schema, _build: () => ({ table: "todos", conditions, orderBy: [], includes: [], ...extra }) };
}
const todos = q();

const secret = generateAuthSecret();
const dbs: Db[] = [];
function newDb(config: Record<string, unknown> = { secret }, link?: ReplicaLink): Db {
  const db = new Db({ syncSigner, config: { appId: "test-app", ...config }, driver: createNodeSqlDriver(), link });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

describe("Db writes", () => {
  it("insert is synchronous, applies defaults and returns the row, batch id and wait", async () => {
    const db = newDb();
    const w = db.insert(todos, { title: "Buy milk" });
    expect(w.value).toEqual({ id: w.value.id, title: "Buy milk", done: false, note: null, rank: null, score: null, due: null, kind: null, likes: 0 });
    expect(w.value.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(w.batchId).toMatch(/^[0-9a-f]{12}7[0-9a-f]{19}$/);
    await expect(w.wait({ tier: "local" })).resolves.toEqual(w.value);
    expect(w.mapValue((v) => v.title).value).toBe("Buy milk");
    expect(await db.all(todos)).toEqual([w.value]);
  });

  it("sets magic columns from the session and the batch clock", async () => {
    const db = newDb();
    const { userId } = deriveLocalFirstIdentity(secret);
    const before = Date.now();
    const w = db.insert(todos, { title: "x" });
    const sel = q([], { select: ["title", "$createdBy", "$createdAt", "$updatedBy", "$updatedAt"] });
    const [row] = (await db.all(sel)) as unknown as Record<string, unknown>[];
    expect(row.$createdBy).toBe(userId);
    expect(row.$updatedBy).toBe(userId);
    expect((row.$createdAt as Date).getTime()).toBeGreaterThanOrEqual(before - 1);
    db.update(todos, w.value.id, { title: "y" });
    const [row2] = (await db.all(sel)) as unknown as Record<string, unknown>[];
    expect((row2.$updatedAt as Date).getTime()).toBeGreaterThanOrEqual((row.$createdAt as Date).getTime());
    expect(row2.$createdAt).toEqual(row.$createdAt);
  });

  it("update, upsert and delete", async () => {
    const db = newDb();
    const { value } = db.insert(todos, { title: "a", note: "n" });
    db.update(todos, value.id, { done: true, note: null });
    expect(await db.one(q([{ column: "id", op: "eq", value: value.id }]))).toMatchObject({ done: true, note: null, title: "a" });
    const id = "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d";
    db.upsert(todos, { title: "imported" }, { id });
    db.upsert(todos, { title: "imported again" }, { id });
    expect((await db.one(q([{ column: "id", op: "eq", value: id }])))?.title).toBe("imported again");
    db.delete(todos, value.id);
    expect((await db.all(todos)).map((t) => t.id)).toEqual([id]);
    expect(await db.one(q([{ column: "title", op: "eq", value: "zzz" }]))).toBeNull();
  });

  it("bad input throws a named error and leaves the database unchanged", async () => {
    const db = newDb();
    const { value } = db.insert(todos, { title: "keep" });
    const snapshot = await db.all(todos);
    const cases: [() => unknown, unknown, RegExp?][] = [
      [() => db.insert(todos, { title: "x", nope: 1 }), UnknownColumnError, /Unknown column "nope"/],
      [() => db.insert(todos, { title: 5 } as never), InvalidValueError, /expected a string/],
      [() => db.insert(todos, { title: "x", rank: 2 ** 31 }), InvalidValueError, /32-bit/],
      [() => db.insert(todos, { title: "x", rank: 1.5 }), InvalidValueError, /integer/],
      [() => db.insert(todos, { title: "x", score: Infinity }), InvalidValueError, /finite/],
      [() => db.insert(todos, { title: "x", score: NaN }), InvalidValueError, /finite/],
      [() => db.insert(todos, {}), MissingColumnError, /Missing required column "title"/],
      [() => db.insert(todos, { title: "x", kind: "c" }), InvalidValueError, /one of "a", "b"/],
      [() => db.insert(todos, { title: "x", due: "tomorrow" }), InvalidValueError, /Date/],
      [() => db.insert(todos, { title: "x" }, { id: "not-a-uuid" }), InvalidIdError],
      [() => db.insert(todos, { title: "x" }, { id: value.id }), ObjectExistsError, /object already exists/],
      [() => db.insert("nope", { title: "x" }), UnknownTableError, /Unknown table "nope"/],
      [() => db.update(todos, "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d", { title: "x" }), RowNotFoundError],
      [() => db.delete(todos, "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d"), RowNotFoundError],
      [() => db.update(todos, value.id, { title: null } as never), InvalidValueError, /required/],
    ];
    for (const [fn, cls, msg] of cases) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err, String(fn)).toBeInstanceOf(cls as never);
      if (msg) expect((err as Error).message).toMatch(msg);
      expect((err as Error).name).toBe((cls as { name: string }).name);
    }
    expect(await db.all(todos)).toEqual(snapshot);
  });

  it("a counter column that is not a non-optional int is a schema error", () => {
    const db = newDb();
    const bad: QueryLike = {
      _table: "bad",
      _schema: { tables: { bad: { columns: { n: { type: { kind: "string" }, optional: false, merge: "counter" } } } } },
      _build: () => ({ table: "bad", conditions: [], orderBy: [], includes: [] }),
    };
    expect(() => db.insert(bad, { n: "x" })).toThrow(InvalidSchemaError);
    expect(() => db.insert(bad, { n: "x" })).toThrow(/merge\("counter"\), which needs a non-optional s.int\(\) column/);
  });

  it("anonymous sessions write like any other (permissions decide, not the auth mode); admin sessions too", () => {
    const anon = newDb({});
    expect(anon.getAuthState().authMode).toBe("anonymous");
    const row = anon.insert(todos, { title: "x" }).value;
    expect(row.title).toBe("x");
    anon.update(todos, row.id, { title: "y" });
    anon.delete(todos, row.id);
    const admin = newDb({ adminSecret: "s3cret" });
    expect(admin.insert(todos, { title: "x" }).value.title).toBe("x");
  });

  it("two auth sources at once are a config error", async () => {
    await expect(createDbFromParts({ config: { appId: "a", secret, jwtToken: "x.y.z" }, driver: createNodeSqlDriver() })).rejects.toThrow(
      "DbConfig error: secret, jwtToken, and cookieSession are mutually exclusive",
    );
  });

  it("counter columns carry deltas", async () => {
    const db = newDb();
    const { value } = db.insert(todos, { title: "c", likes: 3 });
    db.update(todos, value.id, { likes: 5 });
    db.update(todos, value.id, { likes: 4 });
    expect((await db.one(q([{ column: "id", op: "eq", value: value.id }])))?.likes).toBe(4);
  });
});

describe("batches and transactions", () => {
  it("staged writes are visible inside the scope only, then land as one change", async () => {
    const db = newDb();
    const seen: number[] = [];
    db.subscribeAll(todos, ({ all }) => seen.push(all.length));
    await Promise.resolve();
    const tx = db.beginTransaction();
    const a = tx.insert(todos, { title: "a" });
    tx.insert(todos, { title: "b" });
    tx.update(todos, a.id, { done: true });
    expect((await tx.all(todos)).map((t) => [t.title, t.done])).toEqual([["a", true], ["b", false]]);
    expect(await db.all(todos)).toEqual([]);
    const h = tx.commit();
    expect(seen).toEqual([0, 2]);
    await h.wait({ tier: "global" });
    expect(() => tx.commit()).toThrow(/already committed/);
  });

  it("batch(cb) commits sync and async callbacks; a throw rolls back", async () => {
    const db = newDb();
    const r = db.batch((b) => b.insert(todos, { title: "one" }));
    expect(r.value.title).toBe("one");
    const r2 = await db.transaction(async (tx) => {
      const row = tx.insert(todos, { title: "two" });
      await Promise.resolve();
      return row.id;
    });
    expect(typeof r2.value).toBe("string");
    expect(() =>
      db.batch((b) => {
        b.insert(todos, { title: "never" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    await expect(
      db.transaction(async (tx) => {
        tx.insert(todos, { title: "never either" });
        throw new Error("async boom");
      }),
    ).rejects.toThrow("async boom");
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["one", "two"]);
    const b = db.beginBatch();
    b.insert(todos, { title: "rolled back" });
    b.rollback();
    expect((await db.all(todos)).length).toBe(2);
  });
});

describe("live queries", () => {
  it("first callback soon, then deltas before the write returns, stable identities", async () => {
    const db = newDb();
    const { value: a } = db.insert(todos, { title: "a" });
    const calls: { all: Todo[]; delta: unknown[] }[] = [];
    const stop = db.subscribeAll(q([{ column: "done", op: "eq", value: false }]), (d) => calls.push(d));
    expect(calls.length).toBe(0);
    await Promise.resolve();
    expect(calls.length).toBe(1);
    expect(calls[0].delta).toEqual([{ kind: 0, id: a.id, index: 0, item: calls[0].all[0] }]);
    const { value: b } = db.insert(todos, { title: "b" });
    expect(calls.length).toBe(2);
    expect(calls[1].delta).toEqual([{ kind: 0, id: b.id, index: 1, item: calls[1].all[1] }]);
    expect(calls[1].all[0]).toBe(calls[0].all[0]);
    db.update(todos, b.id, { title: "b2" });
    expect(calls[2].delta).toEqual([{ kind: 2, id: b.id, index: 1, item: calls[2].all[1] }]);
    expect(calls[2].all[0]).toBe(calls[0].all[0]);
    db.update(todos, a.id, { done: true });
    expect(calls[3].delta).toEqual([{ kind: 1, id: a.id, index: 0 }]);
    expect(calls[3].all.map((t) => t.title)).toEqual(["b2"]);
    stop();
    db.insert(todos, { title: "c" });
    expect(calls.length).toBe(4);
  });
});

class FakeLink implements ReplicaLink {
  pushed: Batch[] = [];
  listener: LinkListener | null = null;
  push(batch: Batch) {
    this.pushed.push(batch);
  }
  listen(l: LinkListener) {
    this.listener = l;
    return () => (this.listener = null);
  }
  async close() {}
  fate(f: BatchFate) {
    this.listener!.onFate(f);
  }
}

describe("link: fates and remote batches", () => {
  it("keeps pre-images of local writes for retraction, unless the link restores rejected rows itself", () => {
    const keeps = newDb({ secret }, new FakeLink());
    const kept = keeps.insert(todos, { title: "a" });
    expect(keeps.store.pendingBatchIds()).toEqual([kept.batchId]);
    const restoring = Object.assign(new FakeLink(), { restoresRejected: true });
    const db = newDb({ secret }, restoring);
    db.insert(todos, { title: "b" });
    expect(db.store.pendingBatchIds()).toEqual([]);
    expect(restoring.pushed.length).toBe(1);
  });

  it("a link that prepares batches hears of each before the local apply, and of an apply that failed", () => {
    const prepared: Batch[] = [];
    const abandoned: string[] = [];
    const link = new FakeLink();
    let appliedBeforePrepare = -1;
    const db = newDb({ secret }, link);
    Object.assign(link, {
      prepare: (b: Batch) => {
        prepared.push(b);
        appliedBeforePrepare = (db as unknown as { store: { readRow(t: string, id: string): unknown } }).store.readRow("todos", b.writes[0]!.id) ? 1 : 0;
      },
      abandon: (id: string) => abandoned.push(id),
    });
    const ok = db.batch((b) => {
      b.insert(todos, { title: "a" });
      b.insert(todos, { title: "b" });
    });
    expect(prepared.map((b) => [b.batchId, b.writes.length])).toEqual([[ok.batchId, 2]]);
    expect(appliedBeforePrepare).toBe(0);
    expect(link.pushed.map((b) => b.batchId)).toEqual([ok.batchId]);
    // The local apply throws after prepare: the link is told, nothing is pushed or shown.
    const store = (db as unknown as { store: { applyBatch: (...a: unknown[]) => unknown } }).store;
    const apply = vi.spyOn(store, "applyBatch").mockImplementationOnce(() => {
      throw new Error("disk I/O error");
    });
    expect(() => db.insert(todos, { title: "c" })).toThrow("disk I/O error");
    apply.mockRestore();
    expect(prepared.length).toBe(2);
    expect(abandoned).toEqual([prepared[1]!.batchId]);
    expect(link.pushed.length).toBe(1);
    expect(db.insert(todos, { title: "d" }).value.title).toBe("d");
    expect(link.pushed.length).toBe(2);
    expect(abandoned.length).toBe(1);
  });

  it("wait resolves per tier; a rejection retracts the write, rejects wait and reaches onMutationError", async () => {
    const link = new FakeLink();
    // With a serverUrl the server is the authority: "local" is not final.
    const db = newDb({ secret, serverUrl: "ws://127.0.0.1:9" }, link);
    const ok = db.insert(todos, { title: "ok" });
    const bad = db.insert(todos, { title: "bad" });
    db.update(todos, ok.value.id, { title: "ok, renamed by rejected batch" });
    const renameBatch = link.pushed[2].batchId;
    expect(link.pushed.length).toBe(3);
    const live: string[][] = [];
    db.subscribeAll(todos, ({ all }) => live.push(all.map((t) => t.title)));
    await Promise.resolve();
    const okLocal = ok.wait({ tier: "local" });
    const okGlobal = vi.fn();
    void ok.wait({ tier: "global" }).then(okGlobal);
    link.fate({ batchId: ok.batchId, kind: "accepted", tier: "local" });
    await okLocal;
    await Promise.resolve();
    expect(okGlobal).not.toHaveBeenCalled();
    link.fate({ batchId: ok.batchId, kind: "accepted", tier: "global" });
    await new Promise((r) => setTimeout(r, 0));
    expect(okGlobal).toHaveBeenCalled();

    const errors: unknown[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    link.fate({ batchId: bad.batchId, kind: "rejected", code: "forbidden", reason: "policy denied INSERT on table todos" });
    link.fate({ batchId: renameBatch, kind: "rejected", code: "forbidden", reason: "policy denied UPDATE on table todos" });
    expect(spy).toHaveBeenCalledWith("Unhandled Jazz mutation error", expect.any(PersistedWriteRejectedError));
    spy.mockRestore();
    db.onMutationError((e) => errors.push(e));
    expect(errors.length).toBe(2);
    await expect(bad.wait({ tier: "local" })).rejects.toThrow(`Persisted batch ${bad.batchId} was rejected (forbidden): policy denied INSERT on table todos`);
    const err = await bad.wait({ tier: "edge" }).catch((e) => e);
    expect(err).toBeInstanceOf(PersistedWriteRejectedError);
    expect(err).toMatchObject({ batchId: bad.batchId, code: "forbidden", reason: "policy denied INSERT on table todos" });
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["ok"]);
    expect(live.at(-1)).toEqual(["ok"]);
  });

  it("an eviction drops rows without undecided local writes and keeps the ones with", async () => {
    const link = new FakeLink();
    const db = newDb({ secret, serverUrl: "ws://127.0.0.1:9" }, link);
    const settled = db.insert(todos, { title: "settled" });
    const pending = db.insert(todos, { title: "pending" });
    link.fate({ batchId: settled.batchId, kind: "accepted", tier: "global" });
    const live: string[][] = [];
    db.subscribeAll(todos, ({ all }) => live.push(all.map((t) => t.title).sort()));
    await Promise.resolve();
    link.listener!.onRowsEvicted!("todos", [settled.value.id, pending.value.id]);
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["pending"]);
    expect(live.at(-1)).toEqual(["pending"]);
  });

  it("merges remote batches and notifies live queries", async () => {
    const link = new FakeLink();
    const db = newDb({ secret }, link);
    db.insert(todos, { title: "warm" }); // learn the table
    const seen: string[][] = [];
    db.subscribeAll(todos, ({ all }) => seen.push(all.map((t) => t.title)));
    await Promise.resolve();
    link.listener!.onRemoteBatches([
      {
        batchId: "0190a5c48f1e7c3a9b2d4e5f6a7b8c9d",
        ts: Date.now() * 1000,
        author: "someone",
        kind: "direct",
        writes: [{ table: "todos", id: "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9e", op: "insert", values: { title: "remote", done: 0, note: null, rank: null, score: null, due: null, kind: null, likes: 0 } }],
      },
    ]);
    expect(seen.at(-1)).toEqual(["remote", "warm"]); // id order: the remote id is older
  });
});

describe("lifecycle and auth", () => {
  it("getConfig is a clone, shutdown is idempotent, auth state and proofs", async () => {
    const db = newDb({ secret });
    const c = db.getConfig();
    c.appId = "changed";
    expect(db.getConfig().appId).toBe("test-app");
    const states: unknown[] = [];
    db.onAuthChanged((s) => states.push(s));
    expect(states).toEqual([{ authMode: "local-first", session: expect.objectContaining({ user_id: deriveLocalFirstIdentity(secret).userId }) }]);
    const proof = db.getLocalFirstIdentityProof();
    expect(proof).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(newDb({}).getLocalFirstIdentityProof()).toBeNull();
    const p1 = db.shutdown();
    expect(db.shutdown()).toBe(p1);
    await p1;
    expect(() => db.insert(todos, { title: "late" })).toThrow(/has been shut down/);
    await expect(newDb().deleteClientStorage()).rejects.toThrow(/only available for browser/);
    const other = newDb();
    await other.logout();
    expect(() => other.insert(todos, { title: "late" })).toThrow(/has been shut down/);
  });
});

describe("DSL hooks: JSON validators, transforms, optional columns", () => {
  // A minimal Standard Schema (what zod & co. implement): a { x: number } object.
  const point = {
    "~standard": {
      version: 1 as const,
      vendor: "test",
      validate: (v: unknown) =>
        v && typeof v === "object" && typeof (v as { x?: unknown }).x === "number"
          ? { value: v as { x: number } }
          : { issues: [{ message: "x must be a number", path: ["x"] }] },
    },
  };
  const app = s.defineApp({
    shapes: s.table({
      label: s.string().optional(),
      at: s.json(point),
      size: s.int().transform({ from: (n: number) => `${n}px`, to: (px: string) => parseInt(px, 10) }),
    }),
  });

  it("runs the validator on insert and update, and applies transforms both ways", async () => {
    const db = newDb();
    const { value } = db.insert(app.shapes, { at: { x: 1 }, size: "12px", label: undefined });
    expect(value).toMatchObject({ at: { x: 1 }, size: "12px", label: null });
    expect(() => db.insert(app.shapes, { at: { x: "no" } as never, size: "1px" })).toThrow(/rejected by the column's validator: x: x must be a number/);
    expect(() => db.update(app.shapes, value.id, { at: { y: 2 } as never })).toThrow(InvalidValueError);
    db.update(app.shapes, value.id, { size: "20px", label: null });
    expect(await db.one(app.shapes.where({ id: value.id }))).toMatchObject({ size: "20px", label: null, at: { x: 1 } });
    expect(await db.all(app.shapes)).toHaveLength(1);
  });
});

describe("auth state", () => {
  it("external JWT: same principal may refresh, another principal throws", () => {
    const jwt = mintLocalFirstToken(secret, { audience: "test-app" });
    const db = newDb({ jwtToken: jwt });
    const states: string[] = [];
    db.onAuthChanged((st) => states.push(`${st.authMode}:${st.session?.user_id}`));
    const me = deriveLocalFirstIdentity(secret).userId;
    expect(states).toEqual([`local-first:${me}`]);
    db.updateAuthToken(mintLocalFirstToken(secret, { audience: "test-app", now: Date.now() + 1000 }));
    expect(states.length).toBe(2);
    const other = mintLocalFirstToken(generateAuthSecret(), { audience: "test-app" });
    expect(() => db.updateAuthToken(other)).toThrow("Changing auth principal on a live client is not supported. Recreate the Db.");
    expect(db.getAuthState().session?.user_id).toBe(me);
  });

  it("cookie sessions are not anonymous and keep their principal", () => {
    const session = { user_id: "user-1", claims: { role: "x" }, authMode: "external" as const };
    const db = newDb({ cookieSession: session });
    expect(db.getAuthState()).toEqual({ authMode: "external", session });
    expect(db.insert(todos, { title: "by cookie" }).value.title).toBe("by cookie");
    expect(() => db.updateCookieSession({ ...session, user_id: "user-2" })).toThrow(/Changing auth principal/);
    db.updateCookieSession(null);
    expect(db.getAuthState().session).toBeNull();
  });
});

describe("link: transactions and tiers", () => {
  it("a transaction is visible only once the authority accepts it", async () => {
    const link = new FakeLink();
    const db = newDb({ secret }, link);
    db.insert(todos, { title: "direct" });
    const calls: string[][] = [];
    db.subscribeAll(todos, ({ all }) => calls.push(all.map((t) => t.title)));
    await Promise.resolve();
    const r = db.transaction((tx) => {
      tx.insert(todos, { title: "tx1" });
      tx.insert(todos, { title: "tx2" });
    });
    expect(link.pushed.at(-1)).toMatchObject({ kind: "transaction", batchId: r.batchId });
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["direct"]);
    link.fate({ batchId: r.batchId, kind: "accepted", tier: "global" });
    await r.wait({ tier: "global" });
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["direct", "tx1", "tx2"]);
    expect(calls).toEqual([["direct"], ["direct", "tx1", "tx2"]]);
  });

  it("reads above tier local wait for the link to settle the query", async () => {
    const link = new FakeLink() as FakeLink & { subs: [string, QueryIR, string][] };
    link.subs = [];
    (link as ReplicaLink).subscribeQuery = (id, query, tier) => void link.subs.push([id, query, tier]);
    (link as ReplicaLink).unsubscribeQuery = () => {};
    const db = newDb({ secret }, link);
    db.insert(todos, { title: "x" });
    const got = vi.fn();
    db.subscribeAll(todos, got, { tier: "edge" });
    const read = db.all(todos, { tier: "edge" });
    await new Promise((r) => setTimeout(r, 5));
    expect(got).not.toHaveBeenCalled();
    expect(link.subs.map((x) => x[2])).toEqual(["edge", "edge"]);
    for (const [id] of link.subs) link.listener!.onQuerySettled!(id, "global");
    expect((await read).length).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toHaveBeenCalledTimes(1);
    // Local reads do not wait.
    expect((await db.all(todos, { tier: "local" })).length).toBe(1);
  });

  it("with a link but no serverUrl, the durable side's local acceptance is final", async () => {
    const link = new FakeLink();
    const db = newDb({ secret }, link);
    const w = db.insert(todos, { title: "x" });
    const global = w.wait({ tier: "global" });
    link.fate({ batchId: w.batchId, kind: "accepted", tier: "local" });
    await global;
    expect(db.store.pendingBatchIds()).toEqual([]);
  });

  it("with no link every tier resolves at once (the local replica is the authority)", async () => {
    const db = newDb();
    const w = db.insert(todos, { title: "x" });
    await w.wait({ tier: "local" });
    await w.wait({ tier: "edge" });
    await w.wait({ tier: "global" });
  });
});

// Two Dbs joined by an in-process link that delivers each pushed batch to the other replica
// (what a server does, minus permissions): concurrent edits converge per column.
class PeerLink implements ReplicaLink {
  listener: LinkListener | null = null;
  peer: PeerLink | null = null;
  held: Batch[] = [];
  online = true;
  push(batch: Batch) {
    if (this.online) this.deliver(batch);
    else this.held.push(batch);
  }
  deliver(batch: Batch) {
    this.peer!.listener?.onRemoteBatches([batch]);
    this.listener?.onFate({ batchId: batch.batchId, kind: "accepted", tier: "global" });
  }
  reconnect() {
    this.online = true;
    for (const b of this.held.splice(0)) this.deliver(b);
  }
  listen(l: LinkListener) {
    this.listener = l;
    return () => (this.listener = null);
  }
  async close() {}
}

describe("two replicas", () => {
  it("offline edits to different columns both survive; the same column takes the later write", async () => {
    const la = new PeerLink();
    const lb = new PeerLink();
    la.peer = lb;
    lb.peer = la;
    const alice = newDb({ secret: generateAuthSecret() }, la);
    const bob = newDb({ secret: generateAuthSecret() }, lb);
    bob.store.addTables(schema); // bob has opened the app too
    const { value } = alice.insert(todos, { title: "shared", note: "n0" });
    expect((await bob.all(todos)).map((t) => t.title)).toEqual(["shared"]);
    la.online = false;
    lb.online = false;
    alice.update(todos, value.id, { title: "alice's title", note: "alice" });
    bob.update(todos, value.id, { done: true, note: "bob, later" });
    la.reconnect();
    lb.reconnect();
    const a = await alice.one(q([{ column: "id", op: "eq", value: value.id }]));
    const b = await bob.one(q([{ column: "id", op: "eq", value: value.id }]));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ title: "alice's title", done: true, note: "bob, later" });
  });
});

describe("every column type round-trips (insert value = what queries read back)", () => {
  const app = s.defineApp({
    others: s.table({ name: s.string() }),
    kitchen: s.table({
      str: s.string(),
      bool: s.boolean(),
      int: s.int(),
      float: s.float(),
      ts: s.timestamp(),
      bytes: s.bytes(),
      json: s.json<{ a: number[]; b: string | null }>(),
      kind: s.enum("x", "y"),
      other: s.ref("others"),
      tags: s.array(s.string()),
      times: s.array(s.timestamp()),
      blobs: s.array(s.bytes()),
      flags: s.array(s.boolean()),
      nested: s.array(s.array(s.int())),
      maybe: s.float().optional(),
    }),
  });

  it("stores and reads back each type, including arrays of dates, bytes and booleans", async () => {
    const db = newDb();
    const other = db.insert(app.others, { name: "o" }).value;
    const data = {
      str: "héllo 😀",
      bool: true,
      int: -2147483648,
      float: 0.1 + 0.2,
      ts: new Date(1700000000123),
      bytes: new Uint8Array([0, 255, 7]),
      json: { a: [1, 2], b: null },
      kind: "y" as const,
      other: other.id,
      tags: ["a", "b"],
      times: [new Date(0), new Date(1700000000000)],
      blobs: [new Uint8Array([1, 2]), new Uint8Array([])],
      flags: [true, false],
      nested: [[1], [2, 3]],
    };
    const { value } = db.insert(app.kitchen, data);
    expect(value).toEqual({ id: value.id, ...data, maybe: null });
    const [read] = await db.all(app.kitchen);
    expect(read).toEqual(value);
    expect(await db.all(app.kitchen.where({ tags: { contains: "b" } }))).toHaveLength(1);
    expect(await db.all(app.kitchen.where({ ts: { gte: new Date(1700000000000) } }))).toHaveLength(1);
  });
});

describe("updatedAt override", () => {
  it("a write stamped earlier than the current value loses the column (LWW on the given clock)", async () => {
    const db = newDb();
    const { value } = db.insert(todos, { title: "now" });
    db.update(todos, value.id, { title: "stale", note: "new note" }, { updatedAt: 1 });
    // The insert wrote every column with a later clock, so the stale write loses both.
    expect(await db.one(q([{ column: "id", op: "eq", value: value.id }]))).toMatchObject({ title: "now", note: null });
    db.update(todos, value.id, { title: "future" }, { updatedAt: Date.now() * 1000 + 60_000_000 });
    // The local clock moves past a clock it was given, so the next ordinary write still wins.
    db.update(todos, value.id, { title: "ordinary" });
    expect((await db.one(q([{ column: "id", op: "eq", value: value.id }])))?.title).toBe("ordinary");
    expect(() => db.update(todos, value.id, { title: "x" }, { updatedAt: -1 })).toThrow(InvalidValueError);
  });
});
