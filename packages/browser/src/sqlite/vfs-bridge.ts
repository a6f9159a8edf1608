// Registers a JS VFS object (e.g. OPFSCoopSyncVFS) with SQLite. wa-sqlite's C side (libvfs)
// builds an sqlite3_vfs whose methods call back into JS through the adapter imports (see
// load.ts dispatch) with the method's name; it only routes the methods the mask names, the
// rest fall back to SQLite's defaults.

import { SQLITE_OK, type WaModule } from "./wa-sqlite.ts";

/** The sqlite3_vfs / sqlite3_io_methods order libvfs uses for its method mask bits. */
const VFS_METHODS = [
  "xOpen", "xDelete", "xAccess", "xFullPathname", "xRandomness", "xSleep", "xCurrentTime", "xGetLastError", "xCurrentTimeInt64",
  "xClose", "xRead", "xWrite", "xTruncate", "xSync", "xFileSize", "xLock", "xUnlock", "xCheckReservedLock", "xFileControl",
  "xSectorSize", "xDeviceCharacteristics", "xShmMap", "xShmLock", "xShmBarrier", "xShmUnmap",
];

export interface JsVfs {
  name: string;
  mxPathname: number;
  hasAsyncMethod(method: string): boolean;
}

const registeredKeys = new WeakMap<WaModule, Map<string, number>>();

/** Returns SQLite's result code; on success SQLite may use the VFS by name. */
export function registerJsVfs(m: WaModule, vfs: JsVfs, makeDefault = false): number {
  let methodMask = 0;
  let asyncMask = 0;
  VFS_METHODS.forEach((method, i) => {
    if (!(vfs as unknown as Record<string, unknown>)[method]) return;
    methodMask |= 1 << i;
    // The sync build cannot wait for a Promise; such a VFS would fail on its first call.
    if (vfs.hasAsyncMethod(method)) asyncMask |= 1 << i;
  });
  const name = new TextEncoder().encode(vfs.name + "\0");
  const zName = m._sqlite3_malloc(name.byteLength);
  const pKey = m._sqlite3_malloc(4);
  try {
    m.HEAPU8.set(name, zName);
    const rc = m.vfsRegister(zName, vfs.mxPathname, methodMask, asyncMask, makeDefault ? 1 : 0, pKey);
    if (rc === SQLITE_OK) {
      let keys = registeredKeys.get(m);
      if (!keys) registeredKeys.set(m, (keys = new Map()));
      // Re-registering a name replaces the earlier object's key.
      const old = keys.get(vfs.name);
      if (old !== undefined) m.callbacks.delete(old);
      const key = m.HEAP32[pKey >> 2]!;
      keys.set(vfs.name, key);
      m.callbacks.set(key, vfs);
    }
    return rc;
  } finally {
    m._sqlite3_free(pKey);
    m._sqlite3_free(zName);
  }
}
