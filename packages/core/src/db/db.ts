// The Db façade: synchronous writes and reads over one Store (SQLite + merge), live queries,
// batches/transactions, write fates from a ReplicaLink, and auth state. Platforms construct it
// with a driver and optionally a link (browser worker, server connection); see createDb.

import type { SqlValue } from "../sql/driver.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import { declaredSchemas } from "../schema/versions.ts";
import type { QueryIR, QueryLike } from "../query/ir.ts";
import type { Batch, BatchFate, DurabilityTier, RowWrite } from "../engine/batch.ts";
import { compileQuery, tablesRead, type CompiledQuery } from "../query/compile.ts";
import { Store } from "../engine/store.ts";
import { MonotonicClock, isUuid, uuidv7, uuidv7Hex } from "../engine/clock.ts";
import { encodeUpdate, tableCodec, type AppHooks, type TableCodec } from "../engine/encoding.ts";
import { InvalidIdError, InvalidValueError, ObjectExistsError, RowNotFoundError, UnknownTableError } from "../engine/errors.ts";
import type { AuthState, Session } from "@jazz-tools/auth";
import type { SubscriptionDelta } from "../subscriptions/types.ts";
import type { ReplicaLink } from "./link.ts";
import { SyncStatusTracker, type SyncStatus } from "./sync-status.ts";
// Files are loaded on first use (a page that never stores a file does not fetch the code).
const files = () => import("../files/storage.ts");
import type { FileReadOptions, FileWriteOptions } from "../files/storage.ts";

/** The row type of an app's `files` table (what createFileFrom* resolve to). */
type FileRowOf<A> = A extends { files: QueryLike<infer R> } ? R : Record<string, unknown> & { id: string };
import { DbAuth } from "./auth.ts";
import { LiveQueries, LiveQuery, type IncrementalSpec } from "./live.ts";
import { DbClosedError, DbConfigError, PersistedWriteRejectedError, QueryRefusedError, ScopeClosedError } from "./errors.ts";
import type { DbConfig, DbOptions, InsertOptions, MutationErrorEvent, QueryOptions, UpdateOptions, UpsertOptions, WaitOptions, WriteHandle, WriteResult } from "./types.ts";
import type { BatchScope, DbDirectBatch, InsertData, RowOfTable, TableArg, UpdateData } from "./scope.ts";
import type { LocalPermissions } from "../permissions/local.ts";
import { loadLocalPermissions, localPermissionsModule } from "../permissions/lazy.ts";
import { QueryTraces, type ActiveQuerySubscriptionTrace } from "../devtools/trace.ts";

const TIER_RANK: Record<DurabilityTier, number> = { local: 0, edge: 1, global: 2 };

interface Stage {
  batchId: string;
  kind: "direct" | "transaction";
  writes: RowWrite[];
  /**
   * Staged visibility of rows this stage touched ("table\0id" → visible), built on first need
   * from `writes` (a plain run of inserts never needs it) and kept up to date after that.
   */
  visible: Map<string, boolean> | null;
  ts?: number;
  /** Transactions: the clock when the first write was staged (Batch.stagedAt, for conflicts). */
  stagedAt?: number;
  closed: boolean;
}

interface FateRecord {
  batch: Batch;
  tier: number;
  rejected: PersistedWriteRejectedError | null;
  waiters: { tier: number; resolve: () => void; reject: (e: Error) => void }[];
}

class Rollback {}

function checkUpdatedAt(v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 0) throw new InvalidValueError("*", "updatedAt", `updatedAt must be a non-negative integer (µs), got ${String(v)}`);
  return v;
}

export class Db {
  readonly store: Store;
  private readonly driver;
  private readonly link: ReplicaLink | undefined;
  private readonly config: DbConfig;
  private readonly auth: DbAuth;
  private hooks: AppHooks = {};
  private readonly clock = new MonotonicClock();
  private readonly live = new LiveQueries();
  private readonly fates = new Map<string, FateRecord>();
  /** Tracked batches without a final fate yet (for the sync status). */
  private unsettled = 0;
  private readonly sync: SyncStatusTracker;
  private readonly pendingTransactions = new Map<string, Batch>();
  private readonly settled = new Map<string, number>();
  private readonly settleWaiters = new Map<string, { tier: number; resolve: () => void; reject: (e: Error) => void }[]>();
  /** Table of each synced query in flight (for QueryRefusedError). */
  private readonly queryTables = new Map<string, string>();
  private mutationListeners = new Set<(e: MutationErrorEvent) => void>();
  private bufferedMutationErrors: MutationErrorEvent[] = [];
  private readonly compiled = new Map<string, { q: CompiledQuery; tables: Set<string> }>();
  private stopLink: (() => void) | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private readonly onShutdown: DbOptions["onShutdown"];
  private readonly defaultReadTier: DurabilityTier;
  private readonly authorityRank: number;
  private queryIds = 0;
  private readonly permissionsAuthority: boolean;
  /** Row-level permissions, enforced locally once the server's bundle is known (null: none yet). */
  private permissions: LocalPermissions | null = null;
  /** A bundle waiting for the enforcement code to load (see permissions/lazy.ts). */
  private pendingBundle: { value: unknown } | null = null;
  /** Live queries, recorded in dev mode for devtools. */
  private readonly traces: QueryTraces;

