// Fan-out shares work between subscribers: the same rows entering many subscriptions are read
// from the log once and handed over as one array, which Connection encodes once. The contents
// each subscriber gets must stay what it got before the sharing (the origin never gets its own
// batch back; a row's whole history arrives when it enters a scope).
import { describe, expect, it } from "vitest";
import type { Batch, DurabilityTier } from "@jazz-tools/core";
import type { WireSession } from "@jazz-tools/core/sync";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { ServerEngine } from "./engine.ts";
import { SubscriptionHub, type Subscriber } from "./hub.ts";
import type { QueryBudgetError } from "../errors.ts";
import { Connection } from "./connection.ts";
import { definePermissions, PermissionsState } from "@jazz-tools/core/permissions";
import { TODO_SCHEMA, batchId, insertTodo, rowId, updateTodo } from "../testing/clients.ts";

const session: WireSession = { user_id: "u1", claims: {}, authMode: "local-first" };
const ownedBy = (owner: string) => ({ table: "todos", conditions: [{ column: "owner", op: "eq" as const, value: owner }], orderBy: [], includes: [] });

class Recorder implements Subscriber {
  get policyKey(): string {
    return "";
  }
  get policy(): Subscriber["policy"] {
    return undefined;
  }
  got: Batch[][] = [];
  sendBatches(batches: Batch[]): void {
    this.got.push(batches);
  }
  sendSettled(_id: string, _tier: DurabilityTier): void {}
}

function setup() {
  const engine = new ServerEngine(createNodeSqlDriver(), "hub-test");
  engine.publishSchema(TODO_SCHEMA);
  const hub = new SubscriptionHub(engine.driver, engine.log, () => engine.schema);
  const accept = (batch: Batch, origin: Subscriber | null) => {
    const applied = engine.accept(batch, session, false).applied!;
    hub.onAccepted(applied.batch, applied.rows, origin);
  };
  return { engine, hub, accept };
}

describe("SubscriptionHub fan-out", () => {
  it("hands every subscriber of a scope the same array for a row entering it; the origin gets it without its own batch", () => {
    const { hub, accept } = setup();
    const subs = Array.from({ length: 5 }, () => new Recorder());
    subs.forEach((s, i) => hub.subscribe(s, `q${i}`, ownedBy("ann")));
    const origin = subs[0]!;
    const id = rowId();
    const insert = insertTodo("u1", id, { title: "a", owner: "bob" });
    accept(insert, origin);
    expect(subs.every((s) => s.got.length === 0)).toBe(true);
    // The row enters the scope with this update: its whole history (insert + update) is sent.
    const update = updateTodo("u1", id, { owner: "ann" }, insert.ts + 1);
    accept(update, origin);
    const others = subs.slice(1).map((s) => s.got.at(-1)!);
    expect(others[0]!.map((b) => b.batchId)).toEqual([insert.batchId, update.batchId]);
    for (const arr of others) expect(arr).toBe(others[0]);
    expect(origin.got.at(-1)!.map((b) => b.batchId)).toEqual([insert.batchId]);
  });

  it("subscribers whose scopes gain different rows get their own histories", () => {
    const { hub, accept } = setup();
    const ann = new Recorder();
    const all = new Recorder();
    hub.subscribe(ann, "a", ownedBy("ann"));
    hub.subscribe(all, "b", { table: "todos", conditions: [], orderBy: [], includes: [] });
    const first = insertTodo("u1", rowId(), { title: "x", owner: "bob" });
    accept(first, null);
    expect(ann.got).toEqual([]);
    expect(all.got.at(-1)!.map((b) => b.batchId)).toEqual([first.batchId]);
    const second = insertTodo("u1", rowId(), { title: "y", owner: "ann" });
    accept(second, null);
    expect(ann.got.at(-1)!.map((b) => b.batchId)).toEqual([second.batchId]);
    expect(all.got.at(-1)!.map((b) => b.batchId)).toEqual([second.batchId]);
  });
});

