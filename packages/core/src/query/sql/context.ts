// Shared compile state: the schema, the policy hook, and a fresh-alias counter.

import type { RuntimeSchema, TableSchema } from "../../schema/runtime.ts";
import type { SqlValue } from "../../sql/driver.ts";
import { visibleRowPredicate } from "../../engine/layout.ts";
import { QueryError } from "../errors.ts";
import { cat, type Frag } from "./frag.ts";

export type PolicyOp = "read" | "update" | "delete";

/**
 * Row-level policy hook (plugged in by the permissions compiler). Returns a SQL predicate over
 * the row aliased `alias` (with its own `?` params), or null when the operation is unrestricted.
 * The read predicate is AND-ed into every table access (main table, includes, hops, gathers).
 */
export type PolicyHook = (table: string, op: PolicyOp, alias: string) => { sql: string; params: SqlValue[] } | null;

/** Per-column functions that cannot live in the JSON schema (see schema/runtime.ts ColumnHooks). */
export type ReadHooks = Record<string, Record<string, { transform?: { from: (stored: any) => unknown } } | undefined>>;

export interface CompileOptions {
  policy?: PolicyHook;
  /** Applies `transform.from` to decoded column values. */
  hooks?: ReadHooks;
}

export class Ctx {
  private n = 0;
  constructor(
    readonly schema: RuntimeSchema,
    readonly opts: CompileOptions,
  ) {}

  alias(prefix = "t"): string {
    return `${prefix}${this.n++}`;
  }

  table(name: string): TableSchema {
    const t = this.schema.tables[name];
    if (!t)
      throw new QueryError(
        `Unknown table "${name}". Known tables: ${Object.keys(this.schema.tables).join(", ") || "(none)"}.`,
      );
    return t;
  }

  /** The policy predicate for `op`, or null when unrestricted. */
  policy(table: string, op: PolicyOp, alias: string): Frag | null {
    const p = this.opts.policy?.(table, op, alias);
    return p ? { sql: `(${p.sql})`, params: [...p.params] } : null;
  }

  /** Visible and readable: the filter every table access gets. */
  rowFilter(table: string, alias: string): Frag {
    const p = this.policy(table, "read", alias);
    const vis = visibleRowPredicate(alias);
    return p ? cat(vis, " AND ", p) : { sql: vis, params: [] };
  }
}
