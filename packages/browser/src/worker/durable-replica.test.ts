import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Batch, SqlDriver } from "@jazz-tools/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadWaSqlite } from "../sqlite/load.ts";
import { WaSqliteDriver, type WaModule } from "../sqlite/wa-sqlite.ts";
import { encodeBatch, decodeBatch } from "./batch-codec.ts";
import { DurableReplica, type BatchApplier, type DurableDatabase } from "./durable-replica.ts";

const require = createRequire(import.meta.url);
let m: WaModule;
beforeAll(async () => {
  m = await loadWaSqlite({ binary: readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")) });
});

function memoryDb(driver = WaSqliteDriver.open(m)): DurableDatabase {
  return {
    driver,
    async transaction(fn) {
      driver.exec("BEGIN IMMEDIATE");
      try {
        const r = fn(driver);
        driver.exec("COMMIT");
        return r;
      } catch (e) {
        driver.exec("ROLLBACK");
        throw e;
      }
    },
    close: () => driver.close(),
  };
}

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
