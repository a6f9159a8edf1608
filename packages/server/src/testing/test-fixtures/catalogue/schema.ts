import { schema as s } from "@jazz-tools/core";

export const app = s.defineApp({
  todos: s.table({ title: s.string(), owner_id: s.string() }),
});