  constructor(options: DbOptions) {
    this.config = options.config;
    this.driver = options.driver;
    this.link = options.link;
    this.onShutdown = options.onShutdown;
    this.defaultReadTier = options.defaultReadTier ?? "local";
    this.authorityRank = TIER_RANK[options.authorityTier ?? (options.config.serverUrl ? "global" : "local")];
    this.auth = new DbAuth(options.config, options.premintedToken, options.syncSigner);
    this.permissionsAuthority = options.permissionsAuthority === true;
    this.store = new Store(this.driver);
    this.traces = new QueryTraces(options.config.devMode === true);
    this.sync = new SyncStatusTracker(this.link, () => this.unsettled, !!options.config.serverUrl);
    if (this.link) {
      this.stopLink = this.link.listen({
        onFate: (f) => this.handleFate(f),
        onRemoteBatches: (b) => this.applyRemote(b),
        onQuerySettled: (id, tier) => this.handleSettled(id, tier),
        onRowsEvicted: (table, ids) => this.evictRows(table, ids),
        onQueryRefused: (id, reason) => this.handleRefused(id, reason),
      });
      // The server's catalogue carries the active permissions bundle: load the checks now, in
      // parallel with the handshake (createDbFromParts has them loaded already).
      if (options.config.serverUrl) void loadLocalPermissions().catch(() => {});
      (this.link as { onCatalogue?: (l: (schema: RuntimeSchema, permissions: unknown) => void) => unknown }).onCatalogue?.(
        (_schema, permissions) => this.setPermissions(permissions),
      );
    }
  }

  /** The schema of the app whose handles this Db was given (s.defineApp's); its link stamps it. */
  private declaredSchema: RuntimeSchema | undefined;

  /** Activate a permissions bundle locally (null: none). Normally the server's, via the link. */
  setPermissions(bundle: unknown): void {
    const mod = localPermissionsModule();
    if (mod) return this.applyPermissions(mod, bundle);
    if ((bundle === null || bundle === undefined) && !this.pendingBundle) return; // nothing to enforce
    const first = !this.pendingBundle;
    this.pendingBundle = { value: bundle };
    if (!first) return;
    loadLocalPermissions().then(
      (m) => {
        const pending = this.pendingBundle;
        this.pendingBundle = null;
        if (pending) this.applyPermissions(m, pending.value);
      },
      (e) => console.error("jazz: could not load local permission checks; the server still enforces them", e),
    );
  }

  private applyPermissions(mod: typeof import("../permissions/local.ts"), bundle: unknown): void {
    this.pendingBundle = null;
    if (!this.permissions && (bundle === null || bundle === undefined)) return;
    this.permissions ??= new mod.LocalPermissions(
      () => {
        const s = this.auth.session;
        return s ? { user_id: s.user_id, claims: s.claims ?? {}, authMode: this.auth.authMode } : null;
      },
      () => this.auth.admin,
      this.permissionsAuthority,
    );
    this.permissions.setBundle(bundle);
    this.compiled.clear();
  }

  // ---------------------------------------------------------------- schema

  /** Learn the tables of a handle's app schema (creating them) and return its table name. */
  private learned = new WeakSet<object>();
  private codecs = new Map<string, TableCodec>();

  private codec(table: string): TableCodec {
    let c = this.codecs.get(table);
    if (!c) this.codecs.set(table, (c = tableCodec(table, this.store.getSchema().tables[table], this.hooks[table])));
    return c;
  }
  private learn(q: QueryLike<any>): string {
    if (this.learned.has(q)) return q._table;
    if (!q || typeof q !== "object" || typeof q._table !== "string" || typeof q._build !== "function") {
      throw UnknownTableError.notATable(q, Object.keys(this.store.getSchema().tables));
    }
    const schema = q._schema as RuntimeSchema | undefined;
    if (schema && schema !== this.declaredSchema && declaredSchemas.has(schema)) {
      this.declaredSchema = schema;
      this.link?.declareSchema?.(schema);
    }
    if (schema && !this.store.getSchema().tables[q._table]) {
      this.store.addTables(schema);
      this.compiled.clear();
    }
    const hooks = (q as { _hooks?: AppHooks })._hooks;
    if (hooks)
      for (const t in hooks)
        if (!this.hooks[t]) {
          this.hooks[t] = hooks[t];
          this.codecs.delete(t);
        }
    this.learned.add(q);
    return q._table;
  }

