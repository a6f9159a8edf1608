// In-place reconciliation for mutable reactive arrays (Vue's deep ref, Svelte's $state): the
// target is edited with the fewest writes that make it equal to the new result, so untouched
// row objects keep their identity and only fields whose value changed are assigned — each
// write is what fires that field's watchers/effects, nothing else does.

import { cloneValue, isPlainObject, valuesEqual } from "./equality.ts";
import type { RowDelta, SubscriptionDelta } from "./types.ts";

type AnyRecord = Record<string, unknown>;

function hasId(v: unknown): v is { id: string } {
  return isPlainObject(v) && typeof v.id === "string";
}

/** Writes into `target` only the fields of `next` that differ; removes keys `next` lacks. */
export function patchObject(target: AnyRecord, next: AnyRecord): void {
  for (const key of Object.keys(next)) {
    const cur = target[key];
    const val = next[key];
    if (Array.isArray(cur) && Array.isArray(val)) {
      reconcileArray(cur, val);
    } else if (isPlainObject(cur) && isPlainObject(val) && cur.id === val.id) {
      patchObject(cur, val);
    } else if (!Object.prototype.hasOwnProperty.call(target, key) || !valuesEqual(cur, val)) {
      target[key] = cloneValue(val);
    }
  }
  for (const key of Object.keys(target)) {
    if (!Object.prototype.hasOwnProperty.call(next, key)) delete target[key];
  }
}

/**
 * Makes `target` structurally equal to `next`, in place. Elements with an `id` are matched by
 * id (kept and patched); other elements are matched by position. Rows taken from `next` are
 * copied, because the Db's row objects are shared and must stay immutable.
 */
export function reconcileArray<T>(target: T[], next: readonly T[]): T[] {
  const keyed = next.every(hasId) && target.every(hasId);
  const desired = new Array<T>(next.length);
  if (keyed) {
    const existing = new Map<string, T>();
    for (const el of target) existing.set((el as unknown as { id: string }).id, el);
    for (let i = 0; i < next.length; i++) {
      const row = next[i]!;
      const old = existing.get((row as unknown as { id: string }).id);
      if (old !== undefined) {
        existing.delete((row as unknown as { id: string }).id); // duplicates get their own copy
        patchObject(old as AnyRecord, row as AnyRecord);
        desired[i] = old;
      } else {
        desired[i] = cloneValue(row);
      }
    }
  } else {
    for (let i = 0; i < next.length; i++) {
      const cur = target[i];
      const val = next[i]!;
      if (i < target.length && isPlainObject(cur) && isPlainObject(val)) {
        patchObject(cur, val);
        desired[i] = cur as T;
      } else if (i < target.length && Array.isArray(cur) && Array.isArray(val)) {
        reconcileArray(cur, val);
        desired[i] = cur as T;
      } else {
        desired[i] = i < target.length && valuesEqual(cur, val) ? (cur as T) : cloneValue(val);
      }
    }
  }
  // Structural writes only where a slot now holds a different element.
  for (let i = 0; i < desired.length; i++) {
    if (i >= target.length || target[i] !== desired[i]) target[i] = desired[i]!;
  }
  if (target.length !== desired.length) target.length = desired.length;
  return target;
}

/**
 * Applies one subscription callback to a reactive array. When the delta only updates rows, the
 * updated rows are patched where they are; anything structural (adds, removes, moves) goes
 * through `reconcileArray` against `all`, so the result never depends on index bookkeeping.
 */
export function applyDelta<T extends { id: string }>(target: T[], change: SubscriptionDelta<T>): T[] {
  const delta: readonly RowDelta<T>[] = change.delta ?? [];
  const onlyUpdates = delta.length > 0 && delta.every((d) => d.kind === 2) && target.length === change.all.length;
  if (onlyUpdates) {
    for (const d of delta) {
      const i = change.all[d.index]?.id === d.id ? d.index : change.all.findIndex((r) => r.id === d.id);
      if (i < 0 || target[i]?.id !== d.id) return reconcileArray(target, change.all);
      patchObject(target[i] as unknown as AnyRecord, change.all[i] as unknown as AnyRecord);
    }
    return target;
  }
  return reconcileArray(target, change.all);
}
