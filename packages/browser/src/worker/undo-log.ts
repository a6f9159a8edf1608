// Durable retraction records for local batches the server has not decided yet. Core's Store
// keeps these in memory (fine for a mirror that lives as long as its tab); the worker's file
// outlives tabs and workers, so a batch written, then the tab reloaded, then rejected must still
// be retractable. The records live in the same SQLite file and transactions as the rows:
//   _jazz_undo_batches  the batches applied to "hot" rows, in apply order (seq): the local
//                       pending ones (whole body, the outbox text) and remote ones (their writes
//                       to hot rows); `pending` until the server decides a local one
//   _jazz_undo_rows     which batches touched each hot row; the row's first entry carries its
//                       merged state from before that batch (`pre`, null: no row)
// Rejecting a batch drops it and rebuilds each of its rows as the pre-image merged with the
// remaining batches' writes (core's `mergeWrite`, like Store.reject). A row none of whose
// batches is pending any more stops being hot and its records go.

import { emptyRow, mergeWrite, type Batch, type RowState, type RowWrite, type RuntimeSchema, type SqlDriver, type SqlValue } from "@jazz-tools/core";
import { decodeBatch, encodeBatch, parseTagged, stringifyTagged } from "./batch-codec.ts";

/** The engine features retraction needs (core's Store has them). */
export interface RetractableEngine {
  getSchema(): RuntimeSchema;
  readRow(table: string, id: string): RowState | null;
  putRow(table: string, id: string, row: RowState | null): void;
}

/** A row rebuilt by a retraction (null: no write remains, the row is gone). */
export interface RetractedRow {
  table: string;
  id: string;
  row: RowState | null;
}

export const UNDO_BATCHES = "_jazz_undo_batches";
export const UNDO_ROWS = "_jazz_undo_rows";
const B = UNDO_BATCHES;
const R = UNDO_ROWS;
const DDL = [
  `CREATE TABLE IF NOT EXISTS ${B} (seq INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL UNIQUE, pending INTEGER NOT NULL, body TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${R} (tbl TEXT NOT NULL, row_id TEXT NOT NULL, seq INTEGER NOT NULL, pre TEXT, PRIMARY KEY (tbl, row_id, seq)) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${R}_seq ON ${R} (seq)`,
];
/** Rows per multi-row statement (4 parameters each, under SQLite's 999). */
const CHUNK = 200;

