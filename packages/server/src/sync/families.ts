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
  private readonly set = new Set<G>();
  /** The statements for the current members (rebuilt when they change), per id count. */
  private plan: { members: G[]; chunks: { checked: G[]; select: string; params: SqlValue[]; open: G[] }[] } | null = null;

  get members(): ReadonlySet<G> {
    return this.set;
  }
  add(m: G): void {
    this.set.add(m);
    this.plan = null;
  }
  delete(m: G): void {
    this.set.delete(m);
    this.plan = null;
  }
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
    const plan = (this.plan ??= this.build());
    const out = new Map<G, Set<RowKey>>();
    for (const m of plan.members) out.set(m, new Set());
    const matching = this.unfiltered.evaluateRows(driver, ids);
    const hits = ids.filter((id) => matching.has(rowKey(this.table, id)));
    if (hits.length === 0) return out;
    const keys = new Map(hits.map((id) => [id, rowKey(this.table, id)]));
    const where = ` WHERE ${quoteIdent(ALIAS)}."id" IN (${hits.map(() => "?").join(", ")})`;
    for (const chunk of plan.chunks) {
      // Unrestricted members cover every matching row.
      for (const m of chunk.open) for (const k of keys.values()) out.get(m)!.add(k);
      if (chunk.checked.length === 0) continue;
      for (const row of driver.all(chunk.select + where, [...chunk.params, ...hits])) {
        const k = keys.get(row[0] as string)!;
        for (let i = 0; i < chunk.checked.length; i++) if (Number(row[i + 1]) === 1) out.get(chunk.checked[i]!)!.add(k);
      }
    }
    return out;
  }

  /** One SELECT per CHUNK members with their read predicates side by side (compiled once). */
  private build() {
    const members = [...this.set];
    const chunks = [];
    for (let i = 0; i < members.length; i += CHUNK) {
      const columns: string[] = [];
      const params: SqlValue[] = [];
      const checked: G[] = [];
      const open: G[] = [];
      for (const m of members.slice(i, i + CHUNK)) {
        const p = m.policy?.(this.table, "read", ALIAS) ?? null;
        if (!p) {
          open.push(m);
          continue;
        }
        columns.push(`CASE WHEN (${p.sql}) THEN 1 ELSE 0 END`);
        params.push(...p.params);
        checked.push(m);
      }
      const select = `SELECT ${quoteIdent(ALIAS)}."id"${columns.map((c) => `, ${c}`).join("")} FROM ${quoteIdent(this.table)} AS ${quoteIdent(ALIAS)}`;
      chunks.push({ checked, select, params, open });
    }
    return { members, chunks };
  }
}
