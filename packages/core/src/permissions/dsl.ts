// `s.definePermissions(app, ({ policy, session, anyOf, allOf, isCreator, allowedTo }) => ...)`:
// records grants while the callback runs, then resolves every condition against the schema
// into a PermissionsBundle (bundle.ts). Row callbacks get a proxy whose properties are column
// references; `session.x` gives session references; both resolve to operands at the end, once
// we know which exists-scope each reference sits in.

import { JazzError } from "../errors/base.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { QueryLike } from "../query/ir.ts";
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  DEFAULT_MAX_DEPTH,
  MAX_DEPTH_CAP,
  type CmpOp,
  type Literal,
  type Operand,
  type PermissionsBundle,
  type PolicyExpr,
  type TablePolicies,
} from "./bundle.ts";

export class PermissionsDefinitionError extends JazzError {
  readonly code: string = "permissions_definition";
  override name = "PermissionsDefinitionError";
}

const MAGIC_COLUMNS = ["$createdBy", "$createdAt", "$updatedBy", "$updatedAt"] as const;
const OPS: ReadonlySet<string> = new Set(["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "isNull"]);

// ------------------------------------------------------------------ internal condition tree

/** A row scope: the policy's own row, or the row an `exists` ranges over. */
class Scope {
  constructor(readonly table: string) {}
}

class RowRef {
  constructor(
    readonly scope: Scope,
    readonly col: string,
  ) {}
}

const SESSION_PATH = Symbol("jazz.sessionPath");

type Node =
  | { k: "const"; v: boolean }
  | { k: "and" | "or"; of: unknown[] }
  | { k: "not"; of: unknown }
  | { k: "obj"; obj: Record<string, unknown> }
  | { k: "session"; obj: Record<string, unknown> }
  | { k: "exists"; scope: Scope; where: unknown }
  | { k: "allowedTo"; op: AllowedOp; col: string; maxDepth: number }
  | { k: "allowedToReferencing"; op: AllowedOp; table: string; col: string; maxDepth: number };

type AllowedOp = "read" | "insert" | "update" | "delete";

/** An opaque permission condition (what anyOf, exists.where, allowedTo... return). */
export class PolicyCondition {
  /** @internal */
  constructor(readonly node: Node) {}
}

// ------------------------------------------------------------------ public types

type MagicRow = { $createdBy: string; $createdAt: Date; $updatedBy: string; $updatedAt: Date };

type HandleKeys<A> = { [K in keyof A]: A[K] extends QueryLike<any> ? K : never }[keyof A] & string;
type RowOfHandle<H> = H extends QueryLike<infer R> ? (unknown extends R ? Record<string, any> : R) : never;

/** What a row callback receives: the row's columns, as references usable in conditions. */
export type PolicyRow<R> = R & MagicRow & { id: string };

/** A condition: a where-object on the current row, or a combinator/exists/allowedTo result. */
export type Condition<R = Record<string, any>> = PolicyCondition | WhereObject<R>;
export type WhereObject<R = Record<string, any>> = {
  [K in keyof (R & MagicRow) | "id"]?: unknown;
} & { not?: Condition<R> } & Record<string, unknown>;

export type ConditionInput<R> = Condition<R> | ((row: PolicyRow<R>) => Condition<any>);

export interface GrantChain<R> {
  where(cond: ConditionInput<R>): GrantChain<R>;
  whereOld(cond: ConditionInput<R>): GrantChain<R>;
  whereNew(cond: ConditionInput<R>): GrantChain<R>;
}

export interface RuleBuilder<R> extends GrantChain<R> {
  always(): void;
  never(): void;
}

export interface TablePolicyBuilder<R> {
  allowRead: RuleBuilder<R>;
  allowInsert: RuleBuilder<R>;
  allowUpdate: RuleBuilder<R>;
  allowDelete: RuleBuilder<R>;
  allowReads: RuleBuilder<R>;
  allowInserts: RuleBuilder<R>;
  allowUpdates: RuleBuilder<R>;
  allowDeletes: RuleBuilder<R>;
  /** `policy.t.exists.where({...})`: some visible row of t matches. */
  exists: { where(cond: ConditionInput<R>): PolicyCondition };
  /** Read, insert, update and delete only where `$createdBy` is the session's user. */
  managedByCreator(): void;
}

export type PolicyTables<A> = [HandleKeys<A>] extends [never]
  ? Record<string, TablePolicyBuilder<Record<string, any>>>
  : { [K in HandleKeys<A>]: TablePolicyBuilder<RowOfHandle<A[K]>> };

export interface SessionRefs {
  /** The session's user id (JWT `sub`). */
  readonly user_id: string;
  readonly userId: string;
  readonly authMode: string;
  readonly claims: any;
  /** A condition on the session alone: keys are session paths ("authMode", "claims.role"). */
  where(cond: Record<string, unknown>): PolicyCondition;
  readonly [path: string]: any;
}

/** A table named as in the reference: its name, `policy.<table>`, or the app's table handle. */
export type TableRef = string | TablePolicyBuilder<any> | { readonly _table: string };

export interface AllowedTo {
  read(fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  insert(fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  update(fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  delete(fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  readReferencing(table: TableRef, fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  insertReferencing(table: TableRef, fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  updateReferencing(table: TableRef, fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
  deleteReferencing(table: TableRef, fkColumn: string, opts?: { maxDepth?: number }): PolicyCondition;
}

export interface PermissionHelpers<A> {
  policy: PolicyTables<A>;
  session: SessionRefs;
  anyOf(conds: readonly Condition<any>[]): PolicyCondition;
  allOf(conds: readonly Condition<any>[]): PolicyCondition;
  /** `$createdBy` equals the session's user id (on whichever row it is applied to). */
  isCreator: PolicyCondition;
  allowedTo: AllowedTo;
}

/** Anything carrying the runtime schema: the app from s.defineApp(), or a RuntimeSchema. */
export type PermissionsTarget = { wasmSchema: RuntimeSchema } | RuntimeSchema;

// ------------------------------------------------------------------ builders

interface Grant {
  scope: Scope;
  always?: boolean;
  never?: boolean;
  where: unknown[];
  old: unknown[];
  new: unknown[];
}

function schemaOf(target: PermissionsTarget): RuntimeSchema {
  const schema = (target as { wasmSchema?: RuntimeSchema }).wasmSchema ?? (target as RuntimeSchema);
  if (!schema || typeof schema !== "object" || !schema.tables || typeof schema.tables !== "object") {
    throw new PermissionsDefinitionError(
      "definePermissions(app, fn) needs the app from s.defineApp(...) (or its wasmSchema) as its first argument",
    );
  }
  return schema;
}

function rowProxy(schema: RuntimeSchema, scope: Scope): Record<string, unknown> {
  const cols = schema.tables[scope.table].columns;
  return new Proxy(
    {},
    {
      get(_t, prop) {
        if (typeof prop !== "string") return undefined;
        if (prop !== "id" && !Object.hasOwn(cols, prop) && !(MAGIC_COLUMNS as readonly string[]).includes(prop)) {
          throw new PermissionsDefinitionError(
            `Unknown column "${prop}" on table "${scope.table}" in permissions. Known columns: id, ${Object.keys(cols).join(", ")}, ${MAGIC_COLUMNS.join(", ")}.`,
          );
        }
        return new RowRef(scope, prop);
      },
    },
  );
}

function sessionRef(path: string[]): any {
  const target = { [SESSION_PATH]: path };
  return new Proxy(target, {
    get(t, prop) {
      if (prop === SESSION_PATH) return path;
      if (typeof prop !== "string" || prop === "then" || prop === "toJSON") return undefined;
      return sessionRef([...path, ...prop.split(".")]);
    },
  });
}

function sessionPathOf(v: unknown): string[] | undefined {
  if (v && (typeof v === "object" || typeof v === "function")) {
    const p = (v as Record<symbol, unknown>)[SESSION_PATH];
    if (Array.isArray(p)) return p as string[];
  }
  return undefined;
}

function normaliseSessionPath(path: string[]): string[] {
  if (path[0] === "userId") return ["user_id", ...path.slice(1)];
  return path;
}

function depthOption(opts: { maxDepth?: number } | undefined): number {
  const d = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(d) || d < 1 || d > MAX_DEPTH_CAP) {
    throw new PermissionsDefinitionError(`allowedTo maxDepth must be an integer from 1 to ${MAX_DEPTH_CAP}; got ${d}`);
  }
  return d;
}

/**
 * Defines the app's row-level policies. Returns the permissions bundle (plain JSON) that the
 * server stores and enforces and that clients enforce locally once the server has sent it.
 */
export function definePermissions<A extends PermissionsTarget>(
  app: A,
  define: (helpers: PermissionHelpers<A>) => void,
): PermissionsBundle {
  const schema = schemaOf(app);
  const grants = new Map<string, Record<"read" | "insert" | "update" | "delete", Grant[]>>();
  const tableGrants = (table: string) => {
    let g = grants.get(table);
    if (!g) grants.set(table, (g = { read: [], insert: [], update: [], delete: [] }));
    return g;
  };
  const assertTable = (table: string) => {
    if (!Object.hasOwn(schema.tables, table)) {
      throw new PermissionsDefinitionError(
        `Unknown table "${table}" in permissions. Known tables: ${Object.keys(schema.tables).join(", ") || "(none)"}.`,
      );
    }
  };
  const evalInput = (input: unknown, scope: Scope): unknown =>
    typeof input === "function" ? (input as (row: unknown) => unknown)(rowProxy(schema, scope)) : input;

  const ruleBuilder = (table: string, op: "read" | "insert" | "update" | "delete"): RuleBuilder<any> => {
    let grant: Grant | undefined;
    const get = () => {
      if (!grant) {
        grant = { scope: new Scope(table), where: [], old: [], new: [] };
        tableGrants(table)[op].push(grant);
      }
      return grant;
    };
    const chain: RuleBuilder<any> = {
      always() {
        get().always = true;
      },
      never() {
        get().never = true;
      },
      where(cond) {
        const g = get();
        g.where.push(evalInput(cond, g.scope));
        return chain;
      },
      whereOld(cond) {
        const g = get();
        (op === "update" ? g.old : g.where).push(evalInput(cond, g.scope));
        return chain;
      },
      whereNew(cond) {
        const g = get();
        (op === "update" ? g.new : g.where).push(evalInput(cond, g.scope));
        return chain;
      },
    };
    return chain;
  };

  const tableBuilder = (table: string): TablePolicyBuilder<any> => ({
    get allowRead() {
      return ruleBuilder(table, "read");
    },
    get allowReads() {
      return ruleBuilder(table, "read");
    },
    get allowInsert() {
      return ruleBuilder(table, "insert");
    },
    get allowInserts() {
      return ruleBuilder(table, "insert");
    },
    get allowUpdate() {
      return ruleBuilder(table, "update");
    },
    get allowUpdates() {
      return ruleBuilder(table, "update");
    },
    get allowDelete() {
      return ruleBuilder(table, "delete");
    },
    get allowDeletes() {
      return ruleBuilder(table, "delete");
    },
    exists: {
      where(cond) {
        const scope = new Scope(table);
        return new PolicyCondition({ k: "exists", scope, where: evalInput(cond, scope) });
      },
    },
    managedByCreator() {
      for (const op of ["read", "insert", "update", "delete"] as const) ruleBuilder(table, op).where(isCreator);
    },
  });

  const builders = new Map<string, TablePolicyBuilder<any>>();
  const builderTables = new WeakMap<object, string>();
  const policy = new Proxy({} as Record<string, TablePolicyBuilder<any>>, {
    get(_t, prop) {
      if (typeof prop !== "string") return undefined;
      assertTable(prop);
      let b = builders.get(prop);
      if (!b) {
        builders.set(prop, (b = tableBuilder(prop)));
        builderTables.set(b, prop);
      }
      return b;
    },
  });

  const sessionRoot = new Proxy({} as SessionRefs, {
    get(_t, prop) {
      if (typeof prop !== "string" || prop === "then" || prop === "toJSON") return undefined;
      if (prop === "where") {
        return (obj: Record<string, unknown>) => {
          if (!obj || typeof obj !== "object") throw new PermissionsDefinitionError("session.where() takes an object");
          return new PolicyCondition({ k: "session", obj });
        };
      }
      return sessionRef(prop.split("."));
    },
  });

  const isCreator = new PolicyCondition({ k: "obj", obj: { $createdBy: sessionRef(["user_id"]) } });
  const combinator = (k: "and" | "or", name: string) => (conds: readonly unknown[]) => {
    if (!Array.isArray(conds)) throw new PermissionsDefinitionError(`${name}() takes an array of conditions`);
    return new PolicyCondition({ k, of: [...conds] });
  };
  const allowed = (op: AllowedOp) => (col: string, opts?: { maxDepth?: number }) => {
    if (typeof col !== "string") throw new PermissionsDefinitionError(`allowedTo.${op}() takes the FK column name`);
    return new PolicyCondition({ k: "allowedTo", op, col, maxDepth: depthOption(opts) });
  };
  const allowedRef = (op: AllowedOp) => (ref: TableRef, col: string, opts?: { maxDepth?: number }) => {
    const table =
      typeof ref === "string" ? ref : builderTables.get(ref as object) ?? (typeof (ref as { _table?: unknown })?._table === "string" ? (ref as { _table: string })._table : undefined);
    if (table === undefined) throw new PermissionsDefinitionError(`allowedTo.${op}Referencing() takes the table as a name, policy.<table> or the app's table`);
    assertTable(table);
    return new PolicyCondition({ k: "allowedToReferencing", op, table, col, maxDepth: depthOption(opts) });
  };

  define({
    policy: policy as PolicyTables<A>,
    session: sessionRoot,
    anyOf: combinator("or", "anyOf"),
    allOf: combinator("and", "allOf"),
    isCreator,
    allowedTo: {
      read: allowed("read"),
      insert: allowed("insert"),
      update: allowed("update"),
      delete: allowed("delete"),
      readReferencing: allowedRef("read"),
      insertReferencing: allowedRef("insert"),
      updateReferencing: allowedRef("update"),
      deleteReferencing: allowedRef("delete"),
    },
  });

  const resolver = new Resolver(schema);
  const tables: Record<string, TablePolicies> = {};
  for (const [table, ops] of grants) {
    const tp: TablePolicies = {};
    const single = (list: Grant[]) => or(list.map((g) => resolver.grant(g, g.where)));
    if (ops.read.length) tp.read = single(ops.read);
    if (ops.insert.length) tp.insert = single(ops.insert);
    if (ops.delete.length) tp.delete = single(ops.delete);
    if (ops.update.length) {
      tp.update = ops.update.map((g) => {
        const both = g.where;
        // whereOld alone leaves the new row free (the docs' ownership transfer); whereNew alone
        // applies to the stored row too (reference), so it can never widen access by itself.
        const oldConds = g.old.length || !g.new.length ? [...both, ...g.old] : [...both, ...g.new];
        return { old: resolver.grant(g, oldConds), new: resolver.grant(g, [...both, ...g.new]) };
      });
    }
    tables[table] = tp;
  }
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, tables };
}

function and(list: PolicyExpr[]): PolicyExpr {
  const flat: PolicyExpr[] = [];
  for (const e of list) {
    if (e.t === "const" && e.v) continue;
    if (e.t === "const" && !e.v) return e;
    if (e.t === "and") flat.push(...e.of);
    else flat.push(e);
  }
  if (flat.length === 0) return { t: "const", v: true };
  return flat.length === 1 ? flat[0] : { t: "and", of: flat };
}

function or(list: PolicyExpr[]): PolicyExpr {
  const flat: PolicyExpr[] = [];
  for (const e of list) {
    if (e.t === "const" && !e.v) continue;
    if (e.t === "const" && e.v) return e;
    if (e.t === "or") flat.push(...e.of);
    else flat.push(e);
  }
  if (flat.length === 0) return { t: "const", v: false };
  return flat.length === 1 ? flat[0] : { t: "or", of: flat };
}

// ------------------------------------------------------------------ resolution to the bundle

class Resolver {
  constructor(private readonly schema: RuntimeSchema) {}

  grant(g: Grant, conds: unknown[]): PolicyExpr {
    if (g.never) return { t: "const", v: false };
    if (g.always) return { t: "const", v: true };
    return and(conds.map((c) => this.cond(c, [g.scope])));
  }

  private cond(input: unknown, stack: Scope[]): PolicyExpr {
    if (input instanceof PolicyCondition) return this.node(input.node, stack);
    if (input && typeof input === "object" && !Array.isArray(input) && !(input instanceof RowRef) && !sessionPathOf(input)) {
      return this.object(input as Record<string, unknown>, stack);
    }
    throw new PermissionsDefinitionError(
      `Expected a condition (a where-object, anyOf/allOf, exists.where, allowedTo, session.where); got ${describe(input)}`,
    );
  }

  private node(n: Node, stack: Scope[]): PolicyExpr {
    switch (n.k) {
      case "const":
        return { t: "const", v: n.v };
      case "and":
        return and(n.of.map((c) => this.cond(c, stack)));
      case "or":
        return or(n.of.map((c) => this.cond(c, stack)));
      case "not":
        return { t: "not", of: this.cond(n.of, stack) };
      case "obj":
        return this.object(n.obj, stack);
      case "session":
        return this.sessionWhere(n.obj, stack);
      case "exists":
        return { t: "exists", table: n.scope.table, where: this.cond(n.where, [...stack, n.scope]) };
      case "allowedTo": {
        const table = stack[stack.length - 1].table;
        this.refTarget(table, n.col, `allowedTo.${n.op}("${n.col}")`);
        return { t: "allowedTo", op: n.op, col: n.col, maxDepth: n.maxDepth };
      }
      case "allowedToReferencing": {
        const here = stack[stack.length - 1].table;
        const target = this.refTarget(n.table, n.col, `allowedTo.${n.op}Referencing("${n.table}", "${n.col}")`, true);
        if (target !== here) {
          throw new PermissionsDefinitionError(
            `allowedTo.${n.op}Referencing("${n.table}", "${n.col}"): ${n.table}.${n.col} references "${target}", not "${here}"`,
          );
        }
        return { t: "allowedToReferencing", op: n.op, table: n.table, col: n.col, maxDepth: n.maxDepth };
      }
    }
  }

  /** The table a ref column points to; throws when the column is not a single ref. */
  private refTarget(table: string, col: string, what: string, allowArray = false): string {
    const c = this.schema.tables[table]?.columns[col];
    const t = c && allowArray && c.type.kind === "array" ? c.type.element : c?.type;
    if (!t || t.kind !== "ref") {
      throw new PermissionsDefinitionError(`${what}: "${col}" must be a ref column of table "${table}" (s.ref(...)${allowArray ? " or s.array(s.ref(...))" : ""})`);
    }
    return t.table;
  }

  private column(table: string, col: string): void {
    if (col === "id" || (MAGIC_COLUMNS as readonly string[]).includes(col)) return;
    const cols = this.schema.tables[table].columns;
    if (!Object.hasOwn(cols, col)) {
      throw new PermissionsDefinitionError(
        `Unknown column "${col}" on table "${table}" in permissions. Known columns: id, ${Object.keys(cols).join(", ")}, ${MAGIC_COLUMNS.join(", ")}.`,
      );
    }
  }

  private object(obj: Record<string, unknown>, stack: Scope[]): PolicyExpr {
    const here = stack[stack.length - 1];
    const parts: PolicyExpr[] = [];
    for (const [key, value] of Object.entries(obj)) {
      if (key === "not" && !Object.hasOwn(this.schema.tables[here.table].columns, "not")) {
        parts.push({ t: "not", of: this.cond(value, stack) });
        continue;
      }
      let up = 0;
      let col = key;
      const dot = key.indexOf(".");
      if (dot > 0) {
        const table = key.slice(0, dot);
        col = key.slice(dot + 1);
        up = -1;
        for (let i = stack.length - 1; i >= 0; i--) {
          if (stack[i].table === table) {
            up = stack.length - 1 - i;
            break;
          }
        }
        if (up < 0) {
          throw new PermissionsDefinitionError(`"${key}": table "${table}" is not in scope here (in scope: ${stack.map((s) => s.table).join(", ")})`);
        }
      }
      this.column(stack[stack.length - 1 - up].table, col);
      const left: Operand = { col, up };
      parts.push(...this.comparisons(left, value, stack, key));
    }
    return and(parts);
  }

  private sessionWhere(obj: Record<string, unknown>, stack: Scope[]): PolicyExpr {
    const parts: PolicyExpr[] = [];
    for (const [key, value] of Object.entries(obj)) {
      parts.push(...this.comparisons({ session: normaliseSessionPath(key.split(".")) }, value, stack, key));
    }
    return and(parts);
  }

  private comparisons(left: Operand, value: unknown, stack: Scope[], key: string): PolicyExpr[] {
    if (value === undefined) {
      throw new PermissionsDefinitionError(`"${key}" is undefined in a permissions condition; give it a value (null matches a missing value)`);
    }
    if (isOperatorObject(value)) {
      return Object.entries(value as Record<string, unknown>).map(([op, v]) => {
        if (v === undefined) throw new PermissionsDefinitionError(`"${key}.${op}" is undefined in a permissions condition`);
        return { t: "cmp", l: left, op: op as CmpOp, r: this.operand(v, stack, key) };
      });
    }
    if (value === null) return [{ t: "cmp", l: left, op: "isNull", r: { lit: true } }];
    return [{ t: "cmp", l: left, op: "eq", r: this.operand(value, stack, key) }];
  }

  private operand(v: unknown, stack: Scope[], key: string): Operand {
    if (v instanceof RowRef) {
      const i = stack.lastIndexOf(v.scope);
      if (i < 0) {
        throw new PermissionsDefinitionError(
          `"${key}": the row reference ${v.scope.table}.${v.col} is used outside the policy or exists.where it belongs to`,
        );
      }
      return { col: v.col, up: stack.length - 1 - i };
    }
    const path = sessionPathOf(v);
    if (path) return { session: normaliseSessionPath(path) };
    if (v instanceof PolicyCondition) {
      throw new PermissionsDefinitionError(`"${key}": a condition cannot be used as a value; combine conditions with allOf/anyOf`);
    }
    return { lit: toLiteral(v, key) };
  }
}

function isOperatorObject(v: unknown): boolean {
  if (!v || typeof v !== "object" || Array.isArray(v) || v instanceof Date || v instanceof Uint8Array) return false;
  if (v instanceof RowRef || v instanceof PolicyCondition || sessionPathOf(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => OPS.has(k));
}

function toLiteral(v: unknown, key: string): Literal {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new PermissionsDefinitionError(`"${key}": ${v} is not a usable number`);
    return v;
  }
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Uint8Array) return { $bytes: bytesToBase64(v) };
  if (Array.isArray(v)) return v.map((x) => toLiteral(x, key));
  if (typeof v === "object") return { $json: v };
  throw new PermissionsDefinitionError(`"${key}": ${describe(v)} cannot be used as a value in permissions`);
}

function bytesToBase64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function describe(v: unknown): string {
  if (v instanceof RowRef) return `a row reference (${v.scope.table}.${v.col})`;
  if (sessionPathOf(v)) return `a session reference (session.${sessionPathOf(v)!.join(".")})`;
  if (typeof v === "function") return "a function";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
