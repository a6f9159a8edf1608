// Sync control messages between a namespace's tabs and workers, on their own BroadcastChannel
// (`jazz-sync:<namespace>`) so the data channel (tabs/channel.ts) stays as it is. Query ids are
// prefixed with the tab id (`<tabId>/<queryId>`): every tab's Db numbers its queries from q1.

import type { DurabilityTier, LinkConnectionState, QueryIR, RuntimeSchema } from "@jazz-tools/core";

export type SyncMessage =
  /** A tab's query should be synced by whichever worker leads (talks to the server). */
  | { type: "subscribe"; queryId: string; query: QueryIR; tier: DurabilityTier; schema?: RuntimeSchema }
  | { type: "unsubscribe"; queryId: string }
  /** The server says a query settled at a tier (its first snapshot is complete there). */
  | { type: "settled"; queryId: string; tier: DurabilityTier }
  /** The server refused a query's subscription (it will never settle). */
  | { type: "refused"; queryId: string; reason: string }
  /** A worker took over the server connection: every worker re-sends its own tab's queries. */
  | { type: "resubscribe" }
  /** Local commits landed in the shared outbox; the leader pushes them. */
  | { type: "committed" }
  /** The server's verdict on the credentials (`error` unset: accepted). */
  | { type: "auth"; error?: string; message?: string }
  /** The server's active permissions bundle (leader → tabs); `catalogue-request`: a tab asks the leader to repeat it. */
  | { type: "catalogue"; permissions: unknown }
  | { type: "catalogue-request" }
  /** The leader's server connection (leader → tabs); `status-request`: a tab asks for it again. */
  | { type: "status"; connection: LinkConnectionState["connection"]; reason?: string }
  | { type: "status-request" }
  /** A tab's worker is closing (pagehide, shutdown): its subscriptions go with it. */
  | { type: "tab-closed"; tabId: string };

export function openSyncChannel(namespace: string): BroadcastChannel {
  return new BroadcastChannel(`jazz-sync:${namespace}`);
}

export const tabQueryId = (tabId: string, queryId: string) => `${tabId}/${queryId}`;

/** The tab's own query id, or null when the message is for another tab. */
export function ownQueryId(tabId: string, wireId: string): string | null {
  return wireId.startsWith(`${tabId}/`) ? wireId.slice(tabId.length + 1) : null;
}

/** The Web Lock a tab's worker holds while it lives: its subscriptions' lease. */
export const tabLockName = (namespace: string, tabId: string) => `jazz-tab:${namespace}:${tabId}`;

/**
 * Take the tab's lease; resolves once held, with the function that lets it go. The browser
 * releases it when the worker ends in any way (closed, crashed, killed with the tab).
 */
export function holdTabLease(namespace: string, tabId: string): Promise<() => void> {
  return new Promise((held) => {
    void navigator.locks.request(tabLockName(namespace, tabId), () => new Promise<void>((release) => held(release)));
  });
}
