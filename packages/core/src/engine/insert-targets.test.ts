import { describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch } from "./batch.ts";
import { Store } from "./store.ts";
import { checkInsertTargets } from "./insert-targets.ts";

const schema: RuntimeSchema = { tables: { notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const id = "0190b8a4-0000-7000-8000-000000000001";
const insert = (ts: number, batchId: string, author = "alice"): Batch => ({ batchId, ts, author, kind: "direct", writes: [{ table: "notes", id, op: "insert", values: { text: author } }] });

describe("checkInsertTargets (the authority's rule for inserts of stored ids)", () => {
  it("lets a new id and a later insert of a stored row through, refuses an older one and a deleted row's id", () => {
    const driver = createNodeSqlDriver();
    const store = new Store(driver);
    store.addTables(schema);
    expect(checkInsertTargets(driver, insert(100, "b1"))).toBeNull();
    store.applyBatch(insert(100, "b1"));
    expect(checkInsertTargets(driver, insert(100, "b1"))).toBeNull(); // the same insert again
    expect(checkInsertTargets(driver, insert(200, "b2", "bob"))).toBeNull();
    expect(checkInsertTargets(driver, insert(50, "b0", "bob"))).toMatchObject({ code: "stale_insert" });
    store.applyBatch({ batchId: "b3", ts: 300, author: "alice", kind: "direct", writes: [{ table: "notes", id, op: "delete" }] });
    expect(checkInsertTargets(driver, insert(400, "b4"))).toMatchObject({ code: "row_deleted" });
  });
});
