// createDb in the browser. Persistent (default): an in-memory wa-sqlite mirror on the UI thread,
// hydrated from the durable worker's OPFS image, linked to that worker. Memory: the mirror
// alone (linked straight to a server when serverUrl is set), no worker, no OPFS.

import { JazzError } from "@jazz-tools/core";
import { checkServerUrl, createDbFromParts, Db, DbConfigError, type DbConfig, type ReplicaLink, type RuntimeSchema } from "@jazz-tools/core";
import type { ServerLink } from "@jazz-tools/core/sync";
import { loadWaSqlite } from "../sqlite/load.ts";
import { WaSqliteDriver } from "../sqlite/wa-sqlite.ts";
import { compileWasm } from "../sqlite/compile-wasm.ts";
import { openSyncChannel } from "../sync/messages.ts";
import { reflectServerAuth } from "../sync/server-auth.ts";
import { openTabChannel } from "../tabs/channel.ts";
import { wipeNamespaceAcrossTabs, answerResetRequests } from "../tabs/reset.ts";
import type { JournalMode } from "../worker/opfs.ts";
import { namespaceFor } from "./namespace.ts";
import { deriveLocalFirstIdentityAsync } from "@jazz-tools/auth";
import { startWorker, stopWorker, type StartedWorker } from "./worker-client.ts";
import { registerWindowClient } from "./window-client.ts";
import { WorkerLink } from "./worker-link.ts";

export interface BrowserDbConfig extends DbConfig {
  runtimeSources?: {
    /** Where the wa-sqlite wasm is served (default: the bundler-emitted asset). */
    wasmUrl?: string;
    /** An already compiled module (skips fetch and compile). */
    wasmModule?: WebAssembly.Module;
    /** The worker script, for bundlers that do not handle `new URL(..., import.meta.url)`. */
    workerUrl?: string | URL;
  };
  /** Durable journal: "delete" (default; tabs share the file) or "wal-exclusive" (one tab only). */
  journal?: JournalMode;
}

export interface BrowserStorageInfo {
  /** "opfs": worker-backed persistent storage; "memory": nothing survives a reload. */
  kind: "opfs" | "memory";
  namespace: string;
  /** Persistent storage was asked for but OPFS was unavailable, so this Db runs in memory. */
  fallback: boolean;
  reason?: string;
}

export interface BrowserLifecycle {
  readonly storage: BrowserStorageInfo;
  /** Shut down; with `wipeData`, first delete this namespace's OPFS data (not auth secrets). */
  logout(options?: { wipeData?: boolean }): Promise<void>;
  /** Delete this namespace's OPFS data in every tab; the Db stays usable (empty). */
  deleteClientStorage(): Promise<void>;
}

export type BrowserDb = Db & BrowserLifecycle;

export class StorageResetUnavailableError extends JazzError {
  readonly code: string = "storage_reset_unavailable";
  override name = "StorageResetUnavailableError";
}

/** The Jazz worker could not open its database for a reason other than OPFS being unavailable. */
export class BrowserStorageError extends JazzError {
  readonly code: string = "browser_storage";
  override name = "BrowserStorageError";
}

export async function createDb(config: BrowserDbConfig): Promise<BrowserDb> {
  const db = await openDb(config);
  // Listed by window.__jazz until it shuts down (logout included).
  const unregister = registerWindowClient(db, db.storage.namespace);
  const shutdown = db.shutdown.bind(db);
  db.shutdown = async () => {
    unregister();
    await shutdown();
  };
  return db;
}

