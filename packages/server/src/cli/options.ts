// `jazz-tools server <APP_ID>` options: flags, environment variables and defaults exactly as the
// Server Setup docs list them. Parsing is pure (argv + env in, options out) so it is unit-tested
// without starting anything.

import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { parseDurability, type Durability } from "../storage/open.ts";
import type { ConnectionLimits } from "../sync/service.ts";

/** Everything `jazz-tools server` takes; the connection limits' defaults are in sync/service.ts. */
export interface ServerOptions extends Partial<ConnectionLimits> {
  /** Largest WebSocket frame a client may send, in bytes (ws closes with 1009 over it); default 16 MiB. */
  maxFrameBytes?: number;
  appId: string;
  /** Further apps served by the same process (`server A B`), each with its own data under
   *  <data-dir>/apps/<APP_ID>, catalogue and auth, sharing the other options. */
  moreAppIds?: string[];
  /** 0 picks a free port. */
  port: number;
  host: string;
  dataDir: string;
  inMemory: boolean;
  /** When a commit counts as durable: see ../storage/open.ts. */
  durability?: Durability;
  jwksUrl?: string;
  /** The key's contents (JWK JSON or PEM), already read from a file when a path was given. */
  jwtPublicKey?: string;
  /** External JWTs: the `aud` they must carry (default: the app id). */
  jwtAudience?: string;
  /** External JWTs: the `iss` they must carry (default: not checked). */
  jwtIssuer?: string;
  /** External JWTs: the longest lifetime (exp − iat) accepted, in seconds (default 86400). */
  jwtMaxLifetimeSeconds?: number;
  allowLocalFirstAuth: boolean;
  backendSecret?: string;
  adminSecret?: string;
  /** Edge mode: the core server this edge syncs with (see ../edge/). */
  upstreamUrl?: string;
  /** Shared server-to-server secret: an edge presents it upstream, a core accepts edges with it. */
  peerSecret?: string;
  /** NODE_ENV=production: schema publishing needs the admin secret. */
  production: boolean;
}

export const DEFAULT_PORT = 1625;
export const DEFAULT_DATA_DIR = "./data";

export const SERVER_HELP = `Usage: jazz-tools server <APP_ID> [<APP_ID>...] [options]

Run a Jazz sync server for one app, or for several from one process.

Arguments:
  <APP_ID>                        App namespace identifier (required). Further app ids
                                  are served too, each with its own data (under
                                  <DATA_DIR>/apps/<APP_ID>), schema, permissions and auth

Options:
  -p, --port <PORT>               Listen port (default: 1625; 0 picks a free port)
  -d, --data-dir <DATA_DIR>       Persistent storage directory (default: ./data)
      --in-memory                 Use in-memory storage instead of files; data is lost
                                  when the process exits
      --durability <full|normal>  When a write counts as committed (default: normal).
                                  Both acknowledge a write only after its SQLite commit
                                  and survive kill -9 of the server. normal (WAL,
                                  synchronous=NORMAL) does not wait for fsync: an OS crash
                                  or power loss can lose the last acknowledged writes.
                                  full (synchronous=FULL) fsyncs every commit and survives
                                  those too, at the cost of one fsync per commit on the
                                  write path [env: JAZZ_DURABILITY]
      --jwks-url <JWKS_URL>       JWKS endpoint for external JWT validation
                                  [env: JAZZ_JWKS_URL]
      --jwt-public-key <KEY>      Single JWK JSON object or PEM public key for external JWT
                                  validation; inline contents or a path to a key file
                                  [env: JAZZ_JWT_PUBLIC_KEY]
      --jwt-audience <AUD>        The aud external JWTs must carry (default: the app id)
                                  [env: JAZZ_JWT_AUDIENCE]
      --jwt-issuer <ISS>          The iss external JWTs must carry (default: any)
                                  [env: JAZZ_JWT_ISSUER]
      --jwt-max-lifetime <SECS>   Longest external JWT lifetime (exp - iat) accepted
                                  (default: 86400) [env: JAZZ_JWT_MAX_LIFETIME]
      --hello-timeout <MS>        Close sockets that send no hello within this time
                                  (default: 10000) [env: JAZZ_HELLO_TIMEOUT_MS]
      --max-send-buffer <BYTES>   Disconnect a client that stops reading once this much is
                                  queued for it (default: 8388608) [env: JAZZ_MAX_SEND_BUFFER]
      --ping-interval <MS>        Ping every client this often; one that misses a pong is
                                  disconnected (default: 30000) [env: JAZZ_PING_INTERVAL_MS]
      --max-subscriptions <N>     Live queries one connection may hold (default: 1000)
                                  [env: JAZZ_MAX_SUBSCRIPTIONS]
      --max-batch-writes <N>      Row writes one batch may carry (default: 10000)
                                  [env: JAZZ_MAX_BATCH_WRITES]
      --max-value-bytes <BYTES>   Largest single column value (default: 2097152)
                                  [env: JAZZ_MAX_VALUE_BYTES]
      --max-query-ms <MS>         Time one live query may take to evaluate; over it the query
                                  is refused or dropped, query_too_slow (default: 2000)
                                  [env: JAZZ_MAX_QUERY_MS]
      --max-frame-bytes <BYTES>   Largest WebSocket frame a client may send; over it the
                                  connection is closed with 1009 (default: 16777216)
                                  [env: JAZZ_MAX_FRAME_BYTES]
      --allow-local-first-auth    Allow local-first auth (Authorization: Bearer <self-signed
                                  Jazz JWT)) [env: JAZZ_ALLOW_LOCAL_FIRST_AUTH]
                                  On by default in development; required when
                                  NODE_ENV=production
      --backend-secret <SECRET>   Enable backend session impersonation
                                  [env: JAZZ_BACKEND_SECRET]
      --admin-secret <SECRET>     Required for deploy, migrations push and schema catalogue
                                  reads; in development structural schema auto-sync works
                                  without it [env: JAZZ_ADMIN_SECRET]
      --upstream-url <URL>        Run as an edge server connected to the upstream core
                                  server; requires --peer-secret and --admin-secret
                                  [env: JAZZ_UPSTREAM_URL]
      --peer-secret <SECRET>      Shared server-to-server secret for edge sync: required
                                  with --upstream-url; on the core, accepts edges that
                                  present it [env: JAZZ_PEER_SECRET]
      --host <HOST>               Interface to listen on (default: 0.0.0.0)
  -h, --help                      Show this help

External JWT auth needs either --jwks-url or --jwt-public-key, not both.
Edge mode is enabled by --upstream-url; give it --peer-secret and --admin-secret (or
JAZZ_PEER_SECRET and JAZZ_ADMIN_SECRET).
`;

