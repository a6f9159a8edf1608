// A DurableDatabase on a wa-sqlite :memory: connection (no OPFS): the durable replica's tests
// and benchmarks run its SQL in Node with it.
import { TransactionHeldBackError, type DurableDatabase } from "../worker/durable-replica.ts";
import type { WaSqliteDriver } from "../sqlite/wa-sqlite.ts";

export function memoryDurableDb(driver: WaSqliteDriver): DurableDatabase {
  return {
    driver,
    async transaction(fn, hold) {
      driver.exec("BEGIN IMMEDIATE");
      try {
        const r = fn(driver);
        if (hold && !(await hold())) throw new TransactionHeldBackError();
        driver.exec("COMMIT");
        return r;
      } catch (e) {
        driver.exec("ROLLBACK");
        throw e;
      }
    },
    close: () => driver.close(),
  };
}
