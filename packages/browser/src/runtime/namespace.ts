// Storage namespace (one OPFS database per namespace), as the reference resolves it:
// driver.dbName, else config.dbName, else appId for anonymous sessions, else
// `${appId}::${encodeURIComponent(user_id)}` so two users on one browser never share rows.

import { deriveLocalFirstIdentity, sessionFromJwt } from "@jazz-tools/auth";
import { dataBranch, type DbConfig } from "@jazz-tools/core";

export function resolveStorageNamespace(config: DbConfig): string {
  return namespaceFor(config, config.secret ? deriveLocalFirstIdentity(config.secret).userId : null);
}

/** The namespace, with a secret's user id already derived (createDb does it with WebCrypto). */
export function namespaceFor(config: DbConfig, secretUserId: string | null): string {
  const d = config.driver;
  if (d?.type === "persistent" && d.dbName) return d.dbName;
  if (config.dbName) return config.dbName;
  const userId = config.secret ? secretUserId : sessionUserId(config);
  const base = userId ? `${config.appId}::${encodeURIComponent(userId)}` : config.appId;
  // Another data branch (env / userBranch other than dev / main) keeps its own local file.
  const branch = dataBranch(config.env, config.userBranch);
  return branch ? `${base}@${branch}` : base;
}

function sessionUserId(config: DbConfig): string | null {
  if (config.jwtToken) return sessionFromJwt(config.jwtToken)?.user_id ?? null;
  if (config.cookieSession) return config.cookieSession.user_id ?? null;
  return null;
}
