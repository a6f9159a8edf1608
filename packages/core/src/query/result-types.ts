// Type-level results of builder queries: include specs and their output, the row of a query,
// and the helper types behind s.RowOf / s.InsertOf / s.WhereOf / s.TableMetaOf.

import type {
  MagicColumn,
  SchemaDef,
  SelectedRow,
  Simplify,
  TableInsert,
  TableRow,
  TableUpdate,
  TableWhere,
} from "../schema/types.ts";
import type { RelationMeta, RelationName, Relations, RelationTarget } from "../schema/relation-types.ts";
import type { QueryLike } from "./ir.ts";
import type { GatherCurrent } from "./where-build.ts";

/** The include({...}) argument for table T: per relation, true, a nested spec, or a query. */
export type IncludeSpec<S extends SchemaDef, T extends keyof S & string> = {
  [R in RelationName<S, T>]?:
    | boolean
    | IncludeSpec<S, RelationTarget<S, T, R>>
    | (QueryLike<any> & { readonly _table: RelationTarget<S, T, R> });
};

type IncludedRow<S extends SchemaDef, Target extends keyof S & string, V, Req extends boolean> =
  V extends QueryLike<infer Row>
    ? Row
    : V extends true
      ? TableRow<S, Target>
      : Simplify<Omit<TableRow<S, Target>, keyof IncludeOut<S, Target, V, Req>> & IncludeOut<S, Target, V, Req>>;

type Cardinality<M, Row, Req extends boolean> = M extends RelationMeta<any, infer Many, infer Nullable>
  ? Many extends true
    ? Row[]
    : Req extends true
      ? Nullable extends true
        ? Row | null
        : Row
      : Row | null
  : never;

export type IncludeOut<S extends SchemaDef, T extends keyof S & string, Inc, Req extends boolean> = {
  [R in keyof Inc & RelationName<S, T> as Inc[R] extends false | undefined ? never : R]: Cardinality<
    Relations<S, T>[R],
    IncludedRow<S, RelationTarget<S, T, R>, Inc[R], Req>,
    Req
  >;
};

/** The result row of a query: the selected columns, with includes replacing same-named keys. */
export type QueryRow<S extends SchemaDef, T extends keyof S & string, Sel extends string, Inc, Req extends boolean> =
  {} extends Inc
    ? SelectedRow<S, T, Sel>
    : Simplify<Omit<SelectedRow<S, T, Sel>, keyof IncludeOut<S, T, Inc, Req>> & IncludeOut<S, T, Inc, Req>>;

export interface GatherOptions<T extends string> {
  /** Seed rows: a query of this table or a where-object on it; defaults to the query gather() is called on. */
  start?: (QueryLike<any> & { readonly _table: T }) | Record<string, unknown>;
  /** One expansion step from the row `current` to the next rows (of the same table). */
  step: (ctx: { current: GatherCurrent }) => QueryLike<any> & { readonly _table: T };
  /** How many steps at most (default 10, at most 64). */
  maxDepth?: number;
}

type TypesOf<Q> = Q extends { readonly _types?: { schema: infer S extends SchemaDef; table: infer T extends string } }
  ? { schema: S; table: T & keyof S & string }
  : never;

/** True when Q is a builder query/handle (so its schema and table are known to the types). */
type IsTyped<Q> = [TypesOf<Q>] extends [never] ? false : true;

/**
 * The result row of a handle (`{ id, ...columns }`) or of any query (with its select/includes).
 * For an untyped QueryLike it is `Record<string, unknown>`; the other helpers fall back likewise.
 */
export type RowOf<Q> = IsTyped<Q> extends true
  ? Q extends { readonly _rowType?: infer R }
    ? Exclude<R, undefined>
    : never
  : Q extends QueryLike<infer R>
    ? unknown extends R
      ? Record<string, unknown>
      : R
    : Record<string, unknown>;
export type InsertOf<Q> = IsTyped<Q> extends true
  ? TableInsert<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export type UpdateOf<Q> = IsTyped<Q> extends true
  ? TableUpdate<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export type WhereOf<Q> = IsTyped<Q> extends true
  ? TableWhere<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export interface TableMeta<S extends SchemaDef, T extends keyof S & string> {
  name: T;
  row: TableRow<S, T>;
  insert: TableInsert<S, T>;
  update: TableUpdate<S, T>;
  where: TableWhere<S, T>;
  relations: Simplify<Relations<S, T>>;
}
export type TableMetaOf<Q> = TableMeta<TypesOf<Q>["schema"], TypesOf<Q>["table"]>;
export type { MagicColumn };
