// A ReplicaLink to a sync server over one WebSocket. Platform-free: the WebSocket constructor is
// injected (the browser's own in the worker, `ws` on Node). It keeps the desired state — queued
// batches and live subscriptions — and replays it on every (re)connect, so a dropped connection
// loses nothing and the server's batchId idempotency keeps anything from applying twice.

import type { Batch, BatchFate, DurabilityTier } from "../engine/batch.ts";
import { diagnoseConnectFailure } from "./diagnose.ts";
import { branchSyncUrl, dataBranch } from "./url.ts";
import type { LinkListener, ReplicaLink } from "../db/link.ts";
import type { LinkConnectionState } from "../db/sync-status.ts";
import type { QueryIR } from "../query/ir.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import { schemaVersionOf } from "../schema/hash.ts";
import {
  BEARER_SUBPROTOCOL_PREFIX,
  CLOSE,
  SYNC_PROTOCOL_VERSION,
  BINARY_FRAMES_VERSION,
  encodeFrame,
  SYNC_SUBPROTOCOL,
  decodeServerMessage,
  normaliseSyncUrl,
  type AuthErrorReason,
  type ClientMessage,
  type HandshakeAuth,
  type ServerMessage,
  type WireSession,
} from "./protocol.ts";

/** The part of the WebSocket API we use; the browser's WebSocket and `ws` both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  /** Binary frames arrive as Blobs in browsers unless this is "arraybuffer" (`ws` supports it too). */
  binaryType?: string;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketCtor = new (url: string, protocols?: string | string[], options?: any) => WebSocketLike;

export type LinkStatus = "connecting" | "connected" | "offline" | "unauthorized" | "closed";

export interface AuthEvent {
  session: WireSession | null;
  error?: AuthErrorReason;
  message?: string;
}

export interface ServerLinkOptions {
  serverUrl: string;
  appId: string;
  WebSocket: WebSocketCtor;
  /** Credentials, or a function read at every (re)connect (e.g. the Db's current token). */
  auth?: HandshakeAuth | (() => HandshakeAuth);
  /**
   * Structural schema to publish (the server applies it in development only), or a function
   * read before each push/subscription so tables a Db learns later are published first.
   */
  schema?: RuntimeSchema | (() => RuntimeSchema | undefined);
  clientId?: string;
  /**
   * Put the credentials in HTTP headers (Authorization, X-Jazz-*) through the constructor's
   * third argument, as `ws` on Node supports. Browsers cannot, so they send the hello message.
   */
  useHeaders?: boolean;
  /** Offer the bearer token as a `jazz-bearer.<jwt>` subprotocol as well. */
  tokenInSubprotocol?: boolean;
  backoff?: { baseMs?: number; capMs?: number; jitterMs?: number };
  /** The sync protocol version to speak (compatibility tests, benchmarks); default the current one. */
  protocolVersion?: number;
  /** false: wait for `start()` (when the auth/schema getters depend on an owner built later). */
  autoConnect?: boolean;
  /** Called on every error frame that is not about auth (logged by default). */
  onServerError?(code: string, message: string): void;
  /** The data branch (DbConfig env / userBranch; default "dev" / "main"). */
  env?: string;
  userBranch?: string;
}

export class ServerLink implements ReplicaLink {
  readonly url: string;
  private readonly opts: ServerLinkOptions;
  private auth: HandshakeAuth | (() => HandshakeAuth);
  private schema: RuntimeSchema | (() => RuntimeSchema | undefined) | undefined;
  private publishedSchema: RuntimeSchema | undefined;
  private readonly clientId: string;
  private ws: WebSocketLike | null = null;
  private ready = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private _status: LinkStatus = "connecting";
  private readonly listeners = new Set<LinkListener>();
  private readonly statusListeners = new Set<(s: LinkStatus, reason?: string) => void>();
  /** The server's or the diagnosis's words for the current status (cleared once connected). */
  private _reason: string | undefined;
  /** Whether the current socket ever opened (a failed upgrade never does). */
  private opened = false;
  private diagnosing = false;
  private diagnosedAt = 0;
  private readonly authListeners = new Set<(e: AuthEvent) => void>();
  private readonly catalogueListeners = new Set<(schema: RuntimeSchema, permissions: unknown) => void>();
  /** Batches pushed but not settled by the server, in push order. */
  private readonly outbox = new Map<string, Batch>();
  private readonly subs = new Map<string, { query: QueryIR; tier: DurabilityTier }>();
  private _session: WireSession | null = null;
  private catalogue: { schema: RuntimeSchema; permissions: unknown } | null = null;

