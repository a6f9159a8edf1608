// Column definers (`s.string()`, `s.ref("t")`, ...) and their modifiers. A Column is immutable:
// every modifier returns a new one. Its type parameters carry what type inference needs; its
// `_state` carries what the runtime schema and hooks need.

import { SchemaError } from "./errors.ts";
import type { ColumnType } from "./runtime.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";
import { describeValueMismatch } from "./values.ts";

export type ColumnKind = ColumnType["kind"];
export type MergeStrategy = "lww" | "counter";

export interface ColumnTransform<Stored = any, App = any> {
  from: (stored: Stored) => App;
  to: (app: App) => Stored;
}

export interface ColumnState {
  readonly type: ColumnType;
  readonly optional: boolean;
  readonly hasDefault: boolean;
  /** The default as a stored value (already passed through `transform.to`). */
  readonly default?: unknown;
  readonly merge: MergeStrategy;
  readonly transform?: ColumnTransform;
  readonly validator?: StandardSchemaV1;
}

/** What `.default()` takes: the app value; for timestamps also epoch milliseconds. */
export type DefaultValue<K, A> = K extends "timestamp" ? (A extends Date ? A | number : A) : A;

/**
 * K: column kind; St: the stored TS type (what filters compare against); A: the app type (rows,
 * inserts; differs from St only after `.transform`); O: optional; D: has a default; R: the
 * referenced table for refs and arrays of refs (never otherwise).
 */
export class Column<
  K extends ColumnKind = ColumnKind,
  St = unknown,
  A = St,
  O extends boolean = false,
  D extends boolean = false,
  R extends string = never,
> {
  declare readonly _kind: K;
  declare readonly _stored: St;
  declare readonly _app: A;
  declare readonly _optional: O;
  declare readonly _hasDefault: D;
  declare readonly _ref: R;
  readonly _state: ColumnState;

  constructor(state: ColumnState) {
    this._state = Object.freeze({ ...state });
  }

  /** Makes the column nullable: rows read `null`, inserts may omit it. */
  optional(): Column<K, St, A, true, D, R> {
    if (this._state.merge === "counter") {
      throw new SchemaError('.merge("counter") needs a non-optional s.int(); drop .optional()');
    }
    return new Column({ ...this._state, optional: true });
  }

  /** Value used when an insert omits the column (given as the app value). */
  default(value: O extends true ? DefaultValue<K, A> | null : DefaultValue<K, A>): Column<K, St, A, O, true, R> {
    if (value === undefined) throw new SchemaError(".default(undefined) is not a default; pass a value");
    const stored = this._state.transform ? this._state.transform.to(value) : value;
    if (stored === null) {
      if (!this._state.optional) {
        throw new SchemaError(".default(null) needs an .optional() column; call .optional() first");
      }
    } else {
      const problem = describeValueMismatch(this._state.type, stored);
      if (problem) throw new SchemaError(`Invalid .default() value: ${problem}`);
    }
    return new Column({ ...this._state, hasDefault: true, default: stored });
  }

  /**
   * Maps values at the TypeScript boundary (experimental, as in the docs): `from` runs on reads,
   * `to` before inserts and updates. Storage, SQL and filters keep the stored type.
   */
  transform<B>(t: { from: (stored: A) => B; to: (app: B) => A }): Column<K, St, B, O, D, R> {
    if (typeof t?.from !== "function" || typeof t?.to !== "function") {
      throw new SchemaError(".transform() needs { from: (stored) => app, to: (app) => stored } functions");
    }
    if (this._state.transform) {
      throw new SchemaError(".transform() can be applied once per column; combine both mappings into one");
    }
    return new Column({ ...this._state, transform: { from: t.from, to: t.to } });
  }

  /** How concurrent writes combine: last-writer-wins (default) or summed deltas (counter). */
  merge(strategy: MergeStrategy): Column<K, St, A, O, D, R> {
    if (strategy !== "lww" && strategy !== "counter") {
      throw new SchemaError(`Unknown merge strategy ${JSON.stringify(strategy)}; use "lww" or "counter"`);
    }
    if (strategy === "counter" && (this._state.type.kind !== "int" || this._state.optional)) {
      throw new SchemaError('.merge("counter") is only allowed on a non-optional s.int() column');
    }
    return new Column({ ...this._state, merge: strategy });
  }
}

export type AnyColumn = Column<any, any, any, any, any, any>;

function make(type: ColumnType, validator?: StandardSchemaV1): ColumnState {
  return { type, optional: false, hasDefault: false, merge: "lww", ...(validator ? { validator } : {}) };
}

