// `jazz-tools` on Node (the "default" export condition; browsers get index.browser.ts): the core
// API, the isomorphic auth API, and a createDb over better-sqlite3.

import { Db, DbConfigError, createDbFromParts, type DbConfig, type ReplicaLink } from "@jazz-tools/core";
import { ServerLink } from "@jazz-tools/core/sync";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";

export * from "@jazz-tools/core";
export {
  generateAuthSecret,
  validateAuthSecret,
  isValidAuthSecret,
  AuthSecretError,
  deriveLocalFirstIdentity,
  mintLocalFirstToken,
  mintAnonymousToken,
  verifyLocalFirstIdentityProof,
  sessionFromJwt,
  decodeJwtPayload,
  authStateFromJwt,
  normalizeAudience,
  AuthPrincipalChangeError,
  type Session,
  type AuthState,
  type AuthMode,
  type LocalFirstIdentity,
  type IdentityProofResult,
} from "@jazz-tools/auth";

/**
 * `createDb(config)` on Node: an in-memory SQLite replica (`driver: { type: "memory" }`, the
 * default here), or a SQLite file for `driver: { type: "persistent", dbName: "<path>" }`. With
 * `serverUrl` it syncs through a WebSocket ServerLink; without, the local replica is the
 * authority and every write is final at once.
 */
export async function createDb(config: DbConfig): Promise<Db> {
  const d = config?.driver;
  if (d && d.type !== "memory" && d.type !== "persistent") throw new DbConfigError(`DbConfig error: unknown driver type ${JSON.stringify((d as { type: unknown }).type)}; use "memory" or "persistent".`);
  const file = d?.type === "persistent" ? (d.dbName ?? config.dbName) : undefined;
  const driver = createNodeSqlDriver(file ?? ":memory:");
  let link: ReplicaLink | undefined;
  let db: Db | undefined;
  if (config?.serverUrl) {
    const { default: WebSocket } = await import("ws");
    link = new ServerLink({
      serverUrl: config.serverUrl,
      appId: config.appId,
      WebSocket: WebSocket as never,
      useHeaders: true,
      // Read at every (re)connect: tokens refresh, tables are learned as handles are used.
      auth: () => ({
        token: db?.getAuthToken() ?? undefined,
        adminSecret: config.adminSecret,
      }),
      schema: () => db?.store.getSchema(),
    });
  }
  try {
    db = await createDbFromParts({ config, driver, link, defaultReadTier: config?.serverUrl ? "edge" : "local" });
  } catch (e) {
    driver.close();
    await link?.close();
    throw e;
  }
  return db;
}
