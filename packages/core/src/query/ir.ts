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
  /** hopTo chain: each relation name moves the result to the related table. */
  hops?: string[];
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
  /** Phantom, for inference only. */
  readonly _rowType?: Row;
}