type Key = { table: string; id: string };
const keyOf = (table: string, id: string) => `${table}\u0000${id}`;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export class UndoLog {
  constructor(
    private readonly d: SqlDriver,
    private readonly engine: RetractableEngine,
  ) {
    for (const sql of DDL) d.exec(sql);
  }

  /**
   * Before a local (pending) batch is applied: the pre-images of its rows that are not hot yet
   * (encoded; null: the row does not exist). Pass the result to `afterLocal`.
   */
  beforeLocal(batch: Batch): Map<string, string | null> {
    const rows = this.rowsOf(batch);
    const fresh = new Map<string, string | null>();
    const anyHot = this.anyHot();
    const byTable = new Map<string, string[]>();
    for (const [key, { table, id }] of rows) {
      if (anyHot && this.isHot(table, id)) continue;
      fresh.set(key, null);
      const ids = byTable.get(table);
      if (ids) ids.push(id);
      else byTable.set(table, [id]);
    }
    // Most rows of a local batch are new: find the existing ones in bulk, read only those.
    for (const [table, ids] of byTable) {
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        for (const [id] of this.d.all(`SELECT id FROM ${quote(table)} WHERE id IN (${part.map(() => "?").join(", ")})`, part)) {
          const pre = this.engine.readRow(table, id as string);
          fresh.set(keyOf(table, id as string), pre ? encodeRow(pre) : null);
        }
      }
    }
    return fresh;
  }

  /** After a local batch was applied: record it (`body`: its outbox text) for each of its rows. */
  afterLocal(batch: Batch, body: string, fresh: Map<string, string | null>): void {
    const seq = this.addBatch(batch.batchId, true, body);
    const entries: [string, string, number, string | null][] = [];
    for (const [key, { table, id }] of this.rowsOf(batch)) entries.push([table, id, seq, fresh.get(key) ?? null]);
    this.addRows(entries);
  }

  /** After a remote batch was applied: record its writes to hot rows (if any). */
  afterRemote(batch: Batch): void {
    if (!this.anyHot()) return;
    const writes: RowWrite[] = [];
    const hot: Key[] = [];
    for (const [, k] of this.rowsOf(batch)) if (this.isHot(k.table, k.id)) hot.push(k);
    if (!hot.length) return;
    const keys = new Set(hot.map((k) => keyOf(k.table, k.id)));
    for (const w of batch.writes) if (keys.has(keyOf(w.table, w.id))) writes.push(w);
    const known = this.d.all(`SELECT seq, body FROM ${B} WHERE batch_id = ?`, [batch.batchId])[0];
    let seq: number;
    if (known) {
      // Another projection of a batch seen before: keep the writes of both.
      seq = Number(known[0]);
      const prev = decodeBatch(known[1] as string);
      const had = new Set(prev.writes.map((w) => keyOf(w.table, w.id)));
      const more = writes.filter((w) => !had.has(keyOf(w.table, w.id)));
      if (more.length) this.d.run(`UPDATE ${B} SET body = ? WHERE seq = ?`, [encodeBatch({ ...prev, writes: [...prev.writes, ...more] }), seq]);
    } else {
      seq = this.addBatch(batch.batchId, false, encodeBatch({ ...batch, writes }));
    }
    this.addRows(hot.map((k) => [k.table, k.id, seq, null]));
  }

  /** The server accepted a batch: it can no longer be retracted. */
  settle(batchId: string): void {
    const seq = this.seqOf(batchId);
    if (seq === null) return;
    this.d.run(`UPDATE ${B} SET pending = 0 WHERE seq = ?`, [seq]);
    if (this.d.all(`SELECT 1 FROM ${B} WHERE pending = 1 LIMIT 1`).length === 0) {
      // Nothing pending anywhere: no row is hot any more.
      this.d.exec(`DELETE FROM ${R}; DELETE FROM ${B}`);
      return;
    }
    this.d.run(
      `DELETE FROM ${R} WHERE (tbl, row_id) IN (SELECT r.tbl, r.row_id FROM ${R} r WHERE r.seq = ?1 AND NOT EXISTS (
        SELECT 1 FROM ${R} o CROSS JOIN ${B} b ON b.seq = o.seq WHERE o.tbl = r.tbl AND o.row_id = r.row_id AND b.pending = 1))`,
      [seq],
    );
    this.collectBatches();
  }

  /** The server rejected a batch: rebuild its rows from the pre-image and the other batches. */
  reject(batchId: string): RetractedRow[] {
    const seq = this.seqOf(batchId);
    if (seq === null) return [];
    const tables = this.engine.getSchema().tables;
    // Each batch body is decoded once, its writes indexed by row.
    const bodies = new Map<number, { batch: Batch; byRow: Map<string, RowWrite[]> }>();
    const writesOf = (s: number, key: string) => {
      let b = bodies.get(s);
      if (!b) {
        const batch = decodeBatch(this.d.all(`SELECT body FROM ${B} WHERE seq = ?`, [s])[0]![0] as string);
        const byRow = new Map<string, RowWrite[]>();
        for (const w of batch.writes) {
          const k = keyOf(w.table, w.id);
          const list = byRow.get(k);
          if (list) list.push(w);
          else byRow.set(k, [w]);
        }
        bodies.set(s, (b = { batch, byRow }));
      }
      return { batch: b.batch, writes: b.byRow.get(key) ?? [] };
    };
    const out: RetractedRow[] = [];
    for (const [table, id] of this.d.all(`SELECT tbl, row_id FROM ${R} WHERE seq = ?`, [seq]) as [string, string][]) {
      const entries = this.d.all(
        `SELECT seq, pre FROM ${R} WHERE tbl = ? AND row_id = ? ORDER BY seq`,
        [table, id],
      );
      const preText = entries[0]![1] as string | null;
      const schema = tables[table];
      let row = preText ? decodeRow(preText) : null;
      const key = keyOf(table, id);
      for (const [s] of entries) {
        if (Number(s) === seq || !schema) continue;
        const { batch, writes } = writesOf(Number(s), key);
        for (const w of writes) row = mergeWrite(row ?? emptyRow(), w, batch, schema);
      }
      this.d.run(`DELETE FROM ${R} WHERE tbl = ? AND row_id = ? AND seq = ?`, [table, id, seq]);
      if (Number(entries[0]![0]) === seq && entries.length > 1) {
        // The next entry becomes the first: it carries the pre-image now.
        this.d.run(`UPDATE ${R} SET pre = ? WHERE tbl = ? AND row_id = ? AND seq = ?`, [preText, table, id, entries[1]![0] as number]);
      }
      if (!this.hasPending(table, id)) this.d.run(`DELETE FROM ${R} WHERE tbl = ? AND row_id = ?`, [table, id]);
      if (!schema) continue;
      this.engine.putRow(table, id, row);
      out.push({ table, id, row });
    }
    this.d.run(`DELETE FROM ${B} WHERE seq = ?`, [seq]);
    this.collectBatches();
    return out;
  }

  /** Whether local writes to this row still wait for the server's decision. */
  hasPending(table: string, id: string): boolean {
    return (
      this.d.all(`SELECT 1 FROM ${R} r CROSS JOIN ${B} b ON b.seq = r.seq WHERE r.tbl = ? AND r.row_id = ? AND b.pending = 1 LIMIT 1`, [table, id]).length > 0
    );
  }

  /** The row was dropped from the replica (evicted): forget its records. */
  forget(table: string, id: string): void {
    if (this.d.run(`DELETE FROM ${R} WHERE tbl = ? AND row_id = ?`, [table, id]) > 0) this.collectBatches();
  }

  /** Batch ids with retraction records still pending (tests, devtools). */
  pendingBatchIds(): string[] {
    return this.d.all(`SELECT batch_id FROM ${B} WHERE pending = 1 ORDER BY batch_id`).map((r) => r[0] as string);
  }

  /** Distinct rows of `batch` in tables the engine knows (the Store ignores the others). */
  private rowsOf(batch: Batch): Map<string, Key> {
    const tables = this.engine.getSchema().tables;
    const rows = new Map<string, Key>();
    for (const w of batch.writes) if (tables[w.table]) rows.set(keyOf(w.table, w.id), { table: w.table, id: w.id });
    return rows;
  }

  private addBatch(batchId: string, pending: boolean, body: string): number {
    this.d.run(`INSERT INTO ${B} (batch_id, pending, body) VALUES (?, ?, ?) ON CONFLICT (batch_id) DO NOTHING`, [batchId, pending ? 1 : 0, body]);
    return this.seqOf(batchId)!;
  }

  private addRows(entries: [string, string, number, string | null][]): void {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const part = entries.slice(i, i + CHUNK);
      this.d.run(
        `INSERT INTO ${R} (tbl, row_id, seq, pre) VALUES ${part.map(() => "(?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
        part.flat() as SqlValue[],
      );
    }
  }

  /** Batches no hot row refers to any more (decided local ones, remote ones). */
  private collectBatches(): void {
    this.d.exec(`DELETE FROM ${B} WHERE pending = 0 AND NOT EXISTS (SELECT 1 FROM ${R} r WHERE r.seq = ${B}.seq)`);
  }

  private seqOf(batchId: string): number | null {
    const r = this.d.all(`SELECT seq FROM ${B} WHERE batch_id = ?`, [batchId])[0];
    return r ? Number(r[0]) : null;
  }

  private isHot(table: string, id: string): boolean {
    return this.d.all(`SELECT 1 FROM ${R} WHERE tbl = ? AND row_id = ? LIMIT 1`, [table, id]).length > 0;
  }

  private anyHot(): boolean {
    return this.d.all(`SELECT 1 FROM ${R} LIMIT 1`).length > 0;
  }
}

const encodeRow = (row: RowState): string => stringifyTagged(row);
const decodeRow = (text: string): RowState => parseTagged<RowState>(text);