describe("SubscriptionHub families (one query, a read policy per user)", () => {
  it("keeps every user's rows equal to a brute-force evaluation over random writes, sharing one evaluation per write", () => {
    const { engine, hub, accept } = setup();
    const state = new PermissionsState();
    state.setBundle(
      definePermissions(TODO_SCHEMA, ({ policy, session, anyOf }) => {
        policy.todos.allowRead.where(anyOf([{ owner: session.user_id }, { done: true }]));
      }),
    );
    const users = ["ann", "bob", "cy", "dee", "eve"];
    class PolicyRecorder extends Recorder {
      constructor(readonly user: string) {
        super();
      }
      override get policyKey() {
        return state.sessionKey({ user_id: this.user, claims: {} });
      }
      override get policy() {
        return state.readHook(engine.schema, { user_id: this.user, claims: {} });
      }
    }
    const subs = users.map((u) => new PolicyRecorder(u));
    const allTodos = { table: "todos", conditions: [], orderBy: [], includes: [] };
    subs.forEach((sub, i) => hub.subscribe(sub, `q${i}`, allTodos));
    const families = (hub as unknown as { families: Map<string, { members: Set<unknown> }> }).families;
    expect([...families.values()].map((f) => f.members.size)).toEqual([users.length]);
    const groups = (hub as unknown as { groups: Map<string, { rows: Set<string>; members: Map<Subscriber, unknown> }> }).groups;

    const model = new Map<string, { owner: string; done: boolean }>();
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let ts = Date.now() * 1000;
    for (let step = 0; step < 200; step++) {
      if (step === 100) {
        // Membership changes mid-way: the family's shared statement is rebuilt.
        hub.unsubscribe(subs[0]!, "q0");
        hub.subscribe(new PolicyRecorder("zed"), "qz", allTodos);
        expect([...families.values()].map((f) => f.members.size)).toEqual([users.length]);
      }
      const ids = [...model.keys()];
      const kind = ids.length === 0 ? 0 : rand(4);
      const owner = users[rand(users.length)]!;
      if (kind <= 1) {
        const id = rowId();
        model.set(id, { owner, done: rand(2) === 1 });
        accept(insertTodo("u1", id, { title: `t${step}`, owner, done: model.get(id)!.done }, ++ts), null);
      } else if (kind === 2) {
        const id = ids[rand(ids.length)]!;
        const row = { owner, done: rand(2) === 1 };
        model.set(id, row);
        accept(updateTodo("u1", id, { owner: row.owner, done: row.done ? 1 : 0 }, ++ts), null);
      } else {
        const id = ids[rand(ids.length)]!;
        model.delete(id);
        accept({ batchId: batchId(), ts: ++ts, author: "u1", kind: "direct", writes: [{ table: "todos", id, op: "delete" }] }, null);
      }
      for (const g of groups.values()) {
        const user = ([...g.members.keys()][0] as PolicyRecorder).user;
        const expected = [...model].filter(([, r]) => r.owner === user || r.done).map(([id]) => `todos\u0000${id}`).sort();
        expect([...g.rows].sort(), `${user} after step ${step}`).toEqual(expected);
      }
    }
  });
});

describe("Connection.sendBatches", () => {
  it("encodes one array once for every connection it is sent to (same bytes object, a text frame)", () => {
    const sent: { data: unknown; opts: unknown }[] = [];
    const ws = () => ({ readyState: 1, on() {}, send: (data: unknown, opts: unknown) => sent.push({ data, opts }) });
    const conns = [0, 1, 2].map(() => new Connection(ws() as never, {} as never, {}));
    const batches = [insertTodo("u1", rowId(), { title: "t", owner: "o" })];
    for (const c of conns) c.sendBatches(batches);
    expect(sent).toHaveLength(3);
    expect(sent[1]!.data).toBe(sent[0]!.data);
    expect(sent[2]!.data).toBe(sent[0]!.data);
    expect(sent[0]!.opts).toEqual({ binary: false });
    expect(JSON.parse(String(sent[0]!.data))).toEqual({ t: "batches", batches });
  });
});

describe("SubscriptionHub query time budget (--max-query-ms)", () => {
  class Dropped extends Recorder {
    dropped: [string, string, string][] = [];
    sendQueryDropped(id: string, error: QueryBudgetError): void {
      this.dropped.push([id, error.code, error.message]);
    }
  }

  it("refuses a live query whose first evaluation goes over the budget, saying by how much and which flag", () => {
    const { hub } = setup();
    hub.queryBudgetMs = 0;
    const sub = new Dropped();
    expect(() => hub.subscribe(sub, "q", ownedBy("ann"))).toThrowError(/took \d+ ms to evaluate, over the server's budget of 0 ms per query \(--max-query-ms\)/);
    expect(hub.subscriptionsOf(sub).count).toBe(0);
    hub.queryBudgetMs = 10_000;
    hub.subscribe(sub, "q", ownedBy("ann"));
    expect(hub.subscriptionsOf(sub).count).toBe(1);
  });

  it("drops a query whose re-evaluation after a write goes over the budget; others keep their rows", () => {
    const { hub, accept } = setup();
    const slow = new Dropped();
    const fast = new Dropped();
    // A limit cannot be re-checked row by row: every write re-runs it (timed). A pure filter is
    // matched per written row.
    hub.subscribe(slow, "s", { table: "todos", conditions: [], orderBy: [], includes: [], limit: 5 });
    hub.subscribe(fast, "f", ownedBy("ann"));
    hub.queryBudgetMs = 0;
    const write = insertTodo("u1", rowId(), { title: "x", owner: "ann" });
    accept(write, null);
    expect(slow.dropped).toEqual([["s", "query_too_slow", expect.stringMatching(/^the query took \d+ ms/)]]);
    expect(hub.subscriptionsOf(slow).count).toBe(0);
    expect(fast.dropped).toEqual([]);
    expect(fast.got.at(-1)!.map((b) => b.batchId)).toEqual([write.batchId]);
    accept(insertTodo("u1", rowId(), { title: "y", owner: "ann" }), null);
    expect(slow.dropped).toHaveLength(1); // gone: not evaluated again
  });
});
