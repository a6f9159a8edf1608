// The framework-free part of `createJazzClient`: a Db plus the shared subscription store, a
// cached auth state (so hooks/refs read a stable snapshot) and one shutdown that tears down
// both. Each adapter's createJazzClient creates the Db and registers window.__jazz around it.

import type { AuthState, Session } from "@jazz-tools/auth";
import { SubscriptionStore, type SubscriptionStoreOptions } from "./store.ts";
import type { LiveQuerySource } from "./types.ts";
import type { SyncStatus } from "../db/sync-status.ts";

export interface ClientDb extends LiveQuerySource {
  getAuthState(): AuthState;
  onAuthChanged(listener: (state: AuthState) => void): () => void;
  updateAuthToken?(jwt: string | null): void;
  getSyncStatus?(): SyncStatus;
  onSyncStatusChanged?(listener: (status: SyncStatus) => void): () => void;
  shutdown(): Promise<void>;
}

const NO_SYNC_STATUS: SyncStatus = Object.freeze({ connection: "closed", reason: "this Db reports no sync status", pendingBatches: 0 });

export interface JazzClient<DB extends ClientDb = ClientDb> {
  readonly db: DB;
  /** The current session (changes only through an auth update for the same principal). */
  readonly session: Session | null;
  readonly authState: AuthState;
  /** The shared live-query store (the reference calls it the subscriptions manager). */
  readonly manager: SubscriptionStore;
  onAuthChanged(listener: (state: AuthState) => void): () => void;
  /** db.getSyncStatus(), as a stable snapshot (a new object only when something changed). */
  readonly syncStatus: SyncStatus;
  onSyncStatusChanged(listener: (status: SyncStatus) => void): () => void;
  readonly isShutdown: boolean;
  /** Ends every live query, runs the adapter's cleanup, and shuts the Db down. Idempotent. */
  shutdown(): Promise<void>;
}

export function createJazzClientFromDb<DB extends ClientDb>(
  db: DB,
  options: SubscriptionStoreOptions & { onShutdown?: () => void } = {},
): JazzClient<DB> {
  const manager = new SubscriptionStore(db, options);
  const listeners = new Set<(state: AuthState) => void>();
  let authState = db.getAuthState();
  const stopAuth = db.onAuthChanged((state) => {
    authState = state;
    for (const l of [...listeners]) l(state);
  });
  const syncListeners = new Set<(status: SyncStatus) => void>();
  let syncStatus = db.getSyncStatus?.() ?? NO_SYNC_STATUS;
  const stopSync =
    db.onSyncStatusChanged?.((status) => {
      syncStatus = status;
      for (const l of [...syncListeners]) l(status);
    }) ?? (() => {});
  let done: Promise<void> | null = null;
  return {
    db,
    manager,
    get syncStatus() {
      return syncStatus;
    },
    onSyncStatusChanged(listener) {
      syncListeners.add(listener);
      return () => void syncListeners.delete(listener);
    },
    get session() {
      return authState.session;
    },
    get authState() {
      return authState;
    },
    onAuthChanged(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    get isShutdown() {
      return done !== null;
    },
    shutdown() {
      done ??= (async () => {
        stopAuth();
        stopSync();
        listeners.clear();
        syncListeners.clear();
        manager.destroy();
        options.onShutdown?.();
        await db.shutdown();
      })();
      return done;
    },
  };
}
