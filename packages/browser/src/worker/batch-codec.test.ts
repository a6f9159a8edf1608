import { describe, expect, it } from "vitest";
import type { Batch } from "@jazz-tools/core";
import { decodeBatch, encodeBatch, parseTagged } from "./batch-codec.ts";

describe("batch codec", () => {
  it("carries bytes as base64 (about 4/3 of their size, not a number per byte) and bigints as text", () => {
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => i & 255);
    const batch: Batch = { batchId: "b", ts: 1, author: "a", kind: "direct", writes: [{ table: "file_parts", id: "x", op: "insert", values: { data, n: 2n ** 60n } }] };
    const text = encodeBatch(batch);
    expect(text.length).toBeLessThan(data.length * 1.4);
    const back = decodeBatch(text);
    expect(back.writes[0]!.values!.n).toBe(2n ** 60n);
    const bytes = back.writes[0]!.values!.data as Uint8Array;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length === data.length && bytes.every((b, i) => b === data[i])).toBe(true);
  });

  it("still reads the number-array form older worker files hold", () => {
    expect(parseTagged<{ v: Uint8Array }>('{"v":{"$bytes":[1,2,255]}}').v).toEqual(new Uint8Array([1, 2, 255]));
  });
});
