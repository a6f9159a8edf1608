// Errors the Db throws or rejects with. Texts follow the reference where it has one.

import { JazzError } from "../errors/base.ts";

/**
 * Kept for the reference's API: neither the Db nor the server throws it. Anonymous sessions
 * write like any other; permissions decide (the reference's production path does the same).
 */
export class AnonymousWriteDeniedError extends JazzError {
  readonly code: string = "anonymous_write_denied";
  override name = "AnonymousWriteDeniedError";
  constructor(readonly table: string, readonly op: "insert" | "update" | "delete" = "insert") {
    super(`anonymous session cannot ${op} on table ${table}. Sign in (pass \`secret\`, \`jwtToken\` or \`cookieSession\` to createDb) to write.`);
  }
}

export class PersistedWriteRejectedError extends JazzError {
  override name = "PersistedWriteRejectedError";
  constructor(readonly batchId: string, readonly code: string, readonly reason: string) {
    super(`Persisted batch ${batchId} was rejected (${code}): ${reason}`);
  }
}

export class DbConfigError extends JazzError {
  readonly code: string = "db_config";
  override name = "DbConfigError";
}

export class DbClosedError extends JazzError {
  readonly code: string = "db_closed";
  override name = "DbClosedError";
  constructor() {
    super("This Db has been shut down; create a new one with createDb().");
  }
}

export class ScopeClosedError extends JazzError {
  readonly code: string = "scope_closed";
  override name = "ScopeClosedError";
  constructor(what: string) {
    super(`This ${what} was already committed or rolled back; begin a new one.`);
  }
}

/** The sync server refused a synced query (e.g. a table or column it does not have). */
export class QueryRefusedError extends JazzError {
  readonly code: string = "query_refused";
  override name = "QueryRefusedError";
  constructor(readonly table: string, readonly reason: string) {
    super(`The sync server refused the query on table "${table}": ${reason}. Check that the server's schema (jazz-tools deploy) has this table and columns.`);
  }
}

/** An optional dependency that this code path needs is not installed (e.g. better-sqlite3 on Node). */
export class MissingDependencyError extends JazzError {
  override name = "MissingDependencyError";
  readonly code = "missing_dependency";
  constructor(readonly packageName: string, purpose: string) {
    super(`${purpose} needs the package "${packageName}", which is not installed. Install it: npm install ${packageName} (or pnpm add ${packageName}).`);
  }
}
