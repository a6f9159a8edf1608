// Policies → SQL predicates over the engine's table layout (engine/layout.ts). Compiled per
// session: session values become bound parameters (or fold to constants), so the server and
// every client run the very same SQL for the same bundle and session.
//
// NULL handling: predicates are only ever used as truth tests. In positive positions SQL's
// NULL behaves as false, exactly like our semantics; under `not` the operand is wrapped in
// ifnull(…, 0) so "not (NULL)" is true, as in the JS semantics (a missing value does not match).

import { JazzError } from "../errors/base.ts";
import type { SqlValue } from "../sql/driver.ts";
import type { ColumnType, RuntimeSchema } from "../schema/runtime.ts";
import { quoteIdent, visibleRowPredicate } from "../engine/layout.ts";
import {
  MAX_DEPTH_CAP,
  type CmpOp,
  type Literal,
  type Operand,
  type PermissionsBundle,
  type PolicyExpr,
  type PolicySession,
  type TablePolicies,
} from "./bundle.ts";

export interface SqlFragment {
  sql: string;
  params: SqlValue[];
}

/** The operations a policy can be asked about. */
export type PolicyOp = "read" | "insert" | "update" | "delete";

/** The query compiler's hook: a predicate to AND into every access of `table` aliased `alias`. */
export type PolicyHook = (table: string, op: "read" | "update" | "delete", alias: string) => SqlFragment | null;

export class PolicyCompileError extends JazzError {
  readonly code: string = "policy_compile";
  override name = "PolicyCompileError";
}

/** A column's type as far as comparisons care; `micros` = provenance timestamps (µs). */
type ColKind = ColumnType | { kind: "micros" } | { kind: "id" };

export function columnKind(schema: RuntimeSchema, table: string, col: string): ColKind {
  if (col === "id") return { kind: "id" };
  if (col === "$createdBy" || col === "$updatedBy") return { kind: "string" };
  if (col === "$createdAt" || col === "$updatedAt") return { kind: "micros" };
  const c = schema.tables[table]?.columns[col];
  if (!c) throw new PolicyCompileError(`Policy refers to unknown column ${table}.${col}; redeploy permissions built for this schema`);
  return c.type;
}

/** The expression deciding `op` on a table (update = the stored-row side of any grant). */
export function policyExpr(tp: TablePolicies | undefined, op: PolicyOp): PolicyExpr {
  const F: PolicyExpr = { t: "const", v: false };
  if (!tp) return F;
  const updateOld = (): PolicyExpr =>
    tp.update && tp.update.length ? { t: "or", of: tp.update.map((g) => g.old) } : F;
  switch (op) {
    case "read":
      return tp.read ?? F;
    case "insert":
      return tp.insert ?? F;
    case "update":
      return updateOld();
    case "delete":
      return tp.delete ?? updateOld();
  }
}

const NOMATCH = Symbol("nomatch");

