// The server side of schema versions, on a real engine over SQLite: the layout follows renames
// in place, writes from older versions are translated and stamped, newer versions may omit a
// column they dropped, and a version no migration reaches is served as is, with a warning
// naming the command that would connect it.
import { describe, expect, it } from "vitest";
import { migrationLens, schemaHash, schema as s, type Batch } from "@jazz-tools/core";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { ServerEngine } from "./engine.ts";
import { SchemaLenses } from "./lenses.ts";
import { batchId, rowId } from "../testing/clients.ts";

const v1 = s.defineApp({ todos: s.table({ title: s.string(), priority: s.int() }) });
const v2 = s.defineApp({ todos: s.table({ name: s.string() }) });
const m12 = migrationLens(
  s.defineMigration({
    fromHash: schemaHash(v1.wasmSchema),
    toHash: schemaHash(v2.wasmSchema),
    from: { todos: s.table({ title: s.string(), priority: s.int() }) },
    to: { todos: s.table({ name: s.string() }) },
    migrate: { todos: { name: s.renameFrom("title"), priority: s.drop.int({ backwardsDefault: 0 }) } },
  }),
);
const insert = (values: Record<string, string | number>, schemaHash?: string): Batch => ({
  batchId: batchId(),
  ts: Date.now() * 1000,
  author: "u",
  kind: "direct",
  writes: [{ table: "todos", id: rowId(), op: "insert", values }],
  ...(schemaHash ? { schemaHash } : {}),
});
const session = { user_id: "u", claims: {}, authMode: "local-first" as const };

describe("schema versions on the server", () => {
  it("renames the layout's column in place, translates an older client's write and accepts a newer one without the dropped column", () => {
    const engine = new ServerEngine(createNodeSqlDriver(), "lenses-test");
    const lenses = new SchemaLenses(engine, "lenses-test", () => {});
    engine.publishSchema(v1.wasmSchema);
    expect(engine.accept(insert({ title: "old", priority: 2 }, schemaHash(v1.wasmSchema)), session, false).fate.kind).toBe("accepted");
    engine.publishSchema(v2.wasmSchema, [m12]);
    lenses.invalidate();
    expect(Object.keys(engine.schema.tables.todos!.columns)).toEqual(["name", "priority"]);
    expect(engine.driver.all("SELECT name, priority FROM todos")).toEqual([["old", 2]]);

    const fromV1 = lenses.inbound(insert({ title: "late v1", priority: 5 }, schemaHash(v1.wasmSchema)), null);
    expect(fromV1.schemaHash).toBe(schemaHash(v2.wasmSchema));
    expect(fromV1.writes[0]!.values).toEqual({ name: "late v1", priority: 5 });
    expect(engine.accept(fromV1, session, false).fate.kind).toBe("accepted");
    // v2 no longer has `priority`: its inserts may leave it out.
    expect(engine.accept(lenses.inbound(insert({ name: "v2" }), schemaHash(v2.wasmSchema)), session, false).fate).toMatchObject({ kind: "accepted" });

    // What a v1 reader gets of a v2 write: its own names, the backwards default.
    const out = lenses.outbound([insert({ name: "v2 row" }, schemaHash(v2.wasmSchema))], schemaHash(v1.wasmSchema));
    expect(out[0]!.writes[0]!.values).toEqual({ title: "v2 row", priority: 0 });
    expect(lenses.sameNames(schemaHash(v1.wasmSchema))).toBe(false);
  });

  it("a version no migration reaches is served as is, with one warning naming migrations create", () => {
    const engine = new ServerEngine(createNodeSqlDriver(), "lenses-test");
    const warnings: string[] = [];
    const lenses = new SchemaLenses(engine, "my-app", (m) => warnings.push(m));
    const a = s.defineApp({ notes: s.table({ text: s.string() }) });
    const b = s.defineApp({ notes: s.table({ text: s.string(), done: s.boolean().optional() }) });
    engine.publishSchema(a.wasmSchema);
    engine.publishSchema(b.wasmSchema);
    lenses.invalidate();
    const batch = insert({ text: "x" }, schemaHash(a.wasmSchema));
    expect(lenses.outbound([batch], schemaHash(b.wasmSchema))[0]).toBe(batch);
    lenses.outbound([insert({ text: "y" }, schemaHash(a.wasmSchema))], schemaHash(b.wasmSchema));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`jazz-tools migrations create my-app --fromHash ${schemaHash(a.wasmSchema).slice(0, 12)} --toHash ${schemaHash(b.wasmSchema).slice(0, 12)}`);
  });
});
