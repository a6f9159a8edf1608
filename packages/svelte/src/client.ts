import { createJazzClientFromDb, type JazzClient } from "@jazz-tools/core/subscriptions";
import { createDb, registerWindowClient } from "@jazz-tools/browser";
import type { Db, DbConfig } from "./types.ts";

/** Creates the Db and its live-query store, and registers it with window.__jazz. */
export async function createJazzClient(config: DbConfig): Promise<JazzClient<Db>> {
  const db = await createDb(config);
  const unregister = registerWindowClient(db, db.storage.namespace);
  return createJazzClientFromDb(db, { onShutdown: unregister });
}
