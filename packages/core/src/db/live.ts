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

/** How a simple query (one table, no includes/hops/gather/limit) is refreshed by changed ids. */
export interface IncrementalSpec {
  table: string;
  /** Result-column index and direction of each ORDER BY key (ties: id ascending). */
  sort: { index: number; desc: boolean }[];
  /** The query's rows restricted to these ids (any order). */
  fetch(ids: string[]): SqlValue[][];
}

// SQLite's ORDER BY: NULL < numbers < text < blob; text by UTF-8 bytes (= code point order).
function rank(v: SqlValue): number {
  if (v === null) return 0;
  if (typeof v === "number" || typeof v === "bigint") return 1;
  if (typeof v === "string") return 2;
  return 3;
}
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP char in UTF-8.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
export function compareSql(a: SqlValue, b: SqlValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 1) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ra === 2) return compareText(a as string, b as string);
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

interface Entry {
  id: string;
  raw: SqlValue[];
  obj: Row;
}

export class LiveQuery {
  private isDelivered = false;
  private readonly idIndex: number;
  closed = false;

  constructor(
    readonly compiled: CompiledQuery,
    readonly tables: Set<string>,
    private readonly run: (q: CompiledQuery) => SqlValue[][],
    private readonly cb: (d: SubscriptionDelta<Row>) => void,
    private readonly inc: IncrementalSpec | null = null,
    /** Result keys added only to sort incrementally; removed from delivered rows. */
    private readonly hidden: string[] = [],
  ) {
    this.idIndex = compiled.keys.indexOf("id");
  }

  private entries: Entry[] = [];
  /** `entries[i].obj`, kept in step by refreshIds (null until it first needs it). */
  private objs: Row[] | null = null;
  private byId = new Map<string, Entry>();

  private decode(r: SqlValue[]): Row {
    const o = this.compiled.decode(r);
    for (const k of this.hidden) delete o[k];
    return o;
  }

  private compare = (a: SqlValue[], b: SqlValue[]): number => {
    for (const { index, desc } of this.inc!.sort) {
      const c = compareSql(a[index], b[index]);
      if (c !== 0) return desc ? -c : c;
    }
    return compareText(a[this.idIndex] as string, b[this.idIndex] as string);
  };