/** Resolves a session path: user_id, authMode, claims.x.y; other names are looked up in claims. */
export function sessionValue(session: PolicySession, path: string[]): unknown {
  const [head, ...rest] = path;
  let v: unknown;
  if (head === "user_id" || head === "userId") v = session.user_id;
  else if (head === "authMode") v = session.authMode;
  else if (head === "claims") v = session.claims;
  else v = session.claims?.[head];
  for (const p of rest) {
    if (v === null || v === undefined || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** A bundle literal back to its app-level value. */
export function literalValue(l: Literal): unknown {
  if (Array.isArray(l)) return l.map(literalValue);
  if (l && typeof l === "object") {
    if ("$date" in l) return new Date(l.$date);
    if ("$bytes" in l) return Uint8Array.from(atob(l.$bytes), (c) => c.charCodeAt(0));
    if ("$json" in l) return l.$json;
  }
  return l;
}

/** An app-level value encoded as the column stores it (engine/layout.ts). */
export function encodeForColumn(kind: ColKind, v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  switch (kind.kind) {
    case "boolean":
      return v === true ? 1 : v === false ? 0 : (v as SqlValue);
    case "timestamp":
      return v instanceof Date ? v.getTime() : (v as SqlValue);
    case "micros":
      return v instanceof Date ? v.getTime() * 1000 : typeof v === "number" ? v * 1000 : (v as SqlValue);
    case "json":
      return JSON.stringify(v);
    case "array":
      return Array.isArray(v) ? JSON.stringify(v.map((x) => jsonElement(kind.element, x))) : (v as SqlValue);
    default:
      if (typeof v === "boolean") return v ? 1 : 0;
      if (v instanceof Date) return v.getTime();
      if (v instanceof Uint8Array || typeof v === "string" || typeof v === "number" || typeof v === "bigint") return v;
      return JSON.stringify(v);
  }
}

function jsonElement(kind: ColumnType, v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (kind.kind === "array" && Array.isArray(v)) return v.map((x) => jsonElement(kind.element, x));
  return v;
}

/** How an array element appears through json_each (booleans as 1/0). */
function encodeElement(kind: ColKind, v: unknown): SqlValue {
  const el = kind.kind === "array" ? kind.element : kind;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (el.kind === "json") return JSON.stringify(v);
  return encodeForColumn(el, v);
}

interface Ctx {
  params: SqlValue[];
  /** SQL alias of each scope, outermost first. */
  stack: { alias: string; table: string }[];
  /** How many more allowedTo references may be followed. */
  budget: number;
  base: string;
  n: { i: number };
}

const MIRROR: Partial<Record<CmpOp, CmpOp>> = { eq: "eq", ne: "ne", gt: "lt", lt: "gt", gte: "lte", lte: "gte" };
const SQL_OP: Record<string, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/**
 * The policies of one bundle compiled for one session. Predicates are cached per
 * (table, op, alias); the SQL text is stable so drivers' statement caches hit.
 */
export class CompiledPolicies {
  private readonly cache = new Map<string, SqlFragment>();

  constructor(
    readonly bundle: PermissionsBundle,
    readonly schema: RuntimeSchema,
    readonly session: PolicySession,
  ) {}

  /** A predicate over the row aliased `alias` of `table`, true when `op` is granted on it. */
  predicate(table: string, op: PolicyOp, alias: string): SqlFragment {
    const key = `${table}\u0000${op}\u0000${alias}`;
    let f = this.cache.get(key);
    if (!f) {
      f = this.expr(policyExpr(this.bundle.tables[table], op), table, alias);
      this.cache.set(key, f);
    }
    return f;
  }

  /** For update checks: a predicate over the stored row `oldAlias` and the new row `newAlias`. */
  updatePredicate(table: string, oldAlias: string, newAlias: string): SqlFragment {
    const grants = this.bundle.tables[table]?.update ?? [];
    if (grants.length === 0) return { sql: "0", params: [] };
    const params: SqlValue[] = [];
    const parts = grants.map((g) => {
      const o = this.expr(g.old, table, oldAlias);
      const n = this.expr(g.new, table, newAlias, "_n");
      params.push(...o.params, ...n.params);
      return `((${o.sql}) AND (${n.sql}))`;
    });
    return { sql: parts.join(" OR "), params };
  }

  /** Compiles an arbitrary expression with `table` aliased `alias` as its outermost row. */
  expr(e: PolicyExpr, table: string, alias: string, suffix = ""): SqlFragment {
    const ctx: Ctx = {
      params: [],
      stack: [{ alias, table }],
      budget: MAX_DEPTH_CAP,
      base: `${alias.replace(/"/g, "")}${suffix}`,
      n: { i: 0 },
    };
    const sql = this.compile(e, ctx);
    return { sql, params: ctx.params };
  }

  /** The hook the query compiler ANDs into every table access (carries its policies). */
  readonly hook: PolicyHook & { policies: CompiledPolicies } = Object.assign(
    (table: string, op: "read" | "update" | "delete", alias: string) => this.predicate(table, op, alias),
    { policies: this },
  );

  private fresh(ctx: Ctx): string {
    return quoteIdent(`${ctx.base}__p${++ctx.n.i}`);
  }

  private compile(e: PolicyExpr, ctx: Ctx): string {
    switch (e.t) {
      case "const":
        return e.v ? "1" : "0";
      case "and":
        return e.of.length ? e.of.map((x) => `(${this.compile(x, ctx)})`).join(" AND ") : "1";
      case "or":
        return e.of.length ? e.of.map((x) => `(${this.compile(x, ctx)})`).join(" OR ") : "0";
      case "not":
        return `NOT ifnull((${this.compile(e.of, ctx)}), 0)`;
      case "cmp":
        return this.cmp(e.l, e.op, e.r, ctx);
      case "exists": {
        const a = this.fresh(ctx);
        ctx.stack.push({ alias: a, table: e.table });
        const where = this.compile(e.where, ctx);
        ctx.stack.pop();
        return `EXISTS (SELECT 1 FROM ${quoteIdent(e.table)} AS ${a} WHERE ${visibleRowPredicate(a)} AND (${where}))`;
      }
      case "allowedTo": {
        const here = ctx.stack[ctx.stack.length - 1];
        const kind = columnKind(this.schema, here.table, e.col);
        if (kind.kind !== "ref") throw new PolicyCompileError(`allowedTo: ${here.table}.${e.col} is not a ref column`);
        return this.inherit(ctx, Math.min(ctx.budget, e.maxDepth), kind.table, e.op, (a) => `${a}."id" = ${here.alias}.${quoteIdent(e.col)}`);
      }
      case "allowedToReferencing": {
        const here = ctx.stack[ctx.stack.length - 1];
        // An array of refs (files.partIds) references every id it lists (stored as JSON text).
        const many = columnKind(this.schema, e.table, e.col).kind === "array";
        return this.inherit(ctx, Math.min(ctx.budget, e.maxDepth), e.table, e.op, (a) =>
          many
            ? `EXISTS (SELECT 1 FROM json_each(${a}.${quoteIdent(e.col)}) WHERE json_each.value = ${here.alias}."id")`
            : `${a}.${quoteIdent(e.col)} = ${here.alias}."id"`,
        );
      }
    }
  }

  private inherit(ctx: Ctx, budget: number, table: string, op: PolicyOp, link: (alias: string) => string): string {
    if (budget <= 0) return "0";
    const a = this.fresh(ctx);
    const inner: Ctx = { ...ctx, stack: [{ alias: a, table }], budget: budget - 1 };
    const body = this.compile(policyExpr(this.bundle.tables[table], op), inner);
    return `EXISTS (SELECT 1 FROM ${quoteIdent(table)} AS ${a} WHERE ${link(a)} AND ${visibleRowPredicate(a)} AND (${body}))`;
  }

  private colSql(o: { col: string; up: number }, ctx: Ctx): { sql: string; kind: ColKind } {
    const scope = ctx.stack[ctx.stack.length - 1 - o.up];
    if (!scope) throw new PolicyCompileError(`Policy column ${o.col} refers to a scope that does not exist (up ${o.up})`);
    return { sql: `${scope.alias}.${quoteIdent(o.col)}`, kind: columnKind(this.schema, scope.table, o.col) };
  }

  /** A non-column operand's value, or NOMATCH when a session path is missing. */
  private value(o: Operand): unknown {
    if ("lit" in o) return literalValue(o.lit);
    if ("session" in o) {
      const v = sessionValue(this.session, o.session);
      return v === undefined ? NOMATCH : v;
    }
    throw new PolicyCompileError("internal: column operand has no value");
  }

  private cmp(l: Operand, op: CmpOp, r: Operand, ctx: Ctx): string {
    if (!("col" in l) && !("col" in r)) {
      const lv = this.value(l);
      const rv = this.value(r);
      if ((rv === NOMATCH || rv === null) && !("lit" in r)) return op === "ne" && lv !== NOMATCH && lv !== null ? "1" : "0";
      return evalCmp(lv === NOMATCH ? null : lv, op, rv === NOMATCH ? null : rv) ? "1" : "0";
    }
    if (!("col" in l)) {
      // value OP column: mirror it so the column is on the left.
      if (op === "in") return this.cmp(r, "contains", l, ctx);
      if (op === "contains") return this.cmp(r, "in", l, ctx);
      const m = MIRROR[op];
      if (!m) throw new PolicyCompileError(`Operator ${op} needs a column on its left`);
      return this.cmp(r, m, l, ctx);
    }
    const L = this.colSql(l, ctx);
    if ("col" in r) {
      const R = this.colSql(r, ctx);
      switch (op) {
        case "eq":
          return `${L.sql} = ${R.sql}`;
        case "ne":
          return `${L.sql} IS NOT ${R.sql}`;
        case "gt":
        case "gte":
        case "lt":
        case "lte":
          return `${L.sql} ${SQL_OP[op]} ${R.sql}`;
        case "in":
          return `EXISTS (SELECT 1 FROM json_each(${R.sql}) WHERE value = ${L.sql})`;
        case "contains":
          return L.kind.kind === "array"
            ? `EXISTS (SELECT 1 FROM json_each(${L.sql}) WHERE value = ${R.sql})`
            : `instr(${L.sql}, ${R.sql}) > 0`;
        case "isNull":
          throw new PolicyCompileError("isNull takes true or false, not a column");
      }
    }
    let v = this.value(r);
    if (v === NOMATCH) v = null;
    if (v === null && !("lit" in r)) {
      // A null session value is not the literal null: it matches nothing, and differs from
      // every non-null value.
      return op === "ne" ? `${L.sql} IS NOT NULL` : op === "isNull" ? `${L.sql} IS NOT NULL` : "0";
    }
    const p = (x: SqlValue) => {
      ctx.params.push(x);
      return "?";
    };
    switch (op) {
      case "eq":
        return v === null ? `${L.sql} IS NULL` : `${L.sql} = ${p(encodeForColumn(L.kind, v))}`;
      case "ne":
        return v === null ? `${L.sql} IS NOT NULL` : `${L.sql} IS NOT ${p(encodeForColumn(L.kind, v))}`;
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        return v === null ? "0" : `${L.sql} ${SQL_OP[op]} ${p(encodeForColumn(L.kind, v))}`;
      case "isNull":
        return v ? `${L.sql} IS NULL` : `${L.sql} IS NOT NULL`;
      case "in": {
        if (!Array.isArray(v)) throw new PolicyCompileError(`"in" needs an array; got ${JSON.stringify(v)}`);
        const items = v.filter((x) => x !== null && x !== undefined);
        if (items.length === 0) return "0";
        return `${L.sql} IN (${items.map((x) => p(encodeForColumn(L.kind, x))).join(", ")})`;
      }
      case "contains":
        if (v === null) return "0";
        if (L.kind.kind === "array") return `EXISTS (SELECT 1 FROM json_each(${L.sql}) WHERE value = ${p(encodeElement(L.kind, v))})`;
        return `instr(${L.sql}, ${p(encodeForColumn(L.kind, v))}) > 0`;
    }
  }
}

/** Compare two app-level values with policy semantics (used when no column is involved). */
export function evalCmp(l: unknown, op: CmpOp, r: unknown): boolean {
  const norm = (x: unknown) => (x instanceof Date ? x.getTime() : x);
  const a = norm(l);
  const b = norm(r);
  switch (op) {
    case "eq":
      return b === null ? a === null || a === undefined : a !== null && a !== undefined && equal(a, b);
    case "ne":
      return b === null ? a !== null && a !== undefined : !(a !== null && a !== undefined && equal(a, b));
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (a === null || a === undefined || b === null || b === undefined) return false;
      const x = a as number | string;
      const y = b as number | string;
      if (typeof x !== typeof y) return false;
      return op === "gt" ? x > y : op === "gte" ? x >= y : op === "lt" ? x < y : x <= y;
    }
    case "isNull":
      return (a === null || a === undefined) === Boolean(b);
    case "in":
      return a !== null && a !== undefined && Array.isArray(b) && b.some((x) => x !== null && equal(a, norm(x)));
    case "contains":
      if (a === null || a === undefined || b === null || b === undefined) return false;
      if (Array.isArray(a)) return a.some((x) => equal(norm(x), b));
      return typeof a === "string" && typeof b === "string" && a.includes(b);
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Compiles a bundle for a session; returns the query compiler's hook and write checks. */
export function compilePolicies(bundle: PermissionsBundle, schema: RuntimeSchema, session: PolicySession): CompiledPolicies {
  return new CompiledPolicies(bundle, schema, session);
}
