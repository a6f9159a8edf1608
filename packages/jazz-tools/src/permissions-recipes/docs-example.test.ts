// The Permissions page's "Testing permissions" example, as written in the docs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const schema = {
  todos: s.table({ title: s.string(), ownerId: s.string() }),
};
type AppSchema = s.Schema<typeof schema>;
const app: s.App<AppSchema> = s.defineApp(schema);

const permissions = s.definePermissions(app, ({ policy, session }) => {
  policy.todos.allowRead.where({ ownerId: session.user_id });
  policy.todos.allowInsert.where({ ownerId: session.user_id });
  policy.todos.allowUpdate.where({ ownerId: session.user_id });
  policy.todos.allowDelete.where({ ownerId: session.user_id });
});

let testApp: PolicyTestApp;

beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
});

afterEach(async () => {
  await testApp.shutdown();
});

describe("todo permissions", () => {
  it("allows owners to update their own todos", () => {
    const todo = testApp.seed((db) => {
      const { value } = db.insert(app.todos, { title: "Buy milk", ownerId: "alice" });
      return value;
    });
    const alice = testApp.as({ user_id: "alice", claims: {}, authMode: "local-first" });
    const bob = testApp.as({ user_id: "bob", claims: {}, authMode: "local-first" });
    alice.expectAllowed((db) => db.update(app.todos, todo.id, { title: "Buy oat milk" }));
    bob.expectDenied((db) => db.update(app.todos, todo.id, { title: "Buy orange juice" }));
  });

  it("filters denied reads instead of throwing", async () => {
    const privateTodo = testApp.seed((db) => db.insert(app.todos, { title: "Secret", ownerId: "alice" }).value);
    const bob = testApp.as({ user_id: "bob", claims: {}, authMode: "local-first" });
    const alice = testApp.as({ user_id: "alice", claims: {}, authMode: "local-first" });
    await expect(bob.all(app.todos.where({ id: privateTodo.id }))).resolves.toEqual([]);
    await expect(alice.all(app.todos.where({ id: privateTodo.id }))).resolves.toEqual([{ id: privateTodo.id, title: "Secret", ownerId: "alice" }]);
    await expect(bob.one(app.todos)).resolves.toBeNull();
  });

  it("expectAllowed/expectDenied roll their writes back, and fail on the wrong outcome", async () => {
    const todo = testApp.seed((db) => db.insert(app.todos, { title: "Keep", ownerId: "alice" }).value);
    const alice = testApp.as({ user_id: "alice", claims: {}, authMode: "local-first" });
    alice.expectAllowed((db) => {
      db.update(app.todos, todo.id, { title: "Changed" });
      db.insert(app.todos, { title: "New", ownerId: "alice" });
    });
    await expect(alice.all(app.todos)).resolves.toEqual([{ id: todo.id, title: "Keep", ownerId: "alice" }]);
    expect(() => alice.expectDenied((db) => db.update(app.todos, todo.id, { title: "fine" }))).toThrow();
    expect(() => alice.expectAllowed((db) => db.insert(app.todos, { title: "x", ownerId: "bob" }))).toThrow();
    // A write to a row that does not exist is a test mistake, not a denial.
    expect(() => alice.expectDenied((db) => db.update(app.todos, "00000000-0000-7000-8000-000000000000", { title: "x" }))).toThrow(/to be denied by a policy/);
  });

  it("$canRead, $canEdit and $canDelete are selectable", async () => {
    testApp.seed((db) => db.insert(app.todos, { title: "Mine", ownerId: "alice" }));
    const alice = testApp.as({ user_id: "alice", claims: {}, authMode: "local-first" });
    const rows = await alice.all(app.todos.select("title", "$canRead", "$canEdit", "$canDelete"));
    expect(rows).toEqual([expect.objectContaining({ title: "Mine", $canRead: true, $canEdit: true, $canDelete: true })]);
  });

  it("refuses permissions that do not fit the app's schema", async () => {
    const other = s.defineApp({ notes: s.table({ text: s.string() }) });
    const foreign = s.definePermissions(other, ({ policy }) => policy.notes.allowRead.always());
    await expect(createPolicyTestApp(app, foreign, expect)).rejects.toThrow(/table "notes"/);
  });
});
