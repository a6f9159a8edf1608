// Schema validation of a pushed batch against the server's active schema. Values arrive
// storage-encoded (engine/layout.ts), so the check is on storage classes, enum variants and
// required columns — the server never trusts a client's own validation.

import type { Batch, ColumnSchema, RuntimeSchema, SqlValue } from "@jazz-tools/core";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface BatchLimits {
  maxBatchWrites: number;
  maxValueBytes: number;
}
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBatchWrites: 10_000, maxValueBytes: 2 * 1024 * 1024 };
/** Nesting a json (or array) value may have: deeper values are refused, not walked. */
export const MAX_JSON_DEPTH = 64;

export function validateBatch(batch: Batch, schema: RuntimeSchema, limits: BatchLimits = DEFAULT_BATCH_LIMITS): { code: string; reason: string } | null {
  if (batch.writes.length === 0) return { code: "invalid_batch", reason: "batch has no writes" };
  if (batch.writes.length > limits.maxBatchWrites) {
    return { code: "batch_too_large", reason: `the batch has ${batch.writes.length} writes; at most ${limits.maxBatchWrites} are allowed (split it)` };
  }
  for (const w of batch.writes) {
    // Own properties only: a name like "constructor" or "__proto__" must not reach Object.prototype.
    const table = typeof w.table === "string" && Object.hasOwn(schema.tables, w.table) ? schema.tables[w.table] : undefined;
    if (!table) {
      return { code: "unknown_table", reason: `table ${w.table} is not in the server schema (publish the schema first)` };
    }
    if (!UUID_RE.test(w.id)) return { code: "invalid_id", reason: `row id ${JSON.stringify(w.id)} on ${w.table} is not a UUID` };
    if (w.op === "delete") continue;
    const values = w.values ?? {};
    for (const [col, v] of Object.entries(values)) {
      const def = Object.hasOwn(table.columns, col) ? table.columns[col] : undefined;
      if (!def) return { code: "unknown_column", reason: `column ${w.table}.${col} is not in the server schema` };
      const size = byteSize(v, limits.maxValueBytes);
      if (size > limits.maxValueBytes) {
        return { code: "value_too_large", reason: `${w.table}.${col} is ${size} bytes; at most ${limits.maxValueBytes} are allowed (store large data as a file)` };
      }
      const problem = checkValue(def, v);
      if (problem) return { code: "invalid_value", reason: `${w.table}.${col}: ${problem}` };
    }
    if (w.op === "insert") {
      for (const [col, def] of Object.entries(table.columns)) {
        if (!Object.hasOwn(values, col) && !def.optional && def.default === undefined && def.merge !== "counter") {
          return { code: "missing_column", reason: `insert into ${w.table} has no value for required column ${col}` };
        }
      }
    }
  }
  return null;
}

function checkValue(def: ColumnSchema, v: SqlValue): string | null {
  if (v === null) return def.optional ? null : "null in a required column";
  const t = def.type;
  switch (t.kind) {
    case "string":
      return typeof v === "string" ? null : `expected TEXT, got ${describe(v)}`;
    case "ref":
      if (typeof v !== "string") return `expected a row id, got ${describe(v)}`;
      return UUID_RE.test(v) ? null : `expected a row id (a UUID), got ${describe(v)}`;
    case "json":
    case "array":
      if (typeof v !== "string") return `expected JSON text, got ${describe(v)}`;
      return checkJsonText(v, t.kind === "array");
    case "enum":
      if (typeof v !== "string") return `expected an enum string, got ${describe(v)}`;
      return t.variants.includes(v) ? null : `${JSON.stringify(v)} is not one of ${t.variants.join(", ")}`;
    case "boolean":
      return v === 0 || v === 1 ? null : `expected 0 or 1, got ${describe(v)}`;
    case "int":
    case "timestamp":
      return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint" ? null : `expected an integer, got ${describe(v)}`;
    case "float":
      return typeof v === "number" ? null : `expected a number, got ${describe(v)}`;
    case "bytes":
      return v instanceof Uint8Array ? null : `expected bytes, got ${describe(v)}`;
  }
  return null;
}

/** UTF-8 bytes of TEXT (counted only when it could exceed `max`: at most 3 bytes per unit), or BLOB bytes. */
function byteSize(v: SqlValue, max: number): number {
  if (typeof v === "string") return v.length * 3 <= max ? v.length : Buffer.byteLength(v, "utf8");
  return v instanceof Uint8Array ? v.byteLength : 0;
}

/** JSON text (an array for array columns) no deeper than MAX_JSON_DEPTH, checked without recursion. */
function checkJsonText(text: string, mustBeArray: boolean): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  if (mustBeArray && !Array.isArray(value)) return "expected a JSON array";
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}

function describe(v: SqlValue): string {
  if (v instanceof Uint8Array) return "bytes";
  return typeof v === "string" ? `string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v)}`;
}
