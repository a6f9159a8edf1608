// createJazzContext without a serverUrl: every handle works on the context's own store; a
// session handle applies the context's permissions (reads and writes), as the reference does.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyDeniedError, definePermissions } from "@jazz-tools/core/permissions";
import { schema as s } from "@jazz-tools/core";
import { createJazzContext, type JazzContext } from "./context.ts";

const app = s.defineApp({ todos: s.table({ title: s.string(), owner_id: s.string() }) });
const permissions = definePermissions(app, ({ policy, session }) => {
  policy.todos.allowRead.where({ owner_id: session.user_id });
  policy.todos.allowInsert.where({ owner_id: session.user_id });
});
const contexts: JazzContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.shutdown()));
});

describe("an embedded JazzContext", () => {
  it("forSession reads the context's own rows through the read policy and checks writes", async () => {
    const ctx = createJazzContext({ appId: "embedded-ctx", app, permissions });
    contexts.push(ctx);
    const db = ctx.db();
    db.insert(app.todos, { title: "alice's", owner_id: "alice" });
    db.insert(app.todos, { title: "bob's", owner_id: "bob" });
    expect((await db.all(app.todos)).map((t) => t.title).sort()).toEqual(["alice's", "bob's"]);
    const alice = ctx.forSession({ user_id: "alice", claims: {}, authMode: "external" });
    expect((await alice.all(app.todos)).map((t) => t.title)).toEqual(["alice's"]);
    expect(() => alice.insert(app.todos, { title: "forged", owner_id: "bob" })).toThrow(PolicyDeniedError);
    alice.insert(app.todos, { title: "alice's 2", owner_id: "alice" });
    expect((await db.all(app.todos)).length).toBe(3);
  });

  it("keeps a persistent store across contexts; flush() is there for the reference's restart path", async () => {
    const dataPath = join(mkdtempSync(join(tmpdir(), "jazz-embedded-")), "jazz.db");
    const first = createJazzContext({ appId: "embedded-file", app, driver: { type: "persistent", dataPath } });
    first.db().insert(app.todos, { title: "kept", owner_id: "x" });
    first.flush();
    await first.shutdown();
    expect(() => first.flush()).toThrow(/shut down/);
    const second = createJazzContext({ appId: "embedded-file", app, driver: { type: "persistent", dataPath } });
    contexts.push(second);
    expect((await second.db().all(app.todos)).map((t) => t.title)).toEqual(["kept"]);
  });
});
