// Recipe "User-owned data": $createdBy ownership, and an explicit owner_id whose owner can
// transfer the row (allowUpdate.whereOld).
import { afterEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const alice = { user_id: "alice", claims: {}, authMode: "local-first" };
const bob = { user_id: "bob", claims: {}, authMode: "local-first" };
let testApp: PolicyTestApp;
afterEach(async () => testApp?.shutdown());

describe("user-owned data via $createdBy", () => {
  const schema = { todos: s.table({ title: s.string(), done: s.boolean() }) };
  const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
  const permissions = s.definePermissions(app, ({ policy, session }) => {
    policy.todos.allowRead.where({ $createdBy: session.user_id });
    policy.todos.allowInsert.always();
    policy.todos.allowUpdate.where({ $createdBy: session.user_id });
    policy.todos.allowDelete.where({ $createdBy: session.user_id });
  });

  it("only the creator reads, updates and deletes; anyone inserts", async () => {
    testApp = await createPolicyTestApp(app, permissions, expect);
    const todo = testApp.seed((db) => db.insert(app.todos, { title: "Buy milk", done: false }).value, { as: "alice" });
    const a = testApp.as(alice);
    const b = testApp.as(bob);
    expect((await a.all(app.todos.where({ done: false }))).map((t) => t.id)).toEqual([todo.id]);
    await expect(b.all(app.todos)).resolves.toEqual([]);
    a.expectAllowed((db) => db.update(app.todos, todo.id, { done: true }));
    b.expectDenied((db) => db.update(app.todos, todo.id, { done: true }));
    a.expectAllowed((db) => db.delete(app.todos, todo.id));
    b.expectDenied((db) => db.delete(app.todos, todo.id));
    b.expectAllowed((db) => db.insert(app.todos, { title: "Mine", done: false }));
  });
});

describe("explicit owner_id with ownership transfer", () => {
  const schema = { todos: s.table({ title: s.string(), done: s.boolean(), owner_id: s.string() }) };
  const explicitApp: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
  const permissions = s.definePermissions(explicitApp, ({ policy, session }) => {
    policy.todos.allowRead.where({ owner_id: session.user_id });
    policy.todos.allowInsert.always();
    policy.todos.allowUpdate.whereOld({ owner_id: session.user_id });
    policy.todos.allowDelete.where({ owner_id: session.user_id });
  });
  const narrowed = s.definePermissions(explicitApp, ({ policy, session }) => {
    policy.todos.allowRead.where({ owner_id: session.user_id });
    policy.todos.allowInsert.where({ owner_id: session.user_id });
    policy.todos.allowUpdate.where({ owner_id: session.user_id });
  });

  it("the current owner can transfer the row (whereOld checks the stored row only)", async () => {
    testApp = await createPolicyTestApp(explicitApp, permissions, expect);
    const todo = testApp.seed((db) => db.insert(explicitApp.todos, { title: "Report", done: false, owner_id: "alice" }).value);
    testApp.as(alice).expectAllowed((db) => db.update(explicitApp.todos, todo.id, { owner_id: "bob" }));
    testApp.as(bob).expectDenied((db) => db.update(explicitApp.todos, todo.id, { owner_id: "bob" }));
    // After a transfer the new owner is in charge and the old one is locked out.
    testApp.seed((db) => db.update(explicitApp.todos, todo.id, { owner_id: "bob" }));
    testApp.as(bob).expectAllowed((db) => db.update(explicitApp.todos, todo.id, { title: "Bob's report" }));
    testApp.as(alice).expectDenied((db) => db.update(explicitApp.todos, todo.id, { owner_id: "alice" }));
    await expect(testApp.as(alice).all(explicitApp.todos)).resolves.toEqual([]);
    // allowInsert.always() lets anyone assign a row to someone else on creation.
    testApp.as(bob).expectAllowed((db) => db.insert(explicitApp.todos, { title: "gift", done: false, owner_id: "alice" }));
  });

  it("with .where on update, transfers are blocked; narrowed inserts refuse foreign owners", async () => {
    testApp = await createPolicyTestApp(explicitApp, narrowed, expect);
    const todo = testApp.seed((db) => db.insert(explicitApp.todos, { title: "Report", done: false, owner_id: "alice" }).value);
    testApp.as(alice).expectDenied((db) => db.update(explicitApp.todos, todo.id, { owner_id: "bob" }));
    testApp.as(alice).expectAllowed((db) => db.update(explicitApp.todos, todo.id, { title: "ok" }));
    testApp.as(bob).expectDenied((db) => db.insert(explicitApp.todos, { title: "x", done: false, owner_id: "alice" }));
    testApp.as(bob).expectAllowed((db) => db.insert(explicitApp.todos, { title: "x", done: false, owner_id: "bob" }));
    // No delete policy: delete falls back to the update clause.
    testApp.as(alice).expectAllowed((db) => db.delete(explicitApp.todos, todo.id));
    testApp.as(bob).expectDenied((db) => db.delete(explicitApp.todos, todo.id));
  });
});
