import { schema as s } from "../../../packages/core/src/index.ts";

export const app = s.defineApp({
  items: s.table({ label: s.string(), done: s.boolean(), n: s.int() }),
});
export type Item = { id: string; label: string; done: boolean; n: number };

/** Per-framework counters the mounted list increments. */
export const counters = { rowRenders: 0, fieldEffects: 0, otherEffects: 0, listRenders: 0 };
export function resetCounters() {
  counters.rowRenders = counters.fieldEffects = counters.otherEffects = counters.listRenders = 0;
}
