export type { SqlDriver, SqlValue } from "./sql/driver.ts";
export type { RuntimeSchema, TableSchema, ColumnSchema, ColumnType } from "./schema/runtime.ts";
export type { QueryIR, Condition, IncludeIR, Op, QueryLike } from "./query/ir.ts";
export type { Batch, BatchFate, RowWrite, DurabilityTier } from "./engine/batch.ts";
export type { ReplicaLink, LinkListener } from "./db/link.ts";
export * from "./engine/layout.ts";
// SQL compiler: DDL, query compilation, row decoding, relations
export { createTableStatements, indexedColumns, indexName, sqlTypeOf } from "./engine/ddl.ts";
export { compileQuery, tablesRead, type CompiledQuery, type CompileOptions, type PolicyHook, type PolicyOp } from "./query/compile.ts";
export { canonicalJson, hexToBytes } from "./engine/decode.ts";
export { resolveRelation, allRelations, type Relation } from "./schema/relations.ts";
