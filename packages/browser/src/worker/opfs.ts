// The worker's durable SQLite file on OPFS through OPFSCoopSyncVFS. The VFS takes a Web Lock
// and opens sync access handles asynchronously: any statement that needs the file lock may
// answer SQLITE_BUSY once while that happens (first use, or after another tab borrowed the
// file), so every transaction starts with an async "BEGIN IMMEDIATE" retry and then runs
// synchronously while the lock is held.

import { OPFSCoopSyncVFS } from "@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js";
import { registerJsVfs, type JsVfs } from "../sqlite/vfs-bridge.ts";
import { TransactionHeldBackError } from "./durable-replica.ts";
import { SQLITE_BUSY, SQLITE_CANTOPEN, SQLITE_OK, SqliteError, WaSqliteDriver, errstr, type WaModule } from "../sqlite/wa-sqlite.ts";

const VFS_NAME = "jazz-opfs";
const registered = new WeakMap<WaModule, Promise<void>>();
const vfsOf = new WeakMap<WaModule, CoopVfsState>();

/** The parts of OPFSCoopSyncVFS's per-file state that dropStrayHandles needs. */
type CoopVfsState = {
  persistentFiles: Map<string, { accessHandle: { close(): void } | null; handleLockReleaser: unknown; isRequestInProgress?: boolean }>;
};

/**
 * The VFS creates a file's access handles (db, -journal, -wal) in parallel under its Web Lock;
 * when one fails (NoModificationAllowedError: a closed tab's worker still holds it) it closes the
 * handles it has and drops the lock, but a sibling createSyncAccessHandle still in flight lands
 * afterwards and is kept without the lock. That stray handle makes this worker's next attempt
 * fail the same way, and the next, so the file stays "busy" forever. Before retrying, close the
 * handles of every file this connection does not hold the lock for.
 */
export function dropStrayHandles(m: WaModule): void {
  const vfs = vfsOf.get(m);
  if (!vfs) return;
  for (const [path, file] of vfs.persistentFiles) {
    if (/-(journal|wal)$/.test(path)) continue;
    if (file.handleLockReleaser || file.isRequestInProgress) continue;
    for (const suffix of ["", "-journal", "-wal"]) {
      const f = vfs.persistentFiles.get(path + suffix);
      if (!f?.accessHandle) continue;
      try {
        f.accessHandle.close();
      } catch {
        // Already closed.
      }
      f.accessHandle = null;
    }
  }
}

import { OpfsUnavailableError, namespaceDir } from "../storage/opfs-dirs.ts";
export { OpfsUnavailableError, namespaceDir, wipeNamespace } from "../storage/opfs-dirs.ts";

async function registerVfs(m: WaModule): Promise<void> {
  let done = registered.get(m);
  if (!done) {
    done = OPFSCoopSyncVFS.create(VFS_NAME, m).then((vfs) => {
      // The default (64) is too short for "/jazz/<app>::<user>/db.sqlite-journal".
      vfs.mxPathname = 1024;
      vfsOf.set(m, vfs as unknown as CoopVfsState);
      const rc = registerJsVfs(m, vfs as unknown as JsVfs);
      if (rc !== SQLITE_OK) throw new SqliteError(`cannot register the OPFS VFS (${rc})`, rc);
    });
    registered.set(m, done);
  }
  return done;
}

export type JournalMode = "delete" | "wal-exclusive";

export class OpfsDatabase {
  private constructor(
    private readonly m: WaModule,
    readonly driver: WaSqliteDriver,
    readonly namespace: string,
  ) {}

