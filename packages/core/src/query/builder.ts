// The immutable, typed query builder. Table handles (`app.todos`) are Query instances with no
// conditions; every method returns a new Query. Validation that needs only the schema happens
// here, at build time, with a QueryError that says what to fix.

import type { ColumnHooks, ColumnSchema, RuntimeSchema } from "../schema/runtime.ts";
import { describe } from "../schema/values.ts";
import type { Orderable, SchemaDef, Selectable, TableWhere } from "../schema/types.ts";
import type { RelationName, RelationTarget } from "../schema/relation-types.ts";
import { QueryError } from "./errors.ts";
import type { Condition, IncludeIR, QueryIR, QueryLike } from "./ir.ts";
import { buildIncludes, resolveRelation } from "./include-build.ts";
import type { GatherOptions, IncludeSpec, QueryRow } from "./result-types.ts";
import { buildConditions, GATHER_CURRENT, MAGIC, PROVENANCE } from "./where-build.ts";

export { GATHER_CURRENT, type GatherCurrent } from "./where-build.ts";
export type * from "./result-types.ts";

const GATHER_MAX_DEPTH = 64;

/** What every builder query shares with its app. */
export interface AppContext {
  readonly schema: RuntimeSchema;
  readonly hooks: ColumnHooks;
}

interface QueryState {
  readonly app: AppContext;
  /** The table the query starts from (IR `table`). */
  readonly start: string;
  /** The table of the result rows (after hops). */
  readonly table: string;
  readonly conditions: readonly Condition[];
  readonly orderBy: readonly [string, "asc" | "desc"][];
  readonly limit?: number;
  readonly offset?: number;
  readonly select?: readonly string[];
  readonly includes: readonly IncludeIR[];
  readonly requireIncludes: boolean;
  readonly hops: readonly string[];
  readonly gather?: QueryIR["gather"];
}

export class Query<
  S extends SchemaDef = SchemaDef,
  T extends keyof S & string = keyof S & string,
  Sel extends string = "*",
  Inc = {},
  Req extends boolean = false,
