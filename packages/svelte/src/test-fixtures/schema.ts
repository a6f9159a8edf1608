import { schema as s } from "@jazz-tools/core";

export const app = s.defineApp({
  todos: s.table({ title: s.string(), done: s.boolean() }),
});
export type Todo = { id: string; title: string; done: boolean };

/** Effect runs per row and field, filled in by Row.svelte. */
export interface Counts {
  title: Record<string, number>;
  done: Record<string, number>;
}
