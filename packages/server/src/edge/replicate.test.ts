import { describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { Batch } from "@jazz-tools/core";
import { ServerEngine } from "../sync/engine.ts";
import { TODO_SCHEMA, batchId, insertTodo, rowId, updateTodo } from "../testing/clients.ts";
import { mergeUpstreamBatch, retractBatch } from "./replicate.ts";
import { EdgeOutbox } from "./outbox.ts";

function engine(): ServerEngine {
  const e = new ServerEngine(createNodeSqlDriver(":memory:"), "replicate-test");
  e.publishSchema(TODO_SCHEMA);
  return e;
}
const row = (e: ServerEngine, id: string) => e.store.readRow("todos", id);
const title = (e: ServerEngine, id: string) => {
  const r = e.driver.all(`SELECT title FROM "todos" WHERE id = ?`, [id])[0];
  return r ? r[0] : undefined;
};

describe("edge replica: merging upstream batches", () => {
  it("logs a new batch once and reports its rows; the same batch again is nothing new", () => {
    const e = engine();
    const id = rowId();
    const b = insertTodo("u", id, { title: "a", owner: "u" });
    expect(mergeUpstreamBatch(e, b)).toEqual([{ table: "todos", id }]);
    expect(e.log.has(b.batchId)).toBe(true);
    expect(title(e, id)).toBe("a");
    expect(mergeUpstreamBatch(e, b)).toEqual([]);
    expect(e.log.history([{ table: "todos", id }])).toHaveLength(1);
  });

  it("a later projection with more rows grows the logged copy", () => {
    const e = engine();
    const [x, y] = [rowId(), rowId()];
    const full: Batch = {
      batchId: batchId(),
      ts: Date.now() * 1000,
      author: "u",
      kind: "direct",
      writes: [
        { table: "todos", id: x, op: "insert", values: { title: "x", owner: "u", done: 0 } },
        { table: "todos", id: y, op: "insert", values: { title: "y", owner: "u", done: 0 } },
      ],
    };
    expect(mergeUpstreamBatch(e, { ...full, writes: [full.writes[0]!] })).toEqual([{ table: "todos", id: x }]);
    expect(title(e, y)).toBeUndefined();
    expect(mergeUpstreamBatch(e, full)).toEqual([{ table: "todos", id: y }]);
    expect(title(e, y)).toBe("y");
    const logged = e.log.history([{ table: "todos", id: y }]);
    expect(logged.map((h) => h.batch.batchId)).toEqual([full.batchId]);
    expect(logged[0]!.batch.writes.map((w) => w.id).sort()).toEqual([x, y].sort());
  });

  it("leaves out rows of tables the edge does not know yet", () => {
    const e = engine();
    const b: Batch = { batchId: batchId(), ts: Date.now() * 1000, author: "u", kind: "direct", writes: [{ table: "later", id: rowId(), op: "insert", values: {} }] };
    expect(mergeUpstreamBatch(e, b)).toEqual([]);
    expect(e.log.has(b.batchId)).toBe(false);
  });
});

describe("edge replica: retracting a batch the core rejected", () => {
  it("rebuilds the rows from their remaining history and drops the batch from the log", () => {
    const e = engine();
    const id = rowId();
    const t0 = Date.now() * 1000;
    const insert = insertTodo("u", id, { title: "original", owner: "u" }, t0);
    const refused = updateTodo("u", id, { title: "refused" }, t0 + 10);
    const other = updateTodo("v", id, { done: 1 }, t0 + 20);
    for (const b of [insert, refused, other]) e.store.transaction(() => e.accept(b, { user_id: b.author, claims: {}, authMode: "local-first" }, true));
    expect(title(e, id)).toBe("refused");

    expect(retractBatch(e, refused.batchId)).toEqual([{ table: "todos", id }]);
    expect(title(e, id)).toBe("original");
    expect(row(e, id)!.values.done).toBe(1);
    expect(e.log.has(refused.batchId)).toBe(false);
    expect(e.log.history([{ table: "todos", id }]).map((h) => h.batch.batchId)).toEqual([insert.batchId, other.batchId]);
    expect(retractBatch(e, refused.batchId)).toEqual([]);
  });

  it("a retracted insert leaves no row behind", () => {
    const e = engine();
    const id = rowId();
    const b = insertTodo("u", id, { title: "gone", owner: "u" });
    e.store.transaction(() => e.accept(b, { user_id: "u", claims: {}, authMode: "local-first" }, false));
    retractBatch(e, b.batchId);
    expect(title(e, id)).toBeUndefined();
  });
});

describe("edge outbox", () => {
  it("keeps pending batches in order across a reopen, forgets accepted ones and remembers rejections", () => {
    const driver = createNodeSqlDriver(":memory:");
    const box = new EdgeOutbox(driver);
    const session = { user_id: "u", claims: { a: 1 }, authMode: "local-first" as const };
    const [a, b, c] = [0, 1, 2].map((i) => insertTodo("u", rowId(), { title: `t${i}`, owner: "u" }));
    box.add(a!, "k1", session, "edge");
    box.add(b!, "*", null, "core");
    box.add(c!, "k1", session, "edge");
    box.remove(a!.batchId);
    const fate = { batchId: c!.batchId, kind: "rejected" as const, code: "forbidden", reason: "no" };
    box.reject(c!.batchId, fate);
    const again = new EdgeOutbox(driver);
    expect(again.pending().map((p) => [p.batch.batchId, p.entry.linkKey, p.entry.session])).toEqual([[b!.batchId, "*", null]]);
    expect(again.get(c!.batchId)).toMatchObject({ state: "rejected", fate, session });
    expect(again.get(a!.batchId)).toBeNull();
    expect(again.pendingCount).toBe(1);
  });
});
