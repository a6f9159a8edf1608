// The Store applies batches to SQLite tables laid out as layout.ts describes, through the merge
// in merge.ts. It is the one piece every replica shares (mirror Db, worker, server), so it knows
// nothing of sessions, live queries or links.
//
// Idempotency is per write: the server projects a batch onto the rows a session may read, so a
// replica can receive some rows of a batch now and others later. Applied batch ids are recorded
// in "$batches"; a new batch takes the fast path. A batch seen before is re-merged row by row and
// a row is written only if the merge changes it — LWW, deletes and provenance are idempotent per
// clock already. Counter deltas are not, so for tables with counter columns the applied
// (batch, table, row) triples are recorded in "$batchRows" and never summed twice. Rejection: a batch applied with `pending: true` (a local write whose authority
// has not answered yet) marks the rows it touches "hot": the store keeps each hot row's state
// from before the first pending write plus every write applied to it since, so a rejected batch
// can be retracted by re-merging the others. Accepting (`settle`) drops that record. Hot records
// live in memory: a replica that restarts with unsettled batches can no longer retract them.

import type { SqlDriver, SqlValue } from "../sql/driver.ts";
import type { RuntimeSchema, TableSchema } from "../schema/runtime.ts";
import type { Batch, RowWrite } from "./batch.ts";
import { quoteIdent, SYS } from "./layout.ts";
import { cloneRow, compareClock, emptyRow, isVisible, mergeWrite, type Clock, type RowState } from "./merge.ts";
import { InvalidSchemaError, ObjectExistsError, RowNotFoundError, UnknownTableError } from "./errors.ts";
import { createTableStatements, sqlTypeOf } from "./ddl.ts";

/** Where applied batch ids are recorded (one row per batch). */
export const BATCHES_TABLE = "$batches";
/** Rows of tables with counter columns each batch has been applied to (see the header). */
export const BATCH_ROWS_TABLE = "$batchRows";

export interface ApplyResult {
  /** false when nothing in the batch was new (every write had been applied before). */
  applied: boolean;
  /** Changed row ids per table. */
  changes: Map<string, Set<string>>;
}

export interface ApplyOptions {
  /** Local write: an insert of an existing row or an update/delete of a missing one throws. */
  strict?: boolean;
  /** The batch's fate is still unknown: keep what is needed to retract it (see reject). */
  pending?: boolean;
  /** Applied inside a transaction the caller will roll back (a scope's read of its staged
   * writes): skip the in-memory bookkeeping. */
  ephemeral?: boolean;
}

interface TableSql {
  columns: string[];
  /** Rows per multi-row INSERT (bounded by SQLite's bound-parameter limit). */
  chunk: number;
  insertMany: Map<number, string>;
  select: string;
  insertNew: string;
  replace: string;
  remove: string;
}

interface HotRow {
  table: string;
  id: string;
  pre: RowState | null;
  writes: { batch: Batch; write: RowWrite }[];
  /** Ids of the row's pending batches (usually one). */
  pending: string[];
}

/** Receives a row's state from before the batch, if the bookkeeping wants it (else null). */
type PreImageSink = (w: RowWrite) => ((pre: RowState | null) => void) | null;

const rowKey = (table: string, id: string) => `${table}\u0000${id}`;

/** Parameters a multi-row insert binds once for all its rows (author, clock, batch id). */
const SHARED_PARAMS = 3;
/** Rows per multi-row insert at most (longer statements cost more to prepare than they save). */
const MAX_CHUNK = 64;

const SYS_COLS = [SYS.createdBy, SYS.createdAt, SYS.updatedBy, SYS.updatedAt, SYS.ts, SYS.batch, SYS.clocks, SYS.deletedAt];

export class Store {
  private schema: RuntimeSchema = { tables: {} };
  private sql = new Map<string, TableSql>();
  private depth = 0;
  private hot = new Map<string, HotRow>();
  private pendingRows = new Map<string, HotRow[]>();
  private counterTables = new Map<string, boolean>();

