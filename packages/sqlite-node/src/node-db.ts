// A Db on Node (this is the Node platform package): core's Db over SQLite (better-sqlite3, or
// wa-sqlite's wasm without it), linked to a sync server by a ServerLink using the `ws` WebSocket. Used by `createDb` on Node, `jazz-tools/backend` and the
// tests. Credentials travel in HTTP headers (Node can set them) and in the hello message.

import type WebSocket from "ws";
import { syncSigner, type AuthState } from "@jazz-tools/auth";
import { checkServerUrl, Db, DbConfigError, type Batch, type SqlDriver } from "@jazz-tools/core";
import type { DbConfig } from "@jazz-tools/core";
import { ServerLink, decodeBatchValues, encodeMessage, type HandshakeAuth, type LinkStatus } from "@jazz-tools/core/sync";
import { createNodeSqlDriver } from "./driver.ts";
import { requirePeer } from "./peer.ts";

export interface NodeDbOptions {
  /** SQLite file; default in memory. */
  dataPath?: string;
  /** Backend impersonation: the server's backend secret, and optionally the session to act as. */
  backendSecret?: string;
  backendSession?: { user_id: string; claims?: Record<string, unknown>; authMode?: string };
  /** Called when the server reports the bearer token expired; return a fresh one (or null). */
  onJWTExpired?: () => Promise<string | null | undefined>;
  /** Reconnect backoff (tests shorten it). */
  backoff?: { baseMs?: number; capMs?: number; jitterMs?: number };
  /** Speak an older sync protocol (compatibility tests, benchmarks); default the current one. */
  protocolVersion?: number;
}

/** A Db whose auth state also reflects what the server said about its credentials. */
export class LinkedDb extends Db {
  private serverAuthError: AuthState["error"] | undefined;
  private readonly linkedAuthListeners = new Set<(s: AuthState) => void>();
  serverLink!: ServerLink;

  override getAuthState(): AuthState {
    const s = super.getAuthState();
    return this.serverAuthError ? { ...s, error: this.serverAuthError } : s;
  }

  override onAuthChanged(listener: (state: AuthState) => void): () => void {
    this.linkedAuthListeners.add(listener);
    const off = super.onAuthChanged(() => listener(this.getAuthState()));
    return () => {
      off();
      this.linkedAuthListeners.delete(listener);
    };
  }

  /** @internal the link reports the server's verdict on the credentials. */
  setServerAuthError(error: AuthState["error"] | undefined): void {
    if (this.serverAuthError === error) return;
    this.serverAuthError = error;
    const s = this.getAuthState();
    for (const l of [...this.linkedAuthListeners]) l(s);
  }

  /** Connection status of the server link. */
  get syncStatus(): LinkStatus {
    return this.serverLink.status;
  }

  /** Drop the server connection (writes queue up locally); `reconnect()` resumes. */
  disconnect(): void {
    this.serverLink.disconnect();
  }
  reconnect(): void {
    this.serverLink.reconnectNow();
  }
}

export async function createNodeDb(config: DbConfig, options: NodeDbOptions = {}): Promise<Db> {
  return openNodeDb(config, options);
}

/** Synchronous form of createNodeDb (the backend context hands out Dbs synchronously). */
export function openNodeDb(config: DbConfig, options: NodeDbOptions = {}): Db {
  if (!config || typeof config.appId !== "string" || config.appId.length === 0) {
    throw new DbConfigError("DbConfig error: appId must be a non-empty string.");
  }
  checkServerUrl(config);
  const driver = createNodeSqlDriver(options.dataPath ?? ":memory:");
  if (!config.serverUrl) return new Db({ config, driver, syncSigner });

  let db: LinkedDb | null = null;
  const auth = (): HandshakeAuth => {
    const a: HandshakeAuth = {};
    const token = db?.getAuthToken();
    if (token && !options.backendSecret) a.token = token;
    if (config.adminSecret) a.adminSecret = config.adminSecret;
    if (options.backendSecret) {
      a.backendSecret = options.backendSecret;
      if (options.backendSession) a.session = options.backendSession as HandshakeAuth["session"];
    }
    return a;
  };
  const link = new ServerLink({
    serverUrl: config.serverUrl,
    appId: config.appId,
    WebSocket: requirePeer<typeof WebSocket>("ws", "createDb with a serverUrl on Node") as never,
    auth,
    schema: () => db?.store.getSchema(),
    useHeaders: true,
    backoff: options.backoff,
    ...(options.protocolVersion !== undefined ? { protocolVersion: options.protocolVersion } : {}),
    env: config.env,
    userBranch: config.userBranch,
  });
  if (options.dataPath) keepOutbox(driver, link);
  db = new LinkedDb({ config, driver, link, defaultReadTier: "edge", syncSigner });
  db.serverLink = link;
  const linked = db;

  // A refreshed token (local-first re-mint, db.updateAuthToken) goes to the server at once.
  let first = true;
  linked.onAuthChanged(() => {
    if (first) return void (first = false);
    link.updateAuth();
  });
  link.onAuth((e) => {
    linked.setServerAuthError(e.error);
    if (e.error === "expired" && options.onJWTExpired) {
      options.onJWTExpired().then(
        (fresh) => {
          if (fresh) linked.updateAuthToken(fresh);
        },
        () => {},
      );
    }
  });
  return linked;
}

const OUTBOX = `"_jazz_node_outbox"`;

/**
 * A persistent Node Db's unsent batches survive a restart: each local batch is recorded in the
 * database file before it is applied, removed once its fate is final (accepted by the core, or
 * rejected), and every batch still recorded when the file is opened again is pushed again (the
 * server answers a batch it has already seen with its original fate, so each applies once).
 */
function keepOutbox(driver: SqlDriver, link: ServerLink): void {
  driver.exec(`CREATE TABLE IF NOT EXISTS ${OUTBOX} (batch_id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
  const unsent = driver.all(`SELECT body FROM ${OUTBOX} ORDER BY rowid`).map((r) => decodeBatchValues(JSON.parse(r[0] as string) as Batch));
  const push = link.push.bind(link);
  const record = (b: Batch) => driver.run(`INSERT OR IGNORE INTO ${OUTBOX} (batch_id, body) VALUES (?, ?)`, [b.batchId, encodeMessage(b as never)]);
  const forget = (batchId: string) => driver.run(`DELETE FROM ${OUTBOX} WHERE batch_id = ?`, [batchId]);
  Object.assign(link, {
    // Stamped before it is recorded: after a restart onto a new schema, an unsent batch still
    // says which version's names it uses.
    prepare: (b: Batch) => (link.stamp(b), record(b)),
    abandon: (batchId: string) => forget(batchId),
    push: (b: Batch) => {
      link.stamp(b);
      record(b);
      push(b);
    },
  });
  link.listen({
    onRemoteBatches: () => {},
    onFate: (f) => {
      if (f.kind === "rejected" || (f.kind === "accepted" && f.tier === "global")) forget(f.batchId);
    },
  });
  for (const b of unsent) push(b);
}
