// Recipe "Group permissions": roles in a members table, exists-based rules, bootstrap of the
// first admin, leaving on your own, and role changes taking effect immediately.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s } from "@jazz-tools/core";
import { createPolicyTestApp, type PolicyTestApp } from "../testing.ts";

const schema = {
  workspaces: s.table({ name: s.string() }),
  workspaceMembers: s.table({
    workspaceId: s.ref("workspaces"),
    user_id: s.string(),
    role: s.enum("reader", "writer", "contributor", "admin"),
  }),
  documents: s.table({ title: s.string(), content: s.string(), workspaceId: s.ref("workspaces") }),
};
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
type Role = "reader" | "writer" | "contributor" | "admin";

const permissions = s.definePermissions(app, ({ policy, session, anyOf, allOf }) => {
  const isMember = (workspaceId: string) => policy.workspaceMembers.exists.where({ workspaceId, user_id: session.user_id });
  const hasRole = (workspaceId: string, role: Role) =>
    policy.workspaceMembers.exists.where({ workspaceId, user_id: session.user_id, role });
  const isAdmin = (workspaceId: string) => hasRole(workspaceId, "admin");

  policy.documents.allowRead.where((doc) => isMember(doc.workspaceId));
  policy.documents.allowInsert.where((doc) =>
    anyOf([hasRole(doc.workspaceId, "writer"), hasRole(doc.workspaceId, "contributor"), hasRole(doc.workspaceId, "admin")]),
  );
  policy.documents.allowUpdate.where((doc) =>
    anyOf([
      hasRole(doc.workspaceId, "writer"),
      hasRole(doc.workspaceId, "admin"),
      allOf([{ $createdBy: session.user_id }, hasRole(doc.workspaceId, "contributor")]),
    ]),
  );
  policy.documents.allowDelete.where((doc) =>
    anyOf([
      hasRole(doc.workspaceId, "writer"),
      isAdmin(doc.workspaceId),
      allOf([{ $createdBy: session.user_id }, hasRole(doc.workspaceId, "contributor")]),
    ]),
  );

  policy.workspaces.allowRead.where((workspace) => isMember(workspace.id));
  policy.workspaces.allowInsert.always();
  policy.workspaces.allowUpdate.where((workspace) => isAdmin(workspace.id));
  policy.workspaces.allowDelete.where((workspace) => isAdmin(workspace.id));

  policy.workspaceMembers.allowRead.where((member) => isMember(member.workspaceId));
  policy.workspaceMembers.allowInsert.where((member) =>
    anyOf([
      isAdmin(member.workspaceId),
      allOf([
        { user_id: session.user_id, role: "admin" },
        policy.workspaces.exists.where({ id: member.workspaceId, $createdBy: session.user_id }),
      ]),
    ]),
  );
  policy.workspaceMembers.allowUpdate.where((member) => isAdmin(member.workspaceId));
  policy.workspaceMembers.allowDelete.where((member) => anyOf([isAdmin(member.workspaceId), { user_id: session.user_id }]));
});

const as = (user_id: string) => testApp.as({ user_id, claims: {}, authMode: "local-first" });
let testApp: PolicyTestApp;
let ws: { id: string };
let members: Record<string, string>;
let docs: Record<string, string>;

beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
  ws = testApp.seed((db) => db.insert(app.workspaces, { name: "Acme" }).value, { as: "alice" });
  members = testApp.seed((db) =>
    Object.fromEntries(
      (
        [
          ["alice", "admin"],
          ["rita", "reader"],
          ["carl", "contributor"],
          ["wendy", "writer"],
        ] as const
      ).map(([user_id, role]) => [user_id, db.insert(app.workspaceMembers, { workspaceId: ws.id, user_id, role }).value.id]),
    ),
  );
  docs = {
    byCarl: testApp.seed((db) => db.insert(app.documents, { title: "Carl's", content: "", workspaceId: ws.id }).value.id, { as: "carl" }),
    byWendy: testApp.seed((db) => db.insert(app.documents, { title: "Wendy's", content: "", workspaceId: ws.id }).value.id, { as: "wendy" }),
  };
});
afterEach(async () => testApp.shutdown());

