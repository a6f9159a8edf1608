// Files bench page, driven by ../browser.ts through window.bench: a 20 MB file to tier local
// (OPFS through the worker), loaded back; through a server to a second Db; raw OPFS as baseline.
import { filesApp as app } from "../app.ts";
import { generateAuthSecret } from "../../../packages/auth/src/index.ts";
import { createDb, type BrowserDb } from "../../../packages/browser/src/index.ts";

const bytes = (mb: number) => Uint8Array.from({ length: mb * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
const heapMb = () => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1048576;

/** Samples the JS heap every 20 ms while `f` runs: the peak above the start, in MB. */
async function withPeak<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; peakMb: number }> {
  const base = heapMb();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, heapMb())), 20);
  const t = performance.now();
  const value = await f();
  const ms = performance.now() - t;
  clearInterval(timer);
  peak = Math.max(peak, heapMb());
  return { value, ms, peakMb: peak - base };
}

const dbs: BrowserDb[] = [];
(window as unknown as { bench: unknown }).bench = {
  async local(mb: number) {
    const db = await createDb({ appId: `files-bench-${generateAuthSecret().slice(0, 8)}`, secret: generateAuthSecret() });
    dbs.push(db);
    const blob = new Blob([bytes(mb)]);
    const up = await withPeak(() => db.createFileFromBlob(app, blob, { tier: "local" }));
    const down = await withPeak(async () => (await db.loadFileAsBlob(app, up.value.id)).size);
    if (down.value !== mb * 1048576) throw new Error(`read ${down.value} bytes`);
    // Streaming read: the heap while reading part by part, without keeping the parts.
    const stream = await withPeak(async () => {
      const reader = (await db.loadFileAsStream(app, up.value.id)).getReader();
      let n = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length;
      return n;
    });
    return { upMs: up.ms, upPeakMb: up.peakMb, downMs: down.ms, streamMs: stream.ms, streamPeakMb: stream.peakMb };
  },
  async server(mb: number, serverUrl: string, appId: string) {
    const secret = generateAuthSecret();
    const a = await createDb({ appId, serverUrl, secret, driver: { type: "persistent", dbName: `a-${secret.slice(0, 8)}` } });
    const b = await createDb({ appId, serverUrl, secret, driver: { type: "persistent", dbName: `b-${secret.slice(0, 8)}` } });
    dbs.push(a, b);
    const blob = new Blob([bytes(mb)]);
    const up = await withPeak(() => a.createFileFromBlob(app, blob, { tier: "global" }));
    const down = await withPeak(async () => (await b.loadFileAsBlob(app, up.value.id, { tier: "edge" })).size);
    if (down.value !== mb * 1048576) throw new Error(`read ${down.value} bytes`);
    return { upMs: up.ms, downMs: down.ms };
  },
  /** Raw OPFS: the same bytes written to a file with a sync access handle in a worker-free way (createWritable). */
  async rawOpfs(mb: number) {
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle(`raw-${Math.random()}`, { create: true });
    const data = bytes(mb);
    const t = performance.now();
    const w = await handle.createWritable();
    for (let at = 0; at < data.length; at += 256 * 1024) await w.write(data.subarray(at, at + 256 * 1024));
    await w.close();
    return performance.now() - t;
  },
  async shutdown() {
    await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
  },
};
document.body.dataset.ready = "1";