  static async open(m: WaModule, namespace: string, journal: JournalMode = "delete"): Promise<OpfsDatabase> {
    let root: FileSystemDirectoryHandle;
    try {
      root = await navigator.storage.getDirectory();
    } catch (e) {
      throw new OpfsUnavailableError(`OPFS is not available here: ${(e as Error)?.name}: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        let dir = root;
        for (const part of namespaceDir(namespace).split("/")) dir = await dir.getDirectoryHandle(part, { create: true });
        await registerVfs(m);
        break;
      } catch (e) {
        // Several workers starting at once race on the VFS's temporary directories (and on a
        // namespace directory being wiped): NotFoundError is transient.
        registered.delete(m);
        if ((e as DOMException)?.name !== "NotFoundError" || attempt >= 5) throw e;
        await sleep(20 * 2 ** attempt);
      }
    }
    const driver = await openWithRetry(m, `/${namespaceDir(namespace)}/db.sqlite`, () => dropStrayHandles(m));
    const db = new OpfsDatabase(m, driver, namespace);
    if (journal === "wal-exclusive") {
      // Exclusive locking keeps the file lock forever: single connection only (no tab sharing).
      await db.retryBusy(() => driver.tryExec("PRAGMA locking_mode=exclusive; PRAGMA journal_mode=wal"));
    }
    // After the journal pragmas (a WAL file must not be read before exclusive locking is on):
    // a bigger page cache, so a large batch does not spill dirty pages mid-transaction (each
    // spill syncs the journal), and reads stay off OPFS. 8 KiB pages (a new file only; SQLite
    // keeps an existing file's size): every page is one call through the JS VFS. Measured in
    // bench/browser, alternating (medians): a 10,000-row batch to local 656 ms at 4 KiB, 500 at
    // 8 KiB, 463 at 16 KiB; a single-row commit 6.1 ms at 4 and 8 KiB, 7.2 ms at 16 KiB.
    await db.retryBusy(() => driver.tryExec("PRAGMA page_size=8192; PRAGMA cache_size=-32768; PRAGMA temp_store=memory"));
    return db;
  }

  /**
   * Runs `fn` inside one write transaction: all of it commits or none of it does. The lock
   * wait is async; `fn` itself runs synchronously with the lock held.
   */
  async transaction<T>(fn: (driver: WaSqliteDriver) => T, hold?: () => Promise<boolean>): Promise<T> {
    await this.retryBusy(() => this.driver.tryExec("BEGIN IMMEDIATE"));
    try {
      const result = fn(this.driver);
      if (hold && !(await hold())) throw new TransactionHeldBackError();
      this.driver.exec("COMMIT");
      return result;
    } catch (e) {
      if (this.driver.inTransaction) this.driver.exec("ROLLBACK");
      throw e;
    }
  }

  private async retryBusy(attempt: () => number): Promise<void> {
    // Bounded by time, not by tries: another tab may hold the file for seconds under load
    // (a reloading owner's worker closing), and a busy file must never reach the app as an error.
    const deadline = Date.now() + BUSY_DEADLINE_MS;
    for (let tries = 0; ; tries++) {
      const rc = attempt();
      if (rc === SQLITE_OK) return;
      if (rc === SQLITE_BUSY && Date.now() < deadline) {
        if (this.driver.inTransaction) this.driver.exec("ROLLBACK");
        try {
          if (this.m.retryOps.length) await settleRetryOps(this.m);
          else await sleep(Math.min(2 ** tries, 250));
        } catch {
          // Handle conflict (NoModificationAllowedError) while a closing tab's worker still
          // holds the file: back off, drop handles that landed after the failure, ask again.
          await sleep(Math.min(25 * 2 ** tries, 1000));
          dropStrayHandles(this.m);
        }
        continue;
      }
      throw new SqliteError(`OPFS database ${this.namespace} is unavailable (SQLite code ${rc})`, rc);
    }
  }

  close(): void {
    this.driver.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long opening or locking an OPFS database may wait for another tab before it fails. */
export const BUSY_DEADLINE_MS = 120_000;

/**
 * Opens through the VFS, which answers "busy" while it fetches handles and locks asynchronously
 * (OPFSCoopSyncVFS): wait for its pending operations, then retry.
 */
async function openWithRetry(m: WaModule, filename: string, beforeRetry: () => void): Promise<WaSqliteDriver> {
  // Bounded by time, not by tries: under load a closing tab may hold the file for seconds.
  const deadline = Date.now() + BUSY_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    m.retryOps ??= [];
    const driver = WaSqliteDriver.tryOpen(m, filename, VFS_NAME);
    if (typeof driver !== "number") return driver;
    const rc = driver;
    const backoff = () => sleep(Math.min(25 * 2 ** attempt, 1000));
    // CANTOPEN after an async attempt: the handles were still held by a worker that just
    // died or is closing (NoModificationAllowedError). The VFS forgets the failed attempt.
    // BUSY with nothing to wait for: the VFS's request is still in flight; back off too.
    const transient = rc === SQLITE_CANTOPEN || rc === SQLITE_BUSY;
    if (!transient || Date.now() > deadline) throw new SqliteError(`cannot open ${filename}: ${errstr(m, rc)}`, rc);
    if (rc === SQLITE_CANTOPEN || m.retryOps.length === 0) {
      await backoff();
      continue;
    }
    try {
      await settleRetryOps(m);
    } catch {
      // The file's handles are still held elsewhere (a closing tab): back off, then retry.
      await backoff();
      beforeRetry();
    }
  }
}

/** Wait for a VFS's pending asynchronous operations (lock, handles); clears the queue. */
async function settleRetryOps(m: WaModule): Promise<void> {
  const ops = m.retryOps;
  m.retryOps = [];
  // allSettled, not all: on the first rejection Promise.all would return while another op (a
  // Web Lock wait) is still in flight. The VFS pushes that op only once, so every retry would
  // then answer BUSY with nothing left to wait for. Wait for all of them, then report a failure.
  const results = await Promise.allSettled(ops);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

