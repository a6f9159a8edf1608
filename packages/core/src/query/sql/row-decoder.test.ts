import { describe, expect, it } from "vitest";
import { buildRowDecoder } from "./row-decoder.ts";

describe("buildRowDecoder", () => {
  const keys = ["id", 'we"ird\\key', "n", "__proto__"];
  const decoders = [null, (v: unknown) => `<${String(v)}>`, (v: unknown) => Number(v) * 2, null];
  it("generated and fallback decoders agree, including odd keys", () => {
    const row = ["a", "b", 21, "c"];
    const expected = { id: "a", 'we"ird\\key': "<b>", n: 42 } as Record<string, unknown>;
    Object.defineProperty(expected, "__proto__", { value: "c", enumerable: true, writable: true, configurable: true });
    expect(buildRowDecoder(keys, decoders)(row)).toEqual(expected);
    expect(buildRowDecoder(keys, decoders, false)(row)).toEqual(expected);
    expect(Object.keys(buildRowDecoder(keys, decoders)(row))).toEqual(keys);
    expect(Object.getPrototypeOf(buildRowDecoder(keys, decoders)(row))).toBe(Object.prototype);
    expect(Object.getPrototypeOf(buildRowDecoder(keys, decoders, false)(row))).toBe(Object.prototype);
  });
});