async function openDb(config: BrowserDbConfig): Promise<BrowserDb> {
  const d = config?.driver;
  if (d && d.type !== "memory" && d.type !== "persistent")
    throw new DbConfigError(`DbConfig error: unknown driver type ${JSON.stringify((d as { type: unknown }).type)}; use "memory" or "persistent".`);
  if (!config || typeof config.appId !== "string" || !config.appId)
    throw new DbConfigError("DbConfig error: appId must be a non-empty string.");
  checkServerUrl(config);
  // The docs: memory mode keeps nothing locally, so it needs a server (the reference's text).
  if (d?.type === "memory" && !config.serverUrl) throw new DbConfigError("driver.type='memory' requires serverUrl.");
  // WebCrypto derives the user id (and keeps the key for the first token): no pure-JS crypto here.
  const namespace = namespaceFor(config, config.secret ? (await deriveLocalFirstIdentityAsync(config.secret)).userId : null);
  const wasmModule = config.runtimeSources?.wasmModule ?? (await compileWasm(config.runtimeSources?.wasmUrl));
  const mirrorModule = loadWaSqlite({ module: wasmModule });

  if (d?.type === "memory") return memoryDb(config, await mirrorModule, namespace, false);

  const tabId = crypto.randomUUID();
  const start = (schema: RuntimeSchema) =>
    startWorker({
      wasmModule,
      namespace,
      schema,
      tabId,
      journal: config.journal,
      config: plainConfig(config),
      workerUrl: config.runtimeSources?.workerUrl,
    });
  // Start the worker while the mirror's wasm instantiates; subscribe to the tab channel
  // before taking the image so no batch committed in between is missed (merges are idempotent).
  const [m, first] = await Promise.all([mirrorModule, start({ tables: {} })]);
  if (!first.result.ok) {
    await stopWorker(first);
    if (first.result.opfsUnavailable) {
      console.warn(`[jazz] OPFS is unavailable (${first.result.reason}); "${namespace}" runs in memory and nothing will survive a reload.`);
      return memoryDb(config, m, namespace, true, first.result.reason);
    }
    throw new BrowserStorageError(`The Jazz worker could not open "${namespace}": ${first.result.reason}`);
  }
  let worker: StartedWorker = first;
  const link = new WorkerLink(worker, openTabChannel(namespace), tabId, namespace);
  const mirror = WaSqliteDriver.open(m);
  mirror.deserialize(await worker.api.image());

  let db!: BrowserDb;
  const release = async () => {
    link.detach(); // pushes queue up and are resent to the next worker
    await stopWorker(worker);
  };
  const reopen = async () => {
    worker = await start(db.store.getSchema());
    if (!worker.result.ok) throw new BrowserStorageError(`The Jazz worker could not reopen "${namespace}": ${worker.result.reason}`);
    link.attach(worker);
  };
  // Another tab wipes this namespace: let go of the file, then start over on the empty one.
  const stopAnswering = answerResetRequests(namespace, tabId, {
    release,
    reopen: async () => {
      await reopen();
      resetMirror(db, mirror, await worker.api.image());
    },
  });
  // Closing or reloading: close the file at once so the next owner need not wait for the
  // browser to reap this worker's handles. Back from the bfcache: open it again.
  const onPageHide = () => worker.worker.postMessage({ type: "jazz-pagehide" });
  const onPageShow = (e: PageTransitionEvent) => {
    if (e.persisted) void release().then(reopen);
  };

  db = (await createDbFromParts({
    config,
    driver: mirror,
    link,
    onShutdown: async () => {
      stopAnswering();
      removeEventListener("pagehide", onPageHide);
      removeEventListener("pageshow", onPageShow);
      await stopWorker(worker);
    },
  })) as BrowserDb;
  link.schema = () => db.store.getSchema();
  link.beforeRemote = (_batches, schema) => {
    if (schema) db.store.addTables(schema);
  };
  // Rows the worker rebuilt after the server rejected a batch (durable retraction).
  link.setRowSink((rows) => {
    const changes = new Map<string, Set<string>>();
    const known = db.store.getSchema().tables;
    for (const { table, id, row } of rows) {
      if (!known[table]) continue;
      db.store.putRow(table, id, row);
      let set = changes.get(table);
      if (!set) changes.set(table, (set = new Set()));
      set.add(id);
    }
    if (changes.size) db.refreshLiveQueries(changes);
  });
  addEventListener("pagehide", onPageHide);
  addEventListener("pageshow", onPageShow);
  // Tests reach the current worker (to kill it, as a crashing tab would) through this symbol.
  Object.defineProperty(db, Symbol.for("jazz.worker"), { get: () => worker.worker });
  // ...and the server subscriptions its worker keeps for the namespace's tabs.
  Object.defineProperty(db, Symbol.for("jazz.syncedQueryIds"), { value: () => worker.api.syncedQueryIds() });
  if (config.serverUrl) {
    // The leading worker talks to the server with this session's token; refreshed tokens follow.
    reflectServerAuth(db, (cb) => (link.onServerAuth = cb));
    link.enableSync(openSyncChannel(namespace), () => db.getAuthToken());
    onTokenChange(db, () => link.updateAuthToken(db.getAuthToken()));
  }

  const storage: BrowserStorageInfo = { kind: "opfs", namespace, fallback: false };
  return Object.assign(db, {
    storage,
    async deleteClientStorage() {
      await link.drain();
      await wipeNamespaceAcrossTabs(namespace, tabId, {
        release,
        reopen: async () => {
          await reopen();
          resetMirror(db, mirror, await worker.api.image());
        },
      });
    },
    async logout(options?: { wipeData?: boolean }) {
      if (!options?.wipeData) return db.shutdown();
      await link.drain();
      await db.shutdown(); // closes this tab's worker
      // Other tabs let go of the file and start over empty; this one stays shut down.
      await wipeNamespaceAcrossTabs(namespace, tabId, { release: async () => {}, reopen: async () => {} });
    },
  });
}

