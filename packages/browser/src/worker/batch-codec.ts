// Batches as text for the outbox table. Storage values may be Uint8Array or bigint, which JSON
// cannot carry, so they are tagged.
import type { Batch } from "@jazz-tools/core";

export function encodeBatch(batch: Batch): string {
  // A replacer runs for every key of every write (10k rows = ~100k calls); most batches hold
  // neither kind, so look first and take plain JSON when there is nothing to tag.
  if (!needsTags(batch)) return JSON.stringify(batch);
  return JSON.stringify(batch, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $big: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
    return v;
  });
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
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$big === "string" && Object.keys(o).length === 1) return BigInt(o.$big);
      if (Array.isArray(o.$bytes) && Object.keys(o).length === 1) return Uint8Array.from(o.$bytes as number[]);
    }
    return v;
  }) as Batch;
}
