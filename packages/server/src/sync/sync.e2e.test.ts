// The sync protocol against a real server process: fates, validation, idempotency,
// query-scoped delivery, transaction conflicts, kill -9 durability and reconnect.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { insertTodo, recordingClient, rowId, until, updateTodo, batchId, type RecordingClient } from "../testing/clients.ts";

const APP = "sync-e2e";
const ownedBy = (owner: string) => ({ table: "todos", conditions: [{ column: "owner", op: "eq" as const, value: owner }], orderBy: [], includes: [] });

describe("sync server over the wire", () => {
  let server: ServerProcess;
  const clients: RecordingClient[] = [];
  const client = (opts = {}) => {
    const c = recordingClient(server.url, APP, opts);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("accepts a batch with a global fate, and answers a repeated push without applying it twice", async () => {
    const a = client();
    const watcher = client();
    watcher.link.subscribeQuery("all", ownedBy("idem"), "edge");
    await until(() => watcher.settled.length, "watcher settled");
    const b = insertTodo(a.userId, rowId(), { title: "once", owner: "idem" });
    a.link.push(b);
    await until(() => a.fateOf(b.batchId), "fate");
    expect(a.fateOf(b.batchId)).toEqual({ batchId: b.batchId, kind: "accepted", tier: "global" });
    await until(() => watcher.remote.length === 1, "watcher got the batch");
    // A second link re-pushing the same batch (a reload re-sending its outbox).
    const again = client({ auth: a.link["auth"] as never, userId: a.userId });
    again.link.push(b);
    await until(() => again.fateOf(b.batchId), "repeated fate");
    expect(again.fateOf(b.batchId)?.kind).toBe("accepted");
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.remote.filter((x) => x.batchId === b.batchId)).toHaveLength(1);
  });

  it("rejects invalid batches with a code and reason", async () => {
    const a = client();
    const cases = [
      [{ ...insertTodo(a.userId, rowId(), { title: "x", owner: "y" }), writes: [{ table: "nope", id: rowId(), op: "insert" as const, values: {} }] }, "unknown_table"],
      [{ ...insertTodo(a.userId, rowId(), { title: "x", owner: "y" }), writes: [{ table: "todos", id: rowId(), op: "insert" as const, values: { title: "x", owner: "y", done: 0, color: "red" } }] }, "unknown_column"],
      [{ ...insertTodo(a.userId, rowId(), { title: "x", owner: "y" }), writes: [{ table: "todos", id: rowId(), op: "insert" as const, values: { title: "x", done: 0 } }] }, "missing_column"],
      [{ ...insertTodo(a.userId, rowId(), { title: "x", owner: "y" }), writes: [{ table: "todos", id: rowId(), op: "insert" as const, values: { title: 7, owner: "y", done: 0 } }] }, "invalid_value"],
      [insertTodo("someone-else", rowId(), { title: "forged", owner: "y" }), "author_mismatch"],
      [{ ...insertTodo(a.userId, "not-a-uuid", { title: "x", owner: "y" }) }, "invalid_id"],
    ] as const;
    for (const [batch] of cases) a.link.push(batch as never);
    await until(() => a.fates.length === cases.length, "all fates");
    for (const [batch, code] of cases) {
      const f = a.fateOf(batch.batchId);
      expect(f, code).toMatchObject({ kind: "rejected", code });
      expect((f as { reason: string }).reason.length).toBeGreaterThan(5);
    }
  });

  it("sends a subscriber only matching rows, then rows entering, changing and leaving its scope", async () => {
    const a = client();
    const b = client();
    const mine = rowId();
    const other = rowId();
    a.link.push(insertTodo(a.userId, mine, { title: "mine", owner: "bob" }));
    a.link.push(insertTodo(a.userId, other, { title: "other", owner: "carol" }));
    await until(() => a.fates.length === 2, "setup fates");

    b.link.subscribeQuery("bobs", ownedBy("bob"), "edge");
    await until(() => b.settled.some(([id, t]) => id === "bobs" && t === "edge"), "settled at edge");
    expect(b.settled).toContainEqual(["bobs", "global"]);
    const ids = () => new Set(b.remote.flatMap((x) => x.writes.map((w) => w.id)));
    expect(ids().has(mine)).toBe(true);
    expect(ids().has(other)).toBe(false);

    // Changing a matching row is delivered.
    const rename = updateTodo(a.userId, mine, { title: "renamed" });
    a.link.push(rename);
    await until(() => b.remote.some((x) => x.batchId === rename.batchId), "change delivered");
    // A row entering the scope arrives with its whole history (the insert and the update).
    const handOver = updateTodo(a.userId, other, { owner: "bob" });
    a.link.push(handOver);
    await until(() => b.remote.some((x) => x.batchId === handOver.batchId), "entering row delivered");
    expect(ids().has(other)).toBe(true);
    expect(b.remote.filter((x) => x.writes.some((w) => w.id === other && w.op === "insert"))).toHaveLength(1);
    // A row leaving the scope: the write that moves it out is delivered, later ones are not.
    const leave = updateTodo(a.userId, mine, { owner: "dave" });
    a.link.push(leave);
    await until(() => b.remote.some((x) => x.batchId === leave.batchId), "leaving write delivered");
    const after = updateTodo(a.userId, mine, { title: "not for bob" });
    a.link.push(after);
    await until(() => a.fateOf(after.batchId), "fate of later write");
    await new Promise((r) => setTimeout(r, 300));
    expect(b.remote.some((x) => x.batchId === after.batchId)).toBe(false);

    // After unsubscribing nothing more arrives.
    b.link.unsubscribeQuery("bobs");
    const quiet = updateTodo(a.userId, other, { title: "quiet" });
    a.link.push(quiet);
    await until(() => a.fateOf(quiet.batchId), "fate");
    await new Promise((r) => setTimeout(r, 300));
    expect(b.remote.some((x) => x.batchId === quiet.batchId)).toBe(false);
  });

  it("rejects a transaction whose row changed after it was staged (transaction_conflict)", async () => {
    const a = client();
    const id = rowId();
    a.link.push(insertTodo(a.userId, id, { title: "t", owner: "tx" }));
    const stagedAt = Date.now() * 1000 + 1;
    const later = updateTodo(a.userId, id, { title: "direct" }, stagedAt + 10);
    a.link.push(later);
    const txn = updateTodo(a.userId, id, { title: "txn" }, stagedAt, "transaction");
    a.link.push(txn);
    await until(() => a.fateOf(txn.batchId), "txn fate");
    expect(a.fateOf(txn.batchId)).toMatchObject({
      kind: "rejected",
      code: "transaction_conflict",
      reason: "row visible parent changed since transaction write was staged",
    });
    // Staged before the direct write but committed after it (stagedAt carries the staging clock).
    const late = { ...updateTodo(a.userId, id, { title: "late txn" }, stagedAt + 50, "transaction"), stagedAt: stagedAt + 5 };
    a.link.push(late);
    await until(() => a.fateOf(late.batchId), "late txn fate");
    expect(a.fateOf(late.batchId)).toMatchObject({ kind: "rejected", code: "transaction_conflict" });
    const ok = updateTodo(a.userId, id, { title: "txn ok" }, Date.now() * 1000 + 100, "transaction");
    a.link.push(ok);
    await until(() => a.fateOf(ok.batchId), "ok fate");
    expect(a.fateOf(ok.batchId)?.kind).toBe("accepted");
  });

  it("refuses a subscription that does not compile, with an error naming it", async () => {
    const errors: string[] = [];
    const a = client({ onServerError: (_c: string, m: string) => errors.push(m) });
    a.link.subscribeQuery("bad", { table: "todos", conditions: [{ column: "nope", op: "eq", value: 1 }], orderBy: [], includes: [] }, "edge");
    await until(() => errors.length, "error");
    expect(errors[0]).toMatch(/subscription bad refused/);
  });
});