  private tableName(t: TableArg): string {
    if (this.closedCheck(), typeof t === "string") {
      if (!this.store.getSchema().tables[t]) throw new UnknownTableError(t, Object.keys(this.store.getSchema().tables));
      return t;
    }
    if (!t || typeof t !== "object" || typeof t._table !== "string")
      throw UnknownTableError.notATable(t, Object.keys(this.store.getSchema().tables));
    const name = this.learn(t);
    if (!this.store.getSchema().tables[name]) throw new UnknownTableError(name, Object.keys(this.store.getSchema().tables));
    return name;
  }

  private closedCheck(): void {
    if (this.shutdownPromise) throw new DbClosedError();
  }

  // ---------------------------------------------------------------- staging

  private newStage(kind: "direct" | "transaction"): Stage {
    return { batchId: uuidv7Hex(), kind, writes: [], visible: null, closed: false };
  }


  private stagedIndex(stage: Stage): Map<string, boolean> {
    if (!stage.visible) {
      stage.visible = new Map();
      for (const w of stage.writes) if (w.op !== "update") stage.visible.set(`${w.table}\u0000${w.id}`, w.op === "insert");
    }
    return stage.visible;
  }

  private isVisible(stage: Stage, table: string, id: string): boolean {
    const staged = this.stagedIndex(stage).get(`${table}\u0000${id}`);
    return staged ?? this.store.isVisible(table, id);
  }

  private stageInsert(stage: Stage, tableArg: TableArg, data: Record<string, unknown>, opts: InsertOptions = {}): Record<string, unknown> {
    if (stage.closed) throw new ScopeClosedError("batch");
    const table = this.tableName(tableArg);
    let id: string;
    if (opts.id !== undefined) {
      if (!isUuid(opts.id)) throw new InvalidIdError(opts.id);
      id = opts.id.toLowerCase();
      const key = `${table}\u0000${id}`;
      const staged = this.stagedIndex(stage).get(key);
      if (staged !== undefined ? staged || stage.writes.some((w) => w.table === table && w.id === id && w.op === "insert") : this.store.readRow(table, id)?.created)
        throw new ObjectExistsError(table, id);
    } else {
      id = uuidv7(); // fresh UUIDv7: cannot collide, no lookup needed
    }
    const codec = this.codec(table);
    const values = codec.encodeInsert(data);
    this.markStaged(stage);
    stage.writes.push({ table, id, op: "insert", values });
    stage.visible?.set(`${table}\u0000${id}`, true);
    return codec.decodeRow(id, values);
  }

  private stageUpdate(stage: Stage, tableArg: TableArg, id: string, data: Record<string, unknown>): void {
    if (stage.closed) throw new ScopeClosedError("batch");
    const table = this.tableName(tableArg);
    if (typeof id !== "string") throw new InvalidIdError(id);
    if (!this.isVisible(stage, table, id)) throw new RowNotFoundError(table, id, "Update");
    const schema = this.store.getSchema().tables[table];
    const values = encodeUpdate(table, schema, data, this.hooks[table]);
    // Counter columns: the write carries the delta from the value this replica sees now.
    for (const col in values) {
      if (schema.columns[col].merge !== "counter") continue;
      values[col] = Number(values[col]) - this.counterValue(stage, table, id, col);
    }
    this.markStaged(stage);
    stage.writes.push({ table, id, op: "update", values });
  }

  /** A transaction's first staged write fixes stagedAt: later writes by others conflict. */
  private markStaged(stage: Stage): void {
    if (stage.kind === "transaction" && stage.stagedAt === undefined) stage.stagedAt = this.clock.next();
  }

  private counterValue(stage: Stage, table: string, id: string, col: string): number {
    let v = Number(this.store.readRow(table, id)?.values[col] ?? 0);
    for (const w of stage.writes) if (w.table === table && w.id === id && w.values && col in w.values) v += Number(w.values[col]);
    return v;
  }

  private stageDelete(stage: Stage, tableArg: TableArg, id: string): void {
    if (stage.closed) throw new ScopeClosedError("batch");
    const table = this.tableName(tableArg);
    if (typeof id !== "string") throw new InvalidIdError(id);
    if (!this.isVisible(stage, table, id)) throw new RowNotFoundError(table, id, "Delete");
    this.markStaged(stage);
    stage.writes.push({ table, id, op: "delete" });
    stage.visible?.set(`${table}\u0000${id}`, false);
  }