export function string(): Column<"string", string> {
  return new Column(make({ kind: "string" }));
}
export function boolean(): Column<"boolean", boolean> {
  return new Column(make({ kind: "boolean" }));
}
/** 32-bit signed integer (SQL INTEGER). */
export function int(): Column<"int", number> {
  return new Column(make({ kind: "int" }));
}
/** 64-bit float (SQL REAL). */
export function float(): Column<"float", number> {
  return new Column(make({ kind: "float" }));
}
/** A Date in and out; stored as milliseconds since the epoch. */
export function timestamp(): Column<"timestamp", Date> {
  return new Column(make({ kind: "timestamp" }));
}
export function bytes(): Column<"bytes", Uint8Array> {
  return new Column(make({ kind: "bytes" }));
}

/** A JSON column; pass a Standard Schema (zod, valibot, ...) to validate and type it. */
export function json<T = unknown>(): Column<"json", NoInfer<T>>;
export function json<V extends StandardSchemaV1>(
  validator: V,
): Column<"json", StandardSchemaV1.InferOutput<V>>;
export function json(validator?: StandardSchemaV1): Column<"json", unknown> {
  if (validator !== undefined && typeof validator?.["~standard"]?.validate !== "function") {
    throw new SchemaError("s.json(validator) needs a Standard Schema (e.g. a zod schema) or no argument");
  }
  return new Column(make({ kind: "json" }, validator));
}

/** `s.enum("a", "b")` or `s.enum(["a", "b"])`. Variants are stored sorted. */
export function enumColumn<const V extends readonly [string, ...string[]]>(
  variants: V,
): Column<"enum", V[number]>;
export function enumColumn<const V extends readonly [string, ...string[]]>(
  ...variants: V
): Column<"enum", V[number]>;
/** Variants from a runtime list: the column is typed as string. */
export function enumColumn(variants: readonly string[]): Column<"enum", string>;
export function enumColumn(...args: unknown[]): Column<"enum", string> {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (list.length === 0) throw new SchemaError("s.enum() needs at least one variant");
  for (const v of list) {
    if (typeof v !== "string" || v.length === 0) {
      throw new SchemaError(`s.enum() variants must be non-empty strings, got ${JSON.stringify(v)}`);
    }
  }
  const variants = [...(list as string[])].sort();
  for (let i = 1; i < variants.length; i++) {
    if (variants[i] === variants[i - 1]) {
      throw new SchemaError(`s.enum() variants must be unique; ${JSON.stringify(variants[i])} appears twice`);
    }
  }
  return new Column(make({ kind: "enum", variants }));
}

/** A foreign key: the id (string) of a row in `table`. */
export function ref<const T extends string>(table: T): Column<"ref", string, string, false, false, T> {
  if (typeof table !== "string" || table.length === 0) {
    throw new SchemaError("s.ref(table) needs the referenced table's name");
  }
  return new Column(make({ kind: "ref", table }));
}

/** An array of `inner` values (a plain column: no optional/default/transform/merge). */
export function array<C extends AnyColumn>(
  inner: C,
): Column<"array", C["_stored"][], C["_stored"][], false, false, C["_ref"]> {
  if (!(inner instanceof Column)) throw new SchemaError("s.array(inner) needs a column, e.g. s.array(s.string())");
  const st = inner._state;
  if (st.optional || st.hasDefault || st.transform || st.merge !== "lww") {
    throw new SchemaError(
      "s.array(inner): the element column cannot have .optional(), .default(), .transform() or .merge(); apply them to the array",
    );
  }
  return new Column(make({ kind: "array", element: st.type }, st.validator && arrayValidator(st.validator)));
}

/** Validates every element with the element's Standard Schema. */
function arrayValidator(element: StandardSchemaV1): StandardSchemaV1 {
  const validate = (value: unknown): StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>> => {
    if (!Array.isArray(value)) return { issues: [{ message: "Expected an array" }] };
    const results = value.map((v) => element["~standard"].validate(v));
    const combine = (rs: StandardSchemaV1.Result<unknown>[]): StandardSchemaV1.Result<unknown> => {
      const issues = rs.flatMap((r, i) =>
        r.issues ? r.issues.map((iss) => ({ ...iss, path: [i, ...(iss.path ?? [])] })) : [],
      );
      return issues.length ? { issues } : { value: rs.map((r) => (r as { value: unknown }).value) };
    };
    return results.some((r) => r instanceof Promise) ? Promise.all(results).then(combine) : combine(results as StandardSchemaV1.Result<unknown>[]);
  };
  return { "~standard": { version: 1, vendor: "jazz-tools", validate } };
}
