// The bench app's schema, shared by run.ts and its fan-out child processes.
import { schema as s } from "../../packages/jazz-tools/src/index.ts";

export const benchApp = s.defineApp({ items: s.table({ title: s.string(), lane: s.string(), n: s.int() }) });
export type Item = { id: string; title: string; lane: string; n: number };