  constructor(opts: ServerLinkOptions) {
    this.opts = opts;
    this.url = branchSyncUrl(normaliseSyncUrl(opts.serverUrl, opts.appId), dataBranch(opts.env, opts.userBranch));
    this.auth = opts.auth ?? {};
    this.schema = opts.schema;
    this.clientId = opts.clientId ?? randomId();
    // Connect on the next tick, so the owner can finish wiring (auth/schema getters) first.
    if (opts.autoConnect !== false) this.start();
  }

  /** Begin connecting (once; automatic unless `autoConnect: false`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this._status !== "closed") this.connect();
    }, 0);
  }
  private started = false;

  get status(): LinkStatus {
    return this._status;
  }
  get session(): WireSession | null {
    return this._session;
  }
  /** Batches still waiting for their fate (for tests and devtools). */
  get pendingBatchIds(): string[] {
    return [...this.outbox.keys()];
  }

  /** The schema (s.defineApp's) the Db's writes use; stamps batches in preference to the grown one. */
  private declared: RuntimeSchema | undefined;

  declareSchema(schema: RuntimeSchema): void {
    this.declared = schema;
  }

  /**
   * Marks a batch with the schema version whose names it uses (the schema this link declares),
   * unless its Db did already: a server on another version translates it.
   */
  stamp(batch: Batch): void {
    if (batch.schemaHash) return;
    const schema = this.declared ?? this.currentSchema();
    if (!schema || Object.keys(schema.tables).length === 0) return;
    batch.schemaHash = schemaVersionOf(schema);
  }

  push(batch: Batch): void {
    if (this._status === "closed") throw new Error("ServerLink is closed");
    this.stamp(batch);
    if (this.outbox.has(batch.batchId)) return;
    this.outbox.set(batch.batchId, batch);
    if (this.ready) {
      this.maybePublishSchema();
      this.send({ t: "push", batch });
    }
  }

  subscribeQuery(queryId: string, query: QueryIR, tier: DurabilityTier): void {
    this.subs.set(queryId, { query, tier });
    if (this.ready) {
      this.maybePublishSchema();
      this.send({ t: "sub", id: queryId, query, tier });
    }
  }

  unsubscribeQuery(queryId: string): void {
    if (!this.subs.delete(queryId)) return;
    if (this.ready) this.send({ t: "unsub", id: queryId });
  }

