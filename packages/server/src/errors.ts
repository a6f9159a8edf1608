// Named errors the server and CLI raise. The CLI turns a UsageError into one line on stderr and
// exit code 2; everything else is a bug or an environment failure (exit 1).

import { JazzError } from "@jazz-tools/core";

export class UsageError extends JazzError {
  readonly code: string = "usage";
  override name = "UsageError";
}

/** The data directory cannot be created, written or opened as a database. */
export class DataDirError extends UsageError {
  override readonly code: string = "data_dir";
  override name = "DataDirError";
}

/** A credential was refused; `reason` is what the client sees in getAuthState().error. */
export class AuthError extends JazzError {
  readonly code: string = "auth";
  override name = "AuthError";
  constructor(
    readonly reason: "expired" | "invalid" | "missing" | "disabled",
    message: string,
  ) {
    super(message);
  }
}

/** Schema publish refused (production without admin secret, or an incompatible change). */
export class SchemaPublishError extends JazzError {
  readonly code: string = "schema_publish";
  override name = "SchemaPublishError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A live query whose evaluation took longer than the server's per-query budget. */
export class QueryBudgetError extends JazzError {
  override name = "QueryBudgetError";
  readonly code = "query_too_slow";
  constructor(
    readonly ms: number,
    readonly budgetMs: number,
  ) {
    super(`the query took ${Math.round(ms)} ms to evaluate, over the server's budget of ${budgetMs} ms per query (--max-query-ms); narrow it (a where on an indexed column, a limit) or ask the operator to raise the budget`);
  }
}
