// Projection (select), includes, orderBy and limit for one table access. Includes compile to
// correlated scalar sub-selects that build JSON in SQLite (json_object per row; arrays by
// group_concat over an ordered sub-select), so one statement returns the whole tree.

import type { IncludeIR, QueryIR } from "../ir.ts";
import type { Decoder } from "../../engine/decode.ts";
import { jsonDecoder, magicDecoder, sqlDecoder } from "../../engine/decode.ts";
import { quoteIdent } from "../../engine/layout.ts";
import { resolveRelation } from "../../schema/relations.ts";
import { QueryError } from "../errors.ts";
import type { Ctx } from "./context.ts";
import { type ColumnRef, columnExpr, resolveColumn } from "./columns.ts";
import { cat, join, param, type Frag } from "./frag.ts";
import { compileConditions } from "./where.ts";

export interface CompiledInclude {
  key: string;
  /** Scalar sub-select returning JSON text (object or null; array when many). */
  expr: Frag;
  many: boolean;
  /** Fixes one parsed related row in place (Dates, bytes, booleans, nested includes). */
  fixRow: (o: any) => any;
  /** What requireIncludes() demands of the parent row (forward single includes only). */
  required: Frag | null;
}

/** requireIncludes(): drop rows whose included row is missing, in includes that have one. */
export function requiredIncludes(includes: CompiledInclude[]): Frag[] {
  return includes.flatMap((i) => (i.required ? [i.required] : []));
}

/** The columns a query returns, id first, then schema order, then magic in selection order. */
export function selectedColumns(ctx: Ctx, table: string, select: string[] | undefined): ColumnRef[] {
  const cols = Object.keys(ctx.table(table).columns);
  const out: ColumnRef[] = [{ kind: "id", name: "id" }];
  if (!select) {
    for (const c of cols) out.push(resolveColumn(ctx, table, c, "select"));
    return out;
  }
  const refs = select.filter((s) => s !== "*" && s !== "id").map((s) => resolveColumn(ctx, table, s, "select"));
  const all = select.includes("*");
  for (const c of cols) if (all || refs.some((r) => r.name === c)) out.push(resolveColumn(ctx, table, c, "select"));
  for (const r of refs) if (r.kind !== "column" && !out.some((o) => o.name === r.name)) out.push(r);
  return out;
}

function withTransform(ctx: Ctx, table: string, ref: ColumnRef, d: Decoder | null): Decoder | null {
  const from = ref.kind === "column" ? ctx.opts.hooks?.[table]?.[ref.name]?.transform?.from : undefined;
  if (!from) return d;
  return d ? (v) => (v === null ? null : from(d(v))) : (v) => (v === null ? null : from(v));
}

function sqlDecoderOf(ctx: Ctx, table: string, ref: ColumnRef): Decoder | null {
  if (ref.kind === "column") return withTransform(ctx, table, ref, sqlDecoder(ref.type));
  return ref.kind === "id" ? null : magicDecoder(ref.name);
}

