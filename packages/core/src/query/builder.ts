// The immutable, typed query builder. Table handles (`app.todos`) are Query instances with no
// conditions; every method returns a new Query. Validation that needs only the schema happens
// here, at build time, with a QueryError that says what to fix.

import type { ColumnHooks, ColumnSchema, ColumnType, RuntimeSchema } from "../schema/runtime.ts";
import { allRelations, type Relation } from "../schema/relations.ts";
import { describe, describeValueMismatch, encodeIrValue } from "../schema/values.ts";
import type {
  MagicColumn,
  Orderable,
  SchemaDef,
  Selectable,
  SelectedRow,
  Simplify,
  TableInsert,
  TableRow,
  TableUpdate,
  TableWhere,
} from "../schema/types.ts";
import type { RelationMeta, RelationName, Relations, RelationTarget } from "../schema/relation-types.ts";
import { QueryError } from "./errors.ts";
import type { Condition, IncludeIR, Op, QueryIR, QueryLike } from "./ir.ts";

/**
 * The `current` value handed to a gather step: use it as a where value (`{ parentId: current }`).
 * It is encoded in the IR as `{ $current: true }`, meaning "the id of the row being expanded".
 */
export const GATHER_CURRENT = Object.freeze({ $current: true }) as unknown as string & { readonly __gatherCurrent: true };
export type GatherCurrent = typeof GATHER_CURRENT;

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

// ---- type-level results ----

type IncludeValue = boolean | object | QueryLike<any>;

/** The include({...}) argument for table T: per relation, true, a nested spec, or a query. */
export type IncludeSpec<S extends SchemaDef, T extends keyof S & string> = {
  [R in RelationName<S, T>]?:
    | boolean
    | IncludeSpec<S, RelationTarget<S, T, R>>
    | (QueryLike<any> & { readonly _table: RelationTarget<S, T, R> });
};

type IncludedRow<S extends SchemaDef, Target extends keyof S & string, V, Req extends boolean> =
  V extends QueryLike<infer Row>
    ? Row
    : V extends true
      ? TableRow<S, Target>
      : Simplify<Omit<TableRow<S, Target>, keyof IncludeOut<S, Target, V, Req>> & IncludeOut<S, Target, V, Req>>;

type Cardinality<M, Row, Req extends boolean> = M extends RelationMeta<any, infer Many, infer Nullable>
  ? Many extends true
    ? Row[]
    : Req extends true
      ? Nullable extends true
        ? Row | null
        : Row
      : Row | null
  : never;

export type IncludeOut<S extends SchemaDef, T extends keyof S & string, Inc, Req extends boolean> = {
  [R in keyof Inc & RelationName<S, T> as Inc[R] extends false | undefined ? never : R]: Cardinality<
    Relations<S, T>[R],
    IncludedRow<S, RelationTarget<S, T, R>, Inc[R], Req>,
    Req
  >;
};

/** The result row of a query: the selected columns, with includes replacing same-named keys. */
export type QueryRow<S extends SchemaDef, T extends keyof S & string, Sel extends string, Inc, Req extends boolean> =
  {} extends Inc
    ? SelectedRow<S, T, Sel>
    : Simplify<Omit<SelectedRow<S, T, Sel>, keyof IncludeOut<S, T, Inc, Req>> & IncludeOut<S, T, Inc, Req>>;

export interface GatherOptions<T extends string> {
  /** Seed rows; defaults to the query gather() is called on. */
  start?: QueryLike<any> & { readonly _table: T };
  /** One expansion step from the row `current` to the next rows (of the same table). */
  step: (ctx: { current: GatherCurrent }) => QueryLike<any> & { readonly _table: T };
  /** How many steps at most (default 10, at most 64). */
  maxDepth?: number;
}

