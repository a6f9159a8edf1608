// One client WebSocket: handshake (credentials from the hello message, a `jazz-bearer.<jwt>`
// subprotocol or HTTP headers), then pushes, subscriptions and token refreshes, processed in
// arrival order. Fates go back on the same socket, so a client sees them in push order.

import { schemaHash, type Batch, type DurabilityTier } from "@jazz-tools/core";
import {
  CLOSE,
  SYNC_PROTOCOL_VERSION,
  MIN_SYNC_PROTOCOL_VERSION,
  decodeClientMessage,
  encodeMessage,
  encodeFrame,
  BINARY_FRAMES_VERSION,
  ProtocolError,
  type ClientMessage,
  type HandshakeAuth,
  type ServerMessage,
  type WireSession,
} from "@jazz-tools/core/sync";
import type { WebSocket } from "ws";
import { AuthError, QueryBudgetError, SchemaPublishError } from "../errors.ts";
import type { ResolvedAuth } from "../auth/resolve.ts";
import { DEFAULT_LIMITS, type SyncService } from "./service.ts";
import type { Subscriber } from "./hub.ts";
import { projectForConnection } from "./permissions.ts";
import type { PolicyHook } from "@jazz-tools/core";

let nextConnection = 1;
/** A fan-out's `batches` message, encoded once per form: text (protocol 1, 2) and protocol 3's. */
const encodedBatches = new WeakMap<Batch[], { text?: Buffer; v3?: string | Uint8Array }>();
const projections = new WeakMap<Batch[], Map<string, Batch[]>>();

export class Connection implements Subscriber {
  readonly id = `c${nextConnection++}`;
  /** Read policy of this connection's session (none for admin/backend): see ./permissions.ts. */
  get policyKey(): string {
    if (this.isPrivileged || !this.session) return "";
    // Asked for every batch fanned out to this connection: computed once per session and bundle.
    const bundle = this.service.permissions.active;
    const m = this.keyMemo;
    if (m && m.session === this.session && m.bundle === bundle) return m.key;
    const key = this.service.permissions.sessionKey(this.session);
    this.keyMemo = { session: this.session, bundle, key };
    return key;
  }
  private keyMemo: { session: unknown; bundle: unknown; key: string } | null = null;
  get policy(): PolicyHook | undefined {
    return this.isPrivileged || !this.session ? undefined : this.service.permissions.readHook(this.service.engine.schema, this.session);
  }
  private auth: ResolvedAuth | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** The version agreed in the handshake (the client's, within what this server speaks). */
  private protocolVersion = SYNC_PROTOCOL_VERSION;
  /** The schema version (hash) the client declared in its hello; null = the head. */
  schemaVersion: string | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly service: SyncService,
    /** Credentials from HTTP headers / subprotocol, merged under the hello message's own. */
    private readonly transportAuth: HandshakeAuth,
  ) {
    ws.on("message", (data, isBinary) => {
      // A binary frame (protocol 3: a push whose values carry bytes) is decoded as bytes.
      const frame = isBinary ? data : data.toString();
      // Messages are handled strictly in order; only the handshake and token refresh await.
      this.queue = this.queue.then(() => this.onMessage(frame)).catch((e) => this.fail("internal", String(e)));
    });
    ws.on("close", () => this.dispose());
    ws.on("error", () => this.dispose());
    const limits = service.limits ?? DEFAULT_LIMITS;
    this.maxSendBuffer = limits.maxSendBufferBytes;
    this.helloTimer = setTimeout(() => {
      if (!this.auth) this.timeOut(`no hello within ${limits.helloTimeoutMs} ms`);
    }, limits.helloTimeoutMs);
    this.helloTimer.unref?.();
    let answered = true;
    ws.on?.("pong", () => (answered = true));
    this.pingTimer = setInterval(() => {
      if (!answered) return this.timeOut(`no pong within ${limits.pingIntervalMs} ms`);
      answered = false;
      if (ws.readyState === 1) ws.ping?.();
    }, limits.pingIntervalMs);
    this.pingTimer.unref?.();
  }

  private readonly maxSendBuffer: number;
  private helloTimer: ReturnType<typeof setTimeout> | null;
  private pingTimer: ReturnType<typeof setInterval> | null;

  private timeOut(reason: string): void {
    this.send({ t: "error", code: "bad_request", message: reason });
    this.close(CLOSE.timeout, reason);
  }

