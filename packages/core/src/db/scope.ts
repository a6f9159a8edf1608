// Public shapes of batch / transaction scopes (reference §2.2).

import type { QueryLike } from "../query/ir.ts";
import type { InsertOptions, QueryOptions, UpdateOptions, UpsertOptions, WriteHandle } from "./types.ts";

import type { InsertOf, RowOf, UpdateOf } from "../query/builder.ts";

export type TableArg<Row = any> = QueryLike<Row> | string;
/** The row a write returns: typed for app handles, a plain record for table names. */
export type RowOfTable<T> = RowOf<T>;
/** Insert data: required columns required, optional/defaulted ones optional (typed handles). */
export type InsertData<T> = InsertOf<T>;
/** Update / upsert data: any subset of the columns. */
export type UpdateData<T> = UpdateOf<T>;

/** What a `db.batch(cb)` / `db.transaction(cb)` callback receives. */
export interface BatchScope {
  batchId(): string;
  insert<T extends TableArg>(table: T, data: InsertData<T>, options?: InsertOptions): RowOfTable<T>;
  update<T extends TableArg>(table: T, id: string, data: UpdateData<T>, options?: UpdateOptions): void;
  delete(table: TableArg, id: string): void;
  upsert<T extends TableArg>(table: T, data: UpdateData<T>, options: UpsertOptions): void;
  all<R>(query: QueryLike<R>, options?: QueryOptions): Promise<R[]>;
  one<R>(query: QueryLike<R>, options?: QueryOptions): Promise<R | null>;
}
export type TransactionScope = BatchScope;
export type DbBatchScope = BatchScope;
export type DbTransactionScope = BatchScope;

/** `db.beginBatch()` / `db.beginTransaction()`: a scope you commit or roll back yourself. */
export interface DbDirectBatch extends BatchScope {
  commit(): WriteHandle;
  rollback(): void;
}
export type DbTransaction = DbDirectBatch;