type Env = Record<string, string | undefined>;

const VALUE_FLAGS: Record<string, keyof ServerOptions> = {
  "-p": "port",
  "--port": "port",
  "-d": "dataDir",
  "--data-dir": "dataDir",
  "--jwks-url": "jwksUrl",
  "--jwt-public-key": "jwtPublicKey",
  "--jwt-audience": "jwtAudience",
  "--jwt-issuer": "jwtIssuer",
  "--jwt-max-lifetime": "jwtMaxLifetimeSeconds",
  "--hello-timeout": "helloTimeoutMs",
  "--max-send-buffer": "maxSendBufferBytes",
  "--ping-interval": "pingIntervalMs",
  "--max-subscriptions": "maxSubscriptions",
  "--max-batch-writes": "maxBatchWrites",
  "--max-value-bytes": "maxValueBytes",
  "--max-query-ms": "maxQueryMs",
  "--max-frame-bytes": "maxFrameBytes",
  "--backend-secret": "backendSecret",
  "--admin-secret": "adminSecret",
  "--upstream-url": "upstreamUrl",
  "--peer-secret": "peerSecret",
  "--host": "host",
  "--durability": "durability",
};

/** Returns "help" when --help was asked for. Throws UsageError on bad input. */
export function parseServerArgs(argv: string[], env: Env = process.env): ServerOptions | "help" {
  const raw: Partial<Record<keyof ServerOptions, string>> = {};
  let inMemory = false;
  let allowLocalFirstFlag = false;
  const positional: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--in-memory") {
      inMemory = true;
      continue;
    }
    if (arg === "--allow-local-first-auth") {
      allowLocalFirstFlag = true;
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[name];
    if (key) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && looksLikeFlag(value))) {
        throw new UsageError(`${name} needs a value (see jazz-tools server --help)`);
      }
      raw[key] = value;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option ${name} (see jazz-tools server --help)`);
    }
    positional.push(arg);
  }

  if (positional.length === 0 || !positional[0]!.trim()) {
    throw new UsageError("missing <APP_ID>: usage: jazz-tools server <APP_ID> [options]");
  }
  const blank = positional.find((p) => !p.trim());
  if (blank !== undefined) throw new UsageError("an <APP_ID> is empty: pass non-empty app ids");
  const duplicate = positional.find((p, i) => positional.indexOf(p) !== i);
  if (duplicate !== undefined) throw new UsageError(`app ${JSON.stringify(duplicate)} is given twice`);

  const portText = raw.port ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new UsageError(`--port must be an integer between 0 and 65535, got ${JSON.stringify(portText)}`);
  }

  const jwksUrl = raw.jwksUrl ?? nonEmpty(env.JAZZ_JWKS_URL);
  const jwtKeyArg = raw.jwtPublicKey ?? nonEmpty(env.JAZZ_JWT_PUBLIC_KEY);
  if (jwksUrl && jwtKeyArg) {
    throw new UsageError("--jwks-url and --jwt-public-key cannot be used together: pick one");
  }
  if (jwksUrl) {
    let u: URL;
    try {
      u = new URL(jwksUrl);
    } catch {
      throw new UsageError(`--jwks-url is not a valid URL: ${JSON.stringify(jwksUrl)}`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new UsageError(`--jwks-url must be an http(s) URL, got ${u.protocol}`);
    }
  }

  const upstreamUrl = raw.upstreamUrl ?? nonEmpty(env.JAZZ_UPSTREAM_URL);
  const peerSecret = raw.peerSecret ?? nonEmpty(env.JAZZ_PEER_SECRET);
  const adminSecret = raw.adminSecret ?? nonEmpty(env.JAZZ_ADMIN_SECRET);
  if (upstreamUrl) {
    let u: URL;
    try {
      u = new URL(upstreamUrl);
    } catch {
      throw new UsageError(`--upstream-url is not a valid URL: ${JSON.stringify(upstreamUrl)}`);
    }
    if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol)) {
      throw new UsageError(`--upstream-url must be an http(s):// or ws(s):// URL, got ${u.protocol}`);
    }
    if (!peerSecret) throw new UsageError("--upstream-url requires --peer-secret (or JAZZ_PEER_SECRET): the secret the core accepts edges with");
    if (!adminSecret) throw new UsageError("--upstream-url requires --admin-secret (or JAZZ_ADMIN_SECRET)");
  }

  const production = env.NODE_ENV === "production";
  const allowEnv = parseBool(env.JAZZ_ALLOW_LOCAL_FIRST_AUTH, "JAZZ_ALLOW_LOCAL_FIRST_AUTH");
  const allowLocalFirstAuth = allowLocalFirstFlag || (allowEnv ?? !production);

  return {
    appId: positional[0]!,
    moreAppIds: positional.slice(1),
    port: Number(portText),
    host: raw.host ?? "0.0.0.0",
    dataDir: raw.dataDir ?? DEFAULT_DATA_DIR,
    inMemory,
    durability: raw.durability !== undefined ? parseDurability(raw.durability) : parseDurability(nonEmpty(env.JAZZ_DURABILITY), "JAZZ_DURABILITY"),
    jwksUrl,
    jwtPublicKey: jwtKeyArg ? readKey(jwtKeyArg) : undefined,
    jwtAudience: raw.jwtAudience ?? nonEmpty(env.JAZZ_JWT_AUDIENCE),
    jwtIssuer: raw.jwtIssuer ?? nonEmpty(env.JAZZ_JWT_ISSUER),
    jwtMaxLifetimeSeconds: parseLifetime(raw.jwtMaxLifetimeSeconds ?? nonEmpty(env.JAZZ_JWT_MAX_LIFETIME)),
    helloTimeoutMs: positiveInt(raw.helloTimeoutMs ?? nonEmpty(env.JAZZ_HELLO_TIMEOUT_MS), "--hello-timeout"),
    maxSendBufferBytes: positiveInt(raw.maxSendBufferBytes ?? nonEmpty(env.JAZZ_MAX_SEND_BUFFER), "--max-send-buffer"),
    pingIntervalMs: positiveInt(raw.pingIntervalMs ?? nonEmpty(env.JAZZ_PING_INTERVAL_MS), "--ping-interval"),
    maxSubscriptions: positiveInt(raw.maxSubscriptions ?? nonEmpty(env.JAZZ_MAX_SUBSCRIPTIONS), "--max-subscriptions"),
    maxBatchWrites: positiveInt(raw.maxBatchWrites ?? nonEmpty(env.JAZZ_MAX_BATCH_WRITES), "--max-batch-writes"),
    maxValueBytes: positiveInt(raw.maxValueBytes ?? nonEmpty(env.JAZZ_MAX_VALUE_BYTES), "--max-value-bytes"),
    maxQueryMs: positiveInt(raw.maxQueryMs ?? nonEmpty(env.JAZZ_MAX_QUERY_MS), "--max-query-ms"),
    maxFrameBytes: positiveInt(raw.maxFrameBytes ?? nonEmpty(env.JAZZ_MAX_FRAME_BYTES), "--max-frame-bytes"),
    allowLocalFirstAuth,
    backendSecret: raw.backendSecret ?? nonEmpty(env.JAZZ_BACKEND_SECRET),
    adminSecret,
    upstreamUrl,
    peerSecret,
    production,
  };
}

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseLifetime(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--jwt-max-lifetime must be a positive number of seconds, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** "--x", "-p": a flag where a value was expected (a PEM's "-----BEGIN" is a value). */
function looksLikeFlag(v: string): boolean {
  return /^--[a-z]/.test(v) || /^-[a-z]$/i.test(v);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.length > 0 ? v : undefined;
}

function parseBool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new UsageError(`${name} must be true or false, got ${JSON.stringify(v)}`);
}

/** Inline JWK JSON or PEM is used as is; anything else must be a readable key file. */
function readKey(arg: string): string {
  const text = arg.trim();
  if (text.startsWith("{") || text.includes("-----BEGIN")) return text;
  if (!existsSync(arg)) {
    throw new UsageError(`--jwt-public-key is neither a JWK JSON object, a PEM key nor an existing file: ${arg}`);
  }
  try {
    return readFileSync(arg, "utf8").trim();
  } catch (e) {
    throw new UsageError(`cannot read --jwt-public-key file ${arg}: ${(e as Error).message}`);
  }
}
