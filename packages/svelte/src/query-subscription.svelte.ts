import { untrack } from "svelte";
import { applyDelta, cloneValue, reconcileArray, type LiveQueryOptions, type QueryObserver, type SubscriptionDelta } from "@jazz-tools/core/subscriptions";
import type { QueryLike } from "@jazz-tools/core";
import { getJazzContext } from "./context.ts";
import type { RowOf } from "./types.ts";

type MaybeGetter<T> = T | (() => T);
const read = <T>(v: MaybeGetter<T>): T => (typeof v === "function" ? (v as () => T)() : v);

/**
 * A live query for Svelte 5 components: `.current` holds the rows, reconciled in place (a $state
 * proxy), so an edit to one field of one row re-runs only the effects that read that field.
 * `.current` starts as `[]` (or `undefined` when a `tier` is requested, as in the reference).
 */
export class QuerySubscription<Q extends QueryLike<any>> {
  current = $state<RowOf<Q>[] | undefined>(undefined);
  loading = $state(true);
  error = $state.raw<unknown>(undefined);

  constructor(query: MaybeGetter<Q | undefined>, options?: MaybeGetter<LiveQueryOptions | undefined>) {
    const ctx = getJazzContext();
    this.current = read(options)?.tier ? undefined : [];
    $effect.pre(() => {
      const q = read(query);
      const o = read(options);
      const client = ctx.client;
      if (!q || !client) return;
      return untrack(() => this.follow(client.manager.observe(q as QueryLike<any>, o) as QueryObserver<any>));
    });
  }

  private follow(observer: QueryObserver<any>): () => void {
    const error = observer.getError();
    if (error !== undefined) {
      this.error = error;
      this.loading = false;
      return () => {};
    }
    const sync = (rows: RowOf<Q>[] | undefined, change?: SubscriptionDelta<any>) => {
      if (!rows) return;
      if (this.current === undefined) this.current = cloneValue(rows);
      // A delta of updates patches just those rows (O(changes)); anything else reconciles.
      else if (change) applyDelta(this.current as any[], { all: rows as any[], delta: change.delta });
      else reconcileArray(this.current, rows);
      this.loading = false;
      this.error = undefined;
    };
    this.loading = true;
    sync(observer.getSnapshot() as RowOf<Q>[] | undefined);
    return observer.subscribe((rows, change) => sync(rows as RowOf<Q>[], change));
  }
}
