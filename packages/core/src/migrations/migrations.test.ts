// Migrations as users write them: s.defineMigration and its operations, the stub
// `migrations create` generates (each operation, and the draft case), lens paths and the
// translation of batches between versions.
import { describe, expect, it } from "vitest";
import { schema as s, schemaHash } from "../index.ts";
import type { Batch } from "../engine/batch.ts";
import { batchTranslator, findLensPath, migrationLens, MigrationError, parseMigrationLens, renderMigrationStub, type DefinedMigration } from "./index.ts";

const H1 = "a".repeat(64);
const H2 = "b".repeat(64);
const H3 = "c".repeat(64);

/** Evaluates a generated stub as a user's migration file would run. */
function runStub(source: string): DefinedMigration {
  const body = source.replace('import { schema as s } from "jazz-tools";', "").replace("export default", "return");
  return new Function("s", body)(s) as DefinedMigration;
}

describe("s.defineMigration", () => {
  it("turns add, drop and rename into a lens with JSON defaults", () => {
    const m = s.defineMigration({
      fromHash: H1.slice(0, 12),
      toHash: H2.slice(0, 12),
      from: { todos: s.table({ title: s.string(), due: s.timestamp() }) },
      to: { todos: s.table({ name: s.string(), done: s.boolean() }) },
      migrate: { todos: { name: s.renameFrom("title"), done: s.add.boolean({ default: false }), due: s.drop.timestamp({ backwardsDefault: new Date(5) }) } },
    });
    expect(migrationLens(m)).toEqual({
      fromHash: "aaaaaaaaaaaa",
      toHash: "bbbbbbbbbbbb",
      tables: [
        {
          table: "todos",
          columns: [
            { op: "rename", column: "name", from: "title" },
            { op: "add", column: "done", type: { kind: "boolean" }, default: false },
            { op: "drop", column: "due", type: { kind: "timestamp" }, backwardsDefault: 5 },
          ],
        },
      ],
    });
  });

  it("refuses operations that do not match the two schemas, naming what to fix", () => {
    const base = { fromHash: H1, toHash: H2, from: { t: s.table({ a: s.string() }) }, to: { t: s.table({ a: s.string(), b: s.int() }) } };
    expect(() => s.defineMigration({ ...base, migrate: { t: { b: s.add.string({ default: "" }) } } })).toThrow(/s.add.string\(\) does not match the column's type int/);
    expect(() => s.defineMigration({ ...base, migrate: { t: { a: s.add.string({ default: "" }) } } })).toThrow(/already exists in `from`/);
    expect(() => s.defineMigration({ ...base, migrate: { t: { b: s.add.int({ default: "x" as never }) } } })).toThrow(MigrationError);
    expect(() => s.defineMigration({ ...base, migrate: { t: { b: s.renameFrom("zz") } } })).toThrow(/old column zz is not in `from.t`/);
    expect(() => s.defineMigration({ ...base, fromHash: "nothex" })).toThrow(/fromHash must be a schema hash/);
    expect(() => s.add.int({} as never)).toThrow(/needs \{ default: ... \}/);
  });

  it("checks published lenses from untrusted JSON", () => {
    expect(() => parseMigrationLens({ fromHash: H1, toHash: H2, tables: [{ table: "t", columns: [{ op: "explode", column: "x" }] }] })).toThrow(/op must be "add", "drop" or "rename"/);
    expect(() => parseMigrationLens(null)).toThrow(MigrationError);
    expect(parseMigrationLens({ fromHash: H1, toHash: H2, tables: [] })).toEqual({ fromHash: H1, toHash: H2, tables: [] });
  });
});

describe("migrations create: the generated stub", () => {
  const from = { todos: s.table({ title: s.string(), stale: s.int().optional() }), old: s.table({ x: s.string() }) };
  it("adds with a default, drops with a backwards default, creates and drops tables, and evaluates as written", () => {
    const to = { todos: s.table({ title: s.string(), done: s.boolean(), note: s.string().optional() }), fresh: s.table({ y: s.int() }) };
    const a = s.defineApp(from).wasmSchema;
    const b = s.defineApp(to).wasmSchema;
    const { source, draft } = renderMigrationStub({ fromHash: schemaHash(a), toHash: schemaHash(b), from: a, to: b });
    expect(draft).toBe(false);
    expect(source).toContain('"done": s.add.boolean({ default: false }),');
    expect(source).toContain('"note": s.add.string({ default: null }),');
    expect(source).toContain('"stale": s.drop.int({ backwardsDefault: null }),');
    expect(source).toContain('"fresh": true,');
    expect(source).toContain('"old": true,');
    const m = runStub(source);
    expect(m.fromHash).toBe(schemaHash(a).slice(0, 12));
    expect(m.tables.map((t) => [t.table, t.created ?? t.dropped ?? false])).toEqual([
      ["fresh", true],
      ["old", true],
      ["todos", false],
    ]);
  });

  it("a dropped column and an added one of the same type may be a rename: a draft with the choice spelled out", () => {
    const a = s.defineApp({ todos: s.table({ title: s.string() }) }).wasmSchema;
    const b = s.defineApp({ todos: s.table({ name: s.string() }) }).wasmSchema;
    const { source, draft } = renderMigrationStub({ fromHash: H1, toHash: H2, from: a, to: b });
    expect(draft).toBe(true);
    expect(source).toContain("draft: true,");
    expect(source).toContain('"name": s.renameFrom("title")');
    expect(runStub(source).draft).toBe(true);
  });

  it("a table with the same columns under a new name is proposed as a rename", () => {
    const a = s.defineApp({ items: s.table({ title: s.string() }) }).wasmSchema;
    const b = s.defineApp({ tasks: s.table({ title: s.string() }) }).wasmSchema;
    const { source } = renderMigrationStub({ fromHash: H1, toHash: H2, from: a, to: b });
    expect(source).toContain('"tasks": s.renameTableFrom("items"),');
    expect(runStub(source).tables).toEqual([{ table: "tasks", renamedFrom: "items", columns: [] }]);
  });
});

describe("lenses between versions", () => {
  const m12 = migrationLens(
    s.defineMigration({
      fromHash: H1,
      toHash: H2,
      from: { t: s.table({ title: s.string(), p: s.int() }) },
      to: { t: s.table({ name: s.string(), done: s.boolean() }) },
      migrate: { t: { name: s.renameFrom("title"), done: s.add.boolean({ default: true }), p: s.drop.int({ backwardsDefault: 9 }) } },
    }),
  );
  const m23 = migrationLens(
    s.defineMigration({
      fromHash: H2,
      toHash: H3,
      from: { t: s.table({ name: s.string() }) },
      to: { t: s.table({ label: s.string() }) },
      migrate: { t: { label: s.renameFrom("name") } },
    }),
  );
  const v1 = s.defineApp({ t: s.table({ title: s.string(), p: s.int() }) }).wasmSchema;
  const v3 = s.defineApp({ t: s.table({ label: s.string(), done: s.boolean() }) }).wasmSchema;
  const insert = (values: Batch["writes"][number]["values"]): Batch => ({ batchId: "0".repeat(32), ts: 1, author: "u", kind: "direct", writes: [{ table: "t", id: "r", op: "insert", values }] });

  it("finds the path forward and backward across several migrations, or none", () => {
    expect(findLensPath([m12, m23], H1, H3)!.map((st) => st.forward)).toEqual([true, true]);
    expect(findLensPath([m12, m23], H3, H1)!.map((st) => st.forward)).toEqual([false, false]);
    expect(findLensPath([m12], H1, H3)).toBeNull();
  });

  it("translates a v1 insert to v3 (two renames, a default) and a v3 insert back to v1 (backwards default)", () => {
    const up = batchTranslator(findLensPath([m12, m23], H1, H3)!, v3, { keepOthers: false })!;
    expect(up(insert({ title: "x", p: 1 })).writes[0]!.values).toEqual({ label: "x", done: 1 });
    const down = batchTranslator(findLensPath([m12, m23], H3, H1)!, v1, { keepOthers: false })!;
    expect(down(insert({ label: "y", done: 0 })).writes[0]!.values).toEqual({ title: "y", p: 9 });
  });

  it("into the server's layout, keeps the columns a newer version dropped", () => {
    const layout = s.defineApp({ t: s.table({ name: s.string(), done: s.boolean(), p: s.int().optional() }) }).wasmSchema;
    const t = batchTranslator(findLensPath([m12], H1, H2)!, layout, { keepOthers: true })!;
    expect(t(insert({ title: "x", p: 4 })).writes[0]!.values).toEqual({ name: "x", done: 1, p: 4 });
  });
});
