// The worker merges batches with core's Store, the same engine as the mirror and the server.
// The worker already holds a write transaction (BEGIN IMMEDIATE, taken with an async lock
// retry) around each group of batches, so the Store's own top-level BEGIN/COMMIT/ROLLBACK
// run as a savepoint inside it.

import { Store, type RuntimeSchema, type SqlDriver } from "@jazz-tools/core";
import type { BatchApplier } from "./durable-replica.ts";

export function createEngine(driver: SqlDriver, schema: RuntimeSchema): BatchApplier {
  const store = new Store(nestedTransactions(driver));
  store.addTables(schema);
  return store;
}

/** A driver whose BEGIN/COMMIT/ROLLBACK become a savepoint when a transaction is already open. */
export function nestedTransactions(driver: SqlDriver): SqlDriver {
  const outer: boolean[] = [];
  return {
    exec(sql) {
      const verb = sql.trim().toUpperCase();
      if (/^BEGIN\b/.test(verb)) {
        const nested = isInTransaction(driver);
        outer.push(nested);
        return driver.exec(nested ? "SAVEPOINT jazz_store" : sql);
      }
      if (verb === "COMMIT" || verb === "END") return driver.exec(outer.pop() ? "RELEASE jazz_store" : sql);
      if (verb === "ROLLBACK") return driver.exec(outer.pop() ? "ROLLBACK TO jazz_store; RELEASE jazz_store" : sql);
      driver.exec(sql);
    },
    run: (sql, params) => driver.run(sql, params),
    all: (sql, params) => driver.all(sql, params),
    close: () => driver.close(),
  };
}

function isInTransaction(driver: SqlDriver): boolean {
  const flag = (driver as { inTransaction?: boolean }).inTransaction;
  if (typeof flag === "boolean") return flag;
  throw new Error("nestedTransactions needs a driver that reports inTransaction");
}
