// Recipe "Shared access between users": a shares table grants read (and edit) access to
// specific rows; deleting the share revokes it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const schema = {
  todos: s.table({ title: s.string(), done: s.boolean() }),
  todoShares: s.table({ todoId: s.ref("todos"), user_id: s.string(), canEdit: s.boolean() }),
};
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);

const permissions = s.definePermissions(app, ({ policy, session, anyOf }) => {
  const sharedWithMe = (todoId: string) => policy.todoShares.exists.where({ todoId, user_id: session.user_id });
  const editableByMe = (todoId: string) => policy.todoShares.exists.where({ todoId, user_id: session.user_id, canEdit: true });
  policy.todos.allowRead.where((todo) => anyOf([{ $createdBy: session.user_id }, sharedWithMe(todo.id)]));
  policy.todos.allowInsert.always();
  policy.todos.allowUpdate.where((todo) => anyOf([{ $createdBy: session.user_id }, editableByMe(todo.id)]));
  policy.todos.allowDelete.where({ $createdBy: session.user_id });
  // Only the todo's creator shares it; the recipient may see their share and drop it.
  const ownsTodo = (todoId: string) => policy.todos.exists.where({ id: todoId, $createdBy: session.user_id });
  policy.todoShares.allowRead.where((share) => anyOf([{ user_id: session.user_id }, ownsTodo(share.todoId)]));
  policy.todoShares.allowInsert.where((share) => ownsTodo(share.todoId));
  policy.todoShares.allowDelete.where((share) => anyOf([{ user_id: session.user_id }, ownsTodo(share.todoId)]));
});

let testApp: PolicyTestApp;
const as = (user_id: string) => testApp.as({ user_id, claims: {}, authMode: "local-first" });
let todo: string;
beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
  todo = testApp.seed((db) => db.insert(app.todos, { title: "Plan trip", done: false }).value.id, { as: "alice" });
});
afterEach(async () => testApp.shutdown());

describe("shared access", () => {
  it("a share grants read; an edit share grants update; deleting the share revokes", async () => {
    await expect(as("bob").all(app.todos)).resolves.toEqual([]);
    as("alice").expectAllowed((db) => db.insert(app.todoShares, { todoId: todo, user_id: "bob", canEdit: false }));
    as("bob").expectDenied((db) => db.insert(app.todoShares, { todoId: todo, user_id: "bob", canEdit: true }));
    const share = testApp.seed((db) => db.insert(app.todoShares, { todoId: todo, user_id: "bob", canEdit: false }).value.id, { as: "alice" });
    expect((await as("bob").all(app.todos)).map((t) => t.id)).toEqual([todo]);
    as("bob").expectDenied((db) => db.update(app.todos, todo, { done: true }));
    testApp.seed((db) => db.update(app.todoShares, share, { canEdit: true }));
    as("bob").expectAllowed((db) => db.update(app.todos, todo, { done: true }));
    as("bob").expectDenied((db) => db.delete(app.todos, todo));
    await expect(as("carol").all(app.todos)).resolves.toEqual([]);
    testApp.seed((db) => db.delete(app.todoShares, share));
    await expect(as("bob").all(app.todos)).resolves.toEqual([]);
    as("bob").expectDenied((db) => db.update(app.todos, todo, { done: false }));
  });
});
