// Structural sharing for immutable snapshots (React): a new result reuses every row object of
// the previous one that did not change, and the previous array itself when nothing changed, so
// `memo` rows bail out and useSyncExternalStore sees a stable snapshot.

import { valuesEqual } from "./equality.ts";

type Keyed = { id: string };

export function shareRows<T extends Keyed>(prev: readonly T[] | undefined, next: readonly T[]): T[] {
  if (!prev) return next as T[];
  const byId = new Map<string, T>();
  for (const row of prev) byId.set(row.id, row);
  let same = prev.length === next.length;
  const out = new Array<T>(next.length);
  for (let i = 0; i < next.length; i++) {
    const row = next[i]!;
    const old = byId.get(row.id);
    const kept = old !== undefined && (old === row || valuesEqual(old, row)) ? old : row;
    out[i] = kept;
    if (same && prev[i] !== kept) same = false;
  }
  return same ? (prev as T[]) : out;
}
