// The one seam between the engine and a concrete SQLite. Synchronous on purpose: the UI-thread
// mirror (wa-sqlite sync build, our own C-export binding), Node (better-sqlite3) and the server
// all implement it, so one engine and one SQL compiler serve every replica.

export type SqlValue = string | number | bigint | Uint8Array | null;

export interface SqlDriver {
  /** Run one or more statements with no parameters and no result. */
  exec(sql: string): void;
  /**
   * Run one statement; returns the number of changed rows. Implementations cache statements.
   * `params[i]` binds parameter i + 1: a plain `?` in order, or `?NNN` by number (the engine
   * uses `?NNN` to bind a value shared by many rows once).
   */
  run(sql: string, params?: readonly SqlValue[]): number;
  /** Run one query; rows as arrays of column values, in select order. */
  all(sql: string, params?: readonly SqlValue[]): SqlValue[][];
  /** Serialize the whole main database (used to hydrate a mirror). Optional. */
  serialize?(): Uint8Array;
  /** Replace the main database with an image produced by serialize(). Optional. */
  deserialize?(image: Uint8Array): void;
  close(): void;
}
