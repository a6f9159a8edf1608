// Starts the durable worker for one namespace and keeps a handle to it that survives restarts
// (deleteClientStorage, bfcache). `new Worker(new URL(...), { type: "module" })` is written out
// literally so bundlers (Vite) find and emit the worker.

import { wrap, type Remote } from "comlink";
import { spawnJazzWorker } from "./worker-url.ts";
import type { RuntimeSchema } from "@jazz-tools/core";
import type { InitResult, WorkerHost } from "../worker/host.ts";
import type { JournalMode } from "../worker/opfs.ts";

export interface WorkerOptions {
  wasmModule: WebAssembly.Module;
  namespace: string;
  schema: RuntimeSchema;
  tabId: string;
  journal?: JournalMode;
  config?: Record<string, unknown>;
  /** Override the worker script (non-Vite bundlers): `runtimeSources.workerUrl`. */
  workerUrl?: string | URL;
  /** How long the worker has to answer at all (default 15 s, as the reference). */
  bootstrapTimeoutMs?: number;
}

export interface StartedWorker {
  worker: Worker;
  api: Remote<WorkerHost>;
  result: InitResult;
}

const BOOTSTRAP_TIMEOUT_MS = 15_000;

export async function startWorker(o: WorkerOptions): Promise<StartedWorker> {
  const worker = o.workerUrl
    ? new Worker(o.workerUrl, { type: "module", name: `jazz:${o.namespace}` })
    : spawnJazzWorker(`jazz:${o.namespace}`);
  const api = wrap<WorkerHost>(worker);
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener("error", (e) => reject(new Error(`The Jazz worker failed to start: ${e.message || "load error"}`)), {
      once: true,
    }),
  );
  // The worker must answer within the bootstrap timeout (as the reference, 15 s); opening the
  // database may then take longer (another tab handing the file over), bounded inside the
  // worker by the OPFS busy deadline, so `init` is not under this timeout.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Worker bootstrap timeout")), o.bootstrapTimeoutMs ?? BOOTSTRAP_TIMEOUT_MS);
  });
  try {
    await Promise.race([api.alive(), failed, timeout]);
    clearTimeout(timer);
    const result = await Promise.race([
      api.init({
        wasmModule: o.wasmModule,
        namespace: o.namespace,
        schema: o.schema,
        tabId: o.tabId,
        journal: o.journal,
        config: o.config,
      }),
      failed,
    ]);
    return { worker, api, result };
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Ask the worker to close its database (releasing OPFS handles and lock), then end it. */
const stopped = new WeakSet<StartedWorker>();

export async function stopWorker(w: StartedWorker, graceMs = 2000): Promise<void> {
  if (stopped.has(w)) return;
  stopped.add(w);
  try {
    await Promise.race([w.api.shutdown(), new Promise((r) => setTimeout(r, graceMs))]);
  } catch {
    // Already gone.
  }
  w.worker.terminate();
}
