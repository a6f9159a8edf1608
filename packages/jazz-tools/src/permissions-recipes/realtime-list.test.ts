// Recipe "Real-time collaborative list": project members read and write tasks; the project's
// creator manages membership.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const schema = {
  projects: s.table({ name: s.string() }),
  tasks: s.table({ title: s.string(), done: s.boolean(), assignee_id: s.string().optional(), projectId: s.ref("projects") }),
  projectMembers: s.table({ projectId: s.ref("projects"), user_id: s.string() }),
};
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);

const permissions = s.definePermissions(app, ({ policy, anyOf, allowedTo, session }) => {
  policy.projects.allowRead.where((project) =>
    anyOf([{ $createdBy: session.user_id }, policy.projectMembers.exists.where({ projectId: project.id, user_id: session.user_id })]),
  );
  policy.projects.allowInsert.always();
  policy.projects.allowUpdate.where({ $createdBy: session.user_id });
  policy.tasks.allowRead.where(allowedTo.read("projectId"));
  policy.tasks.allowInsert.where(allowedTo.read("projectId"));
  policy.tasks.allowUpdate.where(allowedTo.read("projectId"));
  policy.projectMembers.allowInsert.where((member) => policy.projects.exists.where({ id: member.projectId, $createdBy: session.user_id }));
  policy.projectMembers.allowRead.where((member) =>
    anyOf([policy.projects.exists.where({ id: member.projectId, $createdBy: session.user_id }), { user_id: session.user_id }]),
  );
});

let testApp: PolicyTestApp;
const as = (user_id: string) => testApp.as({ user_id, claims: {}, authMode: "local-first" });
let project: string;
let task: string;
beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
  project = testApp.seed((db) => db.insert(app.projects, { name: "Launch" }).value.id, { as: "alice" });
  task = testApp.seed((db) => db.insert(app.tasks, { title: "Ship", done: false, projectId: project }).value.id, { as: "alice" });
});
afterEach(async () => testApp.shutdown());

describe("real-time collaborative list", () => {
  it("members read and write tasks; the creator manages membership", async () => {
    await expect(as("bob").all(app.tasks)).resolves.toEqual([]);
    as("bob").expectDenied((db) => db.insert(app.projectMembers, { projectId: project, user_id: "bob" }));
    as("alice").expectAllowed((db) => db.insert(app.projectMembers, { projectId: project, user_id: "bob" }));
    testApp.seed((db) => db.insert(app.projectMembers, { projectId: project, user_id: "bob" }));
    expect((await as("bob").all(app.tasks.where({ projectId: project, done: false }))).map((t) => t.id)).toEqual([task]);
    as("bob").expectAllowed((db) => db.update(app.tasks, task, { done: true }));
    as("bob").expectAllowed((db) => db.insert(app.tasks, { title: "New", done: false, projectId: project }));
    as("bob").expectDenied((db) => db.update(app.projects, project, { name: "Bob's now" }));
    as("bob").expectDenied((db) => db.insert(app.projectMembers, { projectId: project, user_id: "carol" }));
    // Tasks have no delete policy: delete falls back to the update clause. Members have neither.
    as("bob").expectAllowed((db) => db.delete(app.tasks, task));
    as("carol").expectDenied((db) => db.delete(app.tasks, task));
    const membership = (await as("bob").all(app.projectMembers))[0].id;
    as("alice").expectDenied((db) => db.delete(app.projectMembers, membership));
    await expect(as("carol").all(app.projectMembers)).resolves.toEqual([]);
    expect(await as("bob").all(app.projectMembers)).toHaveLength(1);
  });
});
