// The server's replica: core's Store (the same LWW merge every client runs) over the server
// database, the batch log, the catalogue, and the write path that decides each batch's fate.

import { Store, checkInsertTargets, createTableStatements, quoteIdent, schemaHash, sqlTypeOf } from "@jazz-tools/core";
import type { Batch, BatchFate, MigrationLens, RuntimeSchema, SqlDriver, TableSchema } from "@jazz-tools/core";
import { encodeStoredBatch, type WireSession } from "@jazz-tools/core/sync";
import { BatchLog } from "../storage/log.ts";
import { Catalogue, SchemaVersions } from "../storage/catalogue.ts";
import { SchemaPublishError } from "../errors.ts";
import { DEFAULT_BATCH_LIMITS, validateBatch, type BatchLimits } from "./validate.ts";

export const CONFLICT_REASON = "row visible parent changed since transaction write was staged";

/** Extra write checks (the permissions engine plugs in here). Return a rejection or null. */
export interface WritePolicy {
  check(batch: Batch, session: WireSession, store: Store): { code: string; reason: string } | null;
}

export interface Accepted {
  fate: BatchFate;
  /** Set when the batch was applied now (null for a duplicate push). */
  applied: { seq: number; batch: Batch; rows: { table: string; id: string }[] } | null;
}

/** How far ahead of the server's clock a batch's timestamp may be. */
export const MAX_CLOCK_SKEW_US = 300 * 1_000_000;

/** Equal batches, whatever the key order of their JSON encodings. */
function sameBatchContent(a: Batch, b: Batch): boolean {
  const canonical = (v: unknown): string =>
    v instanceof Uint8Array
      ? `b${v.length}:${Array.prototype.join.call(v, ",")}`
      : typeof v === "bigint"
        ? `n${v}`
        : Array.isArray(v)
          ? `[${v.map(canonical).join(",")}]`
          : v && typeof v === "object"
            ? `{${Object.keys(v as object).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`
            : JSON.stringify(v);
  const content = (batch: Batch) => canonical({ author: batch.author, ts: batch.ts, kind: batch.kind, writes: batch.writes });
  return content(a) === content(b);
}

export class ServerEngine {
  readonly store: Store;
  readonly log: BatchLog;
  readonly catalogue: Catalogue;
  /** Every published schema version and the migrations between them. */
  readonly versions: SchemaVersions;
  writePolicy: WritePolicy | null = null;
  /** Size limits on pushed batches (set from the service's ConnectionLimits). */
  batchLimits: BatchLimits = DEFAULT_BATCH_LIMITS;

  constructor(readonly driver: SqlDriver, appId: string) {
    this.catalogue = new Catalogue(driver);
    this.catalogue.claimApp(appId);
    this.log = new BatchLog(driver);
    this.versions = new SchemaVersions(driver);
    this.store = new Store(driver);
    const schema = this.catalogue.schema();
    this.createTables(schema);
    this.store.setSchema(schema);
  }

  get schema(): RuntimeSchema {
    return this.store.getSchema();
  }

  get permissions(): unknown {
    return this.catalogue.permissions();
  }

  /**
   * Merge a published structural schema into the active one: new tables and new columns are
   * created; existing columns keep their definition (a changed type needs a migration).
   * Returns true when anything changed.
   */
  publishSchema(incoming: RuntimeSchema, migrations: readonly MigrationLens[] = []): boolean {
    const hash = schemaHash(incoming);
    const known = this.versions.has(hash);
    let renamed = false;
    this.store.transaction(() => {
      for (const m of migrations) {
        this.versions.addMigration(m);
        if (m.toHash === hash) renamed = this.renameColumns(m) || renamed;
      }
      if (!known) this.versions.add(hash, incoming);
    });
    if (renamed) this.store.setSchema(this.catalogue.schema());
    // A version published before (an older client in development) changes nothing.
    if (known) return migrations.length > 0;
    const current = this.schema;
    const next: RuntimeSchema = { tables: { ...current.tables } };
    let changed = false;
    for (const [name, table] of Object.entries(incoming.tables ?? {})) {
      const have = next.tables[name];
      if (!have) {
        next.tables[name] = table;
        changed = true;
        continue;
      }
      const added: Record<string, TableSchema["columns"][string]> = {};
      for (const [col, def] of Object.entries(table.columns)) {
        const old = have.columns[col];
        if (!old) added[col] = def;
        else if (sqlTypeOf(old.type) !== sqlTypeOf(def.type)) {
          throw new SchemaPublishError(
            409,
            `column ${name}.${col} changes storage type (${sqlTypeOf(old.type)} → ${sqlTypeOf(def.type)}): this needs a migration`,
          );
        }
      }
      if (Object.keys(added).length > 0) {
        next.tables[name] = { ...have, columns: { ...have.columns, ...added } };
        changed = true;
      }
    }
    if (!changed) return true;
    this.store.transaction(() => {
      this.createTables(next, current);
      this.catalogue.setSchema(next);
    });
    this.store.setSchema(next);
    return true;
  }

