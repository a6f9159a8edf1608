// The authority's integrity rule for inserts, with or without permissions: an insert may name
// an id that is already stored only as a later write of that row. An insert of a deleted row's
// id is refused (a delete wins over every write, so it would be "accepted" and do nothing), and
// so is an insert whose clock is older than the stored row's creation: the merge takes
// $createdBy/$createdAt from the smallest-clock insert, so such an insert would rewrite who
// created the row. Set once, never changed.
import type { SqlDriver } from "../sql/driver.ts";
import type { Batch } from "./batch.ts";
import { quoteIdent } from "./layout.ts";
import { compareClock, type Clock } from "./merge.ts";

export interface InsertRefusal {
  code: "row_deleted" | "stale_insert";
  reason: string;
}

export function checkInsertTargets(driver: SqlDriver, batch: Pick<Batch, "ts" | "batchId" | "writes">): InsertRefusal | null {
  const clock: Clock = [batch.ts, batch.batchId];
  for (const w of batch.writes) {
    if (w.op !== "insert") continue;
    const rows = driver.all(`SELECT "$createdAt", "$deletedAt", "$ts", "$batch" FROM ${quoteIdent(w.table)} WHERE id = ?`, [w.id]);
    if (rows.length === 0) continue;
    const [createdAt, deletedAt, ts, batchId] = rows[0]!;
    if (deletedAt !== null) {
      return { code: "row_deleted", reason: `insert into ${w.table}: row ${w.id} was deleted and ids are not reused; insert with a new id` };
    }
    if (createdAt !== null && ts !== null && compareClock(clock, [Number(ts), String(batchId)]) < 0) {
      return {
        code: "stale_insert",
        reason: `insert into ${w.table}: row ${w.id} already exists with a later creation; an older insert cannot change who created it`,
      };
    }
  }
  return null;
}
