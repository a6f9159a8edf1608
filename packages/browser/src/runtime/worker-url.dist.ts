// The built package: the compiled worker is dist/worker.js, beside every chunk.
export function spawnJazzWorker(name: string): Worker {
  return new Worker(new URL("./worker.js", import.meta.url), { type: "module", name });
}
