// The SQL compiler's public face; the pieces live in ./sql/.
export { compileQuery, tablesRead, type CompiledQuery } from "./sql/compile.ts";
export type { CompileOptions, PolicyHook, PolicyOp } from "./sql/context.ts";
export { isCurrentMarker } from "./sql/where.ts";
