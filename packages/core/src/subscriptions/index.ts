export { SubscriptionStore, QueryObserver, SubscriptionStoreClosedError, queryKey } from "./store.ts";
export type { ObserverListener, SubscriptionStoreOptions } from "./store.ts";
export { applyDelta, reconcileArray, patchObject } from "./reconcile.ts";
export { shareRows } from "./share.ts";
export { valuesEqual, cloneValue } from "./equality.ts";
export { RowChangeKind } from "./types.ts";
export type { RowDelta, SubscriptionDelta, LiveQueryOptions, LiveQuerySource } from "./types.ts";
export { createJazzClientFromDb } from "./client.ts";
export type { ClientDb, JazzClient } from "./client.ts";
