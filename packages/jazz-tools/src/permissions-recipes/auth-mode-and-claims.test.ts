// Recipes "Permissions by auth mode" and "Using JWT claims in permissions".
import { afterEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

let testApp: PolicyTestApp;
afterEach(async () => testApp?.shutdown());

describe("permissions by auth mode", () => {
  const schema = { messages: s.table({ text: s.string() }) };
  const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
  const permissions = s.definePermissions(app, ({ policy, allOf, session }) => {
    const isLocalFirstAuthMode = session.where({ authMode: "local-first" });
    policy.messages.allowRead.always();
    policy.messages.allowInsert.where(allOf([{ not: isLocalFirstAuthMode }]));
  });

  it("local-first users read but cannot insert until they sign up", async () => {
    testApp = await createPolicyTestApp(app, permissions, expect);
    testApp.seed((db) => db.insert(app.messages, { text: "hello" }));
    const guest = testApp.as({ user_id: "u1", claims: {}, authMode: "local-first" });
    const member = testApp.as({ user_id: "u1", claims: {}, authMode: "external" });
    await expect(guest.all(app.messages)).resolves.toHaveLength(1);
    guest.expectDenied((db) => db.insert(app.messages, { text: "hi" }));
    member.expectAllowed((db) => db.insert(app.messages, { text: "hi" }));
  });
});

describe("JWT claims", () => {
  const schema = { todos: s.table({ title: s.string(), owner_id: s.string() }), invites: s.table({ code: s.string() }) };
  const exampleApp: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
  const permissions = s.definePermissions(exampleApp, ({ policy, anyOf, session }) => {
    policy.todos.allowRead.where(anyOf([{ owner_id: session.user_id }, session.where({ "claims.role": "manager" })]));
    policy.todos.allowUpdate.where(anyOf([{ owner_id: session.user_id }, session.where({ "claims.role": { in: ["manager", "admin"] } })]));
    // A claim compared with a column: users holding the invite's code may read it.
    policy.invites.allowRead.where({ code: session.claims.join_code });
  });

  it("claims grant access; a missing claim grants nothing", async () => {
    testApp = await createPolicyTestApp(exampleApp, permissions, expect);
    const todo = testApp.seed((db) => db.insert(exampleApp.todos, { title: "t", owner_id: "alice" }).value.id);
    testApp.seed((db) => db.insert(exampleApp.invites, { code: "invite-123" }));
    const manager = testApp.as({ user_id: "m", claims: { role: "manager" }, authMode: "external" });
    const intern = testApp.as({ user_id: "i", claims: { role: "intern" }, authMode: "external" });
    const invitedUser = testApp.as({ user_id: "bob", claims: { join_code: "invite-123" }, authMode: "local-first" });
    await expect(manager.all(exampleApp.todos)).resolves.toHaveLength(1);
    await expect(intern.all(exampleApp.todos)).resolves.toEqual([]);
    manager.expectAllowed((db) => db.update(exampleApp.todos, todo, { title: "managed" }));
    intern.expectDenied((db) => db.update(exampleApp.todos, todo, { title: "nope" }));
    await expect(invitedUser.all(exampleApp.invites)).resolves.toHaveLength(1);
    await expect(intern.all(exampleApp.invites)).resolves.toEqual([]);
  });
});
