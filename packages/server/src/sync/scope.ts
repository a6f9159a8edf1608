// Which rows a subscribed query covers on the server: its result rows plus the rows of its
// includes, evaluated with core's SQL compiler over the server's tables (the same compiler the
// clients use, so both sides agree on what matches). The permission compiler plugs into
// `policy` to drop rows the session may not read.

import { compileQuery, resolveRelation, tablesRead, type CompiledQuery, type PolicyHook, type QueryIR, type RuntimeSchema, type SqlDriver } from "@jazz-tools/core";
import { readPolicyScope } from "@jazz-tools/core/permissions";

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
    this.full ??= this.compile(this.query);
    return this.run(driver, this.query, this.full, this.full.params);
  }

  /** For incremental scopes: which of these rows of the query's table match now. */
  evaluateRows(driver: SqlDriver, ids: string[]): Set<RowKey> {
    if (ids.length === 1) {
      // Every accepted write asks this: compile once with a marker id, then re-bind it.
      this.one ??= this.compileOne();
      if (this.one.at >= 0) {
        const params = this.one.c.params.slice();
        params[this.one.at] = ids[0]!;
        return this.run(driver, this.query, this.one.c, params);
      }
    }
    const q: QueryIR = { ...this.query, conditions: [...this.query.conditions, { column: "id", op: "in", value: ids }] };
    const c = this.compile(q);
    return this.run(driver, q, c, c.params);
  }

  private full: CompiledQuery | undefined;
  private one: { c: CompiledQuery; at: number } | undefined;

  private compile(q: QueryIR): CompiledQuery {
    return compileQuery(this.schema, { ...q, select: undefined }, { policy: this.policy });
  }

  private compileOne(): { c: CompiledQuery; at: number } {
    const c = this.compile({ ...this.query, conditions: [...this.query.conditions, { column: "id", op: "eq", value: ONE_ID_MARK }] });
    return { c, at: c.params.indexOf(ONE_ID_MARK) };
  }

  private run(driver: SqlDriver, q: QueryIR, c: CompiledQuery, params: CompiledQuery["params"]): Set<RowKey> {
    const out = new Set<RowKey>();
    for (const raw of driver.all(c.sql, params)) {
      const row = c.decode(raw);
      collect(this.schema, c.table, q, row, out);
    }
    return out;
  }
}

const ONE_ID_MARK = "\u0000jazz-scope-id\u0000";

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
