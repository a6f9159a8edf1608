// One app inside a server process: its own database, catalogue (schema, permissions), auth
// and connections, and the HTTP routes under /apps/<appId>/. The process-wide parts (the HTTP
// listener, /health, the WebSocket upgrade) live in ./server.ts, which can host several apps.

import { header, json } from "./respond.ts";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { normalizeAudience } from "@jazz-tools/auth";
import { schemaHash, type SqlDriver } from "@jazz-tools/core";
import { CLOSE } from "@jazz-tools/core/sync";
import type { ServerOptions } from "../cli/options.ts";
import { Authenticator } from "../auth/resolve.ts";
import { AuthError, SchemaPublishError } from "../errors.ts";
import { catalogueRoute, headHash, parseMigrations } from "./catalogue-routes.ts";
import { openDatabase } from "../storage/open.ts";
import { ServerEngine } from "../sync/engine.ts";
import { SyncService, pickLimits } from "../sync/service.ts";
import { EdgeUpstream } from "../edge/upstream.ts";

/** What an app needs of its own; the listener's host and port belong to the process. */
export type AppOptions = Omit<ServerOptions, "port" | "host">;

export interface EdgeTuning {
  backoff?: { baseMs?: number; capMs?: number; jitterMs?: number };
  idleLinkMs?: number;
}

const MAX_BODY = 8 * 1024 * 1024;
const BRANCH_RE = /^[A-Za-z0-9_.-]{1,64}\/[A-Za-z0-9_.-]{1,64}$/;
/** Data branches one app may open (each is a database). */
const MAX_BRANCHES = 64;

export class HostedApp {
  private constructor(
    readonly appId: string,
    readonly service: SyncService,
    /** Set in edge mode (--upstream-url). */
    readonly edge: EdgeUpstream | null,
    private readonly authenticator: Authenticator,
    private readonly driver: SqlDriver,
    private readonly opts: AppOptions,
    private readonly edgeTuning: EdgeTuning,
  ) {}

  /** Data branches other than dev/main (`?branch=<env>/<userBranch>`), opened on first use. */
  private readonly branches = new Map<string, Promise<HostedApp>>();

  /**
   * The instance holding a data branch's rows: this one for the default branch, else its own
   * database (under <data-dir>/branches/) with this app's catalogue and auth.
   */
  branch(name: string | null): HostedApp | Promise<HostedApp> {
    if (!name) return this;
    if (!BRANCH_RE.test(name)) throw new SchemaPublishError(400, `branch must be "<env>/<userBranch>" of letters, digits, "_", "-" or ".", got ${JSON.stringify(name)}`);
    if (this.edge) throw new SchemaPublishError(400, `this edge serves only the default branch (dev/main), not ${name}`);
    let p = this.branches.get(name);
    if (!p) {
      if (this.branches.size >= MAX_BRANCHES) throw new SchemaPublishError(400, `app ${this.appId} already has ${MAX_BRANCHES} data branches`);
      const dataDir = this.opts.inMemory ? "" : join(this.opts.dataDir, "branches", encodeURIComponent(name));
      p = HostedApp.open({ ...this.opts, dataDir }, this.edgeTuning).then((b) => {
        b.adoptCatalogue(this.service.engine.schema, this.service.engine.permissions);
        return b;
      });
      this.branches.set(name, p);
      p.catch(() => this.branches.delete(name));
    }
    return p;
  }

  /** Takes the app's deployed schema and permissions (a branch follows its app's catalogue). */
  private adoptCatalogue(schema: unknown, permissions: unknown): void {
    if (schema && Object.keys((schema as { tables?: object }).tables ?? {}).length) this.service.publishSchema(schema as never, { admin: true });
    if (permissions !== undefined && permissions !== null) this.service.publishPermissions(permissions, { admin: true });
  }

  private async forEachBranch(fn: (b: HostedApp) => void | Promise<void>): Promise<void> {
    await Promise.all([...this.branches.values()].map((p) => p.then(fn, () => {})));
  }

  static async open(opts: AppOptions, edgeTuning: EdgeTuning = {}): Promise<HostedApp> {
    const authenticator = await Authenticator.create(opts);
    const { driver } = openDatabase(opts);
    const engine = new ServerEngine(driver, opts.appId);
    const service = new SyncService(engine, authenticator, {
      production: opts.production,
      limits: pickLimits(opts),
      appId: opts.appId,
    });
    const edge = opts.upstreamUrl
      ? new EdgeUpstream(service, { upstreamUrl: opts.upstreamUrl, appId: opts.appId, peerSecret: opts.peerSecret!, production: opts.production, ...edgeTuning })
      : null;
    return new HostedApp(opts.appId, service, edge, authenticator, driver, opts, edgeTuning);
  }