> implements QueryLike<QueryRow<S, T, Sel, Inc, Req>>
{
  declare readonly _rowType?: QueryRow<S, T, Sel, Inc, Req>;
  /** Phantom: lets RowOf/InsertOf/... recover the schema and table from a handle or query. */
  declare readonly _types?: { schema: S; table: T };
  readonly #s: QueryState;

  constructor(state: QueryState) {
    this.#s = state;
  }

  /** @internal Creates the handle for `table` (no conditions). */
  static handle(app: AppContext, table: string): Query<any, any> {
    return new Query({
      app,
      start: table,
      table,
      conditions: [],
      orderBy: [],
      includes: [],
      requireIncludes: false,
      hops: [],
    });
  }

  get _table(): T {
    return this.#s.table as T;
  }
  get _schema(): RuntimeSchema {
    return this.#s.app.schema;
  }
  get _hooks(): ColumnHooks {
    return this.#s.app.hooks;
  }

  _build(): QueryIR {
    const s = this.#s;
    const ir: QueryIR = {
      table: s.start,
      conditions: s.conditions.map((c) => ({ ...c })),
      orderBy: s.orderBy.map(([c, d]) => [c, d]),
      includes: s.includes.map(cloneInclude),
    };
    if (s.limit !== undefined) ir.limit = s.limit;
    if (s.offset !== undefined) ir.offset = s.offset;
    if (s.select) ir.select = [...s.select];
    if (s.requireIncludes) ir.requireIncludes = true;
    if (s.hops.length) ir.hops = [...s.hops];
    if (s.gather) ir.gather = structuredClone(s.gather);
    return ir;
  }

  #with(patch: Partial<QueryState>): any {
    return new Query({ ...this.#s, ...patch });
  }

  #columns(): Record<string, ColumnSchema> {
    return this.#s.app.schema.tables[this.#s.table]!.columns;
  }

  /** Filters rows; keys are AND-ed, and so are chained where() calls. */
  where(cond: TableWhere<S, T>): Query<S, T, Sel, Inc, Req> {
    if (cond === null || typeof cond !== "object" || Array.isArray(cond)) {
      throw new QueryError(`where() takes an object such as { done: false }, got ${describe(cond)}`);
    }
    if (this.#s.hops.length) {
      throw new QueryError(
        `where() after hopTo() is not supported: filter "${this.#s.start}" before hopTo(), or query "${this.#s.table}" directly`,
      );
    }
    const added = buildConditions(this.#columns(), this.#s.table, cond);
    return this.#with({ conditions: [...this.#s.conditions, ...added] });
  }

  /** Narrows the result to these columns ("*" = all; magic columns only when named). */
  select<const K extends readonly Selectable<S, T>[]>(...columns: K): Query<S, T, K[number] & string, Inc, Req> {
    if (columns.length === 0) throw new QueryError('select() needs at least one column, or "*" for all');
    const own = Object.keys(this.#columns());
    const out: string[] = [];
    for (const c of columns as readonly string[]) {
      const expanded = c === "*" ? own : [c];
      if (c !== "*" && c !== "id" && !own.includes(c) && !MAGIC.includes(c)) {
        throw new QueryError(
          `Unknown column "${c}" in select() on table "${this.#s.table}"; known columns: *, id, ${own.join(", ")}, ${MAGIC.join(", ")}`,
        );
      }
      for (const e of expanded) if (e !== "id" && !out.includes(e)) out.push(e);
    }
    return this.#with({ select: out });
  }

  /** Loads related rows: `{ rel: true | { nested } | app.other.where(...) }`. */
  include<const I extends IncludeSpec<S, T>>(
    spec: I & { [K in Exclude<keyof I, RelationName<S, T>>]: never },
  ): Query<S, T, Sel, Inc & I, Req> {
    const added = buildIncludes(this.#s.app.schema, this.#s.table, spec as Record<string, unknown>);
    const kept = this.#s.includes.filter((i) => !added.some((a) => a.relation === i.relation));
    return this.#with({ includes: [...kept, ...added] });
  }

  /** Forward includes of non-null FKs become non-null (rows whose include is missing drop out). */
  requireIncludes(): Query<S, T, Sel, Inc, true> {
    return this.#with({ requireIncludes: true });
  }

  /** Sorts by a column (chain for ties); default direction "asc". */
  orderBy(column: Orderable<S, T>, direction: "asc" | "desc" = "asc"): Query<S, T, Sel, Inc, Req> {
    const own = this.#columns();
    if (column !== "id" && !Object.hasOwn(own, column) && !PROVENANCE.includes(column)) {
      throw new QueryError(
        `Unknown column "${column}" in orderBy() on table "${this.#s.table}"; use id, a column (${Object.keys(own).join(", ")}) or ${PROVENANCE.join(", ")}`,
      );
    }
    if (direction !== "asc" && direction !== "desc") {
      throw new QueryError(`orderBy() direction must be "asc" or "desc", got ${describe(direction)}`);
    }
    return this.#with({ orderBy: [...this.#s.orderBy, [column, direction]] });
  }

  limit(n: number): Query<S, T, Sel, Inc, Req> {
    return this.#with({ limit: nonNegativeInt("limit", n) });
  }

  offset(n: number): Query<S, T, Sel, Inc, Req> {
    return this.#with({ offset: nonNegativeInt("offset", n) });
  }

  /** Moves to the rows a relation points at; the result becomes the target table. */
  hopTo<R extends RelationName<S, T>>(relation: R): Query<S, RelationTarget<S, T, R>> {
    const s = this.#s;
    if (s.gather) throw new QueryError("hopTo() cannot follow gather(); the compiler supports one or the other");
    const rel = resolveRelation(s.app.schema, s.table, relation, "hopTo");
    const set = [
      s.orderBy.length && "orderBy()",
      s.limit !== undefined && "limit()",
      s.offset !== undefined && "offset()",
      s.select && "select()",
      s.includes.length && "include()",
      s.requireIncludes && "requireIncludes()",
    ].filter(Boolean);
    if (set.length) {
      throw new QueryError(`hopTo() must come before ${set.join(", ")}: those apply to the rows hopTo() returns`);
    }
    return this.#with({ table: rel.toTable, hops: [...s.hops, relation] });
  }

  /**
   * Transitive closure: starting from `start` (default: this query), repeatedly apply `step` to
   * each newly reached row, up to maxDepth steps. Later where()/orderBy()/... apply to the result.
   */
  gather(options: GatherOptions<T>): Query<S, T, Sel, Inc, Req> {
    const s = this.#s;
    if (!options || typeof options.step !== "function") {
      throw new QueryError("gather() needs { step: ({ current }) => query }");
    }
    if (s.gather) throw new QueryError("gather() can be used once per query");
    if (s.hops.length || s.orderBy.length || s.limit !== undefined || s.offset !== undefined || s.select || s.includes.length) {
      throw new QueryError("gather() must come before hopTo(), orderBy(), limit(), offset(), select() and include()");
    }
    const maxDepth = options.maxDepth ?? 10;
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > GATHER_MAX_DEPTH) {
      throw new QueryError(`gather() maxDepth must be an integer from 1 to ${GATHER_MAX_DEPTH}, got ${describe(maxDepth)}`);
    }
    const start = options.start ?? this;
    if (start._table !== s.table) {
      throw new QueryError(`gather() start must return rows of "${s.table}", but it queries "${start._table}"`);
    }
    const step = options.step({ current: GATHER_CURRENT });
    if (!step || typeof step._build !== "function") throw new QueryError("gather() step must return a query");
    if (step._table !== s.table) {
      throw new QueryError(`gather() step must return rows of "${s.table}" (end it with hopTo(...)), but it returns "${step._table}"`);
    }
    return this.#with({ conditions: [], gather: { start: start._build(), step: step._build(), maxDepth } });
  }
}

// ---- helpers ----

function cloneInclude(i: IncludeIR): IncludeIR {
  return { relation: i.relation, query: structuredClone(i.query) };
}

function nonNegativeInt(method: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new QueryError(`${method}() takes a non-negative integer, got ${describe(n)}`);
  }
  return n;
}