  /** A client that stopped reading is disconnected instead of buffered without bound. */
  private overLimit(): boolean {
    if ((this.ws.bufferedAmount ?? 0) <= this.maxSendBuffer) return false;
    this.close(CLOSE.slowConsumer, `send buffer over ${this.maxSendBuffer} bytes: the client is not reading`);
    return true;
  }

  get session(): WireSession | null {
    return this.auth?.session ?? null;
  }

  send(msg: ServerMessage): void {
    if (this.closed || this.ws.readyState !== 1 || this.overLimit()) return;
    const frame = encodeFrame(msg, this.protocolVersion >= BINARY_FRAMES_VERSION);
    this.ws.send(frame, { binary: typeof frame !== "string" });
  }

  sendBatches(batches: Batch[], opts?: { readable?: boolean }): void {
    if (this.closed || this.ws.readyState !== 1 || this.overLimit()) return;
    const projected = opts?.readable ? batches : this.project(batches);
    if (projected.length === 0) return;
    const visible = this.schemaVersion ? this.service.lenses.outbound(projected, this.schemaVersion) : projected;
    // Fan-out hands many connections the same array: encode it once (to UTF-8 bytes too; sent
    // as a text frame, so clients still receive a string).
    let enc = encodedBatches.get(visible);
    if (!enc) encodedBatches.set(visible, (enc = {}));
    if (this.protocolVersion >= BINARY_FRAMES_VERSION) {
      const frame = (enc.v3 ??= encodeFrame({ t: "batches", batches: visible }, true));
      this.ws.send(frame, { binary: typeof frame !== "string" });
    } else {
      this.ws.send((enc.text ??= Buffer.from(encodeMessage({ t: "batches", batches: visible }))), { binary: false });
    }
  }

  /**
   * Fan-out hands many connections the same array, and sessions with the same policy key see
   * the same rows: project once per key (the database does not change during one fan-out), and
   * keep the input array when nothing was dropped, so the encoding below is shared too.
   */
  private project(batches: Batch[]): Batch[] {
    const key = this.policyKey;
    if (key === "") return projectForConnection(this, batches);
    let byKey = projections.get(batches);
    if (!byKey) projections.set(batches, (byKey = new Map()));
    let out = byKey.get(key);
    if (!out) {
      out = projectForConnection(this, batches);
      if (out.length === batches.length && out.every((b, i) => b === batches[i])) out = batches;
      byKey.set(key, out);
    }
    return out;
  }

  /** Rows that left all of this connection's subscriptions without being written (v2+). */
  sendEvicted(rows: { table: string; ids: string[] }[]): void {
    if (this.protocolVersion >= 2 && rows.length > 0) this.send({ t: "evict", rows });
  }

  sendSettled(queryId: string, tier: DurabilityTier): void {
    this.send({ t: "settled", id: queryId, tier });
  }

  /** The client drops the query and fails its readers (an error with an id refuses it). */
  sendQueryDropped(queryId: string, error: QueryBudgetError): void {
    this.send({ t: "error", code: error.code, id: queryId, message: `live query ${queryId} dropped: ${error.message}` });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.helloTimer = this.pingTimer = null;
    this.service.detach(this);
  }

  private fail(code: "bad_request" | "internal" | "incompatible_protocol" | "forbidden", message: string): void {
    this.send({ t: "error", code, message });
    const closeCode = code === "incompatible_protocol" ? CLOSE.incompatibleProtocol : code === "forbidden" ? CLOSE.forbidden : CLOSE.badRequest;
    this.close(closeCode, message);
  }

  private refuseAuth(e: AuthError): void {
    this.send({ t: "error", code: "unauthorized", reason: e.reason, message: e.message });
    this.close(CLOSE.unauthorized, e.reason);
  }

