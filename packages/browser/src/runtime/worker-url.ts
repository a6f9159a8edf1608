// The worker, written as `new Worker(new URL(...), { type: "module" })` so that Vite (and other
// bundlers) find and bundle it. The built package swaps in worker-url.dist.ts, which points at
// the compiled worker beside it.
export function spawnJazzWorker(name: string): Worker {
  return new Worker(new URL("../worker/worker.ts", import.meta.url), { type: "module", name });
}
