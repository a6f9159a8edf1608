// Keeping the edge's replica (store + batch log) in step with the core: batches arriving from
// upstream are merged and logged like accepted pushes, and a batch the core rejects is taken
// back out. The log's tables belong to ../storage/log.ts; the two extra operations an edge needs
// (grow a logged batch by rows of a later projection, drop a rejected batch) live here because
// only an edge ever does them.

import type { Batch } from "@jazz-tools/core";
import { decodeStoredBatch, encodeStoredBatch } from "@jazz-tools/core/sync";
import type { ServerEngine } from "../sync/engine.ts";

type RowRef = { table: string; id: string };

/**
 * Merge a batch the core sent. The core projects batches onto the rows a session may read, so
 * the same batch can arrive again (on another session's link) with more rows: those rows are
 * added to the logged copy. Returns the rows that are new to this edge (empty: nothing to fan
 * out).
 */
export function mergeUpstreamBatch(engine: ServerEngine, received: Batch): RowRef[] {
  const { driver, store, log } = engine;
  // Rows of tables this edge has no schema for yet are left out of the store and the log alike,
  // so that a later delivery (after the catalogue arrived) still counts as new.
  const tables = engine.schema.tables;
  const batch = received.writes.every((w) => tables[w.table]) ? received : { ...received, writes: received.writes.filter((w) => tables[w.table]) };
  if (batch.writes.length === 0) return [];
  return store.transaction(() => {
    const existing = driver.all("SELECT seq, body FROM _jazz_log WHERE batch_id = ?", [batch.batchId])[0];
    if (!existing) {
      store.applyBatch(batch);
      log.append(batch, encodeStoredBatch(batch));
      return uniqueRows(batch.writes);
    }
    const seq = Number(existing[0]);
    const logged = decodeStoredBatch(existing[1]);
    const have = new Set(logged.writes.map((w) => `${w.table}\u0000${w.id}`));
    const fresh = batch.writes.filter((w) => !have.has(`${w.table}\u0000${w.id}`));
    if (fresh.length === 0) return [];
    store.applyBatch({ ...batch, writes: fresh });
    const grown: Batch = { ...logged, writes: [...logged.writes, ...fresh] };
    driver.run("UPDATE _jazz_log SET body = ? WHERE seq = ?", [encodeStoredBatch(grown), seq]);
    const rows = uniqueRows(fresh);
    for (const r of rows) driver.run("INSERT OR IGNORE INTO _jazz_log_rows (tbl, row_id, seq) VALUES (?, ?, ?)", [r.table, r.id, seq]);
    return rows;
  });
}

/**
 * The core rejected a batch this edge had accepted: drop it from the log and rebuild its rows
 * from their remaining history (evict, then re-merge every other logged batch that touched
 * them), which is restart-safe, unlike the store's in-memory retraction of pending writes.
 * Returns the rows rebuilt.
 */
export function retractBatch(engine: ServerEngine, batchId: string): RowRef[] {
  const { driver, store, log } = engine;
  return store.transaction(() => {
    const found = driver.all("SELECT seq FROM _jazz_log WHERE batch_id = ?", [batchId])[0];
    if (!found) return [];
    const seq = Number(found[0]);
    const rows = driver.all("SELECT tbl, row_id FROM _jazz_log_rows WHERE seq = ?", [seq]).map((r) => ({ table: r[0] as string, id: r[1] as string }));
    driver.run("DELETE FROM _jazz_log_rows WHERE seq = ?", [seq]);
    driver.run("DELETE FROM _jazz_log WHERE seq = ?", [seq]);
    const byTable = new Map<string, string[]>();
    for (const r of rows) {
      const ids = byTable.get(r.table);
      if (ids) ids.push(r.id);
      else byTable.set(r.table, [r.id]);
    }
    for (const [table, ids] of byTable) store.evict(table, ids);
    for (const h of log.history(rows)) store.applyBatch(h.batch);
    return rows;
  });
}

export function uniqueRows(writes: Batch["writes"]): RowRef[] {
  const seen = new Set<string>();
  const out: RowRef[] = [];
  for (const w of writes) {
    const k = `${w.table}\u0000${w.id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ table: w.table, id: w.id });
  }
  return out;
}
