// Instantiates the wa-sqlite sync build with our own imports instead of its Emscripten loader
// (~60 KB of JS, shipped twice: page and worker). The browser compiles the wasm once (on the UI
// thread) and hands the compiled WebAssembly.Module to the worker; Node passes the bytes.
//
// What the wasm needs from us: memory growth, clocks, local time, environment (none), abort,
// the JS callback adapters (for a JS VFS, see vfs-bridge.ts), and file syscalls. SQLite's
// built-in unix VFS only reaches the file syscalls for /dev/urandom (its randomness source) and
// temporary files; every database we open is ":memory:" or on our JS VFS, and every connection
// keeps temporary storage in memory (see WaSqliteDriver), so files other than /dev/urandom
// answer "no such file".

import { EXPORTS, IMPORTS } from "./abi.ts";
import type { WaModule } from "./wa-sqlite.ts";

export type WasmSource = { module: WebAssembly.Module } | { binary: Uint8Array | ArrayBuffer };

const ENOENT = 44;
const EBADF = 8;
const URANDOM_FD = 99; // SQLite ignores descriptors below 3; any free number works.
const decoder = new TextDecoder();

export async function loadWaSqlite(source: WasmSource): Promise<WaModule> {
  const { imports, start } = prepare();
  const compiled = "module" in source ? source.module : await WebAssembly.compile(source.binary as BufferSource);
  return start(await WebAssembly.instantiate(compiled, imports));
}

/** The same, synchronously (Node, or a worker: compiling a large module on a page's main thread is refused). */
export function loadWaSqliteSync(source: WasmSource): WaModule {
  const { imports, start } = prepare();
  const compiled = "module" in source ? source.module : new WebAssembly.Module(source.binary as BufferSource);
  return start(new WebAssembly.Instance(compiled, imports));
}

