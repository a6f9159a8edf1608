// The worker's side of server sync. Every tab of a namespace runs a worker on the same OPFS
// file; only the one holding the namespace's leader lock (upstream.ts `runAsLeader`) talks to
// the server. The others still commit into the shared outbox and tell the leader ("committed"),
// and their tabs' query subscriptions reach the leader on the sync channel. Every worker keeps
// the subscriptions it has heard of, so a worker that takes over leadership resubscribes them.
// A subscription lives as long as its tab: each tab's worker holds a lease (a Web Lock, see
// messages.ts `holdTabLease`) and every worker waits on the leases of the tabs it holds
// subscriptions for; when one is granted, that tab is gone (closed, reloaded or crashed) and
// its subscriptions are dropped (and unsubscribed from the server by the leader). A closing
// worker also says so at once ("tab-closed").

import { schemaVersionOf, type Batch, type DurabilityTier, type LinkConnectionState, type QueryIR, type RuntimeSchema } from "@jazz-tools/core";
import { createUpstream, runAsLeader, type Upstream, type UpstreamContext } from "../worker/upstream.ts";
import { openSyncChannel, tabLockName, tabQueryId, type SyncMessage } from "./messages.ts";

export interface WorkerSyncOptions {
  namespace: string;
  tabId: string;
  /** The upstream context without the credentials (added when sync starts). */
  context: UpstreamContext;
}

export class WorkerSync {
  private readonly channel: BroadcastChannel;
  private readonly subs = new Map<string, { query: QueryIR; tier: DurabilityTier; schema?: RuntimeSchema }>();
  private upstream: Upstream | null = null;
  private releaseLeader: (() => void) | null = null;
  private token: string | null = null;
  private closed = false;
  private outboxScheduled = false;
  private readonly offs: (() => void)[] = [];
  /** The last permissions bundle the server sent (undefined: none yet), repeated for late tabs. */
  private catalogue: { permissions: unknown } | undefined;
  /** The leader's server connection, repeated for tabs that ask (status-request). */
  private status: { connection: LinkConnectionState["connection"]; reason?: string } | undefined;
  /** Other tabs whose lease this worker waits on. */
  private readonly watched = new Map<string, AbortController>();

  /** Marks batches with the schema version whose names they use (the tab's declared schema). */
  stampVersion(batches: Batch[], declared: RuntimeSchema): void {
    if (Object.keys(declared.tables).length === 0) return;
    const hash = schemaVersionOf(declared);
    for (const b of batches) b.schemaHash ??= hash;
  }

  constructor(private readonly o: WorkerSyncOptions) {
    this.channel = openSyncChannel(o.namespace);
    this.channel.addEventListener("message", this.onMessage);
  }

  /** Whether the config asks for a server at all. */
  get enabled(): boolean {
    return typeof this.o.context.config.serverUrl === "string" && this.o.context.config.serverUrl !== "";
  }

  get leading(): boolean {
    return this.upstream !== null;
  }

  /** Start competing for leadership; `token` is the tab's session token (unless a secret is set). */
  start(token: string | null): void {
    if (!this.enabled || this.closed || this.releaseLeader) return;
    this.token = token;
    this.releaseLeader = runAsLeader(this.o.namespace, () => this.lead());
  }

  private lead(): void {
    if (this.closed) return;
    const config = { ...this.o.context.config };
    // With a secret the upstream mints its own local-first tokens; otherwise use the tab's.
    if (!config.secret && this.token) config.jwtToken = this.token;
    const up = createUpstream({ ...this.o.context, config });
    if (!up) return;
    this.upstream = up;
    for (const [id, s] of this.subs) this.handle({ type: "subscribe", queryId: id, ...s });
    const post = (m: SyncMessage) => this.channel.postMessage(m);
    // Tabs whose workers started after ours subscribed queries this worker never heard of.
    post({ type: "resubscribe" });
    if (up.onQuerySettled)
      this.offs.push(
        up.onQuerySettled((queryId, tier) => post({ type: "settled", queryId, tier })),
      );
    if (up.onQueryRefused) this.offs.push(up.onQueryRefused((queryId, reason) => post({ type: "refused", queryId, reason })));
    if (up.onAuth) this.offs.push(up.onAuth((e) => post({ type: "auth", error: e.error, message: e.message })));
    if (up.onStatus)
      this.offs.push(
        up.onStatus((connection, reason) => {
          this.status = reason === undefined ? { connection } : { connection, reason };
          post({ type: "status", ...this.status });
        }),
      );
    if (up.onCatalogue)
      this.offs.push(
        up.onCatalogue((permissions) => {
          this.catalogue = { permissions };
          post({ type: "catalogue", permissions });
        }),
      );
  }

