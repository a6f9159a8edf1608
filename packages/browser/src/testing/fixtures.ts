// Shared test fixtures for the browser runtime tests (not shipped).
import type { Batch, RuntimeSchema } from "@jazz-tools/core";

export const todoSchema: RuntimeSchema = {
  tables: {
    todos: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        batch: { type: { kind: "int" }, optional: false, merge: "lww" },
      },
    },
  },
};

let seq = 0;
export function hexId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A batch inserting `rows` todos that all carry the batch's number `n`. */
export function todoBatch(n: number, rows = 1, author = "user-a"): Batch {
  seq++;
  return {
    batchId: hexId(),
    ts: Date.now() * 1000 + seq,
    author,
    kind: "direct",
    writes: Array.from({ length: rows }, (_, i) => ({
      table: "todos",
      id: crypto.randomUUID(),
      op: "insert" as const,
      values: { title: `todo ${n}.${i}`, batch: n },
    })),
  };
}

import type { QueryLike } from "@jazz-tools/core";

export type Todo = { id: string; title: string; batch: number };
/** A hand-built table handle (the typed DSL is core's business). */
export const todos: QueryLike<Todo> = {
  _table: "todos",
  _schema: todoSchema,
  _build: () => ({ table: "todos", conditions: [], orderBy: [], includes: [] }),
} as QueryLike<Todo>;
