// App values ⇄ storage values (the SQLite layout in layout.ts). Encoding validates: every bad
// value throws a named error before anything is written.
//   string/enum/ref TEXT · boolean INTEGER 0|1 · int INTEGER (i32) · float REAL (finite)
//   timestamp INTEGER ms (≥ 0) · bytes BLOB · json TEXT · array TEXT (JSON array whose
//   elements use the JSON form below)
// Array elements (JSON form): string/enum/ref string, boolean true|false, int/float number,
// timestamp ms number, bytes number[], json as is, array nested.

import type { SqlValue } from "../sql/driver.ts";
import type { ColumnSchema, ColumnType, TableSchema } from "../schema/runtime.ts";
import { InvalidValueError, MissingColumnError, UnknownColumnError } from "./errors.ts";
import { isUuid } from "./clock.ts";

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Date) return `Date(${String(v.getTime())})`;
  if (v instanceof Uint8Array) return "Uint8Array";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "object") return "object";
  return `${typeof v} ${String(v)}`;
}

// Where a value sits, for error messages; passed down instead of closures (the insert path is hot).
interface At {
  table: string;
  column: string;
  prefix: string;
}
function bad(at: At, problem: string): never {
  throw new InvalidValueError(at.table, at.column, at.prefix + problem);
}

/** Validate one non-null app value against a type; returns its JSON form (used by arrays). */
function toJsonForm(t: ColumnType, v: unknown, at: At): unknown {
  switch (t.kind) {
    case "string":
      if (typeof v !== "string") bad(at, `expected a string, got ${describe(v)}`);
      return v;
    case "ref":
      if (typeof v !== "string") bad(at, `expected a row id (a UUID string), got ${describe(v)}`);
      if (!isUuid(v)) bad(at, `expected a row id (a UUID such as 0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d), got ${describe(v)}`);
      return v;
    case "enum":
      if (typeof v !== "string" || !t.variants.includes(v))
        bad(at, `expected one of ${t.variants.map((x) => JSON.stringify(x)).join(", ")}, got ${describe(v)}`);
      return v;
    case "boolean":
      if (typeof v !== "boolean") bad(at, `expected a boolean, got ${describe(v)}`);
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) bad(at, `expected an integer, got ${describe(v)}`);
      if (v < I32_MIN || v > I32_MAX) bad(at, `int columns are 32-bit: ${v} is outside ${I32_MIN}..${I32_MAX}; use s.float() for larger numbers`);
      return v;
    case "float":
      if (typeof v !== "number") bad(at, `expected a number, got ${describe(v)}`);
      if (!Number.isFinite(v)) bad(at, `expected a finite number, got ${String(v)}`);
      return v;
    case "timestamp": {
      const ms = v instanceof Date ? v.getTime() : v;
      if (typeof ms !== "number" || !Number.isFinite(ms)) bad(at, `expected a Date or a ms number, got ${describe(v)}`);
      if (ms < 0) bad(at, `timestamps must not be before 1970 (got ${ms} ms)`);
      return Math.trunc(ms);
    }
    case "bytes":
      if (!(v instanceof Uint8Array)) bad(at, `expected a Uint8Array, got ${describe(v)}`);
      return Array.from(v);
    case "json":
      if (v === undefined || typeof v === "function" || typeof v === "symbol" || typeof v === "bigint")
        bad(at, `expected a JSON value, got ${typeof v}`);
      return v;
    case "array": {
      if (!Array.isArray(v)) bad(at, `expected an array, got ${describe(v)}`);
      return v.map((e, i) => {
        if (e === null || e === undefined) bad(at, `array element ${i} is ${String(e)}`);
        return toJsonForm(t.element, e, { ...at, prefix: `${at.prefix}array element ${i}: ` });
      });
    }
  }
}