  private stageUpsert(stage: Stage, tableArg: TableArg, data: Record<string, unknown>, opts: UpsertOptions): void {
    if (!opts || opts.id === undefined) throw new InvalidIdError(undefined);
    if (!isUuid(opts.id)) throw new InvalidIdError(opts.id);
    const table = this.tableName(tableArg);
    const id = opts.id.toLowerCase();
    if (this.isVisible(stage, table, id)) this.stageUpdate(stage, table, id, data);
    else this.stageInsert(stage, table, data, { id });
  }

  /** Apply and publish a stage: one batch, one SQLite transaction, one live-query round. */
  private commitStage(stage: Stage): WriteHandle {
    if (stage.closed) throw new ScopeClosedError(stage.kind === "transaction" ? "transaction" : "batch");
    this.closedCheck();
    stage.closed = true;
    const batch: Batch = {
      batchId: stage.batchId,
      ts: stage.ts ?? this.clock.next(),
      author: this.auth.author,
      kind: stage.kind,
      writes: stage.writes,
    };
    if (stage.stagedAt !== undefined) batch.stagedAt = stage.stagedAt;
    if (stage.ts !== undefined) this.clock.observe(stage.ts);
    this.permissions?.check(this.store, batch);
    if (this.link && batch.kind === "transaction") {
      // Visible only once the authority accepts it (handleFate applies it then).
      this.pendingTransactions.set(batch.batchId, batch);
      this.track(batch);
      this.link.push(batch);
      return this.handle(batch.batchId);
    }
    this.link?.prepare?.(batch);
    let result: ReturnType<Store["applyBatch"]>;
    try {
      result = this.store.applyBatch(batch, { strict: true, pending: !!this.link && !this.link.restoresRejected });
    } catch (e) {
      this.link?.abandon?.(batch.batchId);
      throw e;
    }
    if (this.link) {
      this.track(batch);
      this.link.push(batch);
    }
    this.live.notify(result.changes);
    return this.handle(batch.batchId);
  }

  private track(batch: Batch): void {
    this.fates.set(batch.batchId, { batch, tier: -1, rejected: null, waiters: [] });
    this.unsettled++;
    this.sync.refresh();
  }

  // ---------------------------------------------------------------- files (../files/)

  /** Stores a Blob/File as `file_parts` rows and a `files` row (see ../files/storage.ts). */
  createFileFromBlob<A>(app: A, blob: Blob, options?: FileWriteOptions): Promise<FileRowOf<A>> {
    return files().then((f) => f.createFileFromBlob(this, app, blob, options));
  }

  /** As createFileFromBlob, reading a ReadableStream of bytes part by part. */
  createFileFromStream<A>(app: A, stream: ReadableStream<unknown>, options?: FileWriteOptions): Promise<FileRowOf<A>> {
    return files().then((f) => f.createFileFromStream(this, app, stream, options));
  }

  /** A file's bytes, read part by part, as a stream. */
  loadFileAsStream<A>(app: A, fileOrId: string | FileRowOf<A>, options?: FileReadOptions): Promise<ReadableStream<Uint8Array>> {
    return files().then((f) => f.loadFileAsStream(this, app, fileOrId, options));
  }

  /** A file's bytes as a Blob of its mimeType. */
  loadFileAsBlob<A>(app: A, fileOrId: string | FileRowOf<A>, options?: FileReadOptions): Promise<Blob> {
    return files().then((f) => f.loadFileAsBlob(this, app, fileOrId, options));
  }

  /** The connection to the server, writes it has not settled, and the last time all was in sync. */
  getSyncStatus(): SyncStatus {
    return this.sync.get();
  }

  /** Calls `listener` with every new sync status; returns the unsubscribe function. */
  onSyncStatusChanged(listener: (status: SyncStatus) => void): () => void {
    return this.sync.on(listener);
  }

  private handle(batchId: string): WriteHandle {
    return { batchId, wait: (o) => this.waitFor(batchId, o) };
  }

  private waitFor(batchId: string, options: WaitOptions): Promise<void> {
    const tier = TIER_RANK[options?.tier];
    if (tier === undefined) return Promise.reject(new InvalidValueError("*", "tier", `wait({ tier }) needs "local", "edge" or "global", got ${String(options?.tier)}`));
    const rec = this.fates.get(batchId);
    // No record: no link (the local replica is the authority for every tier) or already global.
    if (!rec) return Promise.resolve();
    if (rec.rejected) return Promise.reject(rec.rejected);
    if (rec.tier >= tier) return Promise.resolve();
    return new Promise((resolve, reject) => rec.waiters.push({ tier, resolve, reject }));
  }

  private writeResult<T>(value: T, h: WriteHandle): WriteResult<T> {
    return {
      value,
      batchId: h.batchId,
      wait: async (o) => {
        await h.wait(o);
        return value;
      },
      mapValue: (fn) => this.writeResult(fn(value), h),
    };
  }

