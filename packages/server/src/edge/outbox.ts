// The edge's durable record of the batches it accepted for its clients and still owes the core,
// plus the core's rejections (so a client re-pushing a rejected batch hears the same verdict).
// Rows are written in the group-commit transaction that accepts the batch, so an `edge` fate is
// only sent for a batch that will be forwarded even if the edge restarts. Accepted batches are
// dropped once the core accepts them: the batch log then answers re-pushes with `global`.

import type { Batch, BatchFate, SqlDriver } from "@jazz-tools/core";
import { decodeStoredBatch, encodeStoredBatch, type WireSession } from "@jazz-tools/core/sync";

export interface OutboxEntry {
  batchId: string;
  /** Which upstream link forwards it (one per session; see ./upstream.ts). */
  linkKey: string;
  /** The client's session, forwarded so the core checks its permissions; null = privileged. */
  session: WireSession | null;
  /**
   * "edge": accepted and applied here, acknowledged `edge`; "core": left to the core to decide
   * (transactions, and writes this edge's data could not show to be allowed), applied here only
   * once the core accepts.
   */
  mode: "edge" | "core";
  state: "pending" | "rejected";
  fate: BatchFate | null;
}

export class EdgeOutbox {
  constructor(private readonly driver: SqlDriver) {
    driver.exec(`CREATE TABLE IF NOT EXISTS _jazz_edge_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      batch_id TEXT NOT NULL UNIQUE,
      link_key TEXT NOT NULL,
      session TEXT,
      mode TEXT NOT NULL,
      body TEXT NOT NULL,
      state TEXT NOT NULL,
      fate TEXT
    )`);
  }

  add(batch: Batch, linkKey: string, session: WireSession | null, mode: OutboxEntry["mode"]): void {
    this.driver.run("INSERT OR IGNORE INTO _jazz_edge_outbox (batch_id, link_key, session, mode, body, state) VALUES (?, ?, ?, ?, ?, 'pending')", [
      batch.batchId,
      linkKey,
      session ? JSON.stringify(session) : null,
      mode,
      encodeStoredBatch(batch),
    ]);
  }

  get(batchId: string): OutboxEntry | null {
    const row = this.driver.all("SELECT batch_id, link_key, session, mode, state, fate FROM _jazz_edge_outbox WHERE batch_id = ?", [batchId])[0];
    return row ? toEntry(row) : null;
  }

  batch(batchId: string): Batch | null {
    const row = this.driver.all("SELECT body FROM _jazz_edge_outbox WHERE batch_id = ?", [batchId])[0];
    return row ? decodeStoredBatch(row[0]) : null;
  }

  /** The core accepted it: nothing more to remember (the log has the batch). */
  remove(batchId: string): void {
    this.driver.run("DELETE FROM _jazz_edge_outbox WHERE batch_id = ?", [batchId]);
  }

  reject(batchId: string, fate: BatchFate): void {
    this.driver.run("UPDATE _jazz_edge_outbox SET state = 'rejected', fate = ? WHERE batch_id = ?", [JSON.stringify(fate), batchId]);
  }

  /** Batches still owed to the core, in acceptance order (re-forwarded after a restart). */
  pending(): { entry: OutboxEntry; batch: Batch }[] {
    return this.driver
      .all("SELECT batch_id, link_key, session, mode, state, fate, body FROM _jazz_edge_outbox WHERE state = 'pending' ORDER BY seq")
      .map((row) => ({ entry: toEntry(row), batch: decodeStoredBatch(row[6]) }));
  }

  get pendingCount(): number {
    return Number(this.driver.all("SELECT count(*) FROM _jazz_edge_outbox WHERE state = 'pending'")[0]![0]);
  }
}

function toEntry(row: unknown[]): OutboxEntry {
  return {
    batchId: row[0] as string,
    linkKey: row[1] as string,
    session: row[2] ? (JSON.parse(row[2] as string) as WireSession) : null,
    mode: row[3] as OutboxEntry["mode"],
    state: row[4] as OutboxEntry["state"],
    fate: row[5] ? (JSON.parse(row[5] as string) as BatchFate) : null,
  };
}