  /**
   * The path segments this app answers to: its id and, for a name, the UUIDv5 the reference
   * derives from it (so `/apps/my-app/...` and `/apps/<uuidv5("my-app")>/...` are one app).
   */
  get routeIds(): string[] {
    const canonical = normalizeAudience(this.appId);
    return canonical === this.appId ? [this.appId] : [this.appId, canonical];
  }

  get health() {
    const upstream = this.edge ? { upstream: { status: this.edge.status, pending: this.edge.pendingUpstream, links: this.edge.linkCount } } : {};
    const branches = this.branches.size ? { branches: this.branches.size } : {};
    return { appId: this.appId, connections: this.service.connections.size, ...branches, ...upstream };
  }

  /** Routes under /apps/<appId>/ (`rest` is the part after it). Returns false when none matched. */
  async handleHttp(rest: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const engine = this.service.engine;
    const admin = await this.adminFrom(req);
    try {
      if (req.method === "GET" && (rest === "schema" || rest === "admin/schema")) {
        if (!admin) throw new SchemaPublishError(401, "reading the schema catalogue needs the admin secret (X-Jazz-Admin-Secret)");
        json(res, 200, { schema: engine.schema, permissions: engine.permissions });
        return true;
      }
      // The catalogue as the reference's apps poll it (an edge answers with what has reached it).
      if (req.method === "GET" && rest === "admin/permissions/head") {
        if (!admin) throw new SchemaPublishError(401, "reading the permissions head needs the admin secret (X-Jazz-Admin-Secret)");
        json(res, 200, { head: this.service.permissionsHead() });
        return true;
      }
      if (req.method === "GET" && catalogueRoute(this.service, rest, new URL(req.url ?? "/", "http://x").searchParams, admin, res)) return true;
      if (req.method === "POST" && rest === "admin/migrations") {
        if (!admin) throw new SchemaPublishError(401, "publishing a migration needs the admin secret (X-Jazz-Admin-Secret)");
        const body = (await readJson(req)) as { migration?: unknown; migrations?: unknown } | null;
        const list = body && typeof body === "object" && !Array.isArray(body) ? (body.migrations ?? (body.migration !== undefined ? [body.migration] : undefined)) : undefined;
        if (list === undefined) throw new SchemaPublishError(400, 'the body must be { "migration": {...} } or { "migrations": [...] }');
        const migrations = parseMigrations(this.service, list);
        this.service.publishMigrations(migrations, { admin });
        json(res, 200, { migrations: engine.versions.migrations().length });
        return true;
      }
      if (req.method === "POST" && (rest === "schema" || rest === "admin/schema")) {
        const body = (await readJson(req)) as { schema?: unknown; permissions?: unknown; migrations?: unknown } | null;
        if (!body || typeof body !== "object" || Array.isArray(body)) {
          throw new SchemaPublishError(400, 'the body must be a JSON object { "schema"?: {...}, "permissions"?: {...} }');
        }
        if (this.edge) {
          // The core owns the catalogue: an edge forwards deploys to it.
          const r = await this.edge.forwardPublish(body, header(req, "x-jazz-admin-secret"));
          json(res, r.status, r.body);
          return true;
        }
        const migrations = parseMigrations(this.service, body.migrations, body.schema && typeof body.schema === "object" ? (body.schema as never) : undefined);
        if (body.schema !== undefined) this.service.publishSchema(body.schema as never, { admin }, migrations);
        else if (migrations.length) this.service.publishMigrations(migrations, { admin });
        if (body.permissions !== undefined) this.service.publishPermissions(body.permissions, { admin });
        // Every data branch follows the app's catalogue.
        await this.forEachBranch((b) => b.adoptCatalogue(engine.schema, engine.permissions));
        json(res, 200, { schema: engine.schema, permissions: engine.permissions, hash: headHash(this.service) });
        return true;
      }
    } catch (e) {
      if (e instanceof SchemaPublishError) {
        json(res, e.status, { error: e.status === 403 || e.status === 401 ? "forbidden" : "bad_request", message: e.message });
        return true;
      }
      throw e;
    }
    return false;
  }

  /** Ends the app's connections and closes its database. */
  async close(): Promise<void> {
    await this.edge?.close();
    this.service.closeAll(CLOSE.shuttingDown, "server shutting down");
    await this.forEachBranch((b) => b.close());
  }

  closeStorage(): void {
    this.driver.close();
    void this.forEachBranch((b) => b.closeStorage());
  }

  private async adminFrom(req: IncomingMessage): Promise<boolean> {
    const secret = header(req, "x-jazz-admin-secret");
    if (secret === undefined) return false;
    try {
      return (await this.authenticator.resolve({ adminSecret: secret })).isAdmin;
    } catch (e) {
      if (e instanceof AuthError) return false;
      throw e;
    }
  }
}


async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new SchemaPublishError(413, "request body too large");
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new SchemaPublishError(400, "request body is not JSON");
  }
}
