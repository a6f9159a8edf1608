// The seam where the worker connects upstream (the sync server). The worker owns durability
// and the network; this module owns "upstream". The sync engineer plugs a server link in with
// `setUpstreamFactory`; without one the worker is the authority and `local` is the last tier.
//
// Contract for an Upstream:
// - `start` is called once the durable replica is open. Read `replica.outbox()` to resend
//   unsettled batches (after a reload or reconnect).
// - `onLocalCommitted` is called after each local commit with the batches just made durable
//   (the worker has already posted them to the other tabs).
// - Apply server batches with `replica.applyRemote(batches)`, then `publishRemote(batches)` so
//   every tab's mirror merges them.
// - Follow each server fate with `replica.applyFate(fate)` (drops it from the outbox; rejected:
//   retracts it durably, accepted transaction: applies it), then publish the applied
//   transaction with `publishRemote` and `publishFates([fate], retracted)`.
// - Server evictions: `replica.evict(table, ids)`, then `publishEvicted(table, dropped)`.
// - Several tabs of one namespace each run a worker on the same file: only one should talk to
//   the server. `runAsLeader` (Web Lock per namespace) elects it; followers' commits still land
//   in the shared outbox, which the leader drains.

import type { LinkConnectionState } from "@jazz-tools/core";
import type { Batch, BatchFate, DurabilityTier, QueryIR, RuntimeSchema } from "@jazz-tools/core";
import type { DurableReplica } from "./durable-replica.ts";
import type { RetractedRow } from "./undo-log.ts";

export interface UpstreamContext {
  replica: DurableReplica;
  namespace: string;
  schema: RuntimeSchema;
  /** The Db config fields a server link needs (serverUrl, appId, tokens…), as given to createDb. */
  config: Record<string, unknown>;
  publishRemote(batches: Batch[]): void;
  /** `retracted`: the rows the replica rebuilt for rejected fates (every mirror takes them). */
  publishFates(fates: BatchFate[], retracted?: RetractedRow[]): void;
  /** Rows the replica dropped after a server eviction (every mirror drops them). */
  publishEvicted(table: string, ids: string[]): void;
}

export interface Upstream {
  onLocalCommitted(batches: Batch[]): void;
  close(): Promise<void>;
  /** Query-scoped sync (the tabs' subscriptions, ids already unique per tab). */
  subscribeQuery?(queryId: string, query: QueryIR, tier: DurabilityTier): void;
  unsubscribeQuery?(queryId: string): void;
  onQuerySettled?(listener: (queryId: string, tier: DurabilityTier) => void): () => void;
  onQueryRefused?(listener: (queryId: string, reason: string) => void): () => void;
  onAuth?(listener: (e: { error?: string; message?: string }) => void): () => void;
  /** The server's active permissions bundle, for the tabs' local enforcement. */
  onCatalogue?(listener: (permissions: unknown) => void): () => void;
  /** A refreshed session token from a tab (db.updateAuthToken). */
  updateToken?(jwt: string | null): void;
  /** The server connection's state, now and on every change. */
  onStatus?(listener: (connection: LinkConnectionState["connection"], reason?: string) => void): () => void;
}

export type UpstreamFactory = (ctx: UpstreamContext) => Upstream | null;

let factory: UpstreamFactory = () => null;

/** Install the server link used by every worker started afterwards (call in the worker). */
export function setUpstreamFactory(f: UpstreamFactory): void {
  factory = f;
}

export function createUpstream(ctx: UpstreamContext): Upstream | null {
  return factory(ctx);
}

/**
 * Runs `lead` while this worker holds the namespace's leader lock; resolves the returned
 * release function's promise when leadership ends (worker closes or `release` is called).
 */
export function runAsLeader(namespace: string, lead: () => Promise<void> | void): () => void {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  void navigator.locks.request(`jazz-upstream:${namespace}`, async () => {
    await lead();
    await released;
  });
  return release;
}
