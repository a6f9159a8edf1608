import { getCurrentScope, onScopeDispose, readonly, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref } from "vue";
import type { Session } from "@jazz-tools/auth";
import { applyDelta, cloneValue, queryKey, reconcileArray, type LiveQueryOptions, type SubscriptionDelta } from "@jazz-tools/core/subscriptions";
import type { QueryLike, SyncStatus } from "@jazz-tools/core";
import { useJazzClient } from "./provider.ts";
import type { Db, RowOf } from "./types.ts";

export function useDb(): Db {
  return useJazzClient().db;
}

/**
 * The session of the provider's client, as the reference returns it: a plain `Session | null`
 * (not a ref). A new identity comes with a new client, which remounts the provider's children.
 */
export function useSession(): Session | null {
  return useJazzClient().session;
}

/** db.getSyncStatus() as a read-only ref, updated on every change; stops with the component's scope. */
export function useSyncStatus(): Readonly<Ref<SyncStatus>> {
  const client = useJazzClient();
  const status = shallowRef(client.syncStatus);
  const stop = client.onSyncStatusChanged((s) => (status.value = s));
  if (getCurrentScope()) onScopeDispose(stop);
  return readonly(status) as Readonly<Ref<SyncStatus>>;
}

/**
 * Live rows of a query (a value, ref or getter; `undefined` skips it). The result is a deep ref
 * reconciled in place: untouched rows keep their identity and only changed fields are written,
 * so a watcher of one field of one row runs only when that field changes.
 */
export function useAll<Q extends QueryLike<any>>(
  query: MaybeRefOrGetter<Q | undefined>,
  options?: MaybeRefOrGetter<LiveQueryOptions | undefined>,
): Ref<RowOf<Q>[] | undefined> {
  const client = useJazzClient();
  const result = ref<RowOf<Q>[] | undefined>(undefined) as Ref<RowOf<Q>[] | undefined>;
  const sync = (rows: RowOf<Q>[] | undefined, change?: SubscriptionDelta<any>) => {
    if (!rows) return;
    if (result.value === undefined) result.value = cloneValue(rows);
    // A delta of updates patches just those rows (O(changes)); anything else reconciles.
    else if (change) applyDelta(result.value as any[], { all: rows as any[], delta: change.delta });
    else reconcileArray(result.value, rows);
  };
  // Watch the key, not the query object: a new builder object with the same query is no change.
  watch(
    () => {
      const q = toValue(query);
      return q ? queryKey(q, toValue(options)) : null;
    },
    (key, _prev, onCleanup) => {
      const q = toValue(query);
      if (key === null || !q) {
        result.value = undefined;
        return;
      }
      const observer = client.manager.observe(q as QueryLike<any>, toValue(options));
      const error = observer.getError();
      if (error !== undefined) throw error;
      const first = observer.getSnapshot() as RowOf<Q>[] | undefined;
      if (!first) result.value = undefined;
      else sync(first);
      onCleanup(observer.subscribe((rows, change) => sync(rows as RowOf<Q>[], change)));
    },
    { immediate: true },
  );
  return result;
}
