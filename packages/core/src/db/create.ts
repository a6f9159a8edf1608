// Building a Db from parts. Platform entries (jazz-tools for Node, @jazz-tools/browser, the
// backend context) pick the driver and the link and call this.

import { mintAnonymousTokenAsync, mintLocalFirstTokenAsync } from "@jazz-tools/auth";
import { Db } from "./db.ts";
import { checkAuthConfig } from "./auth.ts";
import { loadLocalPermissions } from "../permissions/lazy.ts";
import { DbConfigError } from "./errors.ts";
import type { DbConfig, DbOptions } from "./types.ts";
import { dataBranch, normaliseSyncUrl } from "../sync/url.ts";

/** Refuses a serverUrl the link could never connect to, at createDb, naming the fix. */
export function checkServerUrl(config: DbConfig): void {
  try {
    dataBranch(config.env, config.userBranch);
  } catch (e) {
    throw new DbConfigError(`DbConfig error: ${(e as Error).message}.`);
  }
  if (config.serverUrl === undefined || config.serverUrl === null) return;
  if (typeof config.serverUrl !== "string") throw new DbConfigError(`DbConfig error: serverUrl must be a string such as "http://127.0.0.1:1625", got ${typeof config.serverUrl}.`);
  try {
    normaliseSyncUrl(config.serverUrl, config.appId);
  } catch (e) {
    throw new DbConfigError(`DbConfig error: ${(e as Error).message}.`);
  }
}

export async function createDbFromParts(options: DbOptions): Promise<Db> {
  const config = options.config;
  if (!config || typeof config !== "object") throw new DbConfigError("createDb(config) needs a config object with at least { appId }.");
  if (typeof config.appId !== "string" || config.appId.length === 0) throw new DbConfigError("DbConfig error: appId must be a non-empty string.");
  checkAuthConfig(config);
  checkServerUrl(config);
  // Creation is async anyway: mint the first token with WebCrypto Ed25519 (same bytes as the
  // sync signer, without building its tables on the start-up path).
  let premintedToken = options.premintedToken;
  if (!premintedToken && config.secret) {
    premintedToken = { token: await mintLocalFirstTokenAsync(config.secret, { audience: config.appId }) };
  } else if (!premintedToken && !config.jwtToken && !config.cookieSession && !config.adminSecret) {
    const { token, secret } = await mintAnonymousTokenAsync({ audience: config.appId });
    premintedToken = { token, anonymousSecret: secret };
  }
  // A server sends a permissions bundle on connect: have the checks ready so it applies at once.
  if (config.serverUrl) await loadLocalPermissions();
  return new Db({ ...options, premintedToken });
}
