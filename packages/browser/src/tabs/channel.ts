// Cross-tab fan-out of applied batches. Every tab of one namespace opens the same OPFS file, so
// a tab's mirror only needs to hear about batches other tabs (or upstream) applied.
// - A mirror posts each local batch as it applies it, marked unconfirmed (other tabs' live
//   queries update in a few ms, not after an OPFS commit that may wait for the file), and posts
//   "durable" once its worker committed it. A tab that hears of a batch that then fails to
//   commit, or whose author tab goes away (its lease, sync/messages.ts) before confirming it,
//   takes those rows' durable state from its own worker: nothing that never became durable
//   stays visible.
// - The leading worker posts what it applied from upstream and what the server decided (fates
//   with the rows a retraction rebuilt; evictions).
// Merges are idempotent, so a batch heard twice is harmless. BroadcastChannel never delivers to
// the posting object itself, and one poster's messages arrive in order.

import type { Batch, BatchFate, RowState, RuntimeSchema } from "@jazz-tools/core";

export type TabMessage =
  /**
   * Batches for the shared file. `origin` is the writing tab, or "upstream" (already durable).
   * `unconfirmed`: a tab's local batches, not yet committed (see "durable").
   */
  | { type: "batches"; origin: string; batches: Batch[]; schema?: RuntimeSchema; unconfirmed?: boolean }
  /** The origin tab's worker committed `batchIds`; `failed` never will be. */
  | { type: "durable"; origin: string; batchIds: string[]; failed: string[] }
  /**
   * Fates decided upstream; only the authoring tab knows the batch ids. `retracted`: rows the
   * worker rebuilt without a rejected batch (every mirror takes them: other tabs merged the
   * batch as a remote one, and a reloaded author no longer knows it).
   */
  | { type: "fates"; fates: BatchFate[]; retracted?: { table: string; id: string; row: RowState | null }[]; schema?: RuntimeSchema }
  /** Rows that left every synced query's scope (server `evict`), dropped by the worker. */
  | { type: "evict"; table: string; ids: string[] }
  /** Storage reset handshake (deleteClientStorage). */
  | { type: "reset-request"; requestId: string; origin: string }
  | { type: "reset-ack"; requestId: string; origin: string }
  | { type: "reset-finished"; requestId: string; origin: string };

export function tabChannelName(namespace: string): string {
  return `jazz-tabs:${namespace}`;
}

export function openTabChannel(namespace: string): BroadcastChannel {
  return new BroadcastChannel(tabChannelName(namespace));
}

/**
 * The storage-reset handshake has its own channel: a listener on the batch channel would
 * deserialize every batch the tab posts (10k rows = hundreds of ms) only to ignore it.
 */
export function openResetChannel(namespace: string): BroadcastChannel {
  return new BroadcastChannel(`jazz-reset:${namespace}`);
}
