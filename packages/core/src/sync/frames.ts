// Binary frames (sync protocol 3, docs/protocol.md): a message whose batches carry bytes (file
// parts, bytes columns) goes as one binary WebSocket frame instead of JSON with base64, so bytes
// cross the wire as they are (a fixed overhead per value, not a third more):
//
//   u32 little-endian n ‖ n bytes of UTF-8 JSON: [message, [len0, len1, ...]] ‖ bytes0 ‖ bytes1 ‖ ...
//
// where each Uint8Array in the message's batch values is written as {"$bin": i}. Everything
// else (and every message without bytes) stays a JSON text frame. The JSON is parsed by
// JSON.parse; this file only checks lengths and indexes before slicing.

import { ProtocolError } from "./url.ts";

/** A frame whose bytes were taken out: the JSON text and the values, in `$bin` order. */
export interface SplitFrame {
  json: string;
  bins: Uint8Array[];
}

/** More values in one frame than this is refused (a batch has at most 10,000 writes by default). */
const MAX_BINS = 1_000_000;
const utf8 = new TextEncoder();

/** JSON with bigints escaped and Uint8Arrays taken out as {"$bin": i} (null: no bytes in it). */
export function splitBytes(msg: unknown): SplitFrame | null {
  const bins: Uint8Array[] = [];
  const json = JSON.stringify(msg, function (this: Record<string, unknown>, k: string, v: unknown) {
    // `this[k]`: the value before toJSON (a Node Buffer would already be {type, data} in `v`).
    const raw = this[k];
    if (raw instanceof Uint8Array) return { $bin: bins.push(raw) - 1 };
    if (typeof v === "bigint") return { $bigint: v.toString() };
    return v;
  });
  return bins.length ? { json, bins } : null;
}

/** The binary frame for a split message. */
export function packFrame({ json, bins }: SplitFrame): Uint8Array {
  const header = utf8.encode(`[${json},[${bins.map((b) => b.length).join(",")}]]`);
  let size = 4 + header.length;
  for (const b of bins) size += b.length;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = 4 + header.length;
  for (const b of bins) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Reads a binary frame: the message (still with its {"$bin": i} escapes) and its byte values
 * (copies, so a value does not keep the whole frame alive). Any inconsistency is a ProtocolError.
 */
export function unpackFrame(frame: Uint8Array): { value: unknown; bins: Uint8Array[] } {
  if (frame.length < 4) throw new ProtocolError("binary frame shorter than its 4-byte header length");
  const n = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (n > frame.length - 4) throw new ProtocolError(`binary frame header says ${n} bytes of JSON, but the frame has ${frame.length - 4}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(frame.subarray(4, 4 + n)));
  } catch {
    throw new ProtocolError("binary frame header is not UTF-8 JSON");
  }
  if (!Array.isArray(header) || header.length !== 2 || !Array.isArray(header[1])) {
    throw new ProtocolError("binary frame header must be [message, [byte lengths]]");
  }
  const lengths = header[1] as unknown[];
  if (lengths.length === 0 || lengths.length > MAX_BINS) throw new ProtocolError(`binary frame must carry 1 to ${MAX_BINS} byte values`);
  let at = 4 + n;
  const bins: Uint8Array[] = [];
  for (const len of lengths) {
    if (typeof len !== "number" || !Number.isSafeInteger(len) || len < 0 || len > frame.length - at) {
      throw new ProtocolError("binary frame byte lengths must be non-negative integers that fit in the frame");
    }
    // A plain copy: not a view that keeps the frame alive, and never a Buffer (whose toJSON
    // would hide it from the encoder when the server sends it on).
    bins.push(new Uint8Array(frame.subarray(at, at + len)));
    at += len;
  }
  if (at !== frame.length) throw new ProtocolError(`binary frame has ${frame.length - at} bytes after its last value`);
  return { value: header[0], bins };
}

/** The bytes of a received frame: `ws` gives Buffers (Uint8Arrays), browsers ArrayBuffers. */
export function frameBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}
