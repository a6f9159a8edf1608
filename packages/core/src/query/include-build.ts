// include({...}) → IncludeIR[], and relation lookup with a QueryError naming the known relations.

import { allRelations, type Relation } from "../schema/relations.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import { describe } from "../schema/values.ts";
import { QueryError } from "./errors.ts";
import type { IncludeIR, QueryIR, QueryLike } from "./ir.ts";
import { isPlainObject } from "./where-build.ts";

export function resolveRelation(schema: RuntimeSchema, table: string, relation: string, method: string): Relation {
  const rels = allRelations(schema).get(table) ?? new Map<string, Relation>();
  const rel = rels.get(relation);
  if (!rel) {
    const known = [...rels.keys()];
    throw new QueryError(
      `Unknown relation "${relation}" in ${method}() on table "${table}"; ${known.length ? `known relations: ${known.join(", ")}` : "the table has no relations (add an s.ref column)"}`,
    );
  }
  return rel;
}

export function buildIncludes(schema: RuntimeSchema, table: string, spec: Record<string, unknown>): IncludeIR[] {
  if (!isPlainObject(spec)) {
    throw new QueryError(`include() takes an object such as { project: true }, got ${describe(spec)}`);
  }
  const out: IncludeIR[] = [];
  for (const [name, value] of Object.entries(spec)) {
    if (value === undefined || value === false) continue;
    const rel = resolveRelation(schema, table, name, "include");
    if (value === true) {
      out.push({ relation: name, query: emptyIR(rel.toTable) });
    } else if (isQueryLike(value)) {
      if (value._table !== rel.toTable) {
        throw new QueryError(`include(): "${name}" yields rows of "${rel.toTable}", but the query given is over "${value._table}"`);
      }
      const ir = value._build();
      if (ir.hops?.length || ir.gather) {
        throw new QueryError(`include(): the query for "${name}" cannot use hopTo() or gather()`);
      }
      out.push({ relation: name, query: ir });
    } else if (isPlainObject(value)) {
      out.push({ relation: name, query: { ...emptyIR(rel.toTable), includes: buildIncludes(schema, rel.toTable, value) } });
    } else {
      throw new QueryError(`include(): "${name}" takes true, a nested include object or a query, got ${describe(value)}`);
    }
  }
  return out;
}

function emptyIR(table: string): QueryIR {
  return { table, conditions: [], orderBy: [], includes: [] };
}

function isQueryLike(v: unknown): v is QueryLike {
  return typeof v === "object" && v !== null && typeof (v as QueryLike)._build === "function";
}
