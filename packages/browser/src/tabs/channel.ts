// Cross-tab fan-out of applied batches. Every tab of one namespace opens the same OPFS file, so
// a tab's mirror only needs to hear about batches other tabs (or upstream) applied. A mirror
// posts each local batch as it applies it (so other tabs' live queries update in a few ms, not
// after the commit); a worker posts what it applied from upstream. Merges are idempotent, so a
// batch heard twice is harmless. BroadcastChannel never delivers to the posting object itself.

import type { Batch, BatchFate, RuntimeSchema } from "@jazz-tools/core";

export type TabMessage =
  /** Batches committed to the shared file. `origin` is the committing tab, or "upstream". */
  | { type: "batches"; origin: string; batches: Batch[]; schema?: RuntimeSchema }
  /** Fates decided upstream; only the authoring tab knows the batch ids. */
  | { type: "fates"; fates: BatchFate[] }
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
