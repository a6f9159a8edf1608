import { afterEach, describe, expect, it } from "vitest";
import { startWorker, stopWorker, type StartedWorker } from "../runtime/worker-client.ts";
import { compileWasm } from "../sqlite/compile-wasm.ts";
import { loadWaSqlite } from "../sqlite/load.ts";
import { WaSqliteDriver } from "../sqlite/wa-sqlite.ts";
import { hexId, todoBatch, todoSchema } from "../testing/fixtures.ts";
import { wipeNamespace } from "./opfs.ts";

const started: StartedWorker[] = [];
async function open(namespace: string, tabId = "tab-" + hexId()): Promise<StartedWorker> {
  const w = await startWorker({ wasmModule: await compileWasm(), namespace, schema: todoSchema, tabId });
  started.push(w);
  expect(w.result).toEqual({ ok: true });
  return w;
}
afterEach(async () => {
  for (const w of started.splice(0)) await stopWorker(w);
});

async function rowsOf(w: StartedWorker): Promise<[string, number][]> {
  const m = await loadWaSqlite({ module: await compileWasm() });
  const mirror = WaSqliteDriver.open(m);
  mirror.deserialize(await w.api.image());
  const rows = mirror.all(`SELECT title, batch FROM todos ORDER BY batch, title`) as [string, number][];
  mirror.close();
  return rows;
}

/** Rows per batch number in the namespace's file, after checking the file is sound. */
async function batchCounts(w: StartedWorker): Promise<Map<number, number>> {
  expect(await w.api.integrityCheck()).toBe("ok");
  const counts = new Map<number, number>();
  for (const [, n] of await rowsOf(w)) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/**
 * Abrupt end (no shutdown; the browser releases the handles). terminate() is asynchronous:
 * wait until the dead worker's Web Locks are gone, so the next open meets a dead worker and
 * not one still draining its queue.
 */
async function kill(w: StartedWorker, ns: string): Promise<void> {
  w.worker.terminate();
  while ((await navigator.locks.query()).held?.some((l) => l.name?.includes(ns))) await new Promise((r) => setTimeout(r, 20));
  started.splice(started.indexOf(w), 1);
}

describe("durable worker on OPFS (OPFSCoopSyncVFS)", () => {
  it("commits batches to tier local and a new worker on the namespace reads them back", async () => {
    const ns = "worker-test-" + hexId();
    const a = await open(ns);
    const fates = await a.api.commit([todoBatch(1, 2), todoBatch(2)]);
    expect(fates.map((f) => f.kind === "accepted" && f.tier)).toEqual(["local", "local"]);
    await stopWorker(a);
    const b = await open(ns);
    expect(await rowsOf(b)).toEqual([
      ["todo 1.0", 1],
      ["todo 1.1", 1],
      ["todo 2.0", 2],
    ]);
    await stopWorker(b);
    await wipeNamespace(ns);
  });

  it("keeps namespaces apart", async () => {
    const [nsA, nsB] = ["ns-a-" + hexId(), "app::" + encodeURIComponent("user/b:" + hexId())];
    const a = await open(nsA);
    const b = await open(nsB);
    await a.api.commit([todoBatch(1)]);
    await b.api.commit([todoBatch(2)]);
    expect((await rowsOf(a)).map((r) => r[1])).toEqual([1]);
    expect((await rowsOf(b)).map((r) => r[1])).toEqual([2]);
  });

  it("lets two workers (two tabs) write to one namespace concurrently", async () => {
    const ns = "shared-" + hexId();
    const a = await open(ns, "tab-a");
    const b = await open(ns, "tab-b");
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) writes.push(a.api.commit([todoBatch(i, 2)]), b.api.commit([todoBatch(100 + i, 2)]));
    const fates = (await Promise.all(writes)) as { kind: string }[][];
    expect(fates.flat().every((f) => f.kind === "accepted")).toBe(true);
    expect(await rowsOf(a)).toHaveLength(80);
    expect(await rowsOf(b)).toHaveLength(80);
    expect(await a.api.integrityCheck()).toBe("ok");
  });
});

