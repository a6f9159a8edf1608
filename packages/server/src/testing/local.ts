// startLocalJazzServer: a sync server inside the test process (real HTTP/WebSocket on
// 127.0.0.1, in-memory storage unless a data dir is given), as the reference's testing helper.
// Pass `upstreamUrl` + `peerSecret` to start an edge of another local server (the core needs
// the same `peerSecret`). For a separate process use startServerProcess (./spawn.ts).

import { randomBytes } from "node:crypto";
import { startSyncServer, type RunningServer } from "../http/server.ts";
import { UsageError } from "../errors.ts";
import { pickLimits, type ConnectionLimits } from "../sync/service.ts";

/** startLocalJazzServer options; the connection limits are those of `jazz-tools server --help`. */
export interface LocalJazzServerOptions extends Partial<ConnectionLimits> {
  appId?: string;
  /** Default: a free port. */
  port?: number;
  /** Default: a random secret (returned). */
  adminSecret?: string;
  backendSecret?: string;
  allowLocalFirstAuth?: boolean;
  /** Persist to this directory; default in memory. */
  dataDir?: string;
  /** Keep everything in memory, even with a dataDir. */
  inMemory?: boolean;
  /** Edge mode: the core's URL. Needs peerSecret. */
  upstreamUrl?: string;
  /** Server-to-server secret: required for an edge; on a core, lets edges connect. */
  peerSecret?: string;
  production?: boolean;
  /** Reconnect backoff towards the core (edge mode). */
  backoff?: { baseMs?: number; capMs?: number; jitterMs?: number };
  /** Largest WebSocket frame a client may send (default 16 MiB). */
  maxFrameBytes?: number;
}

export interface LocalJazzServer {
  url: string;
  port: number;
  appId: string;
  adminSecret: string;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startLocalJazzServer(opts: LocalJazzServerOptions = {}): Promise<LocalJazzServer> {
  if (opts.upstreamUrl && !opts.peerSecret) {
    throw new UsageError("startLocalJazzServer: upstreamUrl needs peerSecret (the secret the core was started with)");
  }
  const appId = opts.appId ?? `local-${randomBytes(6).toString("hex")}`;
  const adminSecret = opts.adminSecret ?? randomBytes(18).toString("base64url");
  const server = await startSyncServer(
    {
      appId,
      port: opts.port ?? 0,
      host: "127.0.0.1",
      dataDir: opts.dataDir ?? "",
      inMemory: opts.inMemory ?? !opts.dataDir,
      allowLocalFirstAuth: opts.allowLocalFirstAuth ?? true,
      backendSecret: opts.backendSecret,
      adminSecret,
      upstreamUrl: opts.upstreamUrl,
      peerSecret: opts.peerSecret,
      production: opts.production ?? false,
      ...(opts.maxFrameBytes !== undefined ? { maxFrameBytes: opts.maxFrameBytes } : {}),
      ...pickLimits(opts),
    },
    { backoff: opts.backoff },
  );
  return { url: server.url, port: server.port, appId, adminSecret, server, stop: () => server.close() };
}
