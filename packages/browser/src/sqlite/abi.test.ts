// Checks abi.ts against the installed wa-sqlite: its Emscripten loader (which we do not ship)
// names every minified import and export, and the wasm lists what it really imports.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { EXPORTS, IMPORTS } from "./abi.ts";

const require = createRequire(import.meta.url);
const glue = readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.mjs"), "utf8");
const wasm = new WebAssembly.Module(readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")));

/** Emscripten's name for each minified import, from the loader's `wasmImports = {a: ___assert_fail, ...}`. */
const importNames = new Map(
  [...glue.match(/var wasmImports=\{([^}]*)\}/)![1]!.matchAll(/([\w$]+):([\w$]+)/g)].map((x) => [x[1]!, x[2]!]),
);
const exportNames = new Map([...glue.matchAll(/(?<![\w$])([\w$]+)=(?:Module\["[^"]+"\]=)?wasmExports\["([^"]+)"\]/g)].map((x) => [x[1]!, x[2]!]));

const expectedImports: Record<keyof typeof IMPORTS, RegExp> = {
  adapters: /^_[iv]p+[pij]*$/,
  asyncAdapters: /^_[iv]p+[pij]*_async$/,
  pathSyscalls: /^___syscall_(chmod|faccessat|lstat64|mkdirat|newfstatat|readlinkat|rmdir|stat64|unlinkat|utimensat)$/,
  fdSyscalls: /^(___syscall_(fchmod|fchown32|fcntl64|fstat64|ftruncate64)|__mmap_js|__munmap_js)$/,
  openat: /^___syscall_openat$/,
  getcwd: /^___syscall_getcwd$/,
  fdClose: /^_fd_close$/,
  fdRead: /^_fd_read$/,
  fdWrite: /^_fd_write$/,
  fdSeek: /^_fd_seek$/,
  fdSync: /^_fd_sync$/,
  fdFdstatGet: /^_fd_fdstat_get$/,
  assertFail: /^___assert_fail$/,
  abort: /^__abort_js$/,
  procExit: /^_proc_exit$/,
  keepaliveClear: /^__emscripten_runtime_keepalive_clear$/,
  localtime: /^__localtime_js$/,
  setitimer: /^__setitimer_js$/,
  tzset: /^__tzset_js$/,
  dateNow: /^_emscripten_date_now$/,
  perfNow: /^_emscripten_get_now$/,
  resizeHeap: /^_emscripten_resize_heap$/,
  environGet: /^_environ_get$/,
  environSizesGet: /^_environ_sizes_get$/,
};

describe("wa-sqlite ABI tables (abi.ts) match the installed wa-sqlite build", () => {
  it("answers every import the wasm declares, each once, with a handler of the right kind", () => {
    const declared = WebAssembly.Module.imports(wasm);
    expect(declared.every((i) => i.module === "a" && i.kind === "function")).toBe(true);
    const ours = Object.entries(IMPORTS).flatMap(([group, names]) => names.split(" ").map((name) => [group as keyof typeof IMPORTS, name] as const));
    expect(ours.map(([, n]) => n).sort()).toEqual(declared.map((i) => i.name).sort());
    for (const [group, name] of ours) expect([group, importNames.get(name)]).toEqual([group, expect.stringMatching(expectedImports[group])]);
  });

  it("names the exports we call by the wasm's minified names", () => {
    const cName: Record<string, string> = { memory: "wasmMemory", ctors: "___wasm_call_ctors", main: "_main", tempret: "__emscripten_tempret_get", vfsRegister: "_libvfs_vfs_register" };
    const wasmExports = new Set(WebAssembly.Module.exports(wasm).map((e) => e.name));
    for (const [ours, key] of Object.entries(EXPORTS)) {
      expect([ours, exportNames.get(cName[ours] ?? ours)]).toEqual([ours, key]);
      expect(wasmExports.has(key)).toBe(true);
    }
  });
});