  /**
   * A migration into the version being published renames columns of the active layout in
   * place (SQLite renames a column without touching its rows), so the layout keeps the newest
   * names; rows logged under the old names are translated when they are sent.
   */
  private renameColumns(m: MigrationLens): boolean {
    const current = this.catalogue.schema();
    let changed = false;
    for (const t of m.tables) {
      const have = current.tables[t.table];
      if (!have) continue;
      for (const c of t.columns) {
        if (c.op !== "rename" || !have.columns[c.from]) continue;
        if (have.columns[c.column]) {
          // Development published the new name first (an empty column): replace it by the old
          // one's data. A column already holding values is left alone.
          const used = this.driver.all(`SELECT 1 FROM ${quoteIdent(t.table)} WHERE ${quoteIdent(c.column)} IS NOT NULL LIMIT 1`).length > 0;
          if (used) continue;
          this.driver.exec(`DROP INDEX IF EXISTS ${quoteIdent(`${t.table}$idx$${c.column}`)}`);
          this.driver.exec(`ALTER TABLE ${quoteIdent(t.table)} DROP COLUMN ${quoteIdent(c.column)}`);
          delete have.columns[c.column];
        }
        this.driver.exec(`ALTER TABLE ${quoteIdent(t.table)} RENAME COLUMN ${quoteIdent(c.from)} TO ${quoteIdent(c.column)}`);
        const columns: TableSchema["columns"] = {};
        for (const [name, def] of Object.entries(have.columns)) columns[name === c.from ? c.column : name] = def;
        const indexOnly = have.indexOnly?.map((n) => (n === c.from ? c.column : n));
        current.tables[t.table] = { ...have, columns, ...(indexOnly ? { indexOnly } : {}) };
        changed = true;
      }
    }
    if (changed) this.catalogue.setSchema(current);
    return changed;
  }

  private validation: { head: string; layout: RuntimeSchema; schema: RuntimeSchema } | null = null;

  /**
   * The layout as writes are checked against it: columns the head version no longer has (an
   * older version's, kept on disk for its clients) are optional, so newer clients may omit them.
   */
  private validationSchema(): RuntimeSchema {
    const head = this.versions.head();
    const layout = this.schema;
    if (!head) return layout;
    if (this.validation?.head === head && this.validation.layout === layout) return this.validation.schema;
    const headTables = this.versions.get(head)?.tables ?? {};
    const tables: RuntimeSchema["tables"] = {};
    for (const [name, t] of Object.entries(layout.tables)) {
      const keep = headTables[name]?.columns ?? {};
      const columns: TableSchema["columns"] = {};
      for (const [c, def] of Object.entries(t.columns)) columns[c] = keep[c] || def.optional ? def : { ...def, optional: true };
      tables[name] = { ...t, columns };
    }
    this.validation = { head, layout, schema: { tables } };
    return this.validation.schema;
  }

  publishPermissions(bundle: unknown): void {
    this.catalogue.setPermissions(bundle);
  }

