import { describe, expect, it } from "vitest";
import { canonicalJson, hexToBytes, jsonDecoder, magicDecoder, sqlDecoder } from "./decode.ts";

describe("decoders", () => {
  it("hexToBytes reads SQLite hex() output (upper case) and lower case", () => {
    expect(hexToBytes("00FF10aB")).toEqual(new Uint8Array([0, 255, 16, 171]));
    expect(hexToBytes("")).toEqual(new Uint8Array([]));
  });
  it("canonicalJson sorts keys recursively, keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
  it("SQL-form decoders", () => {
    expect(sqlDecoder({ kind: "boolean" })!(0)).toBe(false);
    expect(sqlDecoder({ kind: "boolean" })!(1n)).toBe(true);
    expect(sqlDecoder({ kind: "timestamp" })!(1500)).toEqual(new Date(1500));
    expect(sqlDecoder({ kind: "int" })!(5n)).toBe(5);
    expect(sqlDecoder({ kind: "string" })).toBeNull();
    expect(sqlDecoder({ kind: "array", element: { kind: "bytes" } })!("[[1,2],[3]]")).toEqual([new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect(sqlDecoder({ kind: "array", element: { kind: "array", element: { kind: "timestamp" } } })!("[[1],[2,3]]")).toEqual([[new Date(1)], [new Date(2), new Date(3)]]);
    expect(sqlDecoder({ kind: "json" })!(null)).toBeNull();
  });
  it("JSON-form (include) decoders and magic columns", () => {
    expect(jsonDecoder({ kind: "bytes" })!("0A0B")).toEqual(new Uint8Array([10, 11]));
    expect(jsonDecoder({ kind: "boolean" })!(1)).toBe(true);
    expect(jsonDecoder({ kind: "json" })).toBeNull();
    expect(magicDecoder("$createdAt")!(1_500_000)).toEqual(new Date(1500));
    expect(magicDecoder("$canEdit")!(0)).toBe(false);
    expect(magicDecoder("$createdBy")).toBeNull();
  });
});
