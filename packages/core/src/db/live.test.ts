// Live queries refreshed incrementally (changed ids only, sorted in JS) must deliver exactly
// what re-running the query delivers, and their deltas must turn the previous list into the
// new one.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { generateAuthSecret, syncSigner } from "@jazz-tools/auth";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { QueryIR, QueryLike } from "../query/ir.ts";
import type { RowDelta } from "../subscriptions/types.ts";
import { Db } from "./db.ts";
import { compareSql } from "./live.ts";

const schema: RuntimeSchema = {
  tables: {
    items: {
      columns: {
        name: { type: { kind: "string" }, optional: true, merge: "lww" },
        n: { type: { kind: "int" }, optional: true, merge: "lww" },
        flag: { type: { kind: "boolean" }, optional: false, merge: "lww" },
      },
    },
  },
};
type Item = { id: string; name: string | null; n: number | null; flag: boolean };
const handle = (ir: Partial<QueryIR>): QueryLike<Item> => ({
  _table: "items",
  _schema: schema,
  _build: () => ({ table: "items", conditions: [], orderBy: [], includes: [], ...ir }),
});

const dbs: Db[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

function applyDelta(list: Item[], delta: RowDelta<Item>[], all: Item[]): Item[] {
  const out = [...list];
  for (const d of delta) {
    if (d.kind === 1) {
      expect(out[d.index]?.id).toBe(d.id);
      out.splice(d.index, 1);
    }
  }
  // Adds and updates are given at their index in the new list, ascending.
  const placed = delta.filter((d) => d.kind !== 1);
  for (const d of placed) {
    const at = out.findIndex((r) => r.id === d.id);
    if (at >= 0) out.splice(at, 1);
  }
  for (const d of placed) out.splice(d.index, 0, (d as { item?: Item }).item ?? all[d.index]);
  return out;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), name: fc.option(fc.constantFrom("a", "b", "B", "é", "😀", "")), n: fc.option(fc.integer({ min: -3, max: 3 })), flag: fc.boolean() }),
  fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), name: fc.option(fc.constantFrom("a", "c", "z")), n: fc.option(fc.integer({ min: -3, max: 3 })) }),
  fc.record({ kind: fc.constant("flip" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("batch" as const), count: fc.integer({ min: 1, max: 3 }) }),
);
const orderArb = fc.constantFrom<QueryIR["orderBy"]>([], [["name", "asc"]], [["n", "desc"]], [["n", "asc"], ["name", "desc"]], [["$createdAt", "desc"]], [["$updatedAt", "asc"]]);
const condArb = fc.constantFrom<QueryIR["conditions"]>([], [{ column: "flag", op: "eq", value: true }], [{ column: "n", op: "gte", value: 0 }]);

describe("incremental live queries", { timeout: 60_000 }, () => {
  it("match a full re-run after any sequence of writes", async () => {
    await fc.assert(
      fc.asyncProperty(orderArb, condArb, fc.array(op, { minLength: 1, maxLength: 25 }), async (orderBy, conditions, ops) => {
        const db = new Db({ syncSigner, config: { appId: "t", secret: generateAuthSecret() }, driver: createNodeSqlDriver() });
        dbs.push(db);
        const q = handle({ orderBy, conditions });
        let list: Item[] | null = null;
        let calls = 0;
        db.subscribeAll(q, ({ all, delta }) => {
          calls++;
          list = list === null ? all : applyDelta(list, delta, all);
          expect(list.map((r) => r.id)).toEqual(all.map((r) => r.id));
          expect(list).toEqual(all);
        });
        await Promise.resolve();
        expect(calls).toBe(1);
        const ids: string[] = [];
        const live = () => ids.filter((id) => id);
        let i = 0;
        for (const o of ops) {
          i++;
          const pickId = (p: number) => live()[p % Math.max(1, live().length)];
          if (o.kind === "insert") ids.push(db.insert(q, { name: o.name, n: o.n, flag: o.flag }).value.id);
          else if (o.kind === "batch")
            db.batch((b) => {
              for (let k = 0; k < o.count; k++) ids.push(b.insert(q, { name: `b${i}${k}`, n: k, flag: k % 2 === 0 }).id);
              if (live().length) b.update(q, live()[0], { n: i });
            });
          else if (!live().length) continue;
          else if (o.kind === "update") db.update(q, pickId(o.pick), { name: o.name, n: o.n });
          else if (o.kind === "flip") db.update(q, pickId(o.pick), { flag: i % 2 === 0 });
          else {
            const id = pickId(o.pick);
            db.delete(q, id);
            ids[ids.indexOf(id)] = "";
          }
        }
        expect(list).toEqual(await db.all(q));
      }),
      { numRuns: 120 },
    );
  });

  it("compareSql orders like SQLite", () => {
    const d = createNodeSqlDriver();
    const values = [null, -1, 0, 2.5, 10, "", "B", "a", "é", "😀", "\uffff", new Uint8Array([1]), new Uint8Array([0, 2])];
    d.exec("CREATE TABLE v (x)");
    for (const v of values) d.run("INSERT INTO v VALUES (?)", [v]);
    const sqlite = d.all("SELECT x FROM v ORDER BY x").map((r) => r[0]);
    const mine = [...values].sort(compareSql);
    // better-sqlite3 returns Buffers for blobs: compare blob bytes as arrays.
    const plain = (v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v);
    expect(mine.map(plain)).toEqual(sqlite.map(plain));
  });
});

describe("large change sets", () => {
  it("a 1,000-row batch into a watched table arrives as one callback with every row", async () => {
    const db = new Db({ syncSigner, config: { appId: "t", secret: generateAuthSecret() }, driver: createNodeSqlDriver() });
    dbs.push(db);
    const q = handle({ orderBy: [["n", "desc"]] });
    const calls: Item[][] = [];
    db.subscribeAll(q, ({ all }) => calls.push(all));
    await Promise.resolve();
    db.batch((b) => {
      for (let i = 0; i < 1000; i++) b.insert(q, { name: `r${i}`, n: i, flag: true });
    });
    expect(calls.length).toBe(2);
    expect(calls[1].length).toBe(1000);
    expect(calls[1][0].n).toBe(999);
  });
});

describe("refreshLiveQueries", () => {
  it("re-reads the live queries over rows changed under the Db (e.g. a runtime swapping the database image)", async () => {
    const driver = createNodeSqlDriver();
    const db = new Db({ syncSigner, config: { appId: "t", secret: generateAuthSecret() }, driver });
    dbs.push(db);
    const q = handle({ orderBy: [["n", "asc"]] });
    db.insert(q, { name: "a", n: 1, flag: true });
    const calls: (string | null)[][] = [];
    db.subscribeAll(q, ({ all }) => calls.push(all.map((r) => r.name)));
    await Promise.resolve();
    expect(calls).toEqual([["a"]]);
    // Changed behind the Db's back: nothing is delivered until it is told.
    expect(driver.run(`UPDATE items SET name = 'b'`)).toBe(1);
    expect(calls).toEqual([["a"]]);
    // Ids as stored (what a runtime reads from the swapped tables).
    const stored = driver.all(`SELECT id FROM items`).map((r) => String(r[0]));
    db.refreshLiveQueries(new Map([["items", new Set(stored)]]));
    expect(calls).toEqual([["a"], ["b"]]);
  });
});
