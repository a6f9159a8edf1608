// What the worker does with batches, free of Worker/Comlink plumbing so it is testable in Node:
// commit local batches durably (each atomically, with its outbox entry), apply batches that
// arrive from upstream, and serve a database image for mirror hydration.

import type { Batch, BatchFate, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { decodeBatch, encodeBatch } from "./batch-codec.ts";

/** Core's Store (or anything that merges a batch into the tables of `driver`). */
export interface BatchApplier {
  applyBatch(batch: Batch): unknown;
  /** Create the tables of `schema` not known yet (the Db learns tables lazily). */
  addTables?(schema: RuntimeSchema): unknown;
  getSchema?(): RuntimeSchema;
}

/** A SQLite database with async-acquired write transactions (OPFS), or a plain one in tests. */
export interface DurableDatabase {
  readonly driver: SqlDriver;
  transaction<T>(fn: (driver: SqlDriver) => T): Promise<T>;
  close(): void;
}

export const OUTBOX_TABLE = "_jazz_outbox";
const OUTBOX_DDL = `CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)`;

export class DurableReplica {
  private queue: { batch: Batch; done: (fate: BatchFate) => void }[] = [];
  private draining: Promise<void> | null = null;

  private constructor(
    private readonly db: DurableDatabase,
    private readonly engine: BatchApplier,
  ) {}

  static async open(db: DurableDatabase, makeEngine: (driver: SqlDriver) => BatchApplier): Promise<DurableReplica> {
    await db.transaction((d) => d.exec(OUTBOX_DDL));
    // The engine may create its tables on construction; do it under the write lock.
    const engine = await db.transaction((d) => makeEngine(d));
    return new DurableReplica(db, engine);
  }

  /**
   * Commits local batches. Queued batches are grouped into one SQLite transaction, but each
   * sits in its own savepoint: a batch is committed whole or not at all, and a bad one is
   * rejected alone. Resolves once the transaction holding it has committed.
   */
  commitLocal(batches: Batch[]): Promise<BatchFate[]> {
    const fates = batches.map((batch) => new Promise<BatchFate>((done) => this.queue.push({ batch, done })));
    this.draining ??= this.drain();
    return Promise.all(fates);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const group = this.queue;
        this.queue = [];
        let fates: BatchFate[];
        try {
          fates = await this.db.transaction((d) => group.map(({ batch }) => this.applyOne(d, batch, true)));
        } catch (e) {
          const reason = `local commit failed: ${(e as Error)?.message ?? e}`;
          fates = group.map(({ batch }) => ({ batchId: batch.batchId, kind: "rejected", code: "local_commit_failed", reason }));
        }
        group.forEach((entry, i) => entry.done(fates[i]!));
      }
    } finally {
      this.draining = null;
    }
  }

  private applyOne(d: SqlDriver, batch: Batch, outbox: boolean): BatchFate {
    d.exec("SAVEPOINT jazz_batch");
    try {
      this.engine.applyBatch(batch);
      if (outbox) d.run(`INSERT OR IGNORE INTO ${OUTBOX_TABLE} (batch_id, body) VALUES (?, ?)`, [batch.batchId, encodeBatch(batch)]);
      d.exec("RELEASE jazz_batch");
      return { batchId: batch.batchId, kind: "accepted", tier: "local" };
    } catch (e) {
      d.exec("ROLLBACK TO jazz_batch; RELEASE jazz_batch");
      return { batchId: batch.batchId, kind: "rejected", code: "local_apply_failed", reason: String((e as Error)?.message ?? e) };
    }
  }

  /** The tables the engine knows (sent with batches, so other tabs' mirrors learn them). */
  schema(): RuntimeSchema | undefined {
    return this.engine.getSchema?.();
  }

  /** Make sure the tables of `schema` exist before batches for them arrive. */
  async addTables(schema: RuntimeSchema): Promise<void> {
    const add = this.engine.addTables;
    if (add) await this.db.transaction(() => add.call(this.engine, schema));
  }

  /** Batches from upstream (server): merged durably, not queued for upload. */
  async applyRemote(batches: Batch[]): Promise<void> {
    await this.db.transaction((d) => {
      for (const b of batches) this.applyOne(d, b, false);
    });
  }

  /** Batches not yet settled upstream, oldest first (for the upstream link to send). */
  async outbox(): Promise<Batch[]> {
    return this.db.transaction((d) =>
      d.all(`SELECT body FROM ${OUTBOX_TABLE} ORDER BY seq`).map((r) => decodeBatch(r[0] as string)),
    );
  }

  /** Upstream has settled these batches (accepted at its tier, or rejected): drop them. */
  async settle(batchIds: string[]): Promise<void> {
    await this.db.transaction((d) => {
      for (const id of batchIds) d.run(`DELETE FROM ${OUTBOX_TABLE} WHERE batch_id = ?`, [id]);
    });
  }

  /** A consistent image of the whole database, taken under the lock. */
  async image(): Promise<Uint8Array> {
    await this.draining;
    return this.db.transaction((d) => {
      if (!d.serialize) throw new Error("this database cannot be serialized");
      return d.serialize();
    });
  }

  /** SQLite's integrity check of the durable file ("ok" when sound). */
  async integrityCheck(): Promise<string> {
    return this.db.transaction((d) => d.all("PRAGMA integrity_check").map((r) => String(r[0])).join("\n"));
  }

  close(): void {
    this.db.close();
  }
}
