// `jazz-tools` on Node (the "default" export condition; browsers get index.browser.ts): the core
// API, the isomorphic auth API, and a createDb over better-sqlite3.

import { Db, DbConfigError, createDbFromParts, type DbConfig } from "@jazz-tools/core";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { syncSigner } from "@jazz-tools/auth";

export * from "./common-exports.ts";

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
    const { createNodeDb } = await import("@jazz-tools/sqlite-node/node-db");
    return createNodeDb(config, { dataPath: file });
  }
  const driver = createNodeSqlDriver(file ?? ":memory:");
  try {
    return await createDbFromParts({ config, driver, syncSigner });
  } catch (e) {
    driver.close();
    throw e;
  }
}
