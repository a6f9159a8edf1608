// The log of accepted batches, in acceptance order, indexed by the rows they touch. It makes
// pushes idempotent (a batchId seen before is answered with its fate, not applied again) and
// gives any row's history as real batches, which is how a client catches up on rows entering
// its subscriptions: it merges the same batches everyone else merged.

import type { Batch, SqlDriver } from "@jazz-tools/core";
import { decodeStoredBatch } from "@jazz-tools/core/sync";

export class BatchLog {
  constructor(private readonly driver: SqlDriver) {
    driver.exec(`
      CREATE TABLE IF NOT EXISTS _jazz_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _jazz_log_rows (tbl TEXT NOT NULL, row_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (tbl, row_id, seq)) WITHOUT ROWID;
    `);
  }

  /** An accepted batch as logged, or null. */
  logged(batchId: string): Batch | null {
    const r = this.driver.all("SELECT body FROM _jazz_log WHERE batch_id = ?", [batchId])[0];
    return r ? decodeStoredBatch(r[0]) : null;
  }

  has(batchId: string): boolean {
    return this.driver.all("SELECT 1 FROM _jazz_log WHERE batch_id = ?", [batchId]).length > 0;
  }

  /** Call inside the transaction that applies the batch, so log and tables commit together. */
  /** `encodedBody`: encodeStoredBatch(batch) (JSON text, or a binary frame when it has bytes). */
  append(batch: Batch, encodedBody: string | Uint8Array): number {
    this.driver.run("INSERT INTO _jazz_log (batch_id, body) VALUES (?, ?)", [batch.batchId, encodedBody]);
    const seq = Number(this.driver.all("SELECT last_insert_rowid()")[0]![0]);
    const seen = new Set<string>();
    for (const w of batch.writes) {
      const key = `${w.table}\u0000${w.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.driver.run("INSERT OR IGNORE INTO _jazz_log_rows (tbl, row_id, seq) VALUES (?, ?, ?)", [w.table, w.id, seq]);
    }
    return seq;
  }

  /** Every batch that touched any of these rows, in acceptance order, each once. */
  history(rows: Iterable<{ table: string; id: string }>): { seq: number; batch: Batch }[] {
    const seqs = new Set<number>();
    for (const r of rows) {
      for (const [seq] of this.driver.all("SELECT seq FROM _jazz_log_rows WHERE tbl = ? AND row_id = ?", [r.table, r.id])) {
        seqs.add(Number(seq));
      }
    }
    const sorted = [...seqs].sort((a, b) => a - b);
    const out: { seq: number; batch: Batch }[] = [];
    for (const seq of sorted) {
      out.push({ seq, batch: decodeStoredBatch(this.driver.all("SELECT body FROM _jazz_log WHERE seq = ?", [seq])[0]![0]) });
    }
    return out;
  }
}