const OPS: readonly Op[] = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "isNull"];
const PROVENANCE = ["$createdBy", "$createdAt", "$updatedBy", "$updatedAt"] as const;
const PERMISSION = ["$canRead", "$canEdit", "$canDelete"] as const;
const MAGIC: readonly string[] = [...PROVENANCE, ...PERMISSION];
const GATHER_MAX_DEPTH = 64;

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
    const added: Condition[] = [];
    for (const [column, value] of Object.entries(cond)) {
      if (value === undefined) continue; // lets dynamic filters leave keys out
      added.push(...this.#conditionsFor(column, value));
    }
    return this.#with({ conditions: [...this.#s.conditions, ...added] });
  }

  #conditionsFor(column: string, value: unknown): Condition[] {
    const table = this.#s.table;
    const target = whereTarget(this.#columns(), column);
    if (!target) {
      throw new QueryError(
        `Unknown column "${column}" in where() on table "${table}"; known columns: id, ${Object.keys(this.#columns()).join(", ")}, ${MAGIC.join(", ")}`,
      );
    }
    const allowed = allowedOps(target);
    const isOpsObject =
      isPlainObject(value) &&
      value !== (GATHER_CURRENT as unknown) &&
      (target.kind !== "json" || (Object.keys(value).length > 0 && Object.keys(value).every((k) => OPS.includes(k as Op))));
    if (!isOpsObject) return [this.#condition(target, column, "eq", value)];
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      throw new QueryError(`where(): empty operator object for "${column}" on table "${table}"; use one of ${allowed.join(", ")}`);
    }
    return entries.map(([op, v]) => {
      if (!allowed.includes(op as Op)) {
        throw new QueryError(
          `Operator "${op}" is not allowed on ${target.label} column "${column}" of table "${table}"; allowed: ${allowed.length ? allowed.join(", ") : "a plain value only"}`,
        );
      }
      return this.#condition(target, column, op as Op, v);
    });
  }

  #condition(target: WhereTarget, column: string, op: Op, value: unknown): Condition {
    const where = `where() on "${this.#s.table}.${column}"`;
    if (op === "isNull") {
      if (typeof value !== "boolean") throw new QueryError(`${where}: isNull takes true or false, got ${describe(value)}`);
      return { column, op, value };
    }
    if (value === null) {
      if (op !== "eq" && op !== "ne") throw new QueryError(`${where}: ${op} cannot compare with null`);
      if (!target.optional) {
        throw new QueryError(`${where}: the column is not optional, so it is never null; remove the null filter`);
      }
      // Normalised so the compiler emits IS NULL / IS NOT NULL.
      return { column, op: "isNull", value: op === "eq" };
    }
    if (op === "in") {
      if (!Array.isArray(value)) throw new QueryError(`${where}: in takes an array, got ${describe(value)}`);
      value.forEach((v) => checkValue(target, v, where));
      return { column, op, value: value.map(encodeValue) };
    }
    if (op === "contains") {
      if (target.type?.kind === "array") checkValue({ ...target, type: target.type.element }, value, where);
      else if (typeof value !== "string") throw new QueryError(`${where}: contains takes a string, got ${describe(value)}`);
      return { column, op, value: encodeValue(value) };
    }
    if (op !== "eq" && op !== "ne" && target.label !== "timestamp" && target.label !== "magic timestamp") {
      if (typeof value !== "number") throw new QueryError(`${where}: ${op} takes a number, got ${describe(value)}`);
      return { column, op, value };
    }
    checkValue(target, value, where);
    return { column, op, value: encodeValue(value) };
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
    if (column !== "id" && !Object.hasOwn(own, column) && !(PROVENANCE as readonly string[]).includes(column)) {
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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function nonNegativeInt(method: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new QueryError(`${method}() takes a non-negative integer, got ${describe(n)}`);
  }
  return n;
}

interface WhereTarget {
  label: string;
  kind: ColumnType["kind"] | "id" | "magic";
  type?: ColumnType;
  optional: boolean;
}

function whereTarget(columns: Record<string, ColumnSchema>, column: string): WhereTarget | undefined {
  if (column === "id") return { label: "id", kind: "id", optional: false };
  if ((PROVENANCE as readonly string[]).includes(column)) {
    return column.endsWith("At")
      ? { label: "magic timestamp", kind: "magic", optional: false }
      : { label: "magic string", kind: "magic", optional: false };
  }
  if ((PERMISSION as readonly string[]).includes(column)) return { label: "magic boolean", kind: "magic", optional: false };
  const col = Object.hasOwn(columns, column) ? columns[column] : undefined;
  if (!col) return undefined;
  return { label: col.type.kind, kind: col.type.kind, type: col.type, optional: col.optional };
}

function allowedOps(t: WhereTarget): Op[] {
  const nullOps: Op[] = t.optional ? ["isNull"] : [];
  switch (t.label) {
    case "id":
      return ["eq", "ne", "in"];
    case "magic string":
      return ["eq", "ne", "in", "contains"];
    case "magic timestamp":
      return ["eq", "ne", "gt", "gte", "lt", "lte"];
    case "magic boolean":
      return [];
  }
  switch (t.kind) {
    case "string":
      return ["eq", "ne", "contains", "in", ...nullOps];
    case "boolean":
      return nullOps;
    case "int":
    case "float":
    case "timestamp":
      return ["eq", "ne", "gt", "gte", "lt", "lte", ...nullOps];
    case "ref":
    case "enum":
    case "json":
      return ["eq", "ne", "in", ...nullOps];
    case "bytes":
      return ["eq", "ne", ...nullOps];
    case "array":
      return ["eq", "ne", "contains", ...nullOps];
  }
  return [];
}

