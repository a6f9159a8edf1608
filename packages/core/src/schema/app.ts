// defineSchema / defineApp / defineSliceableApp: validate the definition, derive the JSON runtime
// schema (app.wasmSchema) and the column hooks, and create one typed handle per table.

import { Query, type AppContext } from "../query/builder.ts";
import { SchemaError } from "./errors.ts";
import { declaredSchemas } from "./versions.ts";
import type { ColumnHook, ColumnHooks, ColumnSchema, RuntimeSchema, TableSchema } from "./runtime.ts";
import { assertIdentifier, TableDef } from "./table.ts";
import type { SchemaDef } from "./types.ts";
import { encodeDefault } from "./values.ts";

/** `s.Schema<typeof schema>`: the schema definition type (tables by name). */
export type Schema<D extends SchemaDef> = D;

/** A typed table handle: the root query of a table and the target of writes. */
export type TableHandle<S extends SchemaDef, T extends keyof S & string> = Query<S, T>;

export interface AppMeta {
  /** The JSON runtime schema (name kept from the reference). Shared by all slices. */
  readonly wasmSchema: RuntimeSchema;
  /** Transforms and validators by table and column (functions, so not in wasmSchema). */
  readonly _hooks: ColumnHooks;
}

/**
 * `s.App<S>`: one handle per table plus the app metadata. A bare `s.App` is any app (only its
 * metadata is typed), for APIs that accept whatever app they are given.
 */
export type App<S extends SchemaDef | void = void> = [S] extends [SchemaDef]
  ? { readonly [T in keyof S & string]: TableHandle<S, T> } & AppMeta
  : AppMeta;

export interface SliceableApp<S extends SchemaDef> extends AppMeta {
  /** A typed App over only these tables; runtime schema and hooks stay the full app's. */
  slice<const K extends readonly (keyof S & string)[]>(...tables: K): App<Pick<S, K[number]>>;
}

const RESERVED_TABLE_NAMES = new Set(["wasmSchema", "schemaHash", "_hooks", "slice", "union"]);

/** Validates a schema definition and returns it unchanged (useful to type-check early). */
export function defineSchema<const D extends SchemaDef>(def: D): D {
  compile(def);
  return def;
}

export function defineApp<const D extends SchemaDef>(def: D): App<D> {
  const ctx = compile(def);
  return buildApp(ctx, Object.keys(def)) as App<D>;
}

export function defineSliceableApp<const D extends SchemaDef>(def: D): SliceableApp<D> {
  const ctx = compile(def);
  const meta = appMeta(ctx);
  return Object.freeze({
    ...meta,
    slice: (...tables: string[]) => {
      for (const t of tables) {
        if (!Object.hasOwn(def, t)) {
          throw new SchemaError(`slice(): unknown table "${t}"; tables: ${Object.keys(def).join(", ")}`);
        }
      }
      return buildApp(ctx, tables);
    },
  }) as unknown as SliceableApp<D>;
}

type CompiledApp = AppContext;

const compiled = new WeakMap<object, CompiledApp>();

function compile(def: SchemaDef): CompiledApp {
  const cached = compiled.get(def);
  if (cached) return cached;
  if (def === null || typeof def !== "object" || Array.isArray(def)) {
    throw new SchemaError("The schema must be an object of tables, e.g. { todos: s.table({ ... }) }");
  }
  const tables: Record<string, TableSchema> = {};
  const hooks: ColumnHooks = {};
  for (const [name, table] of Object.entries(def)) {
    assertIdentifier("Table name", name);
    if (RESERVED_TABLE_NAMES.has(name)) {
      throw new SchemaError(`Table name "${name}" is reserved (it is an app property); rename the table`);
    }
    if (!(table instanceof TableDef)) {
      throw new SchemaError(`Table "${name}" must be defined with s.table({ ... })`);
    }
    const columns: Record<string, ColumnSchema> = {};
    const tableHooks: Record<string, ColumnHook> = {};
    for (const [colName, col] of Object.entries(table.columns)) {
      const st = col._state;
      columns[colName] = {
        type: structuredClone(st.type),
        optional: st.optional,
        ...(st.hasDefault ? { default: encodeDefault(st.default) } : {}),
        merge: st.merge,
      };
      if (st.transform || st.validator) {
        tableHooks[colName] = {
          ...(st.transform ? { transform: st.transform } : {}),
          ...(st.validator ? { validator: st.validator } : {}),
        };
      }
    }
    tables[name] = { columns, ...(table._indexOnly ? { indexOnly: [...table._indexOnly] } : {}) };
    if (Object.keys(tableHooks).length) hooks[name] = tableHooks;
  }
  for (const [name, t] of Object.entries(tables)) {
    for (const [colName, c] of Object.entries(t.columns)) {
      const target = c.type.kind === "ref" ? c.type.table : c.type.kind === "array" && c.type.element.kind === "ref" ? c.type.element.table : undefined;
      if (target !== undefined && !Object.hasOwn(tables, target)) {
        throw new SchemaError(
          `Column "${name}.${colName}" references unknown table "${target}"; tables: ${Object.keys(tables).join(", ")}`,
        );
      }
    }
  }
  const schema = deepFreeze({ tables });
  const ctx: CompiledApp = { schema, hooks: deepFreezeShallowFns(hooks) };
  declaredSchemas.add(schema);
  compiled.set(def, ctx);
  return ctx;
}

function appMeta(ctx: CompiledApp): AppMeta {
  return { wasmSchema: ctx.schema, _hooks: ctx.hooks };
}

function buildApp(ctx: CompiledApp, tables: string[]): object {
  const app: Record<string, unknown> = { ...appMeta(ctx) };
  for (const t of tables) app[t] = Query.handle(ctx, t);
  return Object.freeze(app);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Freezes the hook maps, not the user's functions and validator objects. */
function deepFreezeShallowFns(hooks: ColumnHooks): ColumnHooks {
  for (const t of Object.values(hooks)) {
    for (const h of Object.values(t)) Object.freeze(h);
    Object.freeze(t);
  }
  return Object.freeze(hooks);
}
