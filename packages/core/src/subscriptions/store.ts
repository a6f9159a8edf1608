// One framework-free store of live queries, shared by the React, Vue and Svelte adapters
// (TanStack Query's observer model). Observers are keyed by query + options, so every component
// asking for the same query shares one Db subscription; they are ref-counted by listeners and
// released `gcTimeMs` after the last one leaves (a remount within that window reuses the rows).

import { JazzError } from "../errors/base.ts";
import type { QueryLike } from "../query/ir.ts";
import { shareRows } from "./share.ts";
import type { LiveQueryOptions, LiveQuerySource, SubscriptionDelta } from "./types.ts";

export type Row = { id: string };
export type ObserverListener<T> = (rows: T[], change: SubscriptionDelta<T> | undefined) => void;

export class SubscriptionStoreClosedError extends JazzError {
  readonly code: string = "subscription_store_closed";
  override name = "SubscriptionStoreClosedError";
}

/** The cache key: the same query and options always map to the same observer. */
export function queryKey(query: QueryLike, options?: LiveQueryOptions): string {
  return `${JSON.stringify(options ?? {})}:${JSON.stringify(query._build())}`;
}

export class QueryObserver<T extends Row = Row> {
  private rows: T[] | undefined = undefined;
  private error: unknown = undefined;
  private readonly listeners = new Set<ObserverListener<T>>();
  private readonly firstRows: Array<() => void> = [];
  private unsubscribeDb: (() => void) | null = null;
  private gcTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private loaded: Promise<T[]> | undefined;

  constructor(
    readonly key: string,
    private readonly source: LiveQuerySource,
    private readonly query: QueryLike<T>,
    private readonly options: LiveQueryOptions | undefined,
    private readonly release: (observer: QueryObserver<T>) => void,
    private readonly gcTimeMs: number,
  ) {
    try {
      this.unsubscribeDb = source.subscribeAll<T>(query, (change) => this.receive(change), options);
    } catch (err) {
      this.error = err;
    }
    this.scheduleGc();
  }

  /** Current rows: `undefined` until the first result (or after an error). Stable identity. */
  getSnapshot = (): T[] | undefined => this.rows;
  getError = (): unknown => this.error;
  get listenerCount(): number {
    return this.listeners.size;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves with the first rows (for Suspense); rejects if the subscription failed. */
  whenLoaded(): Promise<T[]> {
    // One promise per observer, so React's `use()` sees the same thenable on every render.
    this.loaded ??=
      this.rows ? Promise.resolve(this.rows)
      : this.error !== undefined ? Promise.reject(this.error)
      : new Promise((resolve, reject) => {
          this.firstRows.push(() => (this.rows ? resolve(this.rows) : reject(this.error)));
        });
    return this.loaded;
  }

  subscribe = (listener: ObserverListener<T>): (() => void) => {
    if (this.closed) throw new SubscriptionStoreClosedError("This Jazz client has been shut down; its queries can no longer be subscribed.");
    this.listeners.add(listener);
    this.cancelGc();
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) this.scheduleGc();
    };
  };

  private receive(change: SubscriptionDelta<T>): void {
    if (this.closed) return;
    const next = shareRows(this.rows, change.all);
    if (next === this.rows) return;
    this.rows = next;
    this.error = undefined;
    for (const done of this.firstRows.splice(0)) done();
    for (const l of [...this.listeners]) l(next, change);
  }

  private scheduleGc(): void {
    this.cancelGc();
    if (this.closed) return;
    this.gcTimer = setTimeout(() => this.close(), this.gcTimeMs);
  }

  private cancelGc(): void {
    if (this.gcTimer !== null) clearTimeout(this.gcTimer);
    this.gcTimer = null;
  }

  /** Ends the Db subscription; the store forgets this observer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelGc();
    this.listeners.clear();
    const unsubscribe = this.unsubscribeDb;
    this.unsubscribeDb = null;
    unsubscribe?.();
    if (!this.rows) {
      this.error ??= new SubscriptionStoreClosedError("The query was released before it loaded.");
      for (const done of this.firstRows.splice(0)) done();
    }
    this.release(this);
  }
}

export interface SubscriptionStoreOptions {
  /** How long an observer with no listeners keeps its Db subscription. Default 30 s (reference). */
  gcTimeMs?: number;
}

export class SubscriptionStore {
  private readonly observers = new Map<string, QueryObserver<any>>();
  private readonly gcTimeMs: number;
  private closed = false;

  constructor(
    readonly source: LiveQuerySource,
    options: SubscriptionStoreOptions = {},
  ) {
    this.gcTimeMs = options.gcTimeMs ?? 30_000;
  }

  /** The shared observer for this query and options; created (and subscribed) on first use. */
  observe<T extends Row>(query: QueryLike<T>, options?: LiveQueryOptions): QueryObserver<T> {
    if (this.closed) throw new SubscriptionStoreClosedError("This Jazz client has been shut down; create a new one to run queries.");
    const key = queryKey(query, options);
    let observer = this.observers.get(key) as QueryObserver<T> | undefined;
    if (!observer) {
      observer = new QueryObserver<T>(key, this.source, query, options, (o) => {
        if (this.observers.get(o.key) === o) this.observers.delete(o.key);
      }, this.gcTimeMs);
      this.observers.set(key, observer);
    }
    return observer;
  }

  get size(): number {
    return this.observers.size;
  }

  /** Ends every Db subscription; called when the client shuts down. */
  destroy(): void {
    this.closed = true;
    for (const o of [...this.observers.values()]) o.close();
    this.observers.clear();
  }
}
