// The query builder's output: a plain JSON description of a query. The SQL compiler, the live
// query engine, the sync protocol and the permission compiler all take this shape.

export type Op = "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "in" | "contains" | "isNull";

export interface Condition {
  /** A column name, "id", or a magic column ("$createdBy", "$canEdit", ...). */
  column: string;
  op: Op;
  /** Encoded for the wire: Date → ms number, Uint8Array → { $bytes: base64 }. */
  value: unknown;
}

export interface IncludeIR {
  /** Relation name as the user wrote it (e.g. "project", "todosViaProject"). */
  relation: string;
  /** The sub-query over the related table (its own where/orderBy/limit/includes/select). */
  query: QueryIR;
}

export interface QueryIR {
  table: string;
  conditions: Condition[];
  orderBy: [column: string, dir: "asc" | "desc"][];
  limit?: number;
  offset?: number;
  /** undefined = all columns ("*"); otherwise the selected column names (may include magic). */
  select?: string[];
  includes: IncludeIR[];
  requireIncludes?: boolean;
  /**
   * hopTo chain: each relation name moves the result to the related table. `conditions` filter
   * the rows of `table` before the hops; orderBy/limit/offset/select/includes apply to the rows
   * after them (the builder rejects where() after hopTo()). QueryLike._table is the final table.
   */
  hops?: string[];
  /**
   * Transitive closure. The builder always sets `start` (the query gather() was called on, or the
   * explicit start), so `conditions` then filter the gathered rows. In `step`, a condition value
   * `{ $current: true }` means "the id of the row being expanded".
   */
  gather?: { start?: QueryIR; step: QueryIR; stepRelation?: string; maxDepth: number };
}

/**
 * What the Db accepts wherever the docs pass `app.todos` or `app.todos.where(...)`. Table
 * handles and every builder query implement it; `_schema` is the whole app's runtime schema
 * (so a Db learns and creates tables the first time it sees a handle).
 */
export interface QueryLike<Row = unknown> {
  readonly _table: string;
  readonly _schema: import("../schema/runtime.ts").RuntimeSchema;
  _build(): QueryIR;
  /** Column transforms/validators of the whole app (schema/runtime.ts ColumnHooks). */
  readonly _hooks?: import("../schema/runtime.ts").ColumnHooks;
  /** Phantom, for inference only. */
  readonly _rowType?: Row;
}
