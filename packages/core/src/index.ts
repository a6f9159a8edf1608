export type { SqlDriver, SqlValue } from "./sql/driver.ts";
export type { RuntimeSchema, TableSchema, ColumnSchema, ColumnType } from "./schema/runtime.ts";
export type { QueryIR, Condition, IncludeIR, Op, QueryLike } from "./query/ir.ts";
export type { Batch, BatchFate, RowWrite, DurabilityTier } from "./engine/batch.ts";
export type { ReplicaLink, LinkListener } from "./db/link.ts";
export type { SyncStatus, SyncConnection, LinkConnectionState } from "./db/sync-status.ts";
export * from "./engine/layout.ts";
// schema DSL + query builder (import { schema as s } from "jazz-tools")
export * as schema from "./schema/dsl.ts";
export * as s from "./schema/dsl.ts";
export { SchemaError } from "./schema/errors.ts";
export {
  MigrationError,
  parseMigrationLens,
  findLensPath,
  columnSources,
  isIdentity,
  migrationLens,
  renderMigrationStub,
  diffSchemas,
  SHORT_HASH,
  batchTranslator,
  type MigrationLens,
  type TableLens,
  type ColumnLens,
  type LensStep,
  type DefinedMigration,
} from "./migrations/index.ts";
export { QueryError } from "./query/errors.ts";
export { schemaHash, schemaVersionOf, canonicalSchemaEncoding } from "./schema/hash.ts";
export { Query, GATHER_CURRENT } from "./query/builder.ts";
export type { RowOf, InsertOf, UpdateOf, WhereOf, TableMetaOf, IncludeSpec, QueryRow, GatherCurrent } from "./query/builder.ts";
export type { App, Schema, SliceableApp, TableHandle, AppMeta } from "./schema/app.ts";
export type { ColumnHook, ColumnHooks } from "./schema/runtime.ts";
export type { StandardSchemaV1 } from "./schema/standard-schema.ts";
export { Column, type AnyColumn, type ColumnKind, type MergeStrategy } from "./schema/columns.ts";
export { TableDef } from "./schema/table.ts";
export { forwardRelationName, reverseRelationName, pluralize } from "./schema/naming.ts";
// SQL compiler: DDL, query compilation, row decoding, relations
export { createTableStatements, indexedColumns, indexName, sqlTypeOf } from "./engine/ddl.ts";
export { compileQuery, tablesRead, type CompiledQuery, type CompileOptions, type PolicyHook, type PolicyOp } from "./query/compile.ts";
export { canonicalJson, hexToBytes } from "./engine/decode.ts";
export { resolveRelation, allRelations, type Relation } from "./schema/relations.ts";
// engine + Db façade
export { Store, BATCHES_TABLE, BATCH_ROWS_TABLE, type ApplyResult, type ApplyOptions } from "./engine/store.ts";
export { mergeWrite, compareClock, emptyRow, isVisible, type Clock, type RowState } from "./engine/merge.ts";
export { checkInsertTargets, type InsertRefusal } from "./engine/insert-targets.ts";
export { MonotonicClock, uuidv7, uuidv7Hex, isUuid } from "./engine/clock.ts";
export { encodeColumn, decodeColumn, encodeInsert, encodeUpdate, decodeRow, type AppHooks, type TableHooks } from "./engine/encoding.ts";
export {
  UnknownTableError,
  UnknownColumnError,
  MissingColumnError,
  InvalidValueError,
  InvalidIdError,
  ObjectExistsError,
  RowNotFoundError,
  InvalidSchemaError,
} from "./engine/errors.ts";
export { Db } from "./db/db.ts";
export { checkServerUrl, createDbFromParts } from "./db/create.ts";
export { ADMIN_PRINCIPAL } from "./db/auth.ts";
export { AnonymousWriteDeniedError, PersistedWriteRejectedError, DbConfigError, DbClosedError, ScopeClosedError, QueryRefusedError, MissingDependencyError } from "./db/errors.ts";
export type { DbConfig, DbOptions, WriteHandle, WriteResult, WaitOptions, InsertOptions, UpdateOptions, UpsertOptions, QueryOptions, MutationErrorEvent } from "./db/types.ts";
export type { BatchScope, TransactionScope, DbBatchScope, DbTransactionScope, DbDirectBatch, DbTransaction, TableArg } from "./db/scope.ts";
export { startDevtoolsBridge, DEVTOOLS_CHANNEL, DevtoolsBridgeError, type DevtoolsTransport } from "./devtools/bridge.ts";
export type { ActiveQuerySubscriptionTrace } from "./devtools/trace.ts";
export { JazzError } from "./errors/base.ts";
export * from "./files/index.ts";
export { bytesToBase64, base64ToBytes } from "./schema/values.ts";
export { dataBranch, DEFAULT_ENV, DEFAULT_USER_BRANCH } from "./sync/url.ts";
