// Edge mode: this server serves its clients from its own store and syncs with a core server.
//
// - Writes: a client's direct batch is validated here (schema + permissions, with the client's
//   session), stored and logged in the group commit, acknowledged `edge`, fanned out to this
//   edge's subscribers, recorded in the durable outbox (./outbox.ts) and forwarded, in order, to
//   the core on an upstream link that carries the client's session — so the core checks its
//   permissions again. The core's fate is relayed: `global`, or a rejection, which also retracts
//   the batch here (./replicate.ts) and at every client that merged it (hub.onRetracted).
//   Transactions, and writes the edge's permission check denies (a relational policy may read
//   rows the edge does not hold), are decided by the core only: the edge forwards them, relays
//   the fate, and applies them once accepted.
// - Subscriptions: answered from the edge store (settled `edge`) and mirrored upstream on the
//   same session's link, so writes made elsewhere reach the edge, which merges them and fans
//   them out — and hands them as they are to that session's subscribers, since the core judged
//   their read policy with all the rows; the core's `settled` is relayed as `global`.
// - Catalogue: a privileged peer link (peer secret, no session) receives the core's schema and
//   permissions and applies them here. In development the session links also publish the
//   schema this edge learned from its clients, before their first push.
//
// Upstream links are ServerLinks (the same client the apps use): they reconnect with backoff and
// replay queued pushes and live subscriptions, so the edge keeps serving while the core is away
// and flushes when it is back.

import type WebSocket from "ws";
import { requirePeer } from "@jazz-tools/sqlite-node";
import type { Batch, BatchFate, DurabilityTier, QueryIR, RuntimeSchema } from "@jazz-tools/core";
import { ServerLink, type HandshakeAuth, type LinkStatus, type WireSession } from "@jazz-tools/core/sync";
import type { Connection } from "../sync/connection.ts";
import type { SyncService, UpstreamHooks } from "../sync/service.ts";
import { EdgeOutbox } from "./outbox.ts";
import { mergeUpstreamBatch, retractBatch } from "./replicate.ts";

export interface EdgeOptions {
  upstreamUrl: string;
  appId: string;
  peerSecret: string;
  production: boolean;
  /** Reconnect backoff towards the core (tests shorten it). */
  backoff?: { baseMs?: number; capMs?: number; jitterMs?: number };
  /** A session's link closes this long after its last client left and its last batch settled. */
  idleLinkMs?: number;
  log?: (line: string) => void;
}

/** Key of the link that acts for privileged connections (backend, admin): the peer itself. */
const PRIVILEGED = "*";

interface ClientQuery {
  conn: Connection;
  queryId: string;
  linkKey: string;
}

export class EdgeUpstream implements UpstreamHooks {
  private readonly outbox: EdgeOutbox;
  private readonly catalogueLink: ServerLink;
  private readonly links = new Map<string, ServerLink>();
  /** Connections acting through each link; a link without any is retired when idle. */
  private readonly linkUsers = new Map<string, Set<Connection>>();
  private readonly retireTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** batchId → connections that pushed it and wait for its final fate. */
  private readonly waiting = new Map<string, Set<Connection>>();
  /** Accepted in the current group commit; forwarded once it committed. */
  private forwardQueue: { batch: Batch; linkKey: string; session: WireSession | null }[] = [];
  /** Upstream query id → the client subscription it mirrors. */
  private readonly upQueries = new Map<string, ClientQuery>();
  private readonly log: (line: string) => void;
  private _status: LinkStatus = "connecting";

