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
