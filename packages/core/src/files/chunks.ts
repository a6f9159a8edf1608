// Cutting a byte stream into parts of exactly `size` bytes (the last may be shorter), holding at
// most one part's worth of pending input at a time.
import { FileArgumentError } from "./errors.ts";

export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new FileArgumentError(`createFileFromStream: the stream must yield Uint8Array, ArrayBuffer or typed-array chunks, got ${value === null ? "null" : typeof value}`);
}

export async function* chunked(stream: ReadableStream<unknown>, size: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let buffer = new Uint8Array(size);
  let filled = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let bytes = toBytes(value);
      while (bytes.length > 0) {
        const take = Math.min(size - filled, bytes.length);
        buffer.set(bytes.subarray(0, take), filled);
        filled += take;
        bytes = bytes.subarray(take);
        if (filled === size) {
          yield buffer;
          buffer = new Uint8Array(size);
          filled = 0;
        }
      }
    }
    if (filled > 0) yield buffer.slice(0, filled);
  } finally {
    reader.releaseLock();
  }
}