function checkValue(t: WhereTarget, value: unknown, where: string): void {
  let problem: string | null;
  const current = value === (GATHER_CURRENT as unknown);
  switch (t.label) {
    case "id":
    case "magic string":
      problem = typeof value === "string" || current ? null : `expected a string, got ${describe(value)}`;
      break;
    case "magic boolean":
      problem = typeof value === "boolean" ? null : `expected true or false, got ${describe(value)}`;
      break;
    case "magic timestamp":
      problem = typeof value === "number" || value instanceof Date ? null : `expected a Date or ms number, got ${describe(value)}`;
      break;
    default:
      if (current) {
        problem = t.kind === "ref" || t.kind === "string" ? null : "gather's current row id can only be compared with a ref or string column";
      } else if (t.kind === "timestamp" && typeof value === "number") {
        problem = null;
      } else {
        problem = describeValueMismatch(t.type!, value);
      }
  }
  if (problem) throw new QueryError(`${where}: ${problem}`);
}

function encodeValue(value: unknown): unknown {
  return value === (GATHER_CURRENT as unknown) ? { $current: true } : encodeIrValue(value);
}

function resolveRelation(schema: RuntimeSchema, table: string, relation: string, method: string): Relation {
  const rels = allRelations(schema).get(table) ?? new Map<string, Relation>();
  const rel = rels.get(relation);
  if (!rel) {
    const known = [...rels.keys()];
    throw new QueryError(
      `Unknown relation "${relation}" in ${method}() on table "${table}"; ${known.length ? `known relations: ${known.join(", ")}` : "the table has no relations (add an s.ref column)"}`,
    );
  }
  return rel;
}

function buildIncludes(schema: RuntimeSchema, table: string, spec: Record<string, unknown>): IncludeIR[] {
  if (!isPlainObject(spec)) {
    throw new QueryError(`include() takes an object such as { project: true }, got ${describe(spec)}`);
  }
  const out: IncludeIR[] = [];
  for (const [name, value] of Object.entries(spec)) {
    if (value === undefined || value === false) continue;
    const rel = resolveRelation(schema, table, name, "include");
    if (value === true) {
      out.push({ relation: name, query: emptyIR(rel.toTable) });
    } else if (isQueryLike(value)) {
      if (value._table !== rel.toTable) {
        throw new QueryError(`include(): "${name}" yields rows of "${rel.toTable}", but the query given is over "${value._table}"`);
      }
      const ir = value._build();
      if (ir.hops?.length || ir.gather) {
        throw new QueryError(`include(): the query for "${name}" cannot use hopTo() or gather()`);
      }
      out.push({ relation: name, query: ir });
    } else if (isPlainObject(value)) {
      out.push({ relation: name, query: { ...emptyIR(rel.toTable), includes: buildIncludes(schema, rel.toTable, value) } });
    } else {
      throw new QueryError(`include(): "${name}" takes true, a nested include object or a query, got ${describe(value)}`);
    }
  }
  return out;
}

function emptyIR(table: string): QueryIR {
  return { table, conditions: [], orderBy: [], includes: [] };
}

function isQueryLike(v: unknown): v is QueryLike {
  return typeof v === "object" && v !== null && typeof (v as QueryLike)._build === "function";
}

// ---- helper types on handles and queries ----

type TypesOf<Q> = Q extends { readonly _types?: { schema: infer S extends SchemaDef; table: infer T extends string } }
  ? { schema: S; table: T & keyof S & string }
  : never;

/** True when Q is a builder query/handle (so its schema and table are known to the types). */
type IsTyped<Q> = [TypesOf<Q>] extends [never] ? false : true;

/**
 * The result row of a handle (`{ id, ...columns }`) or of any query (with its select/includes).
 * For an untyped QueryLike it is `Record<string, unknown>`; the other helpers fall back likewise.
 */
export type RowOf<Q> = IsTyped<Q> extends true
  ? Q extends { readonly _rowType?: infer R }
    ? Exclude<R, undefined>
    : never
  : Q extends QueryLike<infer R>
    ? unknown extends R
      ? Record<string, unknown>
      : R
    : Record<string, unknown>;
export type InsertOf<Q> = IsTyped<Q> extends true
  ? TableInsert<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export type UpdateOf<Q> = IsTyped<Q> extends true
  ? TableUpdate<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export type WhereOf<Q> = IsTyped<Q> extends true
  ? TableWhere<TypesOf<Q>["schema"], TypesOf<Q>["table"]>
  : Record<string, unknown>;
export interface TableMeta<S extends SchemaDef, T extends keyof S & string> {
  name: T;
  row: TableRow<S, T>;
  insert: TableInsert<S, T>;
  update: TableUpdate<S, T>;
  where: TableWhere<S, T>;
  relations: Simplify<Relations<S, T>>;
}
export type TableMetaOf<Q> = TableMeta<TypesOf<Q>["schema"], TypesOf<Q>["table"]>;
export type { MagicColumn };
