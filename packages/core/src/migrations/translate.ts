// Translating batches between schema versions along a lens path. Nothing stored is rewritten:
// the server translates a batch as it arrives (writer's version → the active layout) and as it
// leaves (the layout a batch was logged in → each reader's version).

import type { Batch, RowWrite } from "../engine/batch.ts";
import { defaultToApp, encodeColumn } from "../engine/encoding.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { SqlValue } from "../sql/driver.ts";
import { columnSources, type ColumnSource, type LensStep } from "./lens.ts";

interface TablePlan {
  /** Target table name. */
  table: string;
  columns: [target: string, source: ColumnSource, encodedDefault: SqlValue | undefined][];
  /** Inbound: keep source columns the target does not name (older data the layout still holds). */
  keepOthers: boolean;
  renamedAway: Set<string>;
}

function encodedDefault(table: string, column: string, s: ColumnSource): SqlValue | undefined {
  if (s.default === undefined || !s.type) return undefined;
  const col = { type: s.type, optional: true, merge: "lww" as const, default: s.default };
  return encodeColumn(table, column, col, defaultToApp(col));
}

/**
 * Builds a translator from rows in the path's source version to `target` (a reader's schema, or
 * the server's layout with `keepOthers`). Returns null when the path changes nothing.
 */
export function batchTranslator(steps: readonly LensStep[], target: RuntimeSchema, opts: { keepOthers: boolean }): ((b: Batch) => Batch) | null {
  if (steps.length === 0 && opts.keepOthers) return null;
  const plans = new Map<string, TablePlan>();
  for (const [name, t] of Object.entries(target.tables)) {
    const { table: source, columns } = columnSources(steps, name, Object.keys(t.columns));
    const plan: TablePlan = { table: name, columns: [], keepOthers: opts.keepOthers, renamedAway: new Set() };
    for (const [col, src] of columns) {
      plan.columns.push([col, src, encodedDefault(name, col, src)]);
      if (src.from !== col) plan.renamedAway.add(src.from);
    }
    plans.set(source, plan);
  }
  const translateWrite = (w: RowWrite): RowWrite | null => {
    const plan = plans.get(w.table);
    if (!plan) return opts.keepOthers ? w : null;
    if (w.op === "delete" || !w.values) return plan.table === w.table ? w : { ...w, table: plan.table };
    const src = w.values;
    const out: Record<string, SqlValue> = {};
    if (plan.keepOthers) for (const k in src) if (!plan.renamedAway.has(k)) out[k] = src[k]!;
    for (const [col, s, def] of plan.columns) {
      if (Object.hasOwn(src, s.from)) out[col] = src[s.from]!;
      else if (w.op === "insert") {
        if (def !== undefined) out[col] = def;
        else if (!plan.keepOthers) out[col] = null;
      }
    }
    return { ...w, table: plan.table, values: out };
  };
  return (b: Batch): Batch => {
    const writes: RowWrite[] = [];
    for (const w of b.writes) {
      const t = translateWrite(w);
      if (t) writes.push(t);
    }
    return { ...b, writes };
  };
}
