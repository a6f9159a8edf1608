import { describe, expect, it } from "vitest";
import { buildRowDecoder } from "./row-decoder.ts";

describe("buildRowDecoder", () => {
  const keys = ["id", 'we"ird\\key', "n", "constructor"];
  const decoders = [null, (v: unknown) => `<${String(v)}>`, (v: unknown) => Number(v) * 2, null];
  it("generated and fallback decoders agree, including odd keys", () => {
    const row = ["a", "b", 21, "c"];
    const expected = { id: "a", 'we"ird\\key': "<b>", n: 42, constructor: "c" };
    expect(buildRowDecoder(keys, decoders)(row)).toEqual(expected);
    expect(buildRowDecoder(keys, decoders, false)(row)).toEqual(expected);
    expect(Object.keys(buildRowDecoder(keys, decoders)(row))).toEqual(keys);
  });
});
