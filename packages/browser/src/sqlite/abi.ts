// The ABI of @journeyapps/wa-sqlite 2.0.6's sync build (dist/wa-sqlite.wasm): Emscripten
// minified its import and export names, so these tables say which short name is which. They
// belong to that exact wasm (package.json pins the version); abi.test.ts checks them against
// the installed package, so an upgrade that renames anything fails there, not in a browser.

/** Our name → the wasm's export name. */
export const EXPORTS = {
  memory: "pa",
  ctors: "qa",
  main: "hf",
  tempret: "sf",
  vfsRegister: "of",
  _sqlite3_malloc: "Ha",
  _sqlite3_free: "Ja",
  _sqlite3_open_v2: "Be",
  _sqlite3_close_v2: "$d",
  _sqlite3_exec: "kb",
  _sqlite3_prepare_v3: "od",
  _sqlite3_bind_null: "Fc",
  _sqlite3_bind_int: "Dc",
  _sqlite3_bind_int64: "Ec",
  _sqlite3_bind_double: "Cc",
  _sqlite3_bind_text: "Hc",
  _sqlite3_bind_blob: "Ac",
  _sqlite3_bind_parameter_count: "Nc",
  _sqlite3_step: "hb",
  _sqlite3_reset: "jb",
  _sqlite3_clear_bindings: "ub",
  _sqlite3_finalize: "mb",
  _sqlite3_column_count: "oc",
  _sqlite3_column_type: "xc",
  _sqlite3_column_int64: "ib",
  _sqlite3_column_double: "tc",
  _sqlite3_column_text: "uc",
  _sqlite3_column_blob: "qc",
  _sqlite3_column_bytes: "rc",
  _sqlite3_stmt_readonly: "Rc",
  _sqlite3_changes: "Wd",
  _sqlite3_errmsg: "hd",
  _sqlite3_errstr: "ye",
  _sqlite3_get_autocommit: "Ke",
  _sqlite3_serialize: "fb",
  _sqlite3_deserialize: "nb",
} as const;

/**
 * Import names (all in module "a"), grouped by what we answer. The adapter imports are how the
 * C side (libvfs, libfunction, ...) calls a JS object: (key, methodName*, ...args) for an object
 * target, (key, ...args) for a function target. The "_async" twins exist for the Asyncify
 * builds; the sync build must never reach them.
 */
export const IMPORTS = {
  adapters: "s ka j c ga ia h z e ea B p la na l W",
  asyncAdapters: "t oa k d ha ja i A f fa C q ma r m ca",
  /** Path-based file syscalls (chmod, faccessat, lstat64, mkdirat, newfstatat, readlinkat, rmdir, stat64, unlinkat, utimensat). */
  pathSyscalls: "aa da Y R X N M Z K J",
  /** fd-based file syscalls (fchmod, fchown32, fcntl64, fstat64, ftruncate64, mmap, munmap). */
  fdSyscalls: "ba $ b _ y u v",
  openat: "P",
  getcwd: "U",
  fdClose: "o",
  fdRead: "O",
  fdWrite: "L",
  fdSeek: "x",
  fdSync: "V",
  fdFdstatGet: "I",
  assertFail: "a",
  abort: "F",
  procExit: "D",
  keepaliveClear: "E",
  localtime: "w",
  setitimer: "G",
  tzset: "Q",
  dateNow: "n",
  perfNow: "g",
  resizeHeap: "H",
  environGet: "S",
  environSizesGet: "T",
} as const;
