// Where conditions → SQL predicates, with the reference's semantics (jazz-reference §1.3, §2.4):
// eq/ne null → IS [NOT] NULL; ne is null-safe (null ≠ value); contains is a case-sensitive
// substring on text (instr, not LIKE) and element membership on arrays; timestamps compare as
// ms (provenance as µs); booleans as 0/1; bytes as BLOB; json eq by JSON text.

import type { SqlValue } from "../../sql/driver.ts";
import type { ColumnType } from "../../schema/runtime.ts";
import type { Condition, Op } from "../ir.ts";
import { canonicalJson } from "../../engine/decode.ts";
import { jsonEquals } from "./json-eq.ts";
import { QueryError } from "../errors.ts";
import { base64ToBytes } from "../../schema/values.ts";
import type { Ctx } from "./context.ts";
import { type ColumnRef, columnExpr, describeType, resolveColumn } from "./columns.ts";
import { cat, join, param, type Frag } from "./frag.ts";

const IN_LIST_INLINE_MAX = 16;
const CMP: Op[] = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "isNull"];

function allowedOps(ref: ColumnRef): Op[] {
  switch (ref.kind) {
    case "id":
      return ["eq", "ne", "in"];
    case "provenance":
      return CMP;
    case "permission":
      return ["eq", "ne"];
    case "column":
      switch (ref.type.kind) {
        case "string":
          return ["eq", "ne", "contains", "in", "isNull"];
        case "boolean":
          return ["eq", "ne", "isNull"];
        case "int":
        case "float":
        case "timestamp":
          return CMP;
        case "bytes":
          return ["eq", "ne", "isNull"];
        case "json":
        case "enum":
        case "ref":
          return ["eq", "ne", "in", "isNull"];
        case "array":
          return ["eq", "ne", "contains", "isNull"];
      }
  }
}

function show(v: unknown): string {
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (v instanceof Uint8Array) return "Uint8Array";
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + "…" : s;
  } catch {
    return String(v);
  }
}


/** Wire/app bytes value → Uint8Array, or undefined when it is not bytes. */
function asBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v && typeof v === "object" && typeof (v as { $bytes?: unknown }).$bytes === "string")
    return base64ToBytes((v as { $bytes: string }).$bytes);
  return undefined;
}

function asMs(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}

type Fail = (expected: string) => never;

/** An array element's stored JSON form (timestamps ms, bytes number[]); see engine/encoding.ts. */
function elementJsonForm(t: ColumnType, v: unknown, fail: Fail): unknown {
  switch (t.kind) {
    case "string":
    case "ref":
      if (typeof v !== "string") fail("a string");
      return v;
    case "enum":
      if (typeof v !== "string" || !t.variants.includes(v)) fail(`one of ${t.variants.map((x) => JSON.stringify(x)).join(", ")}`);
      return v;
    case "boolean":
      if (typeof v !== "boolean") fail("a boolean");
      return v;
    case "int":
    case "float":
      if (typeof v !== "number" || !Number.isFinite(v)) fail("a number");
      return v;
    case "timestamp": {
      const ms = asMs(v);
      if (ms === undefined) fail("a Date or a ms number");
      return Math.trunc(ms);
    }
    case "bytes": {
      const b = asBytes(v);
      if (!b) fail("a Uint8Array");
      return Array.from(b);
    }
    case "json":
      return v;
    case "array":
      if (!Array.isArray(v)) fail("an array");
      return v.map((e) => elementJsonForm(t.element, e, fail));
  }
}

/** A non-null comparison value → its SQL parameter (storage form). */
function toParam(ref: ColumnRef, v: unknown, fail: Fail): SqlValue {
  switch (ref.kind) {
    case "id":
      if (typeof v !== "string") fail("a string id");
      return v;
    case "permission":
      if (typeof v !== "boolean") fail("a boolean");
      return v ? 1 : 0;
    case "provenance": {
      if (!ref.timestamp) {
        if (typeof v !== "string") fail("a string");
        return v;
      }
      const ms = asMs(v);
      if (ms === undefined) fail("a Date or a ms number");
      return Math.round(ms * 1000);
    }
    case "column": {
      const t = ref.type;
      switch (t.kind) {
        case "boolean":
          if (typeof v !== "boolean") fail("a boolean");
          return v ? 1 : 0;
        case "int":
          if (typeof v !== "number" || !Number.isFinite(v)) fail("a number");
          return v;
        case "bytes": {
          const b = asBytes(v);
          if (!b) fail("a Uint8Array");
          return b;
        }
        case "json":
          return canonicalJson(v);
        case "array":
          return JSON.stringify(elementJsonForm(t, v, fail));
        default:
          return elementJsonForm(t, v, fail) as SqlValue;
      }
    }
  }
}