  constructor(readonly driver: SqlDriver, schema?: RuntimeSchema) {
    driver.exec(
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(BATCHES_TABLE)} (batch_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, author TEXT NOT NULL) WITHOUT ROWID`,
    );
    driver.exec(
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(BATCH_ROWS_TABLE)} (batch_id TEXT NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (batch_id, tbl, row_id)) WITHOUT ROWID`,
    );
    driver.exec(`CREATE INDEX IF NOT EXISTS "$batchRows_row" ON ${quoteIdent(BATCH_ROWS_TABLE)} (tbl, row_id)`);
    if (schema) this.setSchema(schema);
  }

  /** The tables this store merges into (their SQLite tables must exist already). */
  setSchema(schema: RuntimeSchema): void {
    this.schema = schema;
    this.sql.clear();
    this.counterTables.clear();
  }

  /**
   * Learn tables (creating their SQLite tables and indexes if missing). Tables already known
   * keep their definition. Returns the names that were new.
   */
  addTables(schema: RuntimeSchema): string[] {
    const added: string[] = [];
    for (const [name, t] of Object.entries(schema.tables)) {
      if (this.schema.tables[name]) continue;
      for (const [col, c] of Object.entries(t.columns)) {
        if (c.merge === "counter" && (c.type.kind !== "int" || c.optional))
          throw new InvalidSchemaError(`Column "${name}.${col}" uses merge("counter"), which needs a non-optional s.int() column.`);
      }
      const [create, ...indexes] = createTableStatements(name, t);
      this.driver.exec(create!);
      this.addMissingColumns(name, t);
      for (const stmt of indexes) this.driver.exec(stmt);
      added.push(name);
    }
    if (added.length) {
      this.schema = { tables: { ...this.schema.tables, ...Object.fromEntries(added.map((n) => [n, schema.tables[n]])) } };
    }
    return added;
  }

  getSchema(): RuntimeSchema {
    return this.schema;
  }

  /**
   * A database kept from an older schema version (a reload onto a new app version): its table
   * lacks the columns added since. SQLite adds them without rewriting the stored rows.
   */
  private addMissingColumns(name: string, t: TableSchema): void {
    const have = new Set(this.driver.all(`SELECT name FROM pragma_table_info(?)`, [name]).map((r) => r[0] as string));
    for (const [col, c] of Object.entries(t.columns)) {
      if (!have.has(col)) this.driver.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(col)} ${sqlTypeOf(c.type)}`);
    }
  }

  private table(name: string): TableSchema {
    const t = this.schema.tables[name];
    if (!t) throw new UnknownTableError(name, Object.keys(this.schema.tables));
    return t;
  }

  private tableSql(name: string): TableSql {
    let s = this.sql.get(name);
    if (s) return s;
    const columns = Object.keys(this.table(name).columns);
    const q = quoteIdent(name);
    const all = ["id", ...columns, ...SYS_COLS].map(quoteIdent).join(", ");
    const newCols = ["id", ...columns, SYS.createdBy, SYS.createdAt, SYS.updatedBy, SYS.updatedAt, SYS.ts, SYS.batch];
    s = {
      columns,
      chunk: Math.max(1, Math.min(MAX_CHUNK, Math.floor((999 - SHARED_PARAMS) / (columns.length + 1)))),
      insertMany: new Map(),
      select: `SELECT ${[...columns, ...SYS_COLS].map(quoteIdent).join(", ")} FROM ${q} WHERE id = ?`,
      insertNew: `INSERT INTO ${q} (${newCols.map(quoteIdent).join(", ")}) VALUES (${newCols.map(() => "?").join(", ")}) ON CONFLICT(id) DO NOTHING`,
      replace: `INSERT OR REPLACE INTO ${q} (${all}) VALUES (${[...Array(columns.length + 1 + SYS_COLS.length)].map(() => "?").join(", ")})`,
      remove: `DELETE FROM ${q} WHERE id = ?`,
    };
    this.sql.set(name, s);
    return s;
  }

  /** Run `fn` in one SQLite transaction (a savepoint when nested); a throw rolls it back. */
  transaction<T>(fn: () => T): T {
    const d = this.depth;
    this.driver.exec(d === 0 ? "BEGIN" : `SAVEPOINT jazz_${d}`);
    this.depth++;
    try {
      const out = fn();
      this.depth--;
      this.driver.exec(d === 0 ? "COMMIT" : `RELEASE jazz_${d}`);
      return out;
    } catch (e) {
      this.depth--;
      this.driver.exec(d === 0 ? "ROLLBACK" : `ROLLBACK TO jazz_${d}; RELEASE jazz_${d}`);
      throw e;
    }
  }

  hasBatch(batchId: string): boolean {
    return this.driver.all(`SELECT 1 FROM ${quoteIdent(BATCHES_TABLE)} WHERE batch_id = ?`, [batchId]).length > 0;
  }

  /** The merged state of one row (visible or not), or null if no write has reached it. */
  readRow(table: string, id: string): RowState | null {
    const s = this.tableSql(table);
    const r = this.driver.all(s.select, [id])[0];
    if (!r) return null;
    const n = s.columns.length;
    const [createdBy, createdAt, updatedBy, updatedAt, ts, batch, clocksJson, deletedAt] = r.slice(n) as [
      string | null, number | null, string | null, number | null, number | null, string | null, string | null, number | null,
    ];
    const extra: Record<string, Clock> = clocksJson ? JSON.parse(clocksJson as string) : {};
    const base: Clock | null = ts !== null && batch !== null ? [Number(ts), batch] : null;
    const row = emptyRow();
    s.columns.forEach((c, i) => {
      const clock = extra[c] ?? base;
      if (!clock) return; // never written (placeholder row)
      row.values[c] = r[i];
      row.clocks[c] = clock;
    });
    if (base && createdAt !== null) row.created = { by: createdBy ?? "", clock: base };
    if (updatedAt !== null) {
      // The updated clock is the largest column clock (its batch id breaks µs ties).
      let max: Clock | null = base;
      for (const c in row.clocks) if (!max || compareClock(row.clocks[c], max) > 0) max = row.clocks[c];
      row.updated = { by: updatedBy ?? "", clock: max && max[0] === Number(updatedAt) ? max : [Number(updatedAt), ""] };
    }
    row.deletedAt = deletedAt === null ? null : Number(deletedAt);
    return row;
  }

  /** True when the row exists and is not deleted. */
  isVisible(table: string, id: string): boolean {
    return isVisible(this.readRow(table, id));
  }

  private writeRow(table: string, id: string, row: RowState | null): void {
    const s = this.tableSql(table);
    if (!row) {
      this.driver.run(s.remove, [id]);
      return;
    }
    const base = row.created?.clock ?? null;
    let extra: Record<string, Clock> | null = null;
    for (const c of s.columns) {
      const k = row.clocks[c];
      if (!k) continue;
      if (!base || compareClock(k, base) !== 0) (extra ??= {})[c] = k;
    }
    const params: SqlValue[] = [id];
    for (const c of s.columns) params.push(c in row.values ? row.values[c] : null);
    params.push(
      row.created?.by ?? null,
      row.created ? row.created.clock[0] : null,
      row.updated?.by ?? null,
      row.updated ? row.updated.clock[0] : null,
      base ? base[0] : null,
      base ? base[1] : null,
      extra ? JSON.stringify(extra) : null,
      row.deletedAt,
    );
    this.driver.run(s.replace, params);
  }

  /**
   * Overwrite one row's merged state (null removes it), touching no bookkeeping. For replicas
   * that keep their own durable retraction records (the browser worker) and rebuild a row from
   * them with `mergeWrite`.
   */
  putRow(table: string, id: string, row: RowState | null): void {
    this.transaction(() => this.writeRow(table, id, row));
  }

  /** Merge one batch (idempotent per write, see the header). Runs in one SQLite transaction. */
  applyBatch(batch: Batch, opts: ApplyOptions = {}): ApplyResult {
    const changes = new Map<string, Set<string>>();
    // Rows that become hot with this batch, with their state from before it.
    const preImages = new Map<string, HotRow>();
    // The writes that took effect (for the retraction bookkeeping below).
    let appliedWrites: RowWrite[] = batch.writes;
    const track = opts.pending || this.hot.size > 0;
    const needsPre: PreImageSink = (w) => {
      if (!track) return null;
      const key = rowKey(w.table, w.id);
      if (!(opts.pending || this.hot.has(key)) || preImages.has(key)) return null;
      return (pre) => preImages.set(key, { table: w.table, id: w.id, pre, writes: [], pending: [] });
    };
    const applied = this.transaction(() => {
      const fresh = this.driver.run(`INSERT INTO ${quoteIdent(BATCHES_TABLE)} (batch_id, ts, author) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, [
        batch.batchId,
        batch.ts,
        batch.author,
      ]);
      const strict = opts.strict ?? false;
      const note = (w: RowWrite) => {
        let set = changes.get(w.table);
        if (!set) changes.set(w.table, (set = new Set()));
        set.add(w.id);
      };
      if (fresh === 0) {
        appliedWrites = this.reapply(batch, needsPre);
        for (const w of appliedWrites) note(w);
        return appliedWrites.length > 0;
      }
      const writes = batch.writes;
      for (let i = 0; i < writes.length; ) {
        const w = writes[i];
        // A replica that has not learned a table (no handle for it yet) ignores its rows.
        if (!strict && !this.schema.tables[w.table]) {
          i++;
          continue;
        }
        if (w.op === "insert") {
          // Runs of inserts into one table go in multi-row statements.
          const max = this.tableSql(w.table).chunk;
          let j = i + 1;
          while (j < writes.length && j - i < max && writes[j].op === "insert" && writes[j].table === w.table) j++;
          if (j - i > 1) {
            const run = writes.slice(i, j);
            this.insertMany(batch, run, strict, needsPre);
            for (const x of run) note(x);
            i = j;
            continue;
          }
        }
        this.applyWrite(batch, w, strict, needsPre(w));
        note(w);
        i++;
      }
      for (const [table, ids] of changes) if (this.hasCounters(table)) for (const id of ids) this.recordBatchRow(batch.batchId, table, id);
      return true;
    });
    if (!applied) return { applied, changes: new Map() };
    if (opts.ephemeral || !track) return { applied, changes };
    // Bookkeeping for retraction, only once the SQL has committed.
    for (const [key, h] of preImages) if (!this.hot.has(key)) this.hot.set(key, h);
    let rows: HotRow[] | undefined;
    if (opts.pending) {
      rows = this.pendingRows.get(batch.batchId);
      if (!rows) this.pendingRows.set(batch.batchId, (rows = []));
    }
    for (const w of appliedWrites) {
      const h = this.hot.get(rowKey(w.table, w.id));
      if (!h) continue;
      h.writes.push({ batch, write: w });
      // No other batch touches the row within this call: its last entry says if this one is in.
      if (rows && h.pending[h.pending.length - 1] !== batch.batchId) {
        h.pending.push(batch.batchId);
        rows.push(h);
      }
    }
    return { applied, changes };
  }

  private hasCounters(table: string): boolean {
    let has = this.counterTables.get(table);
    if (has === undefined) {
      const t = this.schema.tables[table];
      has = !!t && Object.values(t.columns).some((c) => c.merge === "counter");
      this.counterTables.set(table, has);
    }
    return has;
  }

  private recordBatchRow(batchId: string, table: string, id: string): boolean {
    return (
      this.driver.run(`INSERT INTO ${quoteIdent(BATCH_ROWS_TABLE)} (batch_id, tbl, row_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, [batchId, table, id]) === 1
    );
  }

  /**
   * A batch seen before (e.g. another projection of it): merge it again row by row — all writes
   * of a row together, as the batch orders them — and write only rows the merge changes.
   * Returns the writes of the rows that changed.
   */
  private reapply(batch: Batch, onPreFor: PreImageSink): RowWrite[] {
    const byRow = new Map<string, RowWrite[]>();
    for (const w of batch.writes) {
      if (!this.schema.tables[w.table]) continue;
      const key = rowKey(w.table, w.id);
      const list = byRow.get(key);
      if (list) list.push(w);
      else byRow.set(key, [w]);
    }
    const out: RowWrite[] = [];
    for (const ws of byRow.values()) {
      const { table, id } = ws[0];
      // Counter deltas must not be summed twice: a recorded row of this batch is done.
      if (this.hasCounters(table) && !this.recordBatchRow(batch.batchId, table, id)) continue;
      const cur = this.readRow(table, id);
      const schema = this.table(table);
      let next = cur ? cloneRow(cur) : emptyRow();
      for (const w of ws) next = mergeWrite(next, w, batch, schema);
      if (cur && sameRow(cur, next)) continue;
      onPreFor(ws[0])?.(cur ? cloneRow(cur) : null);
      this.writeRow(table, id, next);
      out.push(...ws);
    }
    return out;
  }

  private pushInsertParams(params: SqlValue[], s: TableSql, batch: Batch, w: RowWrite): void {
    params.push(w.id);
    const v = w.values ?? {};
    for (const c of s.columns) params.push(c in v ? v[c] : null);
    params.push(batch.author, batch.ts, batch.author, batch.ts, batch.ts, batch.batchId);
  }

  /** Insert several new rows in one statement; rows that already exist take the merge path. */
  private insertMany(batch: Batch, run: RowWrite[], strict: boolean, onPreFor: PreImageSink): void {
    const s = this.tableSql(run[0].table);
    const ids = new Set<string>();
    for (const w of run) ids.add(w.id);
    if (ids.size !== run.length) {
      // The same id twice in one run: apply one by one so the later write merges over the first.
      for (const w of run) this.applyWrite(batch, w, strict, onPreFor(w));
      return;
    }
    // The batch's author, clock and id are bound once per statement (?1-?3), not per row.
    const params: SqlValue[] = [batch.author, batch.ts, batch.batchId];
    for (const w of run) {
      params.push(w.id);
      const v = w.values ?? {};
      for (const c of s.columns) params.push(c in v ? v[c] : null);
    }
    const inserted = this.driver.run(this.insertManySql(s, run.length), params);
    let conflicted: Set<string> | null = null;
    if (inserted !== run.length) {
      // Rows written by this statement carry this batch id; the others existed already.
      const q = quoteIdent(run[0].table);
      const rows = this.driver.all(
        `SELECT id FROM ${q} WHERE id IN (${run.map(() => "?").join(", ")}) AND "${SYS.batch}" IS NOT ?`,
        [...run.map((w) => w.id), batch.batchId],
      );
      conflicted = new Set(rows.map((r) => r[0] as string));
    }
    for (const w of run) {
      if (conflicted?.has(w.id)) this.applyWrite(batch, w, strict, onPreFor(w));
      else onPreFor(w)?.(null);
    }
  }

  private insertManySql(s: TableSql, n: number): string {
    let sql = s.insertMany.get(n);
    if (!sql) {
      // Same columns as insertNew: id, the table's columns, then createdBy/At, updatedBy/At, ts, batch.
      const width = s.columns.length + 1;
      const rows: string[] = [];
      for (let r = 0; r < n; r++) {
        const own = Array.from({ length: width }, (_, i) => `?${SHARED_PARAMS + r * width + i + 1}`);
        rows.push(`(${own.join(", ")}, ?1, ?2, ?1, ?2, ?2, ?3)`);
      }
      sql = `${s.insertNew.slice(0, s.insertNew.indexOf(" VALUES "))} VALUES ${rows.join(", ")} ON CONFLICT(id) DO NOTHING`;
      s.insertMany.set(n, sql);
    }
    return sql;
  }

  private applyWrite(batch: Batch, w: RowWrite, strict: boolean, onPre: ((pre: RowState | null) => void) | null): void {
    const table = this.table(w.table);
    const s = this.tableSql(w.table);
    if (w.op === "insert") {
      // Fast path: a new row needs no read and no merge.
      const params: SqlValue[] = [];
      this.pushInsertParams(params, s, batch, w);
      if (this.driver.run(s.insertNew, params) === 1) {
        onPre?.(null);
        return;
      }
    }
    const cur = this.readRow(w.table, w.id);
    onPre?.(cur ? cloneRow(cur) : null);
    if (strict) {
      if (w.op === "insert" && cur?.created) throw new ObjectExistsError(w.table, w.id);
      if (w.op !== "insert" && !isVisible(cur)) throw new RowNotFoundError(w.table, w.id, w.op === "update" ? "Update" : "Delete");
    }
    this.writeRow(w.table, w.id, mergeWrite(cur ?? emptyRow(), w, batch, table));
  }

  /**
   * Drop rows from this replica without deleting them (they left every synced query's scope,
   * e.g. read permission revoked). Their applied-write records go too, so the rows' history
   * applies again if they come back into scope. Returns the rows that were present.
   */
  evict(table: string, ids: string[]): ApplyResult {
    const changes = new Map<string, Set<string>>();
    if (!this.schema.tables[table] || ids.length === 0) return { applied: false, changes };
    const s = this.tableSql(table);
    const gone = new Set<string>();
    this.transaction(() => {
      for (const id of ids) {
        if (this.driver.run(s.remove, [id]) > 0) gone.add(id);
        if (this.hasCounters(table)) this.driver.run(`DELETE FROM ${quoteIdent(BATCH_ROWS_TABLE)} WHERE tbl = ? AND row_id = ?`, [table, id]);
      }
    });
    for (const id of ids) this.hot.delete(rowKey(table, id));
    if (gone.size) changes.set(table, gone);
    return { applied: gone.size > 0, changes };
  }

  /** Whether a row has local writes the authority has not decided yet. */
  hasPending(table: string, id: string): boolean {
    return (this.hot.get(rowKey(table, id))?.pending.length ?? 0) > 0;
  }

  /** The authority accepted a pending batch: it can no longer be retracted. */
  settle(batchId: string): void {
    const rows = this.pendingRows.get(batchId);
    if (!rows) return;
    this.pendingRows.delete(batchId);
    for (const h of rows) this.unpend(h, batchId);
  }

  /** The authority rejected a pending batch: rebuild its rows from the remaining writes. */
  reject(batchId: string): ApplyResult {
    const rows = this.pendingRows.get(batchId);
    const changes = new Map<string, Set<string>>();
    if (!rows) return { applied: false, changes };
    this.pendingRows.delete(batchId);
    this.transaction(() => {
      for (const h of rows) {
        // Evicted meanwhile (or replaced by a newer record of the row): nothing to rebuild.
        if (this.hot.get(rowKey(h.table, h.id)) !== h) continue;
        h.writes = h.writes.filter((x) => x.batch.batchId !== batchId);
        const table = this.table(h.table);
        let row = h.pre ? cloneRow(h.pre) : null;
        for (const { batch, write } of h.writes) row = mergeWrite(row ?? emptyRow(), write, batch, table);
        this.writeRow(h.table, h.id, row);
        this.unpend(h, batchId);
        let set = changes.get(h.table);
        if (!set) changes.set(h.table, (set = new Set()));
        set.add(h.id);
      }
    });
    return { applied: true, changes };
  }

  /** `batchId` is decided for this hot row; the row cools once no batch of it is pending. */
  private unpend(h: HotRow, batchId: string): void {
    const i = h.pending.indexOf(batchId);
    if (i >= 0) h.pending.splice(i, 1);
    if (h.pending.length === 0 && this.hot.get(rowKey(h.table, h.id)) === h) this.hot.delete(rowKey(h.table, h.id));
  }

  /** Batch ids applied as pending whose fate has not arrived. */
  pendingBatchIds(): string[] {
    return [...this.pendingRows.keys()];
  }
}

function sameClock(a: Clock | undefined, b: Clock | undefined): boolean {
  return a === b || (!!a && !!b && a[0] === b[0] && a[1] === b[1]);
}

/** Byte equality, 4 bytes at a time where both are aligned (file parts are 256 KiB). */
function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  let i = 0;
  if (x.byteOffset % 4 === 0 && y.byteOffset % 4 === 0) {
    const n = x.length >> 2;
    const a = new Uint32Array(x.buffer, x.byteOffset, n);
    const b = new Uint32Array(y.buffer, y.byteOffset, n);
    for (; i < n; i++) if (a[i] !== b[i]) return false;
    i = n << 2;
  }
  for (; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameRow(a: RowState, b: RowState): boolean {
  if (a.deletedAt !== b.deletedAt) return false;
  if (!!a.created !== !!b.created || (a.created && (a.created.by !== b.created!.by || !sameClock(a.created.clock, b.created!.clock)))) return false;
  // Only the updated µs and author are stored (readRow may not know its batch id).
  if (!!a.updated !== !!b.updated || (a.updated && (a.updated.by !== b.updated!.by || a.updated.clock[0] !== b.updated!.clock[0]))) return false;
  const ka = Object.keys(a.clocks);
  if (ka.length !== Object.keys(b.clocks).length) return false;
  for (const k of ka) {
    if (!sameClock(a.clocks[k], b.clocks[k])) return false;
    const x = a.values[k], y = b.values[k];
    if (x === y) continue;
    if (x instanceof Uint8Array && y instanceof Uint8Array && bytesEqual(x, y)) continue;
    return false;
  }
  return true;
}
