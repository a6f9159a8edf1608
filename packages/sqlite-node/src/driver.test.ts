import { describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "./driver.ts";

describe("node SqlDriver", () => {
  it("runs parameterised statements and returns rows as arrays", () => {
    const d = createNodeSqlDriver();
    d.exec(`CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, b BLOB)`);
    expect(d.run(`INSERT INTO t VALUES (?, ?, ?)`, ["a", 1, new Uint8Array([1, 2])])).toBe(1);
    const rows = d.all(`SELECT id, n, b FROM t`);
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe("a");
    expect(rows[0]![1]).toBe(1);
    expect(new Uint8Array(rows[0]![2] as Uint8Array)).toEqual(new Uint8Array([1, 2]));
    d.close();
  });
});