describe("group permissions", () => {
  it("follows the roles table: read, create, edit own, edit any, manage members", async () => {
    for (const u of ["alice", "rita", "carl", "wendy"]) expect((await as(u).all(app.documents)).length, u).toBe(2);
    await expect(as("outsider").all(app.documents)).resolves.toEqual([]);
    await expect(as("outsider").all(app.workspaces)).resolves.toEqual([]);
    // Create
    as("rita").expectDenied((db) => db.insert(app.documents, { title: "x", content: "", workspaceId: ws.id }));
    for (const u of ["carl", "wendy", "alice"]) as(u).expectAllowed((db) => db.insert(app.documents, { title: "x", content: "", workspaceId: ws.id }));
    // Edit own / any
    as("carl").expectAllowed((db) => db.update(app.documents, docs.byCarl, { content: "mine" }));
    as("carl").expectDenied((db) => db.update(app.documents, docs.byWendy, { content: "not mine" }));
    as("wendy").expectAllowed((db) => db.update(app.documents, docs.byCarl, { content: "any" }));
    as("rita").expectDenied((db) => db.update(app.documents, docs.byCarl, { content: "no" }));
    as("carl").expectAllowed((db) => db.delete(app.documents, docs.byCarl));
    as("carl").expectDenied((db) => db.delete(app.documents, docs.byWendy));
    // Manage members
    as("alice").expectAllowed((db) => db.insert(app.workspaceMembers, { workspaceId: ws.id, user_id: "newbie", role: "reader" }));
    as("wendy").expectDenied((db) => db.insert(app.workspaceMembers, { workspaceId: ws.id, user_id: "newbie", role: "reader" }));
    as("wendy").expectDenied((db) => db.update(app.workspaceMembers, members.rita, { role: "admin" }));
    as("alice").expectAllowed((db) => db.update(app.workspaces, ws.id, { name: "Acme Inc" }));
    as("wendy").expectDenied((db) => db.update(app.workspaces, ws.id, { name: "Wendy Inc" }));
  });

  it("role changes take effect at once: promotion, demotion and removal", async () => {
    as("rita").expectDenied((db) => db.update(app.documents, docs.byCarl, { content: "x" }));
    testApp.seed((db) => db.update(app.workspaceMembers, members.rita, { role: "writer" }));
    as("rita").expectAllowed((db) => db.update(app.documents, docs.byCarl, { content: "x" }));
    testApp.seed((db) => db.update(app.workspaceMembers, members.wendy, { role: "reader" }));
    as("wendy").expectDenied((db) => db.update(app.documents, docs.byCarl, { content: "x" }));
    testApp.seed((db) => db.delete(app.workspaceMembers, members.wendy));
    await expect(as("wendy").all(app.documents)).resolves.toEqual([]);
    await expect(as("wendy").all(app.workspaceMembers)).resolves.toEqual([]);
  });

  it("the creator bootstraps themselves as first admin; nobody else can, nor as non-admin", async () => {
    const fresh = testApp.seed((db) => db.insert(app.workspaces, { name: "New" }).value, { as: "bob" });
    as("bob").expectAllowed((db) => db.insert(app.workspaceMembers, { workspaceId: fresh.id, user_id: "bob", role: "admin" }));
    as("bob").expectDenied((db) => db.insert(app.workspaceMembers, { workspaceId: fresh.id, user_id: "eve", role: "admin" }));
    as("eve").expectDenied((db) => db.insert(app.workspaceMembers, { workspaceId: fresh.id, user_id: "eve", role: "admin" }));
    // Bootstrap then add a member, in one callback (each write sees the earlier ones).
    as("bob").expectAllowed((db) => {
      db.insert(app.workspaceMembers, { workspaceId: fresh.id, user_id: "bob", role: "admin" });
      db.insert(app.workspaceMembers, { workspaceId: fresh.id, user_id: "eve", role: "reader" });
    });
  });

  it("members may leave on their own; only admins remove others", () => {
    as("rita").expectAllowed((db) => db.delete(app.workspaceMembers, members.rita));
    as("rita").expectDenied((db) => db.delete(app.workspaceMembers, members.carl));
    as("alice").expectAllowed((db) => db.delete(app.workspaceMembers, members.carl));
  });
});