  // ---------------------------------------------------------------- writes

  insert<T extends TableArg>(table: T, data: InsertData<T>, options?: InsertOptions): WriteResult<RowOfTable<T>> {
    const stage = this.newStage("direct");
    stage.ts = checkUpdatedAt(options?.updatedAt);
    const value = this.stageInsert(stage, table, data, options);
    return this.writeResult(value as RowOfTable<T>, this.commitStage(stage));
  }

  update<T extends TableArg>(table: T, id: string, data: UpdateData<T>, options?: UpdateOptions): WriteHandle {
    const stage = this.newStage("direct");
    stage.ts = checkUpdatedAt(options?.updatedAt);
    this.stageUpdate(stage, table, id, data);
    return this.commitStage(stage);
  }

  delete(table: TableArg, id: string): WriteHandle {
    const stage = this.newStage("direct");
    this.stageDelete(stage, table, id);
    return this.commitStage(stage);
  }

  upsert<T extends TableArg>(table: T, data: UpdateData<T>, options: UpsertOptions): WriteHandle {
    const stage = this.newStage("direct");
    stage.ts = checkUpdatedAt(options?.updatedAt);
    this.stageUpsert(stage, table, data, options);
    return this.commitStage(stage);
  }

  private scope(stage: Stage): BatchScope {
    return {
      batchId: () => stage.batchId,
      insert: (t, d, o) => this.stageInsert(stage, t, d, o) as never,
      update: (t, id, d) => this.stageUpdate(stage, t, id, d),
      delete: (t, id) => this.stageDelete(stage, t, id),
      upsert: (t, d, o) => this.stageUpsert(stage, t, d, o),
      all: async (q, o) => this.withStaged(stage, () => this.runAll(q, o)) as never,
      one: async (q, o) => this.withStaged(stage, () => this.runOne(q, o)) as never,
    };
  }

  private begin(kind: "direct" | "transaction"): DbDirectBatch {
    this.closedCheck();
    const stage = this.newStage(kind);
    return {
      ...this.scope(stage),
      commit: () => this.commitStage(stage),
      rollback: () => {
        stage.closed = true;
        stage.writes = [];
      },
    };
  }

  beginBatch(): DbDirectBatch {
    return this.begin("direct");
  }

  beginTransaction(): DbDirectBatch {
    return this.begin("transaction");
  }

  batch<R>(cb: (scope: BatchScope) => R): R extends PromiseLike<infer A> ? Promise<WriteResult<A>> : WriteResult<R> {
    return this.runScoped("direct", cb) as never;
  }

  transaction<R>(cb: (scope: BatchScope) => R): R extends PromiseLike<infer A> ? Promise<WriteResult<A>> : WriteResult<R> {
    return this.runScoped("transaction", cb) as never;
  }

  private runScoped<R>(kind: "direct" | "transaction", cb: (scope: BatchScope) => R): WriteResult<unknown> | Promise<WriteResult<unknown>> {
    const h = this.begin(kind);
    const { commit: _c, rollback: _r, ...scope } = h;
    let out: R;
    try {
      out = cb(scope);
    } catch (e) {
      h.rollback();
      throw e;
    }
    if (out && typeof (out as unknown as PromiseLike<unknown>).then === "function") {
      return Promise.resolve(out).then(
        (v) => this.writeResult(v, h.commit()),
        (e) => {
          h.rollback();
          throw e;
        },
      );
    }
    return this.writeResult(out, h.commit());
  }

