// Write checks. A write is checked against the database as it is *before* the write (earlier
// writes of the same batch included): the stored row and the proposed row are fed to the very
// same SQL predicates reads use, as one-row derived tables, so `exists` and `allowedTo` see the
// real tables. Checking before applying matters: an insert must not be able to satisfy its own
// policy (e.g. inserting yourself as admin to pass "is admin").

import { JazzError } from "../errors/base.ts";
import type { SqlDriver, SqlValue } from "../sql/driver.ts";
import type { RowWrite } from "../engine/batch.ts";
import { MAGIC_PROVENANCE, quoteIdent, visibleRowPredicate } from "../engine/layout.ts";
import { policyExpr, type CompiledPolicies, type SqlFragment } from "./compile.ts";

/** A row as stored: id, schema columns and provenance columns, storage-encoded. */
export type StoredRow = Record<string, SqlValue>;

export type WriteOp = "insert" | "update" | "delete";

/** A write the active permissions do not grant. Message: the reference's text. */
export class PolicyDeniedError extends JazzError {
  override name = "PolicyDeniedError";
  readonly code = "policy_denied";
  constructor(
    readonly op: WriteOp,
    readonly table: string,
  ) {
    super(`policy denied ${op.toUpperCase()} on table ${table}`);
  }
}

function rowColumns(p: CompiledPolicies, table: string): string[] {
  const t = p.schema.tables[table];
  if (!t) throw new PolicyDeniedError("insert", table);
  return ["id", ...Object.keys(t.columns), ...MAGIC_PROVENANCE];
}

function rowSource(cols: string[], row: StoredRow): SqlFragment {
  return {
    sql: `(SELECT ${cols.map((c) => `? AS ${quoteIdent(c)}`).join(", ")})`,
    params: cols.map((c) => (row[c] === undefined ? null : row[c])),
  };
}

/** Whether the policies grant the write; `oldRow` is the stored row, `newRow` the proposed one. */
export function isWriteAllowed(
  p: CompiledPolicies,
  driver: SqlDriver,
  op: WriteOp,
  table: string,
  oldRow: StoredRow | null,
  newRow: StoredRow | null,
): boolean {
  if (!p.schema.tables[table]) return false;
  const tp = p.bundle.tables[table];
  const cols = rowColumns(p, table);
  let pred: SqlFragment;
  let from: SqlFragment[];
  if (op === "update") {
    if (!oldRow || !newRow) return false;
    const grants = tp?.update ?? [];
    if (grants.some((g) => g.old.t === "const" && g.old.v && g.new.t === "const" && g.new.v)) return true;
    pred = p.updatePredicate(table, "_old", "_new");
    const o = rowSource(cols, oldRow);
    const n = rowSource(cols, newRow);
    from = [{ sql: `${o.sql} AS "_old"`, params: o.params }, { sql: `${n.sql} AS "_new"`, params: n.params }];
  } else {
    const row = op === "insert" ? newRow : oldRow;
    if (!row) return false;
    const e = policyExpr(tp, op);
    if (e.t === "const") return e.v;
    const alias = op === "insert" ? "_new" : "_old";
    pred = p.predicate(table, op, alias);
    const s = rowSource(cols, row);
    from = [{ sql: `${s.sql} AS ${quoteIdent(alias)}`, params: s.params }];
  }
  const sql = `SELECT CASE WHEN (${pred.sql}) THEN 1 ELSE 0 END FROM ${from.map((f) => f.sql).join(", ")}`;
  const params = [...pred.params, ...from.flatMap((f) => f.params)];
  const rows = driver.all(sql, params);
  return rows.length === 1 && rows[0][0] === 1;
}

/** Throws PolicyDeniedError unless the write is granted. */
export function checkWrite(
  p: CompiledPolicies,
  driver: SqlDriver,
  op: WriteOp,
  table: string,
  oldRow: StoredRow | null,
  newRow: StoredRow | null,
): void {
  if (!isWriteAllowed(p, driver, op, table, oldRow, newRow)) throw new PolicyDeniedError(op, table);
}

/** The visible stored row `id` of `table`, or null. */
export function readStoredRow(p: CompiledPolicies, driver: SqlDriver, table: string, id: string): StoredRow | null {
  if (!p.schema.tables[table]) return null;
  const cols = rowColumns(p, table);
  const rows = driver.all(
    `SELECT ${cols.map(quoteIdent).join(", ")} FROM ${quoteIdent(table)} AS "_r" WHERE "_r"."id" = ? AND ${visibleRowPredicate('"_r"')}`,
    [id],
  );
  if (rows.length === 0) return null;
  const row: StoredRow = {};
  cols.forEach((c, i) => (row[c] = rows[0][i]));
  return row;
}

/**
 * Checks one write of a batch by `author` at clock `ts` against the current database state;
 * call it for each write right before applying it (inside the batch's transaction), so later
 * writes see earlier ones. An update's proposed row is the stored row with the written values
 * laid over it (what the author asks for); an update or delete of a row that is not visible
 * is denied. An insert naming a visible stored row merges into it column by column, so it is
 * checked as what it does: an update of that row (update policy, the stored row as `old`,
 * creation unchanged).
 */
export function checkRowWrite(p: CompiledPolicies, driver: SqlDriver, write: RowWrite, author: string, ts: number): void {
  const old = readStoredRow(p, driver, write.table, write.id);
  const op: WriteOp = write.op === "insert" && old ? "update" : write.op;
  let next: StoredRow | null = null;
  if (op === "insert") {
    next = { ...write.values, id: write.id, $createdBy: author, $createdAt: ts, $updatedBy: author, $updatedAt: ts };
  } else if (op === "update" && old) {
    next = { ...old, ...write.values, id: write.id, $createdBy: old.$createdBy, $createdAt: old.$createdAt, $updatedBy: author, $updatedAt: ts };
  }
  checkWrite(p, driver, op, write.table, op === "insert" ? null : old, next);
}

/** The operation a write is checked as: an insert of a visible stored row is an update. */
export function effectiveWriteOp(p: CompiledPolicies, driver: SqlDriver, write: RowWrite): WriteOp {
  return write.op === "insert" && readStoredRow(p, driver, write.table, write.id) ? "update" : write.op;
}
