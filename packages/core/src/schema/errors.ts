/** Thrown when a schema definition is invalid (bad column or table name, unknown ref, ...). */
export class SchemaError extends Error {
  override name = "SchemaError";
}
