// What durable retraction records cost the worker's local commit: the same batches committed
// through DurableReplica + core's Store without a server (nothing kept) and with one (undo
// records for every pending row), on wa-sqlite in memory in Node (the SQL work; OPFS I/O is
// the same file either way). Also the cost of the server's fates (settle / reject).
// Run: pnpm exec tsx bench/browser/undo-log.ts
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Batch } from "../../packages/core/src/index.ts";
import { loadWaSqlite } from "../../packages/browser/src/sqlite/load.ts";
import { WaSqliteDriver } from "../../packages/browser/src/sqlite/wa-sqlite.ts";
import { DurableReplica, type DurableDatabase } from "../../packages/browser/src/worker/durable-replica.ts";
import { createEngine } from "../../packages/browser/src/worker/engine.ts";
import { memoryDurableDb } from "../../packages/browser/src/testing/memory-durable-db.ts";

const require = createRequire(new URL("../../packages/browser/package.json", import.meta.url));
const m = await loadWaSqlite({ binary: readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")) });
const str = { type: { kind: "string" as const }, optional: false, merge: "lww" as const };
const schema = { tables: { todos: { columns: { title: str, tag: str } } } };

const memoryDb = (): DurableDatabase => memoryDurableDb(WaSqliteDriver.open(m));

let seq = 0;
const hex = (n: number) => n.toString(16).padStart(12, "0");
function batches(count: number, rows: number): Batch[] {
  return Array.from({ length: count }, () => {
    const b = ++seq;
    return {
      batchId: `0190a8f2000070008000${hex(b)}`,
      ts: 1_000_000 + b,
      author: "u",
      kind: "direct" as const,
      writes: Array.from({ length: rows }, (_, i) => ({
        table: "todos",
        id: `0190a8f2-0000-7000-8000-${hex(b * 100_000 + i)}`,
        op: "insert" as const,
        values: { title: `todo ${i}`, tag: "bench" },
      })),
    };
  });
}

async function run(upstream: boolean, count: number, rows: number) {
  const r = await DurableReplica.open(memoryDb(), (d) => createEngine(d, schema), { upstream });
  const bs = batches(count, rows);
  await r.commitLocal(batches(1, 10)); // warm statement caches
  const t0 = performance.now();
  for (const b of bs) await r.commitLocal([b]);
  const commit = performance.now() - t0;
  const t1 = performance.now();
  for (const [i, b] of bs.entries())
    await r.applyFate(i % 2 ? { batchId: b.batchId, kind: "accepted", tier: "global" } : { batchId: b.batchId, kind: "rejected", code: "forbidden", reason: "bench" });
  const fates = performance.now() - t1;
  r.close();
  return { commit, fates };
}

console.log("local commit, DurableReplica + Store, wa-sqlite :memory: (ms; median of 5)");
console.log("shape                   no server   with server (undo records)   ratio   fates (half rejected)");
for (const [count, rows] of [
  [200, 1],
  [50, 100],
  [2, 10_000],
] as const) {
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const plain: number[] = [];
  const undo: number[] = [];
  const fates: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push((await run(false, count, rows)).commit);
    const u = await run(true, count, rows);
    undo.push(u.commit);
    fates.push(u.fates);
  }
  const p = med(plain), u = med(undo);
  console.log(
    `${`${count} × ${rows} rows`.padEnd(22)}  ${p.toFixed(1).padStart(9)}   ${u.toFixed(1).padStart(26)}   ${(u / p).toFixed(2).padStart(5)}x   ${med(fates).toFixed(1).padStart(8)}`,
  );
}
