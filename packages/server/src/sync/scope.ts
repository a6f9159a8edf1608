// Which rows a subscribed query covers on the server: its result rows plus the rows of its
// includes, evaluated with core's SQL compiler over the server's tables (the same compiler the
// clients use, so both sides agree on what matches). The permission compiler plugs into
// `policy` to drop rows the session may not read.

import { compileQuery, resolveRelation, tablesRead, type PolicyHook, type QueryIR, type RuntimeSchema, type SqlDriver } from "@jazz-tools/core";
import { readPolicyScope } from "@jazz-tools/core/internal/permissions/index.ts";

/** "table\0id" */
export type RowKey = string;
export const rowKey = (table: string, id: string): RowKey => `${table}\u0000${id}`;
export const splitRowKey = (k: RowKey) => {
  const i = k.indexOf("\u0000");
  return { table: k.slice(0, i), id: k.slice(i + 1) };
};

export class QueryScope {
  readonly tables: Set<string>;
  /** Pure filters can be re-checked row by row; limit/offset/includes/hops/gather cannot. */
  readonly incremental: boolean;

  constructor(
    readonly query: QueryIR,
    private readonly schema: RuntimeSchema,
    private readonly policy: PolicyHook | undefined,
  ) {
    this.tables = tablesRead(schema, query);
    // Read policies can depend on other rows (exists, allowedTo): writes to those tables change
    // what this session may read, and then a touched row cannot be re-checked on its own.
    const viaPolicy = readPolicyScope(policy, this.tables);
    if (viaPolicy) for (const t of viaPolicy.tables) this.tables.add(t);
    this.incremental =
      query.limit === undefined &&
      !query.offset &&
      (query.includes ?? []).length === 0 &&
      !query.hops?.length &&
      !query.gather &&
      (viaPolicy?.rowLocal ?? true);
    // Compile once up front so a bad query is refused at subscribe time.
    compileQuery(schema, query, { policy });
  }

  /** Every row the query covers now. */
  evaluate(driver: SqlDriver): Set<RowKey> {
    return this.run(driver, this.query);
  }

  /** For incremental scopes: which of these rows of the query's table match now. */
  evaluateRows(driver: SqlDriver, ids: string[]): Set<RowKey> {
    const q: QueryIR = { ...this.query, conditions: [...this.query.conditions, { column: "id", op: "in", value: ids }] };
    return this.run(driver, q);
  }

  private run(driver: SqlDriver, q: QueryIR): Set<RowKey> {
    const c = compileQuery(this.schema, { ...q, select: undefined }, { policy: this.policy });
    const out = new Set<RowKey>();
    for (const raw of driver.all(c.sql, c.params)) {
      const row = c.decode(raw);
      collect(this.schema, c.table, q, row, out);
    }
    return out;
  }
}

function collect(schema: RuntimeSchema, table: string, q: QueryIR, row: Record<string, unknown>, out: Set<RowKey>): void {
  if (typeof row.id === "string") out.add(rowKey(table, row.id));
  for (const inc of q.includes ?? []) {
    const value = row[inc.relation];
    if (!value || typeof value !== "object") continue;
    const to = resolveRelation(schema, table, inc.relation).toTable;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item && typeof item === "object") collect(schema, to, inc.query, item as Record<string, unknown>, out);
    }
  }
}