describe("crash safety", () => {
  it("a staged batch commits only once released: killed before that it is absent, released it is whole (6 runs)", async () => {
    const ns = "staged-" + hexId();
    const committed = new Set<number>();
    const killedBeforeRelease = new Set<number>();
    for (let run = 0; run < 6; run++) {
      const w = await open(ns);
      const counts = await batchCounts(w);
      for (const n of committed) expect(counts.get(n), `batch ${n} committed but missing`).toBe(600);
      for (const n of killedBeforeRelease) expect(counts.has(n), `batch ${n} was never released`).toBe(false);
      for (const [n, c] of counts) expect(c, `batch ${n} is partial`).toBe(600);
      // One staged batch released and committed, then one staged and killed before its release
      // (the tab died while its mirror applied it), a third sometimes released just before.
      const a = 1000 * run;
      const first = todoBatch(a, 600);
      const fate = w.api.stage(first);
      await w.api.release(first.batchId, true);
      expect((await fate).kind).toBe("accepted");
      committed.add(a);
      const b = todoBatch(a + 1, 600);
      void w.api.stage(b);
      if (run % 2) void w.api.release(b.batchId, true); // in flight when killed: whole or absent
      else killedBeforeRelease.add(a + 1);
      // Unreleased: long enough that a worker not holding the commit would have committed it.
      await new Promise((r) => setTimeout(r, run % 2 ? Math.random() * 30 : 300));
      await kill(w, ns);
    }
  }, 120_000);


  it("after the worker is killed mid-stream, every batch whose commit resolved is there and no batch is partial (12 runs)", async () => {
    const ns = "crash-" + hexId();
    let next = 0;
    const resolved = new Set<number>();
    for (let run = 0; run < 12; run++) {
      const w = await open(ns);
      // Verify what the previous run left behind.
      const counts = await batchCounts(w);
      for (const n of resolved) expect(counts.get(n), `batch ${n} resolved but missing`).toBe(5);
      for (const [n, c] of counts) expect(c, `batch ${n} is partial`).toBe(5);
      // Stream batches without waiting; kill the worker right after the k-th commit of this
      // run resolves, with more batches still in flight.
      const k = 1 + Math.floor(Math.random() * 4);
      let resolvedThisRun = 0;
      let stop = false;
      while (!stop) {
        const n = next++;
        void w.api.commit([todoBatch(n, 5)]).then(([fate]) => {
          if (stop) return;
          if (fate!.kind === "accepted") resolved.add(n);
          if (++resolvedThisRun >= k) stop = true;
        });
        await new Promise((r) => setTimeout(r, Math.random() < 0.5 ? 0 : 2));
      }
      await kill(w, ns);
    }
    expect(resolved.size).toBeGreaterThanOrEqual(12);
  }, 300_000);
});

describe("worker bootstrap", () => {
  const standIn = new URL("../testing/stand-in-worker.ts", import.meta.url);
  it("fails with 'Worker bootstrap timeout' when the worker never answers", async () => {
    const start = startWorker({ wasmModule: await compileWasm(), namespace: "silent", schema: todoSchema, tabId: "t", workerUrl: standIn, bootstrapTimeoutMs: 1_000 });
    await expect(start).rejects.toThrow("Worker bootstrap timeout");
  });

  it("a worker that answers in time may take longer than the bootstrap timeout to open its database (a tab handing the file over)", async () => {
    const w = await startWorker({ wasmModule: await compileWasm(), namespace: "slow-2000", schema: todoSchema, tabId: "t", workerUrl: standIn, bootstrapTimeoutMs: 1_000 });
    expect(w.result).toEqual({ ok: true });
    w.worker.terminate();
  });
});
