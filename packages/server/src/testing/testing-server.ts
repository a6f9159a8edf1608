// TestingServer (the reference's alpha.50 `jazz-tools/testing` API): a sync server inside the
// test process with its own JWT issuer, so tests can act as external-auth users
// (`jwtForUser`). Memory by default; `persistentStorage` keeps the data in `dataDir` (a temp
// dir unless given). pushSchemaCatalogue publishes an app's schema.ts / permissions.ts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { deriveLocalFirstIdentity, generateAuthSecret, signWithSecret } from "@jazz-tools/auth";
import { schemaHash } from "@jazz-tools/core";
import { startSyncServer, type RunningServer } from "../http/server.ts";
import { loadAppDefinition, publishCatalogue } from "../publish.ts";
import { importTypeScript } from "../ts-import.ts";

export interface TestingServerOptions {
  /** Default: a random UUID. */
  appId?: string;
  /** Default: a free port. */
  port?: number;
  /** Default: a random secret (see the `adminSecret` getter). */
  adminSecret?: string;
  backendSecret?: string;
  /** Verify external JWTs against this JWKS instead of the server's own test issuer. */
  jwksUrl?: string;
  /** Where persistent data goes (implies persistentStorage); default: a temp dir. */
  dataDir?: string;
  /** Keep data on disk (default: in memory unless a dataDir is given). */
  persistentStorage?: boolean;
  /** Edge mode / edges: as startLocalJazzServer. */
  upstreamUrl?: string;
  peerSecret?: string;
}

const ISSUER = "urn:jazz:testing-server";

/**
 * Servers this process listens with, by port: a TestingServer started on a port another one
 * already holds joins that process-wide server as one more app (its own data, catalogue and
 * auth) instead of failing with EADDRINUSE. The listener closes with its last app.
 */
const listeners = new Map<number, { running: Promise<RunningServer>; apps: number }>();
const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64url");

export class TestingServer {
  private constructor(
    private readonly running: RunningServer,
    readonly appId: string,
    readonly adminSecret: string,
    readonly backendSecret: string | undefined,
    readonly dataDir: string | undefined,
    /** The seed of the test issuer's Ed25519 key (null with a jwksUrl). */
    private readonly issuerSecret: string | null,
  ) {}

  static async start(opts: TestingServerOptions = {}): Promise<TestingServer> {
    const appId = opts.appId ?? randomUUID();
    const adminSecret = opts.adminSecret ?? randomBytes(18).toString("base64url");
    const persistent = opts.persistentStorage ?? opts.dataDir !== undefined;
    const dataDir = persistent ? (opts.dataDir ?? mkdtempSync(join(tmpdir(), "jazz-testing-server-"))) : undefined;
    const issuerSecret = opts.jwksUrl ? null : generateAuthSecret();
    const jwtPublicKey = issuerSecret
      ? JSON.stringify({ kty: "OKP", crv: "Ed25519", x: deriveLocalFirstIdentity(issuerSecret).publicKeyB64 })
      : undefined;
    const appOpts = {
      appId,
      dataDir: dataDir ?? "",
      inMemory: !dataDir,
      allowLocalFirstAuth: true,
      jwksUrl: opts.jwksUrl,
      jwtPublicKey,
      backendSecret: opts.backendSecret,
      adminSecret,
      upstreamUrl: opts.upstreamUrl,
      peerSecret: opts.peerSecret,
      production: false,
    };
    const shared = opts.port ? listeners.get(opts.port) : undefined;
    let running: RunningServer;
    if (shared) {
      running = await shared.running;
      await running.addApp(appOpts);
      shared.apps++;
    } else {
      const starting = startSyncServer({ ...appOpts, port: opts.port ?? 0, host: "127.0.0.1" });
      const entry = { running: starting, apps: 1 };
      if (opts.port) listeners.set(opts.port, entry);
      try {
        running = await starting;
      } catch (e) {
        if (opts.port) listeners.delete(opts.port);
        throw e;
      }
      listeners.set(running.port, entry);
    }
    return new TestingServer(running, appId, adminSecret, opts.backendSecret, dataDir, issuerSecret);
  }

  get url(): string {
    return this.running.url;
  }

  get port(): number {
    return this.running.port;
  }

  /**
   * An external-auth JWT for `userId` (its `sub`), signed by this server's test issuer, valid
   * for `ttlSeconds` (default 3600); `claims` become the session's claims.
   */
  jwtForUser(userId: string, claims: Record<string, unknown> = {}, ttlSeconds = 3600): string {
    if (!this.issuerSecret) throw new Error("TestingServer.jwtForUser: this server verifies tokens against a jwksUrl; mint them with that issuer");
    if (typeof userId !== "string" || userId.length === 0) throw new TypeError("TestingServer.jwtForUser(userId): userId must be a non-empty string");
    const iat = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "EdDSA", typ: "JWT" }));
    const payload = b64url(JSON.stringify({ iss: ISSUER, aud: this.appId, sub: userId, iat, exp: iat + ttlSeconds, claims }));
    const signature = signWithSecret(this.issuerSecret, new TextEncoder().encode(`${header}.${payload}`));
    return `${header}.${payload}.${b64url(signature)}`;
  }

  private stopped: Promise<void> | null = null;

  /** Stops this app; the listener closes once no app in this process uses its port. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const entry = listeners.get(this.running.port);
      if (entry && entry.apps > 1) {
        entry.apps--;
        await this.running.removeApp(this.appId);
        return;
      }
      listeners.delete(this.running.port);
      await this.running.close();
    })();
    return this.stopped;
  }
}

export interface PushSchemaCatalogueOptions {
  serverUrl: string;
  appId: string;
  adminSecret: string;
  /** The directory holding schema.ts (and permissions.ts, if any). */
  schemaDir: string;
}

/** Loads schemaDir/schema.ts and permissions.ts, publishes both, returns the schema's hash. */
export async function pushSchemaCatalogue(opts: PushSchemaCatalogueOptions): Promise<{ hash: string }> {
  if (!opts || typeof opts.schemaDir !== "string") throw new TypeError("pushSchemaCatalogue({ serverUrl, appId, adminSecret, schemaDir }): schemaDir is required");
  const def = await loadAppDefinition(opts.schemaDir, importTypeScript);
  await publishCatalogue({ serverUrl: opts.serverUrl, appId: opts.appId, adminSecret: opts.adminSecret, ...def });
  return { hash: schemaHash(def.schema) };
}
