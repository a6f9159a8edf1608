import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Batch, BatchFate, SqlDriver } from "@jazz-tools/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadWaSqlite } from "../sqlite/load.ts";
import { WaSqliteDriver, type WaModule } from "../sqlite/wa-sqlite.ts";
import { encodeBatch, decodeBatch } from "./batch-codec.ts";
import { DurableReplica, type BatchApplier, type DurableDatabase } from "./durable-replica.ts";
import { createEngine } from "./engine.ts";
import { memoryDurableDb } from "../testing/memory-durable-db.ts";

const require = createRequire(import.meta.url);
let m: WaModule;
beforeAll(async () => {
  m = await loadWaSqlite({ binary: readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")) });
});

const memoryDb = (driver = WaSqliteDriver.open(m)): DurableDatabase => memoryDurableDb(driver);

// Stand-in for core's Store (tested there): inserts rows, fails on a row named "boom" after
// writing part of the batch, so atomicity of the surrounding savepoint is observable.
function kvEngine(d: SqlDriver): BatchApplier {
  d.exec(`CREATE TABLE IF NOT EXISTS kv (id TEXT PRIMARY KEY, v TEXT)`);
  return {
    applyBatch(b: Batch) {
      for (const w of b.writes) {
        if (w.id === "boom") throw new Error("boom");
        d.run(`INSERT OR REPLACE INTO kv VALUES (?, ?)`, [w.id, (w.values?.v as string) ?? null]);
      }
    },
  };
}

const batch = (batchId: string, ...ids: string[]): Batch => ({
  batchId,
  ts: 1,
  author: "u",
  kind: "direct",
  writes: ids.map((id) => ({ table: "kv", id, op: "insert", values: { v: `v-${id}` } })),
});

describe("DurableReplica", () => {
  it("commits each batch atomically with its outbox entry and rejects a failing batch alone", async () => {
    const db = memoryDb();
    const r = await DurableReplica.open(db, kvEngine);
    const fates = await r.commitLocal([batch("b1", "a", "b"), batch("b2", "c", "boom"), batch("b3", "d")]);
    expect(fates.map((f) => f.kind)).toEqual(["accepted", "rejected", "accepted"]);
    expect(fates[0]).toEqual({ batchId: "b1", kind: "accepted", tier: "local" });
    expect(fates[1]).toMatchObject({ code: "local_apply_failed", reason: "boom" });
    // "c" was written before "boom" threw: the savepoint must have undone it.
    expect(db.driver.all(`SELECT id FROM kv ORDER BY id`)).toEqual([["a"], ["b"], ["d"]]);
    expect((await r.outbox()).map((b) => b.batchId)).toEqual(["b1", "b3"]);
    await r.settle(["b1"]);
    expect((await r.outbox()).map((b) => b.batchId)).toEqual(["b3"]);
  });

  it("a held batch is applied at once but commits only when released; batches keep their order around it", async () => {
    const db = memoryDb();
    const r = await DurableReplica.open(db, kvEngine);
    let release!: (ok: boolean) => void;
    const released = new Promise<boolean>((resolve) => (release = resolve));
    let applied = false;
    const before = r.commitLocal([batch("b1", "a")]);
    const held = r.commitLocal([batch("b2", "b", "c")], { hold: () => ((applied = db.driver.all(`SELECT count(*) FROM kv WHERE id = 'b'`)[0]![0] === 1), released) });
    const after = r.commitLocal([batch("b3", "d")]);
    expect(await before).toEqual([{ batchId: "b1", kind: "accepted", tier: "local" }]);
    await new Promise((t) => setTimeout(t, 10));
    // b2 is written inside the open transaction, b3 waits behind it.
    expect(applied).toBe(true);
    let afterDone = false;
    void after.then(() => (afterDone = true));
    await new Promise((t) => setTimeout(t, 10));
    expect(afterDone).toBe(false);
    release(true);
    expect((await held)[0]).toEqual({ batchId: "b2", kind: "accepted", tier: "local" });
    expect((await after)[0]!.kind).toBe("accepted");
    expect(db.driver.all(`SELECT id FROM kv ORDER BY id`)).toEqual([["a"], ["b"], ["c"], ["d"]]);
    expect((await r.outbox()).map((b) => b.batchId)).toEqual(["b1", "b2", "b3"]);
  });

  it("a held batch released with false leaves nothing behind and is rejected as abandoned", async () => {
    const db = memoryDb();
    const r = await DurableReplica.open(db, kvEngine);
    const held = r.commitLocal([batch("b1", "a", "b")], { hold: async () => false });
    expect((await held)[0]).toMatchObject({ batchId: "b1", kind: "rejected", code: "abandoned" });
    expect(db.driver.all(`SELECT id FROM kv`)).toEqual([]);
    expect(await r.outbox()).toEqual([]);
    expect((await r.commitLocal([batch("b2", "c")]))[0]!.kind).toBe("accepted");
    expect(db.driver.all(`SELECT id FROM kv`)).toEqual([["c"]]);
  });

  it("does not queue remote batches for upload", async () => {
    const db = memoryDb();
    const r = await DurableReplica.open(db, kvEngine);
    await r.applyRemote([batch("r1", "x")]);
    expect(db.driver.all(`SELECT id FROM kv`)).toEqual([["x"]]);
    expect(await r.outbox()).toEqual([]);
  });

  it("serves an image a mirror can be hydrated from", async () => {
    const r = await DurableReplica.open(memoryDb(), kvEngine);
    await r.commitLocal([batch("b1", "a")]);
    const mirror = WaSqliteDriver.open(m);
    mirror.deserialize(await r.image());
    expect(mirror.all(`SELECT id, v FROM kv`)).toEqual([["a", "v-a"]]);
  });

  it("encodes bytes and bigints in outbox bodies", () => {
    const b: Batch = { ...batch("b", "a"), writes: [{ table: "t", id: "a", op: "insert", values: { x: new Uint8Array([1, 2]), y: 2n ** 60n, z: null } }] };
    expect(decodeBatch(encodeBatch(b))).toEqual(b);
  });

  it("round-trips outbox bodies without tagged values, and tags them when only a later write has one", () => {
    const plain: Batch = { ...batch("p", "a"), writes: [{ table: "t", id: "a", op: "insert", values: { s: "x", n: 1.5, z: null } }, { table: "t", id: "a", op: "delete" }] };
    expect(decodeBatch(encodeBatch(plain))).toEqual(plain);
    const late: Batch = { ...batch("l", "a"), writes: [{ table: "t", id: "a", op: "insert", values: { s: "x" } }, { table: "t", id: "b", op: "update", values: { y: 5n } }] };
    expect(decodeBatch(encodeBatch(late))).toEqual(late);
  });
});

// The worker's real engine (core's Store) with a server deciding local batches.
describe("DurableReplica following the server's decisions", () => {
  const str = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
  const schema = { tables: { todos: { columns: { title: str, tag: str } } } };
  const ROW = "0190a8f2-0000-7000-8000-000000000001";
  let clock = 1_000;
  const todo = (batchId: string, op: "insert" | "update", values: Record<string, string>, kind: Batch["kind"] = "direct"): Batch => ({
    batchId,
    ts: clock++,
    author: "u",
    kind,
    writes: [{ table: "todos", id: ROW, op, values }],
  });
  const open = (db: DurableDatabase) => DurableReplica.open(db, (d) => createEngine(d, schema), { upstream: true });
  const titleOf = (db: DurableDatabase) => db.driver.all(`SELECT title, tag FROM todos WHERE id = ? AND "$deletedAt" IS NULL`, [ROW])[0] ?? null;
  const rejected = (batchId: string): BatchFate => ({ batchId, kind: "rejected", code: "forbidden", reason: "policy denied INSERT on table todos" });

  it("retracts a rejected insert durably, also after the replica restarted before the fate arrived", async () => {
    const db = memoryDb();
    const first = await open(db);
    expect(await first.commitLocal([todo("b1", "insert", { title: "denied", tag: "t" })])).toEqual([{ batchId: "b1", kind: "accepted", tier: "local" }]);
    expect(titleOf(db)).toEqual(["denied", "t"]);
    // A new worker on the same file (the tab reloaded): the undo record is in the file.
    const second = await open(db);
    expect(await second.pendingBatchIds()).toEqual(["b1"]);
    const out = await second.applyFate(rejected("b1"));
    expect(out.retracted).toEqual([{ table: "todos", id: ROW, row: null }]);
    expect(titleOf(db)).toBe(null);
    expect(await second.outbox()).toEqual([]);
    expect(await second.pendingBatchIds()).toEqual([]);
  });

  it("rebuilds a row from the writes that remain: a rejected update under a later remote write", async () => {
    const db = memoryDb();
    const r = await open(db);
    await r.applyRemote([todo("r1", "insert", { title: "server", tag: "t" })]);
    await r.commitLocal([todo("b1", "update", { title: "mine" })]);
    await r.applyRemote([todo("r2", "update", { tag: "later" })]);
    expect(titleOf(db)).toEqual(["mine", "later"]);
    const out = await r.applyFate(rejected("b1"));
    expect(titleOf(db)).toEqual(["server", "later"]);
    expect(out.retracted[0]!.row!.values).toEqual({ title: "server", tag: "later" });
  });

  it("two pending batches on one row: rejecting the first keeps the second (the pre-image moves on), then rejecting the second restores the server's row", async () => {
    const db = memoryDb();
    const r = await open(db);
    await r.applyRemote([todo("r1", "insert", { title: "server", tag: "t" })]);
    await r.commitLocal([todo("b1", "update", { title: "first" })]);
    await r.commitLocal([todo("b2", "update", { tag: "second" })]);
    await r.applyRemote([todo("r2", "update", { title: "remote later" })]);
    await open(db); // another worker on the file in between changes nothing
    await r.applyFate(rejected("b1"));
    expect(titleOf(db)).toEqual(["remote later", "second"]);
    expect(await r.pendingBatchIds()).toEqual(["b2"]);
    await r.applyFate(rejected("b2"));
    expect(titleOf(db)).toEqual(["remote later", "t"]);
    expect(await r.pendingBatchIds()).toEqual([]);
    expect(db.driver.all(`SELECT count(*) FROM _jazz_undo_rows`)).toEqual([[0]]);
    expect(db.driver.all(`SELECT count(*) FROM _jazz_undo_batches`)).toEqual([[0]]);
  });

  it("an accepted batch is final: its records go and a later fate cannot retract it", async () => {
    const db = memoryDb();
    const r = await open(db);
    await r.commitLocal([todo("b1", "insert", { title: "kept", tag: "t" })]);
    expect(await r.applyFate({ batchId: "b1", kind: "accepted", tier: "global" })).toEqual({ retracted: [] });
    expect(await r.pendingBatchIds()).toEqual([]);
    expect(await r.outbox()).toEqual([]);
    expect((await r.applyFate(rejected("b1"))).retracted).toEqual([]);
    expect(titleOf(db)).toEqual(["kept", "t"]);
  });

  it("an edge server's `edge` acceptance is not final: the batch stays queued and the core can still reject it, also after a restart", async () => {
    const db = memoryDb();
    const r = await open(db);
    await r.commitLocal([todo("b1", "insert", { title: "via edge", tag: "t" })]);
    expect(await r.applyFate({ batchId: "b1", kind: "accepted", tier: "edge" })).toEqual({ retracted: [] });
    expect((await r.outbox()).map((b) => b.batchId)).toEqual(["b1"]);
    expect(await r.pendingBatchIds()).toEqual(["b1"]);
    const again = await open(db); // reloaded before the core decided
    expect((await again.applyFate(rejected("b1"))).retracted).toEqual([{ table: "todos", id: ROW, row: null }]);
    expect(titleOf(db)).toBe(null);
    expect(await again.outbox()).toEqual([]);
  });

  it("keeps a transaction invisible until the server accepts it; a rejected one never shows", async () => {
    const db = memoryDb();
    const r = await open(db);
    const t1 = todo("t1", "insert", { title: "txn", tag: "t" }, "transaction");
    await r.commitLocal([t1]);
    expect(titleOf(db)).toBe(null);
    expect((await r.outbox()).map((b) => b.batchId)).toEqual(["t1"]);
    expect(await r.applyFate({ batchId: "t1", kind: "accepted", tier: "global" })).toEqual({ applied: t1, retracted: [] });
    expect(titleOf(db)).toEqual(["txn", "t"]);
    await r.commitLocal([todo("t2", "update", { title: "conflicting" }, "transaction")]);
    await r.applyFate({ batchId: "t2", kind: "rejected", code: "transaction_conflict", reason: "row visible parent changed since transaction write was staged" });
    expect(titleOf(db)).toEqual(["txn", "t"]);
    expect(await r.outbox()).toEqual([]);
  });

  it("evicts rows without pending local writes only", async () => {
    const db = memoryDb();
    const r = await open(db);
    await r.applyRemote([todo("r1", "insert", { title: "theirs", tag: "t" })]);
    await r.commitLocal([todo("b1", "update", { title: "mine" })]);
    expect(await r.evict("todos", [ROW])).toEqual([]);
    expect(titleOf(db)).toEqual(["mine", "t"]);
    await r.applyFate({ batchId: "b1", kind: "accepted", tier: "global" });
    expect(await r.evict("todos", [ROW])).toEqual([ROW]);
    expect(db.driver.all(`SELECT id FROM todos`)).toEqual([]);
    expect(await r.evict("unknown_table", [ROW])).toEqual([]);
  });

  it("without a server the worker is the authority: transactions apply at once and nothing is kept for retraction", async () => {
    const db = memoryDb();
    const r = await DurableReplica.open(db, (d) => createEngine(d, schema));
    await r.commitLocal([todo("t1", "insert", { title: "txn", tag: "t" }, "transaction")]);
    expect(titleOf(db)).toEqual(["txn", "t"]);
    expect(await r.pendingBatchIds()).toEqual([]);
  });
});
