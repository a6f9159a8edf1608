// A synchronous SQLite VFS over node:fs for wa-sqlite's wasm build: databases in files on Node
// when the native better-sqlite3 is not installed. One process owns a database file at a time
// (the server's data-dir lock, a Node Db's file), so locks are no-ops; the driver runs the
// file with a rollback journal (no WAL: that needs shared memory this VFS does not offer).
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { FacadeVFS } from "@journeyapps/wa-sqlite/src/FacadeVFS.js";

const SQLITE_OK = 0;
const SQLITE_IOERR = 10;
const SQLITE_CANTOPEN = 14;
const SQLITE_IOERR_SHORT_READ = 522;
const SQLITE_OPEN_READONLY = 0x1;
const SQLITE_OPEN_CREATE = 0x4;
const SQLITE_OPEN_DELETEONCLOSE = 0x8;

/** What FacadeVFS hands us for a buffer: a view of wasm memory (subarray() gives a real one). */
type HeapBytes = { subarray(): Uint8Array; byteLength: number };

interface OpenFile {
  fd: number;
  path: string;
  deleteOnClose: boolean;
}

export class NodeFileVfs extends FacadeVFS {
  private readonly files = new Map<number, OpenFile>();

  constructor(name: string, module: unknown) {
    super(name, module);
    this.mxPathname = 1024;
  }

  jOpen(filename: string | null, pFile: number, flags: number, pOutFlags: DataView): number {
    const path = filename ?? join(tmpdir(), `jazz-sqlite-${randomBytes(8).toString("hex")}`);
    try {
      const exists = existsSync(path);
      if (!exists && !(flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
      const fd = openSync(path, flags & SQLITE_OPEN_READONLY ? "r" : exists ? "r+" : "w+");
      this.files.set(pFile, { fd, path, deleteOnClose: !filename || (flags & SQLITE_OPEN_DELETEONCLOSE) !== 0 });
      pOutFlags.setInt32(0, flags, true);
      return SQLITE_OK;
    } catch {
      return SQLITE_CANTOPEN;
    }
  }

  jClose(pFile: number): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_OK;
    this.files.delete(pFile);
    try {
      closeSync(f.fd);
      if (f.deleteOnClose) unlinkSync(f.path);
      return SQLITE_OK;
    } catch {
      return SQLITE_IOERR;
    }
  }

  jRead(pFile: number, pData: HeapBytes, iOffset: number): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_IOERR;
    const buf = pData.subarray();
    let done = 0;
    while (done < buf.byteLength) {
      const n = readSync(f.fd, buf, done, buf.byteLength - done, iOffset + done);
      if (n === 0) break;
      done += n;
    }
    if (done < buf.byteLength) {
      // SQLite requires the unread tail zeroed on a short read.
      buf.fill(0, done);
      return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
  }

  jWrite(pFile: number, pData: HeapBytes, iOffset: number): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_IOERR;
    const buf = pData.subarray();
    let done = 0;
    while (done < buf.byteLength) done += writeSync(f.fd, buf, done, buf.byteLength - done, iOffset + done);
    return SQLITE_OK;
  }

  jTruncate(pFile: number, size: number): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_IOERR;
    ftruncateSync(f.fd, size);
    return SQLITE_OK;
  }

  jSync(pFile: number): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_IOERR;
    fsyncSync(f.fd);
    return SQLITE_OK;
  }

  jFileSize(pFile: number, pSize64: DataView): number {
    const f = this.files.get(pFile);
    if (!f) return SQLITE_IOERR;
    pSize64.setBigInt64(0, BigInt(fstatSync(f.fd).size), true);
    return SQLITE_OK;
  }

  jDelete(filename: string): number {
    try {
      if (existsSync(filename)) unlinkSync(filename);
      return SQLITE_OK;
    } catch {
      return SQLITE_IOERR;
    }
  }

  jAccess(filename: string, _flags: number, pResOut: DataView): number {
    pResOut.setInt32(0, existsSync(filename) ? 1 : 0, true);
    return SQLITE_OK;
  }
}
