// Type-level views of a schema definition: rows, inserts, updates and where-inputs per table.
// Rows and inserts use the app type (after .transform); filters use the stored type, because
// filters run in SQL on stored values.

import type { AnyColumn } from "./columns.ts";
import type { AnyTableDef } from "./table.ts";

export type SchemaDef = Record<string, AnyTableDef>;

/** Flattens intersections so rows display (and compare) as one object type. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type ColumnsOf<S extends SchemaDef, T extends keyof S> = S[T]["columns"];

type RowValue<C extends AnyColumn> = C["_optional"] extends true ? C["_app"] | null : C["_app"];

/** `{ id, ...columns }`; optional columns read `T | null`. */
export type TableRow<S extends SchemaDef, T extends keyof S> = Simplify<
  { id: string } & { -readonly [K in keyof ColumnsOf<S, T>]: RowValue<ColumnsOf<S, T>[K]> }
>;

type RequiredInsertKeys<C> = {
  [K in keyof C]: C[K] extends AnyColumn
    ? C[K]["_optional"] extends true
      ? never
      : C[K]["_hasDefault"] extends true
        ? never
        : K
    : never;
}[keyof C];

/** The insert shape: no id; optional and defaulted columns are optional keys. */
export type TableInsert<S extends SchemaDef, T extends keyof S> = Simplify<
  { -readonly [K in RequiredInsertKeys<ColumnsOf<S, T>>]: ColumnsOf<S, T>[K]["_app"] } & {
    -readonly [K in Exclude<keyof ColumnsOf<S, T>, RequiredInsertKeys<ColumnsOf<S, T>>>]?: RowValue<
      ColumnsOf<S, T>[K]
    >;
  }
>;

/** The update shape: any subset of the insert's columns. */
export type TableUpdate<S extends SchemaDef, T extends keyof S> = Simplify<{
  -readonly [K in keyof ColumnsOf<S, T>]?: RowValue<ColumnsOf<S, T>[K]>;
}>;

// ---- where inputs ----

type NullIf<C extends AnyColumn> = C["_optional"] extends true ? null : never;
type IsNullOp<C extends AnyColumn> = C["_optional"] extends true ? { isNull?: boolean } : {};
type EqOps<V, C extends AnyColumn> = { eq?: V | NullIf<C>; ne?: V | NullIf<C> };
type Compare<V> = { gt?: V; gte?: V; lt?: V; lte?: V };
type ElementOf<V> = V extends readonly (infer E)[] ? E : never;
type TimeValue = Date | number;

type OpsFor<C extends AnyColumn, K, V> = K extends "string"
  ? EqOps<V, C> & { contains?: string; in?: readonly V[] }
  : K extends "boolean"
    ? {}
    : K extends "int" | "float"
      ? EqOps<V, C> & Compare<number>
      : K extends "timestamp"
        ? EqOps<TimeValue, C> & Compare<TimeValue>
        : K extends "ref" | "enum" | "json"
          ? EqOps<V, C> & { in?: readonly V[] }
          : K extends "bytes"
            ? EqOps<V, C>
            : K extends "array"
              ? EqOps<V, C> & { contains?: ElementOf<V> }
              : never;

type PlainValue<K, V> = K extends "timestamp" ? TimeValue : V;

type OpsObject<C extends AnyColumn> = OpsFor<C, C["_kind"], C["_stored"]> & IsNullOp<C>;

/** What `where({ col: ... })` accepts for one column: a plain value (= eq) or operators. */
export type ColumnWhere<C extends AnyColumn> =
  | PlainValue<C["_kind"], C["_stored"]>
  | NullIf<C>
  | ([keyof OpsObject<C>] extends [never] ? never : Simplify<OpsObject<C>>);

type StringOps = { eq?: string; ne?: string; in?: readonly string[]; contains?: string };
type TimeOps = { eq?: TimeValue; ne?: TimeValue } & Compare<TimeValue>;

export interface MagicWhere {
  $createdBy?: string | StringOps;
  $updatedBy?: string | StringOps;
  $createdAt?: TimeValue | Simplify<TimeOps>;
  $updatedAt?: TimeValue | Simplify<TimeOps>;
  $canRead?: boolean;
  $canEdit?: boolean;
  $canDelete?: boolean;
}

export type IdWhere = string | { eq?: string; ne?: string; in?: readonly string[] };

/** The `where(...)` input for a table: every key optional, all AND-ed. */
export type TableWhere<S extends SchemaDef, T extends keyof S> = Simplify<
  { id?: IdWhere } & { [K in keyof ColumnsOf<S, T>]?: ColumnWhere<ColumnsOf<S, T>[K]> } & MagicWhere
>;

// ---- magic columns in results ----

export interface MagicColumnTypes {
  $createdBy: string;
  $createdAt: Date;
  $updatedBy: string;
  $updatedAt: Date;
  $canRead: boolean | null;
  $canEdit: boolean | null;
  $canDelete: boolean | null;
}
export type MagicColumn = keyof MagicColumnTypes;
export type ProvenanceColumn = "$createdBy" | "$createdAt" | "$updatedBy" | "$updatedAt";

export type Selectable<S extends SchemaDef, T extends keyof S> =
  | "*"
  | "id"
  | (keyof ColumnsOf<S, T> & string)
  | MagicColumn;

export type Orderable<S extends SchemaDef, T extends keyof S> =
  | "id"
  | (keyof ColumnsOf<S, T> & string)
  | ProvenanceColumn;

/** The row for a selection: "*" = every column; magic columns only when named. */
export type SelectedRow<S extends SchemaDef, T extends keyof S, Sel extends string> = "*" extends Sel
  ? Simplify<TableRow<S, T> & Pick<MagicColumnTypes, Sel & MagicColumn>>
  : Simplify<
      { id: string } & Pick<TableRow<S, T>, Sel & keyof TableRow<S, T>> & Pick<MagicColumnTypes, Sel & MagicColumn>
    >;
