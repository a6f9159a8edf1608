// The merge, as pure functions over one row's state. Every replica (mirror, worker, server)
// applies batches through this, so it must be commutative, associative and idempotent:
//   - each column value carries the (ts µs, batchId) clock of the write that set it; the larger
//     pair wins (ties inside one batch: the later write of that batch wins);
//   - a delete wins over any update, whatever its clock ($deletedAt = max delete ts);
//   - an update that arrives before its insert creates an invisible placeholder, and the insert
//     merges into it column by column when it arrives;
//   - `.merge("counter")` columns: the write carries a DELTA (an insert's value is its delta from
//     0), and the value is the sum of every applied write's delta. Summing commutes; applying a
//     batch twice is prevented one level up (the store records applied batch ids).
//   - created ($createdBy/$createdAt) comes from the smallest-clock insert; updated
//     ($updatedBy/$updatedAt) from the largest-clock insert or update.

import type { SqlValue } from "../sql/driver.ts";
import type { TableSchema } from "../schema/runtime.ts";
import type { Batch, RowWrite } from "./batch.ts";

export type Clock = readonly [ts: number, batchId: string];

export function compareClock(a: Clock, b: Clock): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export interface RowState {
  /** Only columns some write has set. */
  values: Record<string, SqlValue>;
  /** Clock of each set column. */
  clocks: Record<string, Clock>;
  created: { by: string; clock: Clock } | null;
  updated: { by: string; clock: Clock } | null;
  deletedAt: number | null;
}

export function emptyRow(): RowState {
  return { values: {}, clocks: {}, created: null, updated: null, deletedAt: null };
}

export function cloneRow(r: RowState): RowState {
  return {
    values: { ...r.values },
    clocks: { ...r.clocks },
    created: r.created,
    updated: r.updated,
    deletedAt: r.deletedAt,
  };
}

export function isVisible(r: RowState | null): boolean {
  return !!r && r.created !== null && r.deletedAt === null;
}

/** Merge one write of `batch` into `row` (mutates and returns it). */
export function mergeWrite(row: RowState, write: RowWrite, batch: Pick<Batch, "ts" | "batchId" | "author">, table: TableSchema): RowState {
  const clock: Clock = [batch.ts, batch.batchId];
  if (write.op === "delete") {
    if (row.deletedAt === null || batch.ts > row.deletedAt) row.deletedAt = batch.ts;
    return row;
  }
  if (write.op === "insert" && (row.created === null || compareClock(clock, row.created.clock) < 0)) {
    row.created = { by: batch.author, clock };
  }
  if (row.updated === null || compareClock(clock, row.updated.clock) >= 0) {
    row.updated = { by: batch.author, clock };
  }
  const values = write.values;
  if (values) {
    for (const col in values) {
      const schema = table.columns[col];
      if (!schema) continue; // a column this replica's schema does not know: ignore
      const cur = row.clocks[col];
      if (schema.merge === "counter") {
        row.values[col] = Number(row.values[col] ?? 0) + Number(values[col] ?? 0);
        if (!cur || compareClock(clock, cur) > 0) row.clocks[col] = clock;
      } else if (!cur || compareClock(clock, cur) >= 0) {
        row.values[col] = values[col];
        row.clocks[col] = clock;
      }
    }
  }
  return row;
}
