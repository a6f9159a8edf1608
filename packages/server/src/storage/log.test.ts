// The batch log stores a batch with bytes as a binary frame (a BLOB, no base64) and plain
// batches as JSON; bodies written as JSON by older servers (bytes as {"$bytes"}) still read.
import { describe, expect, it } from "vitest";
import type { Batch } from "@jazz-tools/core";
import { encodeMessage, encodeStoredBatch } from "@jazz-tools/core/sync";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { BatchLog } from "./log.ts";

const batch = (id: string, values: Record<string, unknown>): Batch => ({
  batchId: id.padStart(32, "0"),
  ts: 5,
  author: "u",
  kind: "direct",
  writes: [{ table: "file_parts", id: `row-${id}`, op: "insert", values: values as never }],
});

describe("batch log bodies", () => {
  it("a batch with bytes is stored as a BLOB and reads back byte for byte; others as JSON text", () => {
    const driver = createNodeSqlDriver();
    const log = new BatchLog(driver);
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => i & 0xff);
    const withBytes = batch("1", { data, n: 12345678901234n });
    const plain = batch("2", { text: "hi" });
    log.append(withBytes, encodeStoredBatch(withBytes));
    log.append(plain, encodeStoredBatch(plain));
    const types = driver.all("SELECT typeof(body), length(body) FROM _jazz_log ORDER BY seq");
    expect(types[0]![0]).toBe("blob");
    expect(Number(types[0]![1])).toBeLessThan(data.length + 400);
    expect(types[1]![0]).toBe("text");
    expect(log.logged(withBytes.batchId)!.writes[0]!.values).toEqual({ data, n: 12345678901234n });
    expect(log.history([{ table: "file_parts", id: "row-2" }]).map((h) => h.batch.writes[0]!.values)).toEqual([{ text: "hi" }]);
  });

  it("reads a JSON body with base64 bytes, as logged by earlier versions", () => {
    const driver = createNodeSqlDriver();
    const log = new BatchLog(driver);
    const old = batch("3", { data: new Uint8Array([1, 2, 3]) });
    log.append(old, encodeMessage(old as never));
    expect(driver.all("SELECT typeof(body) FROM _jazz_log")[0]![0]).toBe("text");
    expect(log.history([{ table: "file_parts", id: "row-3" }])[0]!.batch.writes[0]!.values).toEqual({ data: new Uint8Array([1, 2, 3]) });
  });
});
