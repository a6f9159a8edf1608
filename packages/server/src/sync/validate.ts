// Schema validation of a pushed batch against the server's active schema. Values arrive
// storage-encoded (engine/layout.ts), so the check is on storage classes, enum variants and
// required columns — the server never trusts a client's own validation.

import type { Batch, ColumnSchema, RuntimeSchema, SqlValue } from "@jazz-tools/core";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateBatch(batch: Batch, schema: RuntimeSchema): { code: string; reason: string } | null {
  if (batch.writes.length === 0) return { code: "invalid_batch", reason: "batch has no writes" };
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
    case "ref":
    case "json":
    case "array":
      return typeof v === "string" ? null : `expected TEXT, got ${describe(v)}`;
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

function describe(v: SqlValue): string {
  if (v instanceof Uint8Array) return "bytes";
  return typeof v === "string" ? `string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v)}`;
}
