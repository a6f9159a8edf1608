// Which live queries a Db holds, for devtools (`db.getActiveQuerySubscriptions()`), listed in dev
// mode only (`devMode: true` in the config, or turned on by attachDevTools). Every subscription
// is noted (a few fields), so queries made before dev mode was turned on are listed too; the
// stack trace, too costly to take on every subscribe in production, only in dev mode.

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

interface Noted {
  id: string;
  ir: QueryIR;
  tier: DurabilityTier;
  propagation: "full" | "local-only";
  branch: string;
  createdAt: string;
  stack?: string;
}

export class QueryTraces {
  private readonly active = new Map<string, Noted>();
  private readonly listeners = new Set<(traces: ActiveQuerySubscriptionTrace[]) => void>();
  private seq = 0;

  constructor(public enabled: boolean) {}

  /** Notes a subscription; returns what removes it. */
  add(ir: QueryIR, tier: DurabilityTier, propagation: "full" | "local-only", branch: string): () => void {
    const id = `sub-${++this.seq}`;
    const stack = this.enabled ? new Error("subscribed here").stack?.split("\n").slice(2).join("\n") : undefined;
    this.active.set(id, { id, ir, tier, propagation, branch, createdAt: new Date().toISOString(), ...(stack ? { stack } : {}) });
    this.changed();
    return () => {
      if (this.active.delete(id)) this.changed();
    };
  }

  /** The live subscriptions, in dev mode (empty otherwise). */
  list(): ActiveQuerySubscriptionTrace[] {
    if (!this.enabled) return [];
    return [...this.active.values()].map(({ ir, branch, ...t }) => ({ ...t, query: JSON.stringify(ir), table: ir.table, branches: [branch] }));
  }

  onChange(listener: (traces: ActiveQuerySubscriptionTrace[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    if (!this.listeners.size || !this.enabled) return;
    const traces = this.list();
    for (const l of [...this.listeners]) l(traces);
  }
}
