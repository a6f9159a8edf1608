import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch, RowWrite } from "./batch.ts";
import { Store } from "./store.ts";
import { ObjectExistsError, RowNotFoundError } from "./errors.ts";
import { createLayoutTablesForTest } from "./testing/tables.ts";

const schema: RuntimeSchema = {
  tables: {
    t: {
      columns: {
        a: { type: { kind: "string" }, optional: true, merge: "lww" },
        b: { type: { kind: "int" }, optional: true, merge: "lww" },
        n: { type: { kind: "int" }, optional: false, merge: "counter" },
      },
    },
  },
};

function newStore(): Store {
  const driver = createNodeSqlDriver();
  createLayoutTablesForTest(driver, schema);
  return new Store(driver, schema);
}

function dump(store: Store): unknown[] {
  return store.driver.all(`SELECT * FROM t ORDER BY id`);
}

const hex = (n: number) => n.toString(16).padStart(32, "0");
let seq = 0;
function batch(ts: number, writes: RowWrite[], author = "u1"): Batch {
  return { batchId: hex(++seq), ts, author, kind: "direct", writes };
}

describe("Store.applyBatch", () => {
  it("inserts, updates by LWW per column, and deletes win", () => {
    const s = newStore();
    s.applyBatch(batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: "x", b: 1, n: 0 } }]));
    s.applyBatch(batch(30, [{ table: "t", id: "r1", op: "update", values: { a: "late" } }]));
    s.applyBatch(batch(20, [{ table: "t", id: "r1", op: "update", values: { a: "early", b: 2 } }]));
    const row = s.readRow("t", "r1")!;
    expect(row.values).toEqual({ a: "late", b: 2, n: 0 });
    expect(row.created?.clock[0]).toBe(10);
    expect(row.updated?.clock[0]).toBe(30);
    s.applyBatch(batch(5, [{ table: "t", id: "r1", op: "delete" }]));
    expect(s.isVisible("t", "r1")).toBe(false);
    s.applyBatch(batch(40, [{ table: "t", id: "r1", op: "update", values: { a: "after delete" } }]));
    expect(s.isVisible("t", "r1")).toBe(false);
  });

  it("an update that arrives before its insert converges", () => {
    const s = newStore();
    const ins = batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: "x", b: 1, n: 0 } }]);
    const upd = batch(20, [{ table: "t", id: "r1", op: "update", values: { b: 7 } }]);
    s.applyBatch(upd);
    expect(s.isVisible("t", "r1")).toBe(false);
    s.applyBatch(ins);
    expect(s.readRow("t", "r1")!.values).toEqual({ a: "x", b: 7, n: 0 });
    expect(s.isVisible("t", "r1")).toBe(true);
  });

  it("counter columns add concurrent deltas", () => {
    const s = newStore();
    s.applyBatch(batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: null, b: null, n: 5 } }]));
    s.applyBatch(batch(20, [{ table: "t", id: "r1", op: "update", values: { n: 2 } }]));
    s.applyBatch(batch(20, [{ table: "t", id: "r1", op: "update", values: { n: 3 } }]));
    expect(s.readRow("t", "r1")!.values.n).toBe(10);
  });

  it("applying a batch twice changes nothing the second time", () => {
    const s = newStore();
    const b = batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: null, b: null, n: 5 } }]);
    expect(s.applyBatch(b).applied).toBe(true);
    const u = batch(11, [{ table: "t", id: "r1", op: "update", values: { n: 1 } }]);
    s.applyBatch(u);
    expect(s.applyBatch(u).applied).toBe(false);
    expect(s.applyBatch(b).applied).toBe(false);
    expect(s.readRow("t", "r1")!.values.n).toBe(6);
  });

  it("a batch delivered in two partial halves (different rows) equals the whole batch; duplicates are no-ops", () => {
    const whole = batch(10, [
      { table: "t", id: "r1", op: "insert", values: { a: "x", b: 1, n: 5 } },
      { table: "t", id: "r1", op: "update", values: { n: 2 } },
      { table: "t", id: "r2", op: "insert", values: { a: "y", b: 2, n: 3 } },
      { table: "t", id: "r2", op: "update", values: { a: "y2", n: 4 } },
    ]);
    const reference = newStore();
    reference.applyBatch(whole);
    const half = (id: string): Batch => ({ ...whole, writes: whole.writes.filter((w) => w.id === id) });
    const s = newStore();
    expect(s.applyBatch(half("r1")).applied).toBe(true);
    expect(s.readRow("t", "r2")).toBeNull();
    const second = s.applyBatch(half("r2"));
    expect(second.applied).toBe(true);
    expect([...second.changes.get("t")!]).toEqual(["r2"]);
    expect(dump(s)).toEqual(dump(reference));
    // Re-delivery of either half or of the whole batch changes nothing (counters not re-summed).
    for (const again of [half("r1"), half("r2"), whole]) {
      const res = s.applyBatch(again);
      expect(res.applied).toBe(false);
      expect(res.changes.size).toBe(0);
    }
    expect(dump(s)).toEqual(dump(reference));
    expect(s.readRow("t", "r1")!.values.n).toBe(7);
  });

  it("strict mode throws named errors and leaves the database unchanged", () => {
    const s = newStore();
    s.applyBatch(batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: "x", b: 1, n: 0 } }]), { strict: true });
    const before = dump(s);
    const dup = batch(11, [
      { table: "t", id: "r2", op: "insert", values: { a: "y", b: 1, n: 0 } },
      { table: "t", id: "r1", op: "insert", values: { a: "z", b: 1, n: 0 } },
    ]);
    expect(() => s.applyBatch(dup, { strict: true })).toThrow(ObjectExistsError);
    expect(() => s.applyBatch(dup, { strict: true })).toThrow(/object already exists/);
    expect(() => s.applyBatch(batch(12, [{ table: "t", id: "nope", op: "update", values: { a: "q" } }]), { strict: true })).toThrow(RowNotFoundError);
    expect(() => s.applyBatch(batch(13, [{ table: "t", id: "nope", op: "delete" }]), { strict: true })).toThrow(RowNotFoundError);
    expect(dump(s)).toEqual(before);
    expect(s.hasBatch(dup.batchId)).toBe(false);
  });

  it("rejecting a pending batch rebuilds the row from the remaining writes", () => {
    const s = newStore();
    s.applyBatch(batch(10, [{ table: "t", id: "r1", op: "insert", values: { a: "base", b: 1, n: 1 } }]));
    const mine = batch(20, [
      { table: "t", id: "r1", op: "update", values: { a: "mine", b: 2, n: 10 } },
      { table: "t", id: "r2", op: "insert", values: { a: "new", b: null, n: 0 } },
    ]);
    s.applyBatch(mine, { pending: true });
    s.applyBatch(batch(15, [{ table: "t", id: "r1", op: "update", values: { b: 3, n: 100 } }]));
    expect(s.readRow("t", "r1")!.values).toEqual({ a: "mine", b: 2, n: 111 });
    const res = s.reject(mine.batchId);
    expect([...res.changes.get("t")!].sort()).toEqual(["r1", "r2"]);
    expect(s.readRow("t", "r1")!.values).toEqual({ a: "base", b: 3, n: 101 });
    expect(s.readRow("t", "r2")).toBeNull();
    expect(s.pendingBatchIds()).toEqual([]);
  });

  it("settling a pending batch makes it permanent", () => {
    const s = newStore();
    const mine = batch(20, [{ table: "t", id: "r1", op: "insert", values: { a: "x", b: null, n: 0 } }]);
    s.applyBatch(mine, { pending: true });
    s.settle(mine.batchId);
    expect(s.reject(mine.batchId).applied).toBe(false);
    expect(s.isVisible("t", "r1")).toBe(true);
  });
});

