// Live queries (ARCHITECTURE "Live queries"): after each applied change set, every subscription
// whose query reads a changed table re-runs its SQL; the new rows are diffed against the old by
// id. A row whose raw SQL values are unchanged keeps its previous object (no decode, same
// identity), so React can bail out and Vue/Svelte reconcile in place.

import type { SqlValue } from "../sql/driver.ts";
import type { CompiledQuery } from "../query/compile.ts";
import type { RowDelta, SubscriptionDelta } from "../subscriptions/types.ts";

type Row = Record<string, unknown>;

function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return false;
}

function sameRaw(a: SqlValue[], b: SqlValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

export class LiveQuery {
  /** null until the first delivery. */
  private ids: string[] | null = null;
  private raw = new Map<string, SqlValue[]>();
  private objs = new Map<string, Row>();
  private readonly idIndex: number;
  closed = false;

  constructor(
    readonly compiled: CompiledQuery,
    readonly tables: Set<string>,
    private readonly run: (q: CompiledQuery) => SqlValue[][],
    private readonly cb: (d: SubscriptionDelta<Row>) => void,
  ) {
    this.idIndex = compiled.keys.indexOf("id");
  }

  get delivered(): boolean {
    return this.ids !== null;
  }

  /** Re-run and emit a callback if anything changed (always on the first call). */
  refresh(): void {
    if (this.closed) return;
    const rows = this.run(this.compiled);
    const n = rows.length;
    const first = this.ids === null;
    const oldIds = this.ids ?? [];
    const oldRaw = this.raw;
    const oldObjs = this.objs;
    const ids = new Array<string>(n);
    const all = new Array<Row>(n);
    const raw = new Map<string, SqlValue[]>();
    const objs = new Map<string, Row>();
    const changed: boolean[] = new Array(n);
    let anyChange = first || n !== oldIds.length;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      // Without an id column (a select that leaves it out) rows are keyed by position.
      const id = this.idIndex >= 0 ? String(r[this.idIndex]) : `#${i}`;
      ids[i] = id;
      raw.set(id, r);
      const prev = oldRaw.get(id);
      let obj: Row;
      if (prev !== undefined && sameRaw(prev, r)) {
        obj = oldObjs.get(id)!;
        changed[i] = false;
      } else {
        obj = this.compiled.decode(r);
        changed[i] = true;
        anyChange = true;
      }
      objs.set(id, obj);
      all[i] = obj;
      if (!anyChange && oldIds[i] !== id) anyChange = true;
    }
    this.ids = ids;
    this.raw = raw;
    this.objs = objs;
    if (!anyChange) return;
    this.cb({ all, delta: first ? ids.map((id, index) => ({ kind: 0, id, index, item: all[index] })) : diff(oldIds, ids, raw, oldRaw, all, changed) });
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * Deltas that turn the old list into the new one when applied in order: removals (highest old
 * index first), then adds and updates in ascending new index. A kept row that moved is an update
 * (with `item` only if its content changed too).
 */
function diff(
  oldIds: string[],
  ids: string[],
  raw: Map<string, SqlValue[]>,
  oldRaw: Map<string, SqlValue[]>,
  all: Row[],
  changed: boolean[],
): RowDelta<Row>[] {
  const out: RowDelta<Row>[] = [];
  const kept: string[] = [];
  for (let i = oldIds.length - 1; i >= 0; i--) {
    if (!raw.has(oldIds[i])) out.push({ kind: 1, id: oldIds[i], index: i });
  }
  for (const id of oldIds) if (raw.has(id)) kept.push(id);
  let p = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!oldRaw.has(id)) {
      out.push({ kind: 0, id, index: i, item: all[i] });
      continue;
    }
    const inPlace = kept[p] === id;
    if (inPlace) p++;
    else {
      // Moved: drop it from the remaining kept order so later rows line up again.
      const at = kept.indexOf(id, p);
      if (at >= 0) kept.splice(at, 1);
    }
    if (changed[i]) out.push({ kind: 2, id, index: i, item: all[i] });
    else if (!inPlace) out.push({ kind: 2, id, index: i });
  }
  return out;
}

/** All live queries of one Db, indexed by the tables they read. */
export class LiveQueries {
  private byTable = new Map<string, Set<LiveQuery>>();

  add(q: LiveQuery): () => void {
    for (const t of q.tables) {
      let set = this.byTable.get(t);
      if (!set) this.byTable.set(t, (set = new Set()));
      set.add(q);
    }
    return () => {
      q.close();
      for (const t of q.tables) this.byTable.get(t)?.delete(q);
    };
  }

  /** Refresh every delivered query reading one of `tables` (each at most once). */
  notify(tables: Iterable<string>): void {
    let todo: Set<LiveQuery> | null = null;
    for (const t of tables) {
      const set = this.byTable.get(t);
      if (!set || set.size === 0) continue;
      todo ??= new Set();
      for (const q of set) todo.add(q);
    }
    if (!todo) return;
    for (const q of todo) {
      if (!q.delivered || q.closed) continue;
      try {
        q.refresh();
      } catch (e) {
        // A throwing callback must not stop other subscribers or fail the write.
        console.error("Jazz live query callback threw", e);
      }
    }
  }

  clear(): void {
    for (const set of this.byTable.values()) for (const q of set) q.close();
    this.byTable.clear();
  }
}
