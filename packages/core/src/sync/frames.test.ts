// Binary frames (protocol 3): batches with bytes cross the wire as raw bytes behind a JSON
// header; every malformed frame is a ProtocolError, never another exception or a wrong value.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Batch } from "../engine/batch.ts";
import { decodeClientMessage, decodeServerMessage, encodeFrame, encodeMessage, ProtocolError } from "./protocol.ts";
import { packFrame } from "./frames.ts";

const batch = (values: Record<string, unknown>): Batch => ({
  batchId: "0".repeat(31) + "1",
  ts: 1_000,
  author: "u",
  kind: "direct",
  writes: [{ table: "file_parts", id: "p1", op: "insert", values: values as never }],
});
const header = (value: unknown, lengths: number[]) => {
  const json = new TextEncoder().encode(JSON.stringify([value, lengths]));
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  return out;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

describe("binary frames", () => {
  it("round-trip pushes and batches with bytes, bigints and other values, byte for byte", () => {
    const value = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string(), fc.integer(), fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), value, { maxKeys: 6 }), (values) => {
        const frame = encodeFrame({ t: "push", batch: batch(values) }, true);
        const hasBytes = Object.values(values).some((v) => v instanceof Uint8Array);
        expect(typeof frame === "string").toBe(!hasBytes);
        const push = decodeClientMessage(frame);
        expect(push.t === "push" && push.batch.writes[0]!.values).toEqual(values);
        const down = decodeServerMessage(encodeFrame({ t: "batches", batches: [batch(values), batch(values)] }, true));
        expect(down.t === "batches" && down.batches.map((b) => b.writes[0]!.values)).toEqual([values, values]);
      }),
      { numRuns: 200 },
    );
  });

  it("a 256 KiB part costs its bytes plus a fixed overhead (JSON with base64: a third more)", () => {
    const data = new Uint8Array(256 * 1024).map((_, i) => (i * 7919) & 0xff);
    const frame = encodeFrame({ t: "push", batch: batch({ data }) }, true) as Uint8Array;
    expect(frame.length - data.length).toBeLessThan(300);
    expect(encodeMessage({ t: "push", batch: batch({ data }) }).length).toBeGreaterThan(data.length * 1.33);
    const back = decodeClientMessage(frame);
    expect(back.t === "push" && back.batch.writes[0]!.values!.data).toEqual(data);
  });

  it("a Node Buffer value is sent as its bytes in both forms (not as Buffer.toJSON's {type, data})", () => {
    const data = Buffer.from([1, 2, 3]);
    for (const binary of [true, false]) {
      const back = decodeServerMessage(encodeFrame({ t: "batches", batches: [batch({ data })] }, binary));
      expect(back.t === "batches" && back.batches[0]!.writes[0]!.values!.data).toEqual(new Uint8Array([1, 2, 3]));
    }
  });

  it("without protocol 3 (binary: false) the same message is a JSON text frame", () => {
    expect(typeof encodeFrame({ t: "push", batch: batch({ data: new Uint8Array([1, 2]) }) }, false)).toBe("string");
  });

  it("refuses every malformed frame with a ProtocolError that says what is wrong", () => {
    const push = { t: "push", batch: { ...batch({}), writes: [{ table: "file_parts", id: "p", op: "insert", values: { data: { $bin: 0 } } }] } };
    const cases: [Uint8Array | ArrayBuffer | string, RegExp][] = [
      [new Uint8Array([1, 0]), /shorter than its 4-byte/],
      [concat(new Uint8Array([255, 255, 0, 0]), new Uint8Array(8)), /header says 65535 bytes/],
      [concat(new Uint8Array([2, 0, 0, 0]), new Uint8Array([0xc3, 0x28])), /not UTF-8 JSON/],
      [header({ t: "push" }, []), /1 to \d+ byte values/],
      [header(push, [5]), /fit in the frame/],
      [concat(header(push, [1]), new Uint8Array([7, 8])), /1 bytes after its last value/],
      [header(push, [-1]), /non-negative integers/],
      [concat(header({ ...push, batch: { ...push.batch, writes: [{ ...push.batch.writes[0], values: { data: { $bin: 3 } } }] } }, [1]), new Uint8Array([1])), /index one of the frame's 1 byte values/],
      [concat(header({ t: "hello", v: 3, clientId: "c", auth: {} }, [1]), new Uint8Array([1])), /"hello" message cannot come in a binary frame/],
      [concat(header([1, 2], [1]), new Uint8Array([1])), /must be a JSON object/],
      [JSON.stringify(push), /only valid in a binary frame/],
      [new Uint8Array(0).buffer, /shorter/],
    ];
    for (const [frame, message] of cases) expect(() => decodeClientMessage(frame), String(message)).toThrowError(message);
    for (const [frame] of cases) {
      try {
        decodeClientMessage(frame);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });

  it("random bytes are refused with a ProtocolError, never another exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        for (const frame of [a, concat(header({ t: "push", batch: batch({}) }, [a.length]), a), packFrame({ json: JSON.stringify({ t: "push" }), bins: [b] }).slice(0, 4 + (b[0] ?? 0))]) {
          try {
            decodeClientMessage(frame);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