  /** Index of the first entry not ordered before `raw` (entries are strictly ordered). */
  private lowerBound(raw: SqlValue[]): number {
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(entries[mid].raw, raw) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where an entry sits: a binary search (indexOf only if the order were ever inconsistent). */
  private locate(e: Entry): number {
    const at = this.lowerBound(e.raw);
    return this.entries[at] === e ? at : this.entries.indexOf(e);
  }

  /**
   * Apply changed ids of the query's own table without re-running the whole query. Work is
   * O(changed · log n) plus one copy of the delivered objects (`objs` mirrors `entries`, so
   * the fresh `all` array is a slice, not a rebuild).
   */
  private refreshIds(ids: Set<string>): void {
    const fetched = new Map<string, SqlValue[]>();
    for (const r of this.inc!.fetch([...ids])) fetched.set(r[this.idIndex] as string, r);
    const entries = this.entries;
    const objs = (this.objs ??= entries.map((e) => e.obj));
    const removed: RowDelta<Row>[] = [];
    const placed: Entry[] = [];
    let updated: Set<string> | null = null;
    for (const id of ids) {
      const old = this.byId.get(id);
      const r = fetched.get(id);
      if (old && r && sameRaw(old.raw, r)) continue;
      if (old) {
        const at = this.locate(old);
        removed.push({ kind: 1, id, index: at });
        entries.splice(at, 1);
        objs.splice(at, 1);
        this.byId.delete(id);
      }
      if (r) {
        const e: Entry = { id, raw: r, obj: this.decode(r) };
        const at = this.lowerBound(r);
        entries.splice(at, 0, e);
        objs.splice(at, 0, e.obj);
        this.byId.set(id, e);
        placed.push(e);
        if (old) (updated ??= new Set()).add(id);
      }
    }
    if (removed.length === 0 && placed.length === 0) return;
    // Updated rows were taken out and put back: report them as updates at their new index,
    // not as remove + add; real removals go first, highest old index first.
    const delta: RowDelta<Row>[] = updated ? removed.filter((d) => !updated!.has(d.id)) : removed;
    if (delta.length > 1) delta.sort((a, b) => b.index - a.index);
    const adds = placed.map((e) => ({ e, index: this.locate(e) }));
    if (adds.length > 1) adds.sort((a, b) => a.index - b.index);
    for (const { e, index } of adds) delta.push(updated?.has(e.id) ? { kind: 2, id: e.id, index, item: e.obj } : { kind: 0, id: e.id, index, item: e.obj });
    this.cb({ all: objs.slice(), delta });
  }

  get delivered(): boolean {
    return this.isDelivered;
  }

  /**
   * Emit a callback if anything changed (always on the first call). With `changes` limited to
   * the query's own table and an incremental spec, only the changed rows are read.
   */
  refresh(changes?: Map<string, Set<string>>): void {
    if (this.closed) return;
    const ids = this.inc && this.delivered && changes && changes.size === 1 ? changes.get(this.inc.table) : undefined;
    // Large change sets: one full re-run beats many id lookups (and SQLite's parameter limit).
    if (ids && ids.size <= 256) {
      this.refreshIds(ids);
      return;
    }
    this.refreshAll();
  }

  private refreshAll(): void {
    const rows = this.run(this.compiled);
    const n = rows.length;
    const first = !this.isDelivered;
    const oldEntries = this.entries;
    const oldById = this.byId;
    // Built by push, not new Array(n): a holey array makes the later splices slow.
    const entries: Entry[] = [];
    const byId = new Map<string, Entry>();
    const all = new Array<Row>(n);
    const changed: boolean[] = new Array(n);
    let anyChange = first || n !== oldEntries.length;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      // Without an id column (a select that leaves it out) rows are keyed by position.
      const id = this.idIndex >= 0 ? String(r[this.idIndex]) : `#${i}`;
      const prev = oldById.get(id);
      let e: Entry;
      if (prev !== undefined && sameRaw(prev.raw, r)) {
        e = prev;
        changed[i] = false;
      } else {
        e = { id, raw: r, obj: this.decode(r) };
        changed[i] = true;
        anyChange = true;
      }
      entries.push(e);
      byId.set(id, e);
      all[i] = e.obj;
      if (!anyChange && oldEntries[i].id !== id) anyChange = true;
    }
    this.entries = entries;
    this.objs = null;
    this.byId = byId;
    this.isDelivered = true;
    if (!anyChange) return;
    this.cb({
      all,
      delta: first ? entries.map((e, index) => ({ kind: 0, id: e.id, index, item: e.obj })) : diff(oldEntries, entries, byId, oldById, changed),
    });
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
function diff(oldEntries: Entry[], entries: Entry[], byId: Map<string, Entry>, oldById: Map<string, Entry>, changed: boolean[]): RowDelta<Row>[] {
  const out: RowDelta<Row>[] = [];
  const kept: string[] = [];
  for (let i = oldEntries.length - 1; i >= 0; i--) {
    if (!byId.has(oldEntries[i].id)) out.push({ kind: 1, id: oldEntries[i].id, index: i });
  }
  for (const e of oldEntries) if (byId.has(e.id)) kept.push(e.id);
  let p = 0;
  for (let i = 0; i < entries.length; i++) {
    const { id, obj } = entries[i];
    if (!oldById.has(id)) {
      out.push({ kind: 0, id, index: i, item: obj });
      continue;
    }
    const inPlace = kept[p] === id;
    if (inPlace) p++;
    else {
      // Moved: drop it from the remaining kept order so later rows line up again.
      const at = kept.indexOf(id, p);
      if (at >= 0) kept.splice(at, 1);
    }
    if (changed[i]) out.push({ kind: 2, id, index: i, item: obj });
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

  /** Refresh every delivered query reading a changed table (each at most once). */
  notify(changes: Map<string, Set<string>>): void {
    let todo: Set<LiveQuery> | null = null;
    for (const t of changes.keys()) {
      const set = this.byTable.get(t);
      if (!set || set.size === 0) continue;
      todo ??= new Set();
      for (const q of set) todo.add(q);
    }
    if (!todo) return;
    for (const q of todo) {
      if (!q.delivered || q.closed) continue;
      try {
        q.refresh(changes);
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
