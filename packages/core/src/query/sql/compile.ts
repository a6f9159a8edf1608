// QueryIR → one parameterised SQLite statement plus a row decoder (see select.ts, where.ts,
// source.ts for the pieces). Values never enter the SQL text; identifiers go through quoteIdent.
//
// How the IR is read (matches the query builder):
//   - plain: conditions/orderBy/limit/offset/select/includes all apply to `table`;
//   - hops: `conditions` filter the start `table`; everything else applies to the rows of the
//     last hop's table (distinct);
//   - gather: the seeds are `gather.start` (or, without it, `table` filtered by `conditions`);
//     with `start`, `conditions` filter the gathered rows. A step condition whose value is
//     `{ $current: true }` (GATHER_CURRENT) compares with the id of the row being expanded;
//     step.orderBy/limit are ignored. Seeds are depth 0; at most `maxDepth` steps are taken.
//   - rows are always visible ones (created, not deleted) that opts.policy lets the session read.

import type { SqlValue } from "../../sql/driver.ts";
import type { RuntimeSchema } from "../../schema/runtime.ts";
import type { QueryIR } from "../ir.ts";
import { quoteIdent } from "../../engine/layout.ts";
import { resolveRelation } from "../../schema/relations.ts";
import { QueryError } from "../errors.ts";
import { type CompileOptions, Ctx } from "./context.ts";
import { cat, join, type Frag } from "./frag.ts";
import { compileIncludes, filterFor, limitClause, orderClause, projectColumns, requiredIncludes } from "./select.ts";
import { buildRowDecoder } from "./row-decoder.ts";
import { gatherMembership, hopMembership, resultTableOf } from "./source.ts";

export interface CompiledQuery {
  sql: string;
  params: SqlValue[];
  /** The table the result rows belong to (after hopTo). */
  table: string;
  /** Output keys, in result-column order. */
  keys: string[];
  decode(row: SqlValue[]): Record<string, unknown>;
}

export function compileQuery(schema: RuntimeSchema, ir: QueryIR, opts: CompileOptions = {}): CompiledQuery {
  const ctx = new Ctx(schema, opts);
  if (!ir || typeof ir.table !== "string") throw new QueryError("A query needs a table.");
  ctx.table(ir.table);
  if (ir.hops?.length && ir.gather) throw new QueryError("A query cannot use both hopTo() and gather().");
  const table = resultTableOf(ctx, ir);
  const a = ctx.alias();

  const filters: Frag[] = [];
  if (ir.hops?.length) {
    filters.push(ctx.rowFilter(table, a), hopMembership(ctx, ir, a));
  } else if (ir.gather) {
    // Without `start`, the query's own where selects the seeds; with it, the where filters results.
    const seed = ir.gather.start ?? ir;
    filters.push(...filterFor(ctx, table, a, ir, [], !!ir.gather.start), gatherMembership(ctx, table, seed, ir.gather, a));
  }
  const includes = compileIncludes(ctx, table, a, ir.includes);
  if (!ir.hops?.length && !ir.gather) filters.push(...filterFor(ctx, table, a, ir, includes));
  else if (ir.requireIncludes) filters.push(...requiredIncludes(includes));

  const proj = projectColumns(ctx, table, a, ir, includes);
  const q = cat(
    "SELECT ",
    join(proj.exprs, ", "),
    ` FROM ${quoteIdent(table)} AS ${a} WHERE `,
    join(filters, " AND "),
    orderClause(ctx, table, a, ir.orderBy),
    limitClause(ir.limit, ir.offset),
  );
  return { sql: q.sql, params: q.params, table, keys: proj.keys, decode: buildRowDecoder(proj.keys, proj.decoders) };
}

/** Every table a query reads (own, included, hopped, gathered), for live-query invalidation. */
export function tablesRead(schema: RuntimeSchema, ir: QueryIR): Set<string> {
  const out = new Set<string>();
  const visit = (q: QueryIR) => {
    out.add(q.table);
    let cur = q.table;
    for (const h of q.hops ?? []) {
      cur = resolveRelation(schema, cur, h).toTable;
      out.add(cur);
    }
    for (const inc of q.includes ?? []) {
      const rel = resolveRelation(schema, cur, inc.relation);
      out.add(rel.toTable);
      if (inc.query) visit(inc.query);
    }
    if (q.gather) {
      if (q.gather.start) visit(q.gather.start);
      visit(q.gather.step);
      if (q.gather.stepRelation) {
        let end = q.gather.step.table;
        for (const h of q.gather.step.hops ?? []) end = resolveRelation(schema, end, h).toTable;
        out.add(resolveRelation(schema, end, q.gather.stepRelation).toTable);
      }
    }
  };
  visit(ir);
  return out;
}
