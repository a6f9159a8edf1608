// The runtime (JSON-serialisable) description of an app schema. `app.wasmSchema` is one of
// these; the name is kept for compatibility with the reference. Engine, compilers, server and
// wire protocol all consume this shape, never the DSL builder objects.

export type ColumnType =
  | { kind: "string" }
  | { kind: "boolean" }
  | { kind: "int" }
  | { kind: "float" }
  | { kind: "timestamp" }
  | { kind: "bytes" }
  | { kind: "json" }
  | { kind: "enum"; variants: string[] }
  | { kind: "ref"; table: string }
  | { kind: "array"; element: ColumnType };

export interface ColumnSchema {
  type: ColumnType;
  optional: boolean;
  /** JSON-encodable default (Date as ms number, bytes as number[]); undefined = none. */
  default?: unknown;
  merge: "lww" | "counter";
}

export interface TableSchema {
  /** Column order is significant (schema hash, SQL layout). `id` is implicit, never listed. */
  columns: Record<string, ColumnSchema>;
  /** Columns to index; undefined = every indexable column. */
  indexOnly?: string[];
}

export interface RuntimeSchema {
  tables: Record<string, TableSchema>;
}

/**
 * Per-column functions that cannot live in the JSON schema, keyed by table then column. The
 * engine applies `transform.to` on write and `transform.from` on read, and runs `validator` on
 * write against the stored value (after `to`; without a transform, the value written). Every
 * table handle and query carries the whole app's hooks as `_hooks`, like `_schema`.
 */
export interface ColumnHook {
  transform?: { from: (stored: any) => unknown; to: (app: any) => unknown };
  validator?: import("./standard-schema.ts").StandardSchemaV1;
}
export type ColumnHooks = Record<string, Record<string, ColumnHook>>;
