// The server database's durability setting reaches SQLite: WAL always, synchronous FULL (2) or
// NORMAL (1) as asked; WAL checkpoints happen on the worker thread, not in the writer's COMMIT.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, parseDurability, type OpenedDatabase } from "./open.ts";
import { UsageError } from "../errors.ts";
import { SAFETY_NET_PAGES } from "./checkpoint.ts";

const opened: OpenedDatabase[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.driver.close();
});

const open = (durability?: "full" | "normal") => {
  const o = openDatabase({ dataDir: mkdtempSync(join(tmpdir(), "jazz-open-")), inMemory: false, durability });
  opened.push(o);
  return o;
};
const pragma = (o: OpenedDatabase, name: string) => o.driver.all(`PRAGMA ${name}`)[0]![0];

describe("openDatabase durability", () => {
  it("full: WAL with synchronous=FULL", () => {
    const o = open("full");
    expect(o.durability).toBe("full");
    expect(pragma(o, "journal_mode")).toBe("wal");
    expect(pragma(o, "synchronous")).toBe(2);
  });

  it("normal: WAL with synchronous=NORMAL", () => {
    const o = open("normal");
    expect(o.durability).toBe("normal");
    expect(pragma(o, "journal_mode")).toBe("wal");
    expect(pragma(o, "synchronous")).toBe(1);
  });

  it("parses the flag value and names the source of a bad one", () => {
    expect(parseDurability(undefined)).toBe("normal");
    expect(parseDurability("FULL")).toBe("full");
    expect(() => parseDurability("maybe", "JAZZ_DURABILITY")).toThrow(UsageError);
    expect(() => parseDurability("maybe", "JAZZ_DURABILITY")).toThrow('JAZZ_DURABILITY must be "full" or "normal", got "maybe"');
  });
});

describe("WAL checkpoints off the write path", () => {
  it("the main connection leaves checkpoints to the worker, which copies the WAL into the database file", async () => {
    const o = open("normal");
    expect(pragma(o, "wal_autocheckpoint")).toBe(SAFETY_NET_PAGES);
    const size = () => statSync(o.file!).size;
    const before = size();
    // ~200 pages of WAL: far below the main connection's own threshold.
    o.driver.exec("CREATE TABLE t (v TEXT)");
    for (let i = 0; i < 100; i++) o.driver.run("INSERT INTO t VALUES (?)", ["x".repeat(8000)]);
    // The worker may checkpoint part of the WAL first (while the inserts run): wait for all of it.
    const deadline = Date.now() + 10_000;
    while (size() <= before + 100 * 8000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(size()).toBeGreaterThan(before + 100 * 8000);
  });
});
