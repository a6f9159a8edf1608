// Recipe "Nested data with permission inheritance": allowedTo through two levels.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const schema = {
  projects: s.table({ name: s.string() }),
  tasks: s.table({ title: s.string(), done: s.boolean(), projectId: s.ref("projects") }),
  comments: s.table({ body: s.string(), taskId: s.ref("tasks") }),
};
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);

const permissions = s.definePermissions(app, ({ policy, allowedTo, session }) => {
  policy.projects.allowRead.where({ $createdBy: session.user_id });
  policy.projects.allowInsert.always();
  policy.projects.allowUpdate.where({ $createdBy: session.user_id });
  policy.projects.allowDelete.where({ $createdBy: session.user_id });
  policy.tasks.allowRead.where(allowedTo.read("projectId"));
  policy.tasks.allowInsert.where(allowedTo.read("projectId"));
  policy.tasks.allowUpdate.where(allowedTo.update("projectId"));
  policy.tasks.allowDelete.where(allowedTo.delete("projectId"));
  policy.comments.allowRead.where(allowedTo.read("taskId"));
  policy.comments.allowInsert.where(allowedTo.read("taskId"));
  policy.comments.allowUpdate.where({ $createdBy: session.user_id });
  policy.comments.allowDelete.where({ $createdBy: session.user_id });
});

let testApp: PolicyTestApp;
const as = (user_id: string) => testApp.as({ user_id, claims: {}, authMode: "local-first" });
let ids: { project: string; task: string; comment: string };
beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
  ids = testApp.seed(
    (db) => {
      const { value: project } = db.insert(app.projects, { name: "Website redesign" });
      const task = db.insert(app.tasks, { title: "Design homepage", done: false, projectId: project.id }).value;
      const comment = db.insert(app.comments, { body: "Looks good", taskId: task.id }).value;
      return { project: project.id, task: task.id, comment: comment.id };
    },
    { as: "alice" },
  );
});
afterEach(async () => testApp.shutdown());

describe("nested data", () => {
  it("reads inherit through two levels (project → task → comment), includes too", async () => {
    await expect(as("alice").all(app.comments)).resolves.toHaveLength(1);
    await expect(as("bob").all(app.tasks)).resolves.toEqual([]);
    await expect(as("bob").all(app.comments)).resolves.toEqual([]);
    const withTasks = await as("alice").all(app.projects.include({ tasksViaProject: { commentsViaTask: true } }));
    expect(withTasks[0].tasksViaProject[0].commentsViaTask.map((c: { id: string }) => c.id)).toEqual([ids.comment]);
    // An include never smuggles in rows the session cannot read.
    const bobsView = await as("bob").all(app.comments.include({ task: true }));
    expect(bobsView).toEqual([]);
  });

  it("writes inherit: insert under a readable parent only, update/delete via the parent's policy", () => {
    as("alice").expectAllowed((db) => db.insert(app.tasks, { title: "t", done: false, projectId: ids.project }));
    as("bob").expectDenied((db) => db.insert(app.tasks, { title: "t", done: false, projectId: ids.project }));
    as("alice").expectAllowed((db) => db.insert(app.comments, { body: "c", taskId: ids.task }));
    as("bob").expectDenied((db) => db.insert(app.comments, { body: "c", taskId: ids.task }));
    as("alice").expectAllowed((db) => db.update(app.tasks, ids.task, { done: true }));
    as("bob").expectDenied((db) => db.update(app.tasks, ids.task, { done: true }));
    as("bob").expectDenied((db) => db.delete(app.tasks, ids.task));
    // allowedTo.update(...) in .where() checks the stored and the new row: nobody can move a task
    // into, or out of, a project they cannot update.
    const bobsProject = testApp.seed((db) => db.insert(app.projects, { name: "Bob's" }).value.id, { as: "bob" });
    as("bob").expectDenied((db) => db.update(app.tasks, ids.task, { projectId: bobsProject }));
    as("alice").expectDenied((db) => db.update(app.tasks, ids.task, { projectId: bobsProject }));
  });

  it("a multi-level insert in one go: project, then task, then comment", () => {
    as("bob").expectAllowed((db) => {
      const { value: project } = db.insert(app.projects, { name: "Mine" });
      const { value: task } = db.insert(app.tasks, { title: "t", done: false, projectId: project.id });
      db.insert(app.comments, { body: "c", taskId: task.id });
    });
  });
});