  /** This tab's worker committed `batches` into the shared outbox. */
  onLocalCommitted(batches: Batch[]): void {
    if (this.upstream) this.upstream.onLocalCommitted(batches);
    else if (this.releaseLeader) this.channel.postMessage({ type: "committed" } satisfies SyncMessage);
  }

  /** `schema`: the tab's tables, so the upstream can publish the query's tables first. */
  subscribe(tabId: string, queryId: string, query: QueryIR, tier: DurabilityTier, schema?: RuntimeSchema): void {
    const m: SyncMessage = { type: "subscribe", queryId: tabQueryId(tabId, queryId), query, tier, schema };
    this.channel.postMessage(m);
    this.handle(m);
  }

  unsubscribe(tabId: string, queryId: string): void {
    const m: SyncMessage = { type: "unsubscribe", queryId: tabQueryId(tabId, queryId) };
    this.channel.postMessage(m);
    this.handle(m);
  }

  updateToken(jwt: string | null): void {
    this.token = jwt;
    this.upstream?.updateToken?.(jwt);
  }

  /** The server query ids this worker keeps (tests, devtools). */
  subscriptionIds(): string[] {
    return [...this.subs.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channel.postMessage({ type: "tab-closed", tabId: this.o.tabId } satisfies SyncMessage);
    this.channel.removeEventListener("message", this.onMessage);
    this.channel.close();
    for (const ac of this.watched.values()) ac.abort();
    this.watched.clear();
    for (const off of this.offs.splice(0)) off();
    const up = this.upstream;
    this.upstream = null;
    await up?.close();
    this.releaseLeader?.();
    this.releaseLeader = null;
  }

  private readonly onMessage = (e: MessageEvent<SyncMessage>) => this.handle(e.data);

  private handle(m: SyncMessage): void {
    if (m.type === "subscribe") {
      this.subs.set(m.queryId, { query: m.query, tier: m.tier, schema: m.schema });
      this.watchTab(m.queryId.slice(0, m.queryId.indexOf("/")));
      const subscribe = () => this.subs.has(m.queryId) && this.upstream?.subscribeQuery?.(m.queryId, m.query, m.tier);
      // The server must know the query's tables: publish them (via the replica's schema) first.
      if (m.schema && this.upstream) void this.o.context.replica.addTables(m.schema).then(subscribe, (e) => console.error("jazz sync:", e));
      else subscribe();
    } else if (m.type === "unsubscribe") {
      this.subs.delete(m.queryId);
      this.upstream?.unsubscribeQuery?.(m.queryId);
    } else if (m.type === "catalogue-request") {
      if (this.upstream && this.catalogue) this.channel.postMessage({ type: "catalogue", ...this.catalogue } satisfies SyncMessage);
    } else if (m.type === "status-request") {
      if (this.upstream && this.status) this.channel.postMessage({ type: "status", ...this.status } satisfies SyncMessage);
    } else if (m.type === "tab-closed") {
      this.dropTab(m.tabId);
    } else if (m.type === "resubscribe") {
      for (const [queryId, s] of this.subs)
        if (queryId.startsWith(`${this.o.tabId}/`)) this.channel.postMessage({ type: "subscribe", queryId, ...s } satisfies SyncMessage);
    } else if (m.type === "committed" && this.upstream && !this.outboxScheduled) {
      // Another tab's worker committed: push the shared outbox (the server dedupes by batchId).
      this.outboxScheduled = true;
      queueMicrotask(async () => {
        this.outboxScheduled = false;
        const up = this.upstream;
        if (up) up.onLocalCommitted(await this.o.context.replica.outbox());
      });
    }
  }

  /** Wait on a tab's lease; once granted, the tab is gone and its subscriptions go too. */
  private watchTab(tabId: string): void {
    if (!tabId || tabId === this.o.tabId || this.watched.has(tabId) || this.closed) return;
    const ac = new AbortController();
    this.watched.set(tabId, ac);
    navigator.locks
      .request(tabLockName(this.o.namespace, tabId), { signal: ac.signal }, () => {
        if (this.watched.get(tabId) === ac) this.watched.delete(tabId);
        this.dropTab(tabId);
      })
      .catch(() => {}); // aborted: this worker closed
  }

  private dropTab(tabId: string): void {
    if (tabId === this.o.tabId) return;
    for (const id of [...this.subs.keys()]) {
      if (!id.startsWith(`${tabId}/`)) continue;
      this.subs.delete(id);
      this.upstream?.unsubscribeQuery?.(id);
    }
  }
}
