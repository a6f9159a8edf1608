// One write transaction at a time per worker. OpfsDatabase.transaction awaits its BEGIN
// IMMEDIATE (async busy retry) before running `fn`, so two callers in flight at once — a tab's
// commit, the upstream reading the outbox or applying server batches, a subscription adding
// tables — would issue BEGIN inside the other's transaction (SQLITE_ERROR). Queue them instead.

import type { SqlDriver } from "@jazz-tools/core";
import type { DurableDatabase } from "./durable-replica.ts";

export function serialTransactions(db: DurableDatabase): DurableDatabase {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    get driver() {
      return db.driver;
    },
    transaction<T>(fn: (driver: SqlDriver) => T, hold?: () => Promise<boolean>): Promise<T> {
      const run = tail.then(() => db.transaction(fn, hold));
      tail = run.catch(() => {});
      return run;
    },
    close: () => db.close(),
  };
}