  constructor(
    private readonly service: SyncService,
    private readonly opts: EdgeOptions,
  ) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.outbox = new EdgeOutbox(service.engine.driver);
    service.upstream = this;
    service.hub.settledTier = "edge";
    this.catalogueLink = this.newLink({ peerSecret: opts.peerSecret }, false);
    this.catalogueLink.onCatalogue((schema, permissions) => this.applyCatalogue(schema, permissions));
    this.catalogueLink.onStatus((s) => {
      this._status = s;
      if (s === "unauthorized") this.log(`edge: the core at ${opts.upstreamUrl} refused this edge (check --peer-secret)`);
    });
    // What an earlier run accepted but the core has not decided yet goes out again, in order.
    for (const { entry, batch } of this.outbox.pending()) this.linkFor(entry.linkKey, entry.session).push(batch);
  }

  /** The catalogue link's state: "connected" while the core is reachable and accepts us. */
  get status(): LinkStatus {
    return this._status;
  }

  get pendingUpstream(): number {
    return this.outbox.pendingCount;
  }

  /** Open upstream links, the catalogue link included. */
  get linkCount(): number {
    return this.links.size + 1;
  }

  async close(): Promise<void> {
    for (const t of this.retireTimers.values()) clearTimeout(t);
    this.retireTimers.clear();
    await Promise.all([this.catalogueLink.close(), ...[...this.links.values()].map((l) => l.close())]);
  }

  // ------------------------------------------------------------------ writes

  accept(from: Connection, batch: Batch): { fate: BatchFate | null; applied: ReturnType<SyncService["engine"]["accept"]>["applied"] } {
    const engine = this.service.engine;
    const prior = this.outbox.get(batch.batchId);
    if (prior) {
      // A re-push (client reconnect): answer with where the batch is now.
      if (prior.state === "rejected") return { fate: prior.fate, applied: null };
      this.await(batch.batchId, from);
      this.use(prior.linkKey, from);
      return { fate: prior.mode === "core" ? null : { batchId: batch.batchId, kind: "accepted", tier: "edge" }, applied: null };
    }
    if (engine.log.has(batch.batchId)) {
      // Logged and not owed to the core: the core has it (accepted earlier, or sent it to us).
      return { fate: { batchId: batch.batchId, kind: "accepted", tier: "global" }, applied: null };
    }
    const session = from.isPrivileged ? null : from.session;
    const linkKey = session ? JSON.stringify(session) : PRIVILEGED;
    this.use(linkKey, from);
    const deferToCore = (): { fate: null; applied: null } => {
      this.outbox.add(batch, linkKey, session, "core");
      this.await(batch.batchId, from);
      this.forwardQueue.push({ batch, linkKey, session });
      return { fate: null, applied: null };
    };
    if (batch.kind === "transaction") return deferToCore();
    const decided = engine.accept(batch, from.session!, from.isPrivileged);
    // A permission denial here may only mean the edge lacks rows a relational policy reads
    // (memberships the core never sent it): the core decides. Schema and author checks do not
    // depend on data, so their rejections are final.
    if (decided.fate.kind === "rejected" && decided.fate.code === "forbidden") return deferToCore();
    if (decided.fate.kind === "rejected" || !decided.applied) return decided;
    this.outbox.add(batch, linkKey, session, "edge");
    this.await(batch.batchId, from);
    this.forwardQueue.push({ batch, linkKey, session });
    return { fate: { batchId: batch.batchId, kind: "accepted", tier: "edge" }, applied: decided.applied };
  }

  committed(): void {
    const queue = this.forwardQueue;
    this.forwardQueue = [];
    for (const q of queue) {
      // Only what the commit really stored (a failed commit answered nothing).
      if (this.outbox.get(q.batch.batchId)?.state !== "pending") continue;
      this.linkFor(q.linkKey, q.session).push(q.batch);
    }
  }

  private await(batchId: string, conn: Connection): void {
    let set = this.waiting.get(batchId);
    if (!set) this.waiting.set(batchId, (set = new Set()));
    set.add(conn);
  }

  private onUpstreamFate(fate: BatchFate): void {
    const entry = this.outbox.get(fate.batchId);
    if (!entry || entry.state !== "pending") return;
    if (fate.kind === "accepted" && fate.tier !== "global") return; // a chained edge's interim answer
    const waiters = [...(this.waiting.get(fate.batchId) ?? [])];
    this.waiting.delete(fate.batchId);
    // The link may be idle once this fate is in (ServerLink drops the batch after this call).
    queueMicrotask(() => this.scheduleRetire(entry.linkKey));
    const { engine, hub } = this.service;
    if (fate.kind === "accepted") {
      if (entry.mode === "core") {
        const batch = this.outbox.batch(fate.batchId)!;
        const rows = mergeUpstreamBatch(engine, batch);
        this.outbox.remove(fate.batchId);
        for (const c of waiters) c.send({ t: "fate", fate });
        if (rows.length > 0) hub.onAccepted(batch, rows, waiters[0] ?? null);
        return;
      }
      this.outbox.remove(fate.batchId);
      for (const c of waiters) c.send({ t: "fate", fate });
      return;
    }
    const rows = entry.mode === "edge" ? retractBatch(engine, fate.batchId) : [];
    this.outbox.reject(fate.batchId, fate);
    for (const c of waiters) c.send({ t: "fate", fate });
    if (rows.length > 0) hub.onRetracted(rows);
  }

  private onUpstreamBatches(linkKey: string, batches: Batch[]): void {
    for (const batch of batches) {
      const rows = mergeUpstreamBatch(this.service.engine, batch);
      if (rows.length > 0) this.service.hub.onAccepted(batch, rows, null);
    }
    // The core scoped and projected these for this link's session: hand them to that session's
    // subscribers as they are. The edge's own fan-out above judges read policies with the rows
    // the edge has, which may lack what a relational policy reads (memberships the core never
    // sent here); the core's judgement is the one that counts. Merging twice is harmless.
    for (const conn of this.subscribersOn(linkKey)) conn.send({ t: "batches", batches });
  }

  /** Rows left every subscription of this session at the core: so they did for each client. */
  private onUpstreamEvicted(linkKey: string, table: string, ids: string[]): void {
    for (const conn of this.subscribersOn(linkKey)) conn.sendEvicted([{ table, ids }]);
  }

  private subscribersOn(linkKey: string): Set<Connection> {
    const out = new Set<Connection>();
    for (const q of this.upQueries.values()) if (q.linkKey === linkKey) out.add(q.conn);
    return out;
  }

  // ------------------------------------------------------------------ subscriptions

  subscribed(conn: Connection, queryId: string, query: QueryIR, _tier: DurabilityTier): void {
    const session = conn.isPrivileged ? null : conn.session;
    const linkKey = session ? JSON.stringify(session) : PRIVILEGED;
    const upId = upstreamQueryId(conn, queryId);
    this.upQueries.set(upId, { conn, queryId, linkKey });
    this.use(linkKey, conn);
    // Always at tier global: the edge relays the core's settle, whatever the client asked for.
    this.linkFor(linkKey, session).subscribeQuery(upId, query, "global");
  }

  unsubscribed(conn: Connection, queryId: string): void {
    const upId = upstreamQueryId(conn, queryId);
    const q = this.upQueries.get(upId);
    if (!q) return;
    this.upQueries.delete(upId);
    this.links.get(q.linkKey)?.unsubscribeQuery(upId);
  }

  detached(conn: Connection): void {
    const prefix = `${conn.id}.`;
    for (const [upId, q] of [...this.upQueries]) {
      if (!upId.startsWith(prefix)) continue;
      this.upQueries.delete(upId);
      this.links.get(q.linkKey)?.unsubscribeQuery(upId);
    }
    for (const [batchId, set] of this.waiting) {
      set.delete(conn);
      if (set.size === 0) this.waiting.delete(batchId);
    }
    for (const [linkKey, users] of this.linkUsers) {
      if (!users.delete(conn) || users.size > 0) continue;
      this.linkUsers.delete(linkKey);
      this.scheduleRetire(linkKey);
    }
  }

  private use(linkKey: string, conn: Connection): void {
    let users = this.linkUsers.get(linkKey);
    if (!users) this.linkUsers.set(linkKey, (users = new Set()));
    users.add(conn);
    const t = this.retireTimers.get(linkKey);
    if (t) clearTimeout(t);
    this.retireTimers.delete(linkKey);
  }

  /** Close a session's link once nobody uses it and the core decided everything it carried. */
  private scheduleRetire(linkKey: string): void {
    if (this.linkUsers.get(linkKey)?.size || this.retireTimers.has(linkKey) || !this.links.has(linkKey)) return;
    const t = setTimeout(() => {
      this.retireTimers.delete(linkKey);
      const link = this.links.get(linkKey);
      if (!link || this.linkUsers.get(linkKey)?.size) return;
      if (link.pendingBatchIds.length > 0) return; // retried when their fates arrive
      this.links.delete(linkKey);
      void link.close();
    }, this.opts.idleLinkMs ?? 30_000);
    t.unref?.();
    this.retireTimers.set(linkKey, t);
  }

  private onUpstreamSettled(upId: string, tier: DurabilityTier): void {
    if (tier !== "global") return;
    const q = this.upQueries.get(upId);
    if (q) q.conn.sendSettled(q.queryId, "global");
  }

  private onUpstreamRefused(upId: string, reason: string): void {
    const q = this.upQueries.get(upId);
    if (!q) return;
    this.upQueries.delete(upId);
    this.service.hub.unsubscribe(q.conn, q.queryId);
    q.conn.send({ t: "error", code: "bad_request", id: q.queryId, message: `the core refused subscription ${q.queryId}: ${reason}` });
  }

  // ------------------------------------------------------------------ catalogue and links

  /**
   * A deploy sent to this edge (`POST /apps/<appId>/admin/schema`) goes to the core, which owns
   * the catalogue; its answer is applied here at once (the catalogue link would bring it too).
   */
  async forwardPublish(body: unknown, adminSecret: string | undefined): Promise<{ status: number; body: unknown }> {
    const base = this.opts.upstreamUrl.replace(/^ws/, "http").replace(/\/+$/, "").replace(/\/apps\/[^/]+\/ws$/, "");
    let res: Response;
    try {
      res = await fetch(`${base}/apps/${encodeURIComponent(this.opts.appId)}/admin/schema`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(adminSecret ? { "X-Jazz-Admin-Secret": adminSecret } : {}) },
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { status: 502, body: { error: "upstream_unreachable", message: `this edge cannot reach its core at ${base}: ${(e as Error).message}` } };
    }
    const answer = (await res.json().catch(() => ({}))) as { schema?: RuntimeSchema; permissions?: unknown };
    if (res.ok && answer.schema) this.applyCatalogue(answer.schema, answer.permissions);
    return { status: res.status, body: answer };
  }

  private applyCatalogue(schema: RuntimeSchema, permissions: unknown): void {
    try {
      this.service.publishSchema(schema, { admin: true });
      if (permissions != null && JSON.stringify(permissions) !== JSON.stringify(this.service.engine.permissions ?? null)) {
        this.service.publishPermissions(permissions, { admin: true });
      }
    } catch (e) {
      this.log(`edge: cannot apply the core's catalogue: ${(e as Error).message}`);
    }
  }

  private linkFor(linkKey: string, session: WireSession | null): ServerLink {
    let link = this.links.get(linkKey);
    if (link) return link;
    link = this.newLink({ peerSecret: this.opts.peerSecret, ...(session ? { session } : {}) }, !this.opts.production);
    link.listen({
      onFate: (f) => this.onUpstreamFate(f),
      onRemoteBatches: (b) => this.onUpstreamBatches(linkKey, b),
      onQuerySettled: (id, tier) => this.onUpstreamSettled(id, tier),
      onQueryRefused: (id, reason) => this.onUpstreamRefused(id, reason),
      // Not applied to the edge's store, which serves every session.
      onRowsEvicted: (table, ids) => this.onUpstreamEvicted(linkKey, table, ids),
    });
    this.links.set(linkKey, link);
    return link;
  }

  private newLink(auth: HandshakeAuth, publishSchema: boolean): ServerLink {
    return new ServerLink({
      serverUrl: this.opts.upstreamUrl,
      appId: this.opts.appId,
      WebSocket: requirePeer<typeof WebSocket>("ws", "An edge server's link to its core") as never,
      auth,
      useHeaders: true,
      // Development: tables this edge learned from its clients reach the core before their rows.
      schema: publishSchema ? () => this.service.engine.schema : undefined,
      backoff: this.opts.backoff,
      onServerError: (code, message) => this.log(`edge: core error (${code}): ${message}`),
    });
  }
}

function upstreamQueryId(conn: Connection, queryId: string): string {
  return `${conn.id}.${queryId}`;
}