  private createTables(schema: RuntimeSchema, previous?: RuntimeSchema): void {
    for (const [name, table] of Object.entries(schema.tables)) {
      const old = previous?.tables[name];
      if (!old) {
        for (const sql of createTableStatements(name, table)) this.driver.exec(sql);
        continue;
      }
      for (const [col, def] of Object.entries(table.columns)) {
        if (old.columns[col]) continue;
        this.driver.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(col)} ${sqlTypeOf(def.type)}`);
      }
      for (const sql of createTableStatements(name, table)) this.driver.exec(sql);
    }
  }

  /**
   * Decide a pushed batch's fate. Accepted batches are merged and logged in one SQLite
   * transaction (durable when this returns); a batchId seen before is answered again without
   * being applied twice.
   */
  accept(batch: Batch, session: WireSession, privileged: boolean): Accepted {
    const reject = (code: string, reason: string): Accepted => ({
      fate: { batchId: batch.batchId, kind: "rejected", code, reason },
      applied: null,
    });
    const logged = this.log.logged(batch.batchId);
    if (logged !== null) {
      // A replay gets its original fate; the same id on other content is refused.
      if (!sameBatchContent(logged, batch)) {
        return reject("batch_id_reused", `batch id ${batch.batchId} was already used for a different batch; every batch needs a new id`);
      }
      return { fate: { batchId: batch.batchId, kind: "accepted", tier: "global" }, applied: null };
    }
    // A client clock far ahead would let its writes win over every later one (last writer wins
    // by timestamp): refused, not clamped (the timestamp is part of the batch every replica merges).
    const aheadUs = batch.ts - Date.now() * 1000;
    if (aheadUs > MAX_CLOCK_SKEW_US) {
      return reject("clock_skew", `the batch's timestamp is ${Math.round(aheadUs / 1e6)} s ahead of the server's clock (at most ${MAX_CLOCK_SKEW_US / 1e6} s allowed); fix the device clock`);
    }
    if (!privileged && batch.author !== session.user_id) {
      return reject("author_mismatch", `batch author ${batch.author} is not the session user ${session.user_id}`);
    }
    const invalid = validateBatch(batch, this.validationSchema(), this.batchLimits);
    if (invalid) return reject(invalid.code, invalid.reason);
    const refused = checkInsertTargets(this.driver, batch);
    if (refused) return reject(refused.code, refused.reason);
    if (batch.kind === "transaction") {
      const conflict = this.findConflict(batch);
      if (conflict) return reject("transaction_conflict", CONFLICT_REASON);
    }
    if (!privileged && this.writePolicy) {
      const denied = this.writePolicy.check(batch, session, this.store);
      if (denied) return reject(denied.code, denied.reason);
    }
    let seq = 0;
    try {
      this.store.transaction(() => {
        this.store.applyBatch(batch);
        seq = this.log.append(batch, encodeStoredBatch(batch));
      });
    } catch (e) {
      return reject("invalid_batch", (e as Error).message);
    }
    const rows = uniqueRows(batch);
    return { fate: { batchId: batch.batchId, kind: "accepted", tier: "global" }, applied: { seq, batch, rows } };
  }

  /**
   * A transaction conflicts when a row it writes received a write (from another batch) with a
   * later clock than the moment the transaction was staged (`stagedAt`, else its own clock).
   */
  private findConflict(batch: Batch): string | null {
    const staged = batch.stagedAt ?? batch.ts;
    const mine: [number, string] = [staged, batch.batchId];
    const newer = (c: readonly [number, string] | undefined | null) =>
      !!c && c[1] !== batch.batchId && (c[0] > mine[0] || (c[0] === mine[0] && c[1] > mine[1]));
    for (const w of batch.writes) {
      const row = this.store.readRow(w.table, w.id);
      if (!row) continue;
      if (row.deletedAt !== null && row.deletedAt > staged) return `${w.table}/${w.id}`;
      if (newer(row.created?.clock)) return `${w.table}/${w.id}`;
      for (const c of Object.values(row.clocks)) if (newer(c)) return `${w.table}/${w.id}`;
    }
    return null;
  }
}

function uniqueRows(batch: Batch): { table: string; id: string }[] {
  const seen = new Set<string>();
  const out: { table: string; id: string }[] = [];
  for (const w of batch.writes) {
    const k = `${w.table}\u0000${w.id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ table: w.table, id: w.id });
  }
  return out;
}
