// Query-scoped fan-out. Subscriptions with the same query (and the same read policy) share one
// scope group, so a write is matched once however many clients watch it. After each accepted
// batch, every group reading a touched table updates its row set; each client then receives the
// batch (if it touched a row it watches, before or after) and the full history of rows that
// entered its scope. Rows that leave all of a client's scopes without being written (a read
// policy's parent row changed, e.g. a membership deleted) are named in an `evict` message so the
// client drops its copy. Batches are projected per connection onto the readable rows (see
// ./permissions.ts); replica stores apply a known batch's new rows (idempotent per write).

import type { Batch, DurabilityTier, PolicyHook, QueryIR, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import type { BatchLog } from "../storage/log.ts";
import { QueryScope, rowKey, splitRowKey, type RowKey } from "./scope.ts";
import { QueryFamily } from "./families.ts";
import { QueryBudgetError } from "../errors.ts";

export interface Subscriber {
  /** Identifies the read policy this subscriber is under ("" = no policy). */
  readonly policyKey: string;
  readonly policy: PolicyHook | undefined;
  /**
   * `readable`: the hub has just seen every row these batches write inside this subscriber's
   * scopes, which are evaluated under its read policy, so projecting them again can be skipped.
   */
  sendBatches(batches: Batch[], opts?: { readable?: boolean }): void;
  sendSettled(queryId: string, tier: DurabilityTier): void;
  /** Rows that left every subscription of this subscriber without being written. */
  sendEvicted?(rows: { table: string; ids: string[] }[]): void;
  /** The hub dropped this live query (it went over the query time budget). */
  sendQueryDropped?(queryId: string, error: QueryBudgetError): void;
}

interface Group {
  key: string;
  scope: QueryScope;
  rows: Set<RowKey>;
  members: Map<Subscriber, Set<string>>;
  /** The members' read policy (they share one policy key). */
  policy: PolicyHook | undefined;
  /** Filter-only groups of the same query share their per-write evaluation (./families.ts). */
  family: QueryFamily<Group> | null;
}

export class SubscriptionHub {
  private readonly groups = new Map<string, Group>();
  private readonly bySubscriber = new Map<Subscriber, Map<string, Group>>();
  /** Incremental groups by query (JSON), across policies. */
  private readonly families = new Map<string, QueryFamily<Group>>();
  /** The tier a first snapshot is complete at here: the core's is global, an edge's is edge. */
  settledTier: DurabilityTier = "global";
  /**
   * Per-query time budget (ms). SQLite cannot be interrupted mid-statement here, so a query is
   * measured: over budget at subscribe, it is refused; over budget when a write re-evaluates it,
   * it is dropped, so one query cannot stall the server again on every write.
   */
  queryBudgetMs = Number.POSITIVE_INFINITY;
  private overBudget = new Map<Group, QueryBudgetError>();

  /** A scope's full evaluation, timed against the budget (null: within it). */
  private timed(scope: QueryScope): { rows: Set<RowKey>; over: QueryBudgetError | null } {
    const t = performance.now();
    const rows = scope.evaluate(this.driver);
    const ms = performance.now() - t;
    return { rows, over: ms > this.queryBudgetMs ? new QueryBudgetError(ms, this.queryBudgetMs) : null };
  }

  /** A group's full evaluation; an overrun is noted, and the group dropped once the caller is done. */
  private evaluate(g: Group): Set<RowKey> {
    const { rows, over } = this.timed(g.scope);
    if (over) this.overBudget.set(g, over);
    return rows;
  }

  /** Drops the groups that went over budget, telling each member which query and why. */
  private dropOverBudget(): void {
    if (this.overBudget.size === 0) return;
    const over = this.overBudget;
    this.overBudget = new Map();
    for (const [g, e] of over) {
      for (const [sub, ids] of [...g.members]) {
        for (const id of [...ids]) {
          this.unsubscribe(sub, id);
          sub.sendQueryDropped?.(id, e);
        }
      }
    }
  }

  constructor(
    private readonly driver: SqlDriver,
    private readonly log: BatchLog,
    private readonly schema: () => RuntimeSchema,
  ) {}

  get groupCount(): number {
    return this.groups.size;
  }

  /** How many live queries a subscriber holds, and whether it holds `queryId`. */
  subscriptionsOf(sub: Subscriber): { count: number; has(queryId: string): boolean } {
    const mine = this.bySubscriber.get(sub);
    return { count: mine?.size ?? 0, has: (id) => mine?.has(id) ?? false };
  }

  /** Throws (QueryError etc.) when the query does not compile against the server schema. */
  subscribe(sub: Subscriber, queryId: string, query: QueryIR): void {
    this.unsubscribe(sub, queryId);
    const key = `${sub.policyKey}\u0000${JSON.stringify(query)}`;
    let g = this.groups.get(key);
    if (!g) {
      const scope = new QueryScope(query, this.schema(), sub.policy);
      const { rows, over } = this.timed(scope);
      if (over) throw over;
      g = { key, scope, rows, members: new Map(), policy: sub.policy, family: null };
      this.groups.set(key, g);
      this.join(g);
    }
    let ids = g.members.get(sub);
    if (!ids) g.members.set(sub, (ids = new Set()));
    ids.add(queryId);
    let mine = this.bySubscriber.get(sub);
    if (!mine) this.bySubscriber.set(sub, (mine = new Map()));
    mine.set(queryId, g);

    const history = this.log.history([...g.rows].map(splitRowKey)).map((h) => h.batch);
    if (history.length > 0) sub.sendBatches(history);
    // A server with no upstream is the core: its answer is settled at the global tier.
    sub.sendSettled(queryId, this.settledTier);
  }

  unsubscribe(sub: Subscriber, queryId: string): void {
    const mine = this.bySubscriber.get(sub);
    const g = mine?.get(queryId);
    if (!g) return;
    mine!.delete(queryId);
    const ids = g.members.get(sub)!;
    ids.delete(queryId);
    if (ids.size === 0) g.members.delete(sub);
    if (g.members.size === 0) {
      this.groups.delete(g.key);
      this.leave(g);
    }
  }

  private join(g: Group): void {
    if (!g.scope.incremental) return;
    const key = JSON.stringify(g.scope.query);
    let f = this.families.get(key);
    if (!f) this.families.set(key, (f = new QueryFamily<Group>(g.scope.query, this.schema())));
    f.add(g);
    g.family = f;
  }

  private leave(g: Group): void {
    const f = g.family;
    if (!f) return;
    f.delete(g);
    g.family = null;
    if (f.members.size === 0) this.families.delete(JSON.stringify(f.query));
  }

  removeSubscriber(sub: Subscriber): void {
    const mine = this.bySubscriber.get(sub);
    if (!mine) return;
    for (const id of [...mine.keys()]) this.unsubscribe(sub, id);
    this.bySubscriber.delete(sub);
  }

  /** The schema changed: re-evaluate every group (new tables may now resolve). */
  refreshAll(): void {
    const left = new Map<Subscriber, Set<RowKey>>();
    this.families.clear();
    for (const g of this.groups.values()) {
      const before = g.rows;
      g.policy = [...g.members.keys()][0]?.policy;
      g.scope = new QueryScope(g.scope.query, this.schema(), g.policy);
      g.family = null;
      this.join(g);
      g.rows = this.evaluate(g);
      this.noteLeaving(left, g, [...before].filter((k) => !g.rows.has(k)));
    }
    this.sendEvictions(left, new Set());
    this.dropOverBudget();
  }

  private noteLeaving(left: Map<Subscriber, Set<RowKey>>, g: Group, leaving: Iterable<RowKey>): void {
    for (const k of leaving) {
      for (const sub of g.members.keys()) {
        let set = left.get(sub);
        if (!set) left.set(sub, (set = new Set()));
        set.add(k);
      }
    }
  }

  /** Evict rows that left a scope unless written now or still covered by another subscription. */
  private sendEvictions(left: Map<Subscriber, Set<RowKey>>, written: Set<RowKey>): void {
    for (const [sub, keys] of left) {
      if (!sub.sendEvicted) continue;
      const groups = [...(this.bySubscriber.get(sub)?.values() ?? [])];
      const byTable = new Map<string, string[]>();
      for (const k of keys) {
        if (written.has(k) || groups.some((g) => g.rows.has(k))) continue;
        const { table, id } = splitRowKey(k);
        const ids = byTable.get(table);
        if (ids) ids.push(id);
        else byTable.set(table, [id]);
      }
      if (byTable.size > 0) sub.sendEvicted([...byTable].map(([table, ids]) => ({ table, ids })));
    }
  }

  /** The subscription groups whose scope reads one of `tables`. */
  private *groupsReading(tables: Set<string>): Iterable<Group> {
    for (const g of this.groups.values()) {
      for (const t of g.scope.tables) {
        if (tables.has(t)) {
          yield g;
          break;
        }
      }
    }
  }

  /**
   * Brings a group's row set up to date after `rows` were written, in place: an incremental
   * scope re-checks only the written rows of its table (cost independent of how many rows it
   * covers); any other re-runs its query. Returns what entered and left, and whether a written
   * row is (or was) in the scope.
   */
  private update(
    g: Group,
    rows: { table: string; id: string }[],
    familyRows: Map<Group, Set<RowKey>>,
    idsByTable: Map<string, string[]>,
  ): { entering: RowKey[]; leaving: RowKey[]; relevant: boolean } {
    const entering: RowKey[] = [];
    const leaving: RowKey[] = [];
    let relevant = false;
    if (g.scope.incremental) {
      const table = g.scope.query.table;
      const ids = idsByTable.get(table);
      if (!ids) return { entering, leaving, relevant };
      const now = familyRows.get(g) ?? g.scope.evaluateRows(this.driver, ids);
      for (const id of ids) {
        const k = rowKey(table, id);
        const was = g.rows.has(k);
        const is = now.has(k);
        if (was || is) relevant = true;
        if (is && !was) {
          g.rows.add(k);
          entering.push(k);
        } else if (was && !is) {
          g.rows.delete(k);
          leaving.push(k);
        }
      }
      return { entering, leaving, relevant };
    }
    const before = g.rows;
    const after = this.evaluate(g);
    g.rows = after;
    for (const k of after) if (!before.has(k)) entering.push(k);
    for (const k of before) if (!after.has(k)) leaving.push(k);
    for (const r of rows) {
      const k = rowKey(r.table, r.id);
      if (before.has(k) || after.has(k)) relevant = true;
    }
    return { entering, leaving, relevant };
  }

  /** Whether every row these batches write values to is in one of the subscriber's scopes now. */
  private coversAllValues(sub: Subscriber, batches: Batch[]): boolean {
    const groups = [...(this.bySubscriber.get(sub)?.values() ?? [])];
    return batches.every((b) => b.writes.every((w) => w.op === "delete" || groups.some((g) => g.rows.has(rowKey(w.table, w.id)))));
  }

  /** Families of two or more groups over a touched table: one evaluation for all their groups. */
  private evaluateFamilies(idsByTable: Map<string, string[]>): Map<Group, Set<RowKey>> {
    const out = new Map<Group, Set<RowKey>>();
    for (const f of this.families.values()) {
      const ids = idsByTable.get(f.table);
      if (f.members.size < 2 || !ids) continue;
      for (const [g, keys] of f.evaluate(this.driver, [...new Set(ids)])) out.set(g, keys);
    }
    return out;
  }

  /** Fan an accepted batch out to every subscriber whose scope it touches. */
  onAccepted(batch: Batch, rows: { table: string; id: string }[], origin: Subscriber | null): void {
    const touched = new Set(rows.map((r) => r.table));
    const plan = new Map<Subscriber, { batch: boolean; entering: Set<RowKey>; covered: Set<RowKey> }>();
    const left = new Map<Subscriber, Set<RowKey>>();
    const written = rows.map((r) => rowKey(r.table, r.id));
    const idsByTable = new Map<string, string[]>();
    for (const r of rows) {
      const ids = idsByTable.get(r.table);
      if (ids) ids.push(r.id);
      else idsByTable.set(r.table, [r.id]);
    }
    const familyRows = this.evaluateFamilies(idsByTable);
    for (const g of this.groupsReading(touched)) {
      const { entering, leaving, relevant } = this.update(g, rows, familyRows, idsByTable);
      this.noteLeaving(left, g, leaving);
      if (!relevant && entering.length === 0) continue;
      const covered = written.filter((k) => g.rows.has(k));
      for (const sub of g.members.keys()) {
        let p = plan.get(sub);
        if (!p) plan.set(sub, (p = { batch: false, entering: new Set(), covered: new Set() }));
        if (relevant) p.batch = true;
        for (const k of entering) p.entering.add(k);
        for (const k of covered) p.covered.add(k);
      }
    }
    // Every row the batch writes values to is in the subscriber's (policy-filtered) scopes now;
    // deletes carry no values and need no read check.
    const valueKeys = batch.writes.filter((w) => w.op !== "delete").map((w) => rowKey(w.table, w.id));
    // Subscribers with the same entering rows get the same history: read and decode it once,
    // and hand them the same array, so Connection encodes each distinct message once.
    const justThis = [batch];
    const shared = new Map<string, { all: Batch[]; forOrigin: Batch[] | null }>();
    for (const [sub, p] of plan) {
      if (p.entering.size === 0) {
        if (p.batch && sub !== origin) sub.sendBatches(justThis, { readable: valueKeys.every((k) => p.covered.has(k)) });
        continue;
      }
      const keys = [...p.entering].sort();
      const key = `${p.batch ? 1 : 0}\u0001${keys.join("\u0001")}`;
      let s = shared.get(key);
      if (!s) {
        // Rows entering the scope: their whole history (which includes this batch).
        const all = this.log.history(keys.map(splitRowKey)).map((h) => h.batch);
        if (p.batch && !all.some((b) => b.batchId === batch.batchId)) all.push(batch);
        shared.set(key, (s = { all, forOrigin: null }));
      }
      let out = s.all;
      if (sub === origin) out = s.forOrigin ??= s.all.filter((b) => b.batchId !== batch.batchId);
      if (out.length > 0) sub.sendBatches(out, { readable: this.coversAllValues(sub, out) });
    }
    // After the batch itself, so a client sees e.g. the membership delete before losing the rows.
    if (left.size > 0) this.sendEvictions(left, new Set(rows.map((r) => rowKey(r.table, r.id))));
    this.dropOverBudget();
  }

  /**
   * Edge mode: the core rejected a batch the edge had accepted, and the store and log no longer
   * hold it. Every subscriber that covered one of its rows drops them (`evict`) and receives
   * their remaining history again, so every replica that merged the batch converges.
   */
  onRetracted(rows: { table: string; id: string }[]): void {
    const keys = new Set(rows.map((r) => rowKey(r.table, r.id)));
    const touched = new Set(rows.map((r) => r.table));
    const plan = new Map<Subscriber, { evict: Set<RowKey>; resend: Set<RowKey> }>();
    const left = new Map<Subscriber, Set<RowKey>>();
    for (const g of this.groupsReading(touched)) {
      const before = g.rows;
      g.rows = this.evaluate(g);
      this.noteLeaving(left, g, [...before].filter((k) => !g.rows.has(k)));
      for (const sub of g.members.keys()) {
        let p = plan.get(sub);
        if (!p) plan.set(sub, (p = { evict: new Set(), resend: new Set() }));
        for (const k of keys) if (before.has(k) || g.rows.has(k)) p.evict.add(k);
        for (const k of g.rows) if (keys.has(k) || !before.has(k)) p.resend.add(k);
      }
    }
    for (const [sub, p] of plan) {
      if (p.evict.size > 0 && sub.sendEvicted) sub.sendEvicted(groupByTable(p.evict));
      if (p.resend.size > 0) {
        const history = this.log.history([...p.resend].map(splitRowKey)).map((h) => h.batch);
        if (history.length > 0) sub.sendBatches(history);
      }
    }
    if (left.size > 0) this.sendEvictions(left, keys);
    this.dropOverBudget();
  }
}

function groupByTable(keys: Iterable<RowKey>): { table: string; ids: string[] }[] {
  const byTable = new Map<string, string[]>();
  for (const k of keys) {
    const { table, id } = splitRowKey(k);
    const ids = byTable.get(table);
    if (ids) ids.push(id);
    else byTable.set(table, [id]);
  }
  return [...byTable].map(([table, ids]) => ({ table, ids }));
}
