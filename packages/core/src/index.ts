export type { SqlDriver, SqlValue } from "./sql/driver.ts";
export type { RuntimeSchema, TableSchema, ColumnSchema, ColumnType } from "./schema/runtime.ts";
export type { QueryIR, Condition, IncludeIR, Op, QueryLike } from "./query/ir.ts";
export type { Batch, BatchFate, RowWrite, DurabilityTier } from "./engine/batch.ts";
export type { ReplicaLink, LinkListener } from "./db/link.ts";
export * from "./engine/layout.ts";
