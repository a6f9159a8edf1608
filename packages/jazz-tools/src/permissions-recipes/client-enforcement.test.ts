// A real client Db connected to a real local server: once the server's bundle has reached the
// client, a local write that violates it throws synchronously and changes nothing, and the
// permission magic columns are selectable.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema as s, generateAuthSecret, deriveLocalFirstIdentity, createDb, type Db } from "../index.ts";
import { createPolicyTestApp, PolicyDeniedError, type PolicyTestApp } from "../testing.ts";

const schema = { todos: s.table({ title: s.string(), owner_id: s.string() }) };
const app: s.App<s.Schema<typeof schema>> = s.defineApp(schema);
const permissions = s.definePermissions(app, ({ policy, session }) => {
  policy.todos.allowRead.always();
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.where({ owner_id: session.user_id });
});

let testApp: PolicyTestApp;
let db: Db;
beforeEach(async () => {
  testApp = await createPolicyTestApp(app, permissions, expect);
});
afterEach(async () => {
  await db?.shutdown();
  await testApp.shutdown();
});

describe("client-side enforcement", () => {
  it("throws synchronously from the write call once the server's bundle is active, leaving data unchanged", async () => {
    const secret = generateAuthSecret();
    const me = deriveLocalFirstIdentity(secret).userId;
    const theirs = testApp.seed((w) => w.insert(app.todos, { title: "theirs", owner_id: "someone-else" }).value);
    db = await createDb({ appId: testApp.appId, serverUrl: testApp.serverUrl, secret, driver: { type: "memory" } });
    // A settled read at the edge means the handshake (and with it the bundle) has arrived.
    await expect(db.all(app.todos, { tier: "edge" })).resolves.toHaveLength(1);

    const before = await db.all(app.todos);
    expect(() => db.insert(app.todos, { title: "forged", owner_id: "someone-else" })).toThrow(PolicyDeniedError);
    expect(() => db.insert(app.todos, { title: "forged", owner_id: "someone-else" })).toThrow("policy denied INSERT on table todos");
    expect(() => db.update(app.todos, theirs.id, { title: "pwned" })).toThrow("policy denied UPDATE on table todos");
    expect(() => db.delete(app.todos, theirs.id)).toThrow("policy denied DELETE on table todos");
    expect(await db.all(app.todos)).toEqual(before);

    const mine = db.insert(app.todos, { title: "mine", owner_id: me });
    await mine.wait({ tier: "global" });
    const flags = await db.all(app.todos.select("title", "$canRead", "$canEdit", "$canDelete"));
    expect(flags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ title: "theirs", $canRead: true, $canEdit: false, $canDelete: false }),
        expect.objectContaining({ title: "mine", $canRead: true, $canEdit: true, $canDelete: true }),
      ]),
    );
  });
});