describe("durability and reconnect (server restarts)", () => {
  it.each(["normal", "full"])("loses no acknowledged write when the server is killed with kill -9 (--durability %s)", async (durability) => {
    let server = await startServerProcess({ appId: APP, args: ["--durability", durability] });
    const a = recordingClient(server.url, APP);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = rowId();
      ids.push(id);
      a.link.push(insertTodo(a.userId, id, { title: `w${i}`, owner: "durable" }));
    }
    await until(() => a.fates.length === 40, "40 fates");
    expect(a.fates.every((f) => f.kind === "accepted")).toBe(true);
    await a.close();
    await server.crash();
    server = await startServerProcess({ appId: APP, dataDir: server.dataDir, port: server.port, args: ["--durability", durability] });
    expect(server.output()).toContain(`durability ${durability}`);
    const b = recordingClient(server.url, APP);
    b.link.subscribeQuery("d", ownedBy("durable"), "edge");
    await until(() => b.settled.length, "settled");
    const seen = new Set(b.remote.flatMap((x) => x.writes.map((w) => w.id)));
    for (const id of ids) expect(seen.has(id)).toBe(true);
    await b.close();
    await server.stop();
  });

  it("keeps queued writes and subscriptions while the server is down and replays them on reconnect", async () => {
    let server = await startServerProcess({ appId: APP });
    const a = recordingClient(server.url, APP);
    const b = recordingClient(server.url, APP);
    b.link.subscribeQuery("o", ownedBy("offline"), "edge");
    await until(() => b.settled.length && a.link.status === "connected", "connected");
    await server.stop();
    await until(() => a.link.status === "offline" && b.link.status === "offline", "both offline");
    const batches = Array.from({ length: 5 }, (_, i) => insertTodo(a.userId, rowId(), { title: `off${i}`, owner: "offline" }));
    for (const x of batches) a.link.push(x);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.fates).toHaveLength(0);
    expect(a.link.pendingBatchIds).toEqual(batches.map((x) => x.batchId));
    server = await startServerProcess({ appId: APP, dataDir: server.dataDir, port: server.port });
    await until(() => a.fates.length === 5, "fates after reconnect", 20_000);
    expect(a.fates.map((f) => f.batchId)).toEqual(batches.map((x) => x.batchId));
    await until(() => batches.every((x) => b.remote.some((r) => r.batchId === x.batchId)), "replayed subscription receives them", 20_000);
    await a.close();
    await b.close();
    await server.stop();
  });
});
