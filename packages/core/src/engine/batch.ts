// A batch is the unit of replication. The mirror, the worker, the server and every other
// replica apply the same batches with the same merge, in any order, any number of times, and
// converge (LWW per column on (ts, batchId); deletes win).

import type { SqlValue } from "../sql/driver.ts";

export type DurabilityTier = "local" | "edge" | "global";

export interface RowWrite {
  table: string;
  /** Row id: a UUID string (UUIDv7 when we generate it). */
  id: string;
  /**
   * insert: creates the row with every column in `values` (all columns present);
   * update: sets only the columns in `values`;
   * delete: tombstones the row (a delete wins over any update, whatever its clock).
   */
  op: "insert" | "update" | "delete";
  /** Storage-encoded column values (see engine/encoding): never app-side objects. */
  values?: Record<string, SqlValue>;
}

export interface Batch {
  /** UUIDv7 as 32 lowercase hex characters, no dashes (the reference's BatchId text form). */
  batchId: string;
  /** Author's strictly monotonic wall clock in microseconds; every write in the batch uses it. */
  ts: number;
  /** user_id of the session that wrote it ($createdBy / $updatedBy). */
  author: string;
  /** Direct batches apply at once; transactional ones only once the authority accepts them. */
  kind: "direct" | "transaction";
  writes: RowWrite[];
  /**
   * Transactions only: the author's clock (µs) when the transaction staged its first write. The
   * authority rejects the transaction with `transaction_conflict` when a row it writes received
   * a write with a later clock from another batch. Defaults to `ts` when absent.
   */
  stagedAt?: number;
  /**
   * The schema version (hash) whose table and column names the writes use. Replicas on other
   * versions receive the batch translated through the migrations between the two.
   */
  schemaHash?: string;
}

export type BatchFate =
  | { batchId: string; kind: "accepted"; tier: DurabilityTier }
  | { batchId: string; kind: "rejected"; code: string; reason: string };
