// Test fixtures: schemas of the docs' recipes and helpers to put stored rows into a real
// SQLite laid out by the engine's DDL.
import type { SqlDriver, SqlValue } from "../../sql/driver.ts";
import type { ColumnSchema, ColumnType, RuntimeSchema } from "../../schema/runtime.ts";
import { createTableStatements } from "../../engine/ddl.ts";
import { quoteIdent } from "../../engine/layout.ts";
import type { StoredRow } from "../check.ts";

export const col = (type: ColumnType, optional = false): ColumnSchema => ({ type, optional, merge: "lww" });
export const str = (optional = false) => col({ kind: "string" }, optional);
export const ref = (table: string, optional = false) => col({ kind: "ref", table }, optional);

export function createTables(driver: SqlDriver, schema: RuntimeSchema): void {
  for (const [name, t] of Object.entries(schema.tables)) for (const s of createTableStatements(name, t)) driver.exec(s);
}

let clock = 1_000_000;
/** Inserts a visible stored row; provenance defaults to `by` = "system". */
export function putRow(driver: SqlDriver, table: string, row: StoredRow & { id: string }, by = "system"): StoredRow {
  const ts = ++clock;
  const full: StoredRow = { $createdBy: by, $createdAt: ts, $updatedBy: by, $updatedAt: ts, $ts: ts, $batch: "b", ...row };
  const cols = Object.keys(full);
  driver.run(
    `INSERT INTO ${quoteIdent(table)} (${cols.map(quoteIdent).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    cols.map((c) => full[c] as SqlValue),
  );
  return full;
}

export function deleteRow(driver: SqlDriver, table: string, id: string): void {
  driver.run(`UPDATE ${quoteIdent(table)} SET "$deletedAt" = 1 WHERE id = ?`, [id]);
}

let n = 0;
/** A fresh UUID-shaped id (sorting in creation order). */
export function uid(): string {
  const h = (++n).toString(16).padStart(12, "0");
  return `00000000-0000-7000-8000-${h}`;
}
