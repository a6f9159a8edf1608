// `jazz-tools` on Node (the "default" export condition; browsers get index.browser.ts): the core
// API, the isomorphic auth API, and a createDb over better-sqlite3.

import { Db, DbConfigError, createDbFromParts, type DbConfig } from "@jazz-tools/core";
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
// The docs import the secret store from "jazz-tools" itself; it takes a pluggable storage, so it
// is safe to load on Node too (localStorage is only touched when no storage is given).
export {
  BrowserAuthSecretStore,
  browserAuthSecretStore,
  AuthSecretStoreError,
  LocalFirstAuthStore,
  createLocalFirstAuthStore,
  type AuthSecretStorage,
  type BrowserAuthSecretStoreOptions,
  type LocalFirstAuthSnapshot,
  type LocalFirstAuthStoreOptions,
} from "@jazz-tools/auth/browser";

/**
 * `createDb(config)` on Node: an in-memory SQLite replica (`driver: { type: "memory" }`, the
 * default here), or a SQLite file for `driver: { type: "persistent", dbName: "<path>" }`. With
 * `serverUrl` it syncs through a WebSocket ServerLink (the server package's Node client);
 * without, the local replica is the authority and every write is final at once.
 */
export async function createDb(config: DbConfig): Promise<Db> {
  const d = config?.driver;
  if (d && d.type !== "memory" && d.type !== "persistent") throw new DbConfigError(`DbConfig error: unknown driver type ${JSON.stringify((d as { type: unknown }).type)}; use "memory" or "persistent".`);
  const file = d?.type === "persistent" ? (d.dbName ?? config.dbName) : undefined;
  if (config?.serverUrl) {
    const { createNodeDb } = await import("@jazz-tools/server/node-db");
    return createNodeDb(config, { dataPath: file });
  }
  const driver = createNodeSqlDriver(file ?? ":memory:");
  try {
    return await createDbFromParts({ config, driver });
  } catch (e) {
    driver.close();
    throw e;
  }
}