  listen(listener: LinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connectionState(): LinkConnectionState {
    return this._reason === undefined ? { connection: this._status } : { connection: this._status, reason: this._reason };
  }

  onConnectionState(listener: () => void): () => void {
    return this.onStatus(() => listener());
  }

  /** The reason for the current status, in the server's own words where it gave any. */
  get statusReason(): string | undefined {
    return this._reason;
  }

  /** Status changes (and new reasons for the same status). */
  onStatus(listener: (s: LinkStatus, reason?: string) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Session accepted, or an auth error (expired, invalid, missing, disabled). */
  onAuth(listener: (e: AuthEvent) => void): () => void {
    this.authListeners.add(listener);
    return () => this.authListeners.delete(listener);
  }

  /** The server's active schema and permissions bundle (on connect and on every deploy). */
  onCatalogue(listener: (schema: RuntimeSchema, permissions: unknown) => void): () => void {
    this.catalogueListeners.add(listener);
    if (this.catalogue) listener(this.catalogue.schema, this.catalogue.permissions);
    return () => this.catalogueListeners.delete(listener);
  }

  /**
   * New credentials (e.g. a refreshed JWT), or none to re-read the `auth` getter: applied to the
   * live connection, or used to reconnect when the server refused the previous ones.
   */
  updateAuth(auth?: HandshakeAuth): void {
    if (auth) this.auth = { ...auth };
    if (this._status === "closed") return;
    if (this.ready) this.send({ t: "auth", auth: this.currentAuth() });
    else if (this._status === "unauthorized") this.reconnectNow();
  }

  publishSchema(schema: RuntimeSchema): void {
    this.schema = schema;
    if (this.ready) this.maybePublishSchema();
  }

  private currentAuth(): HandshakeAuth {
    return typeof this.auth === "function" ? this.auth() : this.auth;
  }

  private currentSchema(): RuntimeSchema | undefined {
    return typeof this.schema === "function" ? this.schema() : this.schema;
  }

  private maybePublishSchema(): void {
    const schema = this.currentSchema();
    if (!schema || schema === this.publishedSchema || Object.keys(schema.tables).length === 0) return;
    this.publishedSchema = schema;
    this.send({ t: "schema", schema });
  }

  /** Drop the connection (tests, `db.disconnect`); queued writes and subscriptions are kept. */
  disconnect(): void {
    this.clearTimer();
    const ws = this.ws;
    this.detach();
    ws?.close(1000, "client disconnect");
    this.setStatus("offline");
  }

  /** Reconnect at once, skipping the backoff. */
  reconnectNow(): void {
    if (this._status === "closed") return;
    this.clearTimer();
    const ws = this.ws;
    this.detach();
    ws?.close(1000, "reconnect");
    this.attempt = 0;
    this.connect();
  }

  async close(): Promise<void> {
    if (this._status === "closed") return;
    this.clearTimer();
    const ws = this.ws;
    this.detach();
    this.setStatus("closed");
    ws?.close(1000, "client closed");
  }

  // ------------------------------------------------------------------ connection lifecycle

  private connect(): void {
    this.setStatus("connecting");
    const auth = this.currentAuth();
    const protocols = [SYNC_SUBPROTOCOL];
    if (this.opts.tokenInSubprotocol && auth.token) {
      protocols.push(BEARER_SUBPROTOCOL_PREFIX + auth.token);
    }
    let ws: WebSocketLike;
    try {
      ws = this.opts.useHeaders
        ? new this.opts.WebSocket(this.url, protocols, { headers: authHeaders(auth) })
        : new this.opts.WebSocket(this.url, protocols);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.opened = false;
    this.binaryFrames = false;
    if ("binaryType" in ws) ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.opened = true;
      const schema = this.currentSchema();
      this.publishedSchema = schema;
      this.send({
        t: "hello",
        v: this.opts.protocolVersion ?? SYNC_PROTOCOL_VERSION,
        clientId: this.clientId,
        auth: this.currentAuth(),
        ...(schema && Object.keys(schema.tables).length > 0 ? { schema } : {}),
      });
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.detach();
      if (ev.code === CLOSE.unauthorized) {
        this.setStatus("unauthorized", ev.reason || this._reason);
        return; // waits for updateAuth()
      }
      if (this._status === "unauthorized") return;
      if (ev.code === CLOSE.incompatibleProtocol || ev.code === CLOSE.notFound) {
        this.setStatus("offline", ev.reason || this._reason);
        return; // retrying cannot help
      }
      const opened = this.opened;
      this.scheduleReconnect();
      if (!opened) this.diagnose();
      else if (ev.reason && ev.code !== 1000) this.setStatus(this._status, ev.reason);
    };
  }

  private detach(): void {
    const ws = this.ws;
    if (ws) ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws) ws.onerror = () => {};
    this.ws = null;
    this.ready = false;
  }

  private scheduleReconnect(): void {
    if (this._status === "closed") return;
    this.setStatus("offline");
    const base = this.opts.backoff?.baseMs ?? 300;
    const cap = this.opts.backoff?.capMs ?? 10_000;
    const jitter = this.opts.backoff?.jitterMs ?? 200;
    const delay = Math.min(cap, base * 2 ** Math.min(this.attempt, 10) + Math.random() * jitter);
    this.attempt++;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setStatus(s: LinkStatus, reason: string | undefined = s === "connected" ? undefined : this._reason): void {
    if (this._status === s && this._reason === reason) return;
    this._status = s;
    this._reason = reason;
    for (const l of this.statusListeners) l(s, reason);
  }

  /** A socket closed without ever opening: ask the server's /health what is wrong (every 5 s at most). */
  private diagnose(): void {
    if (this.diagnosing || Date.now() - this.diagnosedAt < 5_000) return;
    this.diagnosing = true;
    this.diagnosedAt = Date.now();
    void diagnoseConnectFailure(this.url, this.opts.appId).then((reason) => {
      this.diagnosing = false;
      if (reason && this._status !== "connected" && this._status !== "closed") this.setStatus(this._status, reason);
    });
  }

  private send(msg: ClientMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === 1) ws.send(encodeFrame(msg, this.binaryFrames));
  }

  /** The server's welcome said protocol 3 or later: batches with bytes go as binary frames. */
  private binaryFrames = false;

  private onFrame(data: unknown): void {
    let msg: ServerMessage;
    try {
      msg = decodeServerMessage(data);
    } catch {
      return; // a frame we cannot read is dropped; the server never sends one
    }
    switch (msg.t) {
      case "welcome":
        this.onWelcome(msg);
        break;
      case "auth":
        this._session = msg.session;
        for (const l of this.authListeners) l({ session: msg.session });
        break;
      case "fate":
        this.onFate(msg.fate);
        break;
      case "batches":
        for (const l of this.listeners) l.onRemoteBatches(msg.batches);
        break;
      case "settled":
        // A core server reports "global", which also satisfies "edge": tell listeners each tier.
        for (const tier of tiersUpTo(msg.tier)) {
          for (const l of this.listeners) l.onQuerySettled?.(msg.id, tier);
        }
        break;
      case "evict":
        for (const { table, ids } of msg.rows) for (const l of this.listeners) l.onRowsEvicted?.(table, ids);
        break;
      case "catalogue":
        this.catalogue = { schema: msg.schema, permissions: msg.permissions };
        for (const l of this.catalogueListeners) l(msg.schema, msg.permissions);
        break;
      case "error":
        if (msg.id !== undefined && this.subs.delete(msg.id)) {
          // A refused subscription is dropped (not replayed on reconnect); the Db surfaces it.
          for (const l of this.listeners) l.onQueryRefused?.(msg.id, msg.message);
          this.opts.onServerError?.(msg.code, msg.message);
        } else if (msg.code === "unauthorized") {
          // The server closes the socket next; stop using it now so that new credentials given
          // from a listener below reconnect instead of going down the dying socket.
          this.ready = false;
          this.setStatus("unauthorized", msg.message);
          for (const l of this.authListeners) {
            l({ session: null, error: msg.reason ?? "invalid", message: msg.message });
          }
        } else if (this.opts.onServerError) this.opts.onServerError(msg.code, msg.message);
        else console.warn(`jazz sync server error (${msg.code}): ${msg.message}`);
        break;
      case "pong":
        break;
    }
  }

  private onWelcome(msg: Extract<ServerMessage, { t: "welcome" }>): void {
    this.ready = true;
    this.binaryFrames = typeof msg.v === "number" && msg.v >= BINARY_FRAMES_VERSION;
    this.attempt = 0;
    this._session = msg.session;
    this.setStatus("connected");
    for (const l of this.authListeners) l({ session: msg.session });
    this.catalogue = { schema: msg.schema, permissions: msg.permissions };
    for (const l of this.catalogueListeners) l(msg.schema, msg.permissions);
    // Replay the desired state: unsettled batches in push order, then live subscriptions.
    this.maybePublishSchema();
    for (const batch of this.outbox.values()) this.send({ t: "push", batch });
    for (const [id, s] of this.subs) this.send({ t: "sub", id, query: s.query, tier: s.tier });
  }

  private onFate(fate: BatchFate): void {
    // An edge server answers `edge` first and `global` once its core accepted: keep the batch
    // until a final fate, so a reconnect re-pushes it and the edge answers with where it is now.
    // (A fate for a batch not in the outbox — settled, or an earlier link's — is still reported.)
    if (fate.kind === "rejected" || fate.tier === "global") this.outbox.delete(fate.batchId);
    for (const l of this.listeners) l.onFate(fate);
  }
}

function tiersUpTo(tier: DurabilityTier): DurabilityTier[] {
  if (tier === "global") return ["edge", "global"];
  if (tier === "edge") return ["edge"];
  return ["local"];
}

export function authHeaders(auth: HandshakeAuth): Record<string, string> {
  const h: Record<string, string> = {};
  if (auth.token) h["Authorization"] = `Bearer ${auth.token}`;
  if (auth.backendSecret) h["X-Jazz-Backend-Secret"] = auth.backendSecret;
  if (auth.session) h["X-Jazz-Session"] = base64Json(auth.session);
  if (auth.adminSecret) h["X-Jazz-Admin-Secret"] = auth.adminSecret;
  if (auth.peerSecret) h["X-Jazz-Peer-Secret"] = auth.peerSecret;
  return h;
}

function base64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
