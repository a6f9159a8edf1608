// `jazz-tools/backend`: createJazzContext (Server Setup docs, "Backend context setup"). Every
// handle is a Node Db (core's Db over better-sqlite3) linked to the sync server; the context
// picks the credentials: the backend secret alone (the backend itself, `jazz:system`), the
// backend secret plus a session (impersonation: the user's permissions apply), or the caller's
// own bearer token when no backend secret is configured.

import { syncSigner, type Session } from "@jazz-tools/auth";
import { Db, type DbConfig, type SqlDriver } from "@jazz-tools/core";
import { LocalPermissions, provideLocalPermissions } from "@jazz-tools/core/permissions";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { Authenticator } from "../auth/resolve.ts";
import { AuthError } from "../errors.ts";
import { openNodeDb } from "@jazz-tools/sqlite-node/node-db";

// Embedded session handles apply `permissions` synchronously from their first read.
provideLocalPermissions({ LocalPermissions });

export const BACKEND_PRINCIPAL = "jazz:system";

export interface JazzContextOptions {
  appId: string;
  /** The schema app (`s.defineApp(...)`); typed handles carry the schema to each Db. */
  app?: unknown;
  permissions?: unknown;
  driver?: { type: "persistent"; dataPath: string } | { type: "memory" };
  serverUrl?: string;
  backendSecret?: string;
  adminSecret?: string;
  jwksUrl?: string;
  jwtPublicKey?: string;
  /** Accept Jazz self-signed tokens in forRequest (default true). */
  allowLocalFirstAuth?: boolean;
  env?: string;
  userBranch?: string;
}

/** Anything with standard HTTP headers: a Fetch Request, Express/Fastify/Node req, Hono's c.req.raw. */
export type RequestLike =
  | { headers: { get(name: string): string | null } }
  | { headers: Record<string, string | string[] | undefined> };

export class BackendAuthError extends AuthError {
  override readonly code: string = "backend_auth";
  override name = "BackendAuthError";
}

export class JazzContext {
  private backend: Db | null = null;
  private readonly sessions = new Map<string, Db>();
  private readonly attributed = new Map<string, Db>();
  private authenticator: Promise<Authenticator> | null = null;
  private closed = false;
  /** Without a serverUrl every handle shares this one store (the context's database). */
  private embedded: SqlDriver | null = null;

  constructor(readonly options: JazzContextOptions) {
    if (!options || typeof options.appId !== "string" || !options.appId) {
      throw new Error("createJazzContext needs an appId");
    }
    if (options.jwksUrl && options.jwtPublicKey) {
      throw new Error("createJazzContext: set jwksUrl or jwtPublicKey, not both");
    }
  }

  private config(extra: Partial<DbConfig>): DbConfig {
    const { appId, serverUrl, env, userBranch } = this.options;
    return { appId, ...(serverUrl ? { serverUrl } : {}), ...(env ? { env } : {}), ...(userBranch ? { userBranch } : {}), ...extra };
  }

  private open(config: DbConfig, link: { backendSession?: Session; dataPath?: string; asSession?: boolean } = {}): Db {
    if (this.closed) throw new Error("this JazzContext has been shut down");
    if (!this.options.serverUrl) return this.openEmbedded(config, link.asSession === true);
    return openNodeDb(config, {
      dataPath: link.dataPath,
      backendSecret: this.options.serverUrl ? this.options.backendSecret : undefined,
      backendSession: link.backendSession,
    });
  }

  /**
   * A handle on the context's own store. Session handles are the authority for `permissions`
   * (reads filtered by the read policy, writes checked in full); the backend handle bypasses them.
   */
  private openEmbedded(config: DbConfig, asSession: boolean): Db {
    if (!this.embedded) {
      const d = this.options.driver;
      this.embedded = createNodeSqlDriver(d?.type === "persistent" ? d.dataPath : ":memory:");
    }
    const shared = this.embedded;
    // Each Db closes its driver on shutdown; the context closes the shared one itself.
    const driver: SqlDriver = { exec: (q) => shared.exec(q), run: (q, p) => shared.run(q, p), all: (q, p) => shared.all(q, p), close: () => {} };
    const db = new Db({ config, driver, permissionsAuthority: asSession, syncSigner });
    if (asSession && this.options.permissions !== undefined) db.setPermissions(JSON.parse(JSON.stringify(this.options.permissions)));
    return db;
  }

  /** The backend itself: backend-secret credentials, writes authored as `jazz:system`. */
  asBackend(_app?: unknown): Db {
    if (!this.backend) {
      const { serverUrl, backendSecret, adminSecret, driver } = this.options;
      if (serverUrl && !backendSecret && !adminSecret) {
        throw new Error("asBackend() with a serverUrl needs backendSecret (or adminSecret) in createJazzContext");
      }
      const system: Session = { user_id: BACKEND_PRINCIPAL, claims: {}, authMode: "external" };
      const config = this.config(backendSecret || !serverUrl ? { cookieSession: system } : { adminSecret });
      this.backend = this.open(config, { dataPath: driver?.type === "persistent" ? driver.dataPath : undefined });
    }
    return this.backend;
  }

