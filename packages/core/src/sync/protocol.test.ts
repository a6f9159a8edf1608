import { describe, expect, it } from "vitest";
import { decodeClientMessage, decodeServerMessage, encodeMessage, normaliseSyncUrl, ProtocolError, wireReplacer } from "./protocol.ts";

const batch = (extra: Record<string, unknown> = {}) => ({
  batchId: "0190a5c48f1e7c3a9b2d4e5f6a7b8c9d",
  ts: 1_700_000_000_000_000,
  author: "u",
  kind: "direct",
  writes: [{ table: "t", id: "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d", op: "insert", values: { b: new Uint8Array([1, 2, 255]), n: 5n, s: "x", z: null } }],
  ...extra,
});

describe("sync protocol codec", () => {
  it("normalises http(s) and ws(s) server URLs to the app's WebSocket endpoint", () => {
    expect(normaliseSyncUrl("http://127.0.0.1:1625", "app")).toBe("ws://127.0.0.1:1625/apps/app/ws");
    expect(normaliseSyncUrl("https://v2.sync.jazz.tools/", "my app")).toBe("wss://v2.sync.jazz.tools/apps/my%20app/ws");
    expect(normaliseSyncUrl("wss://h/prefix/", "a")).toBe("wss://h/prefix/apps/a/ws");
    expect(normaliseSyncUrl("ws://h/apps/a/ws", "a")).toBe("ws://h/apps/a/ws");
    expect(() => normaliseSyncUrl("ftp://h", "a")).toThrow(ProtocolError);
    expect(() => normaliseSyncUrl("not a url", "a")).toThrow(/not a valid URL/);
  });

  it("round-trips bytes and bigints in batch values", () => {
    const text = encodeMessage({ t: "push", batch: batch() as never });
    expect(text).toContain('"$bytes":"AQL/"');
    const back = decodeClientMessage(text);
    expect(back.t).toBe("push");
    const v = (back as { batch: { writes: { values: Record<string, unknown> }[] } }).batch.writes[0]!.values;
    expect(v.b).toEqual(new Uint8Array([1, 2, 255]));
    expect(v.n).toBe(5n);
    const s = decodeServerMessage(encodeMessage({ t: "batches", batches: [batch() as never] }));
    expect((s as { batches: { writes: { values: Record<string, unknown> }[] }[] }).batches[0]!.writes[0]!.values.b).toBeInstanceOf(Uint8Array);
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["an array", "[]", /must be a JSON object/],
    ["an unknown type", '{"t":"drop"}', /unknown message type/],
    ["a hello without clientId", '{"t":"hello","v":1,"auth":{}}', /clientId/],
    ["a push with a bad batch id", JSON.stringify({ t: "push", batch: batch({ batchId: "XYZ" }) }, wireReplacer), /batchId/],
    ["a push with a fractional ts", JSON.stringify({ t: "push", batch: batch({ ts: 1.5 }) }, wireReplacer), /ts must be/],
    ["a push with a bad op", JSON.stringify({ t: "push", batch: batch({ writes: [{ table: "t", id: "x", op: "drop" }] }) }, wireReplacer), /op must be/],
    ["an object value", JSON.stringify({ t: "push", batch: batch({ writes: [{ table: "t", id: "x", op: "update", values: { a: { b: 1 } } }] }) }, wireReplacer), /is an object/],
    ["a sub with a bad tier", '{"t":"sub","id":"q","query":{},"tier":"moon"}', /tier/],
  ])("refuses %s with a ProtocolError", (_name, text, message) => {
    expect(() => decodeClientMessage(text)).toThrow(ProtocolError);
    expect(() => decodeClientMessage(text)).toThrow(message);
  });
});
