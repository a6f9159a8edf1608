// Which live queries a Db holds, for devtools (`db.getActiveQuerySubscriptions()`). Recorded only
// in dev mode (`devMode: true` in the config, or turned on by attachDevTools): a stack trace per
// subscription is too costly to take on every subscribe in production.

import type { DurabilityTier } from "../engine/batch.ts";
import type { QueryIR } from "../query/ir.ts";

export interface ActiveQuerySubscriptionTrace {
  /** "sub-1", "sub-2", ... in subscription order. */
  id: string;
  /** The query as JSON (what `client.query` of the devtools bridge takes back). */
  query: string;
  table: string;
  branches: string[];
  tier: DurabilityTier;
  propagation: "full" | "local-only";
  /** ISO 8601. */
  createdAt: string;
  /** Where the app subscribed (an Error stack), to find the component behind a query. */
  stack?: string;
}

export class QueryTraces {
  private readonly active = new Map<string, ActiveQuerySubscriptionTrace>();
  private readonly listeners = new Set<(traces: ActiveQuerySubscriptionTrace[]) => void>();
  private seq = 0;

  constructor(public enabled: boolean) {}

  /** Records a subscription (when enabled); returns what removes it. */
  add(ir: QueryIR, tier: DurabilityTier, propagation: "full" | "local-only", branch: string): () => void {
    if (!this.enabled) return () => {};
    const id = `sub-${++this.seq}`;
    const stack = new Error("subscribed here").stack?.split("\n").slice(2).join("\n");
    this.active.set(id, { id, query: JSON.stringify(ir), table: ir.table, branches: [branch], tier, propagation, createdAt: new Date().toISOString(), ...(stack ? { stack } : {}) });
    this.changed();
    return () => {
      if (this.active.delete(id)) this.changed();
    };
  }

  list(): ActiveQuerySubscriptionTrace[] {
    return [...this.active.values()].map((t) => ({ ...t, branches: [...t.branches] }));
  }

  onChange(listener: (traces: ActiveQuerySubscriptionTrace[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    if (!this.listeners.size) return;
    const traces = this.list();
    for (const l of [...this.listeners]) l(traces);
  }
}
