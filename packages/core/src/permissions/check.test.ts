import { describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch, RowWrite } from "../engine/batch.ts";
import { Store } from "../engine/store.ts";
import { definePermissions } from "./dsl.ts";
import { compilePolicies } from "./compile.ts";
import { checkRowWrite, PolicyDeniedError } from "./check.ts";
import { assertBundleFitsSchema, checkBatch, PermissionsState, projectBatches, policyTables } from "./enforce.ts";
import { col, ref, str, uid } from "./testing/fixtures.ts";

const schema: RuntimeSchema = {
  tables: {
    workspaces: { columns: { name: str() } },
    workspaceMembers: {
      columns: { workspaceId: ref("workspaces"), user_id: str(), role: col({ kind: "enum", variants: ["admin", "reader"] }) },
    },
    todos: { columns: { title: str(), owner_id: str() } },
  },
};

const bundle = definePermissions({ wasmSchema: schema }, ({ policy, session, anyOf, allOf }) => {
  const isAdmin = (workspaceId: string) =>
    policy.workspaceMembers.exists.where({ workspaceId, user_id: session.user_id, role: "admin" });
  policy.workspaces.allowRead.always();
  policy.workspaces.allowInsert.always();
  policy.workspaceMembers.allowRead.always();
  policy.workspaceMembers.allowInsert.where((member) =>
    anyOf([
      isAdmin(member.workspaceId),
      allOf([
        { user_id: session.user_id, role: "admin" },
        policy.workspaces.exists.where({ id: member.workspaceId, $createdBy: session.user_id }),
      ]),
    ]),
  );
  policy.todos.allowRead.where({ owner_id: session.user_id });
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.whereOld({ owner_id: session.user_id });
  policy.todos.allowDelete.where({ owner_id: session.user_id });
});

let ts = 1_000;
const batch = (author: string, writes: RowWrite[]): Batch => ({
  batchId: (++ts).toString(16).padStart(32, "0"),
  ts: ++ts,
  author,
  kind: "direct",
  writes,
});

function setup() {
  const driver = createNodeSqlDriver();
  const store = new Store(driver);
  store.addTables(schema);
  return { driver, store };
}

describe("write checks", () => {
  it("evaluate an insert against the state before it: a member cannot make themselves admin", () => {
    const { store } = setup();
    const ws = uid();
    store.applyBatch(batch("alice", [{ table: "workspaces", id: ws, op: "insert", values: { name: "w" } }]));
    const mallory = compilePolicies(bundle, schema, { user_id: "mallory" });
    const selfAdmin = batch("mallory", [
      { table: "workspaceMembers", id: uid(), op: "insert", values: { workspaceId: ws, user_id: "mallory", role: "admin" } },
    ]);
    expect(checkBatch(mallory, store, selfAdmin)).toBeInstanceOf(PolicyDeniedError);
    expect(checkBatch(mallory, store, selfAdmin)?.message).toBe("policy denied INSERT on table workspaceMembers");
    // The creator may bootstrap themselves as the first admin.
    const alice = compilePolicies(bundle, schema, { user_id: "alice" });
    const boot = batch("alice", [{ table: "workspaceMembers", id: uid(), op: "insert", values: { workspaceId: ws, user_id: "alice", role: "admin" } }]);
    expect(checkBatch(alice, store, boot)).toBeNull();
  });

  it("check an insert naming a stored row as an update of it (client-local checks too)", () => {
    const { store } = setup();
    const id = uid();
    store.applyBatch(batch("alice", [{ table: "todos", id, op: "insert", values: { title: "t", owner_id: "alice" } }]));
    const bob = compilePolicies(bundle, schema, { user_id: "bob" });
    // Bob's insert satisfies the insert policy by itself, but it would merge into alice's row.
    const takeover = batch("bob", [{ table: "todos", id, op: "insert", values: { title: "pwned", owner_id: "bob" } }]);
    expect(checkBatch(bob, store, takeover)?.message).toBe("policy denied UPDATE on table todos");
    // The local filter sees the write as the update it is checked as.
    const seen: string[] = [];
    checkBatch(bob, store, takeover, (w) => (seen.push(w.op), true));
    expect(seen).toEqual(["update"]);
    const alice = compilePolicies(bundle, schema, { user_id: "alice" });
    expect(checkBatch(alice, store, batch("alice", [{ table: "todos", id, op: "insert", values: { title: "again", owner_id: "alice" } }]))).toBeNull();
  });

  it("check a batch write by write, each seeing the earlier ones, and leave nothing changed", () => {
    const { store, driver } = setup();
    const alice = compilePolicies(bundle, schema, { user_id: "alice" });
    const ws = uid();
    const member = uid();
    const b = batch("alice", [
      { table: "workspaces", id: ws, op: "insert", values: { name: "w" } },
      { table: "workspaceMembers", id: member, op: "insert", values: { workspaceId: ws, user_id: "alice", role: "admin" } },
      { table: "workspaceMembers", id: uid(), op: "insert", values: { workspaceId: ws, user_id: "bob", role: "reader" } },
    ]);
    expect(checkBatch(alice, store, b)).toBeNull();
    expect(driver.all(`SELECT count(*) FROM "workspaces"`)[0][0]).toBe(0);
    expect(driver.all(`SELECT count(*) FROM "workspaceMembers"`)[0][0]).toBe(0);
    // Without the bootstrap row, adding bob is denied (alice is not admin yet).
    const bad = batch("alice", [b.writes[0], b.writes[2]]);
    expect(checkBatch(alice, store, bad)?.message).toBe("policy denied INSERT on table workspaceMembers");
  });

  it("whereOld lets the owner transfer a row; others cannot touch it; forged provenance is ignored", () => {
    const { store, driver } = setup();
    const id = uid();
    store.applyBatch(batch("alice", [{ table: "todos", id, op: "insert", values: { title: "t", owner_id: "alice" } }]));
    const alice = compilePolicies(bundle, schema, { user_id: "alice" });
    const bob = compilePolicies(bundle, schema, { user_id: "bob" });
    expect(() => checkRowWrite(alice, driver, { table: "todos", id, op: "update", values: { owner_id: "bob" } }, "alice", ++ts)).not.toThrow();
    expect(() => checkRowWrite(bob, driver, { table: "todos", id, op: "update", values: { title: "x" } }, "bob", ++ts)).toThrow(
      "policy denied UPDATE on table todos",
    );
    expect(() => checkRowWrite(bob, driver, { table: "todos", id, op: "delete" }, "bob", ++ts)).toThrow("policy denied DELETE on table todos");
    expect(() =>
      checkRowWrite(bob, driver, { table: "todos", id: uid(), op: "insert", values: { title: "x", owner_id: "alice" } }, "bob", ++ts),
    ).toThrow("policy denied INSERT on table todos");
    // An update of a row that does not exist is denied (nothing to check whereOld against).
    expect(() => checkRowWrite(alice, driver, { table: "todos", id: uid(), op: "update", values: { title: "x" } }, "alice", ++ts)).toThrow(
      PolicyDeniedError,
    );
  });

  it("managedByCreator: a forged $createdBy in the values does not count", () => {
    const s2: RuntimeSchema = { tables: { notes: { columns: { text: str() } } } };
    const b2 = definePermissions({ wasmSchema: s2 }, ({ policy }) => policy.notes.managedByCreator());
    const driver = createNodeSqlDriver();
    const store = new Store(driver);
    store.addTables(s2);
    const id = uid();
    store.applyBatch(batch("alice", [{ table: "notes", id, op: "insert", values: { text: "a" } }]));
    const bob = compilePolicies(b2, s2, { user_id: "bob" });
    expect(() =>
      checkRowWrite(bob, driver, { table: "notes", id, op: "update", values: { text: "b", $createdBy: "bob" } as never }, "bob", ++ts),
    ).toThrow("policy denied UPDATE on table notes");
    expect(() => checkRowWrite(bob, driver, { table: "notes", id: uid(), op: "insert", values: { text: "b" } }, "bob", ++ts)).not.toThrow();
  });
});

