// `jazz-tools/testing`: createPolicyTestApp(app, permissions, expect) starts an isolated local
// sync server (in-process, in-memory storage, its own app id) with the app's schema and
// permissions published, and hands out session-scoped test clients.
//
// Test clients act on the server's own replica with the server's own checks: a write is checked
// with the same compiled policies the server enforces on pushed batches (against the server's
// data, before it is applied), and reads run through the same query compiler and read policy
// the server uses for subscriptions. expectAllowed/expectDenied run their callback in a
// transaction that is always rolled back, so assertions never change the seeded data.

import { randomBytes } from "node:crypto";
import {
  compileQuery,
  decodeRow,
  encodeInsert,
  encodeUpdate,
  isUuid,
  uuidv7,
  uuidv7Hex,
  MonotonicClock,
  RowNotFoundError,
  type AppHooks,
  type Batch,
  type QueryLike,
  type RowWrite,
  type RuntimeSchema,
} from "@jazz-tools/core";
import {
  checkRowWrite,
  parsePermissionsBundle,
  PolicyDeniedError,
  type PermissionsBundle,
  type PolicySession,
} from "@jazz-tools/core/permissions";
import { startSyncServer, type RunningServer } from "@jazz-tools/server";

export { PolicyDeniedError };
// The reference's helper for tests that need a real sync server (an edge with upstreamUrl + peerSecret).
import {
  startLocalJazzServer as startInternalLocalJazzServer,
  type LocalJazzServer as InternalLocalJazzServer,
  type LocalJazzServerOptions,
} from "@jazz-tools/server/testing";
export type { LocalJazzServerOptions };
export { TestingServer, pushSchemaCatalogue, type TestingServerOptions, type PushSchemaCatalogueOptions } from "@jazz-tools/server/testing";
/** A sync server inside the test process; the public shape leaves the server's internals out. */
export type LocalJazzServer = Omit<InternalLocalJazzServer, "server">;
export const startLocalJazzServer: (opts?: LocalJazzServerOptions) => Promise<LocalJazzServer> = startInternalLocalJazzServer;

type AppLike = { wasmSchema: RuntimeSchema; _hooks?: unknown };

/** The session a test client acts as: `{ user_id, claims, authMode }`. */
export interface TestSession {
  user_id: string;
  claims?: Record<string, unknown>;
  authMode?: "local-first" | "external" | "anonymous" | string;
}

export interface TestWriteResult<T> {
  value: T;
  batchId: string;
  wait(opts?: unknown): Promise<T>;
  mapValue<U>(fn: (v: T) => U): TestWriteResult<U>;
}

export interface TestWriteHandle {
  batchId: string;
  wait(opts?: unknown): Promise<void>;
}

/** The writes a seed or expectAllowed/expectDenied callback can make. */
export interface TestWriter {
  insert<R>(table: QueryLike<R> | string, data: Record<string, unknown>, opts?: { id?: string }): TestWriteResult<R & { id: string }>;
  update(table: QueryLike<any> | string, id: string, data: Record<string, unknown>): TestWriteHandle;
  delete(table: QueryLike<any> | string, id: string): TestWriteHandle;
  upsert(table: QueryLike<any> | string, data: Record<string, unknown>, opts: { id: string }): TestWriteHandle;
}

export interface TestDb {
  readonly session: TestSession;
  /** Rows of the query this session may read (denied rows are filtered out, never thrown). */
  all<R>(query: QueryLike<R>): Promise<R[]>;
  one<R>(query: QueryLike<R>): Promise<R | null>;
  /** Asserts the callback's writes pass every policy (they are rolled back afterwards). */
  expectAllowed(fn: (db: TestWriter) => unknown): void;
  /** Asserts a policy rejects one of the callback's writes (nothing is kept either way). */
  expectDenied(fn: (db: TestWriter) => unknown): void;
}

export interface PolicyTestApp {
  /** The local server's URL (real clients may connect to it). */
  readonly serverUrl: string;
  readonly appId: string;
  readonly adminSecret: string;
  /**
   * Runs setup writes as an admin, bypassing policies; returns the callback's value. With
   * `{ as: userId }` the rows are authored by that user ($createdBy), still unchecked.
   */
  seed<T>(fn: (db: TestWriter) => T, opts?: { as?: string }): T;
  /** A test client scoped to a session. */
  as(session: TestSession): TestDb;
  shutdown(): Promise<void>;
}

/** The part of Vitest's/Jest's `expect` the helper uses. */
export type ExpectLike = (actual: unknown, message?: string) => {
  not: { toThrow(expected?: unknown): void };
  toThrow(expected?: unknown): void;
};

class Rollback extends Error {}

const tableOf = (t: QueryLike<any> | string): string => (typeof t === "string" ? t : t._table);

