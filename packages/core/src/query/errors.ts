import { JazzError } from "../errors/base.ts";

/** Thrown when a query is built wrongly (unknown column or relation, operator not allowed, ...). */
export class QueryError extends JazzError {
  readonly code: string = "query";
  override name = "QueryError";
}
