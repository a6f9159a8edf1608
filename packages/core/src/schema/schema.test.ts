import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { schema as s, schemaHash, SchemaError } from "../index.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";

/** A minimal Standard Schema validator for tests (what zod & co. provide). */
function positiveNumbers(): StandardSchemaV1<number[], number[]> {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (v) =>
        Array.isArray(v) && v.every((n) => typeof n === "number" && n > 0)
          ? { value: v as number[] }
          : { issues: [{ message: "positive numbers only" }] },
    },
  };
}

describe("column types in wasmSchema", () => {
  it("records every column type, optional flag, default and merge strategy in column order", () => {
    const app = s.defineApp({
      users: s.table({ name: s.string() }),
      items: s.table({
        title: s.string(),
        done: s.boolean().default(false),
        count: s.int().merge("counter"),
        price: s.float().optional(),
        due: s.timestamp().default(new Date(1234)),
        blob: s.bytes().default(new Uint8Array([1, 2])),
        meta: s.json(),
        role: s.enum("writer", "admin", "reader"),
        ownerId: s.ref("users"),
        tags: s.array(s.string()),
        watcherIds: s.array(s.ref("users")).optional(),
      }),
    });
    const items = app.wasmSchema.tables.items!;
    expect(Object.keys(items.columns)).toEqual([
      "title", "done", "count", "price", "due", "blob", "meta", "role", "ownerId", "tags", "watcherIds",
    ]);
    expect(items.columns).toEqual({
      title: { type: { kind: "string" }, optional: false, merge: "lww" },
      done: { type: { kind: "boolean" }, optional: false, default: false, merge: "lww" },
      count: { type: { kind: "int" }, optional: false, merge: "counter" },
      price: { type: { kind: "float" }, optional: true, merge: "lww" },
      due: { type: { kind: "timestamp" }, optional: false, default: 1234, merge: "lww" },
      blob: { type: { kind: "bytes" }, optional: false, default: [1, 2], merge: "lww" },
      meta: { type: { kind: "json" }, optional: false, merge: "lww" },
      role: { type: { kind: "enum", variants: ["admin", "reader", "writer"] }, optional: false, merge: "lww" },
      ownerId: { type: { kind: "ref", table: "users" }, optional: false, merge: "lww" },
      tags: { type: { kind: "array", element: { kind: "string" } }, optional: false, merge: "lww" },
      watcherIds: {
        type: { kind: "array", element: { kind: "ref", table: "users" } },
        optional: true,
        merge: "lww",
      },
    });
    // JSON only: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(app.wasmSchema))).toEqual(app.wasmSchema);
  });

  it("accepts s.enum in both forms and stores variants sorted", () => {
    const a = s.enum("b", "a", "c");
    const b = s.enum(["c", "b", "a"]);
    expect(a._state.type).toEqual({ kind: "enum", variants: ["a", "b", "c"] });
    expect(b._state.type).toEqual(a._state.type);
    expect(s.enum("only")._state.type).toEqual({ kind: "enum", variants: ["only"] });
  });

  it("rejects empty, duplicate and blank enum variants", () => {
    expect(() => (s.enum as (...a: string[]) => unknown)()).toThrow(SchemaError);
    expect(() => s.enum([] as unknown as ["x"])).toThrow(/at least one variant/);
    expect(() => s.enum("a", "b", "a")).toThrow(/unique.*"a"/);
    expect(() => s.enum(["a", ""])).toThrow(/non-empty strings/);
  });

  it("records indexOnly and rejects unknown index columns", () => {
    const app = s.defineApp({ t: s.table({ a: s.string(), b: s.int() }).indexOnly(["b"]) });
    expect(app.wasmSchema.tables.t!.indexOnly).toEqual(["b"]);
    expect(() => s.table({ a: s.string() }).indexOnly(["nope" as "a"])).toThrow(/unknown column "nope"/);
  });
});

