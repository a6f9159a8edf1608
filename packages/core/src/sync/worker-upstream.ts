// The server link as the browser worker's "upstream" (see packages/browser/src/worker/
// upstream.ts for the contract). Platform-free: the worker passes its own WebSocket. The worker
// registers it with
//   setUpstreamFactory((ctx) => createServerUpstream(ctx, WebSocket))
// and calls it only while it holds the namespace's leader lock (one server connection per
// namespace). Unsettled batches come from the durable outbox, so writes made offline or before
// a reload are pushed on the next connection. The worker's replica follows the server's
// decisions durably (as ServerLink's Db does in memory): a fate settles the outbox, a rejected
// batch is retracted in the durable file, an accepted transaction is applied, and an `evict`
// drops rows that left every subscription; each result reaches every tab's mirror.

import { mintLocalFirstToken } from "@jazz-tools/auth";
import type { Batch, BatchFate, DurabilityTier } from "../engine/batch.ts";
import type { QueryIR } from "../query/ir.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { RowState } from "../engine/merge.ts";
import type { HandshakeAuth } from "./protocol.ts";
import { ServerLink, type LinkStatus, type WebSocketCtor, type AuthEvent } from "./server-link.ts";

/** What the upstream needs from the worker's durable replica. */
export interface UpstreamReplica {
  outbox(): Promise<Batch[]>;
  settle(batchIds: string[]): Promise<void>;
  applyRemote(batches: Batch[]): Promise<void>;
  schema(): RuntimeSchema | undefined;
  /**
   * Follow a fate durably: accepted → final (a deferred transaction is applied and returned);
   * rejected → the batch is retracted and its rebuilt rows returned. Without it, `settle` only.
   */
  applyFate?(fate: BatchFate): Promise<{ applied?: Batch; retracted: RetractedRow[] }>;
  /** Drop evicted rows (except those with undecided local writes); returns the ids dropped. */
  evict?(table: string, ids: string[]): Promise<string[]>;
}

/** A row rebuilt after a retraction (null: no write remains). */
export interface RetractedRow {
  table: string;
  id: string;
  row: RowState | null;
}

export interface ServerUpstreamContext {
  replica: UpstreamReplica;
  schema: RuntimeSchema;
  /** The Db config: appId, serverUrl, and secret | jwtToken | adminSecret. */
  config: Record<string, unknown>;
  publishRemote(batches: Batch[]): void;
  /** `retracted`: rows the replica rebuilt for these (rejected) fates. */
  publishFates(fates: BatchFate[], retracted?: RetractedRow[]): void;
  /** Rows the replica dropped after an `evict`. */
  publishEvicted?(table: string, ids: string[]): void;
}

export interface ServerUpstream {
  onLocalCommitted(batches: Batch[]): void;
  subscribeQuery(queryId: string, query: QueryIR, tier: DurabilityTier): void;
  unsubscribeQuery(queryId: string): void;
  /** Settled notifications for the tabs' tier-gated first callbacks. */
  onQuerySettled(listener: (queryId: string, tier: DurabilityTier) => void): () => void;
  /** The server refused a subscription (e.g. an unknown table); it will not settle. */
  onQueryRefused(listener: (queryId: string, reason: string) => void): () => void;
  /** The server's active permissions bundle (on connect and on every deploy; replayed to a late listener). */
  onCatalogue(listener: (permissions: unknown) => void): () => void;
  onAuth(listener: (e: AuthEvent) => void): () => void;
  /** The link's status now (called at once) and on every change, with its reason. */
  onStatus(listener: (s: LinkStatus, reason?: string) => void): () => void;
  /** A refreshed external JWT (db.updateAuthToken in a tab). */
  updateToken(jwt: string | null): void;
  readonly link: ServerLink;
  close(): Promise<void>;
}

/** null when the config has no serverUrl (the worker stays the authority). */
export function createServerUpstream(ctx: ServerUpstreamContext, WebSocket: WebSocketCtor): ServerUpstream | null {
  const serverUrl = ctx.config.serverUrl;
  const appId = ctx.config.appId;
  if (typeof serverUrl !== "string" || !serverUrl || typeof appId !== "string") return null;
  let jwt = typeof ctx.config.jwtToken === "string" ? ctx.config.jwtToken : null;
  const secret = typeof ctx.config.secret === "string" ? ctx.config.secret : null;
  const adminSecret = typeof ctx.config.adminSecret === "string" ? ctx.config.adminSecret : undefined;
  const auth = (): HandshakeAuth => ({
    // A local-first token is minted fresh for every connection (it lives an hour).
    ...(secret ? { token: mintLocalFirstToken(secret, { audience: appId }) } : jwt ? { token: jwt } : {}),
    ...(adminSecret ? { adminSecret } : {}),
  });
  const link = new ServerLink({
    serverUrl,
    appId,
    WebSocket,
    auth,
    schema: () => ctx.replica.schema() ?? ctx.schema,
    env: typeof ctx.config.env === "string" ? ctx.config.env : undefined,
    userBranch: typeof ctx.config.userBranch === "string" ? ctx.config.userBranch : undefined,
  });
  const settledListeners = new Set<(id: string, tier: DurabilityTier) => void>();
  const refusedListeners = new Set<(id: string, reason: string) => void>();
  // Applying to the durable replica is async; keep remote batches and fates in arrival order.
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>) => {
    chain = chain.then(fn).catch((e) => console.error("jazz upstream:", e));
  };
  link.listen({
    onFate: (fate) =>
      serial(async () => {
        if (!ctx.replica.applyFate) {
          await ctx.replica.settle([fate.batchId]);
          ctx.publishFates([fate]);
          return;
        }
        const { applied, retracted } = await ctx.replica.applyFate(fate);
        if (applied) ctx.publishRemote([applied]);
        ctx.publishFates([fate], retracted);
      }),
    onRowsEvicted: (table, ids) =>
      serial(async () => {
        const gone = (await ctx.replica.evict?.(table, ids)) ?? [];
        if (gone.length) ctx.publishEvicted?.(table, gone);
      }),
    onRemoteBatches: (batches) =>
      serial(async () => {
        await ctx.replica.applyRemote(batches);
        ctx.publishRemote(batches);
      }),
    onQuerySettled: (id, tier) => serial(async () => settledListeners.forEach((l) => l(id, tier))),
    onQueryRefused: (id, reason) => serial(async () => refusedListeners.forEach((l) => l(id, reason))),
  });
  // Whatever the outbox holds (offline writes, writes from before a reload) goes first.
  serial(async () => {
    for (const b of await ctx.replica.outbox()) link.push(b);
  });
  return {
    link,
    onLocalCommitted: (batches) => serial(async () => batches.forEach((b) => link.push(b))),
    subscribeQuery: (id, query, tier) => link.subscribeQuery(id, query, tier),
    unsubscribeQuery: (id) => link.unsubscribeQuery(id),
    onQuerySettled(listener) {
      settledListeners.add(listener);
      return () => settledListeners.delete(listener);
    },
    onQueryRefused(listener) {
      refusedListeners.add(listener);
      return () => refusedListeners.delete(listener);
    },
    onCatalogue: (l) => link.onCatalogue((_schema, permissions) => l(permissions)),
    onAuth: (l) => link.onAuth(l),
    onStatus(l) {
      l(link.status, link.statusReason);
      return link.onStatus(l);
    },
    updateToken(next) {
      jwt = next;
      link.updateAuth();
    },
    close: () => link.close(),
  };
}
