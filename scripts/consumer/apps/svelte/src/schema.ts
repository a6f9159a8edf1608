import { schema as s } from "jazz-tools";

export const app = s.defineApp({ todos: s.table({ title: s.string() }) });
