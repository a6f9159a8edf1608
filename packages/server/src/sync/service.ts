// Ties the pieces of one app's sync together: the engine (store, log, catalogue), the
// subscription hub, the authenticator and the live connections.

import type { Batch, BatchFate, DurabilityTier, MigrationLens, QueryIR, RuntimeSchema } from "@jazz-tools/core";
import { CLOSE } from "@jazz-tools/core/sync";
import type { Authenticator } from "../auth/resolve.ts";
import { SchemaPublishError } from "../errors.ts";

/** Per-connection limits: each has a default, a CLI flag and an env var (cli/options.ts). */
export interface ConnectionLimits {
  /** A socket that has not said hello within this time is closed (4007). */
  helloTimeoutMs: number;
  /** Bytes queued to a client that does not read; over it the connection is closed (4006). */
  maxSendBufferBytes: number;
  /** Ping interval; a client that has not answered the previous ping is closed (4007). */
  pingIntervalMs: number;
  /** Live queries one connection may hold; more are refused (`too_many_subscriptions`). */
  maxSubscriptions: number;
  /** Row writes one batch may carry; a bigger batch is rejected (`batch_too_large`). */
  maxBatchWrites: number;
  /** Bytes of one column value (TEXT as UTF-8, or BLOB); over it: `value_too_large`. */
  maxValueBytes: number;
  /** Milliseconds one live query may take to evaluate; over it: refused or dropped (`query_too_slow`). */
  maxQueryMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  helloTimeoutMs: 10_000,
  maxSendBufferBytes: 8 * 1024 * 1024,
  pingIntervalMs: 30_000,
  maxSubscriptions: 1_000,
  maxBatchWrites: 10_000,
  maxValueBytes: 2 * 1024 * 1024,
  maxQueryMs: 2_000,
};

/** The connection limits set in `opts` (unset ones left out, so the defaults apply). */
export function pickLimits(opts: Partial<ConnectionLimits>): Partial<ConnectionLimits> {
  const out: Partial<ConnectionLimits> = {};
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof ConnectionLimits)[]) if (opts[k] !== undefined) out[k] = opts[k];
  return out;
}

/** Names that would reach Object.prototype through an object lookup. */
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype"]);
import type { Connection } from "./connection.ts";
import { ServerEngine, type Accepted } from "./engine.ts";
import { SubscriptionHub } from "./hub.ts";
import { SchemaLenses } from "./lenses.ts";
import { enforcePermissions } from "./permissions.ts";
import { PermissionsState, assertBundleFitsSchema, parsePermissionsBundle } from "@jazz-tools/core/permissions";

/** Edge mode (see ../edge/): how pushes are decided and subscriptions mirrored upstream. */
export interface UpstreamHooks {
  /** Replaces engine.accept inside the group-commit transaction; a null fate is answered later. */
  accept(from: Connection, batch: Batch): { fate: BatchFate | null; applied: Accepted["applied"] };
  /** After the group commit and its fan-out: forward what was accepted. */
  committed(): void;
  subscribed(c: Connection, queryId: string, query: QueryIR, tier: DurabilityTier): void;
  unsubscribed(c: Connection, queryId: string): void;
  detached(c: Connection): void;
}

export class SyncService {
  /** Set on an edge server; null on the core. */
  upstream: UpstreamHooks | null = null;
  readonly hub: SubscriptionHub;
  readonly connections = new Set<Connection>();

  constructor(
    readonly engine: ServerEngine,
    readonly authenticator: Authenticator,
    private readonly opts: { production: boolean; limits?: Partial<ConnectionLimits>; appId?: string },
  ) {
    this.lenses = new SchemaLenses(engine, opts.appId ?? "app");
    this.limits = { ...DEFAULT_LIMITS, ...pickLimits(opts.limits ?? {}) };
    engine.batchLimits = { maxBatchWrites: this.limits.maxBatchWrites, maxValueBytes: this.limits.maxValueBytes };
    this.hub = new SubscriptionHub(engine.driver, engine.log, () => engine.schema);
    this.hub.queryBudgetMs = this.limits.maxQueryMs;
    enforcePermissions(this);
  }

  /** Translation between the schema versions clients run (see ./lenses.ts). */
  readonly lenses: SchemaLenses;

  /** Per-connection resource limits (see ConnectionLimits). */
  readonly limits: ConnectionLimits;

  /** The active permissions bundle, compiled per session (see ./permissions.ts). */
  readonly permissions = new PermissionsState();

  attach(c: Connection): void {
    this.connections.add(c);
  }

  detach(c: Connection): void {
    this.connections.delete(c);
    this.hub.removeSubscriber(c);
    this.upstream?.detached(c);
  }

  private pending: { from: Connection; batch: Batch }[] = [];
  private flushScheduled = false;

