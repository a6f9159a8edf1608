// The mirror's ReplicaLink to the durable worker. Local batches are pushed to the worker
// (coalesced per microtask into one commit call); fates come back from that call; batches
// other tabs or upstream committed arrive on the tab channel.

import type { Batch, BatchFate, DurabilityTier, LinkListener, QueryIR, ReplicaLink, RuntimeSchema } from "@jazz-tools/core";
import { ownQueryId, type SyncMessage } from "../sync/messages.ts";
import type { TabMessage } from "../tabs/channel.ts";
import type { StartedWorker } from "./worker-client.ts";

export class WorkerLink implements ReplicaLink {
  private readonly listeners = new Set<LinkListener>();
  private pending: Batch[] = [];
  /** Local batches not yet announced to the other tabs. */
  private toTabs: Batch[] = [];
  private scheduled = false;
  /** Pushed but not yet committed: resent to a restarted worker. */
  private readonly unsettled = new Map<string, Batch>();
  private inbox: Batch[] = [];
  private inboxFates: BatchFate[] = [];
  private worker: StartedWorker | null;
  private waiting: (() => void)[] = [];
  private closed = false;
  private sentTables = new Set<string>();
  /** The mirror's tables (the Db learns them lazily); sent to the worker when they grow. */
  schema: () => RuntimeSchema | undefined = () => undefined;
  /** Set by `enableSync` only (with a server): without one, reads above "local" never settle. */
  subscribeQuery?: (queryId: string, query: QueryIR, tier: DurabilityTier) => void;
  unsubscribeQuery?: (queryId: string) => void;
  private readonly subs = new Map<string, { query: QueryIR; tier: DurabilityTier }>();
  private syncChannel: BroadcastChannel | null = null;
  private token: () => string | null = () => null;
  /** The server's verdict on the credentials, as reported by the leading worker. */
  onServerAuth: (e: { error?: string; message?: string }) => void = () => {};
  /** Called before remote batches reach the Db, so it knows their tables. */
  beforeRemote: (batches: Batch[], schema: RuntimeSchema | undefined) => void = () => {};

  constructor(
    worker: StartedWorker,
    private readonly channel: BroadcastChannel,
    private readonly tabId: string,
  ) {
    this.worker = worker;
    channel.addEventListener("message", this.onMessage);
  }

  push(batch: Batch): void {
    if (this.closed) throw new Error("This Jazz Db has been shut down");
    this.unsettled.set(batch.batchId, batch);
    this.pending.push(batch);
    this.toTabs.push(batch);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => void this.flush());
    }
  }

  listen(listener: LinkListener): () => void {
    this.listeners.add(listener);
    // Batches that arrived before the Db attached (between hydration and construction).
    if (this.inbox.length) {
      const batches = this.inbox;
      this.inbox = [];
      listener.onRemoteBatches(batches);
    }
    if (this.inboxFates.length) {
      const fates = this.inboxFates;
      this.inboxFates = [];
      for (const f of fates) listener.onFate(f);
    }
    return () => this.listeners.delete(listener);
  }

  /**
   * Sync through the worker's server upstream: subscriptions go to this tab's worker (which
   * hands them to the leading worker), settled notifications come back on `syncChannel`.
   */
  enableSync(syncChannel: BroadcastChannel, token: () => string | null): void {
    this.syncChannel = syncChannel;
    this.token = token;
    syncChannel.addEventListener("message", this.onSyncMessage);
    this.subscribeQuery = (id, query, tier) => {
      this.subs.set(id, { query, tier });
      void this.worker?.api.subscribeQuery(id, query, tier, this.schema());
    };
    this.unsubscribeQuery = (id) => {
      this.subs.delete(id);
      void this.worker?.api.unsubscribeQuery(id);
    };
    void this.worker?.api.startSync(token());
  }

  /** A refreshed session token (db.updateAuthToken, local-first re-mint). */
  updateAuthToken(jwt: string | null): void {
    void this.worker?.api.updateAuthToken(jwt);
  }

  /** Waits until every pushed batch has a fate from the worker. */
  async drain(): Promise<void> {
    while (this.unsettled.size || this.pending.length) await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Detach from the current worker (it is being replaced); pushes queue until `attach`. */
  detach(): void {
    this.worker = null;
  }

  /** Attach a (re)started worker and resend what the previous one had not committed. */
  attach(worker: StartedWorker): void {
    this.worker = worker;
    this.sentTables.clear();
    this.pending = [...this.unsettled.values()];
    if (this.pending.length) void this.flush();
    if (this.syncChannel) {
      for (const [id, s] of this.subs) void worker.api.subscribeQuery(id, s.query, s.tier, this.schema());
      void worker.api.startSync(this.token());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    this.channel.removeEventListener("message", this.onMessage);
    this.channel.close();
    this.syncChannel?.removeEventListener("message", this.onSyncMessage);
    this.syncChannel?.close();
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.toTabs.length) {
      const batches = this.toTabs;
      this.toTabs = [];
      this.channel.postMessage({ type: "batches", origin: this.tabId, batches, schema: this.schema() } satisfies TabMessage);
    }
    const worker = this.worker;
    if (!worker || !this.pending.length) return;
    const batches = this.pending;
    this.pending = [];
    let fates: BatchFate[];
    const schema = this.schema();
    const grown = schema && Object.keys(schema.tables).some((t) => !this.sentTables.has(t));
    if (grown) for (const t of Object.keys(schema.tables)) this.sentTables.add(t);
    try {
      fates = await worker.api.commit(batches, grown ? schema : undefined);
    } catch (e) {
      if (this.worker !== worker) return; // restarted meanwhile: attach() resends them
      const reason = `the Jazz worker failed: ${(e as Error)?.message ?? e}`;
      fates = batches.map((b) => ({ batchId: b.batchId, kind: "rejected", code: "worker_failed", reason }));
    }
    for (const f of fates) {
      this.unsettled.delete(f.batchId);
      this.emitFate(f);
    }
    this.wake();
  }

  private wake(): void {
    if (this.unsettled.size || this.pending.length) return;
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }

  private emitFate(f: BatchFate): void {
    if (!this.listeners.size) this.inboxFates.push(f);
    for (const l of this.listeners) l.onFate(f);
  }

  private readonly onSyncMessage = (e: MessageEvent<SyncMessage>) => {
    const msg = e.data;
    if (msg.type === "settled") {
      const id = ownQueryId(this.tabId, msg.queryId);
      if (id === null || !this.subs.has(id)) return;
      for (const l of this.listeners) l.onQuerySettled?.(id, msg.tier);
    } else if (msg.type === "refused") {
      const id = ownQueryId(this.tabId, msg.queryId);
      if (id === null || !this.subs.delete(id)) return;
      for (const l of this.listeners) l.onQueryRefused?.(id, msg.reason);
    } else if (msg.type === "auth") {
      this.onServerAuth(msg);
    }
  };

  private readonly onMessage = (e: MessageEvent<TabMessage>) => {
    const msg = e.data;
    if (msg.type === "batches" && msg.origin !== this.tabId) {
      this.beforeRemote(msg.batches, msg.schema);
      if (!this.listeners.size) this.inbox.push(...msg.batches);
      for (const l of this.listeners) l.onRemoteBatches(msg.batches);
    } else if (msg.type === "fates") {
      for (const f of msg.fates) this.emitFate(f);
    }
  };
}
