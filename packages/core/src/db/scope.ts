// Public shapes of batch / transaction scopes (reference §2.2).

import type { QueryLike } from "../query/ir.ts";
import type { InsertOptions, QueryOptions, UpdateOptions, UpsertOptions, WriteHandle } from "./types.ts";

export type TableArg<Row = any> = QueryLike<Row> | string;
export type RowOfTable<T> = T extends QueryLike<infer R> ? R : Record<string, unknown>;
/** Insert data: loosely typed here; the typed app handles narrow it through their Row type. */
export type InsertData<T> = Partial<Omit<RowOfTable<T>, "id">> & Record<string, unknown>;

/** What a `db.batch(cb)` / `db.transaction(cb)` callback receives. */
export interface BatchScope {
  batchId(): string;
  insert<T extends TableArg>(table: T, data: InsertData<T>, options?: InsertOptions): RowOfTable<T>;
  update<T extends TableArg>(table: T, id: string, data: InsertData<T>, options?: UpdateOptions): void;
  delete(table: TableArg, id: string): void;
  upsert<T extends TableArg>(table: T, data: InsertData<T>, options: UpsertOptions): void;
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