  /** Run `fn` against the database with the stage's writes applied, then undo them. */
  private withStaged<T>(stage: Stage, fn: () => T): T {
    if (stage.writes.length === 0) return fn();
    let out!: T;
    try {
      this.store.transaction(() => {
        this.store.applyBatch(
          { batchId: `${stage.batchId}~read`, ts: stage.ts ?? this.clock.next(), author: this.auth.author, kind: stage.kind, writes: stage.writes },
          { ephemeral: true },
        );
        out = fn();
        throw new Rollback();
      });
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
    return out;
  }

  // ---------------------------------------------------------------- reads

  private compile(query: QueryLike<any>): { q: CompiledQuery; tables: Set<string>; ir: QueryIR } {
    this.closedCheck();
    this.learn(query);
    const ir = query._build();
    const key = JSON.stringify(ir);
    let c = this.compiled.get(key);
    if (!c) {
      const schema = this.store.getSchema();
      const policy = this.permissions?.readHook(schema);
      const tables = tablesRead(schema, ir);
      c = { q: compileQuery(schema, ir, { hooks: this.hooks, policy }), tables: this.permissions ? this.permissions.tablesFor(policy, tables) : tables };
      if (this.compiled.size > 500) this.compiled.clear();
      this.compiled.set(key, c);
    }
    return { ...c, ir };
  }

  /**
   * A live query's statement plus, for single-table queries without includes/hops/gather/limit,
   * how to refresh it from changed ids alone (sorted in JS by the raw ORDER BY values; ORDER BY
   * columns the result lacks are selected too and hidden from the delivered rows).
   */
  private compileLive(query: QueryLike<any>): { q: CompiledQuery; tables: Set<string>; ir: QueryIR; inc: IncrementalSpec | null; hidden: string[] } {
    const base = this.compile(query);
    const ir = base.ir;
    const simple = !ir.includes?.length && !ir.hops?.length && !ir.gather && ir.limit === undefined && !ir.offset && base.tables.size === 1 && base.tables.has(ir.table);
    if (!simple) return { ...base, inc: null, hidden: [] };
    const schema = this.store.getSchema();
    const orderCols = (ir.orderBy ?? []).map(([c]) => c);
    const hidden = [...new Set(orderCols.filter((c) => !base.q.keys.includes(c)))];
    const liveIr: QueryIR = hidden.length ? { ...ir, select: [...(ir.select ?? ["*"]), ...hidden] } : ir;
    const q = hidden.length ? compileQuery(schema, liveIr, { hooks: this.hooks }) : base.q;
    const sort: IncrementalSpec["sort"] = [];
    for (const [c, dir] of ir.orderBy ?? []) {
      sort.push({ index: q.keys.indexOf(c), desc: dir === "desc" });
      if (c === "id") break;
    }
    const MARK = "\u0000jazz-live-id\u0000";
    const compileOne = () => {
      const q1 = compileQuery(schema, { ...liveIr, conditions: [...(liveIr.conditions ?? []), { column: "id", op: "eq", value: MARK }], orderBy: [] }, { hooks: this.hooks });
      return { q: q1, at: q1.params.indexOf(MARK) };
    };
    let one: { q: CompiledQuery; at: number } | undefined;
    const inc: IncrementalSpec = {
      table: ir.table,
      sort,
      fetch: (ids) => {
        if (ids.length === 1) {
          // The one-id statement is compiled once with a marker id, then re-bound.
          one ??= compileOne();
          if (one.at >= 0) {
            const params = one.q.params.slice();
            params[one.at] = ids[0];
            return this.driver.all(one.q.sql, params);
          }
        }
        const cond: QueryIR["conditions"][number] = ids.length === 1 ? { column: "id", op: "eq", value: ids[0] } : { column: "id", op: "in", value: ids };
        const c = compileQuery(schema, { ...liveIr, conditions: [...(liveIr.conditions ?? []), cond], orderBy: [] }, { hooks: this.hooks });
        return this.driver.all(c.sql, c.params);
      },
    };
    return { ...base, q, inc, hidden };
  }

  private runSql = (q: CompiledQuery): SqlValue[][] => this.driver.all(q.sql, q.params);

  private runAll(query: QueryLike<any>, _o?: QueryOptions): unknown[] {
    const { q } = this.compile(query);
    return this.runSql(q).map((r) => q.decode(r));
  }

  private runOne(query: QueryLike<any>, o?: QueryOptions): unknown {
    const limited: QueryLike<any> = { _table: query._table, _schema: query._schema, _build: () => ({ ...query._build(), limit: 1 }) };
    (limited as { _hooks?: unknown })._hooks = (query as { _hooks?: unknown })._hooks;
    return this.runAll(limited, o)[0] ?? null;
  }

  async all<R>(query: QueryLike<R>, options?: QueryOptions): Promise<R[]> {
    await this.settleRead(query, options);
    return this.runAll(query, options) as R[];
  }

  async one<R>(query: QueryLike<R>, options?: QueryOptions): Promise<R | null> {
    await this.settleRead(query, options);
    return this.runOne(query, options) as R | null;
  }

  /** Reads above tier local, with a link, wait until the link says the query settled there. */
  private async settleRead(query: QueryLike<any>, options?: QueryOptions): Promise<void> {
    const tier = options?.tier ?? this.defaultReadTier;
    if (!this.link?.subscribeQuery || tier === "local" || options?.propagation === "local-only") return;
    const id = `q${++this.queryIds}`;
    const settled = this.waitSettled(id, tier);
    const { ir } = this.compile(query);
    this.queryTables.set(id, ir.table);
    this.link.subscribeQuery(id, ir, tier);
    try {
      await settled;
    } finally {
      this.link.unsubscribeQuery?.(id);
      this.settled.delete(id);
      this.queryTables.delete(id);
    }
  }

  private waitSettled(queryId: string, tier: DurabilityTier): Promise<void> {
    const reached = this.settled.get(queryId);
    if (reached !== undefined && reached >= TIER_RANK[tier]) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const list = this.settleWaiters.get(queryId) ?? [];
      list.push({ tier: TIER_RANK[tier], resolve, reject });
      this.settleWaiters.set(queryId, list);
    });
  }

  /** The server refused a synced query: fail whoever waits for it to settle. */
  private handleRefused(queryId: string, reason: string): void {
    const err = new QueryRefusedError(this.queryTables.get(queryId) ?? "?", reason);
    const waiters = this.settleWaiters.get(queryId) ?? [];
    this.settleWaiters.delete(queryId);
    this.settled.delete(queryId);
    this.queryTables.delete(queryId);
    for (const w of waiters) w.reject(err);
  }

  private handleSettled(queryId: string, tier: DurabilityTier): void {
    const reached = Math.max(this.settled.get(queryId) ?? -1, TIER_RANK[tier]);
    this.settled.set(queryId, reached);
    const waiters = this.settleWaiters.get(queryId);
    if (!waiters) return;
    const left = waiters.filter((w) => (w.tier <= reached ? (w.resolve(), false) : true));
    if (left.length) this.settleWaiters.set(queryId, left);
    else this.settleWaiters.delete(queryId);
  }

  subscribeAll<R extends { id: string }>(
    query: QueryLike<R>,
    cb: (delta: SubscriptionDelta<R>) => void,
    options?: QueryOptions,
    _session?: Session,
  ): () => void {
    const { q, tables, ir, inc, hidden } = this.compileLive(query);
    const lq = new LiveQuery(q, tables, this.runSql, cb as never, inc, hidden);
    const tier = options?.tier ?? this.defaultReadTier;
    const untrace =
      options?.visibility === "hidden_from_live_query_list" ? () => {} : this.traces.add(ir, tier, options?.propagation ?? "full", this.config.userBranch ?? "main");
    const removeLive = this.live.add(lq);
    const remove = () => {
      removeLive();
      untrace();
    };
    let queryId: string | null = null;
    if (this.link?.subscribeQuery && options?.propagation !== "local-only") {
      queryId = `q${++this.queryIds}`;
      const wait = tier === "local" ? Promise.resolve() : this.waitSettled(queryId, tier);
      this.queryTables.set(queryId, ir.table);
      this.link.subscribeQuery(queryId, ir, tier);
      void wait.then(
        () => lq.closed || lq.delivered || lq.refresh(),
        (e: Error) => {
          // Refused by the server: the subscription is dropped; tell the app.
          remove();
          if (options?.onError) options.onError(e);
          else console.error(e);
        },
      );
    } else {
      // First delivery in a microtask: never inside the caller's render, still "at once".
      queueMicrotask(() => {
        if (!lq.closed && !lq.delivered) lq.refresh();
      });
    }
    return () => {
      remove();
      if (queryId) {
        this.link?.unsubscribeQuery?.(queryId);
        this.settled.delete(queryId);
        this.settleWaiters.delete(queryId);
        this.queryTables.delete(queryId);
      }
    };
  }

  // ---------------------------------------------------------------- link

  /**
   * The SQLite database under this Db changed outside it (a runtime replaced it with a fresh
   * image): re-run the live queries that read any of these rows (table → row ids).
   */
  refreshLiveQueries(changes: Map<string, Set<string>>): void {
    if (this.shutdownPromise) return;
    this.live.notify(changes);
  }

  /** Rows that left every synced query's scope: drop the local copy, live queries lose them. */
  private evictRows(table: string, ids: string[]): void {
    if (this.shutdownPromise) return;
    // A row with an undecided local write stays: dropping it would lose the write's local
    // effect (the server's fate settles or retracts it; a later sync brings the truth).
    const gone = ids.filter((id) => !this.store.hasPending(table, id));
    if (gone.length) this.live.notify(this.store.evict(table, gone).changes);
  }

  private applyRemote(batches: Batch[]): void {
    if (this.shutdownPromise) return;
    // The common case (one batch fanned out): applyBatch is its own transaction already.
    if (batches.length === 1) return this.live.notify(this.store.applyBatch(batches[0]).changes);
    const changed = new Map<string, Set<string>>();
    this.store.transaction(() => {
      for (const b of batches)
        for (const [t, ids] of this.store.applyBatch(b).changes) {
          const set = changed.get(t);
          if (set) for (const id of ids) set.add(id);
          else changed.set(t, new Set(ids));
        }
    });
    this.live.notify(changed);
  }

  private handleFate(fate: BatchFate): void {
    const rec = this.fates.get(fate.batchId);
    if (fate.kind === "accepted") {
      // Accepted by the authority: final, and every tier is satisfied.
      const final = TIER_RANK[fate.tier] >= this.authorityRank;
      // A transaction shows only once the authority accepts it: a lower tier (the browser
      // worker's local commit, an edge) has not decided its conflicts.
      const txn = final ? this.pendingTransactions.get(fate.batchId) : undefined;
      if (txn) {
        this.pendingTransactions.delete(fate.batchId);
        this.live.notify(this.store.applyBatch(txn).changes);
      }
      if (final) this.store.settle(fate.batchId);
      if (!rec) return;
      rec.tier = final ? TIER_RANK.global : Math.max(rec.tier, TIER_RANK[fate.tier]);
      rec.waiters = rec.waiters.filter((w) => (w.tier <= rec.tier ? (w.resolve(), false) : true));
      if (rec.tier === TIER_RANK.global) {
        this.fates.delete(fate.batchId);
        this.unsettled--;
        this.sync.refresh();
      }
      return;
    }
    // Rejected: retract it locally, fail its waiters, tell onMutationError.
    this.pendingTransactions.delete(fate.batchId);
    this.live.notify(this.store.reject(fate.batchId).changes);
    const error = new PersistedWriteRejectedError(fate.batchId, fate.code, fate.reason);
    if (rec && !rec.rejected) {
      this.unsettled--;
      this.sync.refresh();
    }
    if (rec) {
      rec.rejected = error;
      for (const w of rec.waiters) w.reject(error);
      rec.waiters = [];
    }
    this.emitMutationError({ code: fate.code, reason: fate.reason, batch: rec?.batch ?? { batchId: fate.batchId, ts: 0, author: "", kind: "direct", writes: [] }, error });
  }

  private emitMutationError(e: MutationErrorEvent): void {
    if (this.mutationListeners.size === 0) {
      console.error("Unhandled Jazz mutation error", e.error);
      this.bufferedMutationErrors.push(e);
      return;
    }
    for (const l of [...this.mutationListeners]) l(e);
  }

  onMutationError(listener: (e: MutationErrorEvent) => void): () => void {
    this.mutationListeners.add(listener);
    const buffered = this.bufferedMutationErrors;
    this.bufferedMutationErrors = [];
    for (const e of buffered) listener(e);
    return () => this.mutationListeners.delete(listener);
  }

  // ---------------------------------------------------------------- auth

  getAuthState(): AuthState {
    return this.auth.getState();
  }
  onAuthChanged(listener: (state: AuthState) => void): () => void {
    return this.auth.onChange(listener);
  }
  updateAuthToken(jwt: string | null): void {
    this.auth.updateToken(jwt);
  }
  updateCookieSession(session: Session | null): void {
    this.auth.updateCookieSession(session);
  }
  /**
   * A short-lived proof of this Db's local-first identity (null without a secret). Synchronous
   * where the Db has a pure-JS signer (Node); a page's Db signs with WebCrypto and answers a
   * Promise. The docs `await` it, which works for both.
   */
  getLocalFirstIdentityProof(options?: { ttlSeconds?: number; audience?: string }): string | null | Promise<string | null> {
    return this.auth.identityProof(options);
  }
  /** The bearer token a link presents to a server (local-first, anonymous or external JWT). */
  getAuthToken(): string | null {
    return this.auth.token;
  }

  // ---------------------------------------------------------------- lifecycle

  getConfig(): DbConfig {
    return structuredClone(this.config);
  }

  // ---------------------------------------------------------------- devtools

  /** The live queries of this Db (recorded only in dev mode: `devMode: true` or attachDevTools). */
  getActiveQuerySubscriptions(): ActiveQuerySubscriptionTrace[] {
    return this.traces.list();
  }

  onActiveQuerySubscriptionsChanged(listener: (subscriptions: ActiveQuerySubscriptionTrace[]) => void): () => void {
    return this.traces.onChange(listener);
  }

  /** Turn dev mode on or off (attachDevTools turns it on); queries already live are not traced. */
  setDevMode(on: boolean): void {
    if (typeof on !== "boolean") throw new DbConfigError(`setDevMode(on) takes true or false, got ${JSON.stringify(on) ?? String(on)}`);
    this.traces.enabled = on;
  }

  get devMode(): boolean {
    return this.traces.enabled;
  }

  /** Ends the session: `wipeData` matters only for browser persistent storage (which overrides this). */
  async logout(_options?: { wipeData?: boolean }): Promise<void> {
    await this.shutdown();
  }

  /** Browser persistent storage only (the browser runtime overrides this). */
  async deleteClientStorage(): Promise<void> {
    throw new DbConfigError("deleteClientStorage() is only available for browser worker-backed persistent storage (this Db runs in memory).");
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.live.clear();
      this.auth.close();
      this.sync.close();
      this.stopLink?.();
      await this.link?.close();
      await this.onShutdown?.();
      this.driver.close();
    })();
    return this.shutdownPromise;
  }
}
