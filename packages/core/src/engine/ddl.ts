// CREATE statements for an app table in the layout of layout.ts, plus its secondary indexes.
// Every index ends with `id`: results are ordered by (sort column, id), so `where({col: v})`
// with the default id order, or `orderBy(col)`, reads the index in order with no sort step.

import type { ColumnType, TableSchema } from "../schema/runtime.ts";
import { SYS, quoteIdent } from "./layout.ts";

export function sqlTypeOf(t: ColumnType): "TEXT" | "INTEGER" | "REAL" | "BLOB" {
  switch (t.kind) {
    case "boolean":
    case "int":
    case "timestamp":
      return "INTEGER";
    case "float":
      return "REAL";
    case "bytes":
      return "BLOB";
    default:
      return "TEXT";
  }
}

/** Columns indexed by default: those a where/orderBy can use an index for (not json/array). */
export function isIndexableByDefault(t: ColumnType): boolean {
  return t.kind !== "json" && t.kind !== "array";
}

/** The schema columns that get a secondary index. */
export function indexedColumns(table: TableSchema): string[] {
  const names = Object.keys(table.columns);
  if (table.indexOnly) return table.indexOnly.filter((c) => c in table.columns);
  return names.filter((c) => isIndexableByDefault(table.columns[c].type));
}

export function indexName(table: string, column: string): string {
  return `${table}$idx$${column}`;
}

/** CREATE TABLE + CREATE INDEX statements, idempotent (IF NOT EXISTS). */
export function createTableStatements(tableName: string, table: TableSchema): string[] {
  const t = quoteIdent(tableName);
  // No NOT NULL on app columns: a row may exist before its insert arrives (an update first).
  const cols = [`id TEXT PRIMARY KEY NOT NULL`];
  for (const [name, col] of Object.entries(table.columns)) cols.push(`${quoteIdent(name)} ${sqlTypeOf(col.type)}`);
  cols.push(
    `${quoteIdent(SYS.createdBy)} TEXT`,
    `${quoteIdent(SYS.createdAt)} INTEGER`,
    `${quoteIdent(SYS.updatedBy)} TEXT`,
    `${quoteIdent(SYS.updatedAt)} INTEGER`,
    `${quoteIdent(SYS.ts)} INTEGER`,
    `${quoteIdent(SYS.batch)} TEXT`,
    `${quoteIdent(SYS.clocks)} TEXT`,
    `${quoteIdent(SYS.deletedAt)} INTEGER`,
  );
  const out = [`CREATE TABLE IF NOT EXISTS ${t} (${cols.join(", ")})`];
  for (const c of indexedColumns(table))
    out.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(tableName, c))} ON ${t} (${quoteIdent(c)}, id)`);
  out.push(
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(tableName, SYS.createdAt))} ON ${t} (${quoteIdent(SYS.createdAt)}, id)`,
  );
  return out;
}
