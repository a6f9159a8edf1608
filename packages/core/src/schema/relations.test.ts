import { describe, expect, it } from "vitest";
import type { ColumnSchema, ColumnType, RuntimeSchema } from "./runtime.ts";
import { allRelations, resolveRelation } from "./relations.ts";
import { QueryError } from "../query/errors.ts";

const c = (type: ColumnType, optional = false): ColumnSchema => ({ type, optional, merge: "lww" });
const schema: RuntimeSchema = {
  tables: {
    projects: { columns: { name: c({ kind: "string" }) } },
    categories: { columns: { name: c({ kind: "string" }) } },
    todos: {
      columns: {
        projectId: c({ kind: "ref", table: "projects" }),
        owner_id: c({ kind: "ref", table: "projects" }, true),
        tagIds: c({ kind: "array", element: { kind: "ref", table: "categories" } }),
        category_ids: c({ kind: "array", element: { kind: "ref", table: "categories" } }),
        parent: c({ kind: "ref", table: "todos" }, true),
        outside: c({ kind: "ref", table: "not_in_schema" }, true),
      },
    },
  },
};

describe("resolveRelation", () => {
  it("forward names strip Id/_id/Ids/_ids; arrays are pluralised; no suffix keeps the name", () => {
    expect(resolveRelation(schema, "todos", "project")).toEqual({ name: "project", kind: "forward", fromTable: "todos", fkColumn: "projectId", toTable: "projects", many: false, arrayFk: false });
    expect(resolveRelation(schema, "todos", "owner")).toMatchObject({ fkColumn: "owner_id", toTable: "projects", many: false });
    expect(resolveRelation(schema, "todos", "tags")).toMatchObject({ kind: "forward", fkColumn: "tagIds", toTable: "categories", many: true, arrayFk: true });
    expect(resolveRelation(schema, "todos", "categories")).toMatchObject({ fkColumn: "category_ids", many: true });
    expect(resolveRelation(schema, "todos", "parent")).toMatchObject({ kind: "forward", fkColumn: "parent", toTable: "todos" });
  });

  it("reverse names are <table>Via<Forward>, always many", () => {
    expect(resolveRelation(schema, "projects", "todosViaProject")).toEqual({ name: "todosViaProject", kind: "reverse", fromTable: "projects", fkColumn: "projectId", toTable: "todos", many: true, arrayFk: false });
    expect(resolveRelation(schema, "projects", "todosViaOwner")).toMatchObject({ fkColumn: "owner_id" });
    expect(resolveRelation(schema, "categories", "todosViaTags")).toMatchObject({ kind: "reverse", fkColumn: "tagIds", arrayFk: true, many: true });
    expect(resolveRelation(schema, "todos", "todosViaParent")).toMatchObject({ kind: "reverse", toTable: "todos" });
  });

  it("refs to tables outside the schema are not relations", () => {
    expect([...allRelations(schema).get("todos")!.keys()]).toEqual(["project", "owner", "tags", "categories", "parent", "todosViaParent"]);
  });

  it("unknown names throw QueryError listing what exists", () => {
    let err: unknown;
    try {
      resolveRelation(schema, "projects", "todos");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as Error).name).toBe("QueryError");
    expect((err as Error).message).toBe('Unknown relation "todos" on table "projects". Available relations: todosViaProject, todosViaOwner.');
    expect(() => resolveRelation(schema, "nope", "x")).toThrowError(/Unknown table "nope"/);
    expect(() => resolveRelation({ tables: { a: { columns: {} } } }, "a", "x")).toThrowError(/Available relations: \(none/);
  });
});