/** Encode one app value for storage. null/undefined → null only when the column is optional. */
export function encodeColumn(table: string, column: string, col: ColumnSchema, v: unknown): SqlValue {
  if (v === null || v === undefined) {
    if (col.optional) return null;
    throw new InvalidValueError(table, column, `the column is required; got ${String(v)} (declare it .optional() to allow null)`);
  }
  const t = col.type;
  // Hot path: common scalar kinds checked inline, without building an error context.
  if (t.kind === "string" && typeof v === "string") return v;
  if (t.kind === "boolean" && typeof v === "boolean") return v ? 1 : 0;
  // Bytes are stored as they are: never walk them into a JSON number array (file parts are MiBs).
  if (t.kind === "bytes") {
    if (!(v instanceof Uint8Array)) bad({ table, column, prefix: "" }, `expected a Uint8Array, got ${describe(v)}`);
    return v;
  }
  const j = toJsonForm(t, v, { table, column, prefix: "" });
  switch (t.kind) {
    case "boolean":
      return j ? 1 : 0;
    case "json": {
      const s = JSON.stringify(j);
      if (s === undefined) throw new InvalidValueError(table, column, "the value is not JSON-serialisable");
      return s;
    }
    case "array":
      return JSON.stringify(j);
    default:
      return j as SqlValue;
  }
}

function jsonFormToApp(t: ColumnType, j: unknown): unknown {
  switch (t.kind) {
    case "timestamp":
      return new Date(j as number);
    case "bytes":
      return new Uint8Array(j as number[]);
    case "array":
      return (j as unknown[]).map((e) => jsonFormToApp(t.element, e));
    default:
      return j;
  }
}

/** Storage value → app value (Date, Uint8Array, parsed JSON, boolean). */
export function decodeColumn(col: ColumnSchema, v: SqlValue): unknown {
  if (v === null) return null;
  const t = col.type;
  switch (t.kind) {
    case "boolean":
      return v === 1 || v === 1n;
    case "timestamp":
      return new Date(Number(v));
    case "int":
    case "float":
      return Number(v);
    case "json":
      return JSON.parse(v as string);
    case "array":
      return jsonFormToApp(t, JSON.parse(v as string));
    default:
      return v;
  }
}

/** JSON-encodable schema default → app value. */
export function defaultToApp(col: ColumnSchema): unknown {
  const d = col.default;
  if (d === undefined) return undefined;
  return d === null ? null : jsonFormToApp(col.type, d);
}

/**
 * Per-column functions (structurally the schema's ColumnHook): `.transform({ from, to })` and a
 * Standard Schema validator for JSON columns.
 */