  private async onMessage(text: unknown): Promise<void> {
    if (this.closed) return;
    let msg: ClientMessage;
    try {
      msg = decodeClientMessage(text);
    } catch (e) {
      this.fail("bad_request", e instanceof ProtocolError ? e.message : "unreadable frame");
      return;
    }
    if (!this.auth) {
      if (msg.t !== "hello") {
        this.fail("bad_request", `the first message must be "hello", got "${msg.t}"`);
        return;
      }
      await this.onHello(msg);
      return;
    }
    switch (msg.t) {
      case "hello":
        this.fail("bad_request", "hello was already received");
        return;
      case "auth":
        await this.onAuth(msg.auth);
        return;
      case "push":
        this.service.push(this, msg.batch);
        return;
      case "sub": {
        const held = this.service.hub.subscriptionsOf(this);
        const max = this.service.limits.maxSubscriptions;
        if (!held.has(msg.id) && held.count >= max) {
          this.send({ t: "error", code: "too_many_subscriptions", id: msg.id, message: `subscription ${msg.id} refused: this connection already holds ${held.count} live queries (at most ${max}); unsubscribe some first` });
          return;
        }
        try {
          this.service.hub.subscribe(this, msg.id, this.service.lenses.queryToLayout(msg.query, this.schemaVersion));
          this.service.upstream?.subscribed(this, msg.id, msg.query, msg.tier);
        } catch (e) {
          const code = e instanceof QueryBudgetError ? e.code : "bad_request";
          this.send({ t: "error", code, id: msg.id, message: `subscription ${msg.id} refused: ${(e as Error).message}` });
        }
        return;
      }
      case "unsub":
        this.service.hub.unsubscribe(this, msg.id);
        this.service.upstream?.unsubscribed(this, msg.id);
        return;
      case "schema":
        this.publishSchema(msg.schema);
        return;
      case "ping":
        this.send({ t: "pong", n: msg.n });
        return;
    }
  }

  private async onHello(msg: Extract<ClientMessage, { t: "hello" }>): Promise<void> {
    if (!Number.isInteger(msg.v) || msg.v < MIN_SYNC_PROTOCOL_VERSION || msg.v > SYNC_PROTOCOL_VERSION) {
      this.fail(
        "incompatible_protocol",
        `server speaks sync protocol ${MIN_SYNC_PROTOCOL_VERSION}–${SYNC_PROTOCOL_VERSION}, client sent ${msg.v}`,
      );
      return;
    }
    this.protocolVersion = msg.v;
    const auth: HandshakeAuth = { ...this.transportAuth, ...stripUndefined(msg.auth) };
    try {
      this.setAuth(await this.service.authenticator.resolve(auth));
    } catch (e) {
      if (e instanceof AuthError) return this.refuseAuth(e);
      throw e;
    }
    if (this.closed) return;
    if (msg.schema && !this.publishSchema(msg.schema, true)) return;
    if (msg.schema && typeof msg.schema === "object") {
      try {
        this.schemaVersion = schemaHash(msg.schema);
      } catch {
        this.schemaVersion = null;
      }
    }
    const engine = this.service.engine;
    this.send({
      t: "welcome",
      v: this.protocolVersion,
      connectionId: this.id,
      session: this.auth!.session,
      schema: engine.schema,
      permissions: this.service.lenses.sameNames(this.schemaVersion) ? engine.permissions : null,
    });
    this.service.attach(this);
  }

  private async onAuth(next: HandshakeAuth): Promise<void> {
    try {
      const resolved = await this.service.authenticator.resolve(stripUndefined(next));
      if (resolved.session.user_id !== this.auth!.session.user_id) {
        throw new AuthError("invalid", "Changing auth principal on a live client is not supported. Recreate the Db.");
      }
      this.setAuth(resolved);
      this.send({ t: "auth", session: resolved.session });
    } catch (e) {
      if (e instanceof AuthError) return this.refuseAuth(e);
      throw e;
    }
  }

  private setAuth(a: ResolvedAuth): void {
    this.auth = a;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (a.expiresAt !== undefined) {
      // A live connection ends with its token; the client refreshes it and reconnects.
      const ms = Math.max(0, a.expiresAt - Date.now());
      this.expiryTimer = setTimeout(() => this.refuseAuth(new AuthError("expired", "token expired")), Math.min(ms, 2 ** 31 - 1));
      this.expiryTimer.unref?.();
    }
  }

  get isAdmin(): boolean {
    return !!this.auth?.isAdmin;
  }
  get isPrivileged(): boolean {
    return !!this.auth && (this.auth.isAdmin || this.auth.isBackend);
  }

  /** Development: any client may publish its structural schema; production needs admin. */
  private publishSchema(schema: unknown, duringHello = false): boolean {
    try {
      this.service.publishSchema(schema as never, { admin: this.isAdmin });
      return true;
    } catch (e) {
      if (e instanceof SchemaPublishError) {
        if (duringHello && e.status === 403) return true; // production: keep the active schema
        this.send({ t: "error", code: e.status === 403 ? "forbidden" : "bad_request", message: e.message });
        return true;
      }
      throw e;
    }
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}
