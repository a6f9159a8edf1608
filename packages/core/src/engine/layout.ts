// How an app table is laid out in SQLite. The store writes this layout and the SQL compiler
// reads it; both import these names so they cannot drift.
//
// Table "<table>" (name quoted as is):
//   id            TEXT PRIMARY KEY
//   <column>...   one per schema column, storage-encoded (see engine/encoding.ts):
//                 string/enum/ref TEXT, boolean INTEGER 0|1, int INTEGER, float REAL,
//                 timestamp INTEGER ms, bytes BLOB, json TEXT (JSON), array TEXT (JSON array)
//   "$createdBy" TEXT, "$createdAt" INTEGER µs   (null until the insert has arrived)
//   "$updatedBy" TEXT, "$updatedAt" INTEGER µs
//   "$ts" INTEGER, "$batch" TEXT               the insert's clock: the base clock of every column
//   "$clocks" TEXT                             JSON {column: [ts, batchId]} for columns whose
//                                              winning write is not the insert; null if none
//   "$deletedAt" INTEGER                       µs of the winning delete; null while live
// A row is visible when it has been created and not deleted.

export const SYS = {
  createdBy: "$createdBy",
  createdAt: "$createdAt",
  updatedBy: "$updatedBy",
  updatedAt: "$updatedAt",
  ts: "$ts",
  batch: "$batch",
  clocks: "$clocks",
  deletedAt: "$deletedAt",
} as const;

export const MAGIC_PROVENANCE = ["$createdBy", "$createdAt", "$updatedBy", "$updatedAt"] as const;
export const MAGIC_PERMISSION = ["$canRead", "$canEdit", "$canDelete"] as const;

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** SQL predicate selecting the visible rows of a table aliased `alias`. */
export function visibleRowPredicate(alias: string): string {
  return `${alias}."$createdAt" IS NOT NULL AND ${alias}."$deletedAt" IS NULL`;
}
