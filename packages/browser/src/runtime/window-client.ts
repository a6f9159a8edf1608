// window.__jazz: storage helpers for every live client on the page (reference §1.9). Every
// browser createDb client registers (issue #4: "for every live client"; the reference lists
// only framework clients), and the framework adapters' createJazzClient registers too.

import { JazzError } from "@jazz-tools/core";

export interface WindowStorageClient {
  deleteClientStorage(): Promise<void>;
  shutdown(): Promise<void>;
}

interface Context {
  db: WindowStorageClient;
  namespace: string;
}

export class WindowStorageError extends JazzError {
  readonly code: string = "window_storage";
  override name = "WindowStorageError";
}

/** What `window.__jazz` offers once a client is live (declared on `Window` below). */
export interface JazzWindowApi {
  /** Namespaces of the live clients on this page, sorted. */
  listLiveStorageNamespaces(): string[];
  /** Deletes the local storage of one namespace (required when several are live). */
  clearStorage(namespace?: string): Promise<void>;
  /** Shuts down the live clients of a namespace, or all of them. */
  shutdown(namespace?: string): Promise<void>;
}

declare global {
  interface Window {
    __jazz?: JazzWindowApi;
  }
}

type JazzWindow = typeof globalThis & {
  __jazzWindowStorageContexts__?: Set<Context>;
  __jazz?: JazzWindowApi;
};

function contexts(): Set<Context> {
  const w = globalThis as JazzWindow;
  return (w.__jazzWindowStorageContexts__ ??= new Set());
}

function namespaces(): string[] {
  return [...new Set([...contexts()].map((c) => c.namespace))].sort();
}

function pick(namespace: string | undefined): Context[] {
  const all = [...contexts()];
  if (all.length === 0) throw new WindowStorageError("No live Jazz storage contexts are available on this page.");
  if (namespace === undefined) {
    if (namespaces().length > 1)
      throw new WindowStorageError(
        `Multiple live Jazz storage contexts are available. Call window.__jazz.clearStorage("<namespace>"). Available namespaces: ${namespaces().join(", ")}`,
      );
    return all;
  }
  const matching = all.filter((c) => c.namespace === namespace);
  if (!matching.length)
    throw new WindowStorageError(`No live Jazz storage context matches "${namespace}". Available namespaces: ${namespaces().join(", ")}`);
  return matching;
}

const api: JazzWindowApi = {
  listLiveStorageNamespaces: (): string[] => namespaces(),
  async clearStorage(namespace?: string): Promise<void> {
    // One reset per namespace: every client of it shares the same storage.
    await pick(namespace)[0]!.db.deleteClientStorage();
  },
  async shutdown(namespace?: string): Promise<void> {
    const targets = namespace === undefined ? [...contexts()] : pick(namespace);
    await Promise.all(targets.map((c) => c.db.shutdown()));
  },
};

/** Registrations per client: createDb registers every browser client, a framework client again. */
const registered = new WeakMap<WindowStorageClient, { ctx: Context; refs: number }>();

/**
 * Registers a live client for window.__jazz; returns the unregister function (call it on
 * shutdown). Registering a client again only counts: it stays listed until every registration
 * is undone. Shutting a client down through window.__jazz unregisters it.
 */
export function registerWindowClient(db: WindowStorageClient, namespace: string): () => void {
  const w = globalThis as JazzWindow;
  let entry = registered.get(db);
  if (entry && contexts().has(entry.ctx)) entry.refs++;
  else {
    const ctx: Context = { db, namespace };
    const originalShutdown = db.shutdown.bind(db);
    ctx.db = {
      deleteClientStorage: () => db.deleteClientStorage(),
      shutdown: async () => {
        contexts().delete(ctx);
        await originalShutdown();
      },
    };
    entry = { ctx, refs: 1 };
    registered.set(db, entry);
    contexts().add(ctx);
  }
  w.__jazz = Object.assign(w.__jazz ?? {}, api);
  const mine = entry;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--mine.refs <= 0) contexts().delete(mine.ctx);
  };
}
