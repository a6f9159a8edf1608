// The seam between a Db (the synchronous replica the app reads and writes) and whatever makes
// its writes durable and brings in writes from elsewhere: the browser worker (OPFS, tabs,
// server link), a direct server connection (memory driver with serverUrl), or nothing.

import type { Batch, BatchFate, DurabilityTier } from "../engine/batch.ts";
import type { QueryIR } from "../query/ir.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { LinkConnectionState } from "./sync-status.ts";

export interface LinkListener {
  /** A batch reached a tier, or the authority rejected it. */
  onFate(fate: BatchFate): void;
  /** Batches applied elsewhere (server, another tab) that this replica must merge. */
  onRemoteBatches(batches: Batch[]): void;
  /** A synced query has settled at a tier (its first snapshot is complete there). */
  onQuerySettled?(queryId: string, tier: DurabilityTier): void;
  /**
   * These rows left every synced query's scope without being written (e.g. read permission
   * revoked): drop them from the local replica — not a delete, they still exist elsewhere.
   */
  onRowsEvicted?(table: string, ids: string[]): void;
  /** The durable side refused a synced query (it does not compile there, ...). */
  onQueryRefused?(queryId: string, reason: string): void;
}

export interface ReplicaLink {
  /** Hand over a batch already applied locally; its fate arrives through the listener. */
  push(batch: Batch): void;
  /**
   * Optional: called just before a local batch is applied to this replica, so the durable side
   * can start on it in parallel (a large batch: its apply there overlaps the one here). It must
   * not become durable until `push` confirms it; `abandon` says the local apply failed.
   */
  prepare?(batch: Batch): void;
  abandon?(batchId: string): void;
  /**
   * Optional: true when the link itself puts back the rows of a rejected local batch (from the
   * durable side) before it reports the fate. The Db then keeps no pre-images for its local
   * batches, which makes large local batches cheaper to apply.
   */
  readonly restoresRejected?: boolean;
  /**
   * Optional: the schema (s.defineApp's) whose names this replica's writes use from now on. A
   * link to a server stamps the batches it records with its hash, so a server on another
   * schema version translates them (migrations).
   */
  declareSchema?(schema: RuntimeSchema): void;
  /** Ask the durable side / server to keep this query's rows in sync with this replica. */
  subscribeQuery?(queryId: string, query: QueryIR, tier: DurabilityTier): void;
  unsubscribeQuery?(queryId: string): void;
  listen(listener: LinkListener): () => void;
  /** Optional: the connection to the server as this link sees it (for db.getSyncStatus()). */
  connectionState?(): LinkConnectionState;
  /** Optional: called whenever connectionState() may have changed. */
  onConnectionState?(listener: () => void): () => void;
  close(): Promise<void>;
}
