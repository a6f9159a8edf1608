// What the subscription store needs from a Db: `subscribeAll` as documented (reference §1.4,
// §2.2). Kept structural so the store depends on the documented contract, not on a class.

import type { DurabilityTier } from "../engine/batch.ts";
import type { QueryLike } from "../query/ir.ts";

export const RowChangeKind = { Added: 0, Removed: 1, Updated: 2 } as const;

export type RowDelta<T> =
  | { kind: 0; id: string; index: number; item: T }
  | { kind: 1; id: string; index: number }
  | { kind: 2; id: string; index: number; item?: T };

export interface SubscriptionDelta<T> {
  all: T[];
  delta: RowDelta<T>[];
}

export interface LiveQueryOptions {
  tier?: DurabilityTier;
  localUpdates?: "immediate" | "deferred";
  propagation?: "full" | "local-only";
  visibility?: "public" | "hidden_from_live_query_list";
}

export interface LiveQuerySource {
  subscribeAll<T extends { id: string }>(
    query: QueryLike<T>,
    cb: (change: SubscriptionDelta<T>) => void,
    options?: LiveQueryOptions,
  ): () => void;
}
