import { describe, expect, it } from "vitest";
import { schema as s } from "../index.ts";
import { definePermissions, PermissionsDefinitionError } from "./dsl.ts";

const schema = {
  todos: s.table({ title: s.string(), owner_id: s.string(), projectId: s.ref("projects") }),
  projects: s.table({ name: s.string() }),
};
type AppSchema = s.Schema<typeof schema>;
const app: s.App<AppSchema> = s.defineApp(schema);

describe("definePermissions DSL", () => {
  it("allowedTo.*Referencing takes the table as a name, policy.<table> or the app's table", () => {
    const by = (pick: (policy: any) => unknown) =>
      s.definePermissions(app, ({ policy, allowedTo }) => {
        policy.todos.allowRead.always();
        policy.projects.allowRead.where(allowedTo.readReferencing(pick(policy) as never, "projectId"));
        policy.projects.allowDelete.where(allowedTo.deleteReferencing(pick(policy) as never, "projectId"));
      }).tables.projects;
    const named = by(() => "todos");
    expect(named.read).toBeDefined();
    expect(by((policy) => policy.todos)).toEqual(named);
    expect(by(() => app.todos)).toEqual(named);
    expect(() => by(() => ({}))).toThrow(PermissionsDefinitionError);
    expect(() => by(() => "nope")).toThrow(/nope/);
  });


  it("is on the s namespace and takes the app from s.defineApp", () => {
    const bundle = s.definePermissions(app, ({ policy, session, allowedTo }) => {
      policy.todos.allowRead.where((todo) => ({ owner_id: session.user_id, title: { ne: todo.owner_id } }));
      policy.todos.allowInserts.where(allowedTo.read("projectId"));
      policy.projects.allowRead.always();
    });
    expect(bundle.tables.todos.read).toEqual({
      t: "and",
      of: [
        { t: "cmp", l: { col: "owner_id", up: 0 }, op: "eq", r: { session: ["user_id"] } },
        { t: "cmp", l: { col: "title", up: 0 }, op: "ne", r: { col: "owner_id", up: 0 } },
      ],
    });
    expect(bundle.tables.todos.insert).toEqual({ t: "allowedTo", op: "read", col: "projectId", maxDepth: 10 });
  });

  it("update grants: where = both rows, whereOld alone leaves the new row free, whereNew alone applies to both", () => {
    const b = definePermissions(app, ({ policy }) => {
      policy.todos.allowUpdate.whereOld({ owner_id: "a" });
      policy.todos.allowUpdates.whereNew({ owner_id: "b" });
      policy.todos.allowUpdate.whereOld({ owner_id: "c" }).whereNew({ title: "d" });
      policy.todos.allowUpdate.where({ owner_id: "e" });
    });
    const eq = (c: string, v: string) => ({ t: "cmp", l: { col: c, up: 0 }, op: "eq", r: { lit: v } });
    expect(b.tables.todos.update).toEqual([
      { old: eq("owner_id", "a"), new: { t: "const", v: true } },
      { old: eq("owner_id", "b"), new: eq("owner_id", "b") },
      { old: eq("owner_id", "c"), new: eq("title", "d") },
      { old: eq("owner_id", "e"), new: eq("owner_id", "e") },
    ]);
  });

  it("exists scopes, qualified keys and outer row references resolve to scope offsets", () => {
    const b = definePermissions(app, ({ policy }) => {
      policy.projects.allowRead.where((project) =>
        policy.todos.exists.where({ projectId: project.id, "projects.name": { contains: "x" } }),
      );
    });
    expect(b.tables.projects.read).toEqual({
      t: "exists",
      table: "todos",
      where: {
        t: "and",
        of: [
          { t: "cmp", l: { col: "projectId", up: 0 }, op: "eq", r: { col: "id", up: 1 } },
          { t: "cmp", l: { col: "name", up: 1 }, op: "contains", r: { lit: "x" } },
        ],
      },
    });
  });

  it("managedByCreator grants every operation on $createdBy; no grant means no key (deny)", () => {
    const b = definePermissions(app, ({ policy }) => policy.projects.managedByCreator());
    const creator = { t: "cmp", l: { col: "$createdBy", up: 0 }, op: "eq", r: { session: ["user_id"] } };
    expect(b.tables.projects).toEqual({ read: creator, insert: creator, delete: creator, update: [{ old: creator, new: creator }] });
    expect(b.tables.todos).toBeUndefined();
  });

  it("rejects mistakes with a clear PermissionsDefinitionError", () => {
    const bad = (fn: Parameters<typeof definePermissions<typeof app>>[1]) => () => definePermissions(app, fn);
    expect(bad(({ policy }) => (policy as any).nope.allowRead.always())).toThrow(/Unknown table "nope"/);
    expect(bad(({ policy }) => policy.todos.allowRead.where({ colour: "red" } as any))).toThrow(/Unknown column "colour" on table "todos"/);
    expect(bad(({ policy }) => policy.todos.allowRead.where((t: any) => ({ title: t.colour })))).toThrow(PermissionsDefinitionError);
    expect(bad(({ policy, allowedTo }) => policy.todos.allowRead.where(allowedTo.read("title")))).toThrow(/must be a ref column/);
    expect(bad(({ policy, allowedTo }) => policy.todos.allowRead.where(allowedTo.read("projectId", { maxDepth: 65 })))).toThrow(
      /maxDepth must be an integer from 1 to 64/,
    );
    expect(bad(({ policy, session }) => policy.todos.allowRead.where({ owner_id: session.claims.missing ?? undefined }))).not.toThrow();
    expect(bad(({ policy }) => policy.todos.allowRead.where({ owner_id: undefined }))).toThrow(/"owner_id" is undefined/);
    // A row reference used in another table's policy.
    expect(
      bad(({ policy }) => {
        let leaked: any;
        policy.todos.allowRead.where((t) => ((leaked = t.owner_id), {}));
        policy.projects.allowRead.where({ name: leaked });
      }),
    ).toThrow(/outside the policy/);
  });

  it("session paths: user_id/userId, authMode, claims.x and dotted keys in session.where", () => {
    const b = definePermissions(app, ({ policy, session }) => {
      policy.todos.allowRead.where({ owner_id: session.userId });
      policy.projects.allowRead.where(session.where({ "claims.org.role": "admin", authMode: { ne: "anonymous" } }));
    });
    expect(b.tables.todos.read).toEqual({ t: "cmp", l: { col: "owner_id", up: 0 }, op: "eq", r: { session: ["user_id"] } });
    expect(b.tables.projects.read).toEqual({
      t: "and",
      of: [
        { t: "cmp", l: { session: ["claims", "org", "role"] }, op: "eq", r: { lit: "admin" } },
        { t: "cmp", l: { session: ["authMode"] }, op: "ne", r: { lit: "anonymous" } },
      ],
    });
  });
});