describe("enforcement helpers", () => {
  it("projectBatches drops values of rows the session cannot read, keeps deletes", () => {
    const { store, driver } = setup();
    const mine = uid();
    const theirs = uid();
    const b = batch("alice", [
      { table: "todos", id: mine, op: "insert", values: { title: "mine", owner_id: "bob" } },
      { table: "todos", id: theirs, op: "insert", values: { title: "secret", owner_id: "carol" } },
    ]);
    store.applyBatch(b);
    const bob = compilePolicies(bundle, schema, { user_id: "bob" });
    const out = projectBatches(bob, driver, [b, batch("carol", [{ table: "todos", id: theirs, op: "update", values: { title: "s2" } }])]);
    expect(out).toHaveLength(1);
    expect(out[0].writes.map((w) => w.id)).toEqual([mine]);
    const del = batch("carol", [{ table: "todos", id: theirs, op: "delete" }]);
    expect(projectBatches(bob, driver, [del])).toEqual([del]);
  });

  it("PermissionsState validates bundles and keys sessions by what policies can see", () => {
    const st = new PermissionsState();
    expect(st.policiesFor(schema, { user_id: "a" })).toBeNull();
    expect(() => st.setBundle({ format: "nope" })).toThrow(/Invalid permissions bundle/);
    st.setBundle(JSON.parse(JSON.stringify(bundle)));
    expect(st.policiesFor(schema, { user_id: "a" })).toBe(st.policiesFor(schema, { user_id: "a" }));
    expect(st.sessionKey({ user_id: "a" })).not.toBe(st.sessionKey({ user_id: "b" }));
    expect([...policyTables(bundle, schema, "workspaceMembers")].sort()).toEqual(["workspaceMembers", "workspaces"]);
  });

  it("assertBundleFitsSchema refuses a bundle written for another schema", () => {
    expect(() => assertBundleFitsSchema(bundle, schema)).not.toThrow();
    const older: RuntimeSchema = { tables: { todos: { columns: { title: str() } } } };
    expect(() => assertBundleFitsSchema(bundle, older)).toThrow(/table "workspaces"/);
    const noOwner: RuntimeSchema = { tables: { ...schema.tables, todos: { columns: { title: str() } } } };
    expect(() => assertBundleFitsSchema(bundle, noOwner)).toThrow(/todos\.owner_id/);
  });
});
