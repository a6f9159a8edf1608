// Named errors for bad writes. Each message says what to fix; a write that throws one leaves
// the database unchanged.

import { JazzError } from "../errors/base.ts";

export class UnknownTableError extends JazzError {
  readonly code: string = "unknown_table";
  override name = "UnknownTableError";
  constructor(readonly table: string, known: string[]) {
    super(`Unknown table "${table}". Known tables: ${known.join(", ") || "(none)"}. Declare it with s.table() in your schema.`);
  }

  /** A Db method got something that is not a table handle or query (often `app.<missing>`). */
  static notATable(got: unknown, known: string[]): UnknownTableError {
    const e = new UnknownTableError(String(got), known);
    e.message =
      `Expected a table handle or query (app.<table>), got ${got === null ? "null" : typeof got === "object" ? "an object without a table" : String(got)}: ` +
      `app.<name> is undefined when <name> is not a table of the app. Known tables: ${known.join(", ") || "(none)"}.`;
    return e;
  }
}

export class UnknownColumnError extends JazzError {
  readonly code: string = "unknown_column";
  override name = "UnknownColumnError";
  constructor(readonly table: string, readonly column: string, known: string[]) {
    super(`Unknown column "${column}" on table "${table}". Known columns: ${known.join(", ")}.`);
  }
}

export class MissingColumnError extends JazzError {
  readonly code: string = "missing_column";
  override name = "MissingColumnError";
  constructor(readonly table: string, readonly column: string) {
    super(`Missing required column "${column}" on table "${table}": give it a value, or declare it .optional() or .default(...).`);
  }
}

export class InvalidValueError extends JazzError {
  readonly code: string = "invalid_value";
  override name = "InvalidValueError";
  constructor(readonly table: string, readonly column: string, problem: string) {
    super(`Invalid value for "${table}.${column}": ${problem}`);
  }
}

export class InvalidIdError extends JazzError {
  readonly code: string = "invalid_id";
  override name = "InvalidIdError";
  constructor(readonly id: unknown) {
    super(`Invalid row id ${JSON.stringify(id)}: ids must be UUID strings (e.g. 0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d); omit the id to get a UUIDv7.`);
  }
}

export class ObjectExistsError extends JazzError {
  readonly code: string = "object_exists";
  override name = "ObjectExistsError";
  constructor(readonly table: string, readonly id: string) {
    super(`Insert failed on table ${table}: object already exists (id ${id}). Use update() or upsert() to change an existing row.`);
  }
}

export class RowNotFoundError extends JazzError {
  readonly code: string = "row_not_found";
  override name = "RowNotFoundError";
  constructor(readonly table: string, readonly id: string, op: string) {
    super(`${op} failed on table ${table}: no row with id ${id} (it does not exist or was deleted).`);
  }
}

export class InvalidSchemaError extends JazzError {
  readonly code: string = "invalid_schema";
  override name = "InvalidSchemaError";
}
