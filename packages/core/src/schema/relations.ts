// Runtime relation resolver: the relation names an app uses in include()/hopTo()/gather().
// Naming follows the reference (codegen/relation-analyzer): a forward name is the FK column with
// /(?:_ids|Ids|_id|Id)$/ stripped (array FKs pluralised: tagIds → tags); a reverse name is
// `${sourceTable}Via${Capitalize(forwardName)}` and is always many.

import type { RuntimeSchema } from "./runtime.ts";
import { QueryError } from "../query/errors.ts";
// One naming rule for the DSL's types (relation-types.ts), the builder and this resolver.
import { forwardRelationName, reverseRelationName } from "./naming.ts";

export interface Relation {
  name: string;
  kind: "forward" | "reverse";
  /** The table the relation is named on. */
  fromTable: string;
  /** The FK column: on fromTable for forward relations, on toTable for reverse ones. */
  fkColumn: string;
  toTable: string;
  many: boolean;
  /** The FK column is an array of refs (`tagIds: s.array(s.ref("tags"))`). */
  arrayFk: boolean;
}

const cache = new WeakMap<RuntimeSchema, Map<string, Map<string, Relation>>>();

/** Every relation of every table, by table then name (computed once per schema object). */
export function allRelations(schema: RuntimeSchema): Map<string, Map<string, Relation>> {
  let all = cache.get(schema);
  if (all) return all;
  all = new Map();
  for (const t of Object.keys(schema.tables)) all.set(t, new Map());
  for (const [table, ts] of Object.entries(schema.tables)) {
    for (const [column, col] of Object.entries(ts.columns)) {
      const t = col.type;
      const arrayFk = t.kind === "array" && t.element.kind === "ref";
      const target = t.kind === "ref" ? t.table : arrayFk && t.kind === "array" && t.element.kind === "ref" ? t.element.table : null;
      if (target === null || !all.has(target)) continue;
      const fwd = forwardRelationName(column, arrayFk);
      const own = all.get(table)!;
      if (!own.has(fwd))
        own.set(fwd, { name: fwd, kind: "forward", fromTable: table, fkColumn: column, toTable: target, many: arrayFk, arrayFk });
      const rev = reverseRelationName(table, fwd);
      const other = all.get(target)!;
      if (!other.has(rev))
        other.set(rev, { name: rev, kind: "reverse", fromTable: target, fkColumn: column, toTable: table, many: true, arrayFk });
    }
  }
  cache.set(schema, all);
  return all;
}

/** Resolve `name` on `table`; throws QueryError listing the available relations. */
export function resolveRelation(schema: RuntimeSchema, table: string, name: string): Relation {
  const rels = allRelations(schema).get(table);
  if (!rels)
    throw new QueryError(`Unknown table "${table}". Known tables: ${Object.keys(schema.tables).join(", ") || "(none)"}.`);
  const r = rels.get(name);
  if (r) return r;
  const known = [...rels.keys()];
  throw new QueryError(
    `Unknown relation "${name}" on table "${table}". Available relations: ${known.length ? known.join(", ") : "(none: the table has no ref columns and no table refers to it)"}.`,
  );
}