describe("DSL errors", () => {
  it("rejects $-prefixed and id column names with SchemaError", () => {
    expect(() => s.table({ $createdBy: s.string() })).toThrow(SchemaError);
    expect(() => s.table({ $createdBy: s.string() })).toThrow(/reserved/);
    expect(() => s.table({ id: s.string() })).toThrow(/"id" is reserved/);
    expect(() => s.table({ "bad name": s.string() })).toThrow(/not a valid identifier/);
  });

  it("rejects invalid table names and non-table values", () => {
    expect(() => s.defineApp({ "my-table": s.table({ a: s.string() }) })).toThrow(/Table name "my-table" is not a valid identifier/);
    expect(() => s.defineApp({ "1t": s.table({ a: s.string() }) })).toThrow(SchemaError);
    expect(() => s.defineApp({ wasmSchema: s.table({ a: s.string() }) })).toThrow(/reserved/);
    expect(() => s.defineApp({ t: { a: s.string() } as never })).toThrow(/s\.table/);
    expect(() => s.table({ a: "string" as never })).toThrow(/not a column definer/);
  });

  it("rejects refs to unknown tables, also inside arrays", () => {
    expect(() => s.defineApp({ todos: s.table({ projectId: s.ref("projects") }) })).toThrow(
      /"todos\.projectId" references unknown table "projects"/,
    );
    expect(() => s.defineApp({ todos: s.table({ tagIds: s.array(s.ref("tags")) }) })).toThrow(SchemaError);
    expect(() => s.defineSchema({ todos: s.table({ projectId: s.ref("projects") }) })).toThrow(SchemaError);
  });

  it('allows .merge("counter") only on a non-optional int', () => {
    expect(() => s.float().merge("counter")).toThrow(/non-optional s\.int/);
    expect(() => s.int().optional().merge("counter")).toThrow(SchemaError);
    expect(() => s.int().merge("counter").optional()).toThrow(SchemaError);
    expect(() => s.int().merge("max" as "lww")).toThrow(/Unknown merge strategy/);
    expect(s.int().merge("counter")._state.merge).toBe("counter");
    expect(s.string().merge("lww")._state.merge).toBe("lww");
  });

  it("checks default values against the column type", () => {
    expect(() => s.int().default(1.5)).toThrow(/expected an integer/);
    expect(() => s.int().default(2 ** 31)).toThrow(/32-bit/);
    expect(() => s.string().default(3 as never)).toThrow(/expected a string/);
    expect(() => s.enum("a", "b").default("c" as "a")).toThrow(/one of "a", "b"/);
    expect(() => s.string().default(null as never)).toThrow(/\.optional\(\)/);
    expect(s.string().optional().default(null)._state.default).toBeNull();
    expect(() => s.string().default(undefined as never)).toThrow(SchemaError);
  });

  it("checks transforms, json validators and array elements", () => {
    expect(() => s.int().transform({} as never)).toThrow(/from.*to/);
    const t = { from: (n: number) => String(n), to: (v: string) => Number(v) };
    expect(() => s.int().transform(t).transform({ from: (x: string) => x, to: (x: string) => x })).toThrow(/once/);
    expect(() => s.json({} as never)).toThrow(/Standard Schema/);
    expect(() => s.array(s.string().optional())).toThrow(/element column/);
    expect(() => s.array("x" as never)).toThrow(SchemaError);
    expect(() => s.ref("")).toThrow(SchemaError);
  });

  it("modifiers return new columns and leave the original unchanged", () => {
    const base = s.string();
    const opt = base.optional();
    expect(base._state.optional).toBe(false);
    expect(opt._state.optional).toBe(true);
    expect(opt).not.toBe(base);
  });
});

describe("hooks", () => {
  it("attaches transforms and json validators by table and column, and keeps them out of wasmSchema", () => {
    const from = (score: number) => (score >= 8 ? "high" : "low");
    const to = (p: "high" | "low") => (p === "high" ? 10 : 1);
    const validator = positiveNumbers();
    const app = s.defineApp({
      tasks: s.table({ title: s.string(), priority: s.int().transform({ from, to }), scores: s.json(validator) }),
    });
    expect(app._hooks).toEqual({ tasks: { priority: { transform: { from, to } }, scores: { validator } } });
    expect(app.tasks._hooks).toBe(app._hooks);
    expect(app.tasks.where({ title: "x" })._hooks).toBe(app._hooks);
    expect(app.wasmSchema.tables.tasks!.columns.priority).toEqual({ type: { kind: "int" }, optional: false, merge: "lww" });
  });

  it("stores a default given after .transform as the stored value", () => {
    const col = s.int().transform({ from: (n) => (n > 5 ? "high" : "low"), to: (p) => (p === "high" ? 10 : 1) }).default("high");
    expect(col._state.default).toBe(10);
  });

  it("validates every element of an array of validated json", async () => {
    const app = s.defineApp({ t: s.table({ xs: s.array(s.json(positiveNumbers())) }) });
    const v = app._hooks.t!.xs!.validator!;
    expect(await v["~standard"].validate([[1, 2], [3]])).toEqual({ value: [[1, 2], [3]] });
    const bad = await v["~standard"].validate([[1], [-1]]);
    expect(bad.issues?.[0]).toEqual({ message: "positive numbers only", path: [1] });
  });
});

