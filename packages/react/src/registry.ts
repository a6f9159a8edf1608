// One client per config, ref-counted across <JazzProvider>s. Release is deferred by a
// macrotask so StrictMode's mount → unmount → mount keeps the same client instead of shutting
// it down and opening a second one on the same storage.

import type { JazzClient } from "@jazz-tools/core/subscriptions";
import type { Db, DbConfig } from "./types.ts";

interface Entry {
  refs: number;
  promise: Promise<JazzClient<Db>>;
  client: JazzClient<Db> | null;
  error: unknown;
  releaseTimer: ReturnType<typeof setTimeout> | null;
}

const entries = new Map<string, Entry>();

export function configKey(config: DbConfig): string {
  return JSON.stringify(config, Object.keys(config).sort());
}

/** An already-created client for this key, so a remount renders without a fallback flash. */
export function peekClient(key: string): JazzClient<Db> | null {
  return entries.get(key)?.client ?? null;
}

export function acquireClient(
  key: string,
  create: () => Promise<JazzClient<Db>>,
): Promise<JazzClient<Db>> {
  let entry = entries.get(key);
  if (!entry) {
    const fresh: Entry = { refs: 0, client: null, error: undefined, releaseTimer: null, promise: null! };
    fresh.promise = create().then(
      (client) => ((fresh.client = client), client),
      (err) => {
        fresh.error = err;
        if (entries.get(key) === fresh) entries.delete(key);
        throw err;
      },
    );
    entries.set(key, (entry = fresh));
  }
  if (entry.releaseTimer !== null) clearTimeout(entry.releaseTimer);
  entry.releaseTimer = null;
  entry.refs++;
  return entry.promise;
}

export function releaseClient(key: string): void {
  const entry = entries.get(key);
  if (!entry) return;
  entry.refs--;
  if (entry.refs > 0) return;
  entry.releaseTimer = setTimeout(() => {
    if (entry.refs > 0 || entries.get(key) !== entry) return;
    entries.delete(key);
    void entry.promise.then((c) => c.shutdown()).catch(() => {});
  }, 0);
}
