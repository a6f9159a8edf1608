export type { SqlDriver, SqlValue } from "./sql/driver.ts";
export type { RuntimeSchema, TableSchema, ColumnSchema, ColumnType } from "./schema/runtime.ts";
export type { QueryIR, Condition, IncludeIR, Op } from "./query/ir.ts";
