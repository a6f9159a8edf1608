// Where a query's result rows come from when it is not a plain table scan:
//   hopTo:  the rows of the last hop's table reached from the rows matching the where;
//   gather: the transitive closure from a seed set through a step query (recursive CTE,
//           depth-limited; UNION on (id, depth) keeps it finite and bounded on cycles).
// Both compile to a membership predicate `<alias>.id IN (...)` on the result table. Every
// table access along the way is filtered to visible, readable rows.

import type { Condition, QueryIR } from "../ir.ts";
import { quoteIdent } from "../../engine/layout.ts";
import { resolveRelation } from "../../schema/relations.ts";
import { QueryError } from "../errors.ts";
import type { Ctx } from "./context.ts";
import { resolveColumn } from "./columns.ts";
import { cat, join, param, type Frag, type Part } from "./frag.ts";
import { compileConditions, isCurrentMarker } from "./where.ts";

interface Chain {
  joins: Frag;
  endTable: string;
  endAlias: string;
}

/** JOINs following `hops` from `table` aliased `alias`. */
export function hopChain(ctx: Ctx, table: string, alias: string, hops: string[]): Chain {
  const parts: Part[] = [];
  let cur = table;
  let x = alias;
  for (const name of hops) {
    const rel = resolveRelation(ctx.schema, cur, name);
    const y = ctx.alias();
    const T = quoteIdent(rel.toTable);
    const fk = quoteIdent(rel.fkColumn);
    if (rel.kind === "forward" && rel.arrayFk) {
      const je = ctx.alias("j");
      parts.push(` JOIN json_each(${x}.${fk}) AS ${je} JOIN ${T} AS ${y} ON ${y}.id = ${je}.value`);
    } else if (rel.kind === "forward") parts.push(` JOIN ${T} AS ${y} ON ${y}.id = ${x}.${fk}`);
    else if (rel.arrayFk) parts.push(` JOIN ${T} AS ${y} ON ${x}.id IN (SELECT value FROM json_each(${y}.${fk}))`);
    else parts.push(` JOIN ${T} AS ${y} ON ${y}.${fk} = ${x}.id`);
    parts.push(" AND ", ctx.rowFilter(rel.toTable, y));
    cur = rel.toTable;
    x = y;
  }
  return { joins: cat(...parts), endTable: cur, endAlias: x };
}

/** The table a query's rows belong to (after its hops). */
export function resultTableOf(ctx: Ctx, ir: QueryIR): string {
  if (!ir.hops?.length) return ir.table;
  let cur = ir.table;
  for (const h of ir.hops) cur = resolveRelation(ctx.schema, cur, h).toTable;
  return cur;
}

/** `alias.id IN (ids reached by ir.hops from the rows of ir.table matching ir.conditions)`. */
export function hopMembership(ctx: Ctx, ir: QueryIR, alias: string): Frag {
  const s = ctx.alias();
  const chain = hopChain(ctx, ir.table, s, ir.hops ?? []);
  const where = join([ctx.rowFilter(ir.table, s), ...compileConditions(ctx, ir.table, s, ir.conditions)], " AND ");
  return cat(`${alias}.id IN (SELECT ${chain.endAlias}.id FROM ${quoteIdent(ir.table)} AS ${s}`, chain.joins, " WHERE ", where, ")");
}

/** A bound on recursive traversal, so one query cannot hold the server for seconds. */
export const MAX_GATHER_DEPTH = 100;

/**
 * `alias.id IN (closure)`. Seeds: the rows of `seed` (table = the gather's table) matching its
 * conditions. Step: from each reached node g, the rows of step.table whose marked conditions
 * (value `{ $current: true }`) equal g.id, then step.hops (+ stepRelation) back to the table.
 */
export function gatherMembership(ctx: Ctx, table: string, seed: QueryIR, gather: NonNullable<QueryIR["gather"]>, alias: string): Frag {
  const { step, maxDepth } = gather;
  if (!step || typeof step.table !== "string") throw new QueryError("gather() needs a step query.");
  if (typeof maxDepth !== "number" || !Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_GATHER_DEPTH)
    throw new QueryError(`gather() maxDepth must be an integer from 0 to ${MAX_GATHER_DEPTH}, got ${JSON.stringify(maxDepth)}.`);
  if (seed.table !== table)
    throw new QueryError(`gather() start must query "${table}", got "${seed.table}".`);
  const g = ctx.alias("g");
  const s = ctx.alias();
  const e = ctx.alias();
  const seedWhere = join([ctx.rowFilter(table, s), ...compileConditions(ctx, table, s, seed.conditions)], " AND ");

  const marked: Condition[] = [];
  const plain: Condition[] = [];
  for (const c of step.conditions ?? []) (isCurrentMarker(c.value) ? marked : plain).push(c);
  const currentJoins: Frag[] = [];
  for (const c of marked) {
    const ref = resolveColumn(ctx, step.table, c.column, "gather step where");
    const colSql = ref.kind === "id" ? `${e}.id` : `${e}.${quoteIdent(ref.name)}`;
    const isArray = ref.kind === "column" && ref.type.kind === "array";
    if (c.op === "eq" && ref.kind !== "permission" && !isArray) currentJoins.push({ sql: ` AND ${colSql} = ${g}.id`, params: [] });
    else if (c.op === "contains" && isArray) {
      const je = ctx.alias("j");
      currentJoins.push({ sql: ` JOIN json_each(${colSql}) AS ${je} ON ${je}.value = ${g}.id`, params: [] });
    } else
      throw new QueryError(`gather() step can only compare "current" with eq (or contains on an array column); got ${c.op} on ${c.column}.`);
  }
  const hops = [...(step.hops ?? []), ...(gather.stepRelation ? [gather.stepRelation] : [])];
  const chain = hopChain(ctx, step.table, e, hops);
  if (chain.endTable !== table)
    throw new QueryError(
      `gather() step must lead back to "${table}" (via hopTo), but it ends at "${chain.endTable}".`,
    );
  // The recursive table may appear only once, in the FROM clause of the recursive select; the
  // "current" comparisons therefore live in the ON clause, joins and not sub-queries.
  const onCurrent = currentJoins.filter((f) => f.sql.startsWith(" AND "));
  const joinCurrent = currentJoins.filter((f) => !f.sql.startsWith(" AND "));
  const stepWhere = join([cat(`${g}.depth < `, param(maxDepth)), ctx.rowFilter(step.table, e), ...compileConditions(ctx, step.table, e, plain)], " AND ");
  return cat(
    `${alias}.id IN (WITH RECURSIVE ${g}(id, depth) AS (SELECT ${s}.id, 0 FROM ${quoteIdent(table)} AS ${s} WHERE `,
    seedWhere,
    ` UNION SELECT ${chain.endAlias}.id, ${g}.depth + 1 FROM ${g} JOIN ${quoteIdent(step.table)} AS ${e} ON 1`,
    ...onCurrent,
    ...joinCurrent,
    chain.joins,
    " WHERE ",
    stepWhere,
    `) SELECT id FROM ${g})`,
  );
}
