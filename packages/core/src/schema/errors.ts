import { JazzError } from "../errors/base.ts";

/** Thrown when a schema definition is invalid (bad column or table name, unknown ref, ...). */
export class SchemaError extends JazzError {
  readonly code: string = "schema";
  override name = "SchemaError";
}
