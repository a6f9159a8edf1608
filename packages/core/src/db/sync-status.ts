// What a Db can tell its app about sync: the connection to the server (with the server's own
// words when it refused or could not be reached), how many of this Db's writes the server has not
// settled yet, and when everything was last in sync. Fed by the Db's link (ServerLink directly,
// or the browser worker's status shared by every tab of a namespace).

import type { ReplicaLink } from "./link.ts";

export type SyncConnection = "connecting" | "connected" | "offline" | "unauthorized" | "closed";

export interface SyncStatus {
  readonly connection: SyncConnection;
  /** Why it is not connected, in the server's words where it gave any. */
  readonly reason?: string;
  /** Writes of this Db not yet accepted or rejected by the server. */
  readonly pendingBatches: number;
  /** Last time the Db was connected with nothing pending. */
  readonly lastSyncedAt?: Date;
}

/** What a link reports of its connection (ReplicaLink.connectionState). */
export interface LinkConnectionState {
  connection: SyncConnection;
  reason?: string;
}

const LOCAL_ONLY: LinkConnectionState = { connection: "closed", reason: "this Db has no serverUrl: it is local-only" };

export class SyncStatusTracker {
  private status: SyncStatus;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  /** Failures already logged (each distinct one once). */
  private readonly logged = new Set<string>();
  private readonly off: (() => void) | null;

  constructor(
    private readonly link: ReplicaLink | undefined,
    private readonly pending: () => number,
    private readonly hasServer: boolean,
  ) {
    this.status = Object.freeze({ ...this.linkState(), pendingBatches: pending() });
    this.off = hasServer ? (link?.onConnectionState?.(() => this.refresh()) ?? null) : null;
  }

  get(): SyncStatus {
    return this.status;
  }

  on(listener: (s: SyncStatus) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("onSyncStatusChanged(listener): listener must be a function");
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Recompute (after a write, a fate or a link change); listeners hear only real changes. */
  refresh(): void {
    const link = this.linkState();
    const pendingBatches = this.pending();
    const prev = this.status;
    let lastSyncedAt = prev.lastSyncedAt;
    if (link.connection === "connected" && pendingBatches === 0 && (prev.connection !== "connected" || prev.pendingBatches !== 0 || !lastSyncedAt)) {
      lastSyncedAt = new Date();
    }
    if (prev.connection === link.connection && prev.reason === link.reason && prev.pendingBatches === pendingBatches && prev.lastSyncedAt === lastSyncedAt) return;
    const next: SyncStatus = { connection: link.connection, pendingBatches };
    if (link.reason !== undefined) (next as { reason?: string }).reason = link.reason;
    if (lastSyncedAt) (next as { lastSyncedAt?: Date }).lastSyncedAt = lastSyncedAt;
    this.status = Object.freeze(next);
    if (link.reason && link.connection !== "connected" && this.hasServer) {
      const key = link.reason;
      if (!this.logged.has(key)) {
        this.logged.add(key);
        console.warn(`jazz sync ${link.connection}: ${link.reason}`);
      }
    }
    for (const l of [...this.listeners]) l(this.status);
  }

  close(): void {
    this.off?.();
    this.listeners.clear();
  }

  private linkState(): LinkConnectionState {
    if (!this.hasServer) return LOCAL_ONLY;
    return this.link?.connectionState?.() ?? { connection: "connecting" };
  }
}
