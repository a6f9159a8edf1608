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

function isQueryLike(v: unknown): v is QueryLike<any> & { readonly _table: string } {
  return typeof v === "object" && v !== null && typeof (v as { _build?: unknown })._build === "function";
}

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
  /**
   * @internal The query's state. A plain property and a frozen instance (no #private fields), so
   * a query still works when a framework wraps it in a Proxy (Vue skips frozen objects).
   */
  readonly _state: QueryState;

  constructor(state: QueryState) {
    this._state = state;
    Object.freeze(this);
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
    return this._state.table as T;
  }
  get _schema(): RuntimeSchema {
    return this._state.app.schema;
  }
  get _hooks(): ColumnHooks {
    return this._state.app.hooks;
  }

  _build(): QueryIR {
    const s = this._state;
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


  /** Filters rows; keys are AND-ed, and so are chained where() calls. */
  where(cond: TableWhere<S, T>): Query<S, T, Sel, Inc, Req> {
    if (cond === null || typeof cond !== "object" || Array.isArray(cond)) {
      throw new QueryError(`where() takes an object such as { done: false }, got ${describe(cond)}`);
    }
    if (this._state.hops.length) {
      throw new QueryError(
        `where() after hopTo() is not supported: filter "${this._state.start}" before hopTo(), or query "${this._state.table}" directly`,
      );
    }
    const added = buildConditions(columnsOf(this._state), this._state.table, cond);
    return derive(this._state, { conditions: [...this._state.conditions, ...added] });
  }

  /** Narrows the result to these columns ("*" = all; magic columns only when named). */
  select<const K extends readonly Selectable<S, T>[]>(...columns: K): Query<S, T, K[number] & string, Inc, Req> {
    if (columns.length === 0) throw new QueryError('select() needs at least one column, or "*" for all');
    const own = Object.keys(columnsOf(this._state));
    const out: string[] = [];
    for (const c of columns as readonly string[]) {
      const expanded = c === "*" ? own : [c];
      if (c !== "*" && c !== "id" && !own.includes(c) && !MAGIC.includes(c)) {
        throw new QueryError(
          `Unknown column "${c}" in select() on table "${this._state.table}"; known columns: *, id, ${own.join(", ")}, ${MAGIC.join(", ")}`,
        );
      }
      for (const e of expanded) if (e !== "id" && !out.includes(e)) out.push(e);
    }
    return derive(this._state, { select: out });
  }

  /** Loads related rows: `{ rel: true | { nested } | app.other.where(...) }`. */
  include<const I extends IncludeSpec<S, T>>(
    spec: I & { [K in Exclude<keyof I, RelationName<S, T>>]: never },
  ): Query<S, T, Sel, Inc & I, Req> {
    const added = buildIncludes(this._state.app.schema, this._state.table, spec as Record<string, unknown>);
    const kept = this._state.includes.filter((i) => !added.some((a) => a.relation === i.relation));
    return derive(this._state, { includes: [...kept, ...added] });
  }

  /** Forward includes of non-null FKs become non-null (rows whose include is missing drop out). */
  requireIncludes(): Query<S, T, Sel, Inc, true> {
    return derive(this._state, { requireIncludes: true });
  }

  /** Sorts by a column (chain for ties); default direction "asc". */
  orderBy(column: Orderable<S, T>, direction: "asc" | "desc" = "asc"): Query<S, T, Sel, Inc, Req> {
    const own = columnsOf(this._state);
    if (column !== "id" && !Object.hasOwn(own, column) && !PROVENANCE.includes(column)) {
      throw new QueryError(
        `Unknown column "${column}" in orderBy() on table "${this._state.table}"; use id, a column (${Object.keys(own).join(", ")}) or ${PROVENANCE.join(", ")}`,
      );
    }
    const kind = Object.hasOwn(own, column) ? own[column]!.type.kind : null;
    if (kind === "bytes" || kind === "json") {
      throw new QueryError(`orderBy() cannot sort by "${column}": ${kind} columns have no order; sort by another column`);
    }
    if (direction !== "asc" && direction !== "desc") {
      throw new QueryError(`orderBy() direction must be "asc" or "desc", got ${describe(direction)}`);
    }
    return derive(this._state, { orderBy: [...this._state.orderBy, [column, direction]] });
  }

  limit(n: number): Query<S, T, Sel, Inc, Req> {
    return derive(this._state, { limit: nonNegativeInt("limit", n) });
  }

  offset(n: number): Query<S, T, Sel, Inc, Req> {
    return derive(this._state, { offset: nonNegativeInt("offset", n) });
  }

  /** Moves to the rows a relation points at; the result becomes the target table. */
  hopTo<R extends RelationName<S, T>>(relation: R): Query<S, RelationTarget<S, T, R>> {
    const s = this._state;
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
    return derive(this._state, { table: rel.toTable, hops: [...s.hops, relation] });
  }

  /**
   * Transitive closure: starting from `start` (default: this query), repeatedly apply `step` to
   * each newly reached row, up to maxDepth steps. Later where()/orderBy()/... apply to the result.
   */
  gather(options: GatherOptions<T>): Query<S, T, Sel, Inc, Req> {
    const s = this._state;
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
    // `start` is a query or, as in the reference, a where-object on this table.
    const start = options.start === undefined ? this : isQueryLike(options.start) ? options.start : this.where(options.start as never);
    if (start._table !== s.table) {
      throw new QueryError(`gather() start must return rows of "${s.table}", but it queries "${start._table}"`);
    }
    const step = options.step({ current: GATHER_CURRENT });
    if (!step || typeof step._build !== "function") throw new QueryError("gather() step must return a query");
    if (step._table !== s.table) {
      throw new QueryError(`gather() step must return rows of "${s.table}" (end it with hopTo(...)), but it returns "${step._table}"`);
    }
    return derive(this._state, { conditions: [], gather: { start: start._build(), step: step._build(), maxDepth } });
  }
}

// ---- helpers ----

function derive(state: QueryState, patch: Partial<QueryState>): any {
  return new Query({ ...state, ...patch });
}

function columnsOf(state: QueryState): Record<string, ColumnSchema> {
  return state.app.schema.tables[state.table]!.columns;
}

function cloneInclude(i: IncludeIR): IncludeIR {
  return { relation: i.relation, query: structuredClone(i.query) };
}

function nonNegativeInt(method: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new QueryError(`${method}() takes a non-negative integer, got ${describe(n)}`);
  }
  return n;
}

