// Cheap shape checks and JSON encoding of column values, shared by defaults (schema time) and
// where-values (query build time). The engine does its own full validation on write.

import type { ColumnType } from "./runtime.ts";

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Returns what is wrong with `value` for a column of `type`, or null when it fits. */
export function describeValueMismatch(type: ColumnType, value: unknown): string | null {
  switch (type.kind) {
    case "string":
    case "ref":
      return typeof value === "string" ? null : `expected a string, got ${describe(value)}`;
    case "boolean":
      return typeof value === "boolean" ? null : `expected a boolean, got ${describe(value)}`;
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return `expected an integer, got ${describe(value)}`;
      }
      return value < INT32_MIN || value > INT32_MAX
        ? `expected a 32-bit integer (${INT32_MIN}..${INT32_MAX}), got ${value}`
        : null;
    case "float":
      return typeof value === "number" ? null : `expected a number, got ${describe(value)}`;
    case "timestamp":
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? "expected a valid Date, got an Invalid Date" : null;
      }
      // Epoch milliseconds, as stored (the reference accepts `.default(0)`).
      if (typeof value === "number" && Number.isFinite(value)) {
        return value >= 0 ? null : `expected a time from 1970 on, got ${value} ms`;
      }
      return `expected a Date or epoch milliseconds, got ${describe(value)}`;
    case "bytes":
      return value instanceof Uint8Array ? null : `expected a Uint8Array, got ${describe(value)}`;
    case "json":
      return value === undefined || typeof value === "function" || typeof value === "symbol"
        ? `expected a JSON value, got ${describe(value)}`
        : null;
    case "enum":
      return typeof value === "string" && type.variants.includes(value)
        ? null
        : `expected one of ${type.variants.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`;
    case "array": {
      if (!Array.isArray(value)) return `expected an array, got ${describe(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = describeValueMismatch(type.element, value[i]);
        if (problem) return `element ${i}: ${problem}`;
      }
      return null;
    }
  }
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return "a Date";
  if (value instanceof Uint8Array) return "a Uint8Array";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Encodes a column value as schema JSON: Date → ms number, Uint8Array → number[]. */
export function encodeDefault(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(encodeDefault);
  return value;
}

/** Encodes a value for the query IR: Date → ms number, Uint8Array → { $bytes: base64 }. */
export function encodeIrValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return { $bytes: bytesToBase64(value) };
  if (Array.isArray(value)) return value.map(encodeIrValue);
  return value;
}

/** Base64 of bytes (in 32 KiB slices: a file part is MiBs, one char at a time would crawl). */
/** The standard's native codecs (Uint8Array.prototype.toBase64 / Uint8Array.fromBase64), where the engine has them. */
const native = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array; prototype: { toBase64?: () => string } };

export function bytesToBase64(bytes: Uint8Array): string {
  if (native.prototype.toBase64) return (bytes as unknown as { toBase64(): string }).toBase64();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  if (native.fromBase64) {
    try {
      return native.fromBase64(b64);
    } catch {
      // Fall through: atob accepts what fromBase64 refuses (missing padding, whitespace).
    }
  }
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
