import { expectTypeOf, test } from "vitest";
import * as s from "../schema/dsl.ts";
import type { Db } from "./db.ts";

const app = s.defineApp({
  todos: s.table({ title: s.string(), done: s.boolean().default(false), note: s.string().optional() }),
});
declare const db: Db;

test("write signatures follow the app's types", () => {
  const w = db.insert(app.todos, { title: "x" });
  expectTypeOf(w.value.title).toEqualTypeOf<string>();
  expectTypeOf(w.value.id).toEqualTypeOf<string>();
  // @ts-expect-error title is required
  db.insert(app.todos, { done: true });
  // @ts-expect-error wrong type
  db.insert(app.todos, { title: 1 });
  db.update(app.todos, w.value.id, { done: true });
  // @ts-expect-error unknown column
  db.update(app.todos, w.value.id, { nope: 1 });
  db.upsert(app.todos, { note: null }, { id: w.value.id });
  const r = db.batch((b) => b.insert(app.todos, { title: "y" }).title);
  expectTypeOf(r.value).toEqualTypeOf<string>();
  expectTypeOf(db.all(app.todos.where({ done: false }))).resolves.toEqualTypeOf<{ id: string; title: string; done: boolean; note: string | null }[]>();
});
