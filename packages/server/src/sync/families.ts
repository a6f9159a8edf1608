// Shared evaluation for subscription groups with the same filter-only query under different
// read policies (typically one group per user: `owner_id = session.user_id`). Instead of one
// statement per group for every write, a family asks SQLite once whether the written rows match
// the query, then once for all its groups' read predicates side by side
// (`SELECT id, CASE WHEN <policy of group 1> ..., CASE WHEN <policy of group 2> ...`).
// The predicates are the same compiled SQL the groups' own statements use.

import { quoteIdent, type PolicyHook, type QueryIR, type RuntimeSchema, type SqlDriver, type SqlValue } from "@jazz-tools/core";
import { QueryScope, rowKey, type RowKey } from "./scope.ts";

/** Groups per predicate statement (keeps each statement's parameter count small). */
const CHUNK = 128;
const ALIAS = "jazz_family_row";

export interface FamilyMember {
  readonly policy: PolicyHook | undefined;
}

export class QueryFamily<G extends FamilyMember> {
  readonly members = new Set<G>();
  /** The query with no policy: which written rows match it at all. */
  private readonly unfiltered: QueryScope;

  constructor(
    readonly query: QueryIR,
    schema: RuntimeSchema,
  ) {
    this.unfiltered = new QueryScope(query, schema, undefined);
  }

  get table(): string {
    return this.query.table;
  }

  /** For each member: which of `ids` (rows of the query's table) it covers now. */
  evaluate(driver: SqlDriver, ids: string[]): Map<G, Set<RowKey>> {
    const out = new Map<G, Set<RowKey>>();
    const members = [...this.members];
    for (const m of members) out.set(m, new Set());
    const matching = this.unfiltered.evaluateRows(driver, ids);
    const hits = ids.filter((id) => matching.has(rowKey(this.table, id)));
    if (hits.length === 0) return out;
    for (let i = 0; i < members.length; i += CHUNK) this.evaluateChunk(driver, members.slice(i, i + CHUNK), hits, out);
    return out;
  }

  private evaluateChunk(driver: SqlDriver, members: G[], ids: string[], out: Map<G, Set<RowKey>>): void {
    const columns: string[] = [];
    const params: SqlValue[] = [];
    const checked: G[] = [];
    for (const m of members) {
      const p = m.policy?.(this.table, "read", ALIAS) ?? null;
      if (!p) {
        // Unrestricted: every matching row is covered.
        for (const id of ids) out.get(m)!.add(rowKey(this.table, id));
        continue;
      }
      columns.push(`CASE WHEN (${p.sql}) THEN 1 ELSE 0 END`);
      params.push(...p.params);
      checked.push(m);
    }
    if (checked.length === 0) return;
    const sql =
      `SELECT ${quoteIdent(ALIAS)}."id", ${columns.join(", ")} FROM ${quoteIdent(this.table)} AS ${quoteIdent(ALIAS)}` +
      ` WHERE ${quoteIdent(ALIAS)}."id" IN (${ids.map(() => "?").join(", ")})`;
    for (const row of driver.all(sql, [...params, ...ids])) {
      const id = row[0] as string;
      for (let i = 0; i < checked.length; i++) {
        if (Number(row[i + 1]) === 1) out.get(checked[i]!)!.add(rowKey(this.table, id));
      }
    }
  }
}
