// A brute-force evaluator of permission bundles over plain JS rows, written independently of
// the SQL compiler so tests can compare the two. Rows hold app-level values (Date, boolean,
// arrays); provenance columns are strings/numbers.
//
// Semantics (the contract both must meet):
//   eq   against a literal null: "is null"; otherwise both sides non-null and equal
//   ne   null-safe inequality (null ≠ value; null = null)
//   gt…  both non-null and ordered; in: left non-null and equal to a non-null element
//   contains: substring (text) or element membership (array); both non-null
//   a missing session value behaves as null (never literal null)
//   exists / allowedTo only see visible rows; allowedTo follows at most maxDepth references

import type { CmpOp, Literal, Operand, PermissionsBundle, PolicyExpr, PolicySession } from "../bundle.ts";
import { MAX_DEPTH_CAP } from "../bundle.ts";

export type JsRow = Record<string, unknown> & { id: string; $deleted?: boolean };
export type JsDb = Record<string, JsRow[]>;

type Value = { v: unknown; literal: boolean };

function lit(l: Literal): unknown {
  if (Array.isArray(l)) return l.map(lit);
  if (l && typeof l === "object") {
    if ("$date" in l) return l.$date;
    if ("$json" in l) return JSON.stringify(l.$json);
    if ("$bytes" in l) return l.$bytes;
  }
  return l;
}

function norm(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

function session(s: PolicySession, path: string[]): unknown {
  let v: unknown =
    path[0] === "user_id" ? s.user_id : path[0] === "authMode" ? s.authMode : path[0] === "claims" ? s.claims : s.claims?.[path[0]];
  for (const p of path.slice(1)) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

export class ReferenceEvaluator {
  constructor(
    readonly bundle: PermissionsBundle,
    readonly db: JsDb,
    readonly s: PolicySession,
  ) {}

  visible(table: string): JsRow[] {
    return (this.db[table] ?? []).filter((r) => !r.$deleted);
  }

  policy(table: string, op: "read" | "insert" | "update" | "delete"): PolicyExpr {
    const tp = this.bundle.tables[table];
    const F: PolicyExpr = { t: "const", v: false };
    if (!tp) return F;
    const upd: PolicyExpr = tp.update?.length ? { t: "or", of: tp.update.map((g) => g.old) } : F;
    if (op === "read") return tp.read ?? F;
    if (op === "insert") return tp.insert ?? F;
    if (op === "update") return upd;
    return tp.delete ?? upd;
  }

  allows(table: string, op: "read" | "insert" | "update" | "delete", row: JsRow): boolean {
    return this.eval(this.policy(table, op), [{ table, row }], MAX_DEPTH_CAP);
  }

  allowsUpdate(table: string, oldRow: JsRow, newRow: JsRow): boolean {
    return (this.bundle.tables[table]?.update ?? []).some(
      (g) => this.eval(g.old, [{ table, row: oldRow }], MAX_DEPTH_CAP) && this.eval(g.new, [{ table, row: newRow }], MAX_DEPTH_CAP),
    );
  }

  eval(e: PolicyExpr, stack: { table: string; row: JsRow }[], budget: number): boolean {
    switch (e.t) {
      case "const":
        return e.v;
      case "and":
        return e.of.every((x) => this.eval(x, stack, budget));
      case "or":
        return e.of.some((x) => this.eval(x, stack, budget));
      case "not":
        return !this.eval(e.of, stack, budget);
      case "exists":
        return this.visible(e.table).some((r) => this.eval(e.where, [...stack, { table: e.table, row: r }], budget));
      case "cmp":
        return this.cmp(this.operand(e.l, stack), e.op, this.operand(e.r, stack));
      case "allowedTo": {
        const b = Math.min(budget, e.maxDepth);
        if (b <= 0) return false;
        const here = stack[stack.length - 1];
        const fk = here.row[e.col];
        const parentTable = this.parentTable(here.table, e.col);
        const parent = this.visible(parentTable).find((r) => r.id === fk);
        return !!parent && this.eval(this.policy(parentTable, e.op), [{ table: parentTable, row: parent }], b - 1);
      }
      case "allowedToReferencing": {
        const b = Math.min(budget, e.maxDepth);
        if (b <= 0) return false;
        const here = stack[stack.length - 1];
        return this.visible(e.table).some(
          (r) => r[e.col] === here.row.id && this.eval(this.policy(e.table, e.op), [{ table: e.table, row: r }], b - 1),
        );
      }
    }
  }

  parentTable(table: string, col: string): string {
    const t = this.refs[table]?.[col];
    if (!t) throw new Error(`reference evaluator: ${table}.${col} is not a known ref`);
    return t;
  }

  /** table → ref column → target table; set by the test (the evaluator is schema-agnostic). */
  refs: Record<string, Record<string, string>> = {};

  private operand(o: Operand, stack: { table: string; row: JsRow }[]): Value {
    if ("col" in o) return { v: norm(stack[stack.length - 1 - o.up].row[o.col]), literal: false };
    if ("session" in o) return { v: norm(session(this.s, o.session)), literal: false };
    const v = lit(o.lit);
    return { v: Array.isArray(v) ? v.map(norm) : norm(v), literal: true };
  }

  private cmp(l: Value, op: CmpOp, r: Value): boolean {
    // Keep the non-literal side on the left (the compiler does the same).
    if (l.literal && !r.literal) {
      if (op === "in") return this.cmp(r, "contains", l);
      if (op === "contains") return this.cmp(r, "in", l);
      const mirror: Partial<Record<CmpOp, CmpOp>> = { gt: "lt", lt: "gt", gte: "lte", lte: "gte" };
      return this.cmp(r, mirror[op] ?? op, l);
    }
    const a = l.v;
    const b = r.v;
    const eq = (x: unknown, y: unknown) => x === y || (Array.isArray(x) && JSON.stringify(x) === JSON.stringify(y));
    switch (op) {
      case "eq":
        if (b === null && r.literal) return a === null;
        return a !== null && b !== null && eq(a, b);
      case "ne":
        if (a === null || b === null) return a !== b;
        return !eq(a, b);
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        if (a === null || b === null || typeof a !== typeof b) return false;
        const x = a as number;
        const y = b as number;
        return op === "gt" ? x > y : op === "gte" ? x >= y : op === "lt" ? x < y : x <= y;
      }
      case "isNull":
        return (a === null) === Boolean(b);
      case "in":
        return a !== null && Array.isArray(b) && b.some((x) => x !== null && eq(a, x));
      case "contains":
        if (a === null || b === null) return false;
        if (Array.isArray(a)) return a.some((x) => eq(norm(x), b));
        return typeof a === "string" && typeof b === "string" && a.includes(b);
    }
  }
}
