// What the worker does with batches, free of Worker/Comlink plumbing so it is testable in Node:
// commit local batches durably (each atomically, with its outbox entry), apply batches that
// arrive from upstream, follow the server's decisions (retract a rejected batch durably, apply
// an accepted transaction, drop evicted rows), and serve a database image for mirror hydration.
//
// With an upstream authority (`upstream: true`, a server is configured) local batches are
// pending until the server decides: their undo records are kept durably (undo-log.ts), and
// transactions are only queued in the outbox — like the mirror Db, the replica applies them
// once the server accepts them. Without one, the worker is the authority and applies all.

import { JazzError } from "@jazz-tools/core";
import type { Batch, BatchFate, RowState, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { decodeBatch, encodeBatch } from "./batch-codec.ts";
import type { UndoLog, RetractableEngine, RetractedRow } from "./undo-log.ts";

/** Core's Store (or anything that merges a batch into the tables of `driver`). */
export interface BatchApplier {
  applyBatch(batch: Batch): unknown;
  /** Create the tables of `schema` not known yet (the Db learns tables lazily). */
  addTables?(schema: RuntimeSchema): unknown;
  getSchema?(): RuntimeSchema;
  /** Retraction support (core's Store has these); without them rejected batches stay applied. */
  readRow?(table: string, id: string): RowState | null;
  putRow?(table: string, id: string, row: RowState | null): void;
  /** Drop rows without deleting them (they left every synced query's scope). */
  evict?(table: string, ids: string[]): unknown;
}

export interface DurableReplicaOptions {
  /** A server decides local batches (see the header). */
  upstream?: boolean;
}

/** What following one server fate changed, for the tabs' mirrors. */
export interface FateOutcome {
  /** An accepted transaction, applied now (the tabs merge it like a remote batch). */
  applied?: Batch;
  /** Rows rebuilt by retracting a rejected batch. */
  retracted: RetractedRow[];
}

/** A SQLite database with async-acquired write transactions (OPFS), or a plain one in tests. */
export interface DurableDatabase {
  readonly driver: SqlDriver;
  /**
   * Runs `fn` in one write transaction. `hold`, if given, is awaited after `fn` and before the
   * commit (the lock stays held): false rolls everything back and rejects with TransactionHeldBackError.
   */
  transaction<T>(fn: (driver: SqlDriver) => T, hold?: () => Promise<boolean>): Promise<T>;
  close(): void;
}

/** A transaction whose `hold` answered false: nothing of it was committed. */
export class TransactionHeldBackError extends JazzError {
  readonly code: string = "transaction_held_back";
  override name = "TransactionHeldBackError";
  constructor() {
    super("the transaction was rolled back: its batch was abandoned before commit");
  }
}

export const OUTBOX_TABLE = "_jazz_outbox";
// No AUTOINCREMENT: only the order of the rows present matters (a new row gets max(seq) + 1),
// and sqlite_sequence would be one more page written by every commit (single-row commits
// measured 6.3 -> 5.6 ms in bench/browser). Files made before keep their AUTOINCREMENT table.
const OUTBOX_DDL = `CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
  seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)`;

type QueuedCommit = {
  batch: Batch;
  done: (fate: BatchFate) => void;
  /** The tables the batch's tab knows, added before the batch is applied. */
  schema?: RuntimeSchema;
  /** Commit only once this answers true (see commitLocal). */
  hold?: () => Promise<boolean>;
};

export class DurableReplica {
  private queue: QueuedCommit[] = [];
  private draining: Promise<void> | null = null;

  private constructor(
    private readonly db: DurableDatabase,
    private readonly engine: BatchApplier,
    private readonly undo: UndoLog | null,
    private readonly deferTransactions: boolean,
  ) {}

  static async open(
    db: DurableDatabase,
    makeEngine: (driver: SqlDriver) => BatchApplier,
    opts: DurableReplicaOptions = {},
  ): Promise<DurableReplica> {
    await db.transaction((d) => d.exec(OUTBOX_DDL));
    // Undo records are kept only with a server (loaded on demand, like the rest of sync).
    const undoLog = opts.upstream ? (await import("./undo-log.ts")).UndoLog : null;
    // The engine may create its tables on construction; do it under the write lock.
    const [engine, undo] = await db.transaction((d) => {
      const e = makeEngine(d);
      return [e, undoLog && isRetractable(e) ? new undoLog(d, e) : null] as const;
    });
    return new DurableReplica(db, engine, undo, !!opts.upstream);
  }

  /**
   * Commits local batches, in the order of the calls. Queued batches are grouped into one SQLite
   * transaction, but each sits in its own savepoint: a batch is committed whole or not at all,
   * and a bad one is rejected alone. Resolves once the transaction holding it has committed.
   * `schema`: tables to add first. `hold` (one batch only): the batch is applied at once but
   * committed only when `hold` answers true — its tab is still applying it to its mirror and
   * may yet abandon it (false: rejected with code "abandoned", nothing written).
   */
  commitLocal(batches: Batch[], opts: { schema?: RuntimeSchema; hold?: () => Promise<boolean> } = {}): Promise<BatchFate[]> {
    if (opts.hold && batches.length !== 1) throw new Error("commitLocal: a held commit takes exactly one batch");
    const fates = batches.map(
      (batch, i) => new Promise<BatchFate>((done) => this.queue.push({ batch, done, ...(i === 0 ? { schema: opts.schema } : {}), hold: opts.hold })),
    );
    this.draining ??= this.drain();
    return Promise.all(fates);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        // A held batch commits alone: the batches before it go first, those after it wait.
        const held = this.queue.findIndex((e) => e.hold);
        const group = this.queue.splice(0, held === 0 ? 1 : held < 0 ? this.queue.length : held);
        const hold = group[0]!.hold;
        let fates: BatchFate[];
        try {
          for (const { schema } of group) if (schema) await this.addTables(schema);
          fates = await this.db.transaction((d) => group.map(({ batch }) => this.applyOne(d, batch, true)), hold);
        } catch (e) {
          const abandoned = e instanceof TransactionHeldBackError;
          const reason = abandoned ? "the tab abandoned the batch before it was committed" : `local commit failed: ${(e as Error)?.message ?? e}`;
          const code = abandoned ? "abandoned" : "local_commit_failed";
          fates = group.map(({ batch }) => ({ batchId: batch.batchId, kind: "rejected", code, reason }));
        }
        group.forEach((entry, i) => entry.done(fates[i]!));
      }
    } finally {
      this.draining = null;
    }
  }

  /** `outbox`: a local batch (queued for upload, pending until the server decides). */
  private applyOne(d: SqlDriver, batch: Batch, outbox: boolean): BatchFate {
    d.exec("SAVEPOINT jazz_batch");
    try {
      const body = outbox ? encodeBatch(batch) : "";
      // A transaction becomes visible only once the server accepts it (applyFate).
      if (!(outbox && this.deferTransactions && batch.kind === "transaction")) {
        const fresh = outbox ? this.undo?.beforeLocal(batch) : undefined;
        this.engine.applyBatch(batch);
        if (fresh) this.undo!.afterLocal(batch, body, fresh);
        else if (!outbox) this.undo?.afterRemote(batch);
      }
      if (outbox) d.run(`INSERT OR IGNORE INTO ${OUTBOX_TABLE} (batch_id, body) VALUES (?, ?)`, [batch.batchId, body]);
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

  /** Upstream accepted these batches: drop them from the outbox (see applyFate for the rest). */
  async settle(batchIds: string[]): Promise<void> {
    await this.db.transaction((d) => {
      for (const id of batchIds) {
        this.undo?.settle(id);
        d.run(`DELETE FROM ${OUTBOX_TABLE} WHERE batch_id = ?`, [id]);
      }
    });
  }

  /**
   * Follow the server's decision on a batch, atomically: accepted → no longer retractable (a
   * transaction is applied now); rejected → its rows are rebuilt without it. Either way it
   * leaves the outbox. The server answers any batch it has seen, so fates for batches another
   * replica pushed are harmless no-ops.
   */
  async applyFate(fate: BatchFate): Promise<FateOutcome> {
    return this.db.transaction((d) => {
      const out: FateOutcome = { retracted: [] };
      const body = d.all(`SELECT body FROM ${OUTBOX_TABLE} WHERE batch_id = ?`, [fate.batchId])[0]?.[0] as string | undefined;
      if (fate.kind === "accepted" && fate.tier !== "global") {
        // An edge server answers `edge` first; the core may still reject the batch. Keep it in
        // the outbox (re-pushed after a reload, the edge answers with where it is now) and keep
        // its undo record. A transaction is decided by the core only, so never reaches here
        // with `edge`; apply it anyway rather than lose it.
        const batch = body === undefined ? null : decodeBatch(body);
        if (batch?.kind !== "transaction") return out;
      }
      if (fate.kind === "accepted") {
        const batch = body === undefined ? null : decodeBatch(body);
        if (batch && batch.kind === "transaction" && this.deferTransactions && this.applyOne(d, batch, false).kind === "accepted") out.applied = batch;
        this.undo?.settle(fate.batchId);
      } else {
        out.retracted = this.undo?.reject(fate.batchId) ?? [];
      }
      d.run(`DELETE FROM ${OUTBOX_TABLE} WHERE batch_id = ?`, [fate.batchId]);
      return out;
    });
  }

  /**
   * Rows that left every synced query's scope: drop them, except rows with local writes the
   * server has not decided yet (dropping those would lose the write's local effect). Returns
   * the ids dropped.
   */
  async evict(table: string, ids: string[]): Promise<string[]> {
    const evict = this.engine.evict;
    if (!evict || !this.engine.getSchema?.().tables[table]) return [];
    return this.db.transaction(() => {
      const gone = this.undo ? ids.filter((id) => !this.undo!.hasPending(table, id)) : ids;
      if (!gone.length) return [];
      evict.call(this.engine, table, gone);
      for (const id of gone) this.undo?.forget(table, id);
      return gone;
    });
  }

  /** The durable state of these rows (null: absent), for a mirror to take over. */
  async readRows(keys: { table: string; id: string }[]): Promise<RetractedRow[]> {
    const read = this.engine.readRow;
    const tables = this.engine.getSchema?.().tables ?? {};
    if (!read) return [];
    return this.db.transaction(() => keys.filter((k) => tables[k.table]).map((k) => ({ ...k, row: read.call(this.engine, k.table, k.id) })));
  }

  /** Local batches whose retraction records are still pending (tests, devtools). */
  async pendingBatchIds(): Promise<string[]> {
    return this.db.transaction(() => this.undo?.pendingBatchIds() ?? []);
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

function isRetractable(e: BatchApplier): e is BatchApplier & RetractableEngine {
  return typeof e.readRow === "function" && typeof e.putRow === "function" && typeof e.getSchema === "function";
}
