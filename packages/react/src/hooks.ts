import { use, useCallback, useSyncExternalStore } from "react";
import type { AuthState, Session } from "@jazz-tools/auth";
import type { LiveQueryOptions, QueryObserver } from "@jazz-tools/core/subscriptions";
import type { QueryLike, SyncStatus } from "@jazz-tools/core";
import { useJazzClient } from "./context.ts";
import type { Db, RowOf } from "./types.ts";

export function useDb(): Db {
  return useJazzClient().db;
}

function useAuth(): AuthState {
  const client = useJazzClient();
  return useSyncExternalStore(client.onAuthChanged, () => client.authState, () => client.authState);
}

export function useSession(): Session | null {
  return useAuth().session;
}

export interface AuthStateView {
  authMode: AuthState["authMode"];
  userId: string | null;
  claims: Record<string, unknown>;
  error?: AuthState["error"];
}

export function useAuthState(): AuthStateView {
  const state = useAuth();
  const view: AuthStateView = {
    authMode: state.authMode,
    userId: state.session?.user_id ?? null,
    claims: state.session?.claims ?? {},
  };
  if (state.error) view.error = state.error;
  return view;
}

/** db.getSyncStatus(), re-rendering on every change (connection, reason, pending writes). */
export function useSyncStatus(): SyncStatus {
  const client = useJazzClient();
  return useSyncExternalStore(client.onSyncStatusChanged, () => client.syncStatus, () => client.syncStatus);
}

const noSubscribe = () => () => {};
const nothing = () => undefined;

function useObserver<Q extends QueryLike<any>>(query: Q | undefined, options?: LiveQueryOptions) {
  const client = useJazzClient();
  // observe() is a keyed lookup: the same query and options give the same observer every render.
  const observer = query ? (client.manager.observe(query as QueryLike<any>, options) as QueryObserver<any>) : null;
  const subscribe = useCallback((cb: () => void) => (observer ? observer.subscribe(cb) : noSubscribe()), [observer]);
  const rows = useSyncExternalStore(subscribe, observer ? observer.getSnapshot : nothing, observer ? observer.getSnapshot : nothing);
  const error = observer?.getError();
  if (error !== undefined) throw error;
  return { observer, rows: rows as RowOf<Q>[] | undefined };
}

/**
 * Live rows of `query`: `undefined` while loading or when `query` is undefined. Each change
 * gives a new array; rows that did not change keep their object identity (so memo rows skip).
 */
export function useAll<Q extends QueryLike<any>>(query: Q | undefined, options?: LiveQueryOptions): RowOf<Q>[] | undefined {
  return useObserver(query, options).rows;
}

/** Like useAll, but suspends (to the provider's fallback) until the first result. */
export function useAllSuspense<Q extends QueryLike<any>>(query: Q | undefined, options?: LiveQueryOptions): RowOf<Q>[] {
  const { observer, rows } = useObserver(query, options);
  if (!observer) return [];
  return rows ?? (use(observer.whenLoaded()) as RowOf<Q>[]);
}
