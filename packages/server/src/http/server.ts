// The HTTP side of the sync server: GET /health, the WebSocket at /apps/<appId>/ws, and the
// catalogue routes `jazz-tools deploy` and the dev plugin publish through.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebSocketServer as WebSocketServerType } from "ws";
import { requirePeer } from "@jazz-tools/sqlite-node";
import { schemaHash } from "@jazz-tools/core";
import { BEARER_SUBPROTOCOL_PREFIX, CLOSE, SYNC_SUBPROTOCOL, type HandshakeAuth } from "@jazz-tools/core/sync";
import type { ServerOptions } from "../cli/options.ts";
import { Authenticator } from "../auth/resolve.ts";
import { AuthError, SchemaPublishError } from "../errors.ts";
import { openDatabase } from "../storage/open.ts";
import { Connection } from "../sync/connection.ts";
import { ServerEngine } from "../sync/engine.ts";
import { SyncService } from "../sync/service.ts";
import { EdgeUpstream } from "../edge/upstream.ts";

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  service: SyncService;
  /** Set in edge mode (--upstream-url). */
  edge: EdgeUpstream | null;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

export async function startSyncServer(
  opts: ServerOptions,
  /** Edge mode tuning (tests shorten the reconnect backoff towards the core). */
  edgeTuning: { backoff?: { baseMs?: number; capMs?: number; jitterMs?: number }; idleLinkMs?: number } = {},
): Promise<RunningServer> {
  const authenticator = await Authenticator.create(opts);
  const { driver } = openDatabase(opts);
  const engine = new ServerEngine(driver, opts.appId);
  const service = new SyncService(engine, authenticator, {
    production: opts.production,
    limits: { helloTimeoutMs: opts.helloTimeoutMs, maxSendBufferBytes: opts.maxSendBufferBytes, pingIntervalMs: opts.pingIntervalMs },
  });
  const edge = opts.upstreamUrl
    ? new EdgeUpstream(service, { upstreamUrl: opts.upstreamUrl, appId: opts.appId, peerSecret: opts.peerSecret!, production: opts.production, ...edgeTuning })
    : null;
  const wsPath = `/apps/${encodeURIComponent(opts.appId)}/ws`;
  const appPrefix = `/apps/${encodeURIComponent(opts.appId)}/`;

  const http = createServer((req, res) => {
    handleHttp(req, res).catch((e) => json(res, 500, { error: "internal", message: String(e) }));
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Jazz-Admin-Secret");
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === "/health") {
      const upstream = edge ? { upstream: { status: edge.status, pending: edge.pendingUpstream, links: edge.linkCount } } : {};
      json(res, 200, { status: "ok", appId: opts.appId, connections: service.connections.size, ...upstream });
      return;
    }
    if (!url.pathname.startsWith(appPrefix)) {
      json(res, 404, { error: "not_found", message: `no route ${url.pathname} (this server serves app ${opts.appId})` });
      return;
    }
    const rest = url.pathname.slice(appPrefix.length);
    const admin = await adminFrom(req);
    try {
      if (req.method === "GET" && (rest === "schema" || rest === "admin/schema")) {
        if (!admin) throw new SchemaPublishError(401, "reading the schema catalogue needs the admin secret (X-Jazz-Admin-Secret)");
        json(res, 200, { schema: engine.schema, permissions: engine.permissions });
        return;
      }
      // The catalogue as the reference's apps poll it (an edge answers with what has reached it).
      if (req.method === "GET" && rest === "schemas") {
        json(res, 200, { hashes: currentSchemaHash() ? [currentSchemaHash()] : [] });
        return;
      }
      if (req.method === "GET" && rest === "admin/permissions/head") {
        if (!admin) throw new SchemaPublishError(401, "reading the permissions head needs the admin secret (X-Jazz-Admin-Secret)");
        const hash = currentSchemaHash();
        json(res, 200, { head: engine.permissions !== undefined && engine.permissions !== null && hash ? { schemaHash: hash } : null });
        return;
      }
      if (req.method === "POST" && (rest === "schema" || rest === "admin/schema")) {
        const body = (await readJson(req)) as { schema?: unknown; permissions?: unknown } | null;
        if (!body || typeof body !== "object" || Array.isArray(body)) {
          throw new SchemaPublishError(400, 'the body must be a JSON object { "schema"?: {...}, "permissions"?: {...} }');
        }
        if (edge) {
          // The core owns the catalogue: an edge forwards deploys to it.
          const r = await edge.forwardPublish(body, header(req, "x-jazz-admin-secret"));
          json(res, r.status, r.body);
          return;
        }
        if (body.schema !== undefined) service.publishSchema(body.schema as never, { admin });
        if (body.permissions !== undefined) service.publishPermissions(body.permissions, { admin });
        json(res, 200, { schema: engine.schema, permissions: engine.permissions, hash: currentSchemaHash() });
        return;
      }
    } catch (e) {
      if (e instanceof SchemaPublishError) {
        json(res, e.status, { error: e.status === 403 || e.status === 401 ? "forbidden" : "bad_request", message: e.message });
        return;
      }
      throw e;
    }
    json(res, 404, { error: "not_found", message: `no route ${req.method} ${url.pathname}` });
  }

  /** The deployed schema's hash (core's schemaHash), or null before any table exists. */
  function currentSchemaHash(): string | null {
    return Object.keys(engine.schema.tables).length ? schemaHash(engine.schema) : null;
  }

  async function adminFrom(req: IncomingMessage): Promise<boolean> {
    const secret = header(req, "x-jazz-admin-secret");
    if (secret === undefined) return false;
    try {
      return (await authenticator.resolve({ adminSecret: secret })).isAdmin;
    } catch (e) {
      if (e instanceof AuthError) return false;
      throw e;
    }
  }

  const { WebSocketServer } = requirePeer<{ WebSocketServer: typeof WebSocketServerType }>("ws", "The Jazz sync server");
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024 * 1024,
    // Never echo the bearer subprotocol back: answer with the protocol name only.
    handleProtocols: (protocols) => (protocols.has(SYNC_SUBPROTOCOL) ? SYNC_SUBPROTOCOL : false),
  });

  let closing = false;
  http.on("upgrade", (req, socket, head) => {
    // A client reconnecting while the server shuts down must not get a socket nobody closes.
    if (closing) {
      socket.destroy();
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== wsPath) {
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno WebSocket at ${path}; use ${wsPath}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      new Connection(ws, service, transportAuth(req));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;

  return {
    url: `http://${host}:${port}`,
    port,
    service,
    edge,
    async close() {
      closing = true;
      await edge?.close();
      service.closeAll(CLOSE.shuttingDown, "server shutting down");
      // Upgraded sockets keep the HTTP server open until they end: give the close frames a
      // moment to be answered, then drop whatever is left (a peer that does not answer).
      const closed = new Promise<void>((r) => http.close(() => r()));
      const grace = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
        http.closeAllConnections?.();
      }, 1_000);
      await closed;
      clearTimeout(grace);
      wss.close();
      driver.close();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Credentials a Node client can put in HTTP headers, or a browser in a subprotocol. */
function transportAuth(req: IncomingMessage): HandshakeAuth {
  const auth: HandshakeAuth = {};
  const bearer = header(req, "authorization");
  if (bearer && /^Bearer\s+/i.test(bearer)) auth.token = bearer.replace(/^Bearer\s+/i, "").trim();
  const proto = header(req, "sec-websocket-protocol");
  if (!auth.token && proto) {
    const offered = proto.split(",").map((p) => p.trim());
    const b = offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
    if (b) auth.token = b.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  const backend = header(req, "x-jazz-backend-secret");
  if (backend) auth.backendSecret = backend;
  const session = header(req, "x-jazz-session");
  if (session) {
    try {
      auth.session = JSON.parse(Buffer.from(session, "base64").toString("utf8"));
    } catch {
      auth.session = { user_id: "" }; // refused by the authenticator with a clear message
    }
  }
  const admin = header(req, "x-jazz-admin-secret");
  if (admin) auth.adminSecret = admin;
  const peer = header(req, "x-jazz-peer-secret");
  if (peer) auth.peerSecret = peer;
  return auth;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
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