/** Memory mode: the mirror alone; with serverUrl, linked straight to the server. */
async function memoryDb(
  config: BrowserDbConfig,
  m: Awaited<ReturnType<typeof loadWaSqlite>>,
  namespace: string,
  fallback: boolean,
  reason?: string,
): Promise<BrowserDb> {
  const driver = WaSqliteDriver.open(m);
  let db: Db | undefined;
  let link: ServerLink | undefined;
  if (config.serverUrl) {
    // Loaded on demand: a memory Db without a server (and every persistent Db, whose worker
    // owns the server link) never needs the sync client in the page.
    const { ServerLink } = await import("@jazz-tools/core/sync");
    link = new ServerLink({
      serverUrl: config.serverUrl,
      appId: config.appId,
      WebSocket: globalThis.WebSocket as never,
      auth: () => ({ token: db?.getAuthToken() ?? undefined, adminSecret: config.adminSecret }),
      schema: () => db?.store.getSchema(),
      env: config.env,
      userBranch: config.userBranch,
      // Creating the Db is async (token minting, loading the permission checks): connecting
      // before it exists would say hello without the session's token.
      autoConnect: false,
    });
  }
  db = await createDbFromParts({ config, driver, link, defaultReadTier: config.serverUrl ? "edge" : "local" });
  if (link) {
    const server = link;
    server.start();
    onTokenChange(db, () => server.updateAuth());
    reflectServerAuth(db, (cb) => server.onAuth(cb));
  }
  const storage: BrowserStorageInfo = { kind: "memory", namespace, fallback, ...(reason ? { reason } : {}) };
  const self = db as BrowserDb;
  return Object.assign(self, {
    storage,
    async deleteClientStorage() {
      throw new StorageResetUnavailableError(
        "deleteClientStorage() is only available for browser worker-backed persistent storage (this Db runs in memory).",
      );
    },
    async logout(_options?: { wipeData?: boolean }) {
      await self.shutdown();
    },
  });
}

/** Calls `fn` when the session token changes (onAuthChanged also reports the current state first). */
function onTokenChange(db: Db, fn: () => void): void {
  let last = db.getAuthToken();
  db.onAuthChanged(() => {
    const token = db.getAuthToken();
    if (token === last) return;
    last = token;
    fn();
  });
}

/** Replace the mirror with a fresh image (after a wipe) and update every live query. */
function resetMirror(db: Db, mirror: WaSqliteDriver, image: Uint8Array): void {
  const tables = Object.keys(db.store.getSchema().tables);
  const ids = (): Map<string, Set<string>> =>
    new Map(tables.map((t) => [t, new Set(mirror.all(`SELECT id FROM "${t.replaceAll('"', '""')}"`).map((r) => String(r[0])))]));
  const before = ids();
  mirror.deserialize(image);
  for (const [t, after] of ids()) for (const id of after) before.get(t)!.add(id);
  // Every row id before or after the swap may have changed: the live queries re-read them.
  db.refreshLiveQueries(before);
}

/** The config fields a worker-side server link may need, without functions or class instances. */
function plainConfig(config: BrowserDbConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === "runtimeSources" || typeof v === "function") continue;
    out[k] = v;
  }
  return out;
}