function jsonDecoderOf(ctx: Ctx, table: string, ref: ColumnRef): Decoder | null {
  if (ref.kind === "column") return withTransform(ctx, table, ref, jsonDecoder(ref.type));
  return ref.kind === "id" ? null : magicDecoder(ref.name);
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Value of `ref` as it should appear inside JSON (bytes as hex, json/arrays embedded). */
function jsonValueExpr(ctx: Ctx, table: string, alias: string, ref: ColumnRef): Frag {
  const e = columnExpr(ctx, table, alias, ref);
  if (ref.kind !== "column") return e;
  if (ref.type.kind === "bytes") return cat("CASE WHEN ", e, " IS NULL THEN NULL ELSE hex(", e, ") END");
  if (ref.type.kind === "json" || ref.type.kind === "array") return cat("json(", e, ")");
  return e;
}

/** Top-level projection: one result column per output key, with its decoder. */
export function projectColumns(ctx: Ctx, table: string, alias: string, q: QueryIR, includes: CompiledInclude[]) {
  const exprs: Frag[] = [];
  const keys: string[] = [];
  const decoders: (Decoder | null)[] = [];
  for (const ref of selectedColumns(ctx, table, q.select)) {
    exprs.push(columnExpr(ctx, table, alias, ref));
    keys.push(ref.name);
    decoders.push(sqlDecoderOf(ctx, table, ref));
  }
  for (const inc of includes) {
    exprs.push(inc.expr);
    keys.push(inc.key);
    const fix = inc.fixRow;
    decoders.push(
      inc.many
        ? (v) => (JSON.parse(v as string) as any[]).map(fix)
        : (v) => (v === null ? null : fix(JSON.parse(v as string))),
    );
  }
  return { exprs, keys, decoders };
}

/** Nested projection: a json_object(...) expression and the fixer for its parsed value. */
function projectJson(ctx: Ctx, table: string, alias: string, q: QueryIR, includes: CompiledInclude[]) {
  const args: { key: string; value: Frag }[] = [];
  const fixes: [string, Decoder][] = [];
  for (const ref of selectedColumns(ctx, table, q.select)) {
    args.push({ key: ref.name, value: jsonValueExpr(ctx, table, alias, ref) });
    const d = jsonDecoderOf(ctx, table, ref);
    if (d) fixes.push([ref.name, d]);
  }
  for (const inc of includes) {
    args.push({ key: inc.key, value: cat("json(", inc.expr, ")") });
    const fix = inc.fixRow;
    fixes.push([inc.key, inc.many ? (v) => (v as any[]).map(fix) : (v) => (v === null ? null : fix(v))]);
  }
  const fixRow = (o: any) => {
    for (let i = 0; i < fixes.length; i++) {
      const [k, d] = fixes[i];
      o[k] = d(o[k]);
    }
    return o;
  };
  return { frag: jsonObject(args), fixRow };
}

// SQLite caps function arguments (SQLITE_MAX_FUNCTION_ARG, 127 in older builds), so wide rows
// get their later keys appended with json_insert (which keeps nulls, unlike json_patch).
const PAIRS_PER_CALL = 60;
function jsonObject(pairs: { key: string; value: Frag }[]): Frag {
  const first = pairs.slice(0, PAIRS_PER_CALL).map((p) => cat(sqlString(p.key), ", ", p.value));
  let out = cat("json_object(", join(first, ", "), ")");
  for (let i = PAIRS_PER_CALL; i < pairs.length; i += PAIRS_PER_CALL) {
    const more = pairs.slice(i, i + PAIRS_PER_CALL).map((p) => cat(sqlString(`$."${p.key}"`), ", ", p.value));
    out = cat("json_insert(", out, ", ", join(more, ", "), ")");
  }
  return out;
}

export function orderClause(ctx: Ctx, table: string, alias: string, orderBy: QueryIR["orderBy"] | undefined): Frag {
  const parts: Frag[] = [];
  let hasId = false;
  for (const [col, dir] of orderBy ?? []) {
    if (dir !== "asc" && dir !== "desc")
      throw new QueryError(`orderBy direction must be "asc" or "desc", got ${JSON.stringify(dir)}.`);
    const ref = resolveColumn(ctx, table, col, "orderBy");
    if (ref.kind === "id") hasId = true;
    parts.push(cat(columnExpr(ctx, table, alias, ref), dir === "asc" ? " ASC" : " DESC"));
    if (hasId) break; // id is unique: later keys cannot matter
  }
  // Ties are broken by id ascending; with no orderBy that is the default (creation) order.
  if (!hasId) parts.push({ sql: `${alias}.id ASC`, params: [] });
  return cat(" ORDER BY ", join(parts, ", "));
}

function checkCount(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw new QueryError(`${what} must be a non-negative integer, got ${JSON.stringify(v)}.`);
  return v;
}

export function limitClause(limit: number | undefined, offset: number | undefined): Frag {
  if (limit === undefined && (offset === undefined || offset === 0)) return { sql: "", params: [] };
  const l = limit === undefined ? -1 : checkCount("limit", limit);
  const o = offset === undefined ? 0 : checkCount("offset", offset);
  return cat(" LIMIT ", param(l), " OFFSET ", param(o));
}

/** Filter for a plain table access: visible, readable, where, and requireIncludes. */
export function filterFor(ctx: Ctx, table: string, alias: string, q: QueryIR, includes: CompiledInclude[], withConditions = true): Frag[] {
  const parts: Frag[] = [ctx.rowFilter(table, alias)];
  if (withConditions) parts.push(...compileConditions(ctx, table, alias, q.conditions));
  if (q.requireIncludes) parts.push(...requiredIncludes(includes));
  return parts;
}

export function compileIncludes(ctx: Ctx, table: string, alias: string, includes: IncludeIR[] | undefined): CompiledInclude[] {
  return (includes ?? []).map((inc) => compileInclude(ctx, table, alias, inc));
}

function compileInclude(ctx: Ctx, table: string, alias: string, inc: IncludeIR): CompiledInclude {
  const rel = resolveRelation(ctx.schema, table, inc.relation);
  const q: QueryIR = inc.query ?? { table: rel.toTable, conditions: [], orderBy: [], includes: [] };
  if (q.table !== rel.toTable)
    throw new QueryError(
      `Include "${inc.relation}" on "${table}" leads to table "${rel.toTable}", but its sub-query is over "${q.table}".`,
    );
  if (q.hops?.length || q.gather)
    throw new QueryError(`hopTo()/gather() inside include "${inc.relation}" is not supported; query that table directly.`);
  const b = ctx.alias();
  const fk = quoteIdent(rel.fkColumn);
  let corr: string;
  if (rel.kind === "forward") corr = rel.arrayFk ? `${b}.id IN (SELECT value FROM json_each(${alias}.${fk}))` : `${b}.id = ${alias}.${fk}`;
  else corr = rel.arrayFk ? `${alias}.id IN (SELECT value FROM json_each(${b}.${fk}))` : `${b}.${fk} = ${alias}.id`;
  const subIncludes = compileIncludes(ctx, q.table, b, q.includes);
  const json = projectJson(ctx, q.table, b, q, subIncludes);
  const where = join([corr, ...filterFor(ctx, q.table, b, q, subIncludes)], " AND ");
  const from = ` FROM ${quoteIdent(q.table)} AS ${b} WHERE `;
  const expr = rel.many
    ? cat(
        "(SELECT COALESCE('[' || group_concat(j, ',') || ']', '[]') FROM (SELECT ",
        json.frag,
        " AS j",
        from,
        where,
        orderClause(ctx, q.table, b, q.orderBy),
        limitClause(q.limit, q.offset),
        "))",
      )
    : cat("(SELECT ", json.frag, from, where, " LIMIT 1)");
  // A null optional FK keeps its row (the include is null, as the types say: T | null); a set FK
  // whose row is missing, unreadable or filtered out by the include's where drops it.
  let required: Frag | null = null;
  if (!rel.many) {
    const fkOptional = ctx.table(table).columns[rel.fkColumn].optional;
    required = fkOptional ? cat(`(${alias}.${fk} IS NULL OR `, expr, " IS NOT NULL)") : cat(expr, " IS NOT NULL");
  }
  return { key: inc.relation, expr, many: rel.many, fixRow: json.fixRow, required };
}
