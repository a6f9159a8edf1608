// Batches (and rows) as text for the worker's tables. Storage values may be Uint8Array or
// bigint, which JSON cannot carry, so they are tagged: bytes as base64 (a file part is MiBs;
// older files hold the number-array form, still read).
import { base64ToBytes, bytesToBase64, type Batch } from "@jazz-tools/core";

/** JSON with bigint and Uint8Array values tagged ({ $big } / { $bytes }); see parseTagged. */
export function stringifyTagged(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $big: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: bytesToBase64(v) };
    return v;
  });
}

export function parseTagged<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$big === "string" && Object.keys(o).length === 1) return BigInt(o.$big);
      if (typeof o.$bytes === "string" && Object.keys(o).length === 1) return base64ToBytes(o.$bytes);
      if (Array.isArray(o.$bytes) && Object.keys(o).length === 1) return Uint8Array.from(o.$bytes as number[]);
    }
    return v;
  }) as T;
}

export function encodeBatch(batch: Batch): string {
  // A replacer runs for every key of every write (10k rows = ~100k calls); most batches hold
  // neither kind, so look first and take plain JSON when there is nothing to tag.
  return needsTags(batch) ? stringifyTagged(batch) : JSON.stringify(batch);
}

function needsTags(batch: Batch): boolean {
  for (const w of batch.writes) {
    const values = w.values;
    if (!values) continue;
    for (const k in values) {
      const v = values[k];
      if (typeof v === "bigint" || v instanceof Uint8Array) return true;
    }
  }
  return false;
}

export function decodeBatch(text: string): Batch {
  return parseTagged<Batch>(text);
}
