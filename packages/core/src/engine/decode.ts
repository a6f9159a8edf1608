// SQL row → plain app object. Decoders are chosen once per column (per compiled query), so
// decoding a row is a loop of small closures. Two input forms:
//   - SQL form: a value straight from a result column (layout.ts / encoding.ts storage form);
//   - JSON form: a value inside an include's JSON (built by json_object in SQL), where
//     booleans are 0|1, timestamps ms numbers, bytes hex strings, json/arrays nested JSON.

import type { SqlValue } from "../sql/driver.ts";
import type { ColumnType } from "../schema/runtime.ts";

export type Decoder = (v: any) => unknown;

// Nibble value by char code ('0'-'9', 'A'-'F', 'a'-'f'); SQLite's hex() emits upper case.
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = (NIBBLE[hex.charCodeAt(j)] << 4) | NIBBLE[hex.charCodeAt(j + 1)];
  return out;
}

/** Deterministic JSON text: object keys sorted, recursively. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object" && !(v instanceof Date)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

const toBool: Decoder = (v) => (v === null ? null : v !== 0 && v !== 0n && v !== false);
const msToDate: Decoder = (v) => (v === null ? null : new Date(Number(v)));
const usToDate: Decoder = (v) => (v === null ? null : new Date(Number(v) / 1000));
const toNumber: Decoder = (v) => (typeof v === "bigint" ? Number(v) : v);

/** Array element (stored JSON form: timestamps ms, bytes number[]) → app value; null = as is. */
function elementDecoder(t: ColumnType): Decoder | null {
  switch (t.kind) {
    case "timestamp":
      return (e) => new Date(e);
    case "bytes":
      return (e) => (typeof e === "string" ? hexToBytes(e) : new Uint8Array(e));
    case "boolean":
      return (e) => e === true || e === 1;
    case "array": {
      const inner = elementDecoder(t.element);
      return inner ? (a) => (a as unknown[]).map(inner) : null;
    }
    default:
      return null;
  }
}

function arrayFixer(t: ColumnType & { kind: "array" }): Decoder {
  const el = elementDecoder(t.element);
  return el ? (a) => (a === null ? null : (a as unknown[]).map(el)) : (a) => a;
}

/** Decoder for a schema column read as a SQL result value; null means "use as is". */
export function sqlDecoder(t: ColumnType): Decoder | null {
  switch (t.kind) {
    case "boolean":
      return toBool;
    case "timestamp":
      return msToDate;
    case "int":
    case "float":
      return toNumber;
    case "bytes":
      return (v) => (v === null ? null : new Uint8Array(v as Uint8Array));
    case "json":
      return (v) => (v === null ? null : JSON.parse(v as string));
    case "array": {
      const fix = arrayFixer(t);
      return (v) => (v === null ? null : fix(JSON.parse(v as string)));
    }
    default:
      return null;
  }
}

/** Decoder for a schema column read from include JSON (see header); null means "as is". */
export function jsonDecoder(t: ColumnType): Decoder | null {
  switch (t.kind) {
    case "boolean":
      return toBool;
    case "timestamp":
      return msToDate;
    case "bytes":
      return (v) => (v === null ? null : hexToBytes(v as string));
    case "array": {
      const el = elementDecoder(t.element);
      return el ? arrayFixer(t) : null;
    }
    default:
      return null;
  }
}

/** Magic columns: provenance timestamps are µs; permission flags are 0|1. */
export function magicDecoder(column: string): Decoder | null {
  switch (column) {
    case "$createdAt":
    case "$updatedAt":
      return usToDate;
    case "$canRead":
    case "$canEdit":
    case "$canDelete":
      return toBool;
    default:
      return null;
  }
}

export type { SqlValue };
