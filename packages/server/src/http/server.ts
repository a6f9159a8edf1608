// The HTTP side of the sync server: GET /health, the WebSocket at /apps/<appId>/ws, and the
// catalogue routes `jazz-tools deploy` and the dev plugin publish through (./app-host.ts).
// One process can serve several apps, each with its own data, catalogue and auth.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebSocketServer as WebSocketServerType } from "ws";
import { requirePeer } from "@jazz-tools/sqlite-node";
import { BEARER_SUBPROTOCOL_PREFIX, SYNC_SUBPROTOCOL, type HandshakeAuth } from "@jazz-tools/core/sync";
import type { ServerOptions } from "../cli/options.ts";
import { UsageError } from "../errors.ts";
import { Connection } from "../sync/connection.ts";
import type { SyncService } from "../sync/service.ts";
import type { EdgeUpstream } from "../edge/upstream.ts";
import { HostedApp, type AppOptions, type EdgeTuning } from "./app-host.ts";
import { header, json } from "./respond.ts";

export { HostedApp, type AppOptions, type EdgeTuning } from "./app-host.ts";

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  /** The first app's sync service (the app the server was started for). */
  service: SyncService;
  /** Set in edge mode (--upstream-url), for the first app. */
  edge: EdgeUpstream | null;
  /** The app ids this process serves, the first app first. */
  readonly appIds: string[];
  /** Serves one more app from this process: its own data, catalogue, auth and connections. */
  addApp(opts: AppOptions, edgeTuning?: EdgeTuning): Promise<HostedApp>;
  /** Stops serving one app (its connections are closed, its storage released). */
  removeApp(appId: string): Promise<void>;
  close(): Promise<void>;
}

/** The largest frame a client may send by default: a full batch of 2 MiB values fits. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export async function startSyncServer(
  opts: ServerOptions,
  /** Edge mode tuning (tests shorten the reconnect backoff towards the core). */
  edgeTuning: EdgeTuning = {},
): Promise<RunningServer> {
  const first = await HostedApp.open(opts, edgeTuning);
  /** Every route id (app id and its UUIDv5 alias) → its app. */
  const routes = new Map<string, HostedApp>();
  const apps: HostedApp[] = [];
  const register = (app: HostedApp) => {
    for (const id of app.routeIds) {
      if (routes.has(id)) throw new UsageError(`app ${JSON.stringify(app.appId)} is already served by this server`);
    }
    for (const id of app.routeIds) routes.set(id, app);
    apps.push(app);
  };
  register(first);
  const served = () => apps.map((a) => a.appId).join(", ");

  /** /apps/<id>/<rest> → the app and rest, or null. */
  function route(pathname: string): { app: HostedApp; rest: string } | null {
    const m = /^\/apps\/([^/]+)\/(.*)$/.exec(pathname);
    if (!m) return null;
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      return null;
    }
    const app = routes.get(id) ?? routes.get(id.toLowerCase());
    return app ? { app, rest: m[2]! } : null;
  }

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
      // The first app's figures at the top level (as with one app), every app under `apps`.
      const body: Record<string, unknown> = { status: "ok", ...(apps[0] ?? first).health };
      if (apps.length > 1) body.apps = apps.map((a) => a.health);
      json(res, 200, body);
      return;
    }
    const found = route(url.pathname);
    if (!found) {
      json(res, 404, { error: "not_found", message: `no route ${url.pathname} (this server serves app ${served()}; use /apps/<appId>/...)` });
      return;
    }
    if (!(await found.app.handleHttp(found.rest, req, res))) {
      json(res, 404, { error: "not_found", message: `no route ${req.method} ${url.pathname}` });
    }
  }

  const { WebSocketServer } = requirePeer<{ WebSocketServer: typeof WebSocketServerType }>("ws", "The Jazz sync server");
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
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
    const reqUrl = new URL(req.url ?? "/", "http://localhost");
    const path = reqUrl.pathname;
    const found = route(path);
    if (!found || found.rest !== "ws") {
      const hint = apps.map((a) => `/apps/${encodeURIComponent(a.appId)}/ws`).join(" or ");
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno WebSocket at ${path}; use ${hint}\n`);
      return;
    }
    // `?branch=<env>/<userBranch>`: the data branch (DbConfig env / userBranch), default dev/main.
    let target: HostedApp | Promise<HostedApp>;
    try {
      target = found.app.branch(reqUrl.searchParams.get("branch"));
    } catch (e) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n${(e as Error).message}\n`);
      return;
    }
    void Promise.resolve(target).then(
      (app) => {
        if (closing) return void socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => {
          new Connection(ws, app.service, transportAuth(req));
        });
      },
      (e) => socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n${(e as Error).message}\n`),
    );
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
    service: first.service,
    edge: first.edge,
    get appIds() {
      return apps.map((a) => a.appId);
    },
    async addApp(appOpts, tuning = {}) {
      if (closing) throw new UsageError("the server is shutting down");
      if (apps.some((a) => a.appId === appOpts.appId)) throw new UsageError(`app ${JSON.stringify(appOpts.appId)} is already served by this server`);
      const app = await HostedApp.open(appOpts, tuning);
      register(app);
      return app;
    },
    async removeApp(appId) {
      const app = apps.find((a) => a.appId === appId);
      if (!app) throw new UsageError(`app ${JSON.stringify(appId)} is not served by this server (serving ${served()})`);
      for (const id of app.routeIds) routes.delete(id);
      apps.splice(apps.indexOf(app), 1);
      await app.close();
      // Let group commits already scheduled for this app finish before its storage goes.
      await new Promise((r) => setImmediate(r));
      app.closeStorage();
    },
    async close() {
      closing = true;
      await Promise.all(apps.map((a) => a.close()));
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
      for (const a of apps) a.closeStorage();
    },
  };
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