  /**
   * Group commit: pushes that arrive in the same event-loop turn are decided in one SQLite
   * transaction (one fsync), then each gets its fate — only after the commit, so an accepted
   * write is on disk before it is acknowledged — and accepted ones fan out.
   */
  push(from: Connection, batch: Batch): void {
    try {
      batch = this.lenses.inbound(batch, from.schemaVersion);
    } catch (e) {
      from.send({ t: "fate", fate: { batchId: String(batch.batchId), kind: "rejected", code: "invalid_batch", reason: `the batch cannot be translated to the current schema: ${(e as Error).message}` } });
      return;
    }
    this.pending.push({ from, batch });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const items = this.pending.splice(0);
    const up = this.upstream;
    let outcomes: { fate: BatchFate | null; applied: Accepted["applied"] }[];
    try {
      outcomes = this.engine.store.transaction(() =>
        items.map(({ from, batch }) => this.isolated(batch, () => (up ? up.accept(from, batch) : this.engine.accept(batch, from.session!, from.isPrivileged)))),
      );
    } catch (e) {
      // The commit itself failed: nothing was acknowledged; the clients re-push on reconnect.
      for (const { from } of items) from.close(CLOSE.internalError, `storage error: ${(e as Error).message}`);
      return;
    }
    items.forEach(({ from }, i) => {
      const fate = outcomes[i]!.fate;
      if (fate) from.send({ t: "fate", fate });
    });
    items.forEach(({ from }, i) => {
      const applied = outcomes[i]!.applied;
      if (applied) this.hub.onAccepted(applied.batch, applied.rows, from);
    });
    up?.committed();
  }

  /**
   * One member of a group commit, in its own savepoint: if deciding it throws (a bug, or input
   * no check foresaw), that batch alone is rejected and rolled back; the others still commit.
   */
  private isolated(batch: Batch, decide: () => { fate: BatchFate | null; applied: Accepted["applied"] }) {
    const driver = this.engine.driver;
    driver.exec("SAVEPOINT jazz_member");
    try {
      const outcome = decide();
      driver.exec("RELEASE jazz_member");
      return outcome;
    } catch (e) {
      driver.exec("ROLLBACK TO jazz_member");
      driver.exec("RELEASE jazz_member");
      const fate: BatchFate = { batchId: String(batch.batchId), kind: "rejected", code: "invalid_batch", reason: `the server could not apply this batch: ${(e as Error)?.message ?? e}` };
      return { fate, applied: null };
    }
  }

  /** Structural schema: anyone in development, admin only with NODE_ENV=production. */
  publishSchema(schema: RuntimeSchema, who: { admin: boolean }, migrations: readonly MigrationLens[] = []): boolean {
    const tables = (schema as RuntimeSchema | null)?.tables;
    if (!schema || typeof schema !== "object" || !tables || typeof tables !== "object" || Array.isArray(tables)) {
      throw new SchemaPublishError(400, "schema must be a runtime schema object { tables: {...} }");
    }
    for (const [name, table] of Object.entries(tables)) {
      if (RESERVED_NAMES.has(name)) throw new SchemaPublishError(400, `table name ${JSON.stringify(name)} is reserved; rename the table`);
      const columns = (table as { columns?: unknown } | null)?.columns;
      if (!columns || typeof columns !== "object" || Array.isArray(columns)) throw new SchemaPublishError(400, `table ${name} needs a columns object`);
      for (const col of Object.keys(columns)) {
        if (RESERVED_NAMES.has(col)) throw new SchemaPublishError(400, `column name ${name}.${JSON.stringify(col)} is reserved; rename the column`);
      }
    }
    if (this.opts.production && !who.admin) {
      throw new SchemaPublishError(403, "publishing a schema in production needs the admin secret (jazz-tools deploy)");
    }
    if (migrations.length && !who.admin) throw new SchemaPublishError(403, "publishing a migration needs the admin secret (jazz-tools deploy)");
    const changed = this.engine.publishSchema(schema, migrations);
    if (changed) {
      this.lenses.invalidate();
      this.hub.refreshAll();
      this.broadcastCatalogue();
    }
    return changed;
  }

  /** Migrations between versions already published (no new version, no layout change). */
  publishMigrations(migrations: readonly MigrationLens[], who: { admin: boolean }): void {
    if (!who.admin) throw new SchemaPublishError(403, "publishing a migration needs the admin secret (jazz-tools deploy)");
    this.engine.store.transaction(() => {
      for (const m of migrations) this.engine.versions.addMigration(m);
    });
    this.lenses.invalidate();
  }

  /** The version the active permissions were published for, and how many publishes so far. */
  permissionsHead(): { schemaHash: string; version: number } | null {
    const h = this.engine.catalogue.permissionsHead();
    if (h) return h;
    const head = this.engine.versions.head();
    return this.engine.permissions !== null && this.engine.permissions !== undefined && head ? { schemaHash: head, version: 1 } : null;
  }

  publishPermissions(bundle: unknown, who: { admin: boolean }): void {
    if (!who.admin) throw new SchemaPublishError(403, "publishing permissions needs the admin secret");
    try {
      assertBundleFitsSchema(parsePermissionsBundle(bundle), this.engine.schema);
      this.permissions.setBundle(bundle);
    } catch (e) {
      throw new SchemaPublishError(400, (e as Error).message);
    }
    this.engine.publishPermissions(bundle);
    const head = this.engine.versions.head();
    if (head) this.engine.catalogue.setPermissionsHead(head);
    this.hub.refreshAll();
    this.broadcastCatalogue();
  }

  private broadcastCatalogue(): void {
    const msg = { t: "catalogue" as const, schema: this.engine.schema, permissions: this.engine.permissions };
    // A client whose version names columns differently would run the checks against the wrong
    // names: it relies on the server's (which sees the translated batch).
    const renamed = { ...msg, permissions: null };
    for (const c of this.connections) c.send(this.lenses.sameNames(c.schemaVersion) ? msg : renamed);
  }

  closeAll(code: number, reason: string): void {
    for (const c of [...this.connections]) c.close(code, reason);
  }
}