export interface ColumnHook {
  transform?: { from: (stored: any) => unknown; to: (app: any) => unknown };
  validator?: {
    "~standard": {
      validate(value: unknown):
        | { value?: unknown; issues?: ReadonlyArray<{ message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
        | Promise<unknown>;
    };
  };
}
export type TableHooks = Record<string, ColumnHook | undefined>;
export type AppHooks = Record<string, TableHooks>;

/** App value → stored value: `.transform({ to })`, then the column's validator (e.g. zod). */
function prepare(table: string, column: string, hook: ColumnHook | undefined, v: unknown): unknown {
  if (!hook || v === null || v === undefined) return v;
  const out: unknown = hook.transform ? hook.transform.to(v) : v;
  if (hook.validator) {
    const result = hook.validator["~standard"].validate(out);
    if (result instanceof Promise)
      throw new InvalidValueError(table, column, "the column's validator is asynchronous; writes are synchronous, use a synchronous schema");
    if (result.issues) {
      const msg = result.issues.map((i) => (i.path?.length ? `${i.path.map((p) => (typeof p === "object" ? String(p.key) : String(p))).join(".")}: ` : "") + i.message).join("; ");
      throw new InvalidValueError(table, column, `rejected by the column's validator: ${msg}`);
    }
  }
  return out;
}

/** Validate and encode a full insert (defaults applied). Returns storage values, in column order. */
export function encodeInsert(
  table: string,
  schema: TableSchema,
  data: Record<string, unknown>,
  hooks?: TableHooks,
): Record<string, SqlValue> {
  if (data === null || typeof data !== "object") throw new InvalidValueError(table, "*", `insert data must be an object, got ${describe(data)}`);
  for (const k in data) {
    if (k === "id") continue;
    if (!(k in schema.columns)) throw new UnknownColumnError(table, k, Object.keys(schema.columns));
  }
  const out: Record<string, SqlValue> = {};
  for (const name in schema.columns) {
    const col = schema.columns[name];
    let v = data[name];
    if (v === undefined) {
      if (col.default !== undefined) {
        out[name] = encodeColumn(table, name, col, defaultToApp(col));
        continue;
      }
      if (!col.optional) throw new MissingColumnError(table, name);
      out[name] = null;
      continue;
    }
    v = prepare(table, name, hooks?.[name], v);
    out[name] = encodeColumn(table, name, col, v);
  }
  return out;
}

/** Validate and encode a partial update (only the given keys; undefined keys are skipped). */
export function encodeUpdate(
  table: string,
  schema: TableSchema,
  data: Record<string, unknown>,
  hooks?: TableHooks,
): Record<string, SqlValue> {
  if (data === null || typeof data !== "object") throw new InvalidValueError(table, "*", `update data must be an object, got ${describe(data)}`);
  const out: Record<string, SqlValue> = {};
  for (const k in data) {
    if (k === "id") continue;
    const col = schema.columns[k];
    if (!col) throw new UnknownColumnError(table, k, Object.keys(schema.columns));
    const v = data[k];
    if (v === undefined) continue;
    out[k] = encodeColumn(table, k, col, prepare(table, k, hooks?.[k], v));
  }
  return out;
}

/** The app-side row for storage values (what insert returns): transforms' `from` applied. */
export function decodeRow(
  schema: TableSchema,
  id: string,
  values: Record<string, SqlValue>,
  hooks?: TableHooks,
): Record<string, unknown> {
  const row: Record<string, unknown> = { id };
  for (const name in schema.columns) {
    const v = name in values ? decodeColumn(schema.columns[name], values[name]) : null;
    const from = hooks?.[name]?.transform?.from;
    row[name] = from && v !== null ? from(v) : v;
  }
  return row;
}

const NO = Symbol("slow path");
/** Inline checks for the common scalar kinds; NO sends the value down the full path. */
function fastEncoder(col: ColumnSchema): ((v: unknown) => SqlValue | typeof NO) | null {
  switch (col.type.kind) {
    case "string":
      return (v) => (typeof v === "string" ? v : NO);
    case "boolean":
      return (v) => (v === true ? 1 : v === false ? 0 : NO);
    case "int":
      return (v) => (typeof v === "number" && Number.isInteger(v) && v >= I32_MIN && v <= I32_MAX ? v : NO);
    case "float":
      return (v) => (typeof v === "number" && Number.isFinite(v) ? v : NO);
    default:
      return null;
  }
}

/**
 * Per-table encoder/decoder built once (the insert path runs it for every row): same checks and
 * errors as encodeInsert/decodeRow, without per-row schema walking.
 */
export interface TableCodec {
  encodeInsert(data: Record<string, unknown>): Record<string, SqlValue>;
  decodeRow(id: string, values: Record<string, SqlValue>): Record<string, unknown>;
}

export function tableCodec(table: string, schema: TableSchema, hooks?: TableHooks): TableCodec {
  const names = Object.keys(schema.columns);
  const known = new Set(names);
  const encoders = names.map((name) => {
    const col = schema.columns[name];
    const hook = hooks?.[name];
    const dflt = col.default !== undefined ? encodeColumn(table, name, col, defaultToApp(col)) : undefined;
    const fast = hook ? null : fastEncoder(col);
    return (v: unknown): SqlValue => {
      if (v === undefined) {
        if (dflt !== undefined) return dflt;
        if (!col.optional) throw new MissingColumnError(table, name);
        return null;
      }
      if (fast) {
        const r = fast(v);
        if (r !== NO) return r;
      }
      return encodeColumn(table, name, col, prepare(table, name, hook, v));
    };
  });
  const decoders = names.map((name) => {
    const col = schema.columns[name];
    const from = hooks?.[name]?.transform?.from;
    const kind = col.type.kind;
    const base =
      kind === "string" || kind === "enum" || kind === "ref"
        ? (v: SqlValue) => v
        : kind === "boolean"
          ? (v: SqlValue) => (v === null ? null : v === 1 || v === 1n)
          : (v: SqlValue) => decodeColumn(col, v);
    return from ? (v: SqlValue) => (v === null ? null : from(base(v))) : base;
  });
  const n = names.length;
  return {
    encodeInsert(data) {
      if (data === null || typeof data !== "object") throw new InvalidValueError(table, "*", `insert data must be an object, got ${describe(data)}`);
      for (const k in data) if (k !== "id" && !known.has(k)) throw new UnknownColumnError(table, k, names);
      const out: Record<string, SqlValue> = {};
      for (let i = 0; i < n; i++) out[names[i]] = encoders[i](data[names[i]]);
      return out;
    },
    decodeRow(id, values) {
      const row: Record<string, unknown> = { id };
      for (let i = 0; i < n; i++) {
        const v = values[names[i]];
        row[names[i]] = v === undefined || v === null ? null : decoders[i](v);
      }
      return row;
    },
  };
}