export async function createPolicyTestApp(app: AppLike, permissions: PermissionsBundle, expect: ExpectLike): Promise<PolicyTestApp> {
  if (!app?.wasmSchema) throw new TypeError("createPolicyTestApp(app, permissions, expect): app must come from s.defineApp(...)");
  const bundle = parsePermissionsBundle(permissions);
  if (typeof expect !== "function") throw new TypeError("createPolicyTestApp(app, permissions, expect): pass your test runner's expect");
  const adminSecret = randomBytes(24).toString("base64url");
  const appId = `policy-test-${uuidv7()}`;
  const server: RunningServer = await startSyncServer({
    appId,
    port: 0,
    host: "127.0.0.1",
    dataDir: "",
    inMemory: true,
    allowLocalFirstAuth: true,
    adminSecret,
    production: false,
  });
  const { service } = server;
  const engine = service.engine;
  try {
    service.publishSchema(app.wasmSchema, { admin: true });
    service.publishPermissions(bundle, { admin: true });
  } catch (e) {
    await server.close();
    throw e;
  }
  const hooks = (app._hooks ?? {}) as AppHooks;
  const clock = new MonotonicClock();
  const adminSession = { user_id: "jazz:admin", claims: {}, authMode: "admin" as const };

  /** A writer whose every write goes through `commit` as a one-write batch. */
  const writer = (author: string, commit: (b: Batch) => void): TestWriter => {
    const schemaOf = (table: string) => {
      const t = engine.schema.tables[table];
      if (!t) throw new Error(`Unknown table "${table}" in this app's schema`);
      return t;
    };
    const write = (w: RowWrite): string => {
      const b: Batch = { batchId: uuidv7Hex(), ts: clock.next(), author, kind: "direct", writes: [w] };
      commit(b);
      return b.batchId;
    };
    const handle = (batchId: string): TestWriteHandle => ({ batchId, wait: async () => {} });
    const result = <T,>(value: T, batchId: string): TestWriteResult<T> => ({
      value,
      batchId,
      wait: async () => value,
      mapValue: (fn) => result(fn(value), batchId),
    });
    const w: TestWriter = {
      insert(t, data, opts) {
        const table = tableOf(t);
        const schema = schemaOf(table);
        const id = opts?.id ?? (typeof data?.id === "string" ? data.id : uuidv7());
        if (!isUuid(id)) throw new Error(`Invalid row id ${JSON.stringify(id)}: ids must be UUIDs`);
        const values = encodeInsert(table, schema, data, hooks[table]);
        const batchId = write({ table, id, op: "insert", values });
        return result(decodeRow(schema, id, values, hooks[table]) as never, batchId);
      },
      update(t, id, data) {
        const table = tableOf(t);
        return handle(write({ table, id, op: "update", values: encodeUpdate(table, schemaOf(table), data, hooks[table]) }));
      },
      delete(t, id) {
        return handle(write({ table: tableOf(t), id, op: "delete" }));
      },
      upsert(t, data, opts) {
        const table = tableOf(t);
        const exists = engine.store.isVisible(table, opts.id);
        return exists ? w.update(t, opts.id, data) : (w.insert(t, data, { id: opts.id }) as unknown as TestWriteHandle);
      },
    };
    return w;
  };

  let closed = false;
  const alive = () => {
    if (closed) throw new Error("this PolicyTestApp was shut down");
  };

  return {
    serverUrl: server.url,
    appId,
    adminSecret,
    seed<T>(fn: (db: TestWriter) => T, opts?: { as?: string }): T {
      alive();
      return fn(
        writer(opts?.as ?? adminSession.user_id, (b) => {
          // Through the server's own write path (as an admin: validated, merged, logged and
          // fanned out to connected clients), synchronously.
          const { fate, applied } = engine.accept(b, adminSession, true);
          if (fate.kind === "rejected") throw new Error(`seed write rejected (${fate.code}): ${fate.reason}`);
          if (applied) service.hub.onAccepted(applied.batch, applied.rows, null);
        }),
      );
    },
    as(session: TestSession): TestDb {
      alive();
      if (!session || typeof session.user_id !== "string" || !session.user_id) {
        throw new TypeError("as(session) needs { user_id, claims, authMode }");
      }
      const s: PolicySession = { user_id: session.user_id, claims: session.claims ?? {}, authMode: session.authMode ?? "local-first" };
      const policies = () => service.permissions.policiesFor(engine.schema, s)!;
      const run = (fn: (db: TestWriter) => unknown) => {
        const p = policies();
        engine.store.transaction(() => {
          const db = writer(s.user_id, (b) => {
            for (const w of b.writes) {
              // A missing row is a mistake in the test, not a policy decision.
              if (w.op !== "insert" && !engine.store.isVisible(w.table, w.id)) {
                throw new RowNotFoundError(w.table, w.id, w.op === "update" ? "Update" : "Delete");
              }
              checkRowWrite(p, engine.driver, w, b.author, b.ts);
            }
            engine.store.applyBatch(b, { strict: true, ephemeral: true });
          });
          const out = fn(db);
          if (out && typeof (out as Promise<unknown>).then === "function") {
            throw new TypeError("expectAllowed/expectDenied callbacks must write synchronously (writes are synchronous)");
          }
          throw new Rollback();
        });
      };
      const attempt = (fn: (db: TestWriter) => unknown) => () => {
        try {
          run(fn);
        } catch (e) {
          if (!(e instanceof Rollback)) throw e;
        }
      };
      const query = <R,>(q: QueryLike<R>, limit?: number): R[] => {
        alive();
        const ir = { ...q._build(), ...(limit !== undefined ? { limit } : {}) };
        const c = compileQuery(engine.schema, ir, { policy: policies().hook, hooks: hooks as never });
        return engine.driver.all(c.sql, c.params).map((r) => c.decode(r)) as R[];
      };
      return {
        session,
        all: async (q) => query(q),
        one: async (q) => query(q, 1)[0] ?? null,
        expectAllowed(fn) {
          alive();
          expect(attempt(fn), `expected ${s.user_id}'s writes to be allowed`).not.toThrow();
        },
        expectDenied(fn) {
          alive();
          expect(attempt(fn), `expected ${s.user_id}'s writes to be denied by a policy`).toThrow(PolicyDeniedError);
        },
      };
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}