// Property tests: random batches over a few rows, applied to several replicas in random orders
// (with duplicates) must leave identical tables.
const ids = ["r1", "r2", "r3"];
const writeArb: fc.Arbitrary<RowWrite> = fc.oneof(
  fc.record({
    table: fc.constant("t"),
    id: fc.constantFrom(...ids),
    op: fc.constant("insert" as const),
    values: fc.record({ a: fc.option(fc.constantFrom("p", "q", "r")), b: fc.option(fc.integer({ min: -5, max: 5 })), n: fc.integer({ min: -3, max: 3 }) }),
  }),
  fc.record({
    table: fc.constant("t"),
    id: fc.constantFrom(...ids),
    op: fc.constant("update" as const),
    values: fc.oneof(
      fc.record({ a: fc.option(fc.constantFrom("p", "q", "r")) }),
      fc.record({ b: fc.option(fc.integer({ min: -5, max: 5 })), n: fc.integer({ min: -3, max: 3 }) }),
    ),
  }),
  fc.record({ table: fc.constant("t"), id: fc.constantFrom(...ids), op: fc.constant("delete" as const) }),
);
const batchesArb = fc
  .array(
    fc.record({
      ts: fc.integer({ min: 1, max: 6 }), // few distinct clocks: ties broken by batch id
      author: fc.constantFrom("alice", "bob"),
      writes: fc.array(writeArb, { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((bs) => bs.map((b, i): Batch => ({ ...b, batchId: hex(1000 + i), kind: "direct" })));

// Generous timeouts: the machine is shared and these run hundreds of SQLite databases.
describe("merge properties", { timeout: 60_000 }, () => {
  it("commutative, associative, idempotent: any order, any duplicates, same state", () => {
    fc.assert(
      fc.property(
        batchesArb.chain((bs) =>
          fc.tuple(
            fc.constant(bs),
            fc.array(fc.shuffledSubarray(bs, { minLength: bs.length }), { minLength: 2, maxLength: 3 }),
            fc.array(fc.constantFrom(...bs), { maxLength: 4 }),
          ),
        ),
        ([bs, orders, dups]) => {
          const reference = newStore();
          for (const b of bs) reference.applyBatch(b);
          const expected = dump(reference);
          for (const order of orders) {
            const s = newStore();
            for (const b of [...order, ...dups]) s.applyBatch(b);
            expect(dump(s)).toEqual(expected);
          }
          // Associativity: merging two replicas' batch sets into a third equals the whole.
          const left = bs.slice(0, Math.floor(bs.length / 2));
          const right = bs.slice(left.length);
          const x = newStore();
          for (const b of [...right, ...left, ...right]) x.applyBatch(b);
          expect(dump(x)).toEqual(expected);
        },
      ),
      { numRuns: Number(process.env.JAZZ_PROPERTY_RUNS ?? 150) },
    );
  });

  it("partial projections (a batch split by row, parts in any order, re-delivered) converge to the whole", () => {
    fc.assert(
      fc.property(
        batchesArb.chain((bs) => fc.tuple(fc.constant(bs), fc.array(fc.subarray(ids), { minLength: bs.length, maxLength: bs.length }), fc.nat())),
        ([bs, splits, seed]) => {
          const reference = newStore();
          for (const b of bs) reference.applyBatch(b);
          const parts: Batch[] = [];
          bs.forEach((b, i) => {
            const left = new Set(splits[i]);
            for (const keep of [(id: string) => left.has(id), (id: string) => !left.has(id)]) {
              const writes = b.writes.filter((w) => keep(w.id));
              if (writes.length) parts.push({ ...b, writes });
            }
          });
          // Deterministic shuffle from the seed, then re-deliver a few parts.
          const order = parts.map((p, i) => ({ p, k: (i * 2654435761 + seed) % 1000 })).sort((x, y) => x.k - y.k).map((x) => x.p);
          const s = newStore();
          for (const p of [...order, ...order.slice(0, 3), ...bs.slice(0, 2)]) s.applyBatch(p);
          expect(dump(s)).toEqual(dump(reference));
        },
      ),
      { numRuns: Number(process.env.JAZZ_PROPERTY_RUNS ?? 150) },
    );
  });

  it("a rejected pending batch leaves the state of a replica that never saw it", () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), fc.nat(), (bs, pick, at) => {
        const rejected = bs[pick % bs.length];
        const others = bs.filter((b) => b !== rejected);
        const reference = newStore();
        for (const b of others) reference.applyBatch(b);
        const s = newStore();
        const split = at % (others.length + 1);
        for (const b of others.slice(0, split)) s.applyBatch(b);
        s.applyBatch(rejected, { pending: true });
        for (const b of others.slice(split)) s.applyBatch(b);
        s.reject(rejected.batchId);
        expect(dump(s)).toEqual(dump(reference));
      }),
      { numRuns: Number(process.env.JAZZ_PROPERTY_RUNS ?? 150) },
    );
  });
});