  /** A high-level Db with the context's runtime: the backend handle (embedded: unscoped). */
  db(_app?: unknown): Db {
    return this.asBackend();
  }

  /** A Db acting as `session`: the server applies that user's permissions; writes are theirs. */
  forSession(session: Session | string, _app?: unknown): Db {
    const s: Session = typeof session === "string" ? { user_id: session, claims: {}, authMode: "external" } : session;
    if (!s || typeof s.user_id !== "string" || !s.user_id) throw new BackendAuthError("invalid", "forSession needs a session with a user_id");
    if (this.options.serverUrl && !this.options.backendSecret) {
      throw new Error("forSession() with a serverUrl needs backendSecret in createJazzContext (backend impersonation)");
    }
    let db = this.sessions.get(s.user_id);
    if (!db) {
      db = this.open(this.config({ cookieSession: s }), { backendSession: s, asSession: true });
      this.sessions.set(s.user_id, db);
    }
    return db;
  }

  /** Backend permissions, but new writes are stamped as `principalId`. */
  withAttribution(principalId: string, _app?: unknown): Db {
    if (!principalId) throw new BackendAuthError("invalid", "withAttribution needs a principal id");
    let db = this.attributed.get(principalId);
    if (!db) {
      db = this.open(this.config({ cookieSession: { user_id: principalId, claims: {}, authMode: "external" } }));
      this.attributed.set(principalId, db);
    }
    return db;
  }

  withAttributionForSession(session: Session, app?: unknown): Db {
    return this.withAttribution(session.user_id, app);
  }

  async withAttributionForRequest(req: RequestLike, app?: unknown): Promise<Db> {
    return this.withAttribution((await this.sessionFromRequest(req)).user_id, app);
  }

  /** A Db running as the authenticated caller of `req` (standard HTTP headers only). */
  async forRequest(req: RequestLike, app?: unknown): Promise<Db> {
    const session = await this.sessionFromRequest(req);
    if (this.options.serverUrl && !this.options.backendSecret) {
      // No impersonation available: present the caller's own token to the server.
      const token = bearer(req)!;
      return this.open(this.config({ jwtToken: token }));
    }
    return this.forSession(session, app);
  }

  /** Resolve a request's session with the same priority as the server. */
  async sessionFromRequest(req: RequestLike): Promise<Session> {
    const backendSecret = header(req, "x-jazz-backend-secret");
    const sessionHeader = header(req, "x-jazz-session");
    const token = bearer(req);
    this.authenticator ??= Authenticator.create({
      appId: this.options.appId,
      allowLocalFirstAuth: this.options.allowLocalFirstAuth ?? true,
      jwksUrl: this.options.jwksUrl,
      jwtPublicKey: this.options.jwtPublicKey,
      backendSecret: this.options.backendSecret,
    });
    const auth = await this.authenticator;
    let session: { user_id: string; claims?: Record<string, unknown> } | undefined;
    if (sessionHeader) {
      try {
        session = JSON.parse(Buffer.from(sessionHeader, "base64").toString("utf8"));
      } catch {
        throw new BackendAuthError("invalid", "X-Jazz-Session is not base64 JSON");
      }
    }
    try {
      const r = await auth.resolve({ ...(backendSecret ? { backendSecret, session } : {}), ...(token ? { token } : {}) });
      const mode = r.session.authMode === "local-first" || r.session.authMode === "anonymous" ? r.session.authMode : "external";
      return { user_id: r.session.user_id, claims: r.session.claims, authMode: mode };
    } catch (e) {
      if (e instanceof AuthError) throw new BackendAuthError(e.reason, e.message);
      throw e;
    }
  }

  /**
   * Every write of every handle is durable once committed (SQLite, synchronous=FULL), so there
   * is nothing to write out; flush() is the reference's call before a shutdown or a restart.
   */
  flush(): void {
    if (this.closed) throw new Error("this JazzContext has been shut down");
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const all = [this.backend, ...this.sessions.values(), ...this.attributed.values()].filter((d): d is Db => !!d);
    this.backend = null;
    this.sessions.clear();
    this.attributed.clear();
    await Promise.all(all.map((d) => d.shutdown()));
    this.embedded?.close();
    this.embedded = null;
  }
}

export function createJazzContext(options: JazzContextOptions): JazzContext {
  return new JazzContext(options);
}

function header(req: RequestLike, name: string): string | undefined {
  const h = (req as { headers?: unknown }).headers;
  if (!h) return undefined;
  if (typeof (h as { get?: unknown }).get === "function") return (h as { get(n: string): string | null }).get(name) ?? undefined;
  const v = (h as Record<string, string | string[] | undefined>)[name] ?? (h as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function bearer(req: RequestLike): string | undefined {
  const v = header(req, "authorization");
  return v && /^Bearer\s+/i.test(v) ? v.replace(/^Bearer\s+/i, "").trim() : undefined;
}
