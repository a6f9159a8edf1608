/** Thrown when a query is built wrongly (unknown column or relation, operator not allowed, ...). */
export class QueryError extends Error {
  override name = "QueryError";
}
