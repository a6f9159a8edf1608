// The one typed binding of the wa-sqlite sync build's C exports. wa-sqlite's own JS wrapper
// returns Promises even in the sync build; the UI-thread mirror must answer reads and apply
// writes synchronously, so we call the exports directly here and nowhere else.

import type { SqlDriver, SqlValue } from "@jazz-tools/core";

/**
 * The wa-sqlite wasm as load.ts instantiates it: its C exports under their C names plus the few
 * helpers a JS VFS expects of an Emscripten module. Heap views are replaced when memory grows:
 * re-read them on every use.
 */
export interface WaModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  getTempRet0(): number;
  UTF8ToString(p: number): string;
  /** A JS VFS queues the async work a "busy" answer waits for here (OPFSCoopSyncVFS). */
  retryOps: Promise<unknown>[];
  pendingOps?: Promise<unknown>[];
  /** JS objects/functions the C side calls through the adapter imports, by registration key. */
  callbacks: Map<number, object>;
  ctors(): void;
  main(argc: number, argv: number): number;
  tempret(): number;
  /** libvfs_vfs_register(zName, mxPathname, methodMask, asyncMask, makeDefault, pKeyOut). */
  vfsRegister(zName: number, mxPathname: number, methodMask: number, asyncMask: number, makeDefault: number, pKey: number): number;
  _sqlite3_malloc(n: number): number;
  _sqlite3_free(p: number): void;
  _sqlite3_open_v2(zName: number, ppDb: number, flags: number, zVfs: number): number;
  _sqlite3_close_v2(db: number): number;
  _sqlite3_exec(db: number, zSql: number, cb: number, arg: number, pzErr: number): number;
  _sqlite3_prepare_v3(db: number, zSql: number, n: number, flags: number, ppStmt: number, pzTail: number): number;
  _sqlite3_bind_null(st: number, i: number): number;
  _sqlite3_bind_int(st: number, i: number, v: number): number;
  _sqlite3_bind_int64(st: number, i: number, lo: number, hi: number): number;
  _sqlite3_bind_double(st: number, i: number, v: number): number;
  _sqlite3_bind_text(st: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_bind_blob(st: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_bind_parameter_count(st: number): number;
  _sqlite3_step(st: number): number;
  _sqlite3_reset(st: number): number;
  _sqlite3_clear_bindings(st: number): number;
  _sqlite3_finalize(st: number): number;
  _sqlite3_column_count(st: number): number;
  _sqlite3_column_type(st: number, i: number): number;
  _sqlite3_column_int64(st: number, i: number): number;
  _sqlite3_column_double(st: number, i: number): number;
  _sqlite3_column_text(st: number, i: number): number;
  _sqlite3_column_blob(st: number, i: number): number;
  _sqlite3_column_bytes(st: number, i: number): number;
  _sqlite3_stmt_readonly(st: number): number;
  _sqlite3_changes(db: number): number;
  _sqlite3_errmsg(db: number): number;
  _sqlite3_errstr(rc: number): number;
  _sqlite3_get_autocommit(db: number): number;
  _sqlite3_serialize(db: number, zSchema: number, piSize: number, flags: number): number;
  /** The two sizes are i64, passed as (lo, hi) pairs by the legalized wasm signature. */
  _sqlite3_deserialize(db: number, zSchema: number, pData: number, szLo: number, szHi: number, bufLo: number, bufHi: number, flags: number): number;
}

export const SQLITE_OK = 0;
export const SQLITE_BUSY = 5;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_ROW = 100;
export const SQLITE_DONE = 101;
const OPEN_READWRITE = 0x02;
const OPEN_CREATE = 0x04;
const OPEN_URI = 0x40;
const PREPARE_PERSISTENT = 0x01;
const TRANSIENT = -1;
const DESERIALIZE_FREEONCLOSE = 1;
const DESERIALIZE_RESIZEABLE = 2;

/** A failed SQLite call; `code` is the SQLite result code. */
export class SqliteError extends Error {
  override name = "SqliteError";
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A synchronous connection: the SqlDriver every replica's engine talks to. */
export class WaSqliteDriver implements SqlDriver {
  private readonly cache = new Map<string, number>();
  private readonly scratch: number; // 8 bytes for out-params
  /** Reused buffer for text/blob parameters (bound TRANSIENT: SQLite copies them at once). */
  private buf = 0;
  private bufSize = 0;
  private closed = false;

  private constructor(
    private readonly m: WaModule,
    readonly db: number,
  ) {
    this.scratch = m._sqlite3_malloc(8);
  }

  /** Opens synchronously; fails with SQLITE_BUSY if the VFS needs async work (see opfs.ts openWithRetry). */
  static open(m: WaModule, filename = ":memory:", vfs?: string): WaSqliteDriver {
    const driver = WaSqliteDriver.tryOpen(m, filename, vfs);
    if (typeof driver === "number") throw new SqliteError(`cannot open ${filename}: ${errstr(m, driver)}`, driver);
    // Temporary tables, sorts and indexes that outgrow the cache stay in memory: the default VFS
    // has no file system here (see load.ts), so a temporary file would be a disk I/O error.
    driver.exec("PRAGMA temp_store=memory");
    return driver;
  }

  /** One attempt: the connection, or SQLite's result code (BUSY/CANTOPEN while a JS VFS fetches handles). */
  static tryOpen(m: WaModule, filename: string, vfs?: string): WaSqliteDriver | number {
    const { rc, db } = tryOpen(m, filename, vfs);
    return rc === SQLITE_OK ? new WaSqliteDriver(m, db) : rc;
  }

  exec(sql: string): void {
    const m = this.m;
    const z = cstring(m, sql);
    try {
      const rc = m._sqlite3_exec(this.db, z, 0, 0, 0);
      if (rc !== SQLITE_OK) throw this.error(rc, sql);
    } finally {
      m._sqlite3_free(z);
    }
  }

  run(sql: string, params?: readonly SqlValue[]): number {
    const st = this.prepare(sql, params);
    try {
      let rc: number;
      while ((rc = this.m._sqlite3_step(st)) === SQLITE_ROW);
      if (rc !== SQLITE_DONE) throw this.error(rc, sql);
      return this.m._sqlite3_changes(this.db);
    } finally {
      this.release(st);
    }
  }

  all(sql: string, params?: readonly SqlValue[]): SqlValue[][] {
    const m = this.m;
    const st = this.prepare(sql, params);
    const rows: SqlValue[][] = [];
    try {
      const n = m._sqlite3_column_count(st);
      let rc: number;
      while ((rc = m._sqlite3_step(st)) === SQLITE_ROW) {
        const row = new Array<SqlValue>(n);
        for (let i = 0; i < n; i++) row[i] = this.column(st, i);
        rows.push(row);
      }
      if (rc !== SQLITE_DONE) throw this.error(rc, sql);
      return rows;
    } finally {
      this.release(st);
    }
  }

  /** Steps one statement and returns the raw SQLite result code (BUSY included) instead of throwing. */
  tryExec(sql: string): number {
    const z = cstring(this.m, sql);
    try {
      return this.m._sqlite3_exec(this.db, z, 0, 0, 0);
    } finally {
      this.m._sqlite3_free(z);
    }
  }

  get inTransaction(): boolean {
    return this.m._sqlite3_get_autocommit(this.db) === 0;
  }

  serialize(): Uint8Array {
    const m = this.m;
    const zMain = cstring(m, "main");
    try {
      const p = m._sqlite3_serialize(this.db, zMain, this.scratch, 0);
      if (!p) throw new SqliteError(`serialize failed: ${this.errmsg()}`, 1);
      const size = m.HEAP32[this.scratch >> 2]!; // low 32 bits of the i64 size: images < 2 GiB
      const image = m.HEAPU8.slice(p, p + size);
      m._sqlite3_free(p);
      return image;
    } finally {
      m._sqlite3_free(zMain);
    }
  }

  deserialize(image: Uint8Array): void {
    const m = this.m;
    this.clearCache(); // statements refer to the old schema
    const p = m._sqlite3_malloc(Math.max(image.byteLength, 1));
    m.HEAPU8.set(image, p);
    // An image of a WAL database says so in its header (bytes 18-19 = 2); an in-memory copy
    // must use the rollback journal, or its first write looks for a -wal file.
    if (image.byteLength >= 20 && m.HEAPU8[p + 18] === 2) m.HEAPU8.fill(1, p + 18, p + 20);
    const zMain = cstring(m, "main");
    try {
      // SQLite owns p from here on, even on failure (FREEONCLOSE).
      const flags = DESERIALIZE_FREEONCLOSE | DESERIALIZE_RESIZEABLE;
      const n = image.byteLength;
      const rc = m._sqlite3_deserialize(this.db, zMain, p, n, 0, n, 0, flags);
      if (rc !== SQLITE_OK) throw this.error(rc, "deserialize");
    } finally {
      m._sqlite3_free(zMain);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearCache();
    this.m._sqlite3_close_v2(this.db);
    this.m._sqlite3_free(this.scratch);
    if (this.buf) this.m._sqlite3_free(this.buf);
  }

  private clearCache(): void {
    for (const st of this.cache.values()) this.m._sqlite3_finalize(st);
    this.cache.clear();
  }

  private prepare(sql: string, params: readonly SqlValue[] | undefined): number {
    const m = this.m;
    let st = this.cache.get(sql);
    if (st === undefined) {
      const bytes = encoder.encode(sql);
      const z = m._sqlite3_malloc(bytes.byteLength + 1);
      m.HEAPU8.set(bytes, z);
      m.HEAPU8[z + bytes.byteLength] = 0;
      try {
        const rc = m._sqlite3_prepare_v3(this.db, z, bytes.byteLength, PREPARE_PERSISTENT, this.scratch, 0);
        if (rc !== SQLITE_OK) throw this.error(rc, sql);
        st = m.HEAP32[this.scratch >> 2]!;
        if (!st) throw new SqliteError(`no statement in SQL: ${sql}`, 1);
      } finally {
        m._sqlite3_free(z);
      }
      this.cache.set(sql, st);
    }
    const count = m._sqlite3_bind_parameter_count(st);
    const given = params?.length ?? 0;
    if (given !== count) throw new SqliteError(`expected ${count} parameters, got ${given}: ${sql}`, 25);
    for (let i = 0; i < given; i++) this.bind(st, i + 1, params![i]!, sql);
    return st;
  }

  private release(st: number): void {
    this.m._sqlite3_reset(st);
    this.m._sqlite3_clear_bindings(st);
  }

  private bind(st: number, i: number, v: SqlValue, sql: string): void {
    const m = this.m;
    let rc: number;
    if (v === null || v === undefined) rc = m._sqlite3_bind_null(st, i);
    else if (typeof v === "number") {
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) rc = m._sqlite3_bind_int(st, i, v);
      else if (Number.isSafeInteger(v)) {
        // Split into (lo, hi) 32-bit halves without BigInt (µs clocks pass here on every row).
        const hi = Math.floor(v / 0x100000000);
        rc = m._sqlite3_bind_int64(st, i, (v - hi * 0x100000000) | 0, hi | 0);
      }
      else rc = m._sqlite3_bind_double(st, i, v);
    } else if (typeof v === "string") {
      // Worst case 3 bytes per UTF-16 unit; TRANSIENT makes SQLite copy, so the buffer is reused.
      const n = v.length;
      const cap = n * 3 + 1;
      const p = this.scratchBuffer(cap);
      const heap = m.HEAPU8;
      // Short ASCII strings (ids, clocks' authors, most values) are copied by hand: a
      // subarray + encodeInto per parameter costs ~2 µs, several times this loop.
      let k = 0;
      if (n <= 256) for (; k < n; k++) {
        const c = v.charCodeAt(k);
        if (c >= 0x80) break;
        heap[p + k] = c;
      }
      const written = k === n ? n : k + encoder.encodeInto(k ? v.slice(k) : v, heap.subarray(p + k, p + cap)).written;
      rc = m._sqlite3_bind_text(st, i, p, written, TRANSIENT);
    } else if (typeof v === "bigint") rc = this.bindInt64(st, i, v);
    else if (v instanceof Uint8Array) {
      const p = this.scratchBuffer(Math.max(v.byteLength, 1));
      m.HEAPU8.set(v, p);
      rc = m._sqlite3_bind_blob(st, i, p, v.byteLength, TRANSIENT);
    } else if (typeof v === "boolean") rc = m._sqlite3_bind_int(st, i, v ? 1 : 0);
    else throw new SqliteError(`cannot bind a ${typeof v} (parameter ${i}) in: ${sql}`, 25);
    if (rc !== SQLITE_OK) throw this.error(rc, sql);
  }

  private scratchBuffer(size: number): number {
    if (size > this.bufSize) {
      if (this.buf) this.m._sqlite3_free(this.buf);
      this.bufSize = Math.max(size, 4096, this.bufSize * 2);
      this.buf = this.m._sqlite3_malloc(this.bufSize);
      if (!this.buf) throw new SqliteError(`out of memory binding ${size} bytes`, 7);
    }
    return this.buf;
  }

  private bindInt64(st: number, i: number, v: bigint): number {
    const lo = Number(BigInt.asIntN(32, v));
    const hi = Number(BigInt.asIntN(32, v >> 32n));
    return this.m._sqlite3_bind_int64(st, i, lo, hi);
  }

  private column(st: number, i: number): SqlValue {
    const m = this.m;
    switch (m._sqlite3_column_type(st, i)) {
      case 1: {
        const lo = m._sqlite3_column_int64(st, i);
        const hi = m.getTempRet0();
        // Fits in 32 bits: the common case, no BigInt.
        if ((hi === 0 && lo >= 0) || (hi === -1 && lo < 0)) return lo;
        const big = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
      case 2:
        return m._sqlite3_column_double(st, i);
      case 3: {
        const p = m._sqlite3_column_text(st, i);
        const n = m._sqlite3_column_bytes(st, i);
        return decoder.decode(m.HEAPU8.subarray(p, p + n));
      }
      case 4: {
        const p = m._sqlite3_column_blob(st, i);
        const n = m._sqlite3_column_bytes(st, i);
        return m.HEAPU8.slice(p, p + n);
      }
      default:
        return null;
    }
  }

  private errmsg(): string {
    return readCString(this.m, this.m._sqlite3_errmsg(this.db));
  }

  private error(rc: number, sql: string): SqliteError {
    return new SqliteError(`${this.errmsg()} (in: ${sql.length > 200 ? sql.slice(0, 200) + "…" : sql})`, rc);
  }
}

function tryOpen(m: WaModule, filename: string, vfs: string | undefined): { rc: number; db: number } {
  const zName = cstring(m, filename);
  const zVfs = vfs ? cstring(m, vfs) : 0;
  const pp = m._sqlite3_malloc(4);
  try {
    const rc = m._sqlite3_open_v2(zName, pp, OPEN_READWRITE | OPEN_CREATE | OPEN_URI, zVfs);
    const db = m.HEAP32[pp >> 2]!;
    if (rc !== SQLITE_OK && db) m._sqlite3_close_v2(db);
    return { rc, db };
  } finally {
    m._sqlite3_free(pp);
    m._sqlite3_free(zName);
    if (zVfs) m._sqlite3_free(zVfs);
  }
}

function cstring(m: WaModule, s: string): number {
  const bytes = encoder.encode(s);
  const p = m._sqlite3_malloc(bytes.byteLength + 1);
  m.HEAPU8.set(bytes, p);
  m.HEAPU8[p + bytes.byteLength] = 0;
  return p;
}

function readCString(m: WaModule, p: number): string {
  if (!p) return "";
  const heap = m.HEAPU8;
  let end = p;
  while (heap[end] !== 0) end++;
  return decoder.decode(heap.subarray(p, end));
}

export function errstr(m: WaModule, rc: number): string {
  return readCString(m, m._sqlite3_errstr(rc));
}