describe("apps", () => {
  const def = () => ({
    projects: s.table({ name: s.string() }),
    todos: s.table({ title: s.string(), projectId: s.ref("projects") }),
  });

  it("has one handle per table implementing QueryLike, sharing the app schema", () => {
    const app = s.defineApp(def());
    expect(app.todos._table).toBe("todos");
    expect(app.todos._schema).toBe(app.wasmSchema);
    expect(app.projects._schema).toBe(app.wasmSchema);
    expect(app.todos._build()).toEqual({ table: "todos", conditions: [], orderBy: [], includes: [] });
    expect(Object.isFrozen(app.wasmSchema.tables.todos!.columns)).toBe(true);
  });

  it("defineSchema returns the definition after validating it", () => {
    const d = def();
    expect(s.defineSchema(d)).toBe(d);
    expect(schemaHash(s.defineApp(s.defineSchema(d)).wasmSchema)).toBe(schemaHash(s.defineApp(def()).wasmSchema));
  });

  it("slices share the full runtime schema but only expose the selected handles", () => {
    const sliceable = s.defineSliceableApp(def());
    const slice = sliceable.slice("todos");
    expect(slice.wasmSchema).toBe(sliceable.wasmSchema);
    expect(schemaHash(slice.wasmSchema)).toBe(schemaHash(sliceable.wasmSchema));
    expect(slice.todos._schema).toBe(sliceable.wasmSchema);
    expect((slice as unknown as Record<string, unknown>).projects).toBeUndefined();
    // The relation still resolves against the full schema at runtime.
    expect(slice.todos.include({} as never)._build().includes).toEqual([]);
    expect(() => sliceable.slice("nope" as "todos")).toThrow(/unknown table "nope"/);
  });
});

describe("schema hash", () => {
  const build = () =>
    s.defineApp({
      users: s.table({ name: s.string(), age: s.int().optional() }),
      posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("a", "b").default("a") }),
    });

  it("is a 64-hex blake3 digest, equal for two separately built equal schemas", () => {
    const a = build();
    const b = build();
    expect(schemaHash(a.wasmSchema)).toMatch(/^[0-9a-f]{64}$/);
    expect(a.wasmSchema).not.toBe(b.wasmSchema);
    expect(schemaHash(b.wasmSchema)).toBe(schemaHash(a.wasmSchema));
    expect(schemaHash(JSON.parse(JSON.stringify(a.wasmSchema)))).toBe(schemaHash(a.wasmSchema));
  });

  it("is the same in another process", () => {
    const fixture = fileURLToPath(new URL("./hash.fixture.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8" });
    expect(out).toBe(schemaHash(build().wasmSchema));
  });

  it("does not depend on table order or transforms, but does on column order and content", () => {
    const base = schemaHash(build().wasmSchema);
    const tablesSwapped = s.defineApp({
      posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("b", "a").default("a") }),
      users: s.table({ name: s.string(), age: s.int().optional() }),
    });
    expect(schemaHash(tablesSwapped.wasmSchema)).toBe(base);
    const columnsSwapped = s.defineApp({
      users: s.table({ age: s.int().optional(), name: s.string() }),
      posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("a", "b").default("a") }),
    });
    expect(schemaHash(columnsSwapped.wasmSchema)).not.toBe(base);
    const changedDefault = s.defineApp({
      users: s.table({ name: s.string(), age: s.int().optional() }),
      posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("a", "b").default("b") }),
    });
    expect(schemaHash(changedDefault.wasmSchema)).not.toBe(base);
    const transformed = s.defineApp({
      users: s.table({ name: s.string(), age: s.int().optional().transform({ from: (n) => n, to: (n) => n }) }),
      posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("a", "b").default("a") }),
    });
    expect(schemaHash(transformed.wasmSchema)).toBe(base);
  });
});
