// `s.table({...})`: an ordered set of columns. Column order is significant (schema hash, layout).

import { Column, type AnyColumn } from "./columns.ts";
import { SchemaError } from "./errors.ts";

export type ColumnsDef = Record<string, AnyColumn>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertIdentifier(what: string, name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new SchemaError(
      `${what} ${JSON.stringify(name)} is not a valid identifier; use letters, digits and _ (not starting with a digit)`,
    );
  }
}

export class TableDef<C extends ColumnsDef = ColumnsDef> {
  readonly columns: Readonly<C>;
  readonly _indexOnly: readonly string[] | undefined;

  constructor(columns: C, indexOnly?: readonly string[]) {
    this.columns = Object.freeze({ ...columns });
    this._indexOnly = indexOnly && Object.freeze([...indexOnly]);
  }

  /** Index only these columns instead of every indexable one. */
  indexOnly(columns: readonly (keyof C & string)[]): TableDef<C> {
    if (!Array.isArray(columns)) throw new SchemaError(".indexOnly() takes an array of column names");
    for (const c of columns) {
      if (!Object.hasOwn(this.columns, c)) {
        throw new SchemaError(
          `.indexOnly(): unknown column ${JSON.stringify(c)}; known columns: ${Object.keys(this.columns).join(", ")}`,
        );
      }
    }
    return new TableDef(this.columns, columns);
  }
}

export type AnyTableDef = TableDef<any>;

export function table<const C extends ColumnsDef>(columns: C): TableDef<C> {
  if (columns === null || typeof columns !== "object" || Array.isArray(columns)) {
    throw new SchemaError("s.table() takes an object of columns, e.g. s.table({ title: s.string() })");
  }
  for (const [name, col] of Object.entries(columns)) {
    if (name.startsWith("$")) {
      throw new SchemaError(`Column name ${JSON.stringify(name)} is reserved: names starting with "$" are magic columns; rename it`);
    }
    if (name === "id") {
      throw new SchemaError('Column name "id" is reserved: every row has an implicit id; remove or rename the column');
    }
    assertIdentifier("Column name", name);
    if (!(col instanceof Column)) {
      throw new SchemaError(`Column ${JSON.stringify(name)} is not a column definer; use s.string(), s.int(), ...`);
    }
  }
  return new TableDef(columns);
}
