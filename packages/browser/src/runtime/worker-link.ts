// The mirror's ReplicaLink to the durable worker. Local batches are pushed to the worker
// (coalesced per microtask into one commit call); fates come back from that call; batches
// other tabs committed or upstream sent, the server's fates (with the rows a retraction rebuilt)
// and evictions arrive on the tab channel, posted by the workers once durable.

import type { Batch, BatchFate, DurabilityTier, LinkConnectionState, LinkListener, QueryIR, ReplicaLink, RowState, RuntimeSchema } from "@jazz-tools/core";
import { ownQueryId, tabLockName, type SyncMessage } from "../sync/messages.ts";
import type { TabMessage } from "../tabs/channel.ts";
import type { StartedWorker } from "./worker-client.ts";

/** From this many writes on, a batch is sent to the worker before the mirror applies it (prepare). */
const STAGE_MIN_WRITES = 500;

export class WorkerLink implements ReplicaLink {
  private readonly listeners = new Set<LinkListener>();
  private readonly catalogueListeners = new Set<(schema: RuntimeSchema | undefined, permissions: unknown) => void>();
  /** The server's permissions bundle as last relayed by the leading worker (replayed to late listeners). */
  private catalogue: { permissions: unknown } | null = null;
  private pending: Batch[] = [];
  /** Batches sent early by prepare(), waiting for push/abandon, with the worker they went to. */
  private readonly staged = new Map<string, StartedWorker>();
  /** Staged batches pushed but not yet durable: other tabs hear of them once they are. */
  private readonly announceWhenDurable = new Set<string>();
  private toAnnounce: Batch[] = [];
  private announceTimer: ReturnType<typeof setTimeout> | null = null;
  private scheduled = false;
  /** Pushed but not yet committed: resent to a restarted worker. */
  private readonly unsettled = new Map<string, Batch>();
  private inbox: Batch[] = [];
  private inboxFates: BatchFate[] = [];
  /** Local batches not yet announced to the other tabs. */
  private toTabs: Batch[] = [];
  /** Other tabs' batches this mirror merged before they were durable, per origin tab. */
  private readonly unconfirmed = new Map<string, Map<string, Batch>>();
  /** Leases of origin tabs this link waits on (see tabs/channel.ts). */
  private readonly leases = new Map<string, AbortController>();
  private inboxRows: RetractedRow[] = [];
  /** Rows being re-read from the worker (resync), and the remote batches that came meanwhile. */
  private resyncs = 0;
  private duringResync: Batch[] = [];
  private inboxEvictions: { table: string; ids: string[] }[] = [];
  private rowSink: ((rows: RetractedRow[]) => void) | null = null;
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
    private readonly namespace = "",
  ) {
    this.worker = worker;
    channel.addEventListener("message", this.onMessage);
  }

  /**
   * Without a server the worker alone decides local batches, and rarely rejects one (its apply
   * or commit failed): the rows are then read back from it, so the mirror need not keep
   * pre-images of every local write. With a server, rejections are the server's (see "fates").
   */
  get restoresRejected(): boolean {
    return !this.syncChannel;
  }

  push(batch: Batch): void {
    if (this.closed) throw new Error("This Jazz Db has been shut down");
    this.unsettled.set(batch.batchId, batch);
    const staged = this.staged.get(batch.batchId);
    if (staged) {
      // prepare() sent it already: the mirror applied it, so the worker may commit it now.
      this.staged.delete(batch.batchId);
      void staged.api.release(batch.batchId, true);
      // Other tabs hear of a large batch once it is durable (see settleWith): announcing it
      // now would clone it on this thread before the commit could be answered.
      this.announceWhenDurable.add(batch.batchId);
    } else {
      this.pending.push(batch);
      // With a server, a transaction shows only once it accepts it (it reaches tabs from upstream).
      if (!(this.syncChannel && batch.kind === "transaction")) this.toTabs.push(batch);
    }
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
    for (const { table, ids } of this.inboxEvictions.splice(0)) listener.onRowsEvicted?.(table, ids);
    return () => this.listeners.delete(listener);
  }

  /**
   * Where rows rebuilt by a durable retraction go (the mirror writes them and refreshes its
   * live queries). Rows that arrived before it was set are handed over now.
   */
  setRowSink(sink: (rows: RetractedRow[]) => void): void {
    this.rowSink = sink;
    if (this.inboxRows.length) this.takeRows(this.inboxRows.splice(0));
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
    // The leader repeats the server's permissions bundle and its connection status for a tab
    // that opens after they arrived.
    syncChannel.postMessage({ type: "catalogue-request" } satisfies SyncMessage);
    syncChannel.postMessage({ type: "status-request" } satisfies SyncMessage);
  }

  /** The leading worker's server connection, shared by every tab of the namespace. */
  connectionState(): LinkConnectionState {
    return this.connection;
  }

  onConnectionState(listener: () => void): () => void {
    this.connectionListeners.add(listener);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }
  private connection: LinkConnectionState = { connection: "connecting" };
  private readonly connectionListeners = new Set<() => void>();

  /** The server's active permissions bundle (the Db enforces it locally), as ServerLink's. */
  onCatalogue(listener: (schema: RuntimeSchema | undefined, permissions: unknown) => void): () => void {
    this.catalogueListeners.add(listener);
    if (this.catalogue) listener(undefined, this.catalogue.permissions);
    return () => this.catalogueListeners.delete(listener);
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
    this.announceWhenDurable.clear();
    // Other tabs dropped these when the previous worker went away: announce them again.
    this.toTabs = this.pending.filter((b) => !(this.syncChannel && b.kind === "transaction"));
    if (this.pending.length) void this.flush();
    if (this.syncChannel) {
      for (const [id, s] of this.subs) void worker.api.subscribeQuery(id, s.query, s.tier, this.schema());
      void worker.api.startSync(this.token());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.announce();
    this.closed = true;
    for (const ac of this.leases.values()) ac.abort();
    this.leases.clear();
    this.channel.removeEventListener("message", this.onMessage);
    this.channel.close();
    this.syncChannel?.removeEventListener("message", this.onSyncMessage);
    this.syncChannel?.close();
  }

  /**
   * A large local batch about to be applied to the mirror: send it to the worker now, so the
   * worker's apply runs in parallel with the mirror's (the commit waits for `push`). Small
   * batches gain nothing from the extra message: they go the usual way.
   */
  prepare(batch: Batch): void {
    const worker = this.worker;
    if (this.closed || !worker || batch.writes.length < STAGE_MIN_WRITES || (this.syncChannel && batch.kind === "transaction")) return;
    // Batches pushed before this one reach the worker first (commits keep their order).
    void this.commitPending();
    const fate = worker.api.stage(batch, this.grownSchema(), this.declaredFor(worker));
    this.staged.set(batch.batchId, worker);
    void this.settleWith(worker, [batch], fate.then((f) => [f]));
  }

  abandon(batchId: string): void {
    const worker = this.staged.get(batchId);
    if (!worker) return;
    this.staged.delete(batchId);
    void worker.api.release(batchId, false);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.toTabs.length) {
      const batches = this.toTabs;
      this.toTabs = [];
      this.channel.postMessage({ type: "batches", origin: this.tabId, batches, schema: this.schema(), unconfirmed: true } satisfies TabMessage);
    }
    await this.commitPending();
  }

  /** Send the pushed batches to the worker in one commit call. */
  private async commitPending(): Promise<void> {
    const worker = this.worker;
    if (!worker || !this.pending.length) return;
    const batches = this.pending;
    this.pending = [];
    await this.settleWith(worker, batches, worker.api.commit(batches, this.grownSchema(), this.declaredFor(worker)));
  }

  private declared: RuntimeSchema | undefined;
  private declaredSentTo: StartedWorker | null = null;

  /** The app schema the Db's writes use: the worker stamps its hash on what it sends upstream. */
  declareSchema(schema: RuntimeSchema): void {
    this.declared = schema;
    this.declaredSentTo = null;
  }

  /** The declared schema, once per worker (a restarted worker is told again). */
  private declaredFor(worker: StartedWorker): RuntimeSchema | undefined {
    if (!this.declared || this.declaredSentTo === worker) return undefined;
    this.declaredSentTo = worker;
    return this.declared;
  }


  /** The mirror's tables, if it knows tables the worker has not been sent yet. */
  private grownSchema(): RuntimeSchema | undefined {
    const schema = this.schema();
    const grown = schema && Object.keys(schema.tables).some((t) => !this.sentTables.has(t));
    if (!grown) return undefined;
    for (const t of Object.keys(schema.tables)) this.sentTables.add(t);
    return schema;
  }

  /** The worker's fates for `batches` (one commit call): tell the tabs, then the Db. */
  private async settleWith(worker: StartedWorker, batches: Batch[], call: Promise<BatchFate[]>): Promise<void> {
    let fates: BatchFate[];
    try {
      fates = await call;
    } catch (e) {
      if (this.worker !== worker) return; // restarted meanwhile: attach() resends them
      const reason = `the Jazz worker failed: ${(e as Error)?.message ?? e}`;
      fates = batches.map((b) => ({ batchId: b.batchId, kind: "rejected", code: "worker_failed", reason }));
    }
    // An abandoned batch never reached the Db's books (its mirror apply threw).
    fates = fates.filter((f) => !(f.kind === "rejected" && f.code === "abandoned"));
    if (!fates.length) return;
    const durable: string[] = [];
    const failed: string[] = [];
    for (const f of fates) (f.kind === "accepted" ? durable : failed).push(f.batchId);
    this.channel.postMessage({ type: "durable", origin: this.tabId, batchIds: durable, failed } satisfies TabMessage);
    const rejected = this.restoresRejected ? batches.filter((b) => failed.includes(b.batchId)) : [];
    for (const f of fates) this.unsettled.delete(f.batchId);
    // The Db kept no pre-images (restoresRejected): put the rows back before it hears the fate.
    if (rejected.length) await this.resync(rejected);
    for (const f of fates) this.emitFate(f);
    const announce = batches.filter((b) => this.announceWhenDurable.delete(b.batchId) && durable.includes(b.batchId));
    if (announce.length) {
      // In a task of its own: whoever waited for the commit runs first.
      this.toAnnounce.push(...announce);
      this.announceTimer ??= setTimeout(() => this.announce(), 0);
    }
    this.wake();
  }

  /** Tell the other tabs of durable staged batches (see push). */
  private announce(): void {
    if (this.announceTimer !== null) clearTimeout(this.announceTimer);
    this.announceTimer = null;
    if (!this.toAnnounce.length) return;
    const batches = this.toAnnounce;
    this.toAnnounce = [];
    this.channel.postMessage({ type: "batches", origin: this.tabId, batches, schema: this.schema() } satisfies TabMessage);
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
    } else if (msg.type === "status") {
      this.connection = msg.reason === undefined ? { connection: msg.connection } : { connection: msg.connection, reason: msg.reason };
      for (const l of [...this.connectionListeners]) l();
    } else if (msg.type === "catalogue") {
      this.catalogue = { permissions: msg.permissions };
      for (const l of this.catalogueListeners) l(undefined, msg.permissions);
    }
  };

  private readonly onMessage = (e: MessageEvent<TabMessage>) => {
    const msg = e.data;
    if (msg.type === "batches" && msg.origin !== this.tabId) {
      if (this.resyncs > 0) this.duringResync.push(...msg.batches);
      this.beforeRemote(msg.batches, msg.schema);
      if (msg.unconfirmed) this.holdUnconfirmed(msg.origin, msg.batches);
      if (!this.listeners.size) this.inbox.push(...msg.batches);
      for (const l of this.listeners) l.onRemoteBatches(msg.batches);
    } else if (msg.type === "fates") {
      for (const f of msg.fates) this.emitFate(f);
      if (msg.retracted?.length) {
        this.beforeRemote([], msg.schema);
        this.takeRows(msg.retracted);
      }
    } else if (msg.type === "durable") {
      const held = this.unconfirmed.get(msg.origin);
      if (!held) return;
      for (const id of msg.batchIds) held.delete(id);
      const failed = msg.failed.map((id) => held.get(id)).filter((b): b is Batch => !!b);
      for (const id of msg.failed) held.delete(id);
      if (failed.length) void this.resync(failed);
    } else if (msg.type === "evict") {
      // A row this tab wrote and the worker has not committed yet keeps its write.
      const ids = msg.ids.filter((id) => !this.touchesUnsettled(msg.table, id));
      if (!ids.length) return;
      if (!this.listeners.size) this.inboxEvictions.push({ table: msg.table, ids });
      for (const l of this.listeners) l.onRowsEvicted?.(msg.table, ids);
    }
  };

  /**
   * Put durable rows (from the worker) into the mirror. They lack what is not durable yet, so
   * the batches the mirror holds for those rows are merged again (idempotent): this tab's
   * uncommitted writes, other tabs' unconfirmed ones, and `arrived` (batches that came while
   * the rows were being read, which the read may predate).
   */
  private takeRows(rows: RetractedRow[], arrived: Batch[] = []): void {
    if (!this.rowSink) {
      this.inboxRows.push(...rows);
      return;
    }
    this.rowSink(rows);
    const keys = new Set(rows.map((r) => `${r.table}\u0000${r.id}`));
    const again = new Map<string, Batch>();
    const held = [...this.unconfirmed.values()].flatMap((m) => [...m.values()]);
    for (const b of [...this.unsettled.values(), ...held, ...arrived]) {
      if (b.kind === "transaction" && this.unsettled.has(b.batchId)) continue; // not shown before its fate
      if (b.writes.some((w) => keys.has(`${w.table}\u0000${w.id}`))) again.set(b.batchId, b);
    }
    if (again.size) for (const l of this.listeners) l.onRemoteBatches([...again.values()]);
  }

  /** Keep another tab's unconfirmed batches until it confirms them, and watch its lease. */
  private holdUnconfirmed(origin: string, batches: Batch[]): void {
    let held = this.unconfirmed.get(origin);
    if (!held) this.unconfirmed.set(origin, (held = new Map()));
    for (const b of batches) held.set(b.batchId, b);
    if (this.leases.has(origin) || typeof navigator === "undefined" || !navigator.locks || !this.namespace) return;
    const ac = new AbortController();
    this.leases.set(origin, ac);
    navigator.locks
      .request(tabLockName(this.namespace, origin), { signal: ac.signal }, () => {
        // The origin tab's worker is gone: whatever it did not confirm never became durable.
        this.leases.delete(origin);
        const left = [...(this.unconfirmed.get(origin)?.values() ?? [])];
        this.unconfirmed.delete(origin);
        if (left.length) void this.resync(left);
      })
      .catch(() => {}); // aborted: this link closed
  }

  /** Replace the rows of `batches` with their durable state, read from this tab's worker. */
  private async resync(batches: Batch[], attempt = 0): Promise<void> {
    const worker = this.worker;
    if (!worker || this.closed) return;
    const keys = new Map<string, { table: string; id: string }>();
    for (const b of batches) for (const w of b.writes) keys.set(`${w.table}\u0000${w.id}`, { table: w.table, id: w.id });
    this.resyncs++;
    let rows: RetractedRow[] | null = null;
    try {
      rows = await worker.api.readRows([...keys.values()], this.schema());
    } catch (e) {
      console.error("jazz: could not re-read rows from the worker:", e);
    }
    const arrived = this.duringResync;
    if (--this.resyncs === 0) this.duringResync = [];
    if (rows) this.takeRows(rows, arrived);
    // A failed read would leave rows that never became durable on screen: try again, backing off.
    else if (attempt < RESYNC_ATTEMPTS) setTimeout(() => void this.resync(batches, attempt + 1), 250 * 2 ** attempt);
  }

  private touchesUnsettled(table: string, id: string): boolean {
    for (const b of this.unsettled.values()) if (b.writes.some((w) => w.table === table && w.id === id)) return true;
    return false;
  }
}

/** How often a failed re-read of durable rows is retried (backing off from 250 ms to 16 s). */
const RESYNC_ATTEMPTS = 7;

/** A row the worker rebuilt after retracting a rejected batch (null: gone). */
export interface RetractedRow {
  table: string;
  id: string;
  row: RowState | null;
}