/** Marker a gather step's where uses for "the current node's id" (see gather.ts). */
export function isCurrentMarker(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as { $current?: unknown }).$current === true;
}

export function compileCondition(ctx: Ctx, table: string, alias: string, c: Condition): Frag {
  const ref = resolveColumn(ctx, table, c.column, "where");
  const ops = allowedOps(ref);
  if (!ops.includes(c.op))
    throw new QueryError(
      `Operator "${c.op}" is not allowed on ${table}.${c.column} (${describeType(ref)}). Allowed: ${ops.join(", ")}.`,
    );
  const fail: Fail = (expected) => {
    throw new QueryError(
      `Bad value for ${table}.${c.column} ${c.op}: expected ${expected}, got ${show(c.value)}.`,
    );
  };
  const col = columnExpr(ctx, table, alias, ref);
  const v = c.value;
  const isJson = ref.kind === "column" && ref.type.kind === "json";

  if (ref.kind === "permission") {
    if (typeof v !== "boolean") fail("a boolean");
    const want = c.op === "eq" ? v : !v;
    return want ? cat("(", col, " = 1)") : cat("(", col, " = 0)");
  }
  switch (c.op) {
    case "isNull":
      if (typeof v !== "boolean") fail("true or false");
      return cat(col, v ? " IS NULL" : " IS NOT NULL");
    case "eq":
      if (v === null || v === undefined) return cat(col, " IS NULL");
      if (isJson) return jsonEquals(col, v);
      return cat(col, " = ", param(toParam(ref, v, fail)));
    case "ne":
      if (v === null || v === undefined) return cat(col, " IS NOT NULL");
      if (isJson) return cat("(", col, " IS NULL OR NOT ", jsonEquals(col, v), ")");
      return cat(col, " IS NOT ", param(toParam(ref, v, fail)));
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (v === null || v === undefined) fail("a non-null value");
      const sym = { gt: " > ", gte: " >= ", lt: " < ", lte: " <= " }[c.op];
      return cat(col, sym, param(toParam(ref, v, fail)));
    }
    case "in": {
      if (!Array.isArray(v)) fail("an array of values");
      const values = v.filter((x) => x !== null && x !== undefined);
      const withNull = values.length !== v.length;
      const parts: Frag[] = [];
      if (isJson) {
        for (const x of values) parts.push(jsonEquals(col, x));
        if (withNull) parts.push(cat(col, " IS NULL"));
        return parts.length ? cat("(", join(parts, " OR "), ")") : { sql: "0", params: [] };
      }
      const params = values.map((x) => toParam(ref, x, fail));
      // Long lists go in as one JSON array: one statement shape whatever the length, and no
      // SQLITE_MAX_VARIABLE_NUMBER limit. Bytes cannot travel in JSON, so they stay inline.
      if (params.length > IN_LIST_INLINE_MAX && params.every((p) => typeof p === "string" || typeof p === "number"))
        parts.push(cat(col, " IN (SELECT value FROM json_each(", param(JSON.stringify(params)), "))"));
      else if (params.length) parts.push(cat(col, " IN (", join(params.map(param), ", "), ")"));
      if (withNull) parts.push(cat(col, " IS NULL"));
      return parts.length ? cat("(", join(parts, " OR "), ")") : { sql: "0", params: [] };
    }
    case "contains": {
      const t = (ref as { type: ColumnType }).type;
      if (t.kind === "string") {
        if (typeof v !== "string") fail("a string");
        // instr is case-sensitive (LIKE is not) and has no wildcard characters to escape.
        return cat("instr(", col, ", ", param(v), ") > 0");
      }
      if (t.kind !== "array") fail("a column of type string or array");
      if (v === null || v === undefined) fail("a non-null element");
      return cat("EXISTS (SELECT 1 FROM json_each(", col, ") WHERE value = ", param(elementParam(t.element, v, fail)), ")");
    }
  }
  throw new QueryError(`Unknown operator "${String(c.op)}" on ${table}.${c.column}.`);
}

/** json_each() yields JSON true/false as 1/0, numbers and strings as such, the rest as JSON text. */
function elementParam(t: ColumnType, v: unknown, fail: Fail): SqlValue {
  const j = elementJsonForm(t, v, fail);
  if (typeof j === "boolean") return j ? 1 : 0;
  if (typeof j === "string" || typeof j === "number") return j;
  return JSON.stringify(j);
}

export function compileConditions(ctx: Ctx, table: string, alias: string, conds: Condition[] | undefined): Frag[] {
  return (conds ?? []).map((c) => compileCondition(ctx, table, alias, c));
}
