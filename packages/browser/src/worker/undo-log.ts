// Durable retraction records for local batches the server has not decided yet. Core's Store
// keeps these in memory (fine for a mirror that lives as long as its tab); the worker's file
// outlives tabs and workers, so a batch written, then the tab reloaded, then rejected must still
// be retractable. The records live in the same SQLite file and transactions as the rows:
//   _jazz_hot         one row per "hot" row: its merged state before the first pending write
//   _jazz_hot_writes  every write applied to a hot row since (local pending ones and remote
//                     ones), per (row, batch), in apply order
// Rejecting a batch drops its writes and rebuilds each of its rows as the pre-image merged with
// the remaining writes (core's `mergeWrite`, like Store.reject). A row whose pending batches are
// all decided stops being hot and its records go.

import { emptyRow, mergeWrite, type Batch, type RowState, type RowWrite, type RuntimeSchema, type SqlDriver } from "@jazz-tools/core";
import { decodeBatch, encodeBatch } from "./batch-codec.ts";

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

export const HOT_TABLE = "_jazz_hot";
export const HOT_WRITES_TABLE = "_jazz_hot_writes";
const DDL = [
  `CREATE TABLE IF NOT EXISTS ${HOT_TABLE} (tbl TEXT NOT NULL, row_id TEXT NOT NULL, pre TEXT, PRIMARY KEY (tbl, row_id)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${HOT_WRITES_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
    batch_id TEXT NOT NULL, pending INTEGER NOT NULL, body TEXT NOT NULL, UNIQUE (tbl, row_id, batch_id))`,
  `CREATE INDEX IF NOT EXISTS ${HOT_WRITES_TABLE}_batch ON ${HOT_WRITES_TABLE} (batch_id)`,
];

export class UndoLog {
  constructor(
    private readonly d: SqlDriver,
    private readonly engine: RetractableEngine,
  ) {
    for (const sql of DDL) d.exec(sql);
  }

  /** Before a local (pending) batch is applied: keep the pre-image of rows not hot yet. */
  beforeLocal(batch: Batch): void {
    const tables = this.engine.getSchema().tables;
    const seen = new Set<string>();
    for (const w of batch.writes) {
      const key = `${w.table}\u0000${w.id}`;
      if (!tables[w.table] || seen.has(key)) continue;
      seen.add(key);
      if (this.isHot(w.table, w.id)) continue;
      const pre = this.engine.readRow(w.table, w.id);
      this.d.run(`INSERT INTO ${HOT_TABLE} (tbl, row_id, pre) VALUES (?, ?, ?)`, [w.table, w.id, pre ? encodeRow(pre) : null]);
    }
  }

  /** After a batch was applied: log its writes to hot rows (`pending`: a local batch). */
  afterApply(batch: Batch, pending: boolean): void {
    if (!pending && !this.anyHot()) return;
    const byRow = new Map<string, RowWrite[]>();
    for (const w of batch.writes) {
      const key = `${w.table}\u0000${w.id}`;
      const list = byRow.get(key);
      if (list) list.push(w);
      else if (pending || this.isHot(w.table, w.id)) byRow.set(key, [w]);
    }
    for (const writes of byRow.values()) {
      const { table, id } = writes[0]!;
      if (!this.isHot(table, id)) continue; // a table the engine does not know
      const body = encodeBatch({ batchId: batch.batchId, ts: batch.ts, author: batch.author, kind: batch.kind, writes });
      this.d.run(
        `INSERT INTO ${HOT_WRITES_TABLE} (tbl, row_id, batch_id, pending, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [table, id, batch.batchId, pending ? 1 : 0, body],
      );
    }
  }

  /** The server accepted a batch: it can no longer be retracted. */
  settle(batchId: string): void {
    const rows = this.rowsOf(batchId);
    if (!rows.length) return;
    this.d.run(`UPDATE ${HOT_WRITES_TABLE} SET pending = 0 WHERE batch_id = ?`, [batchId]);
    for (const [table, id] of rows) this.coolIfDecided(table, id);
  }

  /** The server rejected a batch: rebuild its rows from the pre-image and the other writes. */
  reject(batchId: string): RetractedRow[] {
    const rows = this.rowsOf(batchId);
    if (!rows.length) return [];
    this.d.run(`DELETE FROM ${HOT_WRITES_TABLE} WHERE batch_id = ?`, [batchId]);
    const tables = this.engine.getSchema().tables;
    const out: RetractedRow[] = [];
    for (const [table, id] of rows) {
      const schema = tables[table];
      if (!schema) continue;
      const preText = this.d.all(`SELECT pre FROM ${HOT_TABLE} WHERE tbl = ? AND row_id = ?`, [table, id])[0]?.[0] as string | null | undefined;
      let row = preText ? decodeRow(preText) : null;
      for (const r of this.d.all(`SELECT body FROM ${HOT_WRITES_TABLE} WHERE tbl = ? AND row_id = ? ORDER BY seq`, [table, id])) {
        const b = decodeBatch(r[0] as string);
        for (const w of b.writes) row = mergeWrite(row ?? emptyRow(), w, b, schema);
      }
      this.engine.putRow(table, id, row);
      out.push({ table, id, row });
      this.coolIfDecided(table, id);
    }
    return out;
  }

  /** Whether local writes to this row still wait for the server's decision. */
  hasPending(table: string, id: string): boolean {
    return this.d.all(`SELECT 1 FROM ${HOT_WRITES_TABLE} WHERE tbl = ? AND row_id = ? AND pending = 1 LIMIT 1`, [table, id]).length > 0;
  }

  /** The row was dropped from the replica (evicted): forget its records. */
  forget(table: string, id: string): void {
    this.d.run(`DELETE FROM ${HOT_TABLE} WHERE tbl = ? AND row_id = ?`, [table, id]);
    this.d.run(`DELETE FROM ${HOT_WRITES_TABLE} WHERE tbl = ? AND row_id = ?`, [table, id]);
  }

  /** Batch ids with retraction records still pending (tests, devtools). */
  pendingBatchIds(): string[] {
    return this.d.all(`SELECT DISTINCT batch_id FROM ${HOT_WRITES_TABLE} WHERE pending = 1 ORDER BY batch_id`).map((r) => r[0] as string);
  }

  private coolIfDecided(table: string, id: string): void {
    if (this.hasPending(table, id)) return;
    this.forget(table, id);
  }

  private rowsOf(batchId: string): [string, string][] {
    return this.d.all(`SELECT tbl, row_id FROM ${HOT_WRITES_TABLE} WHERE batch_id = ?`, [batchId]) as [string, string][];
  }

  private isHot(table: string, id: string): boolean {
    return this.d.all(`SELECT 1 FROM ${HOT_TABLE} WHERE tbl = ? AND row_id = ?`, [table, id]).length > 0;
  }

  private anyHot(): boolean {
    return this.d.all(`SELECT 1 FROM ${HOT_TABLE} LIMIT 1`).length > 0;
  }
}

// A RowState as text: values may be bigint or bytes, which JSON cannot carry, so they are tagged.
function encodeRow(row: RowState): string {
  return JSON.stringify(row, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $big: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
    return v;
  });
}

function decodeRow(text: string): RowState {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$big === "string" && Object.keys(o).length === 1) return BigInt(o.$big);
      if (Array.isArray(o.$bytes) && Object.keys(o).length === 1) return Uint8Array.from(o.$bytes as number[]);
    }
    return v;
  }) as RowState;
}
