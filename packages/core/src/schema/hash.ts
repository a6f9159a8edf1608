// The schema hash: blake3 over a canonical text encoding of the runtime schema. Tables are taken
// in name order (a schema is a set of tables); columns in declaration order (order is part of the
// layout). Every object is written with its keys sorted, so the encoding depends only on content.

import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { RuntimeSchema } from "./runtime.ts";

export function canonicalSchemaEncoding(schema: RuntimeSchema): string {
  const tables = Object.keys(schema.tables)
    .sort()
    .map((name) => {
      const t = schema.tables[name]!;
      const columns = Object.entries(t.columns).map(([colName, c]) => [
        colName,
        canonicalJson({
          type: c.type,
          optional: c.optional,
          merge: c.merge,
          ...(c.default !== undefined ? { default: c.default } : {}),
        }),
      ]);
      return [name, columns, t.indexOnly ?? null];
    });
  return canonicalJson({ v: 1, tables });
}

/** 64 hex chars of blake3 over the canonical encoding; equal schemas give equal hashes. */
export function schemaHash(schema: RuntimeSchema): string {
  return bytesToHex(blake3(utf8ToBytes(canonicalSchemaEncoding(schema))));
}

const versions = new WeakMap<RuntimeSchema, string>();

/**
 * The version a batch is stamped with: schemaHash, remembered per schema object (schemas are
 * replaced when they change, never edited in place, so the object identifies the version).
 */
export function schemaVersionOf(schema: RuntimeSchema): string {
  let hash = versions.get(schema);
  if (hash === undefined) versions.set(schema, (hash = schemaHash(schema)));
  return hash;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
