// attachDevTools(clientOrDb, wasmSchema): serve a live client to the Jazz inspector (browser
// extension or in-page overlay) over window.postMessage, channel "jazz-devtools-v1" (the
// protocol is core's devtools bridge). It turns dev mode on, so live queries are traced.

import { type Db, DevtoolsBridgeError, startDevtoolsBridge, type DevtoolsTransport, type RuntimeSchema } from "@jazz-tools/core";

const attached = new WeakMap<Db, () => void>();

/**
 * `clientOrDb`: a client from createJazzClient (its `db` is used) or a Db. `wasmSchema`: the
 * app's `app.wasmSchema` (the app itself is accepted too). Returns what detaches the bridge;
 * attaching the same Db again replaces the previous bridge.
 */
export function attachDevTools(clientOrDb: Db | { db: Db }, wasmSchema: RuntimeSchema | { wasmSchema: RuntimeSchema }): () => void {
  const db = isDb(clientOrDb) ? clientOrDb : (clientOrDb as { db?: unknown } | null)?.db;
  if (!isDb(db)) throw new DevtoolsBridgeError("attachDevTools(clientOrDb, wasmSchema): the first argument must be a Jazz client (from createJazzClient) or a Db");
  const schema = wasmSchema && "wasmSchema" in wasmSchema ? wasmSchema.wasmSchema : wasmSchema;
  if (!schema || typeof schema !== "object" || !schema.tables || typeof schema.tables !== "object")
    throw new DevtoolsBridgeError("attachDevTools(clientOrDb, wasmSchema): the second argument must be your app's schema (app.wasmSchema)");
  if (typeof window === "undefined") return () => {}; // server render: nothing to attach to
  attached.get(db)?.();
  db.setDevMode(true);
  const stop = startDevtoolsBridge(db, schema, windowTransport());
  const detach = () => {
    if (attached.get(db) !== detach) return;
    attached.delete(db);
    stop();
  };
  attached.set(db, detach);
  return detach;
}

/**
 * Messages to and from this window only: the inspector's content script (or the overlay's
 * relay) posts to the page's own window; frames and other windows are ignored.
 */
function windowTransport(): DevtoolsTransport {
  return {
    post: (message) => window.postMessage(message, "*"),
    listen(onMessage) {
      const handler = (e: MessageEvent) => {
        if (e.source === window) onMessage(e.data);
      };
      window.addEventListener("message", handler);
      return () => window.removeEventListener("message", handler);
    },
  };
}

/** Duck-typed: a Db from another copy of the package still qualifies. */
function isDb(x: unknown): x is Db {
  const d = x as Db | null;
  return !!d && typeof d === "object" && typeof d.subscribeAll === "function" && typeof d.setDevMode === "function";
}