function prepare(): { imports: WebAssembly.Imports; start(instance: WebAssembly.Instance): WaModule } {
  const m = { retryOps: [], pendingOps: [], callbacks: new Map() } as unknown as WaModule;
  let memory: WebAssembly.Memory;
  const refreshViews = () => {
    m.HEAPU8 = new Uint8Array(memory.buffer);
    m.HEAP32 = new Int32Array(memory.buffer);
  };
  const u32 = (p: number) => m.HEAP32[p >> 2]! >>> 0;
  const setI32 = (p: number, v: number) => (m.HEAP32[p >> 2] = v);
  const fail = (what: string) => () => {
    throw new Error(`wa-sqlite: ${what}`);
  };

  const handlers: Record<string, (...a: number[]) => number | void> = {
    assertFail: (cond, file, line) => {
      throw new Error(`wa-sqlite assertion failed: ${m.UTF8ToString(cond)} (${m.UTF8ToString(file)}:${line})`);
    },
    abort: fail("abort"),
    procExit: (code) => {
      throw new Error(`wa-sqlite exited (${code})`);
    },
    keepaliveClear: () => {},
    setitimer: () => 0,
    dateNow: () => Date.now(),
    perfNow: () => performance.now(),
    resizeHeap: (requested) => {
      // Grow to the request plus 20% headroom (page-aligned), up to the 2 GiB the build allows.
      const max = 2 ** 31;
      requested >>>= 0;
      if (requested > max) return 0;
      const pages = (bytes: number) => Math.ceil(Math.min(max, bytes) / 65536) - memory.buffer.byteLength / 65536;
      // The headroom first; if the engine refuses that much, exactly what was asked for.
      for (const n of [pages(Math.max(requested, memory.buffer.byteLength * 1.2)), pages(requested)]) {
        try {
          memory.grow(n);
          refreshViews();
          return 1;
        } catch {
          // try the smaller size
        }
      }
      return 0;
    },
    localtime: (lo, hi, tm) => {
      // struct tm: sec, min, hour, mday, mon, year-1900, wday, yday, isdst, gmtoff.
      const d = new Date((hi * 2 ** 32 + (lo >>> 0)) * 1000);
      const y = d.getFullYear();
      const off = d.getTimezoneOffset();
      const yday = Math.round((Date.UTC(y, d.getMonth(), d.getDate()) - Date.UTC(y, 0, 1)) / 864e5);
      const [winter, summer] = offsets(y);
      const dst = Number(winter !== summer && off === Math.min(winter, summer));
      [d.getSeconds(), d.getMinutes(), d.getHours(), d.getDate(), d.getMonth(), y - 1900, d.getDay(), yday, dst, -off * 60].forEach((v, i) => setI32(tm + 4 * i, v));
    },
    // The zone names (strftime %Z) stay empty: SQLite never prints them.
    tzset: (timezone, daylight) => {
      const [winter, summer] = offsets(new Date().getFullYear());
      setI32(timezone, Math.max(winter, summer) * 60);
      setI32(daylight, Number(winter !== summer));
    },
    environSizesGet: (pCount, pSize) => {
      setI32(pCount, 0);
      setI32(pSize, 0);
      return 0;
    },
    environGet: () => 0,
    openat: (_dir, path) => (m.UTF8ToString(path) === "/dev/urandom" ? URANDOM_FD : -ENOENT),
    getcwd: () => -ENOENT,
    fdClose: (fd) => (fd === URANDOM_FD ? 0 : EBADF),
    fdRead: (fd, iov, iovcnt, pNum) => {
      if (fd !== URANDOM_FD) return EBADF;
      let n = 0;
      for (let i = 0; i < iovcnt; i++) {
        const p = u32(iov + 8 * i);
        const len = u32(iov + 8 * i + 4);
        // getRandomValues fills at most 64 KiB per call.
        for (let off = 0; off < len; off += 65536) crypto.getRandomValues(m.HEAPU8.subarray(p + off, p + Math.min(len, off + 65536)));
        n += len;
      }
      setI32(pNum, n);
      return 0;
    },
    // stdout/stderr: SQLite prints nothing there; accept and drop what a debug build might.
    fdWrite: (fd, iov, iovcnt, pNum) => {
      if (fd !== 1 && fd !== 2) return EBADF;
      let n = 0;
      for (let i = 0; i < iovcnt; i++) n += u32(iov + 8 * i + 4);
      setI32(pNum, n);
      return 0;
    },
    fdSeek: () => EBADF,
    fdSync: () => EBADF,
    fdFdstatGet: () => EBADF,
  };
  const env: Record<string, unknown> = {};
  for (const [group, names] of Object.entries(IMPORTS)) {
    for (const name of names.split(" ")) {
      if (group === "adapters") env[name] = (key: number, ...args: number[]) => dispatch(m, key, args);
      else if (group === "asyncAdapters") env[name] = fail("an async callback reached the sync build");
      else if (group === "pathSyscalls") env[name] = () => -ENOENT;
      else if (group === "fdSyscalls") env[name] = () => -EBADF;
      else env[name] = handlers[group];
    }
  }

  const imports = { a: env } as WebAssembly.Imports;
  return { imports, start: (instance) => finish(m, instance, (mem) => (memory = mem), refreshViews) };
}

function finish(m: WaModule, instance: WebAssembly.Instance, setMemory: (m: WebAssembly.Memory) => void, refreshViews: () => void): WaModule {
  const exports = instance.exports as Record<string, unknown>;
  for (const [name, key] of Object.entries(EXPORTS)) (m as unknown as Record<string, unknown>)[name] = exports[key];
  setMemory(exports[EXPORTS.memory] as WebAssembly.Memory);
  refreshViews();
  m.UTF8ToString = (p) => {
    if (!p) return "";
    const heap = m.HEAPU8;
    let end = p;
    while (heap[end]) end++;
    return decoder.decode(heap.subarray(p, end));
  };
  m.getTempRet0 = m.tempret;
  m.ctors();
  // What Emscripten's runtime does at start: C constructors, then main() (this build's main
  // only initialises SQLite and its statically linked extensions).
  m.main(0, 0);
  return m;
}

/** Timezone offsets (minutes, as Date reports them) in January and July of `year`. */
const offsets = (year: number) => [new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset()];

/** An adapter call from C: the target is an object (then the next argument names its method) or a function. */
function dispatch(m: WaModule, key: number, args: number[]): number {
  const target = m.callbacks.get(key);
  if (!target) throw new Error(`wa-sqlite: no JS callback registered under ${key}`);
  const result =
    typeof target === "function"
      ? target(...args)
      : (target as Record<string, (...a: number[]) => unknown>)[m.UTF8ToString(args.shift()!)]!(...args);
  if (typeof (result as Promise<unknown>)?.then === "function") throw new Error("wa-sqlite: a JS callback returned a Promise in the sync build");
  return result as number;
}
